/**
 * Linting files on disk: the CLI's way into the core. It adds what only pays
 * off for many files (the cache and worker threads) around the one core
 * function, `lint()`, which makes every decision.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { VFile } from 'vfile';
import { lint, type Analysis, type LintOptions, type SourceFile } from './lint.js';
import { uniqueModuleNames } from '../project/module-names.js';
import { AnalysisCache, type FileStamp } from './analysis-cache.js';
import { AnalysisPool, defaultJobs } from './worker-pool.js';
import { analyzeTask, finishTask } from './analysis-task.js';
import { usesNativeParse } from '../python/parser.js';
import { cacheKey } from './cache-key.js';
import { readRegularFile } from '../project/regular-file.js';

export interface LintFilesOptions extends Omit<LintOptions, 'onAnalysis' | 'cachedAnalysis' | 'analyzeMany' | 'searchMany'> {
  /** Threads for first looks and demand loads, this one included (default: the number of cores; 1 works in this thread alone). */
  jobs?: number;
  /** Directory of the cache, or null for none. */
  cacheDir?: string | null;
  /** pyhang's version: with its built code and the rule set, what the cache belongs to (see cache-key.ts). */
  version?: string;
  /** Sources that are not files on disk (stdin). */
  extra?: SourceFile[];
}

/** Below this many files to look at, threads cost more than they save. */
const MIN_FILES_FOR_WORKERS = 64;

const LAST_RUN = 'last-run.json';

/** What a run reported, kept so that the same run on an unchanged tree is answered at once. */
interface LastRun {
  key: string;
  files: { path: string; messages: Record<string, unknown>[] }[];
}

const MESSAGE_FIELDS = ['reason', 'ruleId', 'source', 'url', 'fatal', 'place', 'ruleName', 'messageId', 'related', 'fix'] as const;

function saveMessages(files: VFile[]): LastRun['files'] {
  return files.map((file) => ({
    path: file.path,
    messages: file.messages.map((m) => {
      const out: Record<string, unknown> = {};
      for (const field of MESSAGE_FIELDS) {
        const value = (m as unknown as Record<string, unknown>)[field];
        if (value !== undefined && value !== null) out[field] = value;
      }
      return out;
    }),
  }));
}

function restoreMessages(saved: LastRun['files']): VFile[] {
  return saved.map(({ path: file, messages }) => {
    const vfile = new VFile({ path: file });
    for (const saved of messages) {
      const message = vfile.message(String(saved['reason']), {
        place: saved['place'] as never,
        ruleId: saved['ruleId'] as string,
        source: saved['source'] as string,
      });
      Object.assign(message, saved);
    }
    return vfile;
  });
}

