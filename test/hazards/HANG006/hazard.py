"""HANG006's hazard: sys.exit as the loop's SIGTERM handler.

The loop calls the handler from a Handle; Handle._run re-raises SystemExit out
of run_forever(), so the loop stops with the worker's coroutine unfinished. Its
run_coroutine_threadsafe future stays pending: the worker (not a daemon) waits
forever, and the interpreter, which joins it at exit, never ends: the process
survives SIGTERM.
"""
import asyncio
import os
import signal
import sys
import threading

loop = asyncio.new_event_loop()


async def fetch():
    await asyncio.sleep(60)  # stands in for slow I/O
    return "data"


def worker():
    fut = asyncio.run_coroutine_threadsafe(fetch(), loop)
    print("waiting")
    print(fut.result())
    print("never printed")


loop.add_signal_handler(signal.SIGTERM, sys.exit)
threading.Thread(target=worker).start()
loop.call_later(0.3, os.kill, os.getpid(), signal.SIGTERM)
try:
    loop.run_forever()
except SystemExit:
    print("run_forever-raised=SystemExit")
    raise
