/**
 * The CLI's analysis store (see analysis-store.ts): the on-disk cache
 * (analysis-cache.ts, `.pyhang_cache/`) answering for files as they are now.
 * A file is known by its stamp: its size and modification time, its module
 * name and the size limit; the cache as a whole belongs to one key (see
 * cache-key.ts), so code that answered differently never answers here.
 *
 * It answers and keeps only for files lint() reads from disk: a source given
 * with its bytes (stdin, `--fix`) may differ from the file of the same path.
 */
import fs from 'node:fs';
import type { Settings } from '../config/settings.js';
import { AnalysisCache, type FileStamp } from './analysis-cache.js';
import type { AnalysisPhase, AnalysisStore } from './analysis-store.js';
import type { Analysis, SourceFile } from './lint.js';

/** Each file's stamp, taken once per run (statted on first use); undefined for a file that cannot be statted. */
export class FileStamps {
  private readonly stamps = new Map<string, FileStamp>();

  constructor(
    private readonly names: ReadonlyMap<string, { module: string }>,
    private readonly settingsFor: (path: string) => Settings,
  ) {}

  of(file: string): FileStamp | undefined {
    const known = this.stamps.get(file);
    if (known) return known;
    try {
      const stat = fs.statSync(file);
      const made: FileStamp = {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        module: this.names.get(file)?.module ?? '',
        maxFileSize: this.settingsFor(file).maxFileSize,
      };
      this.stamps.set(file, made);
      return made;
    } catch {
      return undefined;
    }
  }
}

export class DiskAnalysisStore implements AnalysisStore {
  constructor(
    private readonly cache: AnalysisCache,
    private readonly stamps: FileStamps,
  ) {}

  /** Opens the cache in `dir` for answers made under `key` (cacheKey). */
  static open(dir: string, key: string, stamps: FileStamps): DiskAnalysisStore {
    return new DiskAnalysisStore(AnalysisCache.open(dir, key), stamps);
  }

  firstLook(source: SourceFile): Analysis | undefined {
    const stamp = this.stampOf(source);
    return stamp && this.cache.initial(source.path, stamp);
  }

  demandLoad(source: SourceFile): Analysis | undefined {
    const stamp = this.stampOf(source);
    return stamp && this.cache.demand(source.path, stamp);
  }

  keep(source: SourceFile, analysis: Analysis, phase: AnalysisPhase): void {
    // An exhaustive first look is not the pre-filtered one the next run asks for.
    if (phase === 'exhaustive') return;
    const stamp = this.stampOf(source);
    // A skipped file's word summary (see word-summary.ts) serves this run's name searches only: the cache keeps the verdict.
    if (stamp) this.cache.record(source.path, stamp, phase, analysis.kind === 'skipped' ? { kind: 'skipped' } : analysis);
  }

  /** Forgets the files not among `files` (so the cache does not grow without bound) and writes the cache. */
  save(files: Iterable<string>): void {
    this.cache.retainOnly(files);
    this.cache.save();
  }

  /** Lets go of the cache file (analyses are read from it as they are asked for). */
  close(): void {
    this.cache.close();
  }

  private stampOf(source: SourceFile): FileStamp | undefined {
    return source.text === undefined && source.bytes === undefined ? this.stamps.of(source.path) : undefined;
  }
}
