"""Hands messages to LOOP through a functools.partial of run_coroutine_threadsafe.

`submit` is run_coroutine_threadsafe with the loop bound: calling it submits the
coroutine and returns the same threadsafe future, with the same hazards.
wait_for() is a helper that waits on whatever future its callers pass.
"""

import asyncio
from functools import partial

from .bridge import LOOP
from .handlers import on_message

submit = partial(asyncio.run_coroutine_threadsafe, loop=LOOP)


def relay(msg):
    return submit(on_message(msg)).result()  # expect: HANG001


def relay_in_background(msg):
    submit(on_message(msg))  # expect: HANG004


def relay_with_timeout(msg, seconds=5):
    return submit(on_message(msg)).result(timeout=seconds)  # ok: a timeout bounds the wait


def wait_for(future):
    return future.result()  # expect: HANG001


def relay_through_helper(msg):
    return wait_for(submit(on_message(msg)))
