/**
 * Helpers for the hardening tests: running the built binary, the output
 * formats it offers, and snapshots of a project tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { runPyhang, repoRoot, type RunResult } from '../cli/run-pyhang.js';

export { runPyhang, makeProject, removeProject, HAZARD, parseCompact, findings, repoRoot } from '../cli/run-pyhang.js';

export const hardeningFixtures = path.join(repoRoot, 'test', 'fixtures', 'hardening');

/** The hazard of test/fixtures/cli/basic/hazard.py without its last two lines: the caller adds the waiting line. */
export const HAZARD_HEAD =
  'import asyncio, threading\n' +
  'loop = asyncio.new_event_loop()\n' +
  'threading.Thread(target=loop.run_forever, daemon=True).start()\n' +
  'async def work():\n' +
  '    return 1\n' +
  'fut = asyncio.run_coroutine_threadsafe(work(), loop)\n';

let knownFormats: string[] | undefined;

/** The output formats `pyhang check --help` lists: every one of them must show per-file problems. */
export function outputFormats(): string[] {
  if (!knownFormats) {
    const help = runPyhang(['check', '--help'], { cwd: repoRoot }).stdout.replace(/\s+/g, ' ');
    const match = /--format <name> output format: ([a-z, -]+?) \(default/.exec(help);
    assert.ok(match, `cannot find the formats in:\n${help}`);
    knownFormats = match[1]!.split(',').map((name) => name.trim()).filter(Boolean);
  }
  return knownFormats;
}

/** `--no-cache`: these tests check what one run reports, not what an earlier run remembered. */
export function check(args: string[], cwd: string, env?: Record<string, string>): RunResult {
  return runPyhang(['check', '--no-cache', ...args], { cwd, env });
}

export interface Reported {
  /** File name as shown (relative to the working directory where the format does that). */
  file: string;
  code: string;
  line: number;
  column: number;
  message: string;
}

/** What the JSON format reported, as one flat list (paths relative to `cwd`). */
export function reportedJson(stdout: string, cwd: string): Reported[] {
  const results = JSON.parse(stdout) as { filePath: string; messages: { ruleId: string; line: number; column: number; message: string }[] }[];
  return results.flatMap((result) =>
    result.messages.map((m) => ({
      file: path.relative(cwd, result.filePath),
      code: m.ruleId,
      line: m.line,
      column: m.column,
      message: m.message,
    })),
  );
}

/**
 * Asserts that a run's output, in any format, names each expected file problem:
 * parsed for the JSON formats, by file and code (and message fragment) for the
 * text ones.
 */
export function assertReports(format: string, stdout: string, cwd: string, expected: { file: string; code: string; fragment: string }[]): void {
  if (format === 'json') {
    const reported = reportedJson(stdout, cwd);
    for (const e of expected) {
      assert.ok(
        reported.some((r) => r.file === e.file && r.code === e.code && r.message.includes(e.fragment)),
        `json: no ${e.code} for ${e.file} in ${JSON.stringify(reported)}`,
      );
    }
    return;
  }
  if (format === 'sarif') {
    const sarif = JSON.parse(stdout) as {
      runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const results = sarif.runs[0]!.results;
    for (const e of expected) {
      const uri = e.file.split(path.sep).map(encodeURIComponent).join('/');
      assert.ok(
        results.some(
          (r) =>
            r.ruleId === e.code &&
            r.message.text.includes(e.fragment) &&
            r.locations.some((l) => [e.file, uri].includes(decodeURIComponent(l.physicalLocation.artifactLocation.uri)) || l.physicalLocation.artifactLocation.uri === uri),
        ),
        `sarif: no ${e.code} for ${e.file} in ${JSON.stringify(results)}`,
      );
    }
    return;
  }
  for (const e of expected) {
    assert.ok(stdout.includes(e.file), `${format}: ${e.file} not named in:\n${stdout}`);
    assert.ok(stdout.includes(e.code), `${format}: ${e.code} not named in:\n${stdout}`);
    assert.ok(stdout.includes(e.fragment), `${format}: '${e.fragment}' not in:\n${stdout}`);
  }
}

/** Every path under `root` (directories marked with a trailing slash, symlinks not followed), sorted. */
export function treeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full);
      if (entry.isDirectory()) {
        out.push(`${relative}/`);
        walk(full);
      } else out.push(relative);
    }
  };
  walk(root);
  return out.sort();
}

/** A Python line that waits on the hazard's future: HANG001 at the `.result()`. */
export function hazardWith(waitingLine: string): string {
  return `${HAZARD_HEAD}${waitingLine}\n`;
}

/** Milliseconds and the result of a function. */
export function timed<T>(run: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = run();
  return { ms: performance.now() - started, value };
}

/** Writes the hazard head, then `size` bytes of filler lines, then a HANG001 line, without building a 50 MB string twice. */
export function writeLargeFile(file: string, size: number): number {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, HAZARD_HEAD);
    const block = 'def filler():\n    return [1, 2, 3, "four", {"five": 5}]\n\n'.repeat(20_000);
    let written = HAZARD_HEAD.length;
    let lines = HAZARD_HEAD.split('\n').length - 1;
    const blockLines = block.split('\n').length - 1;
    while (written < size) {
      fs.writeSync(fd, block);
      written += block.length;
      lines += blockLines;
    }
    fs.writeSync(fd, 'fut.result()\n');
    return lines + 1;
  } finally {
    fs.closeSync(fd);
  }
}
