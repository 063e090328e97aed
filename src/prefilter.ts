/**
 * The text pre-filter: which files are worth parsing up front.
 *
 * Most Python files cannot hold a hazard, and parsing is what costs (tree-sitter
 * runs at a few MB/s). A file is analysed up front when its bytes mention
 * `run_coroutine_threadsafe`, `async def` or `asyncio`: every hazard starts from
 * one of those (a threadsafe future, a coroutine, the asyncio entry points that
 * run coroutines). Everything else is analysed only when the analysis needs it:
 * a symbol resolving into the module (a helper a coroutine calls), or the file
 * naming a wrapper or a coroutine found so far (see lint.ts). The checks here
 * work on raw bytes (searching is done natively), before any decoding.
 */
import { isUtf8 } from 'node:buffer';
import { codingCookie } from './decode.js';

const ASYNC_DEF = /async[ \t\\\r\n]+def\b/;
const ASYNC = Buffer.from('async');
const ASYNCIO = Buffer.from('asyncio');
const ASYNC_DEF_BYTES = Buffer.from('async def');
const THREADSAFE = Buffer.from('run_coroutine_threadsafe');

/** Whether a file's bytes mention what a hazard starts from. */
export function mentionsHazardRoots(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Most files mention none of them: two native searches settle those.
  if (!buffer.includes(ASYNC)) return buffer.includes(THREADSAFE);
  if (buffer.includes(ASYNCIO) || buffer.includes(ASYNC_DEF_BYTES) || buffer.includes(THREADSAFE)) return true;
  // `async  def` or a line continuation between the keywords: rare, so only then a regex.
  return ASYNC_DEF.test(buffer.toString('latin1'));
}

/**
 * Whether decoding the file could produce a message (NUL bytes, invalid UTF-8,
 * a coding cookie to honour): such files go through the full decoder, so the
 * problem is reported whether or not the file is otherwise relevant.
 */
export function needsFullDecode(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.includes(0)) return true;
  if (!isUtf8(buffer)) return true;
  return codingCookie(bytes) !== null;
}

/** Up to this many names, each is first looked for natively in the bytes, so most files are settled without decoding. */
const MAX_NEEDLES = 16;

/** A search for names in files' bytes: `called` names followed by `(`, `named` names anywhere, as whole words. */
export class NameSearch {
  private readonly needles: Buffer[] | null;

  constructor(
    private readonly regex: RegExp,
    words: string[],
  ) {
    this.needles = words.length <= MAX_NEEDLES ? words.map((w) => Buffer.from(w)) : null;
  }

  /** Whether a file's bytes mention any of the names. */
  inBytes(bytes: Uint8Array): boolean {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.needles && !this.needles.some((needle) => buffer.includes(needle))) return false;
    return this.regex.test(buffer.toString('latin1'));
  }

  inText(text: string): boolean {
    return this.regex.test(text);
  }
}

/**
 * The search for `called` and `named` names; null for none. With `starImports`,
 * a `from m import *` matches too (such a module may re-export any name).
 */
export function wordsPattern(
  called: Iterable<string>,
  named: Iterable<string> = [],
  options: { starImports?: boolean } = {},
): NameSearch | null {
  const words = (names: Iterable<string>) => [...new Set(names)].filter((n) => /^\w+$/.test(n)).sort();
  const calls = words(called);
  const mentions = words(named);
  const parts: string[] = [];
  const needles = [...calls, ...mentions];
  if (calls.length > 0) parts.push(`\\b(?:${calls.join('|')})\\s*\\(`);
  if (mentions.length > 0) parts.push(`\\b(?:${mentions.join('|')})\\b`);
  if (options.starImports) {
    parts.push('\\bimport[ \\t]*\\*');
    needles.push('import');
  }
  return parts.length > 0 ? new NameSearch(new RegExp(parts.join('|')), needles) : null;
}
