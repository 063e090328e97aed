/**
 * `npm run bench`: pyhang's benchmark. In one process tree and one run it
 * measures the read floor, the grep floor, `pyhang check` cold and warm, the
 * parse floor (reading, pre-filtering and parsing what pyhang analyses, with
 * no analysis), `pyhang check` without the pre-filter, `pyhang check` and native
 * Ruff's ASYNC rules on every file (alternately), Ruff-wasm's ASYNC rules,
 * and the language server's edit latency over the standard library, then a
 * corpus ten times larger;
 * prints the table and writes docs/performance.md (see report.ts).
 *
 * Environment:
 * - PYHANG_BENCH_RUNS: runs per row (default 5; 1 for a quick check).
 * - PYHANG_BENCH_SCALE: copies of the corpus for the linearity row (default 10; 0 skips it).
 * - PYHANG_BENCH_FILES: files in the many-small-files tree (default 100,000; 0 skips it).
 * - PYHANG_BENCH_WRITE=0: print only, leave docs/performance.md alone.
 * - PYHANG_BENCH_ONLY=bigfile: only the one-large-file rows (2, 6 and 18 MB,
 *   bench/big-file.ts); rewrites only their section of docs/performance.md.
 * - PYHANG_BENCH_ONLY=jobs: only the `--jobs 1` / `--jobs 2` pair and its target, printed (docs/performance.md is left alone).
 * - PYHANG_BENCH_ONLY=server: only the language server's rows, printed (docs/performance.md is left alone).
 *
 * Nothing here is asserted: the targets are reported as met or not.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus, stdlibDirectory, type Corpus } from './corpus.js';
import { makeWideProject } from './wide-project.js';
import { CommandFailed, runStreamed, runTimed, summarize, type Sample, type RunOptions, type StreamedSample } from './measure.js';
import { makeManyFilesTree } from './many-files.js';
import { BIG_FILE_SIZES_MB, growthExponent, makeBigFileProject } from './big-file.js';
import { compareFindings, describeCounts, readReport, type Comparison, type Report } from './findings.js';
import { measureServerLatency, type ServerLatency } from './server-latency.js';
import { ensureNativeRuff, ruffCheckArgs, ruffCounts, RUFF_PIN, type NativeRuff } from './ruff-native.js';
import { usesNativeParse } from '../src/python/parser.js';
import { installSectionOf, withInstallSection } from './install.js';
import { AnalysisCache } from '../src/engine/analysis-cache.js';
import { cacheKey } from '../src/engine/cache-key.js';
import { readVersion } from '../src/cli/main.js';
import {
  bigFileTarget,
  count,
  formatBytes,
  formatMb,
  formatMs,
  renderBigFileSection,
  renderDocument,
  renderSummary,
  renderTargets,
  withBigFileSection,
  byHandSectionOf,
  withByHandSection,
  type BenchResult,
  type BigFileResult,
  type Machine,
  type Row,
  type Target,
} from './report.js';

/** dist/bench/bench.js → the repository root. */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(repoRoot, 'bin', 'pyhang.js');
const benchDir = path.join(repoRoot, 'dist', 'bench');
const node = process.execPath;

const GREP_PATTERN = 'run_coroutine_threadsafe|SystemExit|KeyboardInterrupt|sys\\.exit|async def';
/** A row whose first run takes longer than this is measured once, to keep the whole benchmark near ten minutes. */
const SLOW_RUN_MS = 30_000;
const SERVER_LINES = 5000;
/** Corpus files put in the workspace beside the module for the second server row (the first ones, in path order). */
const SERVER_OTHER_FILES = 3000;
const MEMORY_TARGET_BYTES = 300e6;
/** Peak RSS #20 allows on the 10× project. */
const WIDE_MEMORY_TARGET_BYTES = 600e6;

const runs = envInteger('PYHANG_BENCH_RUNS', 5, 1);
const copies = envInteger('PYHANG_BENCH_SCALE', 10, 0);
const manyFiles = envInteger('PYHANG_BENCH_FILES', 100_000, 0);
/** Runs of the many-files rows at most: each is a long run. */
const MANY_FILES_RUNS = 3;
/** Runs per size of the one-large-file rows at most: the largest takes tens of seconds. */
const BIG_FILE_RUNS = 3;
const ONLY_CHOICES = ['bigfile', 'jobs', 'server'];
const only = process.env['PYHANG_BENCH_ONLY'] ?? '';
if (only !== '' && !ONLY_CHOICES.includes(only)) {
  process.stderr.write(`bench: PYHANG_BENCH_ONLY must be one of ${ONLY_CHOICES.join(', ')}, not '${only}'\n`);
  process.exit(2);
}
/** PYHANG_BENCH_ONLY=jobs and =server print their rows only; =bigfile rewrites its own section of docs/performance.md. */
const write = process.env['PYHANG_BENCH_WRITE'] !== '0' && only !== 'jobs' && only !== 'server';
/** The speed-up `--jobs 2` must give over `--jobs 1` (issue #20). */
const JOBS_SPEEDUP_TARGET = 1.5;

function envInteger(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`bench: ${name} must be a whole number of at least ${min}, not '${raw}'\n`);
    process.exit(2);
  }
  return value;
}

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** Which of the performance flags this build of `pyhang check` has (they arrived separately). */
function checkFlags(): Set<string> {
  const help = execFileSync(node, [bin, 'check', '--help'], { encoding: 'utf8' });
  return new Set(['--no-cache', '--cache-dir', '--no-prefilter', '--jobs'].filter((flag) => help.includes(flag)));
}

