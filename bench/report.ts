/**
 * The benchmark's results as Markdown: one table of rows (printed as is on
 * stdout, where a Markdown table reads fine), the targets with ✅/❌, the
 * machine, and how each row was measured. docs/performance.md is this
 * document; `npm run bench` rewrites it.
 */

export interface Row {
  label: string;
  runs?: number;
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Peak resident set size, KiB. */
  peakRssKiB?: number;
  /** Median CPU time (user + system, all threads), ms. */
  cpuMedianMs?: number;
  /** Whether the row is a whole-corpus run, compared with grep and Ruff. */
  compared: boolean;
  notes: string[];
  /** Why the row has no numbers. */
  error?: string;
  /** For the larger corpus: the same row's median on the corpus, to divide by. */
  baseMs?: number;
}

export interface Target {
  what: string;
  measured: string;
  /** Null when it could not be measured. */
  met: boolean | null;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  pyhang: string;
  /** How pyhang parsed: its native parse (src/native) or, where that was not built, tree-sitter's Node binding. */
  parser: string;
  /** Ruff's WebAssembly build (the devDependency). */
  ruff: string;
  /** The native Ruff the benchmark installed (see bench/ruff-native.ts). */
  ruffNative: string;
  grep: string;
  /** One-minute load averages when the benchmark started and ended: other work on the machine skews every row. */
  loadAverage: { start: number; end: number };
}

