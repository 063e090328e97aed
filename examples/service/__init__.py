"""A small service split over several modules, with every pyhang hazard in it.

bridge.py    the event loop thread, the call_in_loop() wrapper, die()
handlers.py  coroutines that run on that loop (HANG002)
client.py    synchronous callers in other threads (HANG001, HANG004)
cli.py       an async entry point run by asyncio.run() (HANG003)

Each line pyhang must report ends with an "expect:" comment naming the codes;
lines that look similar but are safe end with an "ok:" comment saying why.
See examples/README.md.
"""
