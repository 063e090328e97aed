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
 *
 * The file is read and written entry by entry, never whole: on the corpus of
 * issue #20 (19,215 files) it is 106 MB, and reading it with one JSON.parse
 * took a run that missed its last answer to 750-772 MB, most of it the text
 * and the parsed facts of files the run never asked for. So it is JSON lines:
 * ```
 * {"pyhang":"analysis-cache","version":2,"key":"<cacheKey>"}
 * ["entry",{"file":"/p/a.py","mtimeMs":…,"size":…,"module":"a","maxFileSize":…,"initial":"facts","demand":"facts"}]
 * ["initial",<the first look's Analysis>]
 * ["demand",<the demand load's Analysis>]
 * ["entry",{"file":"/p/b.py",…,"initial":"skipped"}]
 * ```
 * Opening it reads it once through, in chunks, keeping each entry's stamp,
 * kinds and where its analyses' lines are (a skipped verdict has no line: the
 * entry says it); an analysis is read and parsed when the run asks for it, from
 * the descriptor opened then (a cache renamed over it by another run does not
 * move what it points at). A line that is not what its place says (damaged,
 * cut short, another format) is passed over: its file is analysed again.
 * Saving writes a new file line by line, copying the lines of analyses it did
 * not make, then renames it over the old one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Analysis } from './lint.js';
import { isCachedAnalysis } from './cached-analysis.js';
import { openRegularFile } from '../project/regular-file.js';

export interface FileStamp {
  mtimeMs: number;
  size: number;
  module: string;
  maxFileSize: number;
}

type Phase = 'initial' | 'demand';
const PHASES: readonly Phase[] = ['initial', 'demand'];
type Kind = Analysis['kind'];
const KINDS: ReadonlySet<unknown> = new Set<Kind>(['facts', 'skipped', 'problem']);

/**
 * One analysis of a file: made this run (`analysis`), or a line of the file
 * open for reading (`at`, `length`: bytes, without the newline). A skipped
 * verdict needs neither: the cache keeps no more of it than its kind.
 */
interface Slot {
  kind: Kind;
  analysis?: Analysis;
  at?: number;
  length?: number;
}

interface Entry extends FileStamp {
  initial?: Slot;
  demand?: Slot;
}

const FILE = 'analyses.jsonl';
/** The file of the cache before version 2 (one JSON document): removed when a cache is written, so it does not lie there forever. */
const LEGACY_FILE = 'analyses.json';
const FORMAT = 'analysis-cache';
/** Of the lines' format; the cache key says which code made the answers. */
const VERSION = 2;
/** Bytes read or written at a time. */
const CHUNK = 1 << 20;
/** The longest first line or entry line read: both are short, and an old cache's single line must not be read whole to find that out. */
const MAX_SHORT_LINE = 1 << 16;
/** Enough of a line's start to tell an analysis's line from others. */
const PREFIX_BYTES = 16;

const ENTRY_PREFIX = Buffer.from('["entry",');
const PHASE_PREFIX: Record<Phase, Buffer> = { initial: Buffer.from('["initial",'), demand: Buffer.from('["demand",') };
const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');
const LINE_END = Buffer.from(']\n');

