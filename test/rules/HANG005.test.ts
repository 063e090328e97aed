import { py, ruleTester } from '../rule-tester.js';

ruleTester('HANG005', {
  valid: [
    {
      name: 'the same helper called only from a plain thread',
      code: py`
        import asyncio, threading
        async def fetch():
            return 42
        def fetch_sync():
            return asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop()).result()
        threading.Thread(target=fetch_sync).start()
      `,
    },
    {
      name: 'a helper a coroutine hands to run_in_executor or to_thread runs in a worker thread',
      code: py`
        import asyncio
        async def fetch():
            return 42
        def fetch_sync(loop):
            return asyncio.run_coroutine_threadsafe(fetch(), loop).result(timeout=5)
        async def main():
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, fetch_sync, loop)
            await loop.run_in_executor(None, lambda: fetch_sync(loop))
            await asyncio.to_thread(fetch_sync, loop)
      `,
    },
    {
      name: 'a helper handed to an executor, also through a lambda, is passed, not called, on the loop thread',
      code: py`
        import asyncio
        async def fetch():
            return 42
        def fetch_sync():
            return asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop()).result()
        async def main():
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, fetch_sync)
            await loop.run_in_executor(None, lambda: fetch_sync())
      `,
    },
    {
      name: "another thread's loop, kept on self or in a module variable",
      code: py`
        import asyncio, threading
        LOOP = asyncio.new_event_loop()
        threading.Thread(target=LOOP.run_forever, daemon=True).start()
        async def fetch():
            return 42
        class Client:
            def __init__(self, loop):
                self.loop = loop
            def get(self):
                return asyncio.run_coroutine_threadsafe(fetch(), self.loop).result(timeout=5)
            def get_global(self):
                return asyncio.run_coroutine_threadsafe(fetch(), LOOP).result(timeout=5)
        async def handler(client):
            client.get()
            client.get_global()
      `,
    },
    {
      name: 'a new loop is not the running one',
      code: py`
        import asyncio
        async def fetch():
            return 42
        def fetch_sync():
            loop = asyncio.new_event_loop()
            return asyncio.run_coroutine_threadsafe(fetch(), loop).result(timeout=5)
        async def main():
            fetch_sync()
      `,
    },
    {
      name: 'written directly inside async def: HANG003 reports it, not HANG005',
      code: py`
        import asyncio
        async def fetch():
            return 42
        async def main():
            return asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_running_loop()).result()
      `,
    },
    {
      name: 'a done() check before the wait',
      code: py`
        import asyncio
        async def fetch():
            return 42
        def poll(fut):
            return fut.result() if fut.done() else None
        def start():
            fut = asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop())
            if fut.done():
                return fut.result()
            return None
        async def main():
            start()
      `,
    },
    {
      name: 'an executor future waited on the loop thread is not this rule',
      code: py`
        import asyncio
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor()
        def digest(data):
            return POOL.submit(hash, data).result()
        async def main():
            digest(b"x")
      `,
    },
    {
      name: 'the loop kept on self in a coroutine, waited on from a worker thread it starts',
      code: py`
        import asyncio, threading
        async def fetch():
            return 42
        class Service:
            async def start(self):
                self._loop = asyncio.get_running_loop()
                threading.Thread(target=self._worker, daemon=True).start()
            def _worker(self):
                print(asyncio.run_coroutine_threadsafe(fetch(), self._loop).result())
      `,
    },
    {
      name: 'a loop parameter given another loop, from a protocol method',
      code: py`
        import asyncio
        async def fetch():
            return 42
        def relay(loop):
            return asyncio.run_coroutine_threadsafe(fetch(), loop).result(timeout=5)
        class Relay(asyncio.Protocol):
            def __init__(self, backend_loop):
                self.backend = backend_loop
            def data_received(self, data):
                relay(self.backend)
      `,
    },
  ],
  invalid: [
    {
      name: 'a lambda, a partial and a helper-scheduled callable handed to the loop, each waiting in a helper',
      code: py`
        import asyncio, functools
        async def fetch():
            return 1
        def refresh(key):
            return asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop()).result()
        def defer(loop, fn, *args):
            loop.call_soon(fn, *args)
        async def main():
            loop = asyncio.get_running_loop()
            loop.call_soon(lambda: refresh("a"))
            loop.call_later(1, functools.partial(refresh, "b"))
            defer(loop, refresh, "c")
      `,
      errors: [{ line: 5, column: 79, messageId: 'deadlock', related: 1 }],
    },
    {
      name: 'self._loop set from get_running_loop in a coroutine, waited on in a helper it calls',
      code: py`
        import asyncio
        async def fetch():
            return 42
        class Service:
            async def start(self):
                self._loop = asyncio.get_running_loop()
                return self.fetch_sync()
            def fetch_sync(self):
                return asyncio.run_coroutine_threadsafe(fetch(), self._loop).result()
      `,
      errors: [{ line: 9, column: 69, messageId: 'deadlock', message: '`asyncio.run_coroutine_threadsafe(fetch(), self._loop).result()`', related: 2 }],
    },
    {
      name: 'self.loop from get_event_loop, waited on in a helper of a protocol method',
      code: py`
        import asyncio
        async def lookup(key):
            return key
        class Cache(asyncio.Protocol):
            def __init__(self):
                self.loop = asyncio.get_event_loop()
            def data_received(self, data):
                self.reply(data)
            def reply(self, data):
                fut = asyncio.run_coroutine_threadsafe(lookup(data), self.loop)
                return fut.result(timeout=2)
      `,
      errors: [{ line: 11, column: 19, messageId: 'frozen', related: 2 }],
    },
    {
      name: 'a loop parameter whose callers pass the running loop, in another module',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': py`
          import asyncio
          async def fetch():
              return 42
          def fetch_sync(loop):
              return asyncio.run_coroutine_threadsafe(fetch(), loop).result()
        `,
        'svc/app.py': py`
          import asyncio
          from svc.bridge import fetch_sync
          async def handler():
              loop = asyncio.get_running_loop()
              return fetch_sync(loop)
        `,
      },
      errors: [{ file: 'svc/bridge.py', line: 5, column: 59, messageId: 'deadlock' }],
    },
    {
      name: 'a helper a coroutine calls, without a timeout: deadlock',
      code: py`
        import asyncio
        async def fetch(url):
            return url
        def fetch_sync(url):
            return asyncio.run_coroutine_threadsafe(fetch(url), asyncio.get_event_loop()).result()
        async def handler(url):
            return fetch_sync(url)
      `,
      errors: [{ line: 5, column: 82, messageId: 'deadlock', message: 'waits for a coroutine that loop must run: deadlock', related: 2 }],
    },
    {
      name: 'with a timeout, through a local and two helpers from a coroutine method',
      code: py`
        import asyncio
        async def load(key):
            return key
        def load_now(key):
            loop = asyncio.get_running_loop()
            fut = asyncio.run_coroutine_threadsafe(load(key), loop)
            return fut.result(timeout=5)
        def cached(key):
            return load_now(key)
        class View:
            async def get(self, key):
                return cached(key)
      `,
      errors: [{ line: 7, column: 15, messageId: 'frozen', message: '`fut.result()` on the event loop', related: 3 }],
    },
    {
      name: 'concurrent.futures.wait in a call_soon callback',
      code: py`
        import asyncio, concurrent.futures
        async def flush():
            pass
        def on_tick():
            futs = [asyncio.run_coroutine_threadsafe(flush(), asyncio.get_event_loop())]
            concurrent.futures.wait(futs)
        def start(loop):
            loop.call_soon(on_tick)
      `,
      errors: [{ line: 6, column: 5, messageId: 'deadlock', message: '`wait(futs)`', related: 1 }],
    },
    {
      name: 'exception() in a protocol callback',
      code: py`
        import asyncio
        async def store(data):
            return len(data)
        class Echo(asyncio.Protocol):
            def data_received(self, data):
                fut = asyncio.run_coroutine_threadsafe(store(data), asyncio.get_event_loop())
                if fut.exception(timeout=1):
                    self.transport.close()
      `,
      errors: [{ line: 7, column: 15, messageId: 'frozen', message: '`fut.exception()`', related: 1 }],
    },
    {
      name: 'a done-callback of an asyncio task waiting on a new submission',
      code: py`
        import asyncio
        async def report(result):
            print(result)
        def on_done(task):
            asyncio.run_coroutine_threadsafe(report(task.result()), asyncio.get_event_loop()).result()
        async def main(job):
            asyncio.ensure_future(job).add_done_callback(on_done)
      `,
      errors: [{ line: 5, column: 86 }],
    },
    {
      name: 'a helper in one module, the coroutine calling it in another',
      files: {
        'app/__init__.py': '',
        'app/sync_bridge.py': py`
          import asyncio
          def run_sync(coro, timeout=None):
              return asyncio.run_coroutine_threadsafe(coro, asyncio.get_event_loop()).result(timeout)
        `,
        'app/views.py': py`
          from app.sync_bridge import run_sync
          async def load_user(uid):
              return {"id": uid}
          async def profile(uid):
              user = run_sync(load_user(uid))
              return user
        `,
      },
      errors: [{ file: 'app/sync_bridge.py', line: 3, column: 76, messageId: 'frozen', message: 'blocks it until the timeout', related: 2 }],
    },
    {
      name: 'a wrapper returning the future in one module, waited in a helper of another',
      files: {
        'svc/__init__.py': '',
        'svc/bridge.py': py`
          import asyncio
          def submit(coro):
              return asyncio.run_coroutine_threadsafe(coro, asyncio.get_event_loop())
        `,
        'svc/render.py': py`
          from svc.bridge import submit
          async def load():
              return "page"
          def render():
              return submit(load()).result()
          async def view():
              return render()
        `,
      },
      errors: [{ file: 'svc/render.py', line: 5, column: 26, messageId: 'deadlock' }],
    },
  ],
});
