/**
 * Compares two builds of pyhang on the bench's corpus (the standard library,
 * site-packages included, no stubs) by alternating cold runs (`--no-cache`)
 * in one go: A, B, A, B, ... so that the machine's load falls on both alike.
 * Prints the median, min and max of wall time, CPU seconds (user + system)
 * and peak RSS for each, and B's medians against A's.
 *
 *   npm run bench:compare -- --base /path/to/other/checkout [--runs 8]
 *
 * `--base` is a checkout of pyhang with its own `npm run build` done (its
 * bin/pyhang.js is run); the current checkout is B. Meant for refactors that
 * must not cost time or memory (see docs/performance.md).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stdlibDirectory } from './corpus.js';
import { GNU_TIME, median } from './measure.js';

interface Run {
  wallS: number;
  cpuS: number;
  rssMiB: number;
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const base = option('--base');
if (!base) {
  console.error('usage: npm run bench:compare -- --base <checkout of the other build> [--runs N]');
  process.exit(2);
}
const runs = Number(option('--runs') ?? 6);
const here = fileURLToPath(new URL('../..', import.meta.url));
const builds = [
  { name: 'A (base)', bin: path.join(path.resolve(base), 'bin', 'pyhang.js') },
  { name: 'B (this checkout)', bin: path.join(here, 'bin', 'pyhang.js') },
];
const corpus = stdlibDirectory();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-compare-'));
const config = path.join(work, 'pyproject.toml');
fs.writeFileSync(config, '[tool.pyhang]\nexclude = ["*.pyi"]\n');

function runOnce(bin: string): Run {
  const timing = path.join(work, 'time');
  const result = spawnSync(
    GNU_TIME,
    ['-f', '%e %U %S %M', '-o', timing, process.execPath, bin, 'check', corpus, '--config', config, '--format', 'json', '--exit-zero', '--no-cache'],
    { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`${bin} exited with ${result.status}`);
  const [wall, user, system, rss] = fs.readFileSync(timing, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallS: wall!, cpuS: user! + system!, rssMiB: rss! / 1024 };
}

const samples: Run[][] = builds.map(() => []);
console.log(`corpus ${corpus}, ${runs} alternating cold runs each, load ${os.loadavg()[0]!.toFixed(2)} at start`);
for (let i = 0; i < runs; i++) {
  // Alternate which build goes first, so neither always runs after the other.
  const order = i % 2 === 0 ? [0, 1] : [1, 0];
  for (const b of order) samples[b]!.push(runOnce(builds[b]!.bin));
}
const describe = (values: number[], unit: string, digits: number): string =>
  `${median(values).toFixed(digits)} ${unit} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
builds.forEach((build, b) => {
  const s = samples[b]!;
  console.log(
    `${build.name}: wall ${describe(s.map((r) => r.wallS), 's', 2)}, CPU ${describe(s.map((r) => r.cpuS), 's', 2)}, peak RSS ${describe(s.map((r) => r.rssMiB), 'MiB', 0)}`,
  );
});
const ratio = (pick: (r: Run) => number): string => `${((median(samples[1]!.map(pick)) / median(samples[0]!.map(pick)) - 1) * 100).toFixed(1)}%`;
console.log(`B against A (medians): wall ${ratio((r) => r.wallS)}, CPU ${ratio((r) => r.cpuS)}, peak RSS ${ratio((r) => r.rssMiB)}; load ${os.loadavg()[0]!.toFixed(2)} at end`);
fs.rmSync(work, { recursive: true, force: true });
