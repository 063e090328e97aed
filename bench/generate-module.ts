/**
 * A realistic Python module of an exact number of lines for the language
 * server's edit-latency row: imports, dataclasses, classes with methods,
 * synchronous helpers, coroutines that await and gather, threads handing work
 * to an event loop, and a few real hazards (so the server has findings to
 * publish, as it would in a file under work). Deterministic: the same count
 * gives the same text.
 */

const HEADER = `"""Order processing service: a loop thread for I/O, worker threads for CPU work."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
import logging
import sys
import threading
import time
from typing import Any, Iterable

from helpers import shutdown_on_error

log = logging.getLogger(__name__)
LOOP = asyncio.new_event_loop()
threading.Thread(target=LOOP.run_forever, name="io-loop", daemon=True).start()
EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=4)
`;

/** One section of the module, about fifty lines; `n` makes its names unique. */
function section(n: number): string {
  return `

@dataclasses.dataclass
class Order${n}:
    """An order as the upstream API sends it."""

    order_id: int
    items: list[str] = dataclasses.field(default_factory=list)
    total: float = 0.0
    notes: dict[str, Any] = dataclasses.field(default_factory=dict)

    def weight(self) -> float:
        return sum(len(item) * 0.${(n % 9) + 1} for item in self.items)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


class Repository${n}:
    def __init__(self, url: str, retries: int = ${(n % 5) + 1}) -> None:
        self.url = url
        self.retries = retries
        self._cache: dict[int, Order${n}] = {}
        self._lock = threading.Lock()

    def get(self, order_id: int) -> Order${n} | None:
        with self._lock:
            return self._cache.get(order_id)

    def put(self, order: Order${n}) -> None:
        with self._lock:
            self._cache[order.order_id] = order

    async def fetch(self, order_id: int) -> Order${n}:
        for attempt in range(self.retries):
            try:
                await asyncio.sleep(0.01 * attempt)
                return Order${n}(order_id, [f"item-{order_id}-{i}" for i in range(3)])
            except ConnectionError as error:
                log.warning("fetch %s failed (%s), attempt %d", order_id, error, attempt)
        raise LookupError(order_id)


async def process_batch_${n}(repo: Repository${n}, ids: Iterable[int]) -> list[float]:
    orders = await asyncio.gather(*(repo.fetch(order_id) for order_id in ids))
    for order in orders:
        repo.put(order)
    return [order.weight() for order in orders if order.items]


def submit_batch_${n}(repo: Repository${n}, ids: list[int]) -> list[float]:
    future = asyncio.run_coroutine_threadsafe(process_batch_${n}(repo, ids), LOOP)
    return future.result(timeout=${10 + (n % 20)})
`;
}

/** Hazards placed between sections: what pyhang reports in this file. */
function hazard(n: number): string {
  switch (n % 3) {
    case 0:
      return `

async def reload_config_${n}(path: str) -> dict[str, Any]:
    try:
        with open(path) as handle:
            return json.load(handle)
    except json.JSONDecodeError:
        log.error("bad configuration in %s", path)
        sys.exit(2)


def reload_from_thread_${n}(path: str) -> dict[str, Any]:
    return asyncio.run_coroutine_threadsafe(reload_config_${n}(path), LOOP).result()
`;
    case 1:
      return `

async def audit_${n}(order_id: int) -> None:
    await asyncio.sleep(0)
    shutdown_on_error(order_id)


def audit_later_${n}(order_id: int) -> None:
    asyncio.run_coroutine_threadsafe(audit_${n}(order_id), LOOP)
`;
    default:
      return `

async def relay_${n}(repo: Repository0, order_id: int) -> Order0:
    future = asyncio.run_coroutine_threadsafe(repo.fetch(order_id), LOOP)
    return future.result()
`;
  }
}

/** The module's helper file, which the module imports (so a hazard crosses modules). */
export const HELPERS_MODULE = `"""Helpers shared by the service."""

import sys


def shutdown_on_error(order_id: int) -> None:
    if order_id < 0:
        raise SystemExit(f"corrupt order {order_id}")
`;

/** The line the benchmark edits: its value changes with every keystroke simulated. */
export const EDIT_SITE_PREFIX = 'BATCH_SIZE = ';

/**
 * A module of exactly `lines` lines, with the edit site in the middle. Every
 * tenth section is followed by a hazard, and padding comments fill the rest.
 */
export function generateModule(lines: number): { text: string; editLine: number } {
  const parts: string[] = [HEADER];
  let count = HEADER.split('\n').length - 1;
  let editLine = -1;
  for (let n = 0; ; n++) {
    const next = section(n) + (n % 10 === 9 ? hazard(n) : '');
    const nextLines = next.split('\n').length - 1;
    if (count + nextLines > lines - 1) break;
    parts.push(next);
    count += nextLines;
    if (editLine < 0 && count >= lines / 2) {
      parts.push(`${EDIT_SITE_PREFIX}0\n`);
      editLine = count;
      count++;
    }
  }
  while (count < lines) {
    parts.push(`# end of generated module (${count + 1})\n`);
    count++;
  }
  return { text: parts.join(''), editLine };
}

/** The text with the edit site set to `value`: a one-line change, as from one keystroke. */
export function withEdit(text: string, editLine: number, value: number): string {
  const lines = text.split('\n');
  lines[editLine] = `${EDIT_SITE_PREFIX}${value}`;
  return lines.join('\n');
}
