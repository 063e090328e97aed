import { fixtureFiles, fixtureProject, py, ruleTester } from '../rule-tester.js';

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
      errors: [{ line: 6, column: 5, message: 'via `die()` (snippet.py:4)', related: 1 }],
    },
    {
      name: 'a helper imported from another module',
      files: {
        'pkg/__init__.py': '',
        'pkg/bridge.py': 'import sys\n\ndef die():\n    sys.exit(1)\n',
        'pkg/handlers.py': 'from .bridge import die\n\nasync def on_message(msg):\n    if not msg:\n        die()\n',
      },
      errors: [{ file: 'pkg/handlers.py', line: 5, column: 9, message: 'via `die()` (bridge.py:4)', related: 1 }],
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
      errors: [{ line: 4, column: 5, severity: 'error', messageId: 'escapesSubmitted', message: '`SystemExit` can escape `handler()`: snippet.py:5 hangs', related: 1 }],
    },
    {
      name: 'an error when submitted through a wrapper in another module',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'svc/jobs.py': 'async def job():\n    raise SystemExit(1)\n',
        'svc/main.py': 'from svc.bridge import call_in_loop\nfrom svc.jobs import job\ndef run():\n    return call_in_loop(job()).result(timeout=5)\n',
      },
      errors: [{ file: 'svc/jobs.py', line: 2, column: 5, severity: 'error', message: '`SystemExit` can escape `job()`: main.py:4 hangs' }],
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
      errors: [{ file: 'chain/app.py', line: 4, column: 5, related: 50, message: 'via `step()` (mod49.py:4)' }],
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

// Library calls that exit (src/library/apis.ts; each row checked by running it on CPython 3.11.7).
ruleTester('HANG002', {
  valid: [
    {
      name: 'a project subclass of ArgumentParser whose error() and exit() raise an ordinary exception; a SystemExit caught around parse_args',
      files: fixtureProject('HANG002/safe-parser'),
    },
    {
      name: 'unittest.main(exit=False) returns',
      code: py`
        import unittest
        async def run_suite(module):
            program = unittest.main(module=module, argv=["tests"], exit=False)
            return program.result.wasSuccessful()
      `,
    },
    {
      name: "click's ctx.exit() raises click.exceptions.Exit, a RuntimeError subclass; typer.Exit and pytest.exit are not the two either",
      code: py`
        import click
        import pytest
        import typer
        async def stop(ctx: click.Context):
            ctx.exit(0)
        async def stop_typer():
            raise typer.Exit(code=1)
        async def stop_tests():
            pytest.exit("done", returncode=0)
      `,
    },
    {
      name: 'an ArgumentParser only built and described, never parsing',
      code: py`
        import argparse
        async def usage():
            parser = argparse.ArgumentParser(prog="!help")
            parser.add_argument("topic")
            return parser.format_help()
      `,
    },
    {
      name: 'a local parser method of the same name on a project class',
      code: py`
        class Config:
            def parse_args(self, argv):
                return dict(arg.split("=", 1) for arg in argv)
        async def load(argv):
            return Config().parse_args(argv)
      `,
    },
  ],
  invalid: [
    {
      name: 'a chat bot parsing commands with argparse in coroutines submitted through a wrapper of a wrapper',
      files: fixtureProject('HANG002/argparse-bot'),
      errors: [
        { file: 'bot/commands.py', line: 11, column: 12, severity: 'error', messageId: 'escapesSubmitted', message: '`SystemExit` can escape `kick()`: main.py:8 hangs' },
        { file: 'bot/commands.py', line: 18, column: 19, severity: 'error', message: '`SystemExit` can escape `ban()`: main.py:10 hangs' },
      ],
    },
    {
      name: 'parse_intermixed_args, error() and exit() on a parser held by self',
      code: py`
        import argparse
        class Shell:
            def __init__(self):
                self.parser = argparse.ArgumentParser(prog="shell", exit_on_error=False)
            async def run(self, line):
                return self.parser.parse_intermixed_args(line.split())
            async def reject(self, why):
                self.parser.error(why)
            async def quit(self):
                self.parser.exit(0, "bye")
      `,
      errors: [
        { line: 6, column: 16, message: 'can escape coroutine `run()`: its event loop stops' },
        { line: 8, column: 9, message: '`SystemExit`' },
        { line: 10, column: 9, message: '`SystemExit`' },
      ],
    },
    {
      name: 'from argparse import ArgumentParser; a subclass that does not override error()',
      code: py`
        from argparse import ArgumentParser
        class QuietParser(ArgumentParser):
            def print_help(self, file=None):
                pass
        PARSER = QuietParser(prog="!kick")
        async def kick(text):
            return PARSER.parse_args(text.split())
      `,
      errors: [{ line: 7, column: 12, message: 'can escape coroutine `kick()`' }],
    },
    {
      name: "a subclass whose error() calls sys.exit itself: the chain goes through it",
      code: py`
        import argparse, sys
        class LoudParser(argparse.ArgumentParser):
            def error(self, message):
                print(message)
                sys.exit(2)
            def exit(self, status=0, message=None):
                raise RuntimeError(message)
        async def kick(text):
            return LoudParser().parse_args(text.split())
      `,
      errors: [{ line: 9, column: 12, message: 'via `LoudParser().parse_args()` (snippet.py:5)' }],
    },
    {
      name: 'unittest.main() raises SystemExit once the tests ran',
      code: py`
        import unittest
        from unittest import main as run_tests
        async def selftest():
            unittest.main(module="tests", argv=["tests"])
        async def selftest_alias():
            run_tests(module="tests", exit=True)
      `,
      errors: [
        { line: 4, column: 5, message: 'can escape coroutine `selftest()`' },
        { line: 6, column: 5, message: 'can escape coroutine `selftest_alias()`' },
      ],
    },
    {
      name: 'signal.default_int_handler raises KeyboardInterrupt',
      code: py`
        import signal
        async def on_sigint(signum, frame):
            print("interrupted")
            signal.default_int_handler(signum, frame)
      `,
      errors: [{ line: 4, column: 5, message: '`KeyboardInterrupt`' }],
    },
  ],
});