/**
 * Runs `run` up to `count` times and summarises; stops after the first run when
 * that one is slow. A failure becomes the row's error, and the benchmark goes on.
 */
function timedRow(label: string, times: number, run: () => Sample, options: { compared?: boolean; notes?: string[] } = {}): Row {
  const samples: Sample[] = [];
  const notes = [...(options.notes ?? [])];
  try {
    for (let i = 0; i < times; i++) {
      const sample = run();
      samples.push(sample);
      progress(`${label}: run ${i + 1}/${times}: ${formatMs(sample.ms)}, ${formatMb(sample.rssKiB)}`);
      if (i === 0 && times > 1 && sample.ms > SLOW_RUN_MS) {
        notes.unshift(`1 run only: it took over ${SLOW_RUN_MS / 1000} s`);
        break;
      }
    }
  } catch (error) {
    const reason = error instanceof CommandFailed ? error.message : String(error);
    progress(`${label}: failed: ${reason}`);
    if (samples.length === 0) return { label, compared: options.compared ?? true, notes, error: `failed: ${reason}` };
    notes.push(`run ${samples.length + 1} failed: ${reason}`);
  }
  return { label, compared: options.compared ?? true, notes, ...summarize(samples) };
}

/**
 * A tree of many small files (many-files.ts), checked cold with a streamed
 * format: when the first finding is printed, against the whole run. Two rows
 * from the same runs.
 */
