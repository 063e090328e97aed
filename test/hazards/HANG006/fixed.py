"""HANG006 fixed: the SIGTERM handler stops the loop, and the code after
run_forever() shuts down.

loop.stop() lets run_forever() return normally; the pending tasks are then
cancelled (as asyncio.run() does on its way out), which completes the worker's
future with CancelledError, and the process exits.
"""
import asyncio
import concurrent.futures
import os
import signal
import threading

loop = asyncio.new_event_loop()


async def fetch():
    await asyncio.sleep(60)  # stands in for slow I/O
    return "data"


def worker():
    fut = asyncio.run_coroutine_threadsafe(fetch(), loop)
    print("waiting")
    try:
        print(fut.result(timeout=30))
    except concurrent.futures.CancelledError:
        print("worker-cancelled")


loop.add_signal_handler(signal.SIGTERM, loop.stop)
thread = threading.Thread(target=worker)
thread.start()
loop.call_later(0.3, os.kill, os.getpid(), signal.SIGTERM)
loop.run_forever()
print("run_forever-returned")
pending = asyncio.all_tasks(loop)
for task in pending:
    task.cancel()
loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
loop.close()
thread.join()
