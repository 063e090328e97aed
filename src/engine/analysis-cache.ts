/**
 * The on-disk cache (`.pyhang_cache/`), as Ruff's and ESLint's: each file's
 * first look (facts, or "skipped by the pre-filter", or a problem) and, for
 * skipped files the analysis needed after all, their full analysis. An entry
 * is valid while the file's size and modification time, its module name and
 * the size limit are unchanged; the whole cache belongs to one key, which
 * covers pyhang's version, its built code, the facts schema and the rule set
 * (see cache-key.ts): made by other code, it starts empty. Facts do not depend
 * on the configuration (rules and severities apply after), so one cache serves
 * every configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Analysis } from './lint.js';
import { isCachedAnalysis } from './cached-analysis.js';
import { readRegularFile } from '../project/regular-file.js';

interface Entry {
  mtimeMs: number;
  size: number;
  module: string;
  maxFileSize: number;
  initial?: Analysis;
  demand?: Analysis;
}

interface CacheFile {
  /** What made the answers (cacheKey). */
  key: string;
  entries: Record<string, Entry>;
}

export interface FileStamp {
  mtimeMs: number;
  size: number;
  module: string;
  maxFileSize: number;
}

const FILE = 'analyses.json';
/** Characters of the cache's JSON written at a time. */
const WRITE_CHUNK = 1 << 20;

export class AnalysisCache {
  private entries: Record<string, Entry>;
  private dirty = false;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    entries: Record<string, Entry>,
  ) {
    this.entries = entries;
  }

  /** Opens the cache in `dir` for answers made under `key` (cacheKey); a missing, unreadable or other-key cache starts empty. */
  static open(dir: string, key: string): AnalysisCache {
    let entries: Record<string, Entry> = Object.create(null) as Record<string, Entry>;
    try {
      // Only a regular file, read without blocking: a pipe or a link to a device there must not stall the run.
      const parsed = JSON.parse(readRegularFile(path.join(dir, FILE)).toString('utf8')) as CacheFile;
      if (parsed.key === key && parsed.entries && typeof parsed.entries === 'object') {
        entries = Object.assign(Object.create(null) as Record<string, Entry>, parsed.entries);
      }
    } catch {
      // No cache yet, or a damaged one: start over.
    }
    return new AnalysisCache(dir, key, entries);
  }

  private valid(file: string, stamp: FileStamp): Entry | undefined {
    const entry = Object.prototype.hasOwnProperty.call(this.entries, file) ? this.entries[file] : undefined;
    if (typeof entry !== 'object' || entry === null) return undefined;
    if (entry.mtimeMs !== stamp.mtimeMs || entry.size !== stamp.size || entry.module !== stamp.module || entry.maxFileSize !== stamp.maxFileSize) {
      return undefined;
    }
    return entry;
  }

  // An entry of the wrong shape (an edited or damaged file) is as good as none: the file is analysed again.
  initial(file: string, stamp: FileStamp): Analysis | undefined {
    const analysis: unknown = this.valid(file, stamp)?.initial;
    return isCachedAnalysis(analysis) ? analysis : undefined;
  }

  demand(file: string, stamp: FileStamp): Analysis | undefined {
    const analysis: unknown = this.valid(file, stamp)?.demand;
    return isCachedAnalysis(analysis) ? analysis : undefined;
  }

  record(file: string, stamp: FileStamp, phase: 'initial' | 'demand', analysis: Analysis): void {
    // Problems such as an unreadable file are not cached: they may be gone next time.
    if (analysis.kind === 'problem' && analysis.code === 'io-error') return;
    let entry = this.valid(file, stamp);
    if (!entry) {
      entry = { ...stamp };
      this.entries[file] = entry;
    }
    entry[phase] = analysis;
    this.dirty = true;
  }

  /** The files it holds facts of, from a first look or a demand load: those the run that wrote it analysed. */
  analysedFiles(): string[] {
    return Object.keys(this.entries).filter((file) => this.entries[file]?.initial?.kind === 'facts' || this.entries[file]?.demand?.kind === 'facts');
  }

  /** Drops entries of files that were not seen this run, so the cache does not grow without bound. */
  retainOnly(files: Iterable<string>): void {
    const keep = new Set(files);
    for (const file of Object.keys(this.entries)) {
      if (!keep.has(file)) {
        delete this.entries[file];
        this.dirty = true;
      }
    }
  }

  /**
   * Writes what JSON.stringify of the CacheFile would, entry by entry, in chunks:
   * the whole text at once (51 MB for the standard library) took the run's
   * peak memory from about 300 MB to 480 MB.
   */
  private writeJson(file: string): void {
    const fd = fs.openSync(file, 'wx');
    try {
      let chunk = `{"key":${JSON.stringify(this.key)},"entries":{`;
      let first = true;
      for (const key in this.entries) {
        chunk += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(this.entries[key])}`;
        first = false;
        if (chunk.length >= WRITE_CHUNK) {
          fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      fs.writeSync(fd, `${chunk}}}`);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Writes the cache atomically (temp file, then rename); a cache that cannot be written is skipped silently. */
  save(): void {
    if (!this.dirty) return;
    try {
      // The catch-all .gitignore goes only into a directory made here for the cache: in one that
      // already existed (the project's root, given as `--cache-dir ''`) it would hide the project from git.
      const created = fs.mkdirSync(this.dir, { recursive: true }) !== undefined;
      if (created) fs.writeFileSync(path.join(this.dir, '.gitignore'), '# Automatically created by pyhang.\n*\n', { flag: 'wx' });
      const temp = path.join(this.dir, `${FILE}.${process.pid}.tmp`);
      // A new file (`wx`), never written through a link left under the temporary name (an old one is removed, not followed).
      fs.rmSync(temp, { force: true });
      this.writeJson(temp);
      fs.renameSync(temp, path.join(this.dir, FILE));
      this.dirty = false;
    } catch {
      // A read-only checkout still lints; it just does not get faster next time.
    }
  }
}