export class AnalysisCache {
  private dirty = false;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly entries: Map<string, Entry>,
    /** The descriptor the slots' lines are read from; null once closed, or when there was no cache. */
    private fd: number | null,
  ) {}

  /**
   * Opens the cache in `dir` for answers made under `key` (cacheKey); a
   * missing, unreadable, other-format or other-key cache starts empty. The
   * caller closes it (close()), which a save leaves open for reading.
   */
  static open(dir: string, key: string): AnalysisCache {
    const entries = new Map<string, Entry>();
    let fd: number | null = null;
    try {
      // Only a regular file, read without blocking: a pipe or a link to a device there must not stall the run.
      fd = openRegularFile(path.join(dir, FILE)).fd;
      if (!readIndex(fd, key, entries)) {
        fs.closeSync(fd);
        fd = null;
        entries.clear();
      }
    } catch {
      // No cache yet, or an unreadable one: start over.
      if (fd !== null) fs.closeSync(fd);
      fd = null;
      entries.clear();
    }
    return new AnalysisCache(dir, key, entries, fd);
  }

  private valid(file: string, stamp: FileStamp): Entry | undefined {
    const entry = this.entries.get(file);
    if (!entry) return undefined;
    if (entry.mtimeMs !== stamp.mtimeMs || entry.size !== stamp.size || entry.module !== stamp.module || entry.maxFileSize !== stamp.maxFileSize) {
      return undefined;
    }
    return entry;
  }

  initial(file: string, stamp: FileStamp): Analysis | undefined {
    return this.analysisOf(this.valid(file, stamp)?.initial, 'initial');
  }

  demand(file: string, stamp: FileStamp): Analysis | undefined {
    return this.analysisOf(this.valid(file, stamp)?.demand, 'demand');
  }

  /**
   * A slot's analysis, read now if it is on disk; not kept here (the run keeps
   * what it uses). A line of the wrong shape (an edited or damaged file) is as
   * good as none: the file is analysed again.
   */
  private analysisOf(slot: Slot | undefined, phase: Phase): Analysis | undefined {
    if (!slot) return undefined;
    if (slot.analysis) return slot.analysis;
    if (slot.kind === 'skipped') return { kind: 'skipped' };
    if (slot.at === undefined || slot.length === undefined || this.fd === null) return undefined;
    try {
      const bytes = Buffer.allocUnsafe(slot.length);
      if (readFully(this.fd, bytes, slot.at) !== slot.length) return undefined;
      const line: unknown = JSON.parse(bytes.toString('utf8'));
      if (!Array.isArray(line) || line.length !== 2 || line[0] !== phase) return undefined;
      const analysis: unknown = line[1];
      return isCachedAnalysis(analysis) && analysis.kind === slot.kind ? analysis : undefined;
    } catch {
      return undefined;
    }
  }

  record(file: string, stamp: FileStamp, phase: Phase, analysis: Analysis): void {
    // Problems such as an unreadable file are not cached: they may be gone next time.
    if (analysis.kind === 'problem' && analysis.code === 'io-error') return;
    let entry = this.valid(file, stamp);
    if (!entry) {
      entry = { ...stamp };
      this.entries.set(file, entry);
    }
    entry[phase] = analysis.kind === 'skipped' ? { kind: 'skipped' } : { kind: analysis.kind, analysis };
    this.dirty = true;
  }

  /** The files it holds facts of, from a first look or a demand load: those the run that wrote it analysed. */
  analysedFiles(): string[] {
    const files: string[] = [];
    for (const [file, entry] of this.entries) {
      if (PHASES.some((phase) => entry[phase]?.kind === 'facts' && this.readable(entry[phase]))) files.push(file);
    }
    return files;
  }

  /** Drops entries of files that were not seen this run, so the cache does not grow without bound. */
  retainOnly(files: Iterable<string>): void {
    const keep = new Set(files);
    for (const file of [...this.entries.keys()]) {
      if (!keep.has(file)) {
        this.entries.delete(file);
        this.dirty = true;
      }
    }
  }

  /** Writes the cache atomically (temp file, then rename); a cache that cannot be written is skipped silently. */
  save(): void {
    if (!this.dirty) return;
    let temp: string | null = null;
    let fd: number | null = null;
    try {
      // The catch-all .gitignore goes only into a directory made here for the cache: in one that
      // already existed (the project's root, given as `--cache-dir ''`) it would hide the project from git.
      const created = fs.mkdirSync(this.dir, { recursive: true }) !== undefined;
      if (created) fs.writeFileSync(path.join(this.dir, '.gitignore'), '# Automatically created by pyhang.\n*\n', { flag: 'wx' });
      temp = path.join(this.dir, `${FILE}.${process.pid}.tmp`);
      // A new file (`wx`), never written through a link left under the temporary name (an old one is removed, not followed).
      fs.rmSync(temp, { force: true });
      // Read as well as written (`+`): after the rename it is the file the slots point into.
      fd = fs.openSync(temp, 'wx+');
      const moved = this.writeLines(fd);
      // All copied: the old file is let go before the new one takes its name (Windows renames over no file this process holds).
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null;
      fs.renameSync(temp, path.join(this.dir, FILE));
      temp = null;
      // The slots point into the new file, and what this run made is left to the run.
      this.fd = fd;
      fd = null;
      for (const [slot, at] of moved) {
        slot.at = at;
        delete slot.analysis;
      }
      this.dirty = false;
      removeLegacyCache(this.dir);
    } catch {
      // A read-only checkout still lints; it just does not get faster next time. (A run whose
      // save failed answers from no file after it: the save is its last use of the cache.)
      try {
        if (fd !== null) fs.closeSync(fd);
        if (temp !== null) fs.rmSync(temp, { force: true });
      } catch {
        // Nothing more to do.
      }
    }
  }

  /** Closes the file it reads analyses from; it answers no more from disk. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Whether a slot's analysis can be had: made this run, a skipped verdict, or a line it can read. */
  private readable(slot: Slot | undefined): slot is Slot {
    return slot !== undefined && (slot.analysis !== undefined || slot.kind === 'skipped' || (slot.at !== undefined && this.fd !== null));
  }

  /**
   * Writes the cache to `fd` line by line, in chunks; returns where each
   * non-skipped slot's line now starts (each with its length, as before).
   */
  private writeLines(fd: number): Map<Slot, number> {
    const moved = new Map<Slot, number>();
    // Bytes written so far; short lines gather in `chunk`, and an analysis's line starts after a flush, so `written` says where.
    let written = 0;
    let chunk = '';
    const write = (bytes: Buffer) => {
      writeFully(fd, bytes);
      written += bytes.length;
    };
    const flush = () => {
      if (chunk.length === 0) return;
      write(Buffer.from(chunk, 'utf8'));
      chunk = '';
    };
    const putShort = (text: string) => {
      chunk += text;
      if (chunk.length >= CHUNK) flush();
    };
    putShort(`${JSON.stringify({ pyhang: FORMAT, version: VERSION, key: this.key })}\n`);
    for (const [file, entry] of this.entries) {
      const slots = PHASES.map((phase) => [phase, entry[phase]] as const).filter((pair): pair is readonly [Phase, Slot] => this.readable(pair[1]));
      if (slots.length === 0) continue;
      const head: Record<string, unknown> = { file, mtimeMs: entry.mtimeMs, size: entry.size, module: entry.module, maxFileSize: entry.maxFileSize };
      for (const [phase, slot] of slots) head[phase] = slot.kind;
      putShort(`["entry",${JSON.stringify(head)}]\n`);
      for (const [phase, slot] of slots) {
        // A skipped verdict is all in the entry line.
        if (slot.kind === 'skipped') continue;
        flush();
        const at = written;
        if (slot.analysis) {
          // (Its text, up to megabytes, is written as it is: not copied into a chunk or a longer string first.)
          write(PHASE_PREFIX[phase]);
          write(Buffer.from(JSON.stringify(slot.analysis), 'utf8'));
          write(LINE_END);
          slot.length = written - at - 1;
        } else {
          copyBytes(this.fd!, slot.at!, slot.length!, fd);
          written += slot.length!;
          write(NEWLINE_BYTES);
        }
        moved.set(slot, at);
      }
    }
    flush();
    return moved;
  }
}

