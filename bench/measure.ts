/**
 * Timing a command: wall-clock time with `performance.now()` around a blocking
 * spawn, and the child's peak resident set size and CPU time from GNU time
 * (`%M`, the `ru_maxrss` that wait4 reports, exact where sampling /proc would
 * miss a short peak; `%U` + `%S`, which on a machine shared with other work
 * varies much less than the wall time). Worker threads share their process's memory, so a Node child's
 * peak covers its workers too.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Sample {
  ms: number;
  /** Peak resident set size in KiB. */
  rssKiB: number;
  /** User + system CPU time of the child and its threads, ms (GNU time's %U + %S). */
  cpuMs: number;
}

export interface RunOptions {
  /** Where the child's stdout goes (a file, so a large report is not held in a pipe). Default: discarded. */
  stdoutFile?: string;
  /** Exit statuses that count as success. Default: 0. */
  okStatuses?: number[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export class CommandFailed extends Error {}

/** Runs `command args` once under GNU time. */
export function runTimed(command: string, args: readonly string[], options: RunOptions = {}): Sample {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-bench-rss-')), 'rss');
  const stdout = options.stdoutFile ? fs.openSync(options.stdoutFile, 'w') : 'ignore';
  try {
    const start = performance.now();
    const result = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', stdout, 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = performance.now() - start;
    if (result.error) throw new CommandFailed(`${command}: ${result.error.message}`);
    const ok = options.okStatuses ?? [0];
    if (result.status === null || !ok.includes(result.status)) {
      const stderr = result.stderr.toString('utf8').trim().split('\n').slice(-5).join('\n');
      throw new CommandFailed(`${[command, ...args].join(' ')} exited with ${result.status ?? result.signal}: ${stderr}`);
    }
    // GNU time writes "Command exited with non-zero status N" before the format's line when the status is not 0.
    const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
    const [rss, user, system] = lines[lines.length - 1]!.split(' ').map(Number);
    const rssKiB = rss!;
    const cpuMs = (user! + system!) * 1000;
    if (!Number.isFinite(rssKiB) || !Number.isFinite(cpuMs)) throw new CommandFailed(`GNU time wrote no peak RSS or CPU time for ${command}: ${lines.join(' | ')}`);
    return { ms, rssKiB, cpuMs };
  } finally {
    if (typeof stdout === 'number') fs.closeSync(stdout);
    fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  }
}

export interface Summary {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Highest peak RSS over the runs, KiB. */
  peakRssKiB: number;
  /** Median CPU time (user + system), ms. */
  cpuMedianMs: number;
}

export function summarize(samples: readonly Sample[]): Summary {
  const times = samples.map((s) => s.ms);
  return {
    runs: samples.length,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    peakRssKiB: Math.max(...samples.map((s) => s.rssKiB)),
    cpuMedianMs: median(samples.map((s) => s.cpuMs)),
  };
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear interpolation between closest ranks (numpy's default), so the median of an even count is the mean of the middle two. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export interface StreamedSample extends Sample {
  /** When the first byte of stdout arrived, from the spawn. */
  firstOutputMs: number;
  /** Lines printed on stdout. */
  lines: number;
}

/**
 * Runs `command args` once under GNU time, reading its stdout as it comes: how
 * soon the first output arrives (a streamed report's first finding) against
 * the whole run. Asynchronous (a blocking spawn sees stdout only at the end).
 */
export function runStreamed(command: string, args: readonly string[], options: RunOptions = {}): Promise<StreamedSample> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-bench-rss-')), 'rss');
  return new Promise<StreamedSample>((resolve, reject) => {
    const start = performance.now();
    let firstOutputMs: number | undefined;
    let lines = 0;
    let stderr = '';
    const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      firstOutputMs ??= performance.now() - start;
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error) => reject(new CommandFailed(`${command}: ${error.message}`)));
    child.on('close', (status, signal) => {
      const ms = performance.now() - start;
      const ok = options.okStatuses ?? [0];
      if (status === null || !ok.includes(status)) {
        reject(new CommandFailed(`${[command, ...args].join(' ')} exited with ${status ?? signal}: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
        return;
      }
      const timeLines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
      const [rssKiB, user, system] = timeLines[timeLines.length - 1]!.split(' ').map(Number);
      const cpuMs = (user! + system!) * 1000;
      if (firstOutputMs === undefined) reject(new CommandFailed(`${command} printed nothing`));
      else resolve({ ms, rssKiB: rssKiB!, cpuMs, firstOutputMs, lines });
    });
  }).finally(() => fs.rmSync(path.dirname(rssFile), { recursive: true, force: true }));
}
