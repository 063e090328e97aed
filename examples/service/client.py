"""The synchronous side: code in the main thread and in worker threads that
hands work to the event loop through bridge.call_in_loop()."""

import concurrent.futures
import zlib
from concurrent.futures import ThreadPoolExecutor

from .bridge import call_in_loop
from .handlers import on_message, on_shutdown

_pool = ThreadPoolExecutor(max_workers=2)


def send(msg):
    return call_in_loop(on_message(msg)).result()  # expect: HANG001


def send_within(msg, seconds=5.0):
    future = call_in_loop(on_message(msg))
    try:
        return future.result(timeout=seconds)  # ok: a bounded wait
    except TimeoutError:
        future.cancel()
        raise


def send_all(msgs):
    futures = [call_in_loop(on_message(msg)) for msg in msgs]
    concurrent.futures.wait(futures)  # expect: HANG001
    return futures


def failures(msgs):
    futures = {msg["id"]: call_in_loop(on_message(msg)) for msg in msgs}
    errors = {}
    for key, future in futures.items():
        errors[key] = future.exception()  # expect: HANG001
    return errors


def first_answers(msgs, seconds=10.0):
    futures = [call_in_loop(on_message(msg)) for msg in msgs]
    for future in concurrent.futures.as_completed(futures, timeout=seconds):  # ok: a bounded wait
        return future.result()  # ok: as_completed yields only finished futures
    return None


class Session:
    def open(self, msg):
        self.pending = call_in_loop(on_message(msg))

    def poll(self):
        if self.pending.done():
            return self.pending.result()  # ok: guarded by done()
        return None

    def close(self):
        return self.pending.exception()  # expect: HANG001


def notify(msg):
    call_in_loop(on_message(msg)).add_done_callback(_log_failure)  # ok: the callback sees the outcome


def _log_failure(future):
    if not future.cancelled() and future.exception() is not None:  # ok: a done-callback runs once the future is done
        print(f"message failed: {future.exception()!r}")


def notify_and_print(msg):
    future = call_in_loop(on_message(msg))
    future.add_done_callback(lambda done: print("answer:", future.result()))  # ok: runs as a done-callback


def shutdown():
    call_in_loop(on_shutdown())  # expect: HANG004


def fire_and_forget(msg):
    _ = call_in_loop(on_message(msg))  # ok: assigning to _ is a deliberate discard


def checksum(data):
    return _pool.submit(zlib.crc32, data).result()  # ok: an executor future; its worker thread completes it


def ping_then_checksum(data):
    future = call_in_loop(on_message({"id": 0}))
    future.result(timeout=1)  # ok: a bounded wait
    future = _pool.submit(zlib.crc32, data)
    return future.result()  # ok: future now names an executor future


def ping(seconds=1.0):
    # The timeout came later; the suppression written for the wait without one stayed.
    return call_in_loop(on_message({"id": 0})).result(timeout=seconds)  # noqa: HANG001  # expect: HANG100
