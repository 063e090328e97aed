/**
 * A tree of many small files (100,000 by default), for what a large
 * repository feels like rather than what a large corpus costs: how soon the
 * first finding is printed, against how long the whole run takes.
 *
 * Packages `pkg_000`, `pkg_001`, ... hold 1,000 modules each. Most modules are
 * plain synchronous code that imports a sibling (read and pre-filtered, never
 * parsed); every 250th submits a coroutine to a loop in another thread
 * through its package's `bridge` module and waits on the future without a
 * timeout (a HANG001 finding reached across modules); every 1,000th defines a
 * coroutine that can let SystemExit escape and is submitted from another
 * thread (HANG002). The first finding is in the first package, as in a
 * repository whose hazards are spread through it.
 */
import fs from 'node:fs';
import path from 'node:path';

const PER_PACKAGE = 1_000;

const BRIDGE = `import asyncio
import threading

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()


def submit(coro):
    return asyncio.run_coroutine_threadsafe(coro, loop)
`;

function plainModule(pkg: string, i: number): string {
  const sibling = `mod_${String((i + 1) % PER_PACKAGE).padStart(4, '0')}`;
  return `"""Module ${i} of ${pkg}."""
from . import ${sibling}


def total_${i}(values):
    return sum(v * ${i % 7} for v in values)


class Record${i}:
    def __init__(self, name):
        self.name = name

    def describe(self):
        return f"{self.name}: {total_${i}([1, 2, 3])}"
`;
}

function waitingModule(i: number): string {
  return `from .bridge import submit


async def fetch_${i}():
    return ${i}


def fetch_now():
    future = submit(fetch_${i}())
    return future.result()
`;
}

function exitingModule(i: number): string {
  return `import sys
from .bridge import submit


async def stop_${i}(code):
    sys.exit(code)


def stop_later():
    return submit(stop_${i}(1))
`;
}

/** Writes the tree under `root` (which must not exist) and returns how many files and bytes it holds. */
export function makeManyFilesTree(root: string, files = 100_000): { root: string; files: number; bytes: number } {
  fs.mkdirSync(root, { recursive: true });
  let written = 0;
  let bytes = 0;
  const write = (file: string, text: string) => {
    fs.writeFileSync(file, text);
    written++;
    bytes += Buffer.byteLength(text);
  };
  for (let p = 0; written < files; p++) {
    const pkg = `pkg_${String(p).padStart(3, '0')}`;
    const dir = path.join(root, pkg);
    fs.mkdirSync(dir);
    write(path.join(dir, '__init__.py'), '');
    write(path.join(dir, 'bridge.py'), BRIDGE);
    for (let i = 0; i < PER_PACKAGE && written < files; i++) {
      const n = p * PER_PACKAGE + i;
      const text = n % 1_000 === 500 ? exitingModule(n) : n % 250 === 10 ? waitingModule(n) : plainModule(pkg, i);
      write(path.join(dir, `mod_${String(i).padStart(4, '0')}.py`), text);
    }
  }
  return { root, files: written, bytes };
}
