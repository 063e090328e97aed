"""The bridge between the synchronous side of the service and its event loop.

LOOP runs forever in a daemon thread, and call_in_loop() is the one place that
hands coroutines to it, so every caller of call_in_loop() gets a
run_coroutine_threadsafe future. die() is the helper for fatal errors: from a
synchronous caller it ends the program, but from a coroutine running on LOOP it
only stops the loop, and everyone waiting on that loop hangs.
"""

import asyncio
import sys
import threading

LOOP = asyncio.new_event_loop()
_loop_thread = threading.Thread(target=LOOP.run_forever, name="service-loop", daemon=True)
_loop_thread.start()


class Shutdown(SystemExit):
    """Stops the service. A SystemExit, so asyncio re-raises it out of the loop."""


def call_in_loop(coro):
    return asyncio.run_coroutine_threadsafe(coro, LOOP)  # ok: the future goes back to the caller


def die(reason):
    print(f"fatal: {reason}", file=sys.stderr)
    sys.exit(1)  # ok: die() is synchronous; HANG002 reports the coroutines that call it
