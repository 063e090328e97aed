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

// Waits handed to APIs that call them: in this thread (map, sorted, a context) they block the loop; in another they do not.
ruleTester('HANG003', {
  valid: [
    {
      name: 'fut.result run in a worker thread by to_thread, run_in_executor or an executor',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        async def relay():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            await asyncio.to_thread(fut.result, 5)
            await asyncio.get_running_loop().run_in_executor(pool, fut.result, 5)
            return await asyncio.wrap_future(pool.submit(fut.exception, 5))
      `,
    },
    {
      name: 'a lambda over futures mapped in a sync function',
      code: header + py`
        def collect(futs):
            return list(map(lambda f: f.result(timeout=5), futs))
        async def main():
            await asyncio.to_thread(collect, [asyncio.run_coroutine_threadsafe(work(), loop)])
      `,
    },
  ],
  invalid: [
    {
      name: 'lambdas mapped or used as a sort key inside a coroutine, and a context run there',
      code: header + py`
        import contextvars
        async def gather_all(n):
            futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(n)]
            values = list(map(lambda f: f.result(timeout=5), futs))
            ranked = sorted(futs, key=lambda f: f.result(timeout=5))
            contextvars.copy_context().run(ranked[0].result, 5)
            return values
      `,
      errors: [
        { line: 8, column: 34, message: '`f.result()` blocks the event loop of `gather_all()`' },
        { line: 9, column: 42 },
        { line: 10, column: 45, message: '`ranked[0].result` blocks the event loop' },
      ],
    },
  ],
});

// After asyncio.wait: a future known done returns at once; one that may still be pending blocks the loop.
ruleTester('HANG003', {
  valid: [
    {
      name: 'result() of a wrapped future in the done set, or after an unbounded asyncio.wait',
      code: header + py`
        async def relay():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            wrapped = asyncio.wrap_future(fut)
            done, pending = await asyncio.wait({wrapped}, timeout=5)
            if wrapped in done:
                return fut.result()
            wrapped.cancel()
        async def all_of(futs):
            other = asyncio.run_coroutine_threadsafe(work(), loop)
            await asyncio.wait([asyncio.wrap_future(other)])
            return other.exception()
      `,
    },
  ],
  invalid: [
    {
      name: 'result() after a bounded asyncio.wait, outside the done check',
      code: header + py`
        async def relay():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            wrapped = asyncio.wrap_future(fut)
            done, pending = await asyncio.wait({wrapped}, timeout=5)
            if wrapped in pending:
                print("still running")
            return fut.result()
      `,
      errors: [{ line: 11, column: 15, message: '`fut.result()` blocks the event loop of `relay()`' }],
    },
  ],
});
