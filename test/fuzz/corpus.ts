/**
 * What the fuzzer starts from: real Python files.
 *
 * - A deterministic sample of the standard library of the machine's `python3`
 *   (sorted paths, every n-th file, size-capped so one input stays quick); CI
 *   machines have the same python3, so the sample is the same everywhere.
 * - pyhang's own Python fixtures and examples, which hold every hazard: their
 *   mutations are what exercises HANG001's fixes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/fuzz/corpus.js → the repository root. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface Seed {
  /** Where it came from, for failure reports. */
  name: string;
  bytes: Uint8Array;
}

/** The standard library directory of `python3`, or null when there is no python3. */
export function stdlibDir(): string | null {
  const result = spawnSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0 || !result.stdout) return null;
  const dir = result.stdout.trim();
  return fs.existsSync(dir) ? dir : null;
}

/** Python files under `dir`, sorted by code unit, skipping third-party packages and symlinked directories. */
function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'site-packages' && entry.name !== '__pycache__') stack.push(full);
      } else if (entry.isFile() && entry.name.endsWith('.py')) out.push(full);
    }
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface SampleOptions {
  /** How many standard-library files at most. */
  count: number;
  /** Largest file taken, in bytes. */
  maxBytes: number;
}

/** Every n-th standard library file (n chosen to give about `count` files), smallest-first cap applied. */
export function stdlibSample(options: SampleOptions): Seed[] {
  const dir = stdlibDir();
  if (!dir) return [];
  const candidates = pythonFiles(dir).filter((file) => {
    try {
      const size = fs.statSync(file).size;
      return size > 0 && size <= options.maxBytes;
    } catch {
      return false;
    }
  });
  const step = Math.max(1, Math.floor(candidates.length / options.count));
  const seeds: Seed[] = [];
  for (let i = 0; i < candidates.length && seeds.length < options.count; i += step) {
    const file = candidates[i]!;
    seeds.push({ name: `stdlib:${path.relative(dir, file)}`, bytes: fs.readFileSync(file) });
  }
  return seeds;
}

/** pyhang's own Python fixtures and examples: small files full of hazards. */
export function hazardSeeds(): Seed[] {
  const roots = [path.join(repoRoot, 'examples'), path.join(repoRoot, 'test', 'fixtures')];
  const seeds: Seed[] = [];
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    for (const file of pythonFiles(root)) {
      seeds.push({ name: path.relative(repoRoot, file), bytes: fs.readFileSync(file) });
    }
  }
  return seeds;
}
