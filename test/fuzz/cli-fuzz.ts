/**
 * The CLI-level fuzzer: the built `bin/pyhang.js` run on throwaway projects
 * with hostile file names (newlines, ESC, `%`, `::error` lines, shell
 * metacharacters), odd flags and configuration values, and corrupted cache
 * files. Every file holds a HANG001 hazard. What must hold for every input:
 *
 * - it ends by itself (a 30 s bound per run) with exit status 0, 1 or 2;
 * - no `internal error` and no stack trace on stderr;
 * - output escaping (SECURITY.md): no C0 control but newline, no DEL and no
 *   C1 control reaches stdout or stderr (colour codes aside, with `--color`),
 *   and no part of a file name after a line break starts a line of output;
 * - `json` and `sarif` output is one parseable document (`--diff` prints a
 *   diff instead, checked as human-facing output);
 * - where nothing deselects it, each file's hazard is reported, under its exact
 *   name (`json`);
 * - a corrupted cache changes nothing: the run reports what a `--no-cache` run
 *   reports, with the same exit status.
 *
 * Bounded: a stated number of inputs and a time budget; it stops by itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { repoRoot } from './corpus.js';
import { HAZARD_HEAD } from '../hardening/helpers.js';

const bin = path.join(repoRoot, 'bin', 'pyhang.js');
const HAZARD = `${HAZARD_HEAD}fut.result()\n`;
const HAZARD_LINE = 7;
const RUN_BOUND_MS = 30_000;

/** Pieces of file names: each has been, or could be, an injection or a parsing surprise. */
const NAME_PARTS = [
  'a', '_', ' ', '-', '--fix', '%', '%0A', '%25', ',', ':', '::', '=', ';', '$(touch pwned)', '`id`', '*', '?', '[a]', '\\', "'", '"',
  '\n', '\n::error file=INJECTED.py,line=1::pwned', '\r', '\r\n', '\t', '\x1b[2J', '\x1b]0;title\x07', '\x07', '\x7f', '\u0085',
  '\u009b31m', '\u2028', 'é', '😀', '中文', '\u202e',
];

export type CacheCorruption = 'truncate' | 'garbage' | 'empty' | 'wrong-type';

export interface CliInput {
  names: string[];
  format: string;
  flags: string[][];
  config: string[] | null;
  cache: { file: number; corruption: CacheCorruption; at: number; value: unknown } | null;
}

const FORMATS = ['stylish', 'json', 'compact', 'full', 'github', 'sarif'];

/** Flags, each with the values that make it odd; `writes` when it writes files or changes how the cache is used. */
const FLAGS: { args: fc.Arbitrary<string[]>; writes?: boolean }[] = [
  { args: fc.constant(['--quiet']) },
  { args: fc.constant(['--statistics']) },
  { args: fc.constant(['--exit-zero']) },
  { args: fc.constant(['--color']) },
  { args: fc.constant(['--no-color']) },
  { args: fc.constant(['--no-prefilter']) },
  { args: fc.constant(['--force-exclude']) },
  { args: fc.constantFrom('0', '5', '-1', 'x', '1e99', '').map((v) => ['--max-warnings', v]) },
  { args: fc.constantFrom('1', '2', '0', '-3', 'x', '999', '1.5').map((v) => ['--jobs', v]) },
  { args: fc.constantFrom('HANG', 'HANG001', 'HANG0,HANG00', '', 'NOPE', 'hang001', ',,,', '\x1b[2J').map((v) => ['--select', v]) },
  { args: fc.constantFrom('HANG002', 'HANG', '', 'X1', '\n').map((v) => ['--ignore', v]) },
  { args: fc.constantFrom('HANG001', 'HANG9', '%').map((v) => ['--extend-select', v]) },
  { args: fc.constantFrom('*a*a*a*a*a*a*a*a*a*a*b', '**', '[', '!x', '\\', '%', '@(a|b)', '[a-z]*[a-z]*[a-z]*[a-z]*').map((v) => ['--exclude', v]) },
  { args: fc.constantFrom(['--fix', '--unsafe-fixes'], ['--diff', '--unsafe-fixes'], ['--fix']), writes: true },
  // Cache directories inside the throwaway project only: a fuzz run writes nothing outside it.
  { args: fc.constantFrom('', '.', 'cache', 'a/../.pyhang_cache', '\x1b').map((v) => ['--cache-dir', v]), writes: true },
  { args: fc.constant(['--no-cache']), writes: true },
];

