"""Coroutines that run on the service's event loop (bridge.LOOP).

on_message() and on_shutdown() are submitted with call_in_loop() from
client.py and cli.py, so an exit escaping them (or validate(), which
on_message() awaits) is an error: it stops LOOP and leaves the caller waiting.
"""

import asyncio
import contextlib
import os

from .bridge import Shutdown, die


async def validate(msg):
    if msg.get("cmd") == "interrupt":
        raise KeyboardInterrupt  # expect: HANG002
    return msg


async def on_message(msg):
    msg = await validate(msg)
    if "id" not in msg:
        die(f"message without an id: {msg!r}")  # expect: HANG002
    await asyncio.sleep(0)
    return msg["id"]


async def on_shutdown():
    raise Shutdown(0)  # expect: HANG002


async def on_admin_command(cmd):
    # Never submitted anywhere in the project, so this one is only a warning.
    if cmd == "quit":
        quit()  # expect: HANG002


async def on_reload(path):
    try:
        die(f"cannot reload {path}")  # ok: the SystemExit is caught right here
    except SystemExit:
        return False
    return True


async def on_cleanup(path):
    with contextlib.suppress(SystemExit):
        die(f"cannot remove {path}")  # ok: contextlib.suppress(SystemExit) swallows it
    return path


async def on_corrupt_state():
    os._exit(70)  # ok: os._exit ends the whole process at once; no thread is left waiting


async def on_bad_input(msg):
    raise ValueError(f"bad input: {msg!r}")  # ok: an ordinary exception is stored in the task and reaches the caller


async def on_batch(msgs):
    def bail():
        die("batch too large")  # ok: bail() is only defined here, never called
    return [msg["id"] for msg in msgs], bail
