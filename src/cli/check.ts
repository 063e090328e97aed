/**
 * `pyhang check`: find the files, read them as bytes (decoding and PEP 263 are
 * the core's job), build each file's settings from its pyproject.toml and the
 * flags, lint them through the CLI's one entry (`lintFiles`, the same for files
 * on disk, stdin and every `--fix` round: it brings the cache and worker threads
 * where they pay), apply fixes when asked (apply-fixes.ts), print with the
 * chosen reporter, and choose the exit code:
 * - 0: nothing reported (or `--exit-zero`, or no more warnings than `--max-warnings`);
 * - 1: at least one rule finding, or a file problem configured as an error, was reported
 *   (syntax, decoding and size problems are warnings by default and are shown without failing);
 *   with `--diff`: a fix would change a file;
 * - 2: a usage or config error, a path that does not exist or cannot be read
 *   (the other paths are still checked and reported), a file whose fixes
 *   were refused or could not be written, or an internal error on a file (pyhang
 *   or one of its rules failed on it: an `internal-error` message, see
 *   isInternalError; everything else is still reported). `--exit-zero` does not hide these.
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { VFile } from 'vfile';
import { severityOf, failsRun, isInternalError, type SourceFile } from '../engine/lint.js';
import { lintFiles, ThreadsAhead } from '../engine/lint-files.js';
import { severityFor, type Settings } from '../config/settings.js';
import { rules as registry } from '../../rules/index.js';
import { ConfigError, ConfigResolver, parseGlobs, parseSelectors } from '../config/config.js';
import { discoverFiles, isExcluded, realPath } from '../project/files.js';
import { contextFiles, reportedWithContext } from '../project/project-context.js';
import { readRegularFile } from '../project/regular-file.js';
import { decodeSource } from '../python/decode.js';
import { fixSafety } from '../engine/fix.js';
import { reporterByName, reporterNames, isMachineReadable, streamByName } from '../reporters/index.js';
import type { Reporter, ReporterOptions, ReportStream } from '../reporters/types.js';
import { statistics } from '../reporters/statistics.js';
import { hiddenFixesSentence, plural } from '../reporters/fix-summary.js';
import { displayPath } from '../project/display-path.js';
import { escapeControlCharacters } from '../reporters/terminal-text.js';
import { fixSources, noqaFixes, removeTemporaryFilesOnSignal, unifiedDiff, writeFileAtomically, type FixRun } from './apply-fixes.js';
import type { CliIo } from './io.js';
import { defaultJobs } from '../engine/worker-pool.js';
import { ProgressLine } from './progress-line.js';

export interface CheckOptions {
  paths: string[];
  format: string;
  /** Undefined when `--select` was not given (the configured selection stands). */
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  exclude: string[];
  forceExclude: boolean;
  configPath?: string;
  stdinFilename?: string;
  /** Undefined: decide from the terminal and NO_COLOR. */
  color?: boolean;
  quiet: boolean;
  /** `--fix`: apply the fixes (safe ones; unsafe ones too with `unsafeFixes`) and write the files. */
  fix: boolean;
  /** `--unsafe-fixes`: unsafe fixes count as applicable. */
  unsafeFixes: boolean;
  /** `--diff`: print what `--fix` would change, write nothing. */
  diff: boolean;
  /** `--add-noqa`: add `# noqa: CODE` to the lines of every current finding instead of fixing (with `--diff`: print it). */
  addNoqa?: boolean;
  /** `--exit-zero`: findings do not fail the run (usage and file errors still give 2). */
  exitZero: boolean;
  /** `--max-warnings N`: warnings fail the run only when there are more than N. */
  maxWarnings?: number;
  /** `--statistics`: counts per rule after the report. */
  statistics: boolean;
  /** pyhang's version, for formats that name the tool. */
  version?: string;
  /** `--jobs N`: threads that parse and analyse files, the main one included (default: the number of cores). */
  jobs?: number;
  /** `--force-jobs`: `jobs` threads even past the number of cores. */
  forceJobs?: boolean;
  /** `--no-cache` sets false: neither read nor write `.pyhang_cache/`. */
  cache?: boolean;
  /** `--cache-dir DIR` (default `.pyhang_cache` in the working directory). */
  cacheDir?: string;
  /** `--no-prefilter` sets false: parse every file (the exhaustive mode the pre-filter must agree with). */
  prefilter?: boolean;
  /** `-o FILE`: write the report there instead of stdout. */
  outputFile?: string;
  /** `--show-settings FILE`: print the settings that govern FILE, as JSON, and check nothing. */
  showSettings?: string;
  /** `--show-files`: print the files that would be checked, one a line, and check nothing. */
  showFiles?: boolean;
  /** `--no-progress` sets false: no progress line on stderr (see progress-line.ts for when there is one). */
  progress?: boolean;
}

