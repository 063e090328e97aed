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
 * - the file must not have changed on disk since it was read;
 * - it must not be reached through a symbolic link leaving the project, nor
 *   have other hard links (writeFileAtomically).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { VFile } from 'vfile';
import type { SourceFile } from '../engine/lint.js';
import { decodeSource } from '../python/decode.js';
import { parsePython } from '../python/parser.js';
import { fixSource, hasUtf8Bom, sameBytes, selectFixes, type SourceEncoding } from '../engine/fix.js';
import type { Fix } from '../python/facts.js';
import { LineIndex } from '../python/positions.js';
import { noqaInsertion } from '../python/noqa.js';

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
  options: {
    unsafeFixes: boolean;
    hasSyntaxError?: (text: string) => boolean;
    /** The fixes to apply to a linted file, given its text (default: its messages' fixes, as selectFixes picks them); `--add-noqa` passes noqaFixes. */
    fixesOf?: (file: VFile, text: string) => Fix[];
  },
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
      const source = current.get(file.path);
      if (!source?.bytes || file.messages.length === 0) continue;
      const decoded = decodeSource(source.bytes);
      if ('error' in decoded) continue;
      const applicable = options.fixesOf ? options.fixesOf(file, decoded.text) : selectFixes(file.messages, options.unsafeFixes).applicable;
      if (applicable.length === 0) continue;
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

/**
 * `--add-noqa`: for each line with rule findings, the edit that silences their
 * codes there (added to a `# noqa:` list already on the line, else a new
 * comment). File problems have no code to name; HANG100's findings are
 * directives themselves, whose fix is to remove them.
 */
export function noqaFixes(file: VFile, text: string): Fix[] {
  const byLine = new Map<number, string[]>();
  for (const message of file.messages) {
    const code = String(message.ruleId ?? '');
    if (!/^HANG\d+$/.test(code) || code === 'HANG100' || !message.line) continue;
    byLine.set(message.line, [...(byLine.get(message.line) ?? []), code]);
  }
  const index = new LineIndex(text);
  const fixes: Fix[] = [];
  for (const [line, codes] of byLine) {
    const edit = noqaInsertion(index, line - 1, codes);
    if (edit) fixes.push({ description: 'Add a noqa directive', edits: [edit] });
  }
  return fixes;
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

/** A file `--fix` will not write, and why (the message names what the user needs to see). */
export class WriteRefused extends Error {}

/**
 * Replaces a file's content atomically: a temporary file in the same directory
 * (so the rename cannot cross file systems) gets the bytes, the file's owner
 * and group where the user may set them, and its mode (setuid and setgid
 * included), is flushed to disk, then renamed over the file. A reader sees the
 * old file or the new one, never a half-written one, and a crash leaves the
 * old one. `expected` is what was read and fixed: if the file no longer holds
 * it, someone edited it meanwhile and it is not overwritten.
 *
 * Refused (WriteRefused), leaving the file as it was:
 * - a path that goes through a symbolic link (to the file, or to a directory
 *   on its way) whose real path is outside `projectRoot`: pre-commit and
 *   editors name files inside the repository, and a link planted there must
 *   not make pyhang rewrite a file elsewhere. A link within the project is
 *   followed, so the link stays a link and its target is fixed;
 * - a file with more than one hard link: a rename would give this name a new
 *   file and leave the other names holding the old content, and writing in
 *   place would give up atomicity. Refusing keeps both promises.
 *
 * Awaits only the rename, so a SIGINT or SIGTERM that arrives while the file
 * is written is handled there, with the temporary file still listed in
 * `inFlight` (see removeTemporaryFilesOnSignal).
 */
export async function writeFileAtomically(file: string, bytes: Uint8Array, expected: Uint8Array, projectRoot: string): Promise<void> {
  const target = fs.realpathSync(file);
  const root = realpathOrSelf(projectRoot);
  const throughLink = target !== path.resolve(file);
  if (throughLink && !isInside(target, root)) {
    throw new WriteRefused(`it is a symbolic link to ${target}, outside the project (${root})`);
  }
  const stat = fs.statSync(target);
  const current = fs.readFileSync(target);
  // Already holds the fixed bytes: the same file was named twice (a symlink and its target).
  if (sameBytes(current, bytes)) return;
  if (!sameBytes(current, expected)) {
    throw new Error('it changed on disk while pyhang was running');
  }
  if (stat.nlink > 1) {
    throw new WriteRefused(`it has ${stat.nlink} hard links, and replacing it would split it from the others`);
  }
  const directory = path.dirname(target);
  const temp = path.join(directory, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.pyhang-tmp`);
  const mode = stat.mode & 0o7777;
  const fd = fs.openSync(temp, 'wx', mode);
  inFlight.add(temp);
  try {
    try {
      fs.writeFileSync(fd, bytes);
      giveOwner(fd, stat);
      // After the owner: chown clears setuid and setgid. open() applied the umask; this gives exactly the original's mode.
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    await fs.promises.rename(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  } finally {
    inFlight.delete(temp);
  }
  syncDirectory(directory);
}

/** The original's owner and group, where this user may set them (root; or a group the user is in); otherwise the user's own. */
function giveOwner(fd: number, stat: fs.Stats): void {
  const created = fs.fstatSync(fd);
  if (created.uid === stat.uid && created.gid === stat.gid) return;
  try {
    fs.fchownSync(fd, stat.uid, stat.gid);
  } catch {
    try {
      fs.fchownSync(fd, created.uid, stat.gid);
    } catch {
      // Not permitted: the file becomes the user's, as any editor's save would make it.
    }
  }
}

function realpathOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..' + path.sep) && relative !== '..' && !path.isAbsolute(relative);
}

/** Temporary files written and not yet renamed: what a signal handler must remove. */
const inFlight = new Set<string>();

const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * While `--fix` writes, a SIGINT, SIGTERM or SIGHUP removes the temporary file
 * in flight (the original is untouched until the rename) and then kills the
 * process with the same signal, so the shell or CI sees the usual status.
 * Returns the function that takes the handlers away again. SIGKILL cannot be
 * caught: it may leave one `.<name>.<pid>.<hex>.pyhang-tmp` file beside the
 * original, which is still whole.
 */
export function removeTemporaryFilesOnSignal(): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  const uninstall = () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
  for (const signal of CLEANUP_SIGNALS) {
    const handler = () => {
      for (const temp of inFlight) {
        try {
          fs.rmSync(temp, { force: true });
        } catch {
          // Best effort: the process is going away.
        }
      }
      inFlight.clear();
      uninstall();
      process.kill(process.pid, signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return uninstall;
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
