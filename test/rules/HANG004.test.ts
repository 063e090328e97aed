import { fixtureFiles, py, ruleTester } from '../rule-tester.js';

const header = 'import asyncio\nloop = asyncio.new_event_loop()\nasync def work():\n    return 1\n';

ruleTester('HANG004', {
  valid: [
    { name: 'stored', code: header + 'fut = asyncio.run_coroutine_threadsafe(work(), loop)\n' },
    { name: 'stored in _ on purpose', code: header + '_ = asyncio.run_coroutine_threadsafe(work(), loop)\n' },
    { name: 'returned', code: header + 'def submit():\n    return asyncio.run_coroutine_threadsafe(work(), loop)\n' },
    { name: 'passed on', code: header + 'pending = []\npending.append(asyncio.run_coroutine_threadsafe(work(), loop))\n' },
    { name: 'given a done-callback', code: header + 'asyncio.run_coroutine_threadsafe(work(), loop).add_done_callback(print)\n' },
    { name: 'waited on', code: header + 'asyncio.run_coroutine_threadsafe(work(), loop).result(timeout=1)\n' },
    { name: 'call_soon_threadsafe returns a handle, not a future', code: 'import asyncio\nloop = asyncio.new_event_loop()\nloop.call_soon_threadsafe(print)\n' },
    { name: 'a function that returns nothing', code: 'def log(x):\n    print(x)\nlog(1)\n' },
  ],
  invalid: [
    { name: 'an expression statement', code: header + 'asyncio.run_coroutine_threadsafe(work(), loop)\n', errors: [{ line: 5, column: 1, severity: 'warning', message: 'asyncio.run_coroutine_threadsafe(...)' }] },
    { name: 'inside a function', code: header + 'def fire():\n    asyncio.run_coroutine_threadsafe(work(), loop)\n', errors: [{ line: 6, column: 5 }] },
    {
      name: 'a wrapper from another module',
      files: {
        'app/__init__.py': '',
        'app/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'app/main.py': 'from .bridge import call_in_loop\nasync def ping():\n    pass\ndef fire():\n    call_in_loop(ping())\n',
      },
      errors: [{ file: 'app/main.py', line: 5, column: 5, message: 'call_in_loop(...)' }],
    },
  ],
});

// functools.partial of run_coroutine_threadsafe: a call of the partial makes a future, and dropping it loses the error.
ruleTester('HANG004', {
  valid: [
    {
      name: 'the partial itself stored, and its futures kept',
      code: header + 'from functools import partial\nsubmit = partial(asyncio.run_coroutine_threadsafe, loop=loop)\npending = [submit(work())]\nfut = submit(work())\n',
    },
    {
      name: 'a partial of call_soon_threadsafe returns a handle',
      code: header + 'import functools\nlater = functools.partial(loop.call_soon_threadsafe, print)\nlater(1)\n',
    },
  ],
  invalid: [
    {
      name: 'a module-level partial and an attribute set in __init__ (fixture project)',
      files: fixtureFiles('partial-bot'),
      errors: [
        { file: 'bot/commands.py', line: 18, column: 9, message: '`submit(...)`' },
        { file: 'bot/loopthread.py', line: 29, column: 9, message: '`self._submit(...)`' },
      ],
    },
    {
      name: 'a local partial under an alias',
      code: header + 'from functools import partial as p\ndef fire():\n    run = p(asyncio.run_coroutine_threadsafe, loop=loop)\n    run(work())\n',
      errors: [{ line: 8, column: 5, message: '`run(...)`' }],
    },
  ],
});