/** Lines of `[tool.pyhang]`: odd values of every kind a user (or an unset variable in a template) writes. */
const CONFIG_LINES = [
  'select = ["HANG"]',
  'select = "HANG001"',
  'select = []',
  'ignore = ["HANG0"]',
  'max-file-size = 0',
  'max-file-size = -1',
  'max-file-size = "10"',
  'max-file-size = 1e400',
  'max-file-size = 9999999999999999999999',
  'exclude = ["*a*a*a*a*a*a*a*a*a*b"]',
  'extend-exclude = ["[", "\\\\"]',
  'fix-timeout = -1',
  'fix-timeout = nan',
  'fix-timeout = inf',
  'fix-timeout = "30"',
  '"\\u001b[2J" = 1',
  '"key\\nwith\\nlines" = true',
  'severity = { HANG001 = "off" }',
  'severity = { internal-error = "warning" }',
  'per-file-ignores = { "*" = ["HANG001"] }',
  'per-file-ignores = { "%" = "HANG001" }',
  'unknown = 1',
  '[tool.pyhang.nested]',
  '= = =',
  '{{folder_name}} = 1',
  '\x00',
];

const nameArb = fc
  .array(fc.constantFrom(...NAME_PARTS), { minLength: 1, maxLength: 4 })
  // A fixed first letter: only a line break inside the name could make it start a line of output.
  .map((parts) => `f${parts.join('')}.py`)
  .filter((name) => Buffer.byteLength(name) <= 200);

const flagsArb: fc.Arbitrary<{ flags: string[][]; writes: boolean }> = fc
  .subarray(FLAGS.map((_, index) => index), { maxLength: 3 })
  .chain((indices) =>
    fc.tuple(...indices.map((i) => FLAGS[i]!.args)).map((args) => ({
      flags: args as string[][],
      writes: indices.some((i) => FLAGS[i]!.writes === true),
    })),
  );

export const cliInputArb: fc.Arbitrary<CliInput> = fc
  .record({
    names: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 3 }),
    format: fc.constantFrom(...FORMATS),
    flags: flagsArb,
    config: fc.option(fc.subarray(CONFIG_LINES, { minLength: 1, maxLength: 3 }), { freq: 2 }),
    cache: fc.option(
      fc.record({
        file: fc.nat(),
        corruption: fc.constantFrom<CacheCorruption>('truncate', 'garbage', 'empty', 'wrong-type'),
        at: fc.nat(),
        value: fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 5 }), fc.constant([]), fc.constant({}), fc.boolean()),
      }),
      { freq: 3 },
    ),
  })
  .map(({ names, format, flags, config, cache }) => ({
    names,
    format,
    // The cache trial compares with a --no-cache run: no flag of its own may write or skip the cache.
    flags: cache && flags.writes ? [] : flags.flags,
    config,
    cache,
  }));

/** Whether the hazard may legitimately be missing from the report. */
function mayDeselect(input: CliInput): boolean {
  return input.config !== null || input.flags.some((flag) => ['--select', '--ignore', '--exclude', '--fix', '--diff'].includes(flag[0]!));
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

function run(args: string[], cwd: string): Run {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: RUN_BOUND_MS, input: '' });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', signal: result.signal };
}