/**
 * How much V8 lets the heap grow past what the last full collection kept, in
 * percent (its own default picks a factor of up to 4 for a heap this size,
 * made for web pages that live long). A check is one batch whose garbage comes
 * in bursts (a syntax tree per file); on the standard library run this took
 * peak RSS from 313-337 MB to 262-274 MB for about 0.2 s more (alternating
 * runs). The flag is process-wide, so worker threads follow it too; the
 * language server keeps V8's default.
 */
const HEAP_GROWING_PERCENT = 25;

/**
 * How much bytecode V8's optimising compiler may inline into one function, in
 * all (its default is 920). A check runs most of the analysis only a few times
 * per file, and large functions (evalCall, the statement visitors) were
 * compiled again and again with everything they call inlined: on 2 cores the
 * compiler's threads took CPU the workers needed. At 150, the standard library
 * run took 5.90-6.07 s and 8.0-8.3 s of CPU, against 6.06-6.41 s and 8.8-9.2 s
 * (alternating runs). Like the heap setting, it is process-wide and for
 * `check` only.
 */
const MAX_INLINED_BYTECODE = 150;

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  v8.setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${MAX_INLINED_BYTECODE}`);
  const report = await reporterByName(options.format);
  if (!report) {
    say(io, `unknown format '${options.format}' (expected ${reporterNames().join(', ')})`);
    return 2;
  }
  if (options.addNoqa && options.fix) {
    say(io, "--add-noqa and --fix cannot be combined: fix first, then silence what is left (see 'pyhang check --help')");
    return 2;
  }
  const cwd = path.resolve(io.cwd);
  // Config errors thrown from here on are caught by main() and printed as one line.
  const resolver = configResolver(options, cwd, io);
  if (options.showSettings !== undefined) return showSettings(options.showSettings, resolver, cwd, io);
  if (options.showFiles) return showFiles(options, resolver, cwd, io);

  const { sources: gathered, problems, stdinBytes, ahead } = await gatherSources(options, io, cwd, resolver);
  if (!cacheDirAccepted(options, cwd, gathered, io)) {
    await ahead?.close();
    return 2;
  }
  if (options.stdinFilename === undefined && gathered.length === 0 && problems.length === 0) {
    io.stderr('pyhang: warning: no Python files found under the given paths\n');
  }
  for (const problem of problems) say(io, problem);

  const { sources, named, contextSettings } = withProjectContext(gathered, options, cwd, io);

  const progress = ProgressLine.forCheck(io, options);
  // Stdin's source is in memory; the cache still answers for the project's files on disk.
  const inMemory = options.fix || options.addNoqa === true || options.diff;
  const lintSources = linter(sources, resolver, options, { cwd, io, inMemory, progress, ahead }, contextSettings);
  const streamed = await streamedReport(options, { sources, named, cwd, io, progress });

  const linted = await lintOrFix(sources, lintSources, options, problems.length > 0, cwd, io, streamed?.onFile);
  // Of the project's other files, only findings whose chain passes through a named file are reported.
  if (named) linted.files = reportedWithContext(linted.files, named);
  const hidden = options.unsafeFixes ? 0 : countHiddenFixes(linted.files);
  if (options.diff) {
    return reportDiff(linted.fixRun!, linted.files, { failed: linted.failed, hidden, cwd, exitZero: options.exitZero, addNoqa: options.addNoqa === true }, io);
  }

  const { files, fixedCount, print: printTo, failed } = await applyFixes(linted, stdinBytes, lintSources, options, { cwd, io, resolver });
  // `-o FILE`: the report is gathered and written once, at the end.
  const toFile: string[] = [];
  const print = options.outputFile !== undefined && printTo === io.stdout ? (text: string) => void toFile.push(text) : printTo;
  printReport(files, streamed?.stream ?? report, { sources: linted.sources, print, options, cwd, io });
  if (options.outputFile !== undefined) fs.writeFileSync(path.resolve(cwd, options.outputFile), toFile.join(''));
  if (options.addNoqa) {
    if (fixedCount > 0) io.stderr(`Added ${plural(fixedCount, 'noqa directive')}.\n`);
  } else if (options.fix) {
    if (fixedCount > 0) io.stderr(`Fixed ${plural(fixedCount, 'error')}.\n`);
    if (hidden > 0) io.stderr(`${hiddenFixesSentence(hidden)}\n`);
  }

  const internalErrors = internalErrorLines(files, cwd);
  for (const line of internalErrors) io.stderr(line);
  if (failed || internalErrors.length > 0) return 2;
  return exitCodeForFindings(files, options, io);
}

/**
 * Files named one by one, or stdin: analysed with the rest of their project
 * (see project-context.ts), whose other files are then only reported through
 * a named one (`named`). Not for --fix and --diff, which rewrite what they are
 * given.
 */
function withProjectContext(
  sources: SourceFile[],
  options: CheckOptions,
  cwd: string,
  io: CliIo,
): { sources: SourceFile[]; named: Set<string> | null; contextSettings: Map<string, Settings> } {
  const contextSettings = new Map<string, Settings>();
  if (options.fix || options.diff || options.addNoqa) return { sources, named: null, contextSettings };
  const namedPaths = sources.map((source) => source.path);
  // The context's configuration is read quietly: its warnings are about files nobody named.
  const quiet = configResolver(options, cwd, { ...io, stderr: () => {} });
  let context: string[] = [];
  try {
    const found = contextFiles(namedPaths, namesDirectory(options, cwd), { cwd, settings: quiet, isConfigError: (error) => error instanceof ConfigError });
    // A directory under an invalid configuration (which a run over the project would stop at) is left
    // out, and said: its files' chains cannot be followed (README, Named files and stdin).
    for (const { dir, error } of found.skipped) {
      say(io, `warning: ${escapeControlCharacters(displayPath(dir, cwd))} is left out of the project context: ${escapeControlCharacters(error)}`);
    }
    context = found.files;
    for (const file of context) contextSettings.set(file, quiet.settingsForFile(file));
  } catch {
    // Anything else the walk trips on: the named files are checked on their own, as without a project.
    return { sources, named: null, contextSettings: new Map() };
  }
  if (context.length === 0) return { sources, named: null, contextSettings };
  return { sources: [...sources, ...context.map((file) => ({ path: file }))], named: new Set(namedPaths), contextSettings };
}

/** What linting (or fixing in memory) gave: the files' messages, the sources they are of, and the fix run if any. */
interface Linted {
  files: VFile[];
  sources: SourceFile[];
  fixRun?: FixRun;
  /** A problem met so far fails the run (exit 2). */
  failed: boolean;
}

/** Lints the sources, or with `--fix`/`--add-noqa`/`--diff` fixes them in memory (saying which files cannot be fixed). */
async function lintOrFix(
  sources: SourceFile[],
  lintSources: Linter,
  options: CheckOptions,
  failed: boolean,
  cwd: string,
  io: CliIo,
  onFile?: (file: VFile) => void,
): Promise<Linted> {
  if (!options.fix && !options.addNoqa && !options.diff) return { files: await lintSources(sources, onFile), sources, failed };
  const fixRun = await fixSources(sources, lintSources, { unsafeFixes: options.unsafeFixes, fixesOf: options.addNoqa ? noqaFixes : undefined });
  for (const { path: file, reason } of fixRun.refused) {
    say(io, `cannot fix ${displayPath(file, cwd)}: ${reason}; it is left unchanged`);
    failed = true;
  }
  return { files: fixRun.files, sources: fixRun.sources, fixRun, failed };
}

/**
 * With `--fix` (or `--add-noqa`): prints the fixed stdin (the report then goes to stderr, as
 * Ruff does) or writes the fixed files; files whose write was reverted are
 * linted again as they are on disk. Says how many fixes were applied and where
 * the report goes.
 */
async function applyFixes(
  linted: Linted,
  stdinBytes: Uint8Array | undefined,
  lintSources: Linter,
  options: CheckOptions,
  run: { cwd: string; io: CliIo; resolver: ConfigResolver },
): Promise<{ files: VFile[]; fixedCount: number; print: (text: string) => void; failed: boolean }> {
  const { io } = run;
  let { files, failed } = linted;
  const fixRun = linted.fixRun;
  const rewrites = options.fix || options.addNoqa === true;
  if (rewrites && stdinBytes !== undefined) {
    const fixedBytes = fixRun!.changes[0]?.after.bytes ?? stdinBytes;
    if (io.stdoutBytes) io.stdoutBytes(fixedBytes);
    else io.stdout(new TextDecoder().decode(fixedBytes));
    return { files, fixedCount: fixRun!.changes[0]?.fixed ?? 0, print: io.stderr, failed };
  }
  if (!rewrites) return { files, fixedCount: 0, print: io.stdout, failed };
  const written = await writeFixes(fixRun!, run.cwd, io, (file) => run.resolver.settingsForFile(file).root);
  const { reverted } = written;
  if (reverted.length > 0) {
    failed = true;
    // Report what is on disk: lint those files as they were.
    const originals = new Map(fixRun!.changes.map((change) => [change.path, change.before.bytes]));
    linted.sources = linted.sources.map((source) => (reverted.includes(source.path) ? { path: source.path, bytes: originals.get(source.path)! } : source));
    files = await lintSources(linted.sources);
  }
  return { files, fixedCount: written.fixed, print: io.stdout, failed };
}

/**
 * The report in the chosen format, then `--statistics`' table. A streamed
 * report (see streamedReport) has printed its files already: what is left is
 * its end (the summary line).
 */
function printReport(
  files: VFile[],
  report: Reporter | ReportStream,
  run: { sources: SourceFile[]; print: (text: string) => void; options: CheckOptions; cwd: string; io: CliIo },
): void {
  const { options, print, io } = run;
  if (options.quiet) keepErrorsOnly(files);
  const machineReadable = isMachineReadable(options.format);
  const output = typeof report === 'function' ? report(files, reporterOptions(run)) : report.end(files);
  if (output !== '') print(output.endsWith('\n') ? output : `${output}\n`);
  if (options.statistics) {
    const table = statistics(files, { unsafeFixes: options.unsafeFixes });
    // JSON and SARIF must stay one parseable document on stdout.
    if (table !== '') (machineReadable ? io.stderr : print)(table);
  }
}

function reporterOptions(run: { sources: SourceFile[]; print: (text: string) => void; options: CheckOptions; cwd: string; io: CliIo }): ReporterOptions {
  const { options, print, io } = run;
  return {
    cwd: run.cwd,
    color: options.color ?? (print === io.stdout && io.stdoutIsTty && !io.env['NO_COLOR']),
    quiet: options.quiet,
    version: options.version,
    unsafeFixes: options.unsafeFixes,
    sourceText: sourceTexts(run.sources),
  };
}

/**
 * A plain check in a format printed file by file (stylish, compact, github,
 * json-lines): each file's findings go to stdout as soon as lint() has them
 * final (LintOptions.onFile), filtered as the whole report would be (`--quiet`,
 * and named files' context), rather than all at the end of a long run. With
 * `-o FILE`, `--fix`, `--diff` or `--add-noqa`, or another format, the report
 * is printed whole: undefined.
 */
async function streamedReport(
  options: CheckOptions,
  run: { sources: SourceFile[]; named: Set<string> | null; cwd: string; io: CliIo; progress: ProgressLine },
): Promise<{ stream: ReportStream; onFile: (file: VFile) => void } | undefined> {
  if (options.fix || options.diff || options.addNoqa || options.outputFile !== undefined) return undefined;
  const streaming = await streamByName(options.format);
  if (!streaming) return undefined;
  const { io, named, progress } = run;
  const stream = streaming(reporterOptions({ sources: run.sources, print: io.stdout, options, cwd: run.cwd, io }));
  const onFile = (file: VFile): void => {
    // (Both filter the file's own messages: done again on the whole list at the end, they change nothing.)
    if (named) reportedWithContext([file], named);
    if (options.quiet) keepErrorsOnly([file]);
    // Most files of a large tree have nothing to say: no copy is escaped for them.
    if (file.messages.length === 0) return;
    const text = stream.file(file);
    if (text === '') return;
    progress.clear();
    io.stdout(text);
  };
  return { stream, onFile };
}

/**
 * `--show-settings FILE` (Ruff's): what governs one file, as one JSON document:
 * the configuration file (null: the defaults), each rule's severity there
 * (`off` when not selected or ignored for it) and the settings themselves.
 */
function showSettings(file: string, resolver: ConfigResolver, cwd: string, io: CliIo): number {
  const absolute = path.resolve(cwd, file);
  const settings = resolver.settingsForFile(absolute);
  const rules = Object.fromEntries(registry.map((rule) => [rule.meta.code, severityFor(settings, absolute, rule.meta.code, rule.meta.defaultSeverity) ?? 'off']));
  io.stdout(`${JSON.stringify({ file: displayPath(absolute, cwd), configPath: settings.configPath, rules, settings }, null, 2)}\n`);
  return 0;
}

/** `--show-files` (Ruff's): the files `check` would look at with these paths and flags, one a line, sorted. */
function showFiles(options: CheckOptions, resolver: ConfigResolver, cwd: string, io: CliIo): number {
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  const discovery = discoverFiles(paths, { cwd, settings: resolver, forceExclude: options.forceExclude });
  for (const problem of discovery.problems) say(io, problem);
  const shown = discovery.files.map((file) => escapeControlCharacters(displayPath(file, cwd))).sort();
  if (shown.length > 0) io.stdout(`${shown.join('\n')}\n`);
  return discovery.problems.length > 0 ? 2 : 0;
}

function configResolver(options: CheckOptions, cwd: string, io: CliIo): ConfigResolver {
  return new ConfigResolver({
    cwd,
    configPath: options.configPath,
    overrides: {
      select: options.select === undefined ? undefined : parseSelectors(options.select, '--select'),
      extendSelect: parseSelectors(options.extendSelect, '--extend-select'),
      ignore: parseSelectors(options.ignore, '--ignore'),
      exclude: parseGlobs(options.exclude, '--exclude'),
    },
    warn: (message) => say(io, `warning: ${message}`),
  });
}

/**
 * How this run lints a list of sources (once, or once per `--fix` round): the
 * CLI's one entry, lintFiles, with each file's settings resolved up front, so
 * a broken pyproject.toml stops the run before any output rather than in the
 * middle of it. Stdin, `--fix` and `--diff` lint sources in memory: the cache,
 * which knows files on disk, has nothing for them.
 */
function linter(
  sources: readonly SourceFile[],
  resolver: ConfigResolver,
  options: CheckOptions,
  run: { cwd: string; io: CliIo; inMemory: boolean; progress: ProgressLine; ahead?: ThreadsAhead },
  known: ReadonlyMap<string, Settings> = new Map(),
): Linter {
  const settingsByPath = new Map<string, Settings>(known);
  for (const source of sources) if (!settingsByPath.has(source.path)) settingsByPath.set(source.path, resolver.settingsForFile(source.path));
  const settingsFor = (file: string) => settingsByPath.get(file) ?? resolver.settingsForFile(file);
  const cacheDir = options.cache === false || run.inMemory ? null : path.resolve(run.cwd, options.cacheDir ?? DEFAULT_CACHE_DIR);
  const jobs = threadCount(options, run.io);
  const onProgress = (looked: number, total: number) => run.progress.update(looked, total);
  return async (list, onFile) => {
    try {
      return await lintFiles(list, { settingsFor, prefilter: options.prefilter, jobs, cacheDir, version: options.version, onFile, onProgress, ahead: run.ahead });
    } finally {
      run.progress.clear();
    }
  };
}

/** Lints a list of sources (see linter); `onFile` is told of each file as soon as its messages are final. */
type Linter = (list: SourceFile[], onFile?: (file: VFile) => void) => Promise<VFile[]>;

/** Whether the run names a directory (the default `.` included): a project run of its own, which needs no context. */
function namesDirectory(options: CheckOptions, cwd: string): boolean {
  if (options.stdinFilename !== undefined) return false;
  if (options.paths.length === 0) return true;
  return options.paths.some((given) => {
    try {
      return fs.statSync(path.resolve(cwd, given)).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * The sources to check: stdin's bytes under its file name, or the files found
 * under the paths (with their bytes when fixing), and the problems met finding
 * them (paths that do not exist or cannot be read).
 */
async function gatherSources(
  options: CheckOptions,
  io: CliIo,
  cwd: string,
  resolver: ConfigResolver,
): Promise<{ sources: SourceFile[]; stdinBytes: Uint8Array | undefined; problems: string[]; ahead?: ThreadsAhead }> {
  const problems: string[] = [];
  let ahead: ThreadsAhead | undefined;
  const sources: SourceFile[] = [];
  let stdinBytes: Uint8Array | undefined;
  if (options.stdinFilename !== undefined) {
    const file = path.resolve(cwd, options.stdinFilename);
    stdinBytes = await io.readStdin();
    // Bytes, not text: stdin is decoded exactly as a file on disk would be (BOM, coding cookie).
    if (!(options.forceExclude && isExcluded(file, resolver))) sources.push({ path: file, bytes: stdinBytes });
  } else {
    const paths = options.paths.length > 0 ? options.paths : ['.'];
    // Fixing needs every file's bytes; a plain check lets the core read lazily (most files it never needs).
    const readNow = options.fix || options.diff || options.addNoqa === true;
    ahead = readNow ? undefined : threadsAhead(options, cwd);
    const discovery = discoverFiles(paths, { cwd, settings: resolver, forceExclude: options.forceExclude, onFound: ahead && ((file, settings) => ahead!.add(file, settings)) });
    problems.push(...discovery.problems);
    for (const file of discovery.files) {
      if (!readNow) {
        sources.push({ path: file });
        continue;
      }
      try {
        sources.push({ path: file, bytes: readRegularFile(file) });
      } catch {
        // The core reports the file as an io-error problem, like any file it cannot read.
        sources.push({ path: file });
      }
    }
  }
  return { sources, stdinBytes, problems, ahead };
}

/**
 * Threads that start on the files while discovery is still finding them (see
 * ThreadsAhead), for a run with more than one thread that reads every file:
 * none with a cache directory already there (its answers would make the work
 * ahead useless).
 */
function threadsAhead(options: CheckOptions, cwd: string): ThreadsAhead | undefined {
  // (Without its note, which linter says once.)
  const jobs = threadCount(options) ?? defaultJobs();
  if (jobs <= 1) return undefined;
  if (options.cache !== false && fs.existsSync(path.resolve(cwd, options.cacheDir ?? DEFAULT_CACHE_DIR))) return undefined;
  return new ThreadsAhead(jobs, options.prefilter ?? true);
}

/** `--diff`: prints what `--fix` would change, and gives the exit code. */
async function reportDiff(
  fixRun: FixRun,
  files: VFile[],
  run: { failed: boolean; hidden: number; cwd: string; exitZero: boolean; addNoqa: boolean },
  io: CliIo,
): Promise<number> {
  const changes = fixRun.changes;
  for (const change of changes) io.stdout(await unifiedDiff(change, displayPath(change.path, run.cwd)));
  const wouldFix = changes.reduce((sum, change) => sum + change.fixed, 0);
  if (wouldFix > 0) io.stderr(run.addNoqa ? `Would add ${plural(wouldFix, 'noqa directive')}.\n` : `Would fix ${plural(wouldFix, 'error')}.\n`);
  if (run.hidden > 0 && !run.addNoqa) io.stderr(`${hiddenFixesSentence(run.hidden)}\n`);
  // Told on stderr, as every cause of exit code 2 is: with --diff it is the only place.
  const internalErrors = internalErrorLines(files, run.cwd);
  for (const line of internalErrors) io.stderr(line);
  if (run.failed || internalErrors.length > 0) return 2;
  return changes.length > 0 && !run.exitZero ? 1 : 0;
}

/** `--fix`: writes each changed file; a file that cannot be written is left unchanged and said so. */
/**
 * Writes the fixed files, each atomically; a file that cannot be written is
 * left as it was and named on stderr. A signal in the middle removes the
 * temporary file in flight before the process dies of it.
 */
async function writeFixes(
  fixRun: FixRun,
  cwd: string,
  io: CliIo,
  rootOf: (file: string) => string,
): Promise<{ fixed: number; reverted: string[] }> {
  let fixed = 0;
  const reverted: string[] = [];
  const stopCleaningUp = removeTemporaryFilesOnSignal();
  try {
    for (const change of fixRun.changes) {
      try {
        await writeFileAtomically(change.path, change.after.bytes, change.before.bytes, rootOf(change.path));
        fixed += change.fixed;
      } catch (error) {
        say(io, `cannot write ${displayPath(change.path, cwd)}: ${describeError(error)}; it is left unchanged`);
        reverted.push(change.path);
      }
    }
  } finally {
    stopCleaningUp();
  }
  return { fixed, reverted };
}

/** One stderr line per internal-error message: a file pyhang could not fully check. */
function internalErrorLines(files: VFile[], cwd: string): string[] {
  const lines: string[] = [];
  for (const file of files) {
    for (const message of file.messages) {
      if (isInternalError(message)) lines.push(`pyhang: internal error: ${displayPath(file.path, cwd)}: ${message.reason}\n`);
    }
  }
  return lines;
}

/**
 * 1 when the reported findings fail the run: any error, and warnings unless
 * `--max-warnings` allows that many. File problems that are warnings never fail
 * it (see `failsRun`), so they are not counted as warnings here either.
 */
function exitCodeForFindings(files: VFile[], options: CheckOptions, io: CliIo): number {
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    for (const message of file.messages) {
      if (!failsRun(message)) continue;
      if (severityOf(message) === 'error') errors++;
      else warnings++;
    }
  }
  if (options.exitZero) return 0;
  if (errors > 0) return 1;
  if (options.maxWarnings === undefined) return warnings > 0 ? 1 : 0;
  if (warnings > options.maxWarnings) {
    io.stderr(`pyhang: too many warnings (${warnings}, maximum: ${options.maxWarnings})\n`);
    return 1;
  }
  return 0;
}

/** Unsafe fixes on the reported findings that `--unsafe-fixes` would enable. */
function countHiddenFixes(files: VFile[]): number {
  let hidden = 0;
  for (const file of files) for (const message of file.messages) if (fixSafety(message) === 'unsafe') hidden++;
  return hidden;
}

/**
 * The decoded text of a file, for reporters that show source lines: from the
 * bytes that were linted when the file is one of the sources (so what is shown
 * is what was checked, fixed or not), else read from disk.
 */
function sourceTexts(sources: SourceFile[]): (file: string) => string | undefined {
  const bytesByPath = new Map(sources.map((source) => [source.path, source.bytes]));
  return (file) => {
    let bytes = bytesByPath.get(file);
    if (!bytes) {
      try {
        bytes = readRegularFile(file);
      } catch {
        return undefined;
      }
    }
    const decoded = decodeSource(bytes);
    return 'text' in decoded ? decoded.text : undefined;
  };
}

/**
 * One line of pyhang's own on stderr. What it quotes (paths, keys, values) may
 * hold any character: control characters are drawn visibly, so a file name
 * cannot start a line of its own (GitHub Actions runs `::error ...` lines on
 * stderr too) or send escape sequences to the terminal.
 */
/**
 * `--jobs`, capped at the number of cores unless `--force-jobs`: each thread
 * holds its own heap (256 used 2 GB) and threads past the cores only wait
 * their turn. (Ruff sizes its pool by the cores too, and takes
 * RAYON_NUM_THREADS as given.) A cap is said on stderr, as a note, when `io`
 * is given.
 */
function threadCount(options: CheckOptions, io?: CliIo): number | undefined {
  const cores = defaultJobs();
  if (options.jobs === undefined || options.forceJobs || options.jobs <= cores) return options.jobs;
  if (io) say(io, `note: --jobs ${options.jobs} is more than the ${cores} ${cores === 1 ? 'core' : 'cores'} here: using ${cores} (--force-jobs uses ${options.jobs})`);
  return cores;
}

function say(io: CliIo, text: string): void {
  io.stderr(`pyhang: ${escapeControlCharacters(text)}\n`);
}

const DEFAULT_CACHE_DIR = '.pyhang_cache';

/** What makes a directory a project's root: a cache there would be written among its files. */
const PROJECT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', '.git'];

/** Whether the cache may go where the options put it; says why not on stderr (before any other output). */
function cacheDirAccepted(options: CheckOptions, cwd: string, sources: readonly SourceFile[], io: CliIo): boolean {
  if (options.cache === false) return true;
  const unsuitable = unsuitableCacheDir(path.resolve(cwd, options.cacheDir ?? DEFAULT_CACHE_DIR), cwd, sources);
  if (!unsuitable) return true;
  const given = options.cacheDir === '' ? "''" : (options.cacheDir ?? DEFAULT_CACHE_DIR);
  say(io, `--cache-dir ${given}: ${unsuitable}; give the cache a directory of its own, such as ${DEFAULT_CACHE_DIR}`);
  return false;
}

/**
 * Why `dir` cannot hold the cache, or null. pyhang replaces its cache files at
 * every run and hides a directory it creates for them from git (a `.gitignore`
 * holding `*`), so the cache must not share a directory with the project: not
 * the working directory (`--cache-dir ''`, what an unset `$VAR` gives) or one
 * above it, not a project's root, not a directory holding Python files.
 */
function unsuitableCacheDir(dir: string, cwd: string, sources: readonly SourceFile[]): string | null {
  const real = realPath(dir);
  const realCwd = realPath(cwd);
  if (real === realCwd) return 'it is the working directory';
  if (isInside(realCwd, real)) return 'it holds the working directory';
  const marker = PROJECT_MARKERS.find((name) => fs.existsSync(path.join(dir, name)));
  if (marker) return `it is the root of a project (it holds ${marker})`;
  const source = sources.find((file) => isInside(file.path, dir) || (real !== dir && isInside(file.path, real)))?.path ?? pythonFileIn(dir);
  if (source) return `it holds Python files (${displayPath(source, cwd)})`;
  return null;
}

function isInside(file: string, dir: string): boolean {
  return file.startsWith(dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`);
}

function pythonFileIn(dir: string): string | undefined {
  try {
    const name = fs.readdirSync(dir).find((entry) => /\.pyi?$/.test(entry));
    return name === undefined ? undefined : path.join(dir, name);
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return code;
  return error instanceof Error ? error.message : String(error);
}

/** `--quiet`, as in ESLint: warnings are dropped before reporting and do not count. */
function keepErrorsOnly(files: VFile[]): void {
  for (const file of files) file.messages = file.messages.filter((message) => severityOf(message) === 'error');
}
