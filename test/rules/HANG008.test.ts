import { py, ruleTester } from '../rule-tester.js';

const header = py`
  import asyncio
  import concurrent.futures
  import threading
  import time
  loop = asyncio.new_event_loop()
  threading.Thread(target=loop.run_forever, daemon=True).start()
  async def work():
      return 1
`;
/** Line numbers below count from the first line after the header. */
const at = (line: number) => line + header.split('\n').length - 1;

ruleTester('HANG008', {
  valid: [
    {
      name: 'a deadline in the condition',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        deadline = time.monotonic() + 10
        while not fut.done() and time.monotonic() < deadline:
            time.sleep(0.1)
      `,
    },
    {
      name: 'a counter bound in the body',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        attempts = 0
        while not fut.done():
            attempts += 1
            if attempts > 50:
                break
            time.sleep(0.1)
      `,
    },
    {
      name: 'a break on elapsed time in a while True poll',
      code: header + py`
        def wait_for(fut, limit):
            started = time.monotonic()
            while True:
                if fut.done():
                    return fut.result()
                if time.monotonic() - started > limit:
                    raise TimeoutError("loop did not answer")
                time.sleep(0.05)
        wait_for(asyncio.run_coroutine_threadsafe(work(), loop), 5)
      `,
    },
    {
      name: 'a stop flag is another way out',
      code: header + py`
        stop = threading.Event()
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        while not fut.done():
            if stop.is_set():
                return_value = None
                break
            stop.wait(0.1)
      `,
    },
    {
      name: 'a for loop bounds the retries',
      code: header + py`
        def ask():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            for _ in range(5):
                try:
                    return fut.result(timeout=1)
                except concurrent.futures.TimeoutError:
                    continue
            fut.cancel()
            raise TimeoutError
      `,
    },
    {
      name: 'while fut.running() ends at once: these futures are never running',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        while fut.running():
            time.sleep(0.1)
      `,
    },
    {
      name: 'an executor future is completed by its worker thread',
      code: py`
        import time
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        fut = pool.submit(time.sleep, 1)
        while not fut.done():
            time.sleep(0.1)
        futs = [pool.submit(print, i) for i in range(3)]
        while not all(f.done() for f in futs):
            time.sleep(0.1)
      `,
    },
    {
      name: 'a future already known done before the loop',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        if fut.done():
            while not fut.done():
                time.sleep(0.1)
      `,
    },
    {
      name: 'an unknown object with a done() method',
      code: py`
        import time
        def drain(job):
            while not job.done():
                time.sleep(0.1)
      `,
    },
    {
      name: 'the break belongs to an inner for loop, the while has a deadline',
      code: header + py`
        futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for f in futs:
                if f.done():
                    break
            time.sleep(0.1)
      `,
    },
    {
      name: 'draining look-alikes: pop() takes each future once, a removal with no done() check, executor futures',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        def pop_each():
            pending = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]
            while pending:
                print(pending.pop().result(timeout=5))
        def remove_each():
            pending = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]
            while pending:
                for f in list(pending):
                    print(f.result(timeout=1))
                    pending.remove(f)
        def on_executor():
            with ThreadPoolExecutor() as pool:
                pending = [pool.submit(print, i) for i in range(3)]
                while pending:
                    pending = [f for f in pending if not f.done()]
                    time.sleep(0.1)
      `,
    },
    {
      name: 'a drain with a deadline in the condition, and a wait retry with a timed break',
      code: header + py`
        def drain(futs):
            pending = set(futs)
            deadline = time.monotonic() + 30
            while pending and time.monotonic() < deadline:
                done, pending = concurrent.futures.wait(pending, timeout=1)
        def retry():
            futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]
            start = time.monotonic()
            while True:
                done, not_done = concurrent.futures.wait(futs, timeout=1)
                if not not_done or time.monotonic() - start > 60:
                    break
        drain([asyncio.run_coroutine_threadsafe(work(), loop)])
      `,
    },
    {
      name: 'itertools.count with a counter bound, itertools.repeat with times',
      code: header + py`
        import itertools
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        for attempt in itertools.count(1):
            if fut.done() or attempt > 100:
                break
            time.sleep(0.1)
        for _ in itertools.repeat(None, 50):
            if fut.done():
                break
            time.sleep(0.1)
      `,
    },
  ],
  invalid: [
    {
      name: 'while pending: removing the futures found done (a list)',
      code: header + py`
        def gather_results(coros):
            pending = [asyncio.run_coroutine_threadsafe(c, loop) for c in coros]
            results = []
            while pending:
                for f in list(pending):
                    if f.done():
                        results.append(f.result())
                        pending.remove(f)
                time.sleep(0.1)
            return results
      `,
      errors: [{ line: at(4), column: 5, message: '`while pending` polls a run_coroutine_threadsafe future with no deadline' }],
    },
    {
      name: 'while pending: a set, done ones subtracted; a continue before the removal; a filtered rebinding',
      code: header + py`
        def drain_set(futs):
            pending = set(futs)
            while len(pending) > 0:
                done = {f for f in pending if f.done()}
                pending -= done
                time.sleep(0.5)
        def drain_continue(futs):
            pending = list(futs)
            while pending:
                for f in pending[:]:
                    if not f.done():
                        continue
                    pending.remove(f)
        def drain_filter(futs):
            pending = futs
            while pending:
                pending = [f for f in pending if not f.done()]
                time.sleep(0.1)
        futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]
        drain_set(futs)
        drain_continue(futs)
        drain_filter(futs)
      `,
      errors: [
        { line: at(3), column: 5, message: '`while len(pending) > 0`' },
        { line: at(9), column: 5, message: '`while pending`' },
        { line: at(16), column: 5, message: '`while pending`' },
      ],
    },
    {
      name: 'for _ in itertools.count(): polling until done, imported by name',
      code: header + py`
        from itertools import count
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        for _ in count():
            if fut.done():
                break
            time.sleep(0.1)
      `,
      errors: [{ line: at(3), column: 1, endLine: at(3), endColumn: 17, message: '`for _ in count()` polls a run_coroutine_threadsafe future' }],
    },
    {
      name: 'retrying concurrent.futures.wait with a timeout until nothing is left',
      code: header + py`
        from concurrent.futures import wait
        def all_results(futs):
            while True:
                done, not_done = wait(futs, timeout=5)
                if not not_done:
                    break
                print(f"{len(not_done)} still running")
            return [f.result() for f in futs]
        def drain(futs):
            not_done = set(futs)
            while not_done:
                done, not_done = concurrent.futures.wait(not_done, timeout=5)
        all_results([asyncio.run_coroutine_threadsafe(work(), loop)])
        drain([asyncio.run_coroutine_threadsafe(work(), loop)])
      `,
      errors: [
        { line: at(3), column: 5, message: '`while True`' },
        { line: at(11), column: 5, message: '`while not_done`' },
      ],
    },
    {
      name: 'retrying result(timeout=...) on TimeoutError, a module alias of the exception',
      code: header + py`
        from concurrent.futures import TimeoutError as FutureTimeout
        def fetch():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            while True:
                try:
                    return fut.result(timeout=1)
                except FutureTimeout:
                    print("still waiting")
      `,
      errors: [{ line: at(4), column: 5, message: '`while True`' }],
    },
    {
      name: 'while not fut.done(): sleep',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        while not fut.done():
            time.sleep(0.1)
        print(fut.result())
      `,
      errors: [{ line: at(2), column: 1, endLine: at(2), endColumn: 21, message: '`while not fut.done()` polls a run_coroutine_threadsafe future' }],
    },
    {
      name: 'while not all(f.done() for f in futs)',
      code: header + py`
        def gather_blocking(coros):
            futs = [asyncio.run_coroutine_threadsafe(c, loop) for c in coros]
            while not all(f.done() for f in futs):
                time.sleep(0.05)
            return [f.result() for f in futs]
      `,
      errors: [{ line: at(3), column: 5 }],
    },
    {
      name: 'while any(not f.done() ...) over a dict of futures',
      code: header + py`
        def fan_out(jobs):
            pending = {name: asyncio.run_coroutine_threadsafe(work(), loop) for name in jobs}
            while any(not f.done() for f in pending.values()):
                time.sleep(0.2)
            return {name: f.result() for name, f in pending.items()}
      `,
      errors: [{ line: at(3), column: 5 }],
    },
    {
      name: 'while True with a break once done',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        while True:
            if fut.done():
                break
            time.sleep(0.1)
      `,
      errors: [{ line: at(2), column: 1, message: '`while True`' }],
    },
    {
      name: 'a retry loop around result(timeout=...)',
      code: header + py`
        def ask():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            while True:
                try:
                    return fut.result(timeout=1)
                except concurrent.futures.TimeoutError:
                    print("still waiting")
      `,
      errors: [{ line: at(3), column: 5 }],
    },
    {
      name: 'done() compared with False, in a coroutine that sleeps between polls',
      code: header + py`
        async def relay(other_loop):
            fut = asyncio.run_coroutine_threadsafe(work(), other_loop)
            while fut.done() is False:
                await asyncio.sleep(0.1)
            return fut.result()
      `,
      errors: [{ line: at(3), column: 5, message: '`while fut.done() is False`' }],
    },
    {
      name: 'a method polling self.fut, set in another method',
      code: header + py`
        class Bridge:
            def start(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def join(self):
                while not self.fut.done():
                    time.sleep(0.1)
                return self.fut.result()
      `,
      errors: [{ line: at(5), column: 9 }],
    },
    {
      name: 'a loop whose flag check also waits for the future (any way out shows it done)',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        while not fut.done():
            if fut.done():
                break
            time.sleep(0.1)
      `,
      errors: [{ line: at(2), column: 1 }],
    },
    {
      name: 'a wrapper in another module returns the future',
      files: {
        'bridge.py': py`
          import asyncio
          LOOP = asyncio.new_event_loop()
          def submit(coro):
              return asyncio.run_coroutine_threadsafe(coro, LOOP)
        `,
        'client.py': py`
          import time
          from bridge import submit
          async def fetch():
              return 1
          def fetch_blocking():
              fut = submit(fetch())
              while not fut.done():
                  time.sleep(0.1)
              return fut.result()
        `,
      },
      errors: [{ file: 'client.py', line: 7, column: 5 }],
    },
  ],
});

// HANG008 reports the loop; HANG001 stays silent on the result() after it, as it was before HANG008.
ruleTester('HANG001', {
  valid: [
    {
      name: 'result() after a done() poll is HANG008, not HANG001',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        while not fut.done():
            time.sleep(0.1)
        print(fut.result())
      `,
    },
  ],
  invalid: [],
});
