/**
 * `pyhang check --fix` / `--diff`: the side of fixing that touches files. The
 * core finds the fixes (`lint()` puts them on messages) and src/engine/fix.ts applies
 * them to text; this module runs that to a fixed point over the sources in
 * memory, guards what it would write, and writes atomically.
 *
 * Guards, per file (a refused file is left exactly as it was and its findings
 * stay reported):
 * - the fixed text must parse when the original did (tree-sitter's verdict);
 * - it must encode back to the file's own encoding with every byte outside the
 *   edits unchanged (UTF-8 with or without BOM, latin-1; src/engine/fix.ts);
 * - the file must not have changed on disk since it was read.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { VFile } from 'vfile';
import type { SourceFile } from '../engine/lint.js';
import { decodeSource } from '../python/decode.js';
import { parsePython } from '../python/parser.js';
import { fixSource, hasUtf8Bom, sameBytes, selectFixes, type SourceEncoding } from '../engine/fix.js';

/** Fixes can make room for others that overlapped them; a few rounds settle any real file (Ruff allows 100). */
const MAX_PASSES = 10;

export interface FileChange {
  path: string;
  before: { bytes: Uint8Array; text: string };
  after: { bytes: Uint8Array; text: string };
  /** Fixes applied to this file. */
  fixed: number;
}

export interface FixRun {
  /** What linting the fixed sources reports: the findings that remain. */
  files: VFile[];
  /** The sources as fixed (the bytes of changed files replaced). */
  sources: SourceFile[];
  changes: FileChange[];
  /** Files whose fixes were refused, with the reason. */
  refused: { path: string; reason: string }[];
}

interface Original {
  bytes: Uint8Array;
  text: string;
  encoding: SourceEncoding;
}

export function hasSyntaxError(text: string): boolean {
  return parsePython(text).hasError;
}

/**
 * Lints, applies the fixes the flags allow, lints the fixed texts again, and so
 * on until no fix applies. Nothing is written.
 */
export async function fixSources(
  sources: SourceFile[],
  lintSources: (sources: SourceFile[]) => Promise<VFile[]>,
  options: { unsafeFixes: boolean; hasSyntaxError?: (text: string) => boolean },
): Promise<FixRun> {
  const parses = options.hasSyntaxError ?? hasSyntaxError;
  const current = new Map<string, SourceFile>();
  for (const source of sources) if (!current.has(source.path)) current.set(source.path, source);
  const originals = new Map<string, Original>();
  const fixed = new Map<string, number>();
  const refused = new Map<string, string>();
  const fixedTexts = new Map<string, string>();

  let files = await lintSources([...current.values()]);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    for (const file of files) {
      if (refused.has(file.path)) continue;
      const { applicable } = selectFixes(file.messages, options.unsafeFixes);
      const source = current.get(file.path);
      if (applicable.length === 0 || !source?.bytes) continue;
      const decoded = decodeSource(source.bytes);
      if ('error' in decoded) continue;
      let original = originals.get(file.path);
      if (!original) {
        original = { bytes: source.bytes, text: decoded.text, encoding: { encoding: decoded.encoding, bom: hasUtf8Bom(source.bytes) } };
        originals.set(file.path, original);
      }
      const outcome = fixSource(
        { bytes: source.bytes, text: decoded.text, encoding: original.encoding, original: original.text },
        applicable,
        parses,
      );
      if (outcome.kind === 'unchanged') continue;
      if (outcome.kind === 'refused') {
        refused.set(file.path, outcome.reason);
        if (fixed.has(file.path)) {
          // An earlier round changed it: put the original back, and lint again so the report matches.
          current.set(file.path, { path: file.path, bytes: original.bytes });
          fixed.delete(file.path);
          changed = true;
        }
        continue;
      }
      current.set(file.path, { path: file.path, bytes: outcome.bytes });
      fixedTexts.set(file.path, outcome.text);
      fixed.set(file.path, (fixed.get(file.path) ?? 0) + outcome.applied);
      changed = true;
    }
    if (!changed) break;
    files = await lintSources([...current.values()]);
  }

  const changes: FileChange[] = [];
  for (const [file, count] of fixed) {
    const original = originals.get(file)!;
    const after = current.get(file)!.bytes!;
    if (sameBytes(after, original.bytes)) continue;
    changes.push({
      path: file,
      before: { bytes: original.bytes, text: original.text },
      after: { bytes: after, text: fixedTexts.get(file)! },
      fixed: count,
    });
  }
  return {
    files,
    sources: [...current.values()],
    changes,
    refused: [...refused].map(([file, reason]) => ({ path: file, reason })),
  };
}

/** A unified diff of one change, headed `--- path` / `+++ path` as Ruff's `--diff` heads it. */
export async function unifiedDiff(change: FileChange, shownPath: string): Promise<string> {
  // Loaded only for --diff: a plain check does without it.
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = await import('diff');
  return createTwoFilesPatch(shownPath, shownPath, change.before.text, change.after.text, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/**
 * Replaces a file's content atomically: a temporary file in the same directory
 * (so the rename cannot cross file systems) gets the bytes and the file's mode,
 * is flushed to disk, then renamed over the file. A reader sees the old file
 * or the new one, never a half-written one, and a crash leaves the old one.
 * A symbolic link is followed, so the link stays a link. `expected` is what was
 * read and fixed: if the file no longer holds it, someone edited it meanwhile
 * and it is not overwritten.
 */
export function writeFileAtomically(file: string, bytes: Uint8Array, expected: Uint8Array): void {
  const target = fs.realpathSync(file);
  const stat = fs.statSync(target);
  const current = fs.readFileSync(target);
  // Already holds the fixed bytes: the same file was named twice (a symlink and its target).
  if (sameBytes(current, bytes)) return;
  if (!sameBytes(current, expected)) {
    throw new Error('it changed on disk while pyhang was running');
  }
  const directory = path.dirname(target);
  const temp = path.join(directory, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.pyhang-tmp`);
  const mode = stat.mode & 0o7777;
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    try {
      fs.writeFileSync(fd, bytes);
      // open() applied the umask; give the file exactly the original's mode.
      fs.fchmodSync(fd, mode);
      if (typeof process.getuid === 'function' && process.getuid() === 0) fs.fchownSync(fd, stat.uid, stat.gid);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(directory);
}

/** Makes the rename itself durable. Not every platform can open a directory (Windows); that is not an error. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