async function manyFilesRows(target: string, noCache: string[]): Promise<Row[]> {
  progress(`writing a tree of ${count(manyFiles)} small files`);
  const tree = makeManyFilesTree(target, manyFiles);
  const label = `pyhang cold, ${count(tree.files)} small files`;
  const samples: StreamedSample[] = [];
  try {
    for (let i = 0; i < Math.min(runs, MANY_FILES_RUNS); i++) {
      const sample = await runStreamed(node, [bin, 'check', '.', '--format', 'compact', '--exit-zero', ...noCache], { cwd: target });
      samples.push(sample);
      progress(`${label}: run ${i + 1}: first finding ${formatMs(sample.firstOutputMs)}, whole run ${formatMs(sample.ms)}`);
    }
  } catch (error) {
    const reason = error instanceof CommandFailed ? error.message : String(error);
    progress(`${label}: failed: ${reason}`);
    if (samples.length === 0) return [{ label, compared: false, notes: [], error: `failed: ${reason}` }];
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
  const whole = summarize(samples);
  const first = summarize(samples.map((sample) => ({ ms: sample.firstOutputMs, rssKiB: sample.rssKiB, cpuMs: sample.cpuMs })));
  const share = samples.map((sample) => sample.firstOutputMs / sample.ms).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  return [
    { label: `${label}: first finding printed (compact)`, compared: false, ...first, peakRssKiB: undefined, notes: [`${(share * 100).toFixed(0)}% of the whole run (median run)`] },
    {
      label: `${label}: whole run (compact)`,
      compared: false,
      ...whole,
      notes: [`${formatBytes(tree.bytes)}; ${count(samples[0]!.lines)} findings printed`],
    },
  ];
}

interface Contender {
  label: string;
  run: () => Sample;
  notes?: string[];
}

/**
 * Runs each contender `times` times, in turns (A, B, A, B, ...), so that a
 * change of load on the machine falls on both alike. A contender that fails
 * drops out with its error; the others go on.
 */
function alternatingRows(times: number, contenders: Contender[]): Row[] {
  const samples: Sample[][] = contenders.map(() => []);
  const errors: (string | null)[] = contenders.map(() => null);
  for (let i = 0; i < times; i++) {
    contenders.forEach((contender, k) => {
      if (errors[k]) return;
      try {
        const sample = contender.run();
        samples[k]!.push(sample);
        progress(`${contender.label}: run ${i + 1}/${times}: ${formatMs(sample.ms)}, CPU ${formatMs(sample.cpuMs)}, ${formatMb(sample.rssKiB)}`);
      } catch (error) {
        errors[k] = error instanceof CommandFailed || error instanceof Error ? error.message : String(error);
        progress(`${contender.label}: failed: ${errors[k]}`);
      }
    });
  }
  return contenders.map((contender, k) => {
    const notes = [...(contender.notes ?? [])];
    if (samples[k]!.length === 0) return { label: contender.label, compared: true, notes, error: `failed: ${errors[k]}` };
    if (errors[k]) notes.push(`run ${samples[k]!.length + 1} failed: ${errors[k]}`);
    return { label: contender.label, compared: true, notes, ...summarize(samples[k]!) };
  });
}

/**
 * One large file at each size of BIG_FILE_SIZES_MB (bench/big-file.ts),
 * checked cold; the sizes are run in turns (2, 6, 18, 2, 6, 18, ...) so that
 * they see the same load, which the growth exponents compare.
 */
function bigFileRows(work: string): BigFileResult {
  const loadStart = os.loadavg()[0]!;
  const projects = BIG_FILE_SIZES_MB.map((mb) => {
    progress(`writing a ${mb} MB module`);
    return makeBigFileProject(path.join(work, `big-file-${mb}`), mb);
  });
  const samples: Sample[][] = projects.map(() => []);
  const failures: (string | null)[] = projects.map(() => null);
  const times = Math.min(runs, BIG_FILE_RUNS);
  for (let i = 0; i < times; i++) {
    projects.forEach((project, p) => {
      if (failures[p]) return;
      try {
        const sample = runTimed(node, [bin, 'check', '.', '--no-cache', '--format', 'json', '--exit-zero'], {
          cwd: project.dir,
          stdoutFile: path.join(project.dir, 'report.json'),
        });
        samples[p]!.push(sample);
        progress(`big file ${BIG_FILE_SIZES_MB[p]} MB: run ${i + 1}/${times}: ${formatMs(sample.ms)}, CPU ${formatMs(sample.cpuMs)}, ${formatMb(sample.rssKiB)}`);
      } catch (error) {
        failures[p] = error instanceof CommandFailed ? error.message : String(error);
        progress(`big file ${BIG_FILE_SIZES_MB[p]} MB: failed: ${failures[p]}`);
      }
    });
  }
  const rows: Row[] = projects.map((project, p) => {
    const label = `pyhang cold, one ${BIG_FILE_SIZES_MB[p]} MB file`;
    if (samples[p]!.length === 0) return { label, compared: false, notes: [], error: `failed: ${failures[p]}` };
    const report = readReport(path.join(project.dir, 'report.json'));
    const notes = [describeCounts(report.byCode)];
    if (failures[p]) notes.push(`run ${samples[p]!.length + 1} failed: ${failures[p]}`);
    return { label, compared: false, notes, ...summarize(samples[p]!) };
  });
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const grows = (cost: (row: Row) => number | undefined): number =>
    growthExponent({ size: projects[0]!.bytes, cost: cost(first)! }, { size: projects[projects.length - 1]!.bytes, cost: cost(last)! });
  const exponents =
    first.error || last.error ? null : { wall: grows((row) => row.medianMs), cpu: grows((row) => row.cpuMedianMs), rss: grows((row) => row.peakRssKiB) };
  return {
    date: new Date(),
    rows,
    files: projects.map(({ bytes, functions }) => ({ bytes, functions })),
    exponents,
    loadAverage: { start: loadStart, end: os.loadavg()[0]! },
  };
}

/** PYHANG_BENCH_ONLY=bigfile: the one-large-file rows alone, written into their section of docs/performance.md. */
function runBigFileOnly(): void {
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-bench-')));
  try {
    const result = bigFileRows(work);
    const section = renderBigFileSection(result);
    process.stdout.write(`${section}\n`);
    if (write) {
      const doc = path.join(repoRoot, 'docs', 'performance.md');
      fs.writeFileSync(doc, withBigFileSection(fs.readFileSync(doc, 'utf8'), section));
      progress(`wrote the big-file section of ${path.relative(process.cwd(), doc) || doc}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `pyhang check` over every file at `--jobs 1` and `--jobs 2`, in turns: what
 * the second thread buys (issue #20), and the target it is held to.
 */
function jobsPair(runJobs: (jobs: number, out: string) => Sample, out: (name: string) => string): { rows: Row[]; target: Target } {
  const rows = alternatingRows(
    runs,
    [1, 2].map((jobs) => ({ label: `pyhang cold, all files, \`--jobs ${jobs}\``, run: () => runJobs(jobs, out(`jobs-${jobs}.json`)) })),
  );
  const [one, two] = rows as [Row, Row];
  const what = `\`--jobs 2\` ≥ ${JOBS_SPEEDUP_TARGET}× \`--jobs 1\` (all files, wall median, runs in turns)`;
  if (one.medianMs === undefined || two.medianMs === undefined || one.error || two.error) {
    return { rows, target: { what, measured: one.error ?? two.error ?? '—', met: null } };
  }
  const r = one.medianMs / two.medianMs;
  const cpu = `CPU ${formatMs(one.cpuMedianMs)} vs ${formatMs(two.cpuMedianMs)}`;
  two.notes.push(`${r.toFixed(2)}× the \`--jobs 1\` row's speed`);
  return { rows, target: { what, measured: `${r.toFixed(2)}× (${formatMs(one.medianMs)} vs ${formatMs(two.medianMs)}; ${cpu})`, met: r >= JOBS_SPEEDUP_TARGET } };
}

/**
 * The language server's rows: edit → diagnostics on a 5,000-line module alone,
 * then beside the first SERVER_OTHER_FILES files of the corpus.
 */
