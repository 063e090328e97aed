"""Synchronous callers that wait for the loop in ways other than result().

run_in_loop() hands a plain function to LOOP through call_soon_threadsafe and
returns a concurrent.futures.Future() that only the scheduled callback
completes: if LOOP has stopped, nothing ever does (HANG007). The pollers below
wait for run_coroutine_threadsafe futures by looping on done(): without a
deadline, a stopped loop makes them spin forever (HANG008).
"""

import concurrent.futures
import time

from .bridge import LOOP, call_in_loop
from .handlers import on_message


def run_in_loop(func, *args):
    future = concurrent.futures.Future()

    def run():
        try:
            future.set_result(func(*args))
        except Exception as exc:
            future.set_exception(exc)

    LOOP.call_soon_threadsafe(run)
    return future


def loop_time():
    return run_in_loop(LOOP.time).result()  # expect: HANG007


def loop_time_bounded(seconds):
    return run_in_loop(LOOP.time).result(timeout=seconds)  # ok: a timeout


def wait_for_reply(raw):
    future = call_in_loop(on_message(raw))
    while not future.done():  # expect: HANG008
        time.sleep(0.05)
    return future.result()  # ok: HANG008 reports the loop above


def wait_for_replies(raws, seconds):
    futures = [call_in_loop(on_message(raw)) for raw in raws]
    deadline = time.monotonic() + seconds
    while not all(f.done() for f in futures) and time.monotonic() < deadline:  # ok: a deadline
        time.sleep(0.05)
    return [f.result(timeout=0) for f in futures]