/**
 * Reads the cache's lines from `fd` into `entries`, keeping where each
 * analysis's line is; false when the first line is not this format's under
 * `key` (the cache starts empty). Lines it cannot place are passed over.
 */
function readIndex(fd: number, key: string, entries: Map<string, Entry>): boolean {
  let lineStart = 0;
  let start: Buffer[] = [];
  let startBytes = 0;
  let first = true;
  let current: Entry | null = null;
  let limit = MAX_SHORT_LINE;
  let position = 0;
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const read = fs.readSync(fd, chunk, 0, CHUNK, position);
    if (read === 0) break;
    let from = 0;
    while (from < read) {
      const newline = chunk.indexOf(NEWLINE, from);
      const end = newline === -1 || newline >= read ? read : newline;
      // An analysis's line (up to megabytes) is placed by its first bytes: only an entry line (or the first) is kept whole.
      if (startBytes === 0 && !first && end - from >= ENTRY_PREFIX.length) {
        limit = chunk.compare(ENTRY_PREFIX, 0, ENTRY_PREFIX.length, from, from + ENTRY_PREFIX.length) === 0 ? MAX_SHORT_LINE : PREFIX_BYTES;
      }
      // The start of a line is kept (copied: the chunk is read into again) as far as the line's kind needs it.
      if (startBytes < limit && end > from) {
        const take = Math.min(end - from, limit - startBytes);
        start.push(Buffer.from(chunk.subarray(from, from + take)));
        startBytes += take;
      }
      if (end === read) {
        if (first && startBytes >= MAX_SHORT_LINE) return false;
        break;
      }
      const lineEnd = position + end;
      const text = start.length === 1 ? start[0]! : Buffer.concat(start, startBytes);
      const whole = lineEnd - lineStart <= startBytes && startBytes < MAX_SHORT_LINE;
      if (first) {
        if (!whole || !isHeader(text, key)) return false;
        first = false;
      } else {
        current = placeLine(text, whole, lineStart, lineEnd - lineStart, current, entries);
      }
      lineStart = lineEnd + 1;
      start = [];
      startBytes = 0;
      limit = MAX_SHORT_LINE;
      from = end + 1;
    }
    position += read;
  }
  // A last line without its newline was cut short: passed over (its entry's line for a phase is then missing).
  return !first;
}

