"""HANG008 fixed: the same dead loop, but the poll has a deadline.

The loop ends when the deadline passes; the future is still not done, so the
caller cancels it and reports the stopped loop instead of reading its result.
"""
import asyncio
import threading
import time


async def shutdown_worker():
    raise SystemExit(3)


loop = asyncio.new_event_loop()
loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
loop_thread.start()

fut = asyncio.run_coroutine_threadsafe(shutdown_worker(), loop)
deadline = time.monotonic() + 1
while not fut.done() and time.monotonic() < deadline:
    time.sleep(0.1)
if not fut.done():
    print("deadline-passed")
    print(f"cancelled={fut.cancel()}")
print(f"loop-thread-alive={loop_thread.is_alive()}")