async function serverRows(corpus: Corpus): Promise<{ rows: Row[]; server: ServerLatency | null; withOthers: ServerLatency | null }> {
  const rows: Row[] = [];
  progress(`language server: ${SERVER_LINES}-line module`);
  let server: ServerLatency | null = null;
  try {
    server = await measureServerLatency({
      lines: SERVER_LINES,
      warmupEdits: 5,
      saveEdits: runs >= 5 ? 100 : 20,
      debouncedEdits: runs >= 5 ? 30 : 10,
    });
  } catch (error) {
    progress(`language server: failed: ${error instanceof Error ? error.message : String(error)}`);
    rows.push({ label: 'server: edit → diagnostics', compared: false, notes: [], error: `failed: ${String(error)}` });
  }
  if (server) {
    rows.push({
      label: 'server: edit → diagnostics (change + save)',
      compared: false,
      runs: server.save.edits,
      medianMs: server.save.medianMs,
      minMs: server.save.minMs,
      maxMs: server.save.maxMs,
      peakRssKiB: server.peakRssKiB,
      notes: [
        `p95 ${formatMs(server.save.p95Ms)}`,
        `${server.lines}-line module, ${server.diagnostics} diagnostics`,
        `open → first diagnostics ${formatMs(server.openMs)}`,
        `CPU per edit: server ${formatMs(server.cpuPerEditMs.server)}, analysis process ${formatMs(server.cpuPerEditMs.analysis)}`,
      ],
    });
    rows.push({
      label: `server: edit → diagnostics (change only, minus ${server.debounceMs} ms debounce)`,
      compared: false,
      runs: server.debounced.edits,
      medianMs: server.debounced.medianMs,
      minMs: server.debounced.minMs,
      maxMs: server.debounced.maxMs,
      notes: [`p95 ${formatMs(server.debounced.p95Ms)}`, 'same server process as the row above'],
    });
  }

  // The same edits with part of the corpus beside the module, as in a real project: the other files
  // are not reported on, but every pass searches them for the names the analysis found.
  const others = corpus.files.slice(0, SERVER_OTHER_FILES);
  progress(`language server: ${SERVER_LINES}-line module and ${others.length} other files`);
  let withOthers: ServerLatency | null = null;
  try {
    const big = await measureServerLatency({
      lines: SERVER_LINES,
      warmupEdits: 5,
      saveEdits: runs >= 5 ? 50 : 10,
      debouncedEdits: 0,
      workspaceFiles: { root: corpus.root, files: others },
    });
    rows.push({
      label: `server: edit → diagnostics, ${big.otherFiles.toLocaleString('en-US')} other files (change + save)`,
      compared: false,
      runs: big.save.edits,
      medianMs: big.save.medianMs,
      minMs: big.save.minMs,
      maxMs: big.save.maxMs,
      peakRssKiB: big.peakRssKiB,
      notes: [
        `p95 ${formatMs(big.save.p95Ms)}`,
        `open → first diagnostics ${formatMs(big.openMs)}`,
        `CPU per edit: server ${formatMs(big.cpuPerEditMs.server)}, analysis process ${formatMs(big.cpuPerEditMs.analysis)}`,
      ],
    });
    withOthers = big;
  } catch (error) {
    progress(`language server with other files: failed: ${error instanceof Error ? error.message : String(error)}`);
    rows.push({ label: 'server: edit → diagnostics, other files', compared: false, notes: [], error: `failed: ${String(error)}` });
  }
  return { rows, server, withOthers };
}

