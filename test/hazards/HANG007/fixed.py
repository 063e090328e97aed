"""HANG007 fixed: the same dead loop, but the wait has a timeout.

result(timeout=...) raises TimeoutError; the future is still pending (the
callback never ran), so the caller cancels it and reports the stopped loop.
"""
import asyncio
import concurrent.futures
import threading
import time


def run_callback_threadsafe(loop, callback, *args):
    future = concurrent.futures.Future()

    def run_callback():
        try:
            future.set_result(callback(*args))
        except Exception as exc:
            future.set_exception(exc)

    loop.call_soon_threadsafe(run_callback)
    return future


async def shutdown_worker():
    raise SystemExit(3)


loop = asyncio.new_event_loop()
loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
loop_thread.start()
loop.call_soon_threadsafe(loop.create_task, shutdown_worker())
time.sleep(0.5)

fut = run_callback_threadsafe(loop, sum, [1, 2])
try:
    fut.result(timeout=1)
except concurrent.futures.TimeoutError:
    print("timed-out")
    print(f"cancelled={fut.cancel()}")
print(f"done={fut.done()}")
print(f"loop-thread-alive={loop_thread.is_alive()}")