// Exits held by locals and lambdas.
ruleTester('HANG002', {
  valid: [
    {
      name: 'a local exception that is not SystemExit',
      code: 'async def h():\n    err = RuntimeError("stop")\n    raise err\n',
    },
    {
      name: 'a lambda that exits, only stored for later',
      code: 'import sys\nasync def h(registry):\n    registry["quit"] = lambda code: sys.exit(code)\n',
    },
    {
      name: 'a lambda that calls something harmless',
      code: 'async def h(items):\n    key = lambda item: item.name\n    return sorted(items, key=key)\n',
    },
  ],
  invalid: [
    {
      name: 'err = SystemExit(5); raise err',
      code: py`
        async def shutdown(code):
            err = SystemExit(code)
            print("bye")
            raise err
      `,
      errors: [{ line: 4, column: 5, message: '`SystemExit` can escape coroutine `shutdown()`' }],
    },
    {
      name: 'a lambda called at once',
      code: 'import sys\nasync def h():\n    (lambda: sys.exit(2))()\n',
      errors: [{ line: 3, column: 5, message: 'via `(lambda: sys.exit(2))()` (snippet.py:3)' }],
    },
    {
      name: 'bail = lambda c: sys.exit(c); bail(3), in a submitted coroutine',
      code: py`
        import asyncio, sys
        LOOP = asyncio.new_event_loop()
        async def job(ok):
            bail = lambda c: sys.exit(c)
            if not ok:
                bail(3)
        def submit():
            return asyncio.run_coroutine_threadsafe(job(False), LOOP).result(timeout=5)
      `,
      errors: [{ line: 6, column: 9, severity: 'error', message: 'via `bail()` (snippet.py:4): snippet.py:8 hangs' }],
    },
    {
      name: 'a module-level lambda helper',
      code: 'import sys\nfail = lambda msg: sys.exit(msg)\nasync def h():\n    fail("bad")\n',
      errors: [{ line: 4, column: 5, message: 'via `fail()`' }],
    },
  ],
});