export async function lintFiles(paths: readonly string[], options: LintFilesOptions): Promise<VFile[]> {
  const prefilter = options.prefilter ?? true;
  const jobs = options.jobs ?? defaultJobs();
  const names = uniqueModuleNames([...paths, ...(options.extra ?? []).map((s) => s.path)]);

  const stamps = new Map<string, FileStamp>();
  const stamp = (file: string): FileStamp | undefined => {
    const known = stamps.get(file);
    if (known) return known;
    try {
      const stat = fs.statSync(file);
      const made: FileStamp = {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        module: names.get(file)?.module ?? '',
        maxFileSize: options.settingsFor(file).maxFileSize,
      };
      stamps.set(file, made);
      return made;
    } catch {
      return undefined;
    }
  };

  // What made the answers: pyhang's version and code, the facts schema and the rule set.
  const key = options.cacheDir ? cacheKey(options.version ?? 'dev', options.rules) : null;
  // The same run on an unchanged tree: that, every file's stamp, module name and settings, the
  // mode and the working directory make the key; if it matches, the last answer stands.
  let runKey: string | null = null;
  if (options.cacheDir) {
    const hash = crypto.createHash('sha256');
    hash.update(JSON.stringify([key, prefilter, process.cwd(), (options.extra ?? []).length]));
    const settingsSeen = new Map<unknown, number>();
    for (const file of paths) {
      const s = stamp(file);
      const settings = options.settingsFor(file);
      let settingsId = settingsSeen.get(settings);
      if (settingsId === undefined) {
        settingsId = settingsSeen.size;
        settingsSeen.set(settings, settingsId);
        hash.update(`settings ${settingsId} ${JSON.stringify(settings)}\n`);
      }
      hash.update(`${file}\0${s ? `${s.mtimeMs}:${s.size}:${s.module}` : 'missing'}\0${settingsId}\n`);
    }
    runKey = hash.digest('hex');
    if ((options.extra ?? []).length === 0) {
      try {
        // Only a regular file, read without blocking: a pipe or a link to a device there must not stall the run.
        const last = JSON.parse(readRegularFile(path.join(options.cacheDir, LAST_RUN)).toString('utf8')) as LastRun;
        if (last.key === runKey) return restoreMessages(last.files);
      } catch {
        // No last run, or a damaged one: lint.
      }
    }
  }

  const cache = options.cacheDir ? AnalysisCache.open(options.cacheDir, key!) : null;
  const sources: SourceFile[] = [];
  const toAnalyze: SourceFile[] = [];
  for (const file of paths) {
    const source: SourceFile = { path: file, module: names.get(file) };
    const s = cache ? stamp(file) : undefined;
    const cached = s && prefilter ? cache!.initial(file, s) : undefined;
    if (cached) source.analysis = cached;
    else toAnalyze.push(source);
    sources.push(source);
  }

  // First looks in worker threads and this one, then files needed on demand, many at a time, in
  // the same threads: `jobs` threads in all, this one included. With a single worker beside this
  // thread, the worker reads, pre-filters and parses, and this thread analyses what it parsed: the
  // analysis allocates so much that two threads running it got little more done than one (on 2 cores,
  // the standard library run was no faster than --jobs 1), while copying its facts out of a worker
  // cost time and the worker's heap cost memory. A parse is handed over without a copy.
  // Without the native parse, trees come from the binding, which frees them only from the event loop:
  // this thread, synchronous until the run ends, would keep every tree it made (gigabytes with
  // --no-prefilter on a large tree). Then `jobs` workers do all of it, and this thread waits.
  const native = usesNativeParse();
  const workers = native ? jobs - 1 : jobs;
  const pool =
    jobs > 1 && toAnalyze.length >= MIN_FILES_FOR_WORKERS
      ? new AnalysisPool(workers, native ? { local: analyzeTask, finish: workers === 1 ? finishTask : undefined } : {})
      : null;
  if (pool) {
    const results = pool.analyze(
      toAnalyze.map((s) => ({ path: s.path, module: s.module!, maxFileSize: options.settingsFor(s.path).maxFileSize, prefilter })),
    );
    for (const source of toAnalyze) {
      const analysis = results.get(source.path);
      if (!analysis) continue;
      source.analysis = analysis;
      // An exhaustive first look is not the pre-filtered one the cache keeps.
      const s = cache && prefilter ? stamp(source.path) : undefined;
      if (s) cache!.record(source.path, s, 'initial', analysis);
    }
  }

  let files: VFile[];
  try {
    files = lint([...sources, ...(options.extra ?? [])], {
      ...options,
      analyzeMany: pool
        ? (batch: SourceFile[]) =>
            pool.analyze(
              batch.map((s) => ({
                path: s.path,
                module: s.module!,
                maxFileSize: options.settingsFor(s.path).maxFileSize,
                prefilter: false,
                size: stamp(s.path)?.size,
              })),
            )
        : undefined,
      searchMany: pool ? (files, called, named) => pool.search(files, called, named) : undefined,
      onAnalysis: (source: SourceFile, analysis: Analysis, phase) => {
        if (!cache || (phase === 'initial' && !prefilter)) return;
        const s = stamp(source.path);
        if (s) cache.record(source.path, s, phase, analysis);
      },
      cachedAnalysis: (source: SourceFile) => {
        const s = cache ? stamp(source.path) : undefined;
        return s ? cache!.demand(source.path, s) : undefined;
      },
    });
  } finally {
    await pool?.close();
  }
  if (cache) {
    cache.retainOnly(paths);
    cache.save();
    if (runKey && options.cacheDir && (options.extra ?? []).length === 0) {
      try {
        const temp = path.join(options.cacheDir, `${LAST_RUN}.${process.pid}.tmp`);
        // A new file (`wx`): never written through a link someone left under the temporary name.
        fs.writeFileSync(temp, JSON.stringify({ key: runKey, files: saveMessages(files) } satisfies LastRun), { flag: 'wx' });
        fs.renameSync(temp, path.join(options.cacheDir, LAST_RUN));
      } catch {
        // Not writable: the next run lints again.
      }
    }
  }
  return files;
}
