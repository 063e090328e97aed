/**
 * The CLI's way into the core, for every kind of run: files on disk, stdin and
 * `--fix` (whose sources come with their bytes). It hands the one core
 * function, `lint()`, which makes every decision, what only pays off for many
 * files on disk: the on-disk store (disk-store.ts over analysis-cache.ts, plus
 * the last run's answer) and worker threads (PoolThreads below). A run with
 * sources in memory (stdin, `--fix`) gains nothing from the cache, and opens
 * none; lint() starts threads only for enough files on disk.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import { lint, suppressedMessagesOf, type Analysis, type LintOptions, type LintThreads, type SourceFile } from './lint.js';
import { uniqueModuleNames } from '../project/module-names.js';
import { DiskAnalysisStore, FileStamps } from './disk-store.js';
import { AnalysisPool, defaultJobs } from './worker-pool.js';
import { analyzeTask, finishTask, type FileTask } from './analysis-task.js';
import { usesNativeParse } from '../python/parser.js';
import { cacheKey } from './cache-key.js';
import { readRegularFile } from '../project/regular-file.js';
import { isSavedRun } from './cached-analysis.js';
import type { Settings } from '../config/settings.js';

export interface LintFilesOptions extends Omit<LintOptions, 'store' | 'threads'> {
  /** Threads for first looks and demand loads, this one included (default: the number of cores; 1 works in this thread alone). */
  jobs?: number;
  /** Directory of the cache, or null for none. */
  cacheDir?: string | null;
  /** pyhang's version: with its built code and the rule set, what the cache belongs to (see cache-key.ts). */
  version?: string;
  /** Worker threads started while the files were being found (see ThreadsAhead): the run takes them over, or closes them. */
  ahead?: ThreadsAhead;
}

/** Below this many files to look at, threads cost more than they save. */
const MIN_FILES_FOR_WORKERS = 64;
/** Files found that ThreadsAhead hands the workers at once. */
const AHEAD_BATCH = 32;

const LAST_RUN = 'last-run.json';

/** What a run reported, kept so that the same run on an unchanged tree is answered at once. */
interface LastRun {
  key: string;
  files: { path: string; messages: Record<string, unknown>[]; suppressed?: Record<string, unknown>[] }[];
}

const MESSAGE_FIELDS = ['reason', 'ruleId', 'source', 'url', 'fatal', 'place', 'ruleName', 'messageId', 'related', 'fix', 'suppressions'] as const;

