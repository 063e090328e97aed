"""The program from the bug report that motivated pyhang.

A worker thread runs an asyncio event loop forever; the main thread hands it
messages with asyncio.run_coroutine_threadsafe() and waits for each answer.
The third message is not JSON, so handle() calls sys.exit(1). asyncio re-raises
SystemExit out of loop.run_forever(), the worker thread ends without a word
(threading ignores SystemExit in a thread), and future.result() in the main
thread waits forever: no exception, no traceback, no output.

pyhang reports:
  HANG002 (error)  at sys.exit(1): SystemExit escapes handle(), which is
                   submitted to another thread's loop further down.
  HANG001 (error)  at future.result(): no timeout.

The watchdog is not part of the original program. It makes the hang visible
without having to kill the process: after 5 seconds it prints where the main
thread is stuck and ends the process with exit status 1.
"""

import asyncio
import faulthandler
import json
import sys
import threading

faulthandler.dump_traceback_later(5, exit=True)  # ok: the watchdog; not part of the report

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()


async def handle(raw):
    try:
        msg = json.loads(raw)
    except ValueError:
        print(f"bad message: {raw!r}", file=sys.stderr)
        sys.exit(1)  # expect: HANG002
    await asyncio.sleep(0.1)
    return msg["id"]


for raw in ['{"id": 1}', '{"id": 2}', "not json", '{"id": 3}']:
    future = asyncio.run_coroutine_threadsafe(handle(raw), loop)
    print("handled", future.result())  # expect: HANG001
