"""HANG002's hazard: a submitted coroutine reaches sys.exit through a helper.

SystemExit escapes the Task, run_forever() re-raises it, the loop thread ends:
the waiter's future stays pending, so even a bounded wait only learns "timeout".
"""
import asyncio
import concurrent.futures
import sys
import threading


def require_config(config):
    if "url" not in config:
        sys.exit("missing url")
    return config["url"]


async def connect(config):
    return require_config(config)


loop = asyncio.new_event_loop()
loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
loop_thread.start()

fut = asyncio.run_coroutine_threadsafe(connect({}), loop)
try:
    fut.result(timeout=1.5)
except concurrent.futures.TimeoutError:
    print("timed-out")
print(f"done={fut.done()}")
print(f"loop-thread-alive={loop_thread.is_alive()}")
