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
    {
      name: 'lambdas, partials and helper-scheduled callables that only print or stop the loop',
      code: py`
        import asyncio, functools
        def defer(loop, fn, *args):
            loop.call_soon_threadsafe(fn, *args)
        class Bridge:
            def __init__(self, loop):
                self._loop = loop
                self._tick = lambda: print("tick")
            def start(self):
                self._loop.call_soon(self._tick)
                self._loop.call_later(1, functools.partial(print, "late"))
                defer(self._loop, self._loop.stop)
                defer(self._loop, print, "bye")
      `,
    },
    {
      name: 'a helper that runs its callable in a thread, not on a loop',
      code: py`
        import sys, threading
        def in_thread(fn, *args):
            threading.Thread(target=fn, args=args).start()
        def quit_now():
            sys.exit(0)
        in_thread(quit_now)
      `,
    },
    {
      name: 'a partial of an exit on an executor future: its callbacks run in the worker thread',
      code: py`
        import sys
        from functools import partial
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor() as pool:
            pool.submit(print, 1).add_done_callback(partial(sys.exit, 1))
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
      name: 'a lambda calling sys.exit, scheduled directly',
      code: py`
        import asyncio, sys
        def main():
            loop = asyncio.new_event_loop()
            loop.call_soon(lambda: sys.exit(1))
            loop.run_forever()
      `,
      errors: [{ line: 4, column: 5, message: '`lambda: sys.exit(1)` can raise `SystemExit` as a loop callback (call_soon)' }],
    },
    {
      name: 'functools.partial of a helper that exits, aliased, from another thread',
      code: py`
        import asyncio, sys
        from functools import partial as bind
        def shutdown(code=0):
            print("shutting down")
            sys.exit(code)
        def stop_from_thread(loop):
            loop.call_soon_threadsafe(bind(shutdown, code=1))
      `,
      errors: [{ line: 7, column: 5, message: '`bind(shutdown, code=1)` can raise `SystemExit` as a loop callback (call_soon_threadsafe)', related: 1 }],
    },
    {
      name: 'a partial of sys.exit as an asyncio future done-callback',
      code: py`
        import asyncio, sys, functools
        async def main():
            fut = asyncio.get_running_loop().create_future()
            fut.add_done_callback(functools.partial(sys.exit, 2))
      `,
      errors: [{ line: 4, column: 5, message: '(add_done_callback)' }],
    },
    {
      name: 'a lambda stored in a variable, and one stored on self, scheduled later',
      code: py`
        import asyncio, sys
        class Watchdog:
            def __init__(self, loop):
                self._loop = loop
                self._expire = lambda: sys.exit("watchdog expired")
            def arm(self):
                self._loop.call_later(30, self._expire)
        def arm_global(loop):
            stop = lambda: sys.exit(3)
            loop.call_later(5, stop)
      `,
      errors: [
        { line: 7, column: 9, message: '`self._expire` can raise `SystemExit`' },
        { line: 10, column: 5, message: '`stop` can raise `SystemExit`' },
      ],
    },
    {
      name: 'a bound method raising SystemExit as a task done-callback',
      code: py`
        import asyncio
        class Worker:
            def start(self):
                self._task = asyncio.ensure_future(self.run())
                self._task.add_done_callback(self._on_done)
            async def run(self):
                await asyncio.sleep(1)
            def _on_done(self, task):
                if task.exception():
                    raise SystemExit(1)
      `,
      errors: [{ line: 5, column: 9, message: '`self._on_done` can raise `SystemExit` as a loop callback (add_done_callback)' }],
    },
    {
      name: 'signal handlers bound with partial to a method raising KeyboardInterrupt',
      code: py`
        import asyncio, functools, signal
        class App:
            def __init__(self, loop):
                self.loop = loop
            def _on_signal(self, signum):
                raise KeyboardInterrupt
            def install(self):
                for sig in (signal.SIGINT, signal.SIGTERM):
                    self.loop.add_signal_handler(sig, functools.partial(self._on_signal, sig))
      `,
      errors: [{ line: 9, column: 13, message: 'can raise `KeyboardInterrupt` as a loop callback (add_signal_handler)' }],
    },
    {
      name: 'a callable passed to a helper that schedules it (reported where it is passed, no fix)',
      code: py`
        import asyncio, sys
        def shutdown(code):
            sys.exit(code)
        def schedule(loop, callback, *args):
            return loop.call_soon_threadsafe(callback, *args)
        def main():
            loop = asyncio.new_event_loop()
            schedule(loop, shutdown, 1)
            schedule(loop, sys.exit, 2)
            schedule(loop, print, "fine")
      `,
      errors: [
        { line: 8, column: 5, message: '`shutdown` can raise `SystemExit` as a loop callback (call_soon_threadsafe via schedule())', related: 1 },
        { line: 9, column: 5, message: '`exit` can raise `SystemExit` as a loop callback (call_soon_threadsafe via schedule())' },
      ],
    },
    {
      name: 'a scheduler method in another module, passed a bound method, through a second helper',
      files: {
        'app/__init__.py': '',
        'app/sched.py': py`
          class Scheduler:
              def __init__(self, loop):
                  self.loop = loop
              def defer(self, fn, *args):
                  self._push(fn, args)
              def _push(self, fn, args):
                  self.loop.call_soon_threadsafe(fn, *args)
        `,
        'app/main.py': py`
          import asyncio, sys
          from app.sched import Scheduler
          class App:
              def __init__(self):
                  self.sched = Scheduler(asyncio.new_event_loop())
              def _quit(self):
                  sys.exit(0)
              def stop(self):
                  self.sched.defer(self._quit)
                  self.sched.defer(print, "not this one")
        `,
      },
      errors: [{ file: 'app/main.py', line: 9, column: 9, message: '`self._quit` can raise `SystemExit` as a loop callback (call_soon_threadsafe via defer())' }],
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