/** C0 controls but newline and tab (the statistics table's separator), DEL and C1 controls: what must never reach a terminal raw. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/;
/** Any control character, tab included: a file name holding one must not be printed as it is. */
const ANY_CONTROL = /[\x00-\x1f\x7f\u0080-\u009f]/;
/** SGR colour codes, which `--color` asks for. */
const COLOUR = /\x1b\[[0-9;]*m/g;

function outputProblems(input: CliInput, result: Run, stage: string, checked: Map<string, number>): string | null {
  const count = (name: string) => checked.set(name, (checked.get(name) ?? 0) + 1);
  if (result.status === null) return `${stage}: did not end within ${RUN_BOUND_MS} ms (signal ${result.signal})`;
  count('ends by itself');
  if (![0, 1, 2].includes(result.status)) return `${stage}: exit status ${result.status}\n${result.stderr}`;
  count('exit status 0, 1 or 2');
  if (/internal error/i.test(result.stderr) || /^\s+at .*:\d+:\d+\)?$/m.test(result.stderr)) return `${stage}: internal error or stack trace:\n${result.stderr}`;
  count('no internal error');
  // `--diff` prints a diff on stdout, for people, whatever the format.
  const machine = (input.format === 'json' || input.format === 'sarif') && !input.flags.some((f) => f[0] === '--diff');
  const colour = input.flags.some((f) => f[0] === '--color') && !input.flags.some((f) => f[0] === '--no-color');
  const streams: [string, string][] = [['stderr', result.stderr]];
  if (!machine) streams.push(['stdout', colour ? result.stdout.replace(COLOUR, '') : result.stdout]);
  for (const [stream, text] of streams) {
    const raw = RAW_CONTROL.exec(text);
    if (raw) return `${stage}: a raw control character U+${raw[0].codePointAt(0)!.toString(16).padStart(4, '0')} on ${stream}:\n${JSON.stringify(text)}`;
    const lines = text.split('\n');
    for (const name of input.names) {
      if (ANY_CONTROL.test(name) && text.includes(name)) return `${stage}: the file name ${JSON.stringify(name)} is printed raw on ${stream}:\n${JSON.stringify(text)}`;
      for (const piece of name.split(/[\r\n\u0085\u2028\u2029\x0b\x0c]/).slice(1)) {
        if (piece.length >= 2 && lines.some((line) => line.startsWith(piece))) {
          return `${stage}: part of the file name ${JSON.stringify(name)} starts a line of ${stream}:\n${JSON.stringify(text)}`;
        }
      }
    }
  }
  count('output escaped');
  if (machine && result.stdout !== '') {
    try {
      JSON.parse(result.stdout);
    } catch {
      return `${stage}: ${input.format} output does not parse:\n${result.stdout.slice(0, 2000)}`;
    }
    count('machine output parses');
  }
  return null;
}

