"""HANG007's hazard: a hand-made Future completed only by a loop callback.

run_callback_threadsafe() (the helper Home Assistant had, issue #45795) makes
a concurrent.futures.Future and completes it from a call_soon_threadsafe
callback. The loop's thread has died (a task raised SystemExit), so the
callback is queued but never runs, and result() without a timeout waits on
the future's threading.Condition forever.
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
print(f"loop-thread-alive={loop_thread.is_alive()}")
print(f"loop-closed={loop.is_closed()}")
print(f"done={fut.done()}")
print("waiting")
fut.result()
print("returned")
