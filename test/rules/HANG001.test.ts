import { fixtureFiles, py, ruleTester } from '../rule-tester.js';

const header = py`
  import asyncio
  import threading
  loop = asyncio.new_event_loop()
  threading.Thread(target=loop.run_forever, daemon=True).start()
  async def work():
      return 1
`;
/** Line numbers below count from the first line after the header. */
const at = (line: number) => line + header.split('\n').length - 1;

ruleTester('HANG001', {
  valid: [
    { name: 'a timeout keyword', code: header + 'asyncio.run_coroutine_threadsafe(work(), loop).result(timeout=5)\n' },
    { name: 'a positional timeout', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(5)\n' },
    { name: 'a timeout from a variable', code: header + 'T = 3\nfut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.exception(timeout=T)\n' },
    {
      name: 'an executor future is another kind of future',
      code: py`
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        fut = pool.submit(print, 1)
        fut.result()
      `,
    },
    { name: 'an asyncio task', code: header + 'async def main():\n    t = asyncio.ensure_future(work())\n    t.result()\n' },
    { name: 'an unknown object', code: 'def f(obj):\n    return obj.result()\n' },
    {
      name: 'a name rebound to an executor future',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        fut.result(timeout=1)
        fut = ThreadPoolExecutor().submit(print)
        fut.result()
      `,
    },
    { name: 'inside a lambda passed to add_done_callback', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.add_done_callback(lambda f: print(fut.result()))\n' },
    {
      name: 'inside a named function passed to add_done_callback',
      code: header + py`
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        def on_done(_):
            print(fut.exception())
        fut.add_done_callback(on_done)
      `,
    },
    {
      name: 'inside a method passed to add_done_callback through functools.partial',
      code: header + py`
        import functools
        class Client:
            def start(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
                self.fut.add_done_callback(functools.partial(self.finished, 1))
            def finished(self, tag, _):
                return self.fut.result()
      `,
    },
    { name: 'guarded by if fut.done()', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nif fut.done():\n    print(fut.result())\n' },
    { name: 'guarded by an early return', code: header + 'def f():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    if not fut.done():\n        return None\n    return fut.result()\n' },
    { name: 'guarded by and', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nx = fut.done() and fut.result()\n' },
    { name: 'after a while-not-done loop', code: header + 'import time\nfut = asyncio.run_coroutine_threadsafe(work(), loop)\nwhile not fut.done():\n    time.sleep(0.1)\nfut.result()\n' },
    {
      // The loop is HANG008's (it polls with no deadline); the wait after it finds the future done.
      name: 'after a while-True loop whose only way out is a break on done()',
      code: py`
        import asyncio, itertools, time
        def poll(coro, loop):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            while True:
                if fut.done():
                    break
                time.sleep(0.05)
            return fut.result()
        def poll_forever(coro, loop):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            for attempt in itertools.count():
                if fut.done():
                    break
                time.sleep(0.05)
            return fut.result()
      `,
    },
    { name: 'after a bounded wait returned', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(timeout=10)\nprint(fut.result())\n' },
    { name: 'wait with a timeout', code: header + 'import concurrent.futures\nfs = [asyncio.run_coroutine_threadsafe(work(), loop)]\nconcurrent.futures.wait(fs, timeout=10)\n' },
    { name: 'as_completed with a timeout', code: header + 'from concurrent.futures import as_completed\nfs = [asyncio.run_coroutine_threadsafe(work(), loop)]\nfor f in as_completed(fs, 10):\n    f.result()\n' },
    { name: 'results of as_completed are done', code: header + 'from concurrent.futures import as_completed\nfs = [asyncio.run_coroutine_threadsafe(work(), loop)]\nfor f in as_completed(fs, timeout=5):\n    print(f.result())\n' },
    { name: 'wait over executor futures', code: 'import concurrent.futures as cf\npool = cf.ThreadPoolExecutor()\nfs = [pool.submit(print) for _ in range(3)]\ncf.wait(fs)\n' },
    { name: 'a local function named like asyncio is not asyncio', code: 'def run_coroutine_threadsafe(c, l):\n    return c\nrun_coroutine_threadsafe(1, 2).result()\n' },
    { name: 'a shadowed module name', code: 'asyncio = object()\nasyncio.run_coroutine_threadsafe(1, 2).result()\n' },
    {
      name: 'a self attribute rebound only to an executor future',
      code: py`
        from concurrent.futures import ThreadPoolExecutor
        class C:
            def start(self):
                self.fut = ThreadPoolExecutor().submit(print)
            def wait(self):
                return self.fut.result()
      `,
    },
    { name: 'a wrapper that returns something else', code: header + 'def submit(coro):\n    asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=1)\n    return 42\nsubmit(work()).result()\n' },
  ],
  invalid: [
    {
      // A way out that does not need the future done: the wait after it may block.
      name: 'after a while-True loop that can also break on a counter',
      code: py`
        import asyncio, time
        def poll(coro, loop):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            tries = 0
            while True:
                if fut.done() or tries > 100:
                    break
                tries += 1
                time.sleep(0.05)
            return fut.result()
      `,
      output: py`
        import asyncio, time
        def poll(coro, loop):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            tries = 0
            while True:
                if fut.done() or tries > 100:
                    break
                tries += 1
                time.sleep(0.05)
            return fut.result(timeout=30)
      `,
      errors: [{ line: 10, column: 15, messageId: 'method' }],
    },
    {
      name: 'result() with no timeout (the bug report)',
      code: header + 'future = asyncio.run_coroutine_threadsafe(work(), loop)\nprint(future.result())\n',
      output: header + 'future = asyncio.run_coroutine_threadsafe(work(), loop)\nprint(future.result(timeout=30))\n',
      errors: [{ line: at(2), column: 13, endColumn: 22, messageId: 'method', severity: 'error', message: 'future.result()' }],
    },
    { name: 'exception() with no timeout', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.exception()\n', output: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.exception(timeout=30)\n', errors: [{ line: at(2), column: 4 }] },
    { name: 'timeout=None', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(timeout=None)\n', output: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(timeout=30)\n', errors: [{ line: at(2), column: 4 }] },
    { name: 'positional None', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(None)\n', output: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(30)\n', errors: [{ line: at(2), column: 4 }] },
    { name: 'chained on the call', code: header + 'asyncio.run_coroutine_threadsafe(work(), loop).result()\n', output: header + 'asyncio.run_coroutine_threadsafe(work(), loop).result(timeout=30)\n', errors: [{ line: at(1), column: 47 }] },
    { name: 'import asyncio as aio', code: 'import asyncio as aio\nfut = aio.run_coroutine_threadsafe(None, None)\nfut.result()\n', output: 'import asyncio as aio\nfut = aio.run_coroutine_threadsafe(None, None)\nfut.result(timeout=30)\n', errors: [{ line: 3, column: 4 }] },
    { name: 'from asyncio import run_coroutine_threadsafe', code: 'from asyncio import run_coroutine_threadsafe\nrun_coroutine_threadsafe(None, None).result()\n', output: 'from asyncio import run_coroutine_threadsafe\nrun_coroutine_threadsafe(None, None).result(timeout=30)\n', errors: [{ line: 2, column: 37 }] },
    { name: 'from asyncio import run_coroutine_threadsafe as alias', code: 'from asyncio import run_coroutine_threadsafe as submit\nf = submit(None, None)\nf.result()\n', output: 'from asyncio import run_coroutine_threadsafe as submit\nf = submit(None, None)\nf.result(timeout=30)\n', errors: [{ line: 3, column: 2 }] },
    { name: 'from asyncio import tasks', code: 'from asyncio import tasks\nf = tasks.run_coroutine_threadsafe(None, None)\nf.result()\n', output: 'from asyncio import tasks\nf = tasks.run_coroutine_threadsafe(None, None)\nf.result(timeout=30)\n', errors: [{ line: 3, column: 2 }] },
    { name: 'from asyncio.tasks import run_coroutine_threadsafe', code: 'from asyncio.tasks import run_coroutine_threadsafe\nf = run_coroutine_threadsafe(None, None)\nf.result()\n', output: 'from asyncio.tasks import run_coroutine_threadsafe\nf = run_coroutine_threadsafe(None, None)\nf.result(timeout=30)\n', errors: [{ line: 3, column: 2 }] },
    { name: 'an import inside the function', code: 'def f(c, l):\n    import asyncio\n    return asyncio.run_coroutine_threadsafe(c, l).result()\n', output: 'def f(c, l):\n    import asyncio\n    return asyncio.run_coroutine_threadsafe(c, l).result(timeout=30)\n', errors: [{ line: 3, column: 50 }] },
    {
      name: 'a name rebound from an executor future to a threadsafe one',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        fut = ThreadPoolExecutor().submit(print)
        fut.result()
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        fut.result()
      `,
      output: header + py`
        from concurrent.futures import ThreadPoolExecutor
        fut = ThreadPoolExecutor().submit(print)
        fut.result()
        fut = asyncio.run_coroutine_threadsafe(work(), loop)
        fut.result(timeout=30)
      `,
      errors: [{ line: at(5), column: 4 }],
    },
    { name: 'a walrus', code: header + 'if (fut := asyncio.run_coroutine_threadsafe(work(), loop)) is not None:\n    fut.result()\n', output: header + 'if (fut := asyncio.run_coroutine_threadsafe(work(), loop)) is not None:\n    fut.result(timeout=30)\n', errors: [{ line: at(2), column: 8 }] },
    {
      name: 'self.attr set in one method, waited in another',
      code: header + py`
        class Client:
            def start(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def wait(self):
                return self.fut.result()
      `,
      output: header + py`
        class Client:
            def start(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def wait(self):
                return self.fut.result(timeout=30)
      `,
      errors: [{ line: at(5), column: 24 }],
    },
    {
      name: 'a self attribute set through an instance method of a subclass',
      code: header + py`
        class Base:
            def start(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
        class Child(Base):
            def wait(self):
                return self.fut.result()
      `,
      output: header + py`
        class Base:
            def start(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
        class Child(Base):
            def wait(self):
                return self.fut.result(timeout=30)
      `,
      errors: [{ line: at(6), column: 24 }],
    },
    {
      name: 'a list built by a comprehension, iterated',
      code: header + 'futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]\nfor f in futs:\n    f.result()\n',
      output: header + 'futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(3)]\nfor f in futs:\n    f.result(timeout=30)\n',
      errors: [{ line: at(3), column: 6 }],
    },
    {
      name: 'a list built with append, indexed',
      code: header + 'futs = []\nfor _ in range(3):\n    futs.append(asyncio.run_coroutine_threadsafe(work(), loop))\nfuts[0].result()\n',
      output: header + 'futs = []\nfor _ in range(3):\n    futs.append(asyncio.run_coroutine_threadsafe(work(), loop))\nfuts[0].result(timeout=30)\n',
      errors: [{ line: at(4), column: 8 }],
    },
    {
      name: 'enumerate and dict values',
      code: header + py`
        futs = {name: asyncio.run_coroutine_threadsafe(work(), loop) for name in "ab"}
        for i, f in enumerate(futs.values()):
            f.result()
        for name, f in futs.items():
            f.exception()
      `,
      output: header + py`
        futs = {name: asyncio.run_coroutine_threadsafe(work(), loop) for name in "ab"}
        for i, f in enumerate(futs.values()):
            f.result(timeout=30)
        for name, f in futs.items():
            f.exception(timeout=30)
      `,
      errors: [{ line: at(3), column: 6 }, { line: at(5), column: 6 }],
    },
    {
      name: 'a dict comprehension of wrapper results, iterated with items() and values()',
      code: header + py`
        def call_in_loop(coro):
            return asyncio.run_coroutine_threadsafe(coro, loop)
        pending = {name: call_in_loop(work()) for name in "ab"}
        for name, f in pending.items():
            f.exception()
        for f in pending.values():
            f.result()
      `,
      output: header + py`
        def call_in_loop(coro):
            return asyncio.run_coroutine_threadsafe(coro, loop)
        pending = {name: call_in_loop(work()) for name in "ab"}
        for name, f in pending.items():
            f.exception(timeout=30)
        for f in pending.values():
            f.result(timeout=30)
      `,
      errors: [{ line: at(5), column: 6 }, { line: at(7), column: 6 }],
    },
    {
      name: 'a dict filled by subscript assignment with wrapper results',
      code: header + py`
        def call_in_loop(coro):
            return asyncio.run_coroutine_threadsafe(coro, loop)
        pending = {}
        pending["a"] = call_in_loop(work())
        pending["a"].result()
      `,
      output: header + py`
        def call_in_loop(coro):
            return asyncio.run_coroutine_threadsafe(coro, loop)
        pending = {}
        pending["a"] = call_in_loop(work())
        pending["a"].result(timeout=30)
      `,
      errors: [{ line: at(5), column: 13 }],
    },
    {
      name: 'a module-local wrapper',
      code: header + py`
        def call_in_loop(coro):
            return asyncio.run_coroutine_threadsafe(coro, loop)
        def ping():
            return call_in_loop(work()).result()
      `,
      output: header + py`
        def call_in_loop(coro):
            return asyncio.run_coroutine_threadsafe(coro, loop)
        def ping():
            return call_in_loop(work()).result(timeout=30)
      `,
      errors: [{ line: at(4), column: 32 }],
    },
    {
      name: 'a wrapper method on a helper object',
      code: header + py`
        class LoopThread:
            def submit(self, coro):
                return asyncio.run_coroutine_threadsafe(coro, loop)
        runner = LoopThread()
        def ping():
            return runner.submit(work()).result()
      `,
      output: header + py`
        class LoopThread:
            def submit(self, coro):
                return asyncio.run_coroutine_threadsafe(coro, loop)
        runner = LoopThread()
        def ping():
            return runner.submit(work()).result(timeout=30)
      `,
      errors: [{ line: at(6), column: 33 }],
    },
    {
      name: 'a module-level future used in a function',
      code: header + 'FUT = asyncio.run_coroutine_threadsafe(work(), loop)\ndef get():\n    return FUT.result()\n',
      output: header + 'FUT = asyncio.run_coroutine_threadsafe(work(), loop)\ndef get():\n    return FUT.result(timeout=30)\n',
      errors: [{ line: at(3), column: 15 }],
    },
    {
      name: 'a closure over a future',
      code: header + 'def outer():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    def inner():\n        return fut.result()\n    return inner\n',
      output: header + 'def outer():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    def inner():\n        return fut.result(timeout=30)\n    return inner\n',
      errors: [{ line: at(4), column: 19 }],
    },
    {
      name: 'concurrent.futures.wait without a timeout',
      code: header + 'import concurrent.futures\nfs = [asyncio.run_coroutine_threadsafe(work(), loop)]\nconcurrent.futures.wait(fs)\n',
      errors: [{ line: at(3), column: 1, messageId: 'function' }],
    },
    {
      name: 'as_completed with timeout=None',
      code: header + 'from concurrent.futures import as_completed\nfs = {asyncio.run_coroutine_threadsafe(work(), loop) for _ in range(2)}\nfor f in as_completed(fs, timeout=None):\n    pass\n',
      errors: [{ line: at(3), column: 10, messageId: 'function' }],
    },
    {
      name: 'a done() guard on another future does not count',
      code: header + 'a = asyncio.run_coroutine_threadsafe(work(), loop)\nb = asyncio.run_coroutine_threadsafe(work(), loop)\nif a.done():\n    b.result()\n',
      output: header + 'a = asyncio.run_coroutine_threadsafe(work(), loop)\nb = asyncio.run_coroutine_threadsafe(work(), loop)\nif a.done():\n    b.result(timeout=30)\n',
      errors: [{ line: at(4), column: 6 }],
    },
    {
      name: 'in the else branch of a done() guard',
      code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nif fut.done():\n    pass\nelse:\n    fut.result()\n',
      output: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nif fut.done():\n    pass\nelse:\n    fut.result(timeout=30)\n',
      errors: [{ line: at(5), column: 8 }],
    },
    {
      name: 'a lambda that is not a done-callback',
      code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nthreading.Thread(target=lambda: fut.result()).start()\n',
      output: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nthreading.Thread(target=lambda: fut.result(timeout=30)).start()\n',
      errors: [{ line: at(2), column: 36 }],
    },
    {
      name: 'a future returned by one branch',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        def get(flag):
            fut = asyncio.run_coroutine_threadsafe(work(), loop) if flag else ThreadPoolExecutor().submit(print)
            return fut.result()
      `,
      output: header + py`
        from concurrent.futures import ThreadPoolExecutor
        def get(flag):
            fut = asyncio.run_coroutine_threadsafe(work(), loop) if flag else ThreadPoolExecutor().submit(print)
            return fut.result(timeout=30)
      `,
      errors: [{ line: at(4), column: 15 }],
    },
    {
      name: 'a multi-line call is reported from the dot to the closing parenthesis',
      code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(\n    timeout=None,\n)\n',
      output: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result(\n    timeout=30,\n)\n',
      errors: [{ line: at(2), column: 4, endLine: at(4), endColumn: 2 }],
    },
  ],
});

// Python names that are also properties of JavaScript objects must be ordinary names to pyhang.
ruleTester('HANG001', {
  valid: [
    { name: 'names like constructor, __proto__ and toString', code: 'class constructor:\n    __proto__ = 1\n    def toString(self):\n        hasOwnProperty = self.__proto__\n        return hasOwnProperty\nconstructor().toString()\n' },
  ],
  invalid: [
    {
      name: 'a future held under such names',
      code: 'import asyncio\nclass constructor:\n    def __proto__(self, coro, loop):\n        self.toString = asyncio.run_coroutine_threadsafe(coro, loop)\n    def valueOf(self):\n        return self.toString.result()\n',
      output: 'import asyncio\nclass constructor:\n    def __proto__(self, coro, loop):\n        self.toString = asyncio.run_coroutine_threadsafe(coro, loop)\n    def valueOf(self):\n        return self.toString.result(timeout=30)\n',
      errors: [{ line: 6, column: 29 }],
    },
  ],
});

// Scripts in different folders share a module name; each must be analysed on its own terms.
ruleTester('HANG001', {
  valid: [],
  invalid: [
    {
      name: 'two scripts named alike: the wrapper of one is not the helper of the other',
      files: {
        'tools/main.py': 'import asyncio\nloop = asyncio.new_event_loop()\ndef submit(coro):\n    return asyncio.run_coroutine_threadsafe(coro, loop)\nsubmit(None).result()\n',
        'scripts/main.py': 'from concurrent.futures import ThreadPoolExecutor\ndef submit(fn):\n    return ThreadPoolExecutor().submit(fn)\nsubmit(print).result()\n',
        'other/main.py': 'import asyncio\nloop = asyncio.new_event_loop()\nasyncio.run_coroutine_threadsafe(None, loop).result()\n',
      },
      output: {
        'tools/main.py': 'import asyncio\nloop = asyncio.new_event_loop()\ndef submit(coro):\n    return asyncio.run_coroutine_threadsafe(coro, loop)\nsubmit(None).result(timeout=30)\n',
        'other/main.py': 'import asyncio\nloop = asyncio.new_event_loop()\nasyncio.run_coroutine_threadsafe(None, loop).result(timeout=30)\n',
      },
      errors: [
        { file: 'other/main.py', line: 3, column: 45 },
        { file: 'tools/main.py', line: 5, column: 13 },
      ],
    },
  ],
});

// A package that re-exports a wrapper mentions neither asyncio nor a call of it: the wait is still found.
ruleTester('HANG001', {
  valid: [
    {
      name: 'a package re-exporting a wrapper, waited on with a timeout',
      files: {
        'svc/__init__.py': 'from .bridge import call_in_loop\n',
        'svc/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'client.py': 'from svc import call_in_loop\nasync def work():\n    return 1\ndef ask():\n    return call_in_loop(work()).result(timeout=5)\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a wrapper re-exported by name in a package',
      files: {
        'svc/__init__.py': 'from .bridge import call_in_loop\n',
        'svc/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'client.py': 'from svc import call_in_loop\nasync def work():\n    return 1\ndef ask():\n    return call_in_loop(work()).result()\n',
      },
      output: {
        'client.py': 'from svc import call_in_loop\nasync def work():\n    return 1\ndef ask():\n    return call_in_loop(work()).result(timeout=30)\n',
      },
      errors: [{ file: 'client.py', line: 5, column: 32 }],
    },
    {
      name: 'a wrapper re-exported by a star import, used as an attribute of the package',
      files: {
        'svc/__init__.py': 'from .util import *\nfrom .bridge import *\n',
        'svc/util.py': '__all__ = ["helper"]\ndef helper(x):\n    return x\n',
        'svc/bridge.py': 'import asyncio\n__all__ = ["call_in_loop"]\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'client.py': 'import svc\nasync def work():\n    return 1\ndef ask():\n    return svc.call_in_loop(work()).result()\n',
      },
      output: {
        'client.py': 'import svc\nasync def work():\n    return 1\ndef ask():\n    return svc.call_in_loop(work()).result(timeout=30)\n',
      },
      errors: [{ file: 'client.py', line: 5, column: 36 }],
    },
  ],
});

// functools.partial of run_coroutine_threadsafe: calling the partial submits, and returns a threadsafe future.
ruleTester('HANG001', {
  valid: [
    {
      name: 'a partial of run_coroutine_threadsafe waited on with a timeout, and a partial of an executor submit',
      files: fixtureFiles('partial-bot', {
        'bot/loopthread.py': fixtureFiles('partial-bot')['bot/loopthread.py']!.replace('self._submit(coro).result()', 'self._submit(coro).result(timeout=10)'),
        'bot/commands.py': 'from .loopthread import submit, offload\nasync def ping():\n    return 1\ndef ask():\n    offload().result()\n    return submit(ping()).result(timeout=5)\n',
      }),
    },
    {
      name: 'a partial of another function is that function',
      code: header + py`
        from functools import partial
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        run = partial(pool.submit, print)
        run("x").result()
        later = partial(loop.call_soon_threadsafe, print)
        later("x")
      `,
    },
    {
      name: 'a partial bound to the result of another call is not a partial of run_coroutine_threadsafe',
      code: header + py`
        import functools
        def make(coro, loop):
            return coro
        p = functools.partial(make, loop=loop)
        p(work()).result()
      `,
    },
  ],
  invalid: [
    {
      name: 'a module-level partial, an attribute set in __init__ and a local alias of partial (fixture project)',
      files: fixtureFiles('partial-bot'),
      output: {
        'bot/commands.py': fixtureFiles('partial-bot')['bot/commands.py']!.replace('submit(shutdown()).result()', 'submit(shutdown()).result(timeout=30)'),
        'bot/loopthread.py': fixtureFiles('partial-bot')['bot/loopthread.py']!.replace('self._submit(coro).result()', 'self._submit(coro).result(timeout=30)'),
      },
      errors: [
        { file: 'bot/commands.py', line: 16, column: 34, message: '`submit(shutdown()).result()`' },
        { file: 'bot/loopthread.py', line: 23, column: 34, message: '`self._submit(coro).result()`' },
      ],
    },
    {
      name: 'a local partial under an alias of functools.partial',
      code: header + py`
        from functools import partial as p
        def call(coro):
            run = p(asyncio.run_coroutine_threadsafe, loop=loop)
            fut = run(coro)
            return fut.result()
      `,
      output: header + py`
        from functools import partial as p
        def call(coro):
            run = p(asyncio.run_coroutine_threadsafe, loop=loop)
            fut = run(coro)
            return fut.result(timeout=30)
      `,
      errors: [{ line: at(5), column: 15 }],
    },
    {
      name: 'a partial binding the coroutine and the loop, called with nothing',
      code: header + py`
        import functools
        job = functools.partial(asyncio.run_coroutine_threadsafe, work(), loop)
        job().exception()
      `,
      output: header + py`
        import functools
        job = functools.partial(asyncio.run_coroutine_threadsafe, work(), loop)
        job().exception(timeout=30)
      `,
      errors: [{ line: at(3), column: 6 }],
    },
    {
      name: 'run_coroutine_threadsafe under another name, imported from another module',
      files: {
        'compat.py': 'import asyncio\nsubmit_to = asyncio.run_coroutine_threadsafe\n',
        'client.py': 'import asyncio\nfrom compat import submit_to\nasync def work():\n    return 1\ndef ask(loop):\n    return submit_to(work(), loop).result()\n',
      },
      output: { 'client.py': 'import asyncio\nfrom compat import submit_to\nasync def work():\n    return 1\ndef ask(loop):\n    return submit_to(work(), loop).result(timeout=30)\n' },
      errors: [{ file: 'client.py', line: 6, column: 35 }],
    },
  ],
});

// Unpacked arguments may carry the timeout: the reader of the code cannot tell, and neither can pyhang.
ruleTester('HANG001', {
  valid: [
    {
      name: 'a timeout that may be in **options or *args',
      code: header + py`
        import concurrent.futures
        class Client:
            def __init__(self, **options):
                self.options = options
            def call(self, coro, *args):
                fut = asyncio.run_coroutine_threadsafe(coro, loop)
                if args:
                    return fut.result(*args)
                return fut.result(**self.options)
            def gather(self, coros, **kw):
                fs = [asyncio.run_coroutine_threadsafe(c, loop) for c in coros]
                return concurrent.futures.wait(fs, **kw)
      `,
    },
  ],
  invalid: [
    {
      name: 'unpacked arguments next to an explicit timeout=None still wait without bound',
      code: header + 'def call(coro, **kw):\n    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=None, **kw)\n',
      output: header + 'def call(coro, **kw):\n    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30, **kw)\n',
      errors: [{ line: at(2), column: 56, message: '`asyncio.run_coroutine_threadsafe(coro, loop).result(...)` can block forever' }],
    },
  ],
});

// Argument-to-parameter flow: a helper waits on what its callers pass; the finding names the callers.
const helpers = fixtureFiles('helpers');
const withTimeouts = (text: string) => text.replace(/\.result\(\)/g, '.result(timeout=30)').replace(/\.exception\(\)/g, '.exception(timeout=30)');
ruleTester('HANG001', {
  valid: [
    {
      name: 'helpers only ever given executor futures, and a Bridge whose callers always pass a timeout',
      files: fixtureFiles('helpers', {
        'svc/app.py': py`
          from concurrent.futures import ThreadPoolExecutor
          from .bridge import Bridge
          from .waiting import Waiter, wait, wait_all
          async def ping():
              return 1
          pool = ThreadPoolExecutor()
          wait(pool.submit(print))
          wait_all([pool.submit(print)])
          Waiter(pool.submit(print)).join()
          Bridge().call(ping(), timeout=5)
          Bridge().call(ping(), 5)
        `,
        'svc/bridge.py': helpers['svc/bridge.py']!.replace('    timeout = None\n', '    timeout = 1\n'),
      }),
    },
    {
      name: 'a helper given an asyncio future from another loop',
      code: py`
        import asyncio
        def wait(fut):
            return fut.result()
        async def main():
            fut = asyncio.get_running_loop().create_future()
            fut.set_result(1)
            wait(fut)
      `,
    },
    {
      name: 'a parameter defaulting to None, narrowed before the wait',
      code: header + py`
        def call(coro, timeout=None):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            if timeout is not None:
                return fut.result(timeout)
            return fut.result(timeout=10)
        def call2(coro, timeout=None):
            timeout = timeout or 10
            return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)
        call(work())
        call2(work())
      `,
    },
    {
      name: 'a wrapper returning its parameter is read per call, not over every caller',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        def ensure(f):
            return f
        ensure(asyncio.run_coroutine_threadsafe(work(), loop)).result(timeout=5)
        ensure(ThreadPoolExecutor().submit(print)).result()
      `,
    },
  ],
  invalid: [
    {
      name: 'wait(fut), wait_all([fut]), Waiter(fut).join() and None timeouts across modules (fixture project)',
      files: helpers,
      output: {
        'svc/waiting.py': withTimeouts(helpers['svc/waiting.py']!),
      },
      errors: [
        { file: 'svc/bridge.py', line: 9, column: 19, severity: 'warning', messageId: 'timeoutMayBeNone', message: 'svc/app.py:26 leaves it out', related: 1 },
        { file: 'svc/bridge.py', line: 23, column: 15, severity: 'warning', messageId: 'timeoutMayBeNone', message: '`timeout` is set to None on line 19' },
        { file: 'svc/waiting.py', line: 5, column: 15, severity: 'error', related: 1 },
        { file: 'svc/waiting.py', line: 10, column: 10, severity: 'error', related: 1 },
        { file: 'svc/waiting.py', line: 18, column: 24, severity: 'error' },
      ],
    },
    {
      name: 'a helper in the same module, given a future by keyword',
      code: header + py`
        def settle(fut, label="job"):
            print(label)
            return fut.exception()
        settle(label="ping", fut=asyncio.run_coroutine_threadsafe(work(), loop))
      `,
      output: header + py`
        def settle(fut, label="job"):
            print(label)
            return fut.exception(timeout=30)
        settle(label="ping", fut=asyncio.run_coroutine_threadsafe(work(), loop))
      `,
      errors: [{ line: at(3), column: 15, related: 1 }],
    },
    {
      name: 'a local timeout set to None on one branch',
      code: header + py`
        import os
        def fetch():
            if os.environ.get("SLOW"):
                limit = None
            else:
                limit = 5
            return asyncio.run_coroutine_threadsafe(work(), loop).result(limit)
      `,
      errors: [{ line: at(7), column: 58, severity: 'warning', message: '`limit` is set to None on line 10' }],
    },
  ],
});

// Futures already known done: a wait that returned, an awaited wrap_future, membership in wait()'s done set.
ruleTester('HANG001', {
  valid: [
    {
      name: 'after await asyncio.wrap_future(fut)',
      code: header + 'async def bridge():\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    await asyncio.wrap_future(fut)\n    return fut.result()\n',
    },
    {
      name: 'a second exception() after a first one returned',
      code: header + py`
        import logging
        def check():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            if fut.exception(timeout=5) is not None:
                logging.error("failed", exc_info=fut.exception())
                return None
            return fut.result()
      `,
    },
    {
      name: 'if fut in done, after concurrent.futures.wait with a timeout',
      code: header + py`
        import concurrent.futures
        def collect():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            done, not_done = concurrent.futures.wait([fut], timeout=5)
            if fut in done:
                return fut.result()
            fut.cancel()
      `,
    },
  ],
  invalid: [
    {
      name: 'the name of the done set rebound first',
      code: header + py`
        from concurrent.futures import wait
        def collect():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            done, _ = wait([fut], timeout=5)
            done = {fut}
            if fut in done:
                return fut.result()
      `,
      output: header + py`
        from concurrent.futures import wait
        def collect():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            done, _ = wait([fut], timeout=5)
            done = {fut}
            if fut in done:
                return fut.result(timeout=30)
      `,
      errors: [{ line: at(7), column: 19 }],
    },
    {
      name: 'wrap_future of another future awaited',
      code: header + 'async def bridge(other):\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    await asyncio.wrap_future(other)\n    return fut.exception()\n',
      output: header + 'async def bridge(other):\n    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n    await asyncio.wrap_future(other)\n    return fut.exception(timeout=30)\n',
      errors: [{ line: at(4), column: 15 }],
    },
  ],
});

// Containers: (name, future) tuples in a list, unpacked in a for loop.
ruleTester('HANG001', {
  valid: [
    {
      name: 'tuples of names and executor futures; a list of tuples is not a list of futures for wait()',
      code: header + py`
        import concurrent.futures
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        jobs = [(n, pool.submit(print, n)) for n in range(3)]
        for name, fut in jobs:
            fut.result()
        pairs = [("a", asyncio.run_coroutine_threadsafe(work(), loop))]
        for name, fut in pairs:
            fut.result(timeout=5)
      `,
    },
  ],
  invalid: [
    {
      name: 'tuples appended to a list and built in a comprehension',
      code: header + py`
        def run(names):
            jobs = []
            for name in names:
                jobs.append((name, asyncio.run_coroutine_threadsafe(work(), loop)))
            for name, fut in jobs:
                print(name, fut.result())
            table = [(n, asyncio.run_coroutine_threadsafe(work(), loop)) for n in names]
            for _, f in table:
                f.exception()
      `,
      output: header + py`
        def run(names):
            jobs = []
            for name in names:
                jobs.append((name, asyncio.run_coroutine_threadsafe(work(), loop)))
            for name, fut in jobs:
                print(name, fut.result(timeout=30))
            table = [(n, asyncio.run_coroutine_threadsafe(work(), loop)) for n in names]
            for _, f in table:
                f.exception(timeout=30)
      `,
      errors: [
        { line: at(6), column: 24 },
        { line: at(9), column: 10 },
      ],
    },
  ],
});

// Futures' waits handed to APIs that call them: a thread, an executor, a context, map/filter/sorted.
ruleTester('HANG001', {
  valid: [
    {
      name: 'fut.result handed over with a timeout in args, kwargs or the following arguments',
      code: header + py`
        import contextvars
        import threading as th
        from concurrent.futures import ThreadPoolExecutor
        def watch():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            th.Thread(target=fut.result, args=(5,), daemon=True).start()
            th.Thread(target=fut.exception, kwargs={"timeout": 5}).start()
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(fut.result, timeout=5)
            contextvars.copy_context().run(fut.result, 5)
      `,
    },
    {
      name: 'an executor future handed to a thread, and look-alike methods that only store a callable',
      code: header + py`
        import threading
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        def watch(callbacks):
            job = pool.submit(print, "x")
            threading.Thread(target=job.result).start()
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            callbacks.append(fut.result)
            callbacks.register(fut.result)
            return fut.result(timeout=5)
      `,
    },
    {
      name: 'lambdas over futures that wait with a timeout, or only ask done()',
      code: header + py`
        def collect(names):
            futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in names]
            finished = list(filter(lambda f: f.done(), futs))
            values = list(map(lambda f: f.result(timeout=5), futs))
            ranked = sorted(names, key=lambda n: n.lower())
            return finished, values, ranked
      `,
    },
    {
      name: 'a lambda mapped over executor futures',
      code: py`
        from concurrent.futures import ThreadPoolExecutor
        pool = ThreadPoolExecutor()
        futs = [pool.submit(print, n) for n in range(3)]
        print(list(map(lambda f: f.result(), futs)))
      `,
    },
  ],
  invalid: [
    {
      name: 'fut.result handed to a thread, an executor, run_in_executor and a context',
      code: header + py`
        import contextvars
        from threading import Thread
        from concurrent.futures import ThreadPoolExecutor
        class Bridge:
            def __init__(self):
                self.pool = ThreadPoolExecutor()
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def watch(self):
                Thread(target=self.fut.result, daemon=True).start()
                self.pool.submit(self.fut.exception)
            async def relay(self):
                return await asyncio.get_running_loop().run_in_executor(None, self.fut.result)
        def in_context(fut):
            contextvars.copy_context().run(fut.result)
        in_context(asyncio.run_coroutine_threadsafe(work(), loop))
      `,
      errors: [
        { line: at(9), column: 31, message: '`self.fut.result` passed to `Thread` can block forever without a timeout' },
        { line: at(10), column: 34, message: '`self.fut.exception` passed to `self.pool.submit`' },
        { line: at(12), column: 79, message: 'passed to `run_in_executor`' },
        { line: at(14), column: 39, message: '`fut.result` passed to `run`', related: 1 },
      ],
    },
    {
      name: 'a helper run by a thread with the future in args, in another module',
      files: {
        'app/__init__.py': '',
        'app/waiting.py': py`
          def drain(fut, label):
              print(label, fut.result())
        `,
        'app/main.py': py`
          import asyncio
          import threading
          from app.waiting import drain
          loop = asyncio.new_event_loop()
          async def work():
              return 1
          def start():
              fut = asyncio.run_coroutine_threadsafe(work(), loop)
              threading.Thread(target=drain, args=(fut, "job")).start()
              asyncio.to_thread(drain, fut, label="again")
        `,
      },
      output: {
        'app/waiting.py': py`
          def drain(fut, label):
              print(label, fut.result(timeout=30))
        `,
      },
      errors: [{ file: 'app/waiting.py', line: 2, column: 21, related: 2 }],
    },
    {
      name: 'lambdas that wait, passed to map, an executor map and sorted',
      code: header + py`
        from concurrent.futures import ThreadPoolExecutor
        def collect(names):
            futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in names]
            values = list(map(lambda f: f.result(), futs))
            with ThreadPoolExecutor() as pool:
                errors = list(pool.map(lambda f: f.exception(), futs))
            return sorted(futs, key=lambda f: f.result()), values, errors
      `,
      output: header + py`
        from concurrent.futures import ThreadPoolExecutor
        def collect(names):
            futs = [asyncio.run_coroutine_threadsafe(work(), loop) for _ in names]
            values = list(map(lambda f: f.result(timeout=30), futs))
            with ThreadPoolExecutor() as pool:
                errors = list(pool.map(lambda f: f.exception(timeout=30), futs))
            return sorted(futs, key=lambda f: f.result(timeout=30)), values, errors
      `,
      errors: [
        { line: at(4), column: 34 },
        { line: at(6), column: 43 },
        { line: at(7), column: 40 },
      ],
    },
    {
      name: 'a property returning a stored future',
      code: header + py`
        class Job:
            def __init__(self, coro):
                self._fut = asyncio.run_coroutine_threadsafe(coro, loop)
            @property
            def value(self):
                return self._fut.result()
        print(Job(work()).value)
      `,
      output: header + py`
        class Job:
            def __init__(self, coro):
                self._fut = asyncio.run_coroutine_threadsafe(coro, loop)
            @property
            def value(self):
                return self._fut.result(timeout=30)
        print(Job(work()).value)
      `,
      errors: [{ line: at(6), column: 25 }],
    },
  ],
});

// Known done after asyncio's awaits, early returns on done(), and a second wait after a bounded one that may have timed out.
ruleTester('HANG001', {
  valid: [
    {
      name: 'after await asyncio.wait with no timeout, wait_for, shield, gather, and `in done` of a bounded asyncio.wait',
      code: header + py`
        async def relay(n):
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            done, _ = await asyncio.wait([asyncio.wrap_future(fut)])
            first = fut.result()
            other = asyncio.run_coroutine_threadsafe(work(), loop)
            await asyncio.wait_for(asyncio.wrap_future(other), timeout=5)
            wrapped_a = asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work(), loop))
            third = asyncio.run_coroutine_threadsafe(work(), loop)
            wrapped = asyncio.wrap_future(third)
            await asyncio.gather(asyncio.shield(wrapped), wrapped_a)
            return first, other.result(), third.exception()
        async def bounded():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            task = asyncio.wrap_future(fut)
            done, pending = await asyncio.wait({task}, timeout=5)
            if task in done:
                return fut.result()
            fut.cancel()
      `,
    },
    {
      name: 'an early return unless done, across several futures',
      code: header + py`
        class Poller:
            def __init__(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def poll(self):
                if not self.fut.done():
                    return None
                return self.fut.result()
        def poll_all(futs):
            for fut in futs:
                if not fut.done():
                    continue
                print(fut.exception())
        poll_all([asyncio.run_coroutine_threadsafe(work(), loop)])
      `,
    },
  ],
  invalid: [
    {
      name: 'an early return when done, a bounded asyncio.wait returning on the first, a timed-out wait_for caught',
      code: header + py`
        class Poller:
            def __init__(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def poll(self):
                if self.fut.done():
                    return None
                return self.fut.result()
        async def first_of(a, b):
            fa = asyncio.run_coroutine_threadsafe(a, loop)
            fb = asyncio.run_coroutine_threadsafe(b, loop)
            await asyncio.wait([asyncio.wrap_future(fa), asyncio.wrap_future(fb)], return_when=asyncio.FIRST_COMPLETED)
            return fa.result(timeout=None)
        async def patient():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            try:
                await asyncio.wait_for(asyncio.wrap_future(fut), 5)
            except asyncio.TimeoutError:
                pass
            return fut.exception()
      `,
      output: header + py`
        class Poller:
            def __init__(self):
                self.fut = asyncio.run_coroutine_threadsafe(work(), loop)
            def poll(self):
                if self.fut.done():
                    return None
                return self.fut.result(timeout=30)
        async def first_of(a, b):
            fa = asyncio.run_coroutine_threadsafe(a, loop)
            fb = asyncio.run_coroutine_threadsafe(b, loop)
            await asyncio.wait([asyncio.wrap_future(fa), asyncio.wrap_future(fb)], return_when=asyncio.FIRST_COMPLETED)
            return fa.result(timeout=30)
        async def patient():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            try:
                await asyncio.wait_for(asyncio.wrap_future(fut), 5)
            except asyncio.TimeoutError:
                pass
            return fut.exception(timeout=30)
      `,
      errors: [
        { line: at(7), column: 24 },
        { line: at(12), column: 14 },
        { line: at(19), column: 15 },
      ],
    },
    {
      name: 'a second unbounded wait after a bounded one that may have timed out',
      code: header + py`
        import concurrent.futures
        def call(coro):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            try:
                return fut.result(timeout=5)
            except concurrent.futures.TimeoutError:
                print("slow; waiting on")
            return fut.result()
        def settle(coro):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            done, _ = concurrent.futures.wait([fut], timeout=5)
            return fut.exception()
      `,
      output: header + py`
        import concurrent.futures
        def call(coro):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            try:
                return fut.result(timeout=5)
            except concurrent.futures.TimeoutError:
                print("slow; waiting on")
            return fut.result(timeout=30)
        def settle(coro):
            fut = asyncio.run_coroutine_threadsafe(coro, loop)
            done, _ = concurrent.futures.wait([fut], timeout=5)
            return fut.exception(timeout=30)
      `,
      errors: [
        { line: at(8), column: 15 },
        { line: at(12), column: 15 },
      ],
    },
  ],
});

// run_coroutine_threadsafe handed to Context.run, which returns what it returns; asyncio.Runner.run stays an entry point.
ruleTester('HANG001', {
  valid: [
    {
      name: 'Context.run of run_coroutine_threadsafe waited with a timeout, and a Runner',
      code: header + py`
        import contextvars
        def call(coro):
            ctx = contextvars.copy_context()
            return ctx.run(asyncio.run_coroutine_threadsafe, coro, loop).result(timeout=5)
        with asyncio.Runner() as runner:
            runner.run(work())
      `,
    },
  ],
  invalid: [
    {
      name: 'Context.run of run_coroutine_threadsafe waited on without a timeout',
      code: header + py`
        import contextvars
        def call(coro):
            fut = contextvars.copy_context().run(asyncio.run_coroutine_threadsafe, coro, loop)
            return fut.result()
      `,
      output: header + py`
        import contextvars
        def call(coro):
            fut = contextvars.copy_context().run(asyncio.run_coroutine_threadsafe, coro, loop)
            return fut.result(timeout=30)
      `,
      errors: [{ line: at(4), column: 15 }],
    },
  ],
});

// Receivers known by their type annotation: a parameter, a class-level or `self.x:` attribute annotated with a project class.
const annotatedBridge = {
  'svc/__init__.py': '',
  'svc/bridge.py': py`
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    class LoopThread:
        def __init__(self):
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, daemon=True).start()

        def submit(self, coro):
            return asyncio.run_coroutine_threadsafe(coro, self.loop)

    class Workers:
        def __init__(self):
            self.pool = ThreadPoolExecutor(4)

        def submit(self, fn, *args):
            return self.pool.submit(fn, *args)
  `,
};
ruleTester('HANG001', {
  valid: [
    {
      name: 'annotated receivers waited on with a timeout, and a class whose submit is an executor',
      files: {
        ...annotatedBridge,
        'svc/handlers.py': py`
          from typing import Optional
          from .bridge import LoopThread, Workers

          async def fetch_user(uid):
              return uid

          def lookup(bridge: LoopThread, uid):
              return bridge.submit(fetch_user(uid)).result(timeout=5)

          def crunch(workers: Optional[Workers], data):
              return workers.submit(sorted, data).result()

          def label(name: str):
              return name.result()
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'a parameter, an Optional, a string annotation, `X | None` and annotated attributes, across modules',
      files: {
        ...annotatedBridge,
        'svc/handlers.py': py`
          from __future__ import annotations
          from typing import TYPE_CHECKING, Optional
          if TYPE_CHECKING:
              from .bridge import LoopThread

          async def fetch_user(uid):
              return uid

          def lookup(bridge: LoopThread, uid):
              return bridge.submit(fetch_user(uid)).result()

          def lookup_maybe(bridge: Optional["LoopThread"], uid):
              if bridge is None:
                  return None
              fut = bridge.submit(fetch_user(uid))
              return fut.result()

          class Cache:
              bridge: LoopThread

              def __init__(self, fallback=None):
                  self.fallback: LoopThread | None = fallback

              def get(self, uid):
                  return self.bridge.submit(fetch_user(uid)).result()

              def get_fallback(self, uid):
                  return self.fallback.submit(fetch_user(uid)).exception()
        `,
      },
      output: {
        'svc/handlers.py': py`
          from __future__ import annotations
          from typing import TYPE_CHECKING, Optional
          if TYPE_CHECKING:
              from .bridge import LoopThread

          async def fetch_user(uid):
              return uid

          def lookup(bridge: LoopThread, uid):
              return bridge.submit(fetch_user(uid)).result(timeout=30)

          def lookup_maybe(bridge: Optional["LoopThread"], uid):
              if bridge is None:
                  return None
              fut = bridge.submit(fetch_user(uid))
              return fut.result(timeout=30)

          class Cache:
              bridge: LoopThread

              def __init__(self, fallback=None):
                  self.fallback: LoopThread | None = fallback

              def get(self, uid):
                  return self.bridge.submit(fetch_user(uid)).result(timeout=30)

              def get_fallback(self, uid):
                  return self.fallback.submit(fetch_user(uid)).exception(timeout=30)
        `,
      },
      errors: [
        { file: 'svc/handlers.py', line: 10, column: 42, message: '`bridge.submit(fetch_user(uid)).result()`' },
        { file: 'svc/handlers.py', line: 16, column: 15 },
        { file: 'svc/handlers.py', line: 25, column: 51 },
        { file: 'svc/handlers.py', line: 28, column: 53 },
      ],
    },
  ],
});

// A wait taken as a value and called later: a bound method in a local, a partial of it, an unbound method mapped over futures.
const gatewayHeader = py`
  import asyncio
  import concurrent.futures
  import functools
  import logging
  from concurrent.futures import Future, ThreadPoolExecutor

  log = logging.getLogger(__name__)

`;
ruleTester('HANG001', {
  valid: [
    {
      name: 'bound waits given a timeout where they are called or bound, and map over executor futures',
      code: gatewayHeader + py`
        class Gateway:
            def __init__(self, loop):
                self.loop = loop
                self.pool = ThreadPoolExecutor(2)

            def fetch_later(self, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
                waiter = fut.result
                return waiter(5)

            def fetch_partial(self, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
                get = functools.partial(fut.result, timeout=5)
                return get()

            def fetch_all(self, coros):
                futs = [asyncio.run_coroutine_threadsafe(c, self.loop) for c in coros]
                return list(map(functools.partial(Future.result, timeout=5), futs))

            def crunch(self, items):
                futs = [self.pool.submit(sorted, i) for i in items]
                return list(map(Future.result, futs))
      `,
    },
  ],
  invalid: [
    {
      name: 'a bound wait in a local, a partial of one, and Future.result mapped over threadsafe futures',
      code: gatewayHeader + py`
        class Gateway:
            def __init__(self, loop):
                self.loop = loop

            def fetch_later(self, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
                waiter = fut.result
                log.debug("submitted %r", coro)
                return waiter()

            def fetch_partial(self, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
                get = functools.partial(fut.result, timeout=None)
                return get()

            def fetch_all(self, coros):
                futs = [asyncio.run_coroutine_threadsafe(c, self.loop) for c in coros]
                return list(map(Future.result, futs))

            def fetch_each(self, coros):
                futs = [asyncio.run_coroutine_threadsafe(c, self.loop) for c in coros]
                return [r for r in map(concurrent.futures.Future.result, futs)]
      `,
      output: gatewayHeader + py`
        class Gateway:
            def __init__(self, loop):
                self.loop = loop

            def fetch_later(self, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
                waiter = fut.result
                log.debug("submitted %r", coro)
                return waiter(timeout=30)

            def fetch_partial(self, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
                get = functools.partial(fut.result, timeout=None)
                return get()

            def fetch_all(self, coros):
                futs = [asyncio.run_coroutine_threadsafe(c, self.loop) for c in coros]
                return list(map(Future.result, futs))

            def fetch_each(self, coros):
                futs = [asyncio.run_coroutine_threadsafe(c, self.loop) for c in coros]
                return [r for r in map(concurrent.futures.Future.result, futs)]
      `,
      errors: [
        { line: 17, column: 16, message: '`waiter()` calls `fut.result` and can block forever without a timeout' },
        { line: 22, column: 16, message: '`get()` calls `fut.result`' },
        { line: 26, column: 31, message: '`Future.result` passed to `map`' },
        { line: 30, column: 57, message: '`concurrent.futures.Future.result` passed to `map`' },
      ],
    },
    {
      name: 'a partial of a wait from a wrapper in another module, handed to a thread',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'svc/worker.py': py`
          import threading
          from functools import partial
          from .bridge import call_in_loop

          async def refresh():
              return 1

          def start_refresh():
              fut = call_in_loop(refresh())
              wait_done = partial(fut.result)
              threading.Thread(target=wait_done, daemon=True).start()
              return fut
        `,
      },
      errors: [{ file: 'svc/worker.py', line: 11, column: 29, message: '`fut.result` passed to `threading.Thread`' }],
    },
  ],
});

// A bound wait stored in an attribute or a module-level name and called elsewhere in the module.
ruleTester('HANG001', {
  valid: [
    {
      name: 'stored bound waits called with a timeout, bound with one, or a stored method that does not wait',
      code: gatewayHeader + py`
        import threading

        async def ping():
            return "pong"

        LOOP = asyncio.new_event_loop()
        PING = asyncio.run_coroutine_threadsafe(ping(), LOOP)
        WAIT_PING = PING.result
        CHECK_PING = functools.partial(PING.result, timeout=5)

        def ping_ok():
            return WAIT_PING(timeout=5) == "pong" and CHECK_PING() == "pong"

        class Request:
            def __init__(self, loop, coro):
                self._fut = asyncio.run_coroutine_threadsafe(coro, loop)
                self._wait = self._fut.result
                self._cancel = self._fut.cancel

            def get(self, timeout=10):
                return self._wait(timeout)

            def abandon(self):
                self._cancel()

            def start_waiter(self):
                threading.Thread(target=self._cancel, daemon=True).start()
      `,
    },
  ],
  invalid: [
    {
      name: 'a bound wait in an attribute set in __init__ or another method, and in a module-level name, called elsewhere',
      code: gatewayHeader + py`
        import threading

        async def ping():
            return "pong"

        LOOP = asyncio.new_event_loop()
        PING = asyncio.run_coroutine_threadsafe(ping(), LOOP)
        WAIT_PING = PING.result

        def ping_ok():
            return WAIT_PING() == "pong"

        class Request:
            def __init__(self, loop, coro):
                self._fut = asyncio.run_coroutine_threadsafe(coro, loop)
                self._wait = self._fut.result

            def start(self, loop, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, loop)
                self._error = fut.exception

            def get(self):
                log.debug("waiting for %r", self._fut)
                return self._wait()

            def failed(self):
                return self._error() is not None

            def wait_in_thread(self):
                threading.Thread(target=self._wait, daemon=True).start()
      `,
      output: gatewayHeader + py`
        import threading

        async def ping():
            return "pong"

        LOOP = asyncio.new_event_loop()
        PING = asyncio.run_coroutine_threadsafe(ping(), LOOP)
        WAIT_PING = PING.result

        def ping_ok():
            return WAIT_PING(timeout=30) == "pong"

        class Request:
            def __init__(self, loop, coro):
                self._fut = asyncio.run_coroutine_threadsafe(coro, loop)
                self._wait = self._fut.result

            def start(self, loop, coro):
                fut = asyncio.run_coroutine_threadsafe(coro, loop)
                self._error = fut.exception

            def get(self):
                log.debug("waiting for %r", self._fut)
                return self._wait(timeout=30)

            def failed(self):
                return self._error(timeout=30) is not None

            def wait_in_thread(self):
                threading.Thread(target=self._wait, daemon=True).start()
      `,
      errors: [
        { line: 19, column: 12, message: '`WAIT_PING()` calls `PING.result` and can block forever without a timeout' },
        { line: 32, column: 16, message: '`self._wait()` calls `self._fut.result`' },
        { line: 35, column: 16, message: '`self._error()` calls `fut.exception`' },
        { line: 38, column: 33, message: '`self._fut.result` passed to `threading.Thread`' },
      ],
    },
  ],
});

// Two modules importing each other, and a third star-importing one of them: what a cycle cut left
// out while the third's names were resolved must not stay out of the first two's answers.
const MUTUAL = fixtureFiles('mutual-imports');
ruleTester('HANG001', {
  valid: [],
  invalid: [
    {
      name: 'an import cycle, met first through a star import of one of its modules',
      files: fixtureFiles('mutual-imports', {
        'c.py': 'import asyncio\nfrom a import *\nasync def idle():\n    await asyncio.sleep(1)\n    submit().result(timeout=5)\n',
      }),
      output: {
        'b.py': MUTUAL['b.py']!.replace('fut.result()', 'fut.result(timeout=30)').replace('submit().result()', 'submit().result(timeout=30)'),
      },
      errors: [
        { file: 'b.py', line: 6, column: 12 },
        { file: 'b.py', line: 10, column: 20 },
      ],
    },
  ],
});