// Futures left only to callbacks that ignore them, and futures returned to APIs that drop what a callback returns.
ruleTester('HANG004', {
  valid: [
    {
      name: 'done-callbacks that read the outcome, a method callback, and a future also kept',
      code: header + py`
        import logging
        def log_failure(fut):
            if fut.exception() is not None:
                logging.error("job failed", exc_info=fut.exception())
        class Jobs:
            def start(self):
                asyncio.run_coroutine_threadsafe(work(), loop).add_done_callback(log_failure)
                fut = asyncio.run_coroutine_threadsafe(work(), loop)
                fut.add_done_callback(lambda f: f.result())
                other = asyncio.run_coroutine_threadsafe(work(), loop)
                other.add_done_callback(self.finished)
                kept = asyncio.run_coroutine_threadsafe(work(), loop)
                kept.add_done_callback(lambda _: None)
                self.pending = kept
            def finished(self, fut):
                print(fut)
        def closure():
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            fut.add_done_callback(lambda _: print(fut.exception(0)))
      `,
    },
    {
      name: 'an after= callback that logs, a thread target that waits, a partial callback',
      code: header + py`
        import functools, threading
        def play(voice, source):
            voice.play(source, after=lambda e: print("player error", e))
            threading.Thread(target=lambda: asyncio.run_coroutine_threadsafe(work(), loop).result(5)).start()
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            fut.add_done_callback(functools.partial(print, "done"))
      `,
    },
  ],
  invalid: [
    {
      name: 'futures whose only use is a callback that ignores them',
      code: header + py`
        import logging
        def on_done(_):
            logging.info("finished")
        def fire():
            asyncio.run_coroutine_threadsafe(work(), loop).add_done_callback(lambda _: None)
            fut = asyncio.run_coroutine_threadsafe(work(), loop)
            fut.add_done_callback(on_done)
        async def relay(bridge_loop):
            pending = asyncio.run_coroutine_threadsafe(work(), bridge_loop)
            pending.add_done_callback(lambda f: logging.debug("relayed"))
      `,
      errors: [
        { line: 9, column: 5, message: '`asyncio.run_coroutine_threadsafe(...)`' },
        { line: 10, column: 11 },
        { line: 13, column: 15 },
      ],
    },
    {
      name: 'after= in the discord voice idiom, a thread target and a done-callback returning a new future',
      code: header + py`
        import threading
        from asyncio import run_coroutine_threadsafe as submit
        class Player:
            def __init__(self, voice, bot_loop):
                self.voice = voice
                self.loop = bot_loop
            async def next_song(self):
                return None
            def start(self, source):
                self.voice.play(source, after=lambda e: submit(self.next_song(), self.loop))
                threading.Thread(target=lambda: asyncio.run_coroutine_threadsafe(work(), loop), daemon=True).start()
                first = submit(work(), self.loop)
                first.add_done_callback(lambda f: submit(self.next_song(), self.loop))
                return first
      `,
      errors: [
        { line: 14, column: 49, message: '`submit(...)`' },
        { line: 15, column: 41 },
        { line: 17, column: 43 },
      ],
    },
  ],
});

