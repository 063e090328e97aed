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
  ],
  invalid: [
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