// Entry points and other event loops: the exception reaches the main thread's caller.
ruleTester('HANG002', {
  valid: [
    { name: 'uvloop.run(main())', code: 'import sys, uvloop\nasync def main():\n    sys.exit(1)\nuvloop.run(main())\n' },
    {
      name: 'run_until_complete(asyncio.gather(a(), b()))',
      code: py`
        import asyncio, sys
        async def fetch():
            sys.exit("no network")
        async def index():
            raise KeyboardInterrupt
        loop = asyncio.new_event_loop()
        loop.run_until_complete(asyncio.gather(fetch(), index(), return_exceptions=True))
      `,
    },
    { name: 'asyncio.run(asyncio.wait_for(main(), 10))', code: 'import asyncio, sys\nasync def main():\n    sys.exit(1)\nasyncio.run(asyncio.wait_for(main(), timeout=10))\n' },
    {
      name: 'run_until_complete(loop.create_task(...)), and a task made inside the entry coroutine',
      code: py`
        import asyncio, sys
        async def serve():
            sys.exit(1)
        async def watchdog():
            raise SystemExit(3)
        async def main():
            task = asyncio.create_task(watchdog())
            await asyncio.shield(task)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(loop.create_task(serve()))
        loop.run_until_complete(main())
      `,
    },
    { name: 'with asyncio.Runner() as r: r.run(main())', code: 'import asyncio, sys\nasync def main():\n    sys.exit(1)\nwith asyncio.Runner(debug=True) as r:\n    r.run(main())\n' },
    { name: "a compat module's asyncio_run (uvicorn's _compat)", files: fixtureProject('HANG002/compat-entry') },
    { name: 'modules that run trio and anyio, never asyncio', files: fixtureProject('HANG002/trio-app') },
    {
      name: "except BaseExceptionGroup around an anyio task group's body, in an asyncio program (checked with anyio 4.15.1)",
      code: py`
        import asyncio, sys
        import anyio
        async def supervise(jobs):
            try:
                async with anyio.create_task_group() as tg:
                    for job in jobs:
                        tg.start_soon(job)
                    if not jobs:
                        sys.exit("nothing to do")
            except BaseExceptionGroup as group:
                print("stopped:", group.exceptions)
        def start(loop, jobs):
            loop.call_soon_threadsafe(loop.create_task, supervise(jobs))
      `,
    },
    {
      name: 'except* KeyboardInterrupt around a task group',
      code: py`
        import asyncio
        async def main(jobs):
            try:
                async with asyncio.TaskGroup() as tg:
                    for job in jobs:
                        tg.create_task(job)
                    raise KeyboardInterrupt
            except* KeyboardInterrupt:
                print("interrupted")
      `,
    },
  ],
  invalid: [
    {
      name: 'a coroutine wrapped by wait_for and submitted to another thread',
      code: py`
        import asyncio, sys
        LOOP = asyncio.new_event_loop()
        async def job():
            sys.exit(1)
        def call():
            return asyncio.run_coroutine_threadsafe(asyncio.wait_for(job(), 5), LOOP).result(timeout=10)
      `,
      errors: [{ line: 4, column: 5, severity: 'error', message: 'snippet.py:6' }],
    },
    {
      name: 'an asyncio module that also imports trio still warns',
      code: 'import asyncio, sys, trio\nasync def job():\n    sys.exit(1)\ndef start(loop):\n    loop.create_task(job())\n',
      errors: [{ line: 3, column: 5, severity: 'warning' }],
    },
    {
      name: 'a trio-only module whose coroutine is submitted with run_coroutine_threadsafe elsewhere',
      files: {
        'app/__init__.py': '',
        'app/work.py': 'import sys\nimport trio\nasync def job():\n    sys.exit(1)\n',
        'app/bridge.py': 'import asyncio\nfrom app.work import job\ndef go(loop):\n    return asyncio.run_coroutine_threadsafe(job(), loop).result(timeout=1)\n',
      },
      errors: [{ file: 'app/work.py', line: 4, column: 5, severity: 'error' }],
    },
    {
      name: "except BaseExceptionGroup does not catch what asyncio.TaskGroup's body raises: it re-raises KeyboardInterrupt bare",
      code: py`
        import asyncio
        async def supervise(jobs):
            try:
                async with asyncio.TaskGroup() as tg:
                    for job in jobs:
                        tg.create_task(job)
                    raise KeyboardInterrupt
            except BaseExceptionGroup:
                pass
      `,
      errors: [{ line: 7, column: 13 }],
    },
    {
      name: "a child task's KeyboardInterrupt is not wrapped: it stops the loop",
      code: py`
        import asyncio
        import anyio
        async def child():
            raise KeyboardInterrupt
        async def supervise():
            try:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(child)
            except BaseExceptionGroup:
                pass
      `,
      errors: [{ line: 4, column: 5 }],
    },
    {
      name: 'except BaseExceptionGroup does not catch a KeyboardInterrupt raised outside a task group',
      code: 'async def h():\n    try:\n        raise KeyboardInterrupt\n    except BaseExceptionGroup:\n        pass\n',
      errors: [{ line: 3, column: 9 }],
    },
  ],
});

