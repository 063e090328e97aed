"""Synchronous code that runs on an event loop's own thread.

Coroutines call these helpers, or the loop is handed them to call (signal
handlers), so they run on the thread that runs the loop: a blocking wait here
blocks the loop, and an exit here stops it.
"""

import asyncio
import signal
import sys

from .bridge import LOOP


async def lookup(key):
    await asyncio.sleep(0)
    return key.upper()


def lookup_now(key):
    # refresh() calls this on the loop's own thread: it submits to that running loop, then blocks it.
    future = asyncio.run_coroutine_threadsafe(lookup(key), asyncio.get_event_loop())
    return future.result(timeout=5)  # expect: HANG005


def lookup_from_thread(key):
    # Worker threads call this; LOOP runs in a thread of its own.
    return asyncio.run_coroutine_threadsafe(lookup(key), LOOP).result(timeout=5)  # ok: LOOP is another thread's loop


async def refresh(keys):
    return [lookup_now(key) for key in keys]


def install_signal_handlers(loop):
    loop.add_signal_handler(signal.SIGTERM, sys.exit)  # expect: HANG006
    loop.add_signal_handler(signal.SIGINT, loop.stop)  # ok: loop.stop lets run_forever() return normally
