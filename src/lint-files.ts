/**
 * Linting files on disk: the CLI's way into the core. It adds what only pays
 * off for many files (the cache and worker threads) around the one core
 * function, `lint()`, which makes every decision.
 */
import fs from 'node:fs';
import type { VFile } from 'vfile';
import { lint, type Analysis, type LintOptions, type SourceFile } from './lint.js';
import { uniqueModuleNames } from './module-names.js';
import { AnalysisCache, type FileStamp } from './analysis-cache.js';
import { analyzeInWorkers, defaultJobs } from './worker-pool.js';

export interface LintFilesOptions extends Omit<LintOptions, 'onAnalysis' | 'cachedAnalysis'> {
  /** Worker threads for first looks (default: the number of cores; 1 analyses in this thread). */
  jobs?: number;
  /** Directory of the cache, or null for none. */
  cacheDir?: string | null;
  /** Version the cache belongs to. */
  version?: string;
  /** Sources that are not files on disk (stdin). */
  extra?: SourceFile[];
}

/** Below this many files to look at, threads cost more than they save. */
const MIN_FILES_FOR_WORKERS = 64;

export async function lintFiles(paths: readonly string[], options: LintFilesOptions): Promise<VFile[]> {
  const prefilter = options.prefilter ?? true;
  const jobs = options.jobs ?? defaultJobs();
  const cache = options.cacheDir ? AnalysisCache.open(options.cacheDir, options.version ?? 'dev') : null;
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

  // First looks in worker threads; the exhaustive mode stays in this thread (it is for tests).
  if (prefilter && jobs > 1 && toAnalyze.length >= MIN_FILES_FOR_WORKERS) {
    const results = await analyzeInWorkers(
      toAnalyze.map((s) => ({ path: s.path, module: s.module!, maxFileSize: options.settingsFor(s.path).maxFileSize })),
      jobs,
    );
    for (const source of toAnalyze) {
      const analysis = results.get(source.path);
      if (!analysis) continue;
      source.analysis = analysis;
      const s = cache ? stamp(source.path) : undefined;
      if (s) cache!.record(source.path, s, 'initial', analysis);
    }
  }

  const files = lint([...sources, ...(options.extra ?? [])], {
    ...options,
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
  if (cache) {
    cache.retainOnly(paths);
    cache.save();
  }
  return files;
}
