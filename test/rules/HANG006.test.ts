import { py, ruleTester } from '../rule-tester.js';

ruleTester('HANG006', {
  valid: [
    {
      name: 'loop.stop handed to the loop is the way to stop it',
      code: py`
        import asyncio, signal
        loop = asyncio.new_event_loop()
        loop.add_signal_handler(signal.SIGTERM, loop.stop)
        loop.call_soon_threadsafe(loop.stop)
      `,
    },
    {
      name: 'a callback that catches the SystemExit its helper raises',
      code: py`
        import asyncio, sys
        def bail():
            sys.exit("config missing")
        def on_tick():
            try:
                bail()
            except SystemExit:
                print("ignored")
        asyncio.get_event_loop().call_later(1.0, on_tick)
      `,
    },
    {
      name: 'a callback raising an ordinary exception goes to the loop exception handler',
      code: py`
        import asyncio
        class Watchdog:
            def __init__(self, loop):
                self._loop = loop
                self._loop.call_later(30, self._expired)
            def _expired(self):
                raise TimeoutError("watchdog expired")
      `,
    },
    {
      name: 'os._exit ends the process at once; nothing is left waiting',
      code: 'import asyncio, os\nloop = asyncio.new_event_loop()\nloop.call_soon_threadsafe(os._exit, 1)\n',
    },
    {
      name: 'a done-callback on an executor future runs in the worker thread, not on a loop',
      code: py`
        import sys
        from concurrent.futures import ThreadPoolExecutor
        def on_done(fut):
            if fut.exception():
                sys.exit(1)
        with ThreadPoolExecutor() as pool:
            pool.submit(print, "hi").add_done_callback(on_done)
      `,
    },
    {
      name: 'signal.signal and threading.Timer are no event loop',
      code: py`
        import signal, sys, threading
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        threading.Timer(5, sys.exit).start()
      `,
    },
    {
      name: 'a coroutine function handed over only makes a coroutine',
      code: py`
        import asyncio, sys
        async def stop():
            sys.exit(0)
        asyncio.get_event_loop().call_soon(stop)
      `,
    },
  ],
  invalid: [
    {
      name: 'sys.exit as a signal handler (the fix hands over loop.stop)',
      code: py`
        import asyncio, signal, sys
        def main():
            loop = asyncio.new_event_loop()
            loop.add_signal_handler(signal.SIGTERM, sys.exit)
            loop.run_forever()
      `,
      errors: [{ line: 4, column: 5, messageId: 'raises', message: '`sys.exit` can raise `SystemExit` as a loop callback (add_signal_handler)', related: 1 }],
      output: py`
        import asyncio, signal, sys
        def main():
            loop = asyncio.new_event_loop()
            loop.add_signal_handler(signal.SIGTERM, loop.stop)
            loop.run_forever()
      `,
    },
    {
      name: 'sys.exit with its argument, from another thread, aliased',
      code: py`
        import asyncio
        from sys import exit as bye
        class Bridge:
            def __init__(self):
                self.loop = asyncio.new_event_loop()
            def shutdown(self, code):
                self.loop.call_soon_threadsafe(bye, code)
      `,
      errors: [{ line: 7, column: 9, message: '`bye` can raise `SystemExit`' }],
      output: py`
        import asyncio
        from sys import exit as bye
        class Bridge:
            def __init__(self):
                self.loop = asyncio.new_event_loop()
            def shutdown(self, code):
                self.loop.call_soon_threadsafe(self.loop.stop)
      `,
    },
    {
      name: 'the builtin exit at a given time',
      code: 'import asyncio\nloop = asyncio.new_event_loop()\nloop.call_at(loop.time() + 60, exit, 3)\n',
      errors: [{ line: 3, column: 1 }],
      output: 'import asyncio\nloop = asyncio.new_event_loop()\nloop.call_at(loop.time() + 60, loop.stop)\n',
    },
    {
      name: 'a bound method that raises KeyboardInterrupt through a helper (no fix)',
      code: py`
        import asyncio
        def interrupt():
            raise KeyboardInterrupt
        class Session:
            def __init__(self, loop):
                self._loop = loop
            def arm(self):
                self._handle = self._loop.call_later(30, self._on_idle)
            def _on_idle(self):
                interrupt()
      `,
      errors: [{ line: 8, column: 24, message: '`self._on_idle` can raise `KeyboardInterrupt`', related: 2 }],
    },
    {
      name: 'a done-callback on an asyncio task',
      code: py`
        import asyncio
        async def job():
            return 1
        def on_done(task):
            if task.exception() is not None:
                raise SystemExit(1)
        async def main():
            task = asyncio.create_task(job())
            task.add_done_callback(on_done)
            await task
      `,
      errors: [{ line: 9, column: 5, message: '(add_done_callback)' }],
    },
    {
      name: 'a reader callback on a socket',
      code: py`
        import asyncio, sys
        def on_readable(sock):
            if not sock.recv(1):
                sys.exit("peer went away")
        def watch(loop, sock):
            loop.add_reader(sock.fileno(), on_readable, sock)
      `,
      errors: [{ line: 6, column: 5, message: '`on_readable` can raise `SystemExit` as a loop callback (add_reader)' }],
    },
    {
      name: 'a signal handler defined in another module',
      files: {
        'svc/__init__.py': '',
        'svc/handlers.py': 'import logging, sys\n\ndef terminate():\n    logging.info("bye")\n    sys.exit(0)\n',
        'svc/server.py': py`
          import asyncio, signal
          from svc.handlers import terminate
          def serve(loop):
              loop.add_signal_handler(signal.SIGTERM, terminate)
              loop.run_forever()
        `,
      },
      errors: [{ file: 'svc/server.py', line: 4, column: 5, related: 1 }],
    },
  ],
});