// A coroutine submitted through functools.partial of run_coroutine_threadsafe runs on another thread's loop: an error.
ruleTester('HANG002', {
  valid: [
    {
      name: 'a partial of another function submits nothing; asyncio.run is the entry point',
      code: py`
        import asyncio, sys
        from functools import partial
        async def main():
            sys.exit(2)
        start = partial(asyncio.run, debug=True)
        start(main())
      `,
    },
  ],
  invalid: [
    {
      name: 'submitted through a module-level partial in another module (fixture project)',
      files: fixtureFiles('partial-bot'),
      errors: [{ file: 'bot/commands.py', line: 7, column: 5, severity: 'error', message: 'commands.py:16 hangs' }],
    },
    {
      name: 'submitted through a partial that binds the coroutine',
      code: py`
        import asyncio, sys, functools
        loop = asyncio.new_event_loop()
        async def quit_bot():
            raise SystemExit(0)
        job = functools.partial(asyncio.run_coroutine_threadsafe, quit_bot(), loop)
        job().result(timeout=5)
      `,
      errors: [{ line: 4, column: 5, severity: 'error', message: 'snippet.py:5' }],
    },
    {
      name: 'submitted through a partial held by an attribute',
      code: py`
        import asyncio, sys
        from functools import partial
        async def handle(cmd):
            if cmd == "quit":
                sys.exit(0)
        class Bot:
            def __init__(self, loop):
                self._submit = partial(asyncio.run_coroutine_threadsafe, loop=loop)
            def on_message(self, cmd):
                return self._submit(handle(cmd)).result(timeout=5)
      `,
      errors: [{ line: 5, column: 9, severity: 'error', message: 'snippet.py:10' }],
    },
  ],
});

