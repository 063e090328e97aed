"""HANG008's hazard: a done() poll with no deadline on a future whose loop died.

The coroutine raises SystemExit; asyncio's Task re-raises it out of
run_forever(), the loop thread ends, and nothing ever completes the future:
fut.done() stays False and the loop below polls forever (HANG001's hang,
moved into a loop).
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
time.sleep(0.5)
print(f"loop-thread-alive={loop_thread.is_alive()}")
print("polling")
while not fut.done():
    time.sleep(0.1)
print("returned")
