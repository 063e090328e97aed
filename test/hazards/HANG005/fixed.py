"""HANG005 fixed: the helper is a coroutine and awaits the work.

The loop keeps running while it waits (the heartbeat ticks), and the result
comes back.
"""
import asyncio

ticks = 0


async def fetch():
    await asyncio.sleep(0.2)
    return 42


async def fetch_async():
    return await asyncio.wait_for(fetch(), timeout=5)


async def heartbeat():
    global ticks
    while True:
        ticks += 1
        await asyncio.sleep(0.05)


async def main():
    beat = asyncio.ensure_future(heartbeat())
    before = ticks
    print(f"result={await fetch_async()}")
    print(f"loop-kept-running={ticks - before > 0}")
    beat.cancel()


asyncio.run(main())