// click: calling a command or group (or its main()) in standalone mode, the default, ends in sys.exit().
const clickCli = py`
  import click

  @click.group()
  def cli():
      pass

  @cli.command()
  @click.argument("n", type=int)
  def kick(n):
      click.echo(f"kick {n}")

  @click.command
  def ping():
      click.echo("pong")
`;
ruleTester('HANG002', {
  valid: [
    {
      name: 'standalone_mode=False, click.Abort and ctx.exit() (RuntimeErrors), a look-alike main()',
      files: {
        'bot/__init__.py': '',
        'bot/cli.py': clickCli,
        'bot/handlers.py': py`
          import click
          from bot.cli import cli, ping
          class Game:
              def main(self, args):
                  return args
          async def on_ping(text):
              ping(standalone_mode=False)
              return cli.main(text.split(), prog_name="bot", standalone_mode=False)
          async def on_abort():
              raise click.Abort()
          async def on_exit(ctx: click.Context):
              ctx.exit(0)
          async def on_game(text):
              Game().main(text.split())
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'a chat bot parsing commands with a click group, submitted to another loop, and a command called directly',
      files: {
        'bot/__init__.py': '',
        'bot/cli.py': clickCli,
        'bot/handlers.py': py`
          import asyncio
          from bot import cli as commands
          from bot.cli import kick
          loop = asyncio.new_event_loop()
          async def on_message(text):
              commands.cli.main(args=text.split(), prog_name="bot")
          async def on_kick(text):
              kick([text])
          def bridge(text):
              asyncio.run_coroutine_threadsafe(on_message(text), loop).result(timeout=5)
        `,
      },
      errors: [
        { file: 'bot/handlers.py', line: 6, column: 5, severity: 'error', message: '`SystemExit` can escape `on_message()`: handlers.py:10 hangs' },
        { file: 'bot/handlers.py', line: 8, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_kick()`' },
      ],
    },
  ],
});