function findingsOf(stdout: string, root: string): string[] {
  const results = JSON.parse(stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[];
  return results.flatMap((r) => r.messages.map((m) => `${JSON.stringify(path.relative(root, r.filePath))}:${m.line} ${m.ruleId}`)).sort();
}

function corruptCache(cacheDir: string, corruption: NonNullable<CliInput['cache']>): string {
  const files = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).sort() : [];
  if (files.length === 0) return 'no cache file to corrupt';
  const file = path.join(cacheDir, files[corruption.file % files.length]!);
  const bytes = fs.readFileSync(file);
  switch (corruption.corruption) {
    case 'truncate':
      fs.writeFileSync(file, bytes.subarray(0, corruption.at % (bytes.length + 1)));
      break;
    case 'garbage': {
      const copy = Buffer.from(bytes);
      for (let i = 0; i < 8 && copy.length > 0; i++) copy[(corruption.at * (i + 7)) % copy.length] = (corruption.at + i * 37) % 256;
      fs.writeFileSync(file, copy);
      break;
    }
    case 'empty':
      fs.writeFileSync(file, '');
      break;
    case 'wrong-type': {
      // One value somewhere in the document replaced by a value of another type (JSON lines: each line a document).
      const lines = file.endsWith('.jsonl');
      const document = (lines ? bytes.toString('utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown) : JSON.parse(bytes.toString('utf8'))) as unknown;
      const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
      const walk = (node: unknown): void => {
        if (node === null || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node)) {
          slots.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
          walk(value);
        }
      };
      walk(document);
      if (slots.length === 0) return 'no value to replace';
      const slot = slots[corruption.at % slots.length]!;
      (slot.parent as Record<string | number, unknown>)[slot.key] = corruption.value;
      fs.writeFileSync(file, lines ? `${(document as unknown[]).map((line) => JSON.stringify(line)).join('\n')}\n` : JSON.stringify(document));
      return `${path.basename(file)}: ${slot.key} := ${JSON.stringify(corruption.value)}`;
    }
  }
  return `${path.basename(file)}: ${corruption.corruption} at ${corruption.at}`;
}

/** Where nothing may deselect it, each file's hazard is in the `json` report under the file's exact name. */
function hazardsMissing(input: CliInput, result: Run, root: string, checked: Map<string, number>): string | null {
  if (input.format !== 'json' || result.status === 2 || mayDeselect(input)) return null;
  const found = findingsOf(result.stdout, root);
  for (const name of input.names) {
    if (!found.includes(`${JSON.stringify(name)}:${HAZARD_LINE} HANG001`)) return `the hazard in ${JSON.stringify(name)} is not reported: ${JSON.stringify(found)}`;
  }
  checked.set('hazards reported under their exact names', (checked.get('hazards reported under their exact names') ?? 0) + 1);
  return null;
}

export interface FuzzFailure {
  input: string;
  failure: string;
}

export interface FuzzReport {
  inputs: number;
  failures: FuzzFailure[];
  /** Property → how many inputs it was checked on. */
  checked: Map<string, number>;
}

/** Runs one input; returns why it failed, or null. */
export function checkCliInput(input: CliInput, checked: Map<string, number>): string | null {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-cli-fuzz-'));
  try {
    for (const name of input.names) fs.writeFileSync(path.join(root, name), HAZARD);
    if (input.config) fs.writeFileSync(path.join(root, 'pyproject.toml'), `[tool.pyhang]\n${input.config.join('\n')}\n`);
    const args = ['check', '--format', input.format, ...input.flags.flat()];
    if (input.cache) {
      const filled = run(['check', '--format', 'json'], root);
      const problem = outputProblems({ ...input, format: 'json', flags: [] }, filled, 'filling the cache', checked);
      if (problem) return problem;
      const what = corruptCache(path.join(root, '.pyhang_cache'), input.cache);
      const cached = run(args, root);
      const stage = `with the cache corrupted (${what})`;
      const bad = outputProblems(input, cached, stage, checked);
      if (bad) return bad;
      const fresh = run([...args, '--no-cache'], root);
      if (fresh.status !== cached.status || fresh.stdout !== cached.stdout) {
        return `${stage}: the report differs from a --no-cache run:\nexit ${cached.status} vs ${fresh.status}\n--- cached ---\n${cached.stdout}\n--- fresh ---\n${fresh.stdout}\n${cached.stderr}`;
      }
      checked.set('a corrupted cache changes nothing', (checked.get('a corrupted cache changes nothing') ?? 0) + 1);
      return hazardsMissing(input, cached, root, checked);
    }
    const result = run(args, root);
    return outputProblems(input, result, 'run', checked) ?? hazardsMissing(input, result, root, checked);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export function describeCliInput(input: CliInput): string {
  return JSON.stringify(input);
}

/**
 * Cache corruptions the build is known to mishandle: left out of a run unless
 * asked for (`--known-failures`), so the default run stays a regression check.
 * Empty: a wrong-typed value in analyses.json or last-run.json is ignored and
 * the run lints (issue 22 item 5).
 */
export const KNOWN_FAILING_CORRUPTIONS: readonly CacheCorruption[] = [];

export function runCliFuzz(options: { count: number; seed: number; timeLimitMs: number; includeKnownFailures?: boolean; onProgress?: (report: FuzzReport) => void }): FuzzReport {
  const report: FuzzReport = { inputs: 0, failures: [], checked: new Map() };
  const skip = options.includeKnownFailures ? [] : KNOWN_FAILING_CORRUPTIONS;
  const arb = cliInputArb.filter((input) => !input.cache || !skip.includes(input.cache.corruption));
  const started = Date.now();
  for (const input of fc.sample(arb, { seed: options.seed, numRuns: options.count })) {
    if (Date.now() - started > options.timeLimitMs) break;
    const failure = checkCliInput(input, report.checked);
    report.inputs++;
    if (failure) report.failures.push({ input: describeCliInput(input), failure });
    options.onProgress?.(report);
  }
  return report;
}