async function runBenchmark(): Promise<void> {
  const began = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const corpus = loadCorpus(stdlibDirectory());
  progress(`corpus: ${corpus.files.length} .py files, ${formatBytes(corpus.bytes)} under ${corpus.root}`);
  const flags = checkFlags();
  for (const flag of ['--no-cache', '--cache-dir', '--no-prefilter']) {
    if (!flags.has(flag)) progress(`pyhang check has no ${flag} flag: the rows that need it are skipped or marked`);
  }
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-bench-')));
  try {
    // Replaces the default excludes (site-packages, build, venv) so that pyhang checks exactly the
    // corpus, and leaves out the .pyi stubs, which grep's --include='*.py' does not read either.
    const config = path.join(work, 'pyproject.toml');
    fs.writeFileSync(config, '[tool.pyhang]\nexclude = ["*.pyi"]\n');
    // Every file, stubs included, as native Ruff with `exclude=[]` checks it: the pair the Ruff target compares.
    const allConfig = path.join(work, 'all', 'pyproject.toml');
    fs.mkdirSync(path.dirname(allConfig));
    fs.writeFileSync(allConfig, '[tool.pyhang]\nexclude = []\n');
    const pyhangWith = (cfg: string, root: string, extra: string[], stdoutFile: string): Sample =>
      runTimed(node, [bin, 'check', root, '--config', cfg, '--format', 'json', '--exit-zero', ...extra], {
        stdoutFile,
        okStatuses: [0, 1],
        cwd: work,
      });
    const pyhang = (root: string, extra: string[], stdoutFile: string): Sample => pyhangWith(config, root, extra, stdoutFile);
    const noCache = flags.has('--no-cache') ? ['--no-cache'] : [];
    const inWork = (name: string): string => path.join(work, name);
    const plain: RunOptions = { cwd: work };

    progress('warming the page cache (one untimed read of the corpus)');
    runTimed(node, [path.join(benchDir, 'read-files.js'), corpus.root], plain);

    if (only === 'server') {
      for (const row of (await serverRows(corpus)).rows) {
        process.stdout.write(`${row.label}: median ${formatMs(row.medianMs)} (${formatMs(row.minMs)}–${formatMs(row.maxMs)}), ${formatMb(row.peakRssKiB)}; ${row.error ?? row.notes.join('; ')}\n`);
      }
      return;
    }

    const withJobs = (jobs: number, out: string): Sample => pyhangWith(allConfig, corpus.root, [...noCache, '--jobs', String(jobs)], out);
    if (only === 'jobs') {
      if (!flags.has('--jobs')) throw new Error('this build of pyhang check has no --jobs flag');
      const pair = jobsPair(withJobs, inWork);
      process.stdout.write(`${renderTargets([pair.target])}\n`);
      for (const row of pair.rows) {
        process.stdout.write(`${row.label}: median ${formatMs(row.medianMs)} (${formatMs(row.minMs)}–${formatMs(row.maxMs)}), CPU ${formatMs(row.cpuMedianMs)}, ${formatMb(row.peakRssKiB)}${row.error ? `; ${row.error}` : ''}\n`);
      }
      return;
    }

    const rows: Row[] = [];
    const notes: string[] = [];
    const readFloor = (root: string): Sample => runTimed(node, [path.join(benchDir, 'read-files.js'), root], plain);
    const grepFloor = (root: string, out: string): Sample =>
      runTimed('grep', ['-rlE', GREP_PATTERN, '--include=*.py', root], { ...plain, stdoutFile: out, okStatuses: [0, 1] });

    const read = timedRow('read floor (walk + readFileSync)', runs, () => readFloor(corpus.root));
    rows.push(read);
    const grep = timedRow('grep floor (`grep -rlE`)', runs, () => grepFloor(corpus.root, inWork('grep.txt')));
    grep.notes.push(`${countLines(inWork('grep.txt'))} files match`);
    rows.push(grep);

    const coldNotes = flags.has('--no-cache') ? [] : ['no --no-cache flag in this build: run without it'];
    const cold = timedRow('pyhang cold (`--no-cache`)', runs, () => pyhang(corpus.root, noCache, inWork('cold.json')), { notes: coldNotes });
    rows.push(cold);
    const coldReport = cold.error ? null : readReport(inWork('cold.json'));
    if (coldReport) {
      cold.notes.push(`${count(coldReport.files)} files checked; ${describeCounts(coldReport.byCode)}`);
      if (coldReport.files !== corpus.files.length) {
        notes.push(`pyhang checked ${coldReport.files} files where the corpus has ${corpus.files.length}: the rows do not compare like with like.`);
      }
    }

    let warm: Row;
    let warmReport: Report | null = null;
    // A user's first run with the default cache: it analyses as the cold run does, then writes the cache.
    let priming: Row | null = null;
    if (flags.has('--cache-dir')) {
      const cacheDir = inWork('cache');
      priming = timedRow('pyhang filling the cache (priming)', 1, () => pyhang(corpus.root, ['--cache-dir', cacheDir], inWork('warm-prime.json')));
      warm = timedRow('pyhang warm (cache hit)', runs, () => pyhang(corpus.root, ['--cache-dir', cacheDir], inWork('warm.json')));
      if (!warm.error) {
        warmReport = readReport(inWork('warm.json'));
        warm.notes.push(`cache ${formatBytes(directorySize(cacheDir))}; priming run ${formatMs(priming.medianMs)}, ${formatMb(priming.peakRssKiB)}`);
      }
    } else {
      warm = { label: 'pyhang warm (cache hit)', compared: true, notes: [], error: 'skipped: this build has no --cache-dir' };
    }
    rows.push(warm);

    // The files the priming run analysed (its cache keeps their facts) are those the parse floor parses.
    let floor: Row;
    const analysedList = inWork('analysed.json');
    const analysed = flags.has('--cache-dir') ? analysedFiles(inWork('cache')) : null;
    if (analysed) {
      fs.writeFileSync(analysedList, JSON.stringify(analysed));
      floor = timedRow(`parse floor (${count(analysed.length)} files pyhang analysed)`, runs, () =>
        runTimed(node, [path.join(benchDir, 'parse-floor.js'), corpus.root, analysedList], { ...plain, stdoutFile: inWork('floor.json') }),
      );
      if (!floor.error) {
        const out = JSON.parse(fs.readFileSync(inWork('floor.json'), 'utf8')) as { threads: number; parsed: number; parsedBytes: number };
        floor.notes.push(`${count(out.parsed)} files (${formatBytes(out.parsedBytes)}) parsed on ${out.threads} threads; no analysis`);
      }
    } else {
      floor = { label: 'parse floor', compared: true, notes: [], error: 'skipped: no cache to learn which files pyhang analysed' };
    }
    rows.push(floor);

    let exhaustive: Row;
    let exhaustiveReport: Report | null = null;
    if (flags.has('--no-prefilter')) {
      exhaustive = timedRow('pyhang `--no-prefilter`', runs, () => pyhang(corpus.root, [...noCache, '--no-prefilter'], inWork('no-prefilter.json')));
      if (!exhaustive.error) {
        exhaustiveReport = readReport(inWork('no-prefilter.json'));
        exhaustive.notes.push(describeCounts(exhaustiveReport.byCode));
      }
    } else {
      exhaustive = { label: 'pyhang `--no-prefilter`', compared: true, notes: [], error: 'skipped: this build has no --no-prefilter' };
    }
    rows.push(exhaustive);

    // The target's pair: pyhang and native Ruff over the same files (stubs and site-packages included), in turns.
    let nativeRuff: NativeRuff | null = null;
    let nativeRuffError: string | null = null;
    try {
      nativeRuff = ensureNativeRuff(progress);
    } catch (error) {
      nativeRuffError = error instanceof Error ? error.message : String(error);
      progress(`native Ruff: ${nativeRuffError}`);
    }
    const allLabel = 'pyhang cold, all files (`exclude = []`)';
    const nativeLabel = `Ruff native, ASYNC rules (\`ruff check --select ASYNC --no-cache --config 'exclude=[]'\`)`;
    const contenders: Contender[] = [{ label: allLabel, run: () => pyhangWith(allConfig, corpus.root, noCache, inWork('cold-all.json')) }];
    if (nativeRuff) {
      const ruffBin = nativeRuff.bin;
      contenders.push({
        label: nativeLabel,
        run: () => runTimed(ruffBin, ruffCheckArgs(corpus.root), { ...plain, stdoutFile: inWork('ruff-native.json') }),
        notes: nativeRuff.installed ? ['installed by this run'] : [],
      });
    }
    const [coldAll, ruffNativeRow] = alternatingRows(runs, contenders) as [Row, Row | undefined];
    const ruffNative: Row = ruffNativeRow ?? { label: nativeLabel, compared: true, notes: [], error: `skipped: ${nativeRuffError}` };
    if (!coldAll.error) {
      const report = readReport(inWork('cold-all.json'));
      coldAll.notes.push(`${count(report.files)} files checked; ${describeCounts(report.byCode)}`);
    }
    if (!ruffNative.error) {
      const out = ruffCounts(inWork('ruff-native.json'));
      ruffNative.notes.push(`${out.findings} findings (${describeCounts(out.byCode)})`);
    }
    rows.push(coldAll, ruffNative);

    // What the second thread buys, on the same files.
    const jobs = flags.has('--jobs') ? jobsPair(withJobs, inWork) : null;
    if (jobs) rows.push(...jobs.rows);

    let ruffVersion = 'unknown';
    const ruff = timedRow('Ruff-wasm, ASYNC rules', runs, () =>
      runTimed(node, [path.join(benchDir, 'ruff-async.js'), corpus.root], { ...plain, stdoutFile: inWork('ruff.json') }),
    );
    if (!ruff.error) {
      const out = JSON.parse(fs.readFileSync(inWork('ruff.json'), 'utf8')) as { findings: number; byCode: Record<string, number>; failures: number; version: string };
      ruffVersion = out.version;
      ruff.notes.push(`${out.findings} findings (${describeCounts(out.byCode)})${out.failures > 0 ? `; ${out.failures} files failed` : ''}`);
    }
    rows.push(ruff);

    const served = await serverRows(corpus);
    rows.push(...served.rows);
    const server = served.server;
    const serverWithOthers = served.withOthers;

    let scale: BenchResult['scale'] = null;
    let scaledCold: Row | null = null;
    if (copies > 1) {
      const target = inWork('scaled');
      progress(`building the ${copies}× corpus`);
      const wide = makeWideProject(corpus, target, copies);
      const scaleRows: Row[] = [];
      const vsBase = (row: Row, base: Row): void => {
        if (!base.error) row.baseMs = base.medianMs;
      };
      const scaledRead = timedRow(`read floor, ${copies}×`, 1, () => readFloor(target), { compared: false });
      vsBase(scaledRead, read);
      const scaledGrep = timedRow(`grep floor, ${copies}×`, 1, () => grepFloor(target, inWork('grep-scaled.txt')), { compared: false });
      vsBase(scaledGrep, grep);
      scaledCold = timedRow(`pyhang cold, ${copies}×`, 1, () => pyhang(target, noCache, inWork('cold-scaled.json')), { compared: false });
      vsBase(scaledCold, cold);
      if (!scaledCold.error) {
        const report = readReport(inWork('cold-scaled.json'));
        scaledCold.notes.push(`${count(report.files)} files checked; ${describeCounts(report.byCode)}`);
        if (report.files !== wide.files) {
          notes.push(`On the ${copies}× corpus pyhang checked ${report.files} files, not ${wide.files}.`);
        }
      }
      scaleRows.push(scaledRead, scaledGrep, scaledCold);
      scale = { copies, files: wide.files, bytes: wide.bytes, mode: `imports rewritten in ${wide.rewritten} files per copy`, rows: scaleRows };
    }

    if (manyFiles > 0) rows.push(...(await manyFilesRows(inWork('many-files'), noCache)));
    const bigFile = bigFileRows(inWork('big-file'));

    const comparison = coldReport && exhaustiveReport ? compareFindings(coldReport.findings, exhaustiveReport.findings) : null;
    if (coldReport && exhaustiveReport) notes.push(...describeComparison(comparison!, coldReport, exhaustiveReport));
    if (coldReport && warmReport) {
      const cached = compareFindings(coldReport.findings, warmReport.findings);
      const problems = compareFindings(coldReport.fileProblems, warmReport.fileProblems);
      notes.push(
        cached.same && problems.same
          ? `The cache hit (warm) reports exactly what the cold run reports (${coldReport.findings.length} rule findings, ${coldReport.fileProblems.length} file problems).`
          : `The cache hit (warm) differs from the cold run: ${cached.onlyInFirst.length + problems.onlyInFirst.length} only cold, ${cached.onlyInSecond.length + problems.onlyInSecond.length} only warm; e.g. ${[...cached.onlyInFirst, ...cached.onlyInSecond, ...problems.onlyInFirst, ...problems.onlyInSecond].slice(0, 3).join(' / ')}`,
      );
    }

    const busy = Math.max(loadAtStart, os.loadavg()[0]!);
    if (busy > os.cpus().length / 2) {
      notes.push(
        `The machine was busy with other work (one-minute load average up to ${busy.toFixed(2)} on ${os.cpus().length} cores): ` +
          'every row is slower and noisier than on an idle machine.',
      );
    }

    const floorNote = describeFloor(floor, grep, ruffNative);
    if (floorNote) notes.push(floorNote);
    if (cold.medianMs !== undefined && ruff.medianMs !== undefined) {
      notes.push(`Ruff's WebAssembly build (single-threaded, for reference only) takes ${formatMs(ruff.medianMs)} on the \`.py\` files: ${(ruff.medianMs / cold.medianMs).toFixed(2)}× pyhang cold's time.`);
    }

    const result: BenchResult = {
      date: new Date(),
      machine: machineDetails(ruffVersion, nativeRuff?.version.replace(/^ruff /, '') ?? `${RUFF_PIN} (not installed: ${nativeRuffError})`, loadAtStart),
      corpus: { root: corpus.root, files: corpus.files.length, bytes: corpus.bytes },
      runs,
      rows,
      grepMs: grep.medianMs,
      ruffMs: ruffNative.medianMs,
      scale,
      server: { lines: SERVER_LINES, debounceMs: server?.debounceMs ?? 150 },
      targets: [
        ...targets({ grep, cold, coldAll, ruffNative, priming, warm, ruff, comparison, coldReport, scaledCold, server, serverWithOthers, copies }),
        jobs?.target ?? { what: `\`--jobs 2\` ≥ ${JOBS_SPEEDUP_TARGET}× \`--jobs 1\``, measured: 'this build has no --jobs flag', met: null },
        bigFileTarget(bigFile),
      ],
      notes,
      elapsedMs: performance.now() - began,
    };
    process.stdout.write(renderSummary(result));
    if (write) {
      const doc = path.join(repoRoot, 'docs', 'performance.md');
      // The install times are bench:install's (bench/install.ts): kept as they are.
      // So are the sections measured by hand (see byHandSectionOf).
      const existing = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '';
      const install = installSectionOf(existing);
      const byHand = byHandSectionOf(existing);
      let written = withBigFileSection(renderDocument(result), renderBigFileSection(bigFile));
      if (byHand) written = withByHandSection(written, byHand);
      fs.writeFileSync(doc, install ? withInstallSection(written, install) : written);
      progress(`wrote ${path.relative(process.cwd(), doc) || doc}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Which files the run that filled the cache analysed (see AnalysisCache.analysedFiles); null without one. */
function analysedFiles(cacheDir: string): string[] | null {
  const cache = AnalysisCache.open(cacheDir, cacheKey(readVersion()));
  const files = cache.analysedFiles();
  cache.close();
  return files.length > 0 ? files : null;
}

/** How the parse floor stands to the time the cold-run targets allow. */
function describeFloor(floor: Row, grep: Row, ruff: Row): string | null {
  if (floor.medianMs === undefined || grep.medianMs === undefined || ruff.medianMs === undefined) return null;
  const allowed = Math.min(4 * grep.medianMs, ruff.medianMs);
  const left = allowed - floor.medianMs;
  return (
    `The parse floor takes ${formatMs(floor.medianMs)}: reading, pre-filtering and parsing, with nothing analysed, the files pyhang analyses. ` +
    `The cold-run targets allow ${formatMs(allowed)} (the lower of 4× grep and native Ruff's time, which also reads the stubs), ` +
    (left > 0 ? `which leaves ${formatMs(left)} for analysing them.` : `${formatMs(-left)} less than the floor.`)
  );
}

function describeComparison(comparison: Comparison, cold: Report, exhaustive: Report): string[] {
  const notes: string[] = [];
  if (comparison.same) {
    notes.push(`The default run and \`--no-prefilter\` report the same ${cold.findings.length} rule findings.`);
  } else {
    notes.push(
      `The default run and \`--no-prefilter\` disagree: ${comparison.onlyInFirst.length} rule findings only in the default run, ` +
        `${comparison.onlyInSecond.length} only with \`--no-prefilter\`. First of them: ` +
        [...comparison.onlyInFirst.map((k) => `default only: ${k}`), ...comparison.onlyInSecond.map((k) => `no-prefilter only: ${k}`)]
          .slice(0, 5)
          .map((k) => `\`${k.replace(/\t/g, ' ')}\``)
          .join('; '),
    );
  }
  const problems = compareFindings(cold.fileProblems, exhaustive.fileProblems);
  if (!problems.same) {
    notes.push(
      `File problems differ, as documented (without the pre-filter every file is parsed, so syntax errors show in files that cannot hold a hazard): ` +
        `${cold.fileProblems.length} in the default run, ${exhaustive.fileProblems.length} with \`--no-prefilter\`.`,
    );
  }
  return notes;
}

function targets(m: {
  grep: Row;
  cold: Row;
  /** pyhang cold over every file (`exclude = []`), run in turns with native Ruff. */
  coldAll: Row;
  ruffNative: Row;
  /** The run that fills the cache (none without --cache-dir). */
  priming: Row | null;
  warm: Row;
  ruff: Row;
  comparison: Comparison | null;
  coldReport: Report | null;
  scaledCold: Row | null;
  server: ServerLatency | null;
  /** The same edits beside SERVER_OTHER_FILES files of the corpus. */
  serverWithOthers: ServerLatency | null;
  copies: number;
}): Target[] {
  const list: Target[] = [];
  const known = (row: Row): row is Row & { medianMs: number } => !row.error && row.medianMs !== undefined;

  const nativeWhat = "Cold full check faster than native Ruff `check --select ASYNC --no-cache --config 'exclude=[]'` (same files, wall median)";
  if (known(m.coldAll) && known(m.ruffNative)) {
    const r = m.ruffNative.medianMs / m.coldAll.medianMs;
    const speed = r >= 1 ? `${r.toFixed(2)}× faster` : `${(1 / r).toFixed(2)}× slower`;
    const cpu = `CPU ${formatMs(m.coldAll.cpuMedianMs)} vs ${formatMs(m.ruffNative.cpuMedianMs)}`;
    list.push({ what: nativeWhat, measured: `${speed} (${formatMs(m.coldAll.medianMs)} vs ${formatMs(m.ruffNative.medianMs)}; ${cpu})`, met: r > 1 });
  } else list.push({ what: nativeWhat, measured: m.ruffNative.error ?? m.coldAll.error ?? '—', met: null });

  if (known(m.cold) && known(m.grep)) {
    const r = m.cold.medianMs / m.grep.medianMs;
    list.push({ what: 'Cold check within 4× the grep floor', measured: `${r.toFixed(2)}× (${formatMs(m.cold.medianMs)} vs ${formatMs(m.grep.medianMs)})`, met: r <= 4 });
  } else list.push({ what: 'Cold check within 4× the grep floor', measured: '—', met: null });

  if (m.comparison && m.coldReport) {
    const c = m.comparison;
    list.push({
      what: 'Same findings as `--no-prefilter`',
      measured: c.same ? `match (${m.coldReport.findings.length} rule findings)` : `mismatch: ${c.onlyInFirst.length} only default, ${c.onlyInSecond.length} only --no-prefilter`,
      met: c.same,
    });
  } else list.push({ what: 'Same findings as `--no-prefilter`', measured: '—', met: null });

  const checks = [m.cold, m.coldAll, m.priming, m.warm].filter((row): row is Row => !!row && !row.error && row.peakRssKiB !== undefined);
  if (checks.length > 0) {
    const peak = Math.max(...checks.map((row) => row.peakRssKiB!));
    list.push({
      what: 'Peak memory of `pyhang check` under 300 MB',
      measured: checks.map((row) => `${row.label.split(' (')[0]} ${formatMb(row.peakRssKiB)}`).join(', '),
      met: peak * 1024 < MEMORY_TARGET_BYTES,
    });
  } else list.push({ what: 'Peak memory of `pyhang check` under 300 MB', measured: '—', met: null });

  const limit = m.copies * 1.1;
  const copies = m.copies || 10;
  const linearWhat = `Linear: a ${copies}× project (its import graph ${copies}× larger) takes at most ~${copies}× as long (≤ ${(limit || 11).toFixed(0)}×, 10 % for noise) and ≤ ${WIDE_MEMORY_TARGET_BYTES / 1e6} MB`;
  if (m.scaledCold && known(m.scaledCold) && known(m.cold)) {
    const r = m.scaledCold.medianMs / m.cold.medianMs;
    const memoryMet = (m.scaledCold.peakRssKiB ?? Infinity) * 1024 <= WIDE_MEMORY_TARGET_BYTES;
    list.push({ what: linearWhat, measured: `${r.toFixed(1)}× (${formatMs(m.scaledCold.medianMs)}, ${formatMb(m.scaledCold.peakRssKiB)} peak)`, met: r <= limit && memoryMet });
  } else list.push({ what: linearWhat, measured: m.copies > 1 ? (m.scaledCold?.error ?? '—') : 'skipped (PYHANG_BENCH_SCALE=0)', met: null });

  if (known(m.warm) && known(m.cold)) {
    const r = m.warm.medianMs / m.cold.medianMs;
    list.push({ what: 'Warm re-run under a third of the cold time', measured: `${r.toFixed(2)}× cold (${formatMs(m.warm.medianMs)})`, met: r < 1 / 3 });
  } else list.push({ what: 'Warm re-run under a third of the cold time', measured: m.warm.error ?? '—', met: null });

  if (m.server) {
    const s = m.server.save;
    list.push({ what: `Server re-lint of a ${m.server.lines}-line file after an edit: median under 20 ms`, measured: formatMs(s.medianMs), met: s.medianMs < 20 });
    list.push({ what: `Server re-lint of a ${m.server.lines}-line file after an edit: p95 under 50 ms`, measured: formatMs(s.p95Ms), met: s.p95Ms < 50 });
    const withOthersWhat = `Server re-lint of a ${m.server.lines}-line file with ${SERVER_OTHER_FILES.toLocaleString('en-US')} other files: median under 40 ms`;
    const o = m.serverWithOthers?.save;
    list.push({ what: withOthersWhat, measured: o ? `${formatMs(o.medianMs)} (p95 ${formatMs(o.p95Ms)})` : '—', met: o ? o.medianMs < 40 : null });
  } else {
    list.push({ what: 'Server re-lint after an edit: median under 20 ms, p95 under 50 ms', measured: '—', met: null });
  }
  return list;
}

function machineDetails(ruffVersion: string, ruffNative: string, loadAtStart: number): Machine {
  const cpus = os.cpus();
  let grepVersion = 'unknown';
  try {
    grepVersion = execFileSync('grep', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch {
    // Reported as unknown.
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    pyhang: readVersion(),
    parser: usesNativeParse() ? 'native (src/native/parse.c)' : 'web-tree-sitter, WebAssembly (the native parse was not built)',
    ruff: ruffVersion,
    ruffNative,
    grep: grepVersion,
    loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
  };
}

function countLines(file: string): number {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;
  } catch {
    return 0;
  }
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

try {
  if (only === 'bigfile') runBigFileOnly();
  else await runBenchmark();
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
