"""HANG001 fixed: the same dead loop, but the wait has a timeout.

result(timeout=...) raises TimeoutError; the future is still not done and the
loop thread is dead, which is what the rule's docs say the caller must handle.
"""
import asyncio
import concurrent.futures
import threading


async def shutdown_worker():
    raise SystemExit(3)


loop = asyncio.new_event_loop()
loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
loop_thread.start()

fut = asyncio.run_coroutine_threadsafe(shutdown_worker(), loop)
try:
    fut.result(timeout=1.5)
except concurrent.futures.TimeoutError:
    print("timed-out")
print(f"done={fut.done()}")
print(f"loop-thread-alive={loop_thread.is_alive()}")