// A receiver known by its type annotation: its method returns the future the caller drops.
ruleTester('HANG004', {
  valid: [
    {
      name: 'an annotated receiver whose future is kept',
      files: {
        'app/__init__.py': '',
        'app/bridge.py': 'import asyncio\nclass Bridge:\n    def __init__(self, loop):\n        self.loop = loop\n    def submit(self, coro):\n        return asyncio.run_coroutine_threadsafe(coro, self.loop)\n',
        'app/notify.py': py`
          import logging
          from app.bridge import Bridge
          async def notify(user):
              return user
          def fire(bridge: Bridge, user):
              fut = bridge.submit(notify(user))
              fut.add_done_callback(lambda f: f.exception() and logging.error("notify failed", exc_info=f.exception()))
              return fut
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'a parameter annotated with a project class whose submit returns the future',
      files: {
        'app/__init__.py': '',
        'app/bridge.py': 'import asyncio\nclass Bridge:\n    def __init__(self, loop):\n        self.loop = loop\n    def submit(self, coro):\n        return asyncio.run_coroutine_threadsafe(coro, self.loop)\n',
        'app/notify.py': py`
          from typing import Optional
          from app.bridge import Bridge
          async def notify(user):
              return user
          class Notifier:
              def __init__(self, bridge: Optional[Bridge]):
                  self.bridge: Optional[Bridge] = bridge
              def fire(self, user):
                  self.bridge.submit(notify(user))
          def fire(bridge: "Bridge", user):
              bridge.submit(notify(user))
        `,
      },
      errors: [
        { file: 'app/notify.py', line: 9, column: 9, message: '`self.bridge.submit(...)`' },
        { file: 'app/notify.py', line: 11, column: 5, message: '`bridge.submit(...)`' },
      ],
    },
  ],
});

// A named function, a bound method or a partial handed to an API that drops what it returns.
const voicePlayer = py`
  import asyncio
  import functools
  import logging
  import threading
  from functools import partial

  log = logging.getLogger(__name__)

  class Player:
      def __init__(self, voice, loop):
          self.voice = voice
          self.loop = loop

      async def next_song(self):
          return None

`;
/** Methods of Player: `py` dedents a block, so they are indented back under the class. */
const playerMethods = (text: string) => text.replace(/^(?=.)/gm, '    ');
ruleTester('HANG004', {
  valid: [
    {
      name: 'after= and thread callbacks that keep, check or return nothing of the future',
      code: voicePlayer + playerMethods(py`
          def on_done(self, error):
              if error:
                  log.error("player error: %s", error)
              fut = asyncio.run_coroutine_threadsafe(self.next_song(), self.loop)
              fut.add_done_callback(lambda f: f.exception() and log.error("next_song failed", exc_info=f.exception()))

          def start(self, source):
              self.voice.play(source, after=self.on_done)
              threading.Thread(target=self.voice.stop, daemon=True).start()
              self.loop.call_soon_threadsafe(partial(log.info, "started %s", source))
      `),
    },
  ],
  invalid: [
    {
      name: 'after= given a method that returns the future, one that drops it, and partials of run_coroutine_threadsafe as callbacks',
      code: voicePlayer + playerMethods(py`
          def on_done(self, error):
              return asyncio.run_coroutine_threadsafe(self.next_song(), self.loop)

          def on_done_quiet(self, error):
              asyncio.run_coroutine_threadsafe(self.next_song(), self.loop)

          def start(self, source):
              self.voice.play(source, after=self.on_done)

          def start_quiet(self, source):
              self.voice.play(source, after=self.on_done_quiet)

          def skip_later(self, seconds):
              threading.Timer(seconds, partial(asyncio.run_coroutine_threadsafe, self.next_song(), self.loop)).start()
              self.loop.call_soon_threadsafe(functools.partial(asyncio.run_coroutine_threadsafe, self.next_song(), self.loop))
      `),
      errors: [
        { line: 21, column: 9, message: '`asyncio.run_coroutine_threadsafe(...)`' },
        { line: 24, column: 39, message: 'The future of `self.on_done(...)` is discarded' },
        { line: 30, column: 34, message: 'The future of `asyncio.run_coroutine_threadsafe(...)` is discarded' },
        { line: 31, column: 40, message: '`asyncio.run_coroutine_threadsafe(...)`' },
      ],
    },
    {
      name: 'a thread target from another module returning a wrapper future',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': 'import asyncio\nLOOP = asyncio.new_event_loop()\ndef call_in_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
        'svc/jobs.py': py`
          import threading
          from .bridge import call_in_loop

          async def refresh_cache():
              return 1

          def kick_refresh():
              return call_in_loop(refresh_cache())

          def start():
              threading.Thread(target=kick_refresh, name="refresh", daemon=True).start()
        `,
      },
      errors: [{ file: 'svc/jobs.py', line: 11, column: 29, message: 'The future of `kick_refresh(...)` is discarded' }],
    },
  ],
});

// A wrapper that attaches a done-callback handling the future and returns it: dropping what it returns drops nothing.
ruleTester('HANG004', {
  valid: [
    {
      name: 'a wrapper from another module that logs failures, called as a statement, through a method and a wrapper of it',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': py`
          import asyncio
          import logging

          log = logging.getLogger(__name__)
          LOOP = asyncio.new_event_loop()

          def log_failure(fut):
              if not fut.cancelled() and fut.exception() is not None:
                  log.error("background job failed", exc_info=fut.exception())

          def submit(coro):
              fut = asyncio.run_coroutine_threadsafe(coro, LOOP)
              fut.add_done_callback(log_failure)
              return fut

          def submit_later(coro):
              return submit(coro)

          class Bridge:
              def __init__(self, loop):
                  self.loop = loop

              def spawn(self, coro, name):
                  future = asyncio.run_coroutine_threadsafe(coro, self.loop)
                  future.add_done_callback(self._report)
                  return future

              def spawn_quiet(self, coro):
                  future = asyncio.run_coroutine_threadsafe(coro, self.loop)
                  future.add_done_callback(lambda f: f.exception() and log.warning("failed: %r", f.exception()))
                  return future

              def _report(self, fut):
                  if fut.exception() is not None:
                      log.error("job failed: %r", fut.exception())
        `,
        'svc/handlers.py': py`
          from .bridge import Bridge, submit, submit_later

          async def refresh_cache():
              return 1

          def on_request(bridge: Bridge):
              submit(refresh_cache())
              submit_later(refresh_cache())
              bridge.spawn(refresh_cache(), "refresh")
              bridge.spawn_quiet(refresh_cache())
        `,
      },
    },
  ],
  invalid: [
    {
      name: 'wrappers whose callback ignores the future, that return one future unhandled, or that handle another name',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': py`
          import asyncio
          import threading

          LOOP = asyncio.new_event_loop()
          finished = threading.Event()

          def mark_done(_):
              finished.set()

          def log_failure(fut):
              print(fut.exception())

          def submit(coro):
              fut = asyncio.run_coroutine_threadsafe(coro, LOOP)
              fut.add_done_callback(mark_done)
              return fut

          def submit_or_retry(coro, retry):
              fut = asyncio.run_coroutine_threadsafe(coro, LOOP)
              fut.add_done_callback(log_failure)
              if retry:
                  return asyncio.run_coroutine_threadsafe(coro, LOOP)
              return fut

          def submit_twice(coro):
              first = asyncio.run_coroutine_threadsafe(coro, LOOP)
              first.add_done_callback(log_failure)
              second = asyncio.run_coroutine_threadsafe(coro, LOOP)
              return second
        `,
        'svc/handlers.py': py`
          from . import bridge

          async def refresh_cache():
              return 1

          def on_request():
              bridge.submit(refresh_cache())
              bridge.submit_or_retry(refresh_cache(), retry=True)
              bridge.submit_twice(refresh_cache())
        `,
      },
      errors: [
        { file: 'svc/handlers.py', line: 7, column: 5, message: '`bridge.submit(...)`' },
        { file: 'svc/handlers.py', line: 8, column: 5, message: '`bridge.submit_or_retry(...)`' },
        { file: 'svc/handlers.py', line: 9, column: 5, message: '`bridge.submit_twice(...)`' },
      ],
    },
  ],
});
