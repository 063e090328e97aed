import { py, ruleTester } from '../rule-tester.js';

const header = 'import asyncio\nloop = asyncio.new_event_loop()\nasync def work():\n    return 1\n';

ruleTester('HANG003', {
  valid: [
    { name: 'awaiting wrap_future', code: header + 'async def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    return await asyncio.wrap_future(fut)\n' },
    { name: 'result() in a sync function', code: header + 'def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    return fut.result(timeout=5)\n' },
    { name: 'a nested sync def run in an executor', code: header + 'async def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    def wait():\n        return fut.result(5)\n    return await asyncio.to_thread(wait)\n' },
    { name: 'an asyncio task result', code: 'import asyncio\nasync def main(t: asyncio.Task):\n    return t.result()\n' },
    { name: 'a done-callback inside a coroutine', code: header + 'async def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    fut.add_done_callback(lambda f: print(f.result()))\n' },
    { name: 'guarded by done()', code: header + 'async def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    if fut.done():\n        return fut.result()\n' },
  ],
  invalid: [
    {
      name: 'result() with a timeout still blocks the loop',
      code: header + 'async def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    return fut.result(timeout=5)\n',
      errors: [{ line: 7, column: 15, severity: 'error', message: '`fut.result()` blocks the event loop of' }],
    },
    {
      name: 'exception() without a timeout (HANG001 fires too)',
      code: header + 'async def main():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    return fut.exception()\n',
      errors: [{ line: 7, column: 15, message: 'blocks the event loop of `main()`' }],
    },
    {
      name: 'through a wrapper method',
      code: header + py`
        class Bridge:
            def call(self, coro):
                return asyncio.run_coroutine_threadsafe(coro, loop)
        async def main(bridge: Bridge):
            b = Bridge()
            return b.call(work()).result(1)
      `,
      errors: [{ line: 10, column: 26 }],
    },
  ],
});

// A future already awaited through asyncio.wrap_future is done: result() returns at once and blocks nothing.
ruleTester('HANG003', {
  valid: [
    {
      name: 'result() after await asyncio.wrap_future(fut)',
      code: 'import asyncio\nloop = asyncio.new_event_loop()\nasync def work():\n    return 1\nasync def bridge():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    await asyncio.wrap_future(fut)\n    return fut.result()\n',
    },
  ],
  invalid: [
    {
      name: 'a helper coroutine blocking on a future its caller passes (related: the caller)',
      files: {
        'jobs/__init__.py': '',
        'jobs/wait.py': 'async def finish(fut):\n    return fut.result(timeout=5)\n',
        'jobs/run.py': 'import asyncio\nfrom .wait import finish\nloop = asyncio.new_event_loop()\nasync def work():\n    return 1\nasync def main():\n    await finish(asyncio.run_coroutine_threadsafe(work(), loop))\n',
      },
      errors: [{ file: 'jobs/wait.py', line: 2, column: 15, related: 1 }],
    },
  ],
});
