import { py, ruleTester } from '../rule-tester.js';

/** A 50-module package where mod0.step() calls mod1.step() … and mod49.step() calls sys.exit(). */
function chainProject(steps: number): Record<string, string> {
  const files: Record<string, string> = { 'chain/__init__.py': '' };
  for (let i = 0; i < steps; i++) {
    files[`chain/mod${i}.py`] =
      i === steps - 1
        ? 'import sys\n\ndef step():\n    sys.exit(3)\n'
        : `from . import mod${i + 1}\n\ndef step():\n    mod${i + 1}.step()\n`;
  }
  files['chain/app.py'] = 'from .mod0 import step\n\nasync def handler():\n    step()\n';
  return files;
}

ruleTester('HANG002', {
  valid: [
    { name: 'caught by except SystemExit', code: 'import sys\nasync def h():\n    try:\n        sys.exit(1)\n    except SystemExit:\n        pass\n' },
    { name: 'caught by except BaseException', code: 'async def h():\n    try:\n        raise SystemExit\n    except BaseException as e:\n        print(e)\n' },
    { name: 'caught by a bare except', code: 'async def h():\n    try:\n        raise KeyboardInterrupt\n    except:\n        pass\n' },
    { name: 'caught by a tuple', code: 'async def h():\n    try:\n        raise KeyboardInterrupt()\n    except (ValueError, KeyboardInterrupt):\n        pass\n' },
    { name: 'suppressed by contextlib.suppress', code: 'import contextlib, sys\nasync def h():\n    with contextlib.suppress(SystemExit):\n        sys.exit(1)\n' },
    { name: 'a call caught around it', code: 'import sys\ndef die():\n    sys.exit(1)\nasync def h():\n    try:\n        die()\n    except SystemExit:\n        return None\n' },
    { name: 'os._exit ends the process; nothing waits', code: 'import os\nasync def h():\n    os._exit(1)\n' },
    { name: 'a sync function itself', code: 'import sys\ndef main():\n    sys.exit("usage")\n' },
    { name: 'a nested def only defined', code: 'import sys\nasync def h():\n    def bail():\n        sys.exit(1)\n    return bail\n' },
    { name: 'a lambda only defined', code: 'import sys\nasync def h():\n    return lambda: sys.exit(1)\n' },
    {
      name: 'only run by asyncio.run in the main thread',
      code: py`
        import asyncio, sys
        async def main():
            if len(sys.argv) < 2:
                sys.exit("usage: tool FILE")
        if __name__ == "__main__":
            asyncio.run(main())
      `,
    },
    { name: 'only run by loop.run_until_complete', code: 'import asyncio\nasync def main():\n    raise SystemExit(2)\nloop = asyncio.new_event_loop()\nloop.run_until_complete(main())\n' },
    { name: 'only run by asyncio.Runner().run', code: 'import asyncio\nasync def main():\n    raise SystemExit(2)\nwith asyncio.Runner() as runner:\n    runner.run(main())\n' },
    { name: 'a coroutine object stored, then run', code: 'import asyncio\nasync def main():\n    raise SystemExit(2)\ncoro = main()\nasyncio.run(coro)\n' },
    {
      name: 'awaited only by a coroutine that asyncio.run runs',
      code: 'import asyncio, sys\nasync def check():\n    sys.exit(1)\nasync def main():\n    await check()\nasyncio.run(main())\n',
    },
    { name: 'an ordinary exception', code: 'async def h():\n    raise RuntimeError("stop")\n' },
    { name: 'a local exit() shadowing the builtin', code: 'def exit(code):\n    return code\nasync def h():\n    exit(1)\n' },
    { name: 'a raise of a class that is not a base exit', code: 'class Fatal(Exception):\n    pass\nasync def h():\n    raise Fatal()\n' },
    {
      name: 'recursion terminates',
      code: 'def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\nasync def h():\n    a(1)\n',
    },
    {
      name: 'an import cycle terminates',
      files: {
        'pkg/__init__.py': '',
        'pkg/a.py': 'from .b import g\ndef f():\n    return g()\nasync def h():\n    f()\n',
        'pkg/b.py': 'from .a import f\ndef g():\n    return f()\n',
      },
    },
    {
      name: 'a helper whose exit is caught inside it',
      code: 'import sys\ndef safe():\n    try:\n        sys.exit(1)\n    except SystemExit:\n        pass\nasync def h():\n    safe()\n',
    },
  ],
  invalid: [
    { name: 'raise SystemExit', code: 'async def h():\n    raise SystemExit\n', errors: [{ line: 2, column: 5, severity: 'warning', messageId: 'escapes', message: '`SystemExit` can escape coroutine `h()`' }] },
    { name: 'raise SystemExit(...)', code: 'async def h():\n    raise SystemExit(1)\n', errors: [{ line: 2, column: 5 }] },
    { name: 'raise KeyboardInterrupt', code: 'async def h():\n    raise KeyboardInterrupt\n', errors: [{ line: 2, column: 5, message: 'KeyboardInterrupt' }] },
    { name: 'raise KeyboardInterrupt()', code: 'async def h():\n    raise KeyboardInterrupt()\n', errors: [{ line: 2, column: 5 }] },
    {
      name: 'a project subclass of SystemExit, transitively',
      code: 'class Exit(SystemExit):\n    pass\nclass HardExit(Exit):\n    pass\nasync def h():\n    raise HardExit(2)\n',
      errors: [{ line: 6, column: 5, message: '`HardExit`' }],
    },
    { name: 'sys.exit()', code: 'import sys\nasync def h():\n    sys.exit(1)\n', errors: [{ line: 3, column: 5, message: '`SystemExit` can escape coroutine `h()`: its event loop stops' }] },
    { name: 'from sys import exit as leave', code: 'from sys import exit as leave\nasync def h():\n    leave()\n', errors: [{ line: 3, column: 5 }] },
    { name: 'import sys as system', code: 'import sys as system\nasync def h():\n    system.exit(0)\n', errors: [{ line: 3, column: 5 }] },
    { name: 'the exit() builtin', code: 'async def h():\n    exit()\n', errors: [{ line: 2, column: 5 }] },
    { name: 'the quit() builtin', code: 'async def h():\n    quit(1)\n', errors: [{ line: 2, column: 5 }] },
    {
      name: 'a sync helper in the same module, with the chain',
      code: 'import sys\ndef die(msg):\n    print(msg)\n    sys.exit(1)\nasync def h():\n    die("bad")\n',
      errors: [{ line: 6, column: 5, message: 'through `die()` (snippet.py:4)', related: 1 }],
    },
    {
      name: 'a helper imported from another module',
      files: {
        'pkg/__init__.py': '',
        'pkg/bridge.py': 'import sys\n\ndef die():\n    sys.exit(1)\n',
        'pkg/handlers.py': 'from .bridge import die\n\nasync def on_message(msg):\n    if not msg:\n        die()\n',
      },
      errors: [{ file: 'pkg/handlers.py', line: 5, column: 9, message: 'through `die()` (bridge.py:4)', related: 1 }],
    },
    {
      name: 'a helper re-exported by a package __init__',
      files: {
        'pkg/__init__.py': 'from .util import fail\n',
        'pkg/util.py': 'def fail():\n    raise KeyboardInterrupt\n',
        'app.py': 'import pkg\nasync def h():\n    pkg.fail()\n',
      },
      errors: [{ file: 'app.py', line: 3, column: 5, message: 'KeyboardInterrupt' }],
    },
    {
      name: 'a handler that re-raises',
      code: 'import sys\nasync def h():\n    try:\n        sys.exit(1)\n    except SystemExit:\n        print("bye")\n        raise\n',
      errors: [{ line: 4, column: 9 }],
    },
    {
      name: 'except Exception does not catch SystemExit',
      code: 'import sys\nasync def h():\n    try:\n        sys.exit(1)\n    except Exception:\n        pass\n',
      errors: [{ line: 4, column: 9 }],
    },
    {
      name: 'except KeyboardInterrupt does not catch SystemExit',
      code: 'import sys\nasync def h():\n    try:\n        sys.exit(1)\n    except KeyboardInterrupt:\n        pass\n',
      errors: [{ line: 4, column: 9 }],
    },
    {
      name: 'an error when the coroutine is submitted with run_coroutine_threadsafe',
      code: py`
        import asyncio, sys
        loop = asyncio.new_event_loop()
        async def handler():
            sys.exit(1)
        fut = asyncio.run_coroutine_threadsafe(handler(), loop)
      `,
      errors: [{ line: 4, column: 5, severity: 'error', messageId: 'escapesSubmitted', message: '`SystemExit` can escape `handler()`: callers hang', related: 1 }],
    },
    {
      name: 'an error when submitted through a wrapper in another module',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'svc/jobs.py': 'async def job():\n    raise SystemExit(1)\n',
        'svc/main.py': 'from svc.bridge import call_in_loop\nfrom svc.jobs import job\ndef run():\n    return call_in_loop(job()).result(timeout=5)\n',
      },
      errors: [{ file: 'svc/jobs.py', line: 2, column: 5, severity: 'error', message: '`SystemExit` can escape `job()`: callers hang' }],
    },
    {
      name: 'an error when awaited by a submitted coroutine',
      code: py`
        import asyncio, sys
        loop = asyncio.new_event_loop()
        async def inner():
            sys.exit(1)
        async def outer():
            await inner()
        asyncio.run_coroutine_threadsafe(outer(), loop).result(timeout=1)
      `,
      errors: [{ line: 4, column: 5, severity: 'error' }],
    },
    {
      name: 'run from main and also created elsewhere',
      code: 'import asyncio\nasync def main():\n    raise SystemExit(2)\nasyncio.run(main())\ntask = main\n\ndef later():\n    return main()\n',
      errors: [{ line: 3, column: 5 }],
    },
    {
      name: 'a 50-step cross-module chain',
      files: chainProject(50),
      errors: [{ file: 'chain/app.py', line: 4, column: 5, related: 50, message: 'through `step()` (mod49.py:4)' }],
    },
    {
      name: 'one finding per escaping statement',
      code: 'import sys\nasync def h(x):\n    if x:\n        sys.exit(1)\n    raise KeyboardInterrupt\n',
      errors: [{ line: 4, column: 9 }, { line: 5, column: 5 }],
    },
  ],
});

// Helpers reached through a package's re-exports are followed like any import.
ruleTester('HANG002', {
  valid: [
    {
      name: 'a re-exported helper that does not exit',
      files: {
        'svc/__init__.py': 'from .helpers import *\n',
        'svc/helpers.py': '__all__ = ["log"]\ndef log(msg):\n    print(msg)\n',
        'svc/jobs.py': 'from svc import log\nasync def job():\n    log("x")\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a helper that exits, re-exported by a star import',
      files: {
        'svc/__init__.py': 'from .helpers import *\n',
        'svc/helpers.py': 'import sys\n__all__ = ["die"]\ndef die(code):\n    sys.exit(code)\n',
        'svc/jobs.py': 'from svc import die\nasync def job():\n    die(1)\n',
      },
      errors: [{ file: 'svc/jobs.py', line: 3, column: 5 }],
    },
  ],
});
