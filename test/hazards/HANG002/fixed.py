"""HANG002 fixed: the helper raises an ordinary exception instead of exiting.

The Task sets it on the future and the loop keeps running, so the waiter gets
the error at once.
"""
import asyncio
import threading


class ConfigError(Exception):
    pass


def require_config(config):
    if "url" not in config:
        raise ConfigError("missing url")
    return config["url"]


async def connect(config):
    return require_config(config)


loop = asyncio.new_event_loop()
loop_thread = threading.Thread(target=loop.run_forever, daemon=True)
loop_thread.start()

fut = asyncio.run_coroutine_threadsafe(connect({}), loop)
try:
    fut.result(timeout=1.5)
except ConfigError as error:
    print(f"error={error}")
print(f"loop-thread-alive={loop_thread.is_alive()}")
loop.call_soon_threadsafe(loop.stop)
loop_thread.join()
