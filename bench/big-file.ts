/**
 * One large module of many small functions, for what a single big file costs
 * (#20: an 18 MB file of about 400,000 functions within 10 s and 1 GB, the
 * cost linear in its size). Generated code rather than real code, as
 * repositories do have such files (generated bindings, tables of handlers).
 *
 * Blocks of ten functions: synchronous helpers, a class with three methods,
 * coroutines that sleep and gather; every tenth block submits a coroutine to
 * a loop in another thread with `run_coroutine_threadsafe` and waits on the
 * future with a timeout, and every hundredth waits without one (a HANG001
 * finding), so the analysis follows futures through the file rather than
 * only parsing it. Deterministic: the same size gives the same text.
 *
 * `node dist/bench/big-file.js FILE BYTES` writes one such file.
 */
import fs from 'node:fs';
import path from 'node:path';

const HEADER = `"""Generated handlers: a loop thread for I/O and many small functions."""

import asyncio
import threading

LOOP = asyncio.new_event_loop()
threading.Thread(target=LOOP.run_forever, name="io-loop", daemon=True).start()
`;

/** About 500 bytes and ten functions (eleven every tenth block); `n` makes the names unique. */
function block(n: number): string {
  const k = n % 97;
  let text = `
def parse${n}(s):
    return int(s) + ${k}

def scale${n}(x):
    return x * ${(n % 7) + 2}

def get${n}(d):
    return d[${k}]

def put${n}(d, v):
    d[${k}] = v

async def fetch${n}(t):
    await asyncio.sleep(t)
    return ${n}

class Point${n}:
    def __init__(self, x):
        self.x = x
    def norm(self):
        return abs(self.x)
    def double(self):
        return Point${n}(self.x * 2)

async def both${n}():
    return await asyncio.gather(fetch${n}(0), fetch${n}(1))

def total${n}(xs):
    return sum(map(scale${n}, xs))
`;
  if (n % 10 === 0) {
    const wait = n % 100 === 0 ? 'future.result()' : 'future.result(timeout=5)';
    text += `
def submit${n}():
    future = asyncio.run_coroutine_threadsafe(fetch${n}(0.1), LOOP)
    return ${wait}
`;
  }
  return text;
}

/** Writes a module of at least `bytes` bytes (ASCII) to `file`; returns its size and how many functions it defines. */
export function writeBigFile(file: string, bytes: number): { bytes: number; functions: number } {
  const parts: string[] = [HEADER];
  let size = HEADER.length;
  let functions = 0;
  for (let n = 0; size < bytes; n++) {
    const text = block(n);
    parts.push(text);
    size += text.length;
    functions += n % 10 === 0 ? 11 : 10;
  }
  fs.writeFileSync(file, parts.join(''));
  return { bytes: size, functions };
}

/** The sizes the bench checks (decimal MB): the exponent is read from the smallest and the largest. */
export const BIG_FILE_SIZES_MB = [2, 6, 18] as const;

/**
 * A directory holding one such module (`big.py`) of `mb` megabytes, with a
 * `pyproject.toml` raising `max-file-size` above it (the default, 10 MiB,
 * skips the largest).
 */
export function makeBigFileProject(dir: string, mb: number): { dir: string; bytes: number; functions: number } {
  fs.mkdirSync(dir, { recursive: true });
  const written = writeBigFile(path.join(dir, 'big.py'), mb * 1e6);
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), `[tool.pyhang]\nmax-file-size = ${written.bytes + 1_000_000}\n`);
  return { dir, ...written };
}

/** How a cost grows with size: `cost ∝ size^k`, k from two points (1 is linear). */
export function growthExponent(small: { size: number; cost: number }, large: { size: number; cost: number }): number {
  return Math.log(large.cost / small.cost) / Math.log(large.size / small.size);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const [file, size] = process.argv.slice(2);
  if (!file || !size || !Number.isInteger(Number(size))) {
    process.stderr.write('usage: node dist/bench/big-file.js FILE BYTES\n');
    process.exit(2);
  }
  const written = writeBigFile(file, Number(size));
  process.stdout.write(`${file}: ${written.bytes} bytes, ${written.functions} functions\n`);
}
