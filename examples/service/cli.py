"""Command-line entry point, run from examples/: python3 -m service.cli ID

main() runs on its own event loop in the main thread (asyncio.run), while the
handlers run on bridge.LOOP in the loop thread.
"""

import asyncio
import sys

from .bridge import call_in_loop
from .handlers import on_message


async def relay(msg):
    future = call_in_loop(on_message(msg))
    return future.result(timeout=5)  # expect: HANG003


async def relay_blocking(msg):
    return call_in_loop(on_message(msg)).result()  # expect: HANG001, HANG003


async def relay_properly(msg):
    future = call_in_loop(on_message(msg))
    return await asyncio.wait_for(asyncio.wrap_future(future), timeout=5)  # ok: awaits without blocking this loop


async def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 -m service.cli ID")  # ok: main() runs only through asyncio.run(main())
    print("answer:", await relay_properly({"id": sys.argv[1]}))


if __name__ == "__main__":
    asyncio.run(main())