// A helper known by a parameter's or an attribute's type annotation, in another module, that exits.
const annotatedConfig = {
  'bot/__init__.py': '',
  'bot/config.py': py`
    import os
    import sys

    class Config:
        def __init__(self, path):
            self.path = path

        def load(self):
            if not os.path.exists(self.path):
                sys.exit(f"config file {self.path} is missing")
            return open(self.path).read()

    class SafeConfig(Config):
        def load(self):
            if not os.path.exists(self.path):
                raise FileNotFoundError(self.path)
            return open(self.path).read()
  `,
};
ruleTester('HANG002', {
  valid: [
    {
      name: 'an annotated helper that raises an ordinary exception, and one whose exit is caught',
      files: {
        ...annotatedConfig,
        'bot/handlers.py': py`
          import logging
          from bot.config import Config, SafeConfig

          async def reload(cfg: SafeConfig):
              return cfg.load()

          async def reload_guarded(cfg: Config):
              try:
                  return cfg.load()
              except SystemExit:
                  logging.error("reload failed")
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'a coroutine calling a method of an annotated parameter and of an annotated attribute that reach sys.exit',
      files: {
        ...annotatedConfig,
        'bot/handlers.py': py`
          import asyncio
          from typing import Optional
          from bot.config import Config

          async def reload(cfg: Optional[Config]):
              return cfg.load()

          class Commands:
              def __init__(self, cfg, loop):
                  self.cfg: Config = cfg
                  self.loop = loop

              async def on_reload(self):
                  self.cfg.load()

              def schedule(self):
                  return asyncio.run_coroutine_threadsafe(self.on_reload(), self.loop)
        `,
      },
      errors: [
        { file: 'bot/handlers.py', line: 6, column: 12, message: '`SystemExit` can escape coroutine `reload()` via `cfg.load()` (config.py:10)', severity: 'warning' },
        { file: 'bot/handlers.py', line: 14, column: 9, message: '`SystemExit` can escape `on_reload()` via `self.cfg.load()`', severity: 'error' },
      ],
    },
  ],
});

// A click command made by `@group.command()` on a group imported from another module, and typer's `app()`.
const adminCommands = py`
  import click
  from .cli import cli

  @cli.command()
  @click.argument("name")
  def kick(name):
      click.echo(f"kicked {name}")

  @cli.group
  def roles():
      pass
`;
ruleTester('HANG002', {
  valid: [
    {
      name: 'commands of an imported group and a typer app called with standalone_mode=False, a registry of its own',
      files: {
        'bot/__init__.py': '',
        'bot/cli.py': clickCli,
        'bot/admin.py': adminCommands,
        'bot/registry.py': py`
          class Registry:
              def __init__(self):
                  self.commands = {}
              def command(self, name=None):
                  def register(fn):
                      self.commands[name or fn.__name__] = fn
                      return fn
                  return register
          registry = Registry()
        `,
        'bot/handlers.py': py`
          import typer
          from .admin import kick, roles
          from .registry import registry

          app = typer.Typer()

          @app.command()
          def status():
              print("ok")

          @registry.command()
          def mute(name):
              return name

          async def on_kick(text):
              return kick(text.split(), standalone_mode=False)

          async def on_roles(text):
              return roles.main(text.split(), prog_name="roles", standalone_mode=False)

          async def on_status(text):
              status()
              mute(text)
              return app(text.split(), standalone_mode=False)
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'commands of a group imported from another module, and a typer app, called in coroutines',
      files: {
        'bot/__init__.py': '',
        'bot/cli.py': clickCli,
        'bot/admin.py': adminCommands,
        'bot/handlers.py': py`
          import asyncio
          import typer
          from .admin import kick, roles

          app = typer.Typer()
          loop = asyncio.new_event_loop()

          @app.command()
          def status():
              print("ok")

          async def on_kick(text):
              kick(text.split())

          async def on_roles(text):
              roles.main(text.split())

          async def on_status(text):
              app(text.split())

          def bridge(text):
              return asyncio.run_coroutine_threadsafe(on_status(text), loop).result(timeout=5)
        `,
      },
      errors: [
        { file: 'bot/handlers.py', line: 13, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_kick()`' },
        { file: 'bot/handlers.py', line: 16, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_roles()`' },
        { file: 'bot/handlers.py', line: 19, column: 5, severity: 'error', message: '`SystemExit` can escape `on_status()`: handlers.py:22 hangs' },
      ],
    },
  ],
});

// standalone_mode=False by position (click's `main(args, prog_name, complete_var, standalone_mode)`), and exits taken with getattr.
ruleTester('HANG002', {
  valid: [
    {
      name: 'click commands given standalone_mode=False by position, across modules; os._exit through getattr; a dynamic getattr',
      files: {
        'bot/__init__.py': '',
        'bot/cli.py': clickCli,
        'bot/admin.py': adminCommands,
        'bot/handlers.py': py`
          import os
          import sys
          from bot.cli import cli, ping
          from .admin import roles

          async def on_message(text):
              return cli.main(text.split(), "bot", None, False)

          async def on_ping(text):
              return ping(text.split(), "ping", None, False)

          async def on_roles(text, complete_var=None):
              return roles.main(text.split(), "roles", complete_var, False)

          async def on_crash(code):
              hard_exit = getattr(os, "_exit")
              hard_exit(code)

          async def on_hook(name):
              getattr(sys, name)()
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'standalone_mode=True by position or a flag not known to be False, and sys.exit taken with getattr',
      files: {
        'bot/__init__.py': '',
        'bot/cli.py': clickCli,
        'bot/handlers.py': py`
          import asyncio
          import sys
          from bot.cli import cli, ping

          loop = asyncio.new_event_loop()
          EXIT = getattr(sys, "exit")

          async def on_message(text):
              cli.main(text.split(), "bot", None, True)

          async def on_ping(text, standalone):
              ping(text.split(), "ping", None, standalone)

          async def on_quit(code):
              exit_fn = getattr(sys, "exit")
              exit_fn(code)

          async def on_stop():
              getattr(sys, "exit", None)(0)

          async def on_fatal(msg):
              EXIT(msg)

          def bridge(code):
              return asyncio.run_coroutine_threadsafe(on_quit(code), loop).result(timeout=5)
        `,
      },
      errors: [
        { file: 'bot/handlers.py', line: 9, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_message()`' },
        { file: 'bot/handlers.py', line: 12, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_ping()`' },
        { file: 'bot/handlers.py', line: 16, column: 5, severity: 'error', message: '`SystemExit` can escape `on_quit()`: handlers.py:25 hangs' },
        { file: 'bot/handlers.py', line: 19, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_stop()`' },
        { file: 'bot/handlers.py', line: 22, column: 5, severity: 'warning', message: '`SystemExit` can escape coroutine `on_fatal()`' },
      ],
    },
  ],
});