function saveMessage(m: VFileMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of MESSAGE_FIELDS) {
    const value = (m as unknown as Record<string, unknown>)[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

function saveMessages(files: VFile[]): LastRun['files'] {
  return files.map((file) => {
    const suppressed = suppressedMessagesOf(file);
    return {
      path: file.path,
      messages: file.messages.map(saveMessage),
      ...(suppressed.length > 0 ? { suppressed: suppressed.map(saveMessage) } : {}),
    };
  });
}

function restoreMessages(saved: LastRun['files']): VFile[] {
  return saved.map(({ path: file, messages, suppressed }) => {
    const vfile = new VFile({ path: file });
    for (const saved of messages) restoreMessage(vfile, saved);
    if (suppressed) {
      // Made on the file, then moved to where lint() keeps them.
      for (const saved of suppressed) restoreMessage(vfile, saved);
      vfile.data['suppressedMessages'] = vfile.messages.splice(messages.length);
    }
    return vfile;
  });
}

function restoreMessage(vfile: VFile, saved: Record<string, unknown>): void {
  const message = vfile.message(String(saved['reason']), {
    place: saved['place'] as never,
    ruleId: saved['ruleId'] as string,
    source: saved['source'] as string,
  });
  Object.assign(message, saved);
}

/**
 * Lints the sources as lint() does, with the cache (when `cacheDir` is given
 * and every source is a file on disk) and worker threads (`jobs`).
 */
export async function lintFiles(sources: readonly SourceFile[], options: LintFilesOptions): Promise<VFile[]> {
  const prefilter = options.prefilter ?? true;
  const jobs = options.jobs ?? defaultJobs();
  const paths = sources.filter((s) => s.text === undefined && s.bytes === undefined).map((s) => s.path);
  const inMemory = sources.length - paths.length;
  const stamps = new FileStamps(uniqueModuleNames(sources.map((s) => s.path)), options.settingsFor);

  let store: DiskAnalysisStore | undefined;
  let runKey: string | null = null;
  // Sources in memory (stdin) are never the cache's (see DiskAnalysisStore), but the files on disk
  // beside them (their project's, see project-context.ts) are; only the last run's answer needs all on disk.
  if (options.cacheDir && paths.length > 0) {
    // What made the answers: pyhang's version and code, the facts schema and the rule set.
    const key = cacheKey(options.version ?? 'dev', options.rules);
    if (inMemory === 0) {
      runKey = lastRunKey(key, paths, stamps, options);
      const last = readLastRun(options.cacheDir, runKey);
      if (last) {
        await options.ahead?.close();
        // Final as they are, in lint()'s order (by path).
        for (const file of last) options.onFile?.(file);
        return last;
      }
    }
    store = DiskAnalysisStore.open(options.cacheDir, key, stamps);
  }

  const early = options.ahead?.take(jobs);
  const threads = jobs > 1 ? new PoolThreads(jobs, stamps, options.settingsFor, early) : undefined;
  if (!threads) await options.ahead?.close();
  let files: VFile[];
  try {
    try {
      files = lint([...sources], { ...options, store, threads });
    } finally {
      await threads?.close();
    }
    if (store) {
      store.save(paths);
      if (runKey) writeLastRun(options.cacheDir!, runKey, files);
    }
  } finally {
    store?.close();
  }
  return files;
}

/**
 * The same run on an unchanged tree: the cache key, every file's stamp, module
 * name and settings, the mode and the working directory make the key; if it
 * matches the last run's, its answer stands.
 */
function lastRunKey(key: string, paths: readonly string[], stamps: FileStamps, options: LintFilesOptions): string {
  const hash = crypto.createHash('sha256');
  // (The 0 stood for sources not on disk, which a cached run no longer has.)
  hash.update(JSON.stringify([key, options.prefilter ?? true, process.cwd(), 0]));
  const settingsSeen = new Map<unknown, number>();
  for (const file of paths) {
    const s = stamps.of(file);
    const settings = options.settingsFor(file);
    let settingsId = settingsSeen.get(settings);
    if (settingsId === undefined) {
      settingsId = settingsSeen.size;
      settingsSeen.set(settings, settingsId);
      hash.update(`settings ${settingsId} ${JSON.stringify(settings)}\n`);
    }
    hash.update(`${file}\0${s ? `${s.mtimeMs}:${s.size}:${s.module}` : 'missing'}\0${settingsId}\n`);
  }
  return hash.digest('hex');
}

function readLastRun(cacheDir: string, runKey: string): VFile[] | null {
  try {
    // Only a regular file, read without blocking: a pipe or a link to a device there must not stall the run.
    const last = JSON.parse(readRegularFile(path.join(cacheDir, LAST_RUN)).toString('utf8')) as LastRun;
    // Anyone can edit (or damage) the file: a last run of the wrong shape is no answer, and the run lints.
    if (last.key === runKey && isSavedRun(last.files)) return restoreMessages(last.files as LastRun['files']);
  } catch {
    // No last run, or a damaged one: lint.
  }
  return null;
}

function writeLastRun(cacheDir: string, runKey: string, files: VFile[]): void {
  try {
    const temp = path.join(cacheDir, `${LAST_RUN}.${process.pid}.tmp`);
    // A new file (`wx`): never written through a link someone left under the temporary name.
    fs.writeFileSync(temp, JSON.stringify({ key: runKey, files: saveMessages(files) } satisfies LastRun), { flag: 'wx' });
    fs.renameSync(temp, path.join(cacheDir, LAST_RUN));
  } catch {
    // Not writable: the next run lints again.
  }
}

/**
 * The CLI's worker threads for lint() (see LintThreads): `jobs` threads in
 * all, this one included, started on the first look lint() hands them.
 *
 * With a single worker beside this thread, the worker reads, pre-filters and
 * parses, and this thread analyses what it parsed: the analysis allocates so
 * much that two threads running it got little more done than one (on 2 cores,
 * the standard library run was no faster than --jobs 1), while copying its
 * facts out of a worker cost time and the worker's heap cost memory. A parse
 * is handed over without a copy. Measured again with the worker running the
 * walk too and sending its facts back as JSON (alternating runs of the standard
 * library with site-packages and stubs, 19,215 files, on a 2-core machine
 * under a load of 18-30): the main thread's CPU, the run's critical path,
 * fell from 7.0 s to 6.5-6.6 s, but the process's CPU rose from 13.7 s to
 * 15.0-17.0 s (a second isolate compiling and collecting the analysis), and
 * on 2 shared cores that cost more wall time than it saved; the worker took
 * under a quarter of the files. So one worker still only parses. What it is
 * given it takes from a queue shared with this thread (see SharedQueue), so it
 * does not wait for this thread to hand it more while that one walks a large
 * file, and it starts while discovery is still finding files (ThreadsAhead).
 * Without the native parse, trees come from web-tree-sitter (WebAssembly),
 * whose parse is slower and whose tree is no array to hand over: then `jobs`
 * workers do all of it (each loads its own WebAssembly parser), and this
 * thread waits.
 */
class PoolThreads implements LintThreads {
  readonly minFiles = MIN_FILES_FOR_WORKERS;

  constructor(
    private readonly jobs: number,
    private readonly stamps: FileStamps,
    private readonly settingsFor: (path: string) => Settings,
    /** Threads already started for this run (see ThreadsAhead). */
    private pool: AnalysisPool | null = null,
  ) {}

  firstLooks(sources: readonly SourceFile[], prefilter: boolean, onLooked?: () => void): Map<string, Analysis> {
    return this.started().analyze(
      sources.map((s) => ({ path: s.path, module: s.module!, maxFileSize: this.settingsFor(s.path).maxFileSize, prefilter })),
      onLooked,
    );
  }

  demandLoads(sources: readonly SourceFile[]): Map<string, Analysis> {
    return this.started().analyze(
      sources.map((s) => ({
        path: s.path,
        module: s.module!,
        maxFileSize: this.settingsFor(s.path).maxFileSize,
        prefilter: false,
        size: this.stamps.of(s.path)?.size,
      })),
    );
  }

  search(paths: string[], called: string[], named: string[]): Map<string, boolean> {
    return this.started().search(paths, called, named);
  }

  /** The pool release() ended, ending (close() waits for it, so a failure to end it is not left unheard). */
  private released: Promise<void> | null = null;

  release(): void {
    // Ended now, not when the run is over: the workers' heaps and parser memory (about 30 MB on the standard
    // library with site-packages) would otherwise stay through the rules, where the run's memory peaks.
    const pool = this.pool;
    this.pool = null;
    if (pool) this.released = pool.close();
  }

  async close(): Promise<void> {
    await this.released;
    await this.pool?.close();
  }

  private started(): AnalysisPool {
    this.pool ??= newPool(this.jobs);
    return this.pool;
  }
}

/** The pool for `jobs` threads, this one included (see PoolThreads). */
function newPool(jobs: number): AnalysisPool {
  const native = usesNativeParse();
  const workers = native ? jobs - 1 : jobs;
  return new AnalysisPool(workers, native ? { local: analyzeTask, finish: workers === 1 ? finishTask : undefined } : {});
}

/**
 * Worker threads started while discovery is still finding the files, for the
 * lintFiles run over them (LintFilesOptions.ahead): once enough files are found
 * for threads to pay (MIN_FILES_FOR_WORKERS), the workers start (loading the
 * analysis takes them a third of a second) and begin reading, pre-filtering
 * and parsing the files found (AnalysisPool.prefetch), which needs no module
 * names, while this thread walks the rest of the directories and sets the run
 * up. On the standard library with site-packages, that was about 0.6 s of this
 * thread's time during which the worker was idle or not even started.
 *
 * Only for a run that will read every file: with a cache on disk most files
 * are answered from it (or the whole run by the last run's answer), and a look
 * ahead would be work thrown away.
 */
export class ThreadsAhead {
  private pool: AnalysisPool | null = null;
  private found: FileTask[] = [];
  private count = 0;

  constructor(
    private readonly jobs: number,
    private readonly prefilter: boolean,
  ) {}

  /** Discovery found a file, under these settings. */
  add(path: string, settings: Settings): void {
    this.found.push({ path, maxFileSize: settings.maxFileSize, prefilter: this.prefilter, parseOnly: true });
    this.count++;
    // Handed over a few at a time: each hand-over also collects what the worker finished.
    if (this.count < MIN_FILES_FOR_WORKERS || this.count % AHEAD_BATCH !== 0) return;
    this.pool ??= newPool(this.jobs);
    this.pool.prefetch(this.found);
    this.found = [];
  }

  /** The threads, for a run with as many (`jobs`); none when none were started or the count differs (then they are closed). */
  take(jobs: number): AnalysisPool | null {
    const pool = this.pool;
    this.pool = null;
    if (pool && jobs !== this.jobs) {
      void pool.close();
      return null;
    }
    return pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