function isHeader(text: Buffer, key: string): boolean {
  try {
    const header = JSON.parse(text.toString('utf8')) as Record<string, unknown> | null;
    return typeof header === 'object' && header !== null && header['pyhang'] === FORMAT && header['version'] === VERSION && header['key'] === key;
  } catch {
    return false;
  }
}

/**
 * Places one line (`text` is its start, all of it when `whole`): an entry line
 * starts an entry; an analysis's line belongs to the entry just before it,
 * which must say it has one of that kind. Returns the entry later lines belong to.
 */
function placeLine(text: Buffer, whole: boolean, at: number, length: number, current: Entry | null, entries: Map<string, Entry>): Entry | null {
  if (startsWith(text, ENTRY_PREFIX)) {
    if (!whole) return null;
    const made = parseEntry(text);
    if (!made) return null;
    entries.set(made.file, made.entry);
    return made.entry;
  }
  for (const phase of PHASES) {
    if (!startsWith(text, PHASE_PREFIX[phase])) continue;
    const slot = current?.[phase];
    if (slot && slot.kind !== 'skipped' && slot.at === undefined) {
      slot.at = at;
      slot.length = length;
    }
    return current;
  }
  // Not a line of this format (damaged): what follows belongs to no entry until the next entry line.
  return null;
}

function parseEntry(text: Buffer): { file: string; entry: Entry } | null {
  let line: unknown;
  try {
    line = JSON.parse(text.toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(line) || line.length !== 2 || line[0] !== 'entry') return null;
  const head: unknown = line[1];
  if (typeof head !== 'object' || head === null) return null;
  const h = head as Record<string, unknown>;
  const { file, mtimeMs, size, module, maxFileSize } = h;
  if (typeof file !== 'string' || typeof module !== 'string' || !isNumber(mtimeMs) || !isNumber(size) || !isNumber(maxFileSize)) return null;
  const entry: Entry = { mtimeMs, size, module, maxFileSize };
  for (const phase of PHASES) {
    const kind = h[phase];
    if (kind === undefined) continue;
    if (!KINDS.has(kind)) return null;
    entry[phase] = { kind: kind as Kind };
  }
  return { file, entry };
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function startsWith(text: Buffer, prefix: Buffer): boolean {
  return text.length >= prefix.length && text.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** Reads `bytes.length` bytes at `position` (fewer only at the end of the file); returns how many. */
function readFully(fd: number, bytes: Buffer, position: number): number {
  let done = 0;
  while (done < bytes.length) {
    const read = fs.readSync(fd, bytes, done, bytes.length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

function writeFully(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** Copies `length` bytes at `at` of `from` to the end of what was written to `to`, a chunk at a time. */
function copyBytes(from: number, at: number, length: number, to: number): void {
  const buffer = Buffer.allocUnsafe(Math.min(length, CHUNK));
  let done = 0;
  while (done < length) {
    const want = Math.min(buffer.length, length - done);
    const read = fs.readSync(from, buffer, 0, want, at + done);
    // The file it was indexed from lost bytes under it (edited in place): the new cache would be damaged.
    if (read === 0) throw new Error('the cache file was cut short while it was copied');
    writeFully(to, read === buffer.length ? buffer : buffer.subarray(0, read));
    done += read;
  }
}

/** How a cache of the old format starts: `{"key":"<version>+<32 hex digits>","entries":{`. */
const LEGACY_START = /^\{"key":"[^"\\]{0,200}\+[0-9a-f]{32}","entries":\{/;

/**
 * Removes a cache of the old format (one JSON document), so that it does not
 * lie there forever: only a regular file that starts as one did (a file of
 * that name in a directory given as `--cache-dir` may be someone else's).
 */
function removeLegacyCache(dir: string): void {
  const legacy = path.join(dir, LEGACY_FILE);
  let fd: number | null = null;
  try {
    if (!fs.lstatSync(legacy).isFile()) return;
    fd = openRegularFile(legacy).fd;
    const start = Buffer.alloc(320);
    const read = readFully(fd, start, 0);
    fs.closeSync(fd);
    fd = null;
    if (LEGACY_START.test(start.subarray(0, read).toString('latin1'))) fs.rmSync(legacy);
  } catch {
    // None there, or not removable: it does no harm but its size.
    if (fd !== null) fs.closeSync(fd);
  }
}
