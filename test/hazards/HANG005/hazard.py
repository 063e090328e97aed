"""HANG005's hazard: a sync helper that a coroutine calls waits for a coroutine
it submitted to the loop running its own thread.

The wait blocks that loop, so the submitted coroutine never starts: with a
timeout the loop stands still until it expires (no heartbeat ticks, the
coroutine has not run), and without one the wait never returns.
"""
import asyncio
import concurrent.futures

ticks = 0
ran = False


async def fetch():
    global ran
    ran = True
    return 42


def fetch_sync(timeout=None):
    return asyncio.run_coroutine_threadsafe(fetch(), asyncio.get_event_loop()).result(timeout)


async def heartbeat():
    global ticks
    while True:
        ticks += 1
        await asyncio.sleep(0.05)


async def main():
    beat = asyncio.ensure_future(heartbeat())
    await asyncio.sleep(0.2)
    before = ticks
    try:
        fetch_sync(timeout=0.5)
    except concurrent.futures.TimeoutError:
        print("timed-out")
    print(f"ticks-during-wait={ticks - before}")
    print(f"fetch-ran={ran}")
    print("waiting")
    fetch_sync()
    print("never printed")
    beat.cancel()


asyncio.run(main())
