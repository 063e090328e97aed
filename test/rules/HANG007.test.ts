import { py, ruleTester } from '../rule-tester.js';

/** Home Assistant's old helper (issue #45795): a hand-made future completed from a loop callback. */
const helper = py`
  import asyncio
  import concurrent.futures
  import threading
  def run_callback_threadsafe(loop, callback, *args):
      future = concurrent.futures.Future()
      def run_callback():
          try:
              future.set_result(callback(*args))
          except Exception as exc:
              future.set_exception(exc)
      loop.call_soon_threadsafe(run_callback)
      return future
  loop = asyncio.new_event_loop()
  threading.Thread(target=loop.run_forever, daemon=True).start()
`;
/** Line numbers below count from the first line after the helper. */
const at = (line: number) => line + helper.split('\n').length - 1;

ruleTester('HANG007', {
  valid: [
    { name: 'a timeout', code: helper + 'run_callback_threadsafe(loop, sum, [1, 2]).result(timeout=5)\n' },
    { name: 'a positional timeout', code: helper + 'fut = run_callback_threadsafe(loop, sum, [1, 2])\nfut.exception(10)\n' },
    {
      name: 'an executor future: its worker thread completes it',
      code: py`
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor() as pool:
            pool.submit(sum, [1, 2]).result()
      `,
    },
    {
      name: 'completed before the wait',
      code: py`
        import concurrent.futures
        def cached(value):
            fut = concurrent.futures.Future()
            fut.set_result(value)
            return fut
        cached(3).result()
      `,
    },
    {
      name: 'completed by a worker thread, not by a loop',
      code: py`
        import concurrent.futures
        import threading
        def compute_in_thread(fn):
            fut = concurrent.futures.Future()
            def worker():
                try:
                    fut.set_result(fn())
                except BaseException as exc:
                    fut.set_exception(exc)
            threading.Thread(target=worker).start()
            return fut
        compute_in_thread(lambda: 42).result()
      `,
    },
    {
      name: 'completed on the loop, but also cancelled by a shutdown path in ordinary code',
      code: py`
        import asyncio
        import concurrent.futures
        class Bridge:
            def __init__(self, loop):
                self.loop = loop
                self.reply = concurrent.futures.Future()
            def ask(self, value):
                self.loop.call_soon_threadsafe(self.reply.set_result, value)
                return self.reply.result()
            def close(self):
                self.reply.cancel()
      `,
    },
    { name: 'known done before result()', code: helper + 'fut = run_callback_threadsafe(loop, sum, [1, 2])\nif fut.done():\n    print(fut.result())\n' },
    {
      name: 'an asyncio future is another kind of future',
      code: py`
        import asyncio
        async def main():
            fut = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(fut.set_result, 1)
            print(await fut)
      `,
    },
    {
      name: "an executor future's done-callback, added in ordinary code, completes it in the worker thread",
      code: py`
        import concurrent.futures
        pool = concurrent.futures.ThreadPoolExecutor()
        def relay(fn):
            out = concurrent.futures.Future()
            job = pool.submit(fn)
            job.add_done_callback(lambda j: out.set_result(j.result()))
            return out
        relay(lambda: 1).result()
      `,
    },
    {
      name: 'concurrent.futures.wait with a timeout',
      code: helper + 'fut = run_callback_threadsafe(loop, sum, [1, 2])\nconcurrent.futures.wait([fut], timeout=5)\n',
    },
    {
      name: 'a future whose completion pyhang cannot see is not reported',
      code: py`
        import concurrent.futures
        def make():
            return concurrent.futures.Future()
        make().result()
      `,
    },
    {
      name: 'a completing helper that a worker thread calls too: not only the loop completes it',
      code: py`
        import concurrent.futures, threading
        class Job:
            def __init__(self):
                self.fut = concurrent.futures.Future()
            def _finish(self, value):
                self.fut.set_result(value)
            async def run_async(self):
                self._finish(1)
            def run_in_thread(self):
                threading.Thread(target=self._worker).start()
            def _worker(self):
                self._finish(2)
            def wait(self):
                return self.fut.result()
      `,
    },
    {
      name: 'a protocol future waited on with a timeout',
      code: py`
        import asyncio, concurrent.futures
        class Client(asyncio.Protocol):
            def __init__(self):
                self.reply = concurrent.futures.Future()
            def data_received(self, data):
                self.reply.set_result(data)
            def wait_reply(self):
                return self.reply.result(timeout=10)
      `,
    },
    {
      name: 'a future handed to a coroutine that is run to completion first',
      code: py`
        import asyncio, concurrent.futures
        async def produce(fut):
            fut.set_result(42)
        def main():
            fut = concurrent.futures.Future()
            asyncio.run(produce(fut))
            fut.set_result(0) if not fut.done() else None
            return fut.result()
      `,
    },
  ],
  invalid: [
    {
      name: 'completed by protocol callbacks on a future stored on self',
      code: py`
        import asyncio
        from concurrent.futures import Future
        class Link(asyncio.Protocol):
            def __init__(self):
                self.reply = Future()
                self.closed = Future()
            def data_received(self, data):
                self.reply.set_result(data)
            def connection_lost(self, exc):
                self.closed.set_exception(exc or ConnectionError("closed"))
            def ask(self):
                return self.reply.result()
            def wait_closed(self):
                self.closed.exception()
      `,
      errors: [
        { line: 12, column: 26, message: '`self.reply.result()` can block forever on a loop-completed Future', related: 1 },
        { line: 14, column: 20, message: '`self.closed.exception()`' },
      ],
    },
    {
      name: 'a protocol given the future by a lambda factory, completed through a helper method',
      code: py`
        import asyncio, concurrent.futures
        class EchoClient(asyncio.Protocol):
            def __init__(self, on_reply):
                self.on_reply = on_reply
            def data_received(self, data):
                self._resolve(data)
            def _resolve(self, data):
                if not self.on_reply.done():
                    self.on_reply.set_result(data)
        def request(loop, host, port):
            reply = concurrent.futures.Future()
            async def connect():
                await loop.create_connection(lambda: EchoClient(reply), host, port)
            task = asyncio.run_coroutine_threadsafe(connect(), loop)
            return reply.result()
      `,
      errors: [{ line: 15, column: 17, message: '`reply.result()`' }],
    },
    {
      name: 'a future handed to a submitted coroutine as an argument, completed there',
      code: py`
        import asyncio, concurrent.futures
        async def produce(out, delay):
            await asyncio.sleep(delay)
            out.set_result("ready")
        def wait_ready(loop):
            ready = concurrent.futures.Future()
            asyncio.run_coroutine_threadsafe(produce(ready, 1), loop)
            return ready.result()
      `,
      errors: [{ line: 8, column: 17 }],
    },
    {
      name: 'completed by a helper scheduled with its arguments, and by a partial of one',
      code: py`
        import asyncio, functools
        from concurrent import futures
        def _complete(fut, value):
            fut.set_result(value)
        def handoff(loop, value):
            fut = futures.Future()
            loop.call_soon_threadsafe(_complete, fut, value)
            return fut.result()
        def handoff_partial(loop, value):
            fut = futures.Future()
            loop.call_soon_threadsafe(functools.partial(_complete, fut, value))
            return fut.result()
      `,
      errors: [{ line: 8, column: 15 }, { line: 12, column: 15 }],
    },
    {
      name: 'completed in a helper module that only loop code calls',
      files: {
        'lib/__init__.py': '',
        'lib/done.py': 'def resolve(fut, value):\n    fut.set_result(value)\n',
        'lib/bridge.py': py`
          import asyncio, concurrent.futures
          from lib.done import resolve
          def start(loop):
              fut = concurrent.futures.Future()
              async def work():
                  resolve(fut, await asyncio.sleep(0, "x"))
              asyncio.run_coroutine_threadsafe(work(), loop)
              return fut.result()
        `,
      },
      errors: [{ file: 'lib/bridge.py', line: 8, column: 15, related: 1 }],
    },
    {
      name: "Home Assistant's run_callback_threadsafe, waited on without a timeout",
      code: helper + 'run_callback_threadsafe(loop, sum, [1, 2]).result()\n',
      errors: [{ line: at(1), column: 43, message: '`run_callback_threadsafe(loop, sum, [1, 2]).result()` can block forever', related: 2 }],
    },
    {
      name: 'the future bound to a name first, exception() waited on',
      code: helper + 'fut = run_callback_threadsafe(loop, print, "hi")\nprint(fut.exception())\n',
      errors: [{ line: at(2), column: 10 }],
    },
    {
      name: 'a bound set_result scheduled directly',
      code: py`
        import asyncio
        import concurrent.futures
        def fetch_config(loop, key):
            reply = concurrent.futures.Future()
            loop.call_soon_threadsafe(reply.set_result, key.upper())
            return reply.result()
      `,
      errors: [{ line: 6, column: 17 }],
    },
    {
      name: 'completed in a lambda passed to call_later',
      code: py`
        import concurrent.futures
        def delayed(loop, value):
            fut = concurrent.futures.Future()
            loop.call_later(0.5, lambda: fut.set_result(value))
            return fut.result()
      `,
      errors: [{ line: 5, column: 15 }],
    },
    {
      name: 'completed by a coroutine submitted to the loop, held on self',
      code: py`
        import asyncio
        from concurrent.futures import Future
        class Client:
            def __init__(self, loop):
                self.loop = loop
                self.answer = Future()
            async def _produce(self):
                await asyncio.sleep(0.1)
                self.answer.set_result(42)
            def start(self):
                self.loop.call_soon_threadsafe(self.loop.create_task, self._produce())
            def wait(self):
                return self.answer.result()
      `,
      errors: [{ line: 13, column: 27 }],
    },
    {
      name: "completed by the done-callback of a task that a loop callback starts",
      code: py`
        import asyncio
        import concurrent.futures
        def submit(loop, coro):
            result = concurrent.futures.Future()
            def relay(task):
                if task.exception() is not None:
                    result.set_exception(task.exception())
                else:
                    result.set_result(task.result())
            def start():
                loop.create_task(coro).add_done_callback(relay)
            loop.call_soon_threadsafe(start)
            return result
        async def ping():
            return "pong"
        def ping_blocking(loop):
            return submit(loop, ping()).result()
      `,
      errors: [{ line: 17, column: 32, related: 2 }],
    },
    {
      name: "chained to a task by asyncio's _chain_future in a loop callback (the asyncio REPL's shape)",
      code: py`
        import asyncio
        import concurrent.futures
        from asyncio import futures
        def run_on(loop, make_coro):
            future = concurrent.futures.Future()
            def callback():
                try:
                    futures._chain_future(loop.create_task(make_coro()), future)
                except BaseException as exc:
                    future.set_exception(exc)
            loop.call_soon_threadsafe(callback)
            return future.result()
      `,
      errors: [{ line: 12, column: 18, related: 2 }],
    },
    {
      name: 'completed by a reader callback, waited with concurrent.futures.wait',
      code: py`
        import concurrent.futures
        import socket
        class Receiver:
            def __init__(self, loop, sock):
                self.loop = loop
                self.sock = sock
                self.packet = concurrent.futures.Future()
            def _readable(self):
                self.loop.remove_reader(self.sock)
                self.packet.set_result(self.sock.recv(4096))
            def _watch(self):
                self.loop.add_reader(self.sock, self._readable)
            def receive(self):
                self.loop.call_soon_threadsafe(self._watch)
                concurrent.futures.wait([self.packet])
                return self.packet.result(timeout=0)
      `,
      errors: [{ line: 15, column: 9, message: '`wait()` can block forever' }],
    },
    {
      name: 'the helper in another module, the wait in a module that never names Future',
      files: {
        'util/async_.py': helper,
        'util/__init__.py': '',
        'component.py': py`
          from util.async_ import run_callback_threadsafe
          def update_from_thread(hass, state):
              return run_callback_threadsafe(hass.loop, hass.states.set, state).result()
        `,
      },
      errors: [{ file: 'component.py', line: 3, column: 70 }],
    },
  ],
});
