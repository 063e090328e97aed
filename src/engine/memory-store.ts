/**
 * The language server's analysis store (see analysis-store.ts): what earlier
 * passes learnt about the workspace's files on disk, kept in memory between
 * passes so that a keystroke re-analyses only the open documents. Per file:
 * its first look, the full analysis of a skipped file a pass loaded on demand,
 * and the words of a skipped file (a MentionIndex, for the name searches).
 * Each is of the file at one modification time and size, under one size limit.
 *
 * Checking thousands of files against the disk on every keystroke would cost
 * more than the pass: a first look checked less than `recheckAfterMs` ago is
 * trusted (a client that watches files says at once when one changed, see
 * forget), while a file a pass follows a call into is checked at every pass.
 *
 * The workspace brackets each pass with beginPass and asks sourceFor for each
 * file on disk: the file as a source that lint() will ask this store about, or
 * its bytes, read now, when nothing of it is known (the bytes also give a
 * skipped file's words).
 */
import fs from 'node:fs';
import { readRegularFile } from '../project/regular-file.js';
import { MentionIndex } from '../project/prefilter.js';
import type { AnalysisPhase, AnalysisStore } from './analysis-store.js';
import type { Analysis, SourceFile } from './lint.js';

interface Stat {
  mtimeMs: number;
  size: number;
}

/** What is remembered about an unchanged file between passes. */
interface Remembered extends Stat {
  /** `analyzeSource` depends on settings only through this limit. */
  maxFileSize: number;
  analysis: Analysis;
  /** When the file was last seen with this mtime and size (Date.now()). */
  checkedAt: number;
}

/** One pass: when it began, each file's stat as taken in it, and the size limit of each file. */
interface Pass {
  now: number;
  stats: Map<string, Stat>;
  maxFileSize: (path: string) => number;
}

export class MemoryAnalysisStore implements AnalysisStore {
  private readonly firstLooks = new Map<string, Remembered>();
  /** Full analyses of files on disk that a pass loaded on demand (to follow a call into them), for the next passes' demand loads. */
  private readonly demandLoads = new Map<string, Remembered>();
  /** The words of files on disk that the pre-filter skipped, so that a pass's name searches need not read them again. */
  readonly mentions = new MentionIndex();
  private pass: Pass = { now: 0, stats: new Map(), maxFileSize: () => Infinity };

  constructor(private readonly options: { recheckAfterMs: number }) {}

  /** Starts a pass: files are checked against the disk as of now, under these size limits. */
  beginPass(maxFileSize: (path: string) => number, now = Date.now()): void {
    this.pass = { now, stats: new Map(), maxFileSize };
  }

  /** A file on disk as a source for this pass: its path when its first look is known, else its bytes. Null when unreadable. */
  sourceFor(file: string): SourceFile | null {
    if (this.rememberedFirstLook(file)) return { path: file };
    // Gone (its stat failed), or changed on disk or under another size limit: read it again.
    if (!this.pass.stats.has(file)) return null;
    try {
      // Never a blocking read: a file swapped for a named pipe must not stall the editor.
      return { path: file, bytes: readRegularFile(file) };
    } catch {
      // Deleted or unreadable since discovery: it simply does not feed this pass.
      return null;
    }
  }

  firstLook(source: SourceFile): Analysis | undefined {
    // A file read now (sourceFor) is read because nothing of it was known.
    if (source.text !== undefined || source.bytes !== undefined) return undefined;
    return this.rememberedFirstLook(source.path)?.analysis;
  }

  demandLoad(source: SourceFile): Analysis | undefined {
    if (source.text !== undefined || !this.pass.stats.has(source.path)) return undefined;
    // A file the analysis follows a call into is checked now, whenever its first look was.
    const stat = this.freshStat(source.path);
    const kept = stat ? this.demandLoads.get(source.path) : undefined;
    return kept && this.unchanged(kept, stat!, source.path) ? kept.analysis : undefined;
  }

  keep(source: SourceFile, analysis: Analysis, phase: AnalysisPhase): void {
    // An open document's text is a moving target: nothing of it is remembered. A file on disk parsed
    // on demand stays "skipped" as a first look: handed over as facts it would count as a rule
    // target, which a file loaded only to follow a call is not (see ProjectIndex), and the pass would
    // no longer be the CLI's. So its full analysis is kept apart, for the next demand load (as the
    // CLI's cache does).
    if (source.text !== undefined || phase === 'exhaustive') return;
    const stat = this.pass.stats.get(source.path);
    if (!stat) return;
    const kept: Remembered = { ...stat, maxFileSize: this.pass.maxFileSize(source.path), analysis, checkedAt: this.pass.now };
    if (phase === 'demand') {
      this.demandLoads.set(source.path, kept);
      return;
    }
    this.firstLooks.set(source.path, kept);
    // A skipped file's words answer the name searches of the next passes (sourceFor read its bytes now).
    if (analysis.kind === 'skipped' && source.bytes) this.mentions.set(source.path, source.bytes);
  }

  /** One file changed on disk (or is gone): what is remembered of it is dropped, so the next pass reads it again. */
  forget(file: string): void {
    this.firstLooks.delete(file);
    this.demandLoads.delete(file);
    this.mentions.delete(file);
  }

  /** Forgets every analysis (module names may have changed, and every analysis names its module); words stay. */
  forgetAnalyses(): void {
    this.firstLooks.clear();
    this.demandLoads.clear();
  }

  /** Forgets every file but these. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const remembered of [this.firstLooks, this.demandLoads]) for (const file of remembered.keys()) if (!keep.has(file)) remembered.delete(file);
    this.mentions.retainOnly(keep);
  }

  /** The remembered first look at a file, if it is of the file as it is now (checked against the disk when due). */
  private rememberedFirstLook(file: string): Remembered | undefined {
    const { now, stats, maxFileSize } = this.pass;
    const known = this.firstLooks.get(file);
    if (known && now - known.checkedAt < this.options.recheckAfterMs && known.maxFileSize === maxFileSize(file)) {
      stats.set(file, { mtimeMs: known.mtimeMs, size: known.size });
      return known;
    }
    const stat = this.freshStat(file);
    if (!stat) return undefined;
    const cached = this.firstLooks.get(file);
    if (cached && this.unchanged(cached, stat, file)) {
      cached.checkedAt = now;
      return cached;
    }
    this.firstLooks.delete(file);
    this.mentions.delete(file);
    return undefined;
  }

  /**
   * A file's mtime and size as they are now, noted in the pass's stats. When they
   * differ from its remembered first look, that is forgotten (and read again).
   * Null when the file is gone, and then all that is remembered of it is forgotten.
   */
  private freshStat(file: string): Stat | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.forget(file);
      return null;
    }
    const fresh = { mtimeMs: stat.mtimeMs, size: stat.size };
    const first = this.firstLooks.get(file);
    if (first && (first.mtimeMs !== fresh.mtimeMs || first.size !== fresh.size)) {
      this.firstLooks.delete(file);
      this.mentions.delete(file);
    }
    this.pass.stats.set(file, fresh);
    return fresh;
  }

  /** Whether a remembered analysis is of the file as it is now, under the same size limit. */
  private unchanged(remembered: Remembered, stat: Stat, file: string): boolean {
    return remembered.mtimeMs === stat.mtimeMs && remembered.size === stat.size && remembered.maxFileSize === this.pass.maxFileSize(file);
  }
}