export interface BenchResult {
  date: Date;
  machine: Machine;
  corpus: { root: string; files: number; bytes: number };
  runs: number;
  rows: Row[];
  grepMs?: number;
  /** Native Ruff's median: the "÷ Ruff" column divides by it. */
  ruffMs?: number;
  scale: { copies: number; files: number; bytes: number; mode: string; rows: Row[] } | null;
  /** The language server row's set-up. */
  server: { lines: number; debounceMs: number };
  targets: Target[];
  /** Findings, checks and anything else worth reading next to the numbers. */
  notes: string[];
  elapsedMs: number;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Decimal megabytes, the unit of the targets. */
export function formatMb(kib: number | undefined): string {
  if (kib === undefined || !Number.isFinite(kib)) return '—';
  return `${((kib * 1024) / 1e6).toFixed(0)} MB`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function ratio(ms: number | undefined, base: number | undefined): string {
  if (ms === undefined || base === undefined || !Number.isFinite(ms) || !(base > 0)) return '—';
  const value = ms / base;
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

export function renderTable(rows: readonly Row[], grepMs: number | undefined, ruffMs: number | undefined): string {
  const lines = [
    '| What | Runs | Median | Min | Max | CPU | ÷ grep | ÷ Ruff | Peak RSS | Notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    if (row.error) {
      lines.push(`| ${row.label} | — | — | — | — | — | — | — | — | ${escapeCell(row.error)} |`);
      continue;
    }
    lines.push(
      `| ${row.label} | ${row.runs ?? '—'} | ${formatMs(row.medianMs)} | ${formatMs(row.minMs)} | ${formatMs(row.maxMs)} | ${formatMs(row.cpuMedianMs)} | ` +
        `${row.compared ? ratio(row.medianMs, grepMs) : '—'} | ${row.compared ? ratio(row.medianMs, ruffMs) : '—'} | ` +
        `${formatMb(row.peakRssKiB)} | ${escapeCell(row.notes.join('; '))} |`,
    );
  }
  return lines.join('\n');
}

/** The larger corpus's rows: one run each, set against the same row on the corpus. */
export function renderScaleTable(rows: readonly Row[]): string {
  const lines = ['| What | Time | ÷ same row on the corpus | Peak RSS | Notes |', '| --- | ---: | ---: | ---: | --- |'];
  for (const row of rows) {
    if (row.error) lines.push(`| ${row.label} | — | — | — | ${escapeCell(row.error)} |`);
    else lines.push(`| ${row.label} | ${formatMs(row.medianMs)} | ${ratio(row.medianMs, row.baseMs)} | ${formatMb(row.peakRssKiB)} | ${escapeCell(row.notes.join('; '))} |`);
  }
  return lines.join('\n');
}

export function renderTargets(targets: readonly Target[]): string {
  const lines = ['| Target | Measured | Met |', '| --- | --- | :---: |'];
  for (const target of targets) {
    const mark = target.met === null ? '❔ not measured' : target.met ? '✅' : '❌';
    lines.push(`| ${escapeCell(target.what)} | ${escapeCell(target.measured)} | ${mark} |`);
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One large file at several sizes (bench/big-file.ts): its rows, and how time and memory grow with the size. */
export interface BigFileResult {
  date: Date;
  rows: Row[];
  /** Per row: the file's size in bytes and how many functions it defines. */
  files: { bytes: number; functions: number }[];
  /** cost ∝ size^k from the smallest to the largest file, for wall time, CPU and peak RSS (null where a row failed). */
  exponents: { wall: number; cpu: number; rss: number } | null;
  loadAverage: { start: number; end: number };
}

export const BIG_FILE_BEGIN = '<!-- begin big file (npm run bench; PYHANG_BENCH_ONLY=bigfile rewrites this section alone) -->';
export const BIG_FILE_END = '<!-- end big file -->';

/** The target #20 sets for one large file, as measured by the largest row. */
export function bigFileTarget(result: BigFileResult | null): Target {
  const what = 'Single 18 MB file (about 335,000 small functions) ≤ 10 s and ≤ 1 GB; linear in file size (exponent ≤ 1.1)';
  const largest = result?.rows[result.rows.length - 1];
  if (!result || !largest || largest.error || largest.medianMs === undefined || !result.exponents) {
    return { what, measured: largest?.error ?? '—', met: null };
  }
  const e = result.exponents;
  const measured = `${formatMs(largest.medianMs)} (CPU ${formatMs(largest.cpuMedianMs)}), ${formatMb(largest.peakRssKiB)}; exponent ${e.wall.toFixed(2)} wall, ${e.cpu.toFixed(2)} CPU, ${e.rss.toFixed(2)} memory`;
  const met = largest.medianMs <= 10_000 && (largest.peakRssKiB ?? Infinity) * 1024 <= 1e9 && e.wall <= 1.1 && e.cpu <= 1.1;
  return { what, measured, met };
}

/** docs/performance.md's section for one large file, between its markers. */
export function renderBigFileSection(result: BigFileResult): string {
  const rows = result.rows.map((row, i) => {
    const file = result.files[i];
    const size = file ? `${formatBytes(file.bytes)}, ${count(file.functions)} functions` : '—';
    if (row.error) return `| ${size} | — | — | — | — | — | ${escapeCell(row.error)} |`;
    return `| ${size} | ${row.runs ?? '—'} | ${formatMs(row.medianMs)} | ${formatMs(row.minMs)} – ${formatMs(row.maxMs)} | ${formatMs(row.cpuMedianMs)} | ${formatMb(row.peakRssKiB)} | ${escapeCell(row.notes.join('; '))} |`;
  });
  const e = result.exponents;
  const target = bigFileTarget(result);
  return [
    BIG_FILE_BEGIN,
    '## One large file',
    '',
    `Measured ${result.date.toISOString().replace(/\.\d+Z$/, 'Z')}; one-minute load average ${result.loadAverage.start.toFixed(2)} at the start, ${result.loadAverage.end.toFixed(2)} at the end.`,
    'One module of many small functions, classes and coroutines, some submitting to a loop thread with',
    '`run_coroutine_threadsafe` and waiting (bench/big-file.ts), alone in a directory whose `pyproject.toml`',
    'raises `max-file-size`; `node bin/pyhang.js check . --no-cache --format json --exit-zero` in it, default `--jobs`.',
    '',
    '| File | Runs | Median | Min – max | CPU | Peak RSS | Notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    e
      ? `Growth from the smallest to the largest file (cost ∝ size^k): k = ${e.wall.toFixed(2)} for wall time, ${e.cpu.toFixed(2)} for CPU, ${e.rss.toFixed(2)} for peak RSS (1 is linear).`
      : 'Growth: not measured (a row failed).',
    '',
    `Target: ${target.what}: ${target.measured} ${target.met === null ? '❔' : target.met ? '✅' : '❌'}`,
    BIG_FILE_END,
  ].join('\n');
}

/** `doc` with its big-file section replaced by `section` (put before the Machine section, or at the end, where it has none). */
export function withBigFileSection(doc: string, section: string): string {
  const begin = doc.indexOf(BIG_FILE_BEGIN);
  const end = doc.indexOf(BIG_FILE_END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + BIG_FILE_END.length);
  const machine = doc.indexOf('\n## Machine\n');
  if (machine >= 0) return `${doc.slice(0, machine + 1)}${section}\n\n${doc.slice(machine + 1)}`;
  return `${doc.trimEnd()}\n\n${section}\n`;
}

export const BY_HAND_BEGIN = '<!-- begin measured by hand (npm run bench keeps this part as it is) -->';
export const BY_HAND_END = '<!-- end measured by hand -->';

/**
 * The part of an existing docs/performance.md measured by hand (investigations
 * with their own runs and commands), for `npm run bench` to keep: the bench
 * rewrites its own tables, never what it did not measure.
 */
export function byHandSectionOf(doc: string): string | null {
  const begin = doc.indexOf(BY_HAND_BEGIN);
  const end = doc.indexOf(BY_HAND_END);
  return begin >= 0 && end > begin ? doc.slice(begin, end + BY_HAND_END.length) : null;
}

/** `doc` with its part measured by hand replaced by `section` (put before the big-file section, or the Machine section, where it has none). */
export function withByHandSection(doc: string, section: string): string {
  const begin = doc.indexOf(BY_HAND_BEGIN);
  const end = doc.indexOf(BY_HAND_END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + BY_HAND_END.length);
  for (const marker of [BIG_FILE_BEGIN, '## Machine\n']) {
    const at = doc.indexOf(marker);
    if (at >= 0) return `${doc.slice(0, at)}${section}\n\n${doc.slice(at)}`;
  }
  return `${doc.trimEnd()}\n\n${section}\n`;
}

/** The text printed when the benchmark ends. */
export function renderSummary(result: BenchResult): string {
  const parts = [
    `Corpus: ${count(result.corpus.files)} .py files, ${formatBytes(result.corpus.bytes)} under ${result.corpus.root}`,
    '',
    renderTable(result.rows, result.grepMs, result.ruffMs),
  ];
  if (result.scale) {
    parts.push('', `${result.scale.copies}× corpus: ${count(result.scale.files)} files, ${formatBytes(result.scale.bytes)} (${result.scale.mode})`, '');
    parts.push(renderScaleTable(result.scale.rows));
  }
  parts.push('', renderTargets(result.targets));
  if (result.notes.length > 0) parts.push('', ...result.notes.map((note) => `- ${note}`));
  parts.push('', `Benchmark took ${formatMs(result.elapsedMs)}.`);
  return `${parts.join('\n')}\n`;
}

/** docs/performance.md. */
export function renderDocument(result: BenchResult): string {
  const { machine, corpus } = result;
  const scale = result.scale;
  const sections: string[] = [];
  sections.push(`# Performance

<!-- Written by \`npm run bench\` (bench/bench.ts); run it again rather than editing the numbers by hand. -->

How fast \`pyhang check\` and the language server are on a large real corpus, next to
the least any tool must spend on it (reading the files, and grep) and next to Ruff
(the native one users run, and its WebAssembly build) running its flake8-async rules
over the same files.

Reproduce with:

\`\`\`sh
npm run bench
\`\`\`

It builds pyhang, then runs every row below in one process tree, one after the other,
and rewrites this page. \`PYHANG_BENCH_RUNS=1 npm run bench\` does single runs for a
quick check; \`PYHANG_BENCH_ONLY=bigfile npm run bench\` runs only the one-large-file rows
(2, 6 and 18 MB) and rewrites only their section; \`PYHANG_BENCH_ONLY=jobs\` and \`PYHANG_BENCH_ONLY=server\` print only the \`--jobs 1\` / \`--jobs 2\` pair and the language server's rows and leave this page alone; the sections between the "measured by hand" markers are kept as they are; \`PYHANG_BENCH_SCALE=0\` skips the ${scale?.copies ?? 10}× corpus. No timing is asserted by
\`npm test\`. It needs \`python3\` (with \`venv\` and \`pip\`) for native Ruff: the first run installs
the pinned Ruff into a private virtual environment under \`~/.cache/pyhang-bench/\`
(\`$XDG_CACHE_HOME/pyhang-bench/\` where that is set), later runs reuse it; delete that
directory to install it again.

## Results

Measured ${result.date.toISOString().replace(/\.\d+Z$/, 'Z')}, ${result.runs} run${result.runs === 1 ? '' : 's'} per row
(median, min and max; fewer where the notes say so). Corpus: every \`.py\` file under
the Python standard library directory \`${corpus.root}\`, site-packages included:
**${count(corpus.files)} files, ${formatBytes(corpus.bytes)}**.

${renderTable(result.rows, result.grepMs, result.ruffMs)}

"÷ grep" and "÷ Ruff" are the row's median divided by the grep floor's and by native
Ruff's median: below 1 is faster. "CPU" is the median of user + system time over all
threads (GNU time's \`%U\` + \`%S\`): on a busy machine it moves much less than the wall time.`);

  if (scale) {
    sections.push(`### Linearity: a ${scale.copies}× corpus

The corpus ${scale.copies} times over (${count(scale.files)} files, ${formatBytes(scale.bytes)}), written by
\`npm run bench:wide -- DIR ${scale.copies}\` (bench/wide-project.ts): each copy is its own top-level package
(\`wide_00\`, \`wide_01\`, ...; every directory a package), and its imports of the corpus's own modules are
rewritten to stay inside the copy, so no two copies share a module name and the import graph is
${scale.copies} times larger. Imports of the modules library knowledge names (\`asyncio\`, \`sys\`, ...)
stay, so each copy keeps its hazards. One run each.

${renderScaleTable(scale.rows)}`);
  }

  sections.push(`## Targets

${renderTargets(result.targets)}`);

  if (result.notes.length > 0) {
    sections.push(`## Observations

${result.notes.map((note) => `- ${note}`).join('\n')}`);
  }

  sections.push(`## Machine

| | |
| --- | --- |
| CPU | ${machine.cpu} |
| Cores | ${machine.cores} |
| Memory | ${(machine.memoryBytes / 1e9).toFixed(1)} GB |
| OS | ${machine.os} |
| Node.js | ${machine.node} |
| pyhang | ${machine.pyhang} |
| pyhang's parser | ${machine.parser} |
| Ruff (native, private virtualenv) | ${machine.ruffNative} |
| Ruff (wasm) | ${machine.ruff} |
| grep | ${machine.grep} |
| Load average (1 min), start / end | ${machine.loadAverage.start.toFixed(2)} / ${machine.loadAverage.end.toFixed(2)} |
| Corpus | ${count(corpus.files)} files, ${formatBytes(corpus.bytes)} |`);

  sections.push(`## How each row is measured

Every row but the server's is a child process started with \`spawnSync\` under GNU time
(\`/usr/bin/time -f '%M %U %S'\`): wall time is \`performance.now()\` around the spawn (process
start-up included), peak RSS is the child's \`ru_maxrss\`, which covers worker
threads (they share the process), and CPU is its user + system time. Before the first row one untimed read of the
whole corpus warms the page cache, so every row reads from memory: "cold" means
without pyhang's analysis cache, not with the operating system's cache dropped.

- **read floor**: \`node dist/bench/read-files.js DIR\`: walks the directory for \`.py\`
  files and reads each one whole with \`fs.readFileSync\`. The least a checker written in
  Node.js can spend.
- **grep floor**: \`grep -rlE 'run_coroutine_threadsafe|SystemExit|KeyboardInterrupt|sys\\.exit|async def' --include='*.py' DIR\`:
  the words hazards start from, searched with no parsing at all.
- **pyhang cold**: \`node bin/pyhang.js check DIR --config CFG --format json --exit-zero --no-cache\`.
  \`CFG\` is a \`pyproject.toml\` with \`[tool.pyhang] exclude = ["*.pyi"]\`: it replaces the
  default excludes (which skip \`site-packages\`, \`build\` and \`venv\`) so pyhang checks
  exactly the corpus, and leaves out the \`.pyi\` stubs grep does not read either.
  \`--jobs\` is left at its default (one thread per core, the main one included).
- **pyhang warm**: the same with \`--cache-dir DIR\` instead of \`--no-cache\`, after one
  run that fills the cache: every file is a cache hit. The run that fills it (shown in
  the warm row's notes) is a user's first run with the default cache, so its peak
  memory counts towards the memory target too.
- **parse floor**: \`node dist/bench/parse-floor.js DIR LIST\`: what any design that
  parses whole files must spend to find what pyhang finds. \`LIST\` holds the files the
  run that filled the warm row's cache analysed (first looks, and files loaded on demand).
  On one thread per core it walks the directory, reads every file, runs pyhang's
  pre-filter on it, and parses the listed files and those the pre-filter lets through
  with pyhang's parse; it analyses nothing.
- **pyhang \`--no-prefilter\`**: the same as cold with \`--no-prefilter\`: every file parsed.
  The default run's JSON findings are compared with this run's (see the targets).
- **pyhang cold, N small files**: the tree \`bench/many-files.ts\` writes:
  packages of 1,000 small modules, every 250th waiting on a threadsafe future made
  through its package's \`bridge\` module (HANG001) and every 1,000th letting
  \`SystemExit\` escape a submitted coroutine (HANG002), checked with
  \`node bin/pyhang.js check . --format compact --exit-zero --no-cache\` in its root
  (its own default settings), started with \`spawn\` under GNU time and read as it
  prints. "First finding printed" is when the first byte of stdout arrived; the
  report is printed file by file as each file's findings are final, which is once the
  cross-module step is done (see docs/architecture.md), so the gap to the whole run is
  the rules' pass over every file and what follows (saving nothing with \`--no-cache\`).
  At most three runs.
- **pyhang cold, all files** and **native Ruff**: the target's pair, run alternately
  (pyhang, Ruff, pyhang, Ruff, ...) so that both see the same load, over the same files:
  every \`.py\` and \`.pyi\` file under the directory, both tools with their default
  excludes (\`site-packages\`, \`build\`, \`venv\`, ...) turned off. pyhang: as the cold row,
  with \`[tool.pyhang] exclude = []\`. Ruff: \`ruff check --select ASYNC --no-cache
  --config 'exclude=[]' --exit-zero --output-format json DIR\`, the pinned release from
  the Python package index (see bench/ruff-native.ts), multi-threaded as Ruff runs by
  default. No configuration file in the corpus has a \`[tool.ruff]\` section.
- **pyhang cold, all files, \`--jobs 1\`** and **\`--jobs 2\`**: the same run as the row above
  with \`--jobs 1\` (the main thread alone) and \`--jobs 2\` (one worker thread beside it), in
  turns: what the second core buys. \`PYHANG_BENCH_ONLY=jobs npm run bench\` runs only this
  pair and prints it.
- **Ruff-wasm ASYNC**: \`node dist/bench/ruff-async.js DIR\`: \`@astral-sh/ruff-wasm-nodejs\`
  (a devDependency), one \`Workspace\` with \`{ lint: { select: ['ASYNC'] } }\`, \`check()\`
  called on each file's text in turn, in a single thread (the wasm build has no
  threads; Ruff's native binary would use every core, and would be faster).
- **server**: \`node bin/pyhang.js server\` over stdio, workspace = a temporary directory
  with a generated ${result.server.lines.toLocaleString('en-US')}-line module (dataclasses, classes, coroutines, threads handing
  work to a loop, a few hazards) and a helper module it imports. After \`didOpen\` and a
  few unmeasured edits, each edit changes one line and waits for the \`publishDiagnostics\`
  of that version. The server asks for incremental sync, so the edit is sent as editors
  send it: the line's range and its new text. The server waits ${result.server.debounceMs} ms after the last change
  before it lints (its debounce), with no switch to turn that off, so the edit is followed
  at once by \`didSave\`, which lints immediately in place of the pending pass: that
  measures the lint. The "debounced" row sends \`didChange\` alone and subtracts the
  debounce, as a cross-check. Runs = edits; the notes give the 95th percentile. Peak RSS
  is the server's \`VmHWM\` from \`/proc/PID/status\`, read just before shutdown. The
  "other files" row does the same with the corpus's first files (in path order) copied
  into the workspace under \`lib/\`, packages and all, as a real project has them beside
  the open module: they are not reported on, but each pass searches them for the names
  the analysis found, and the module's imports may resolve into them.`);

  return `${sections.join('\n\n')}\n`;
}
