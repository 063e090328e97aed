/**
 * The text pre-filter: which files are worth parsing up front.
 *
 * Most Python files cannot hold a hazard, and parsing is what costs (tree-sitter
 * runs at a few MB/s). A file is analysed up front when its bytes mention a
 * trigger of the rules that run (each rule declares the words its hazards start
 * from: today `run_coroutine_threadsafe`, `async def` and `asyncio`, for a
 * threadsafe future, a coroutine, the asyncio entry points that run
 * coroutines). Everything else is analysed only when the analysis needs it:
 * a symbol resolving into the module (a helper a coroutine calls), or the file
 * naming a wrapper or a coroutine found so far (see lint.ts). The checks here
 * work on raw bytes (searching is done natively), before any decoding. A root
 * counts only where it is code: a docstring or a comment that says `asyncio`
 * starts nothing (see mentionedInCode).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { codingCookie, decodeSource } from '../python/decode.js';

/** What may stand between the words of a phrase: blanks, and backslashes ending a line. */
const PHRASE_GAP = '[ \\t\\f\\\\\\r\\n]+';

/**
 * What makes a file worth analysing up front: the words and phrases the
 * enabled rules declare as their triggers (Rule.triggers), found in code.
 * A word matches anywhere (`asyncio` also in `asyncio_compat`); a phrase of
 * several words (`async def`) matches them separated by blanks or line
 * continuations, its last word as a whole word.
 */
export class FileTriggers {
  /** Bytes each file is searched for natively first: a file holding none of them holds no trigger. */
  private readonly needles: Buffer[];
  /** Every trigger, in a decoded text or in bytes read as latin-1. */
  private readonly pattern: RegExp;

  /** The comment triggers' last two letters in every case: a native search that rules out most files. */
  private readonly anywhereNeedles: Buffer[];
  /** Every comment trigger, anywhere and in any case. */
  private readonly anywhere: RegExp | null;

  constructor(
    readonly phrases: readonly string[],
    /** Patterns that count anywhere, comments included, in any case (Rule.commentTriggers: regular expression sources). */
    readonly commentPatterns: readonly string[] = [],
  ) {
    this.anywhere = commentPatterns.length > 0 ? new RegExp(commentPatterns.map((source) => `(?:${source})`).join('|'), 'i') : null;
    // Each pattern starts with a literal word (`noqa` in `noqa[^\r\n]*hang`): its last two letters, in every case, are searched natively first.
    const leadingWords = commentPatterns.map((source) => /^[A-Za-z0-9_]+/.exec(source)?.[0] ?? '');
    if (leadingWords.some((word) => word.length < 2)) throw new Error(`a comment trigger must start with a literal word: ${commentPatterns.join(', ')}`);
    this.anywhereNeedles = [...new Set(leadingWords.flatMap((word) => caseVariants(word.slice(-2))))].map((tail) => Buffer.from(tail, 'latin1'));
    const words = phrases.map((phrase) => phrase.trim().split(/\s+/));
    const alternatives = words.map((parts) => {
      const escaped = parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      return parts.length > 1 ? `${escaped.join(PHRASE_GAP)}\\b` : escaped[0]!;
    });
    this.pattern = new RegExp(alternatives.join('|'), 'g');
    // A phrase is first looked for by its first word; a needle holding another one adds nothing (`asyncio` after `async`).
    const firsts = [...new Set(words.map((parts) => parts[0]!))];
    this.needles = firsts
      .filter((word) => !firsts.some((other) => other !== word && word.includes(other)))
      .sort((a, b) => a.length - b.length)
      .map((word) => Buffer.from(word));
  }

  /** Whether a file's bytes mention a trigger, in code. */
  inBytes(bytes: Uint8Array): boolean {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.anywhere && this.anywhereNeedles.some((needle) => buffer.includes(needle)) && this.anywhere.test(buffer.toString('latin1'))) return true;
    // Most files mention none of them: a few native searches settle those.
    if (!this.needles.some((needle) => buffer.includes(needle))) return false;
    // UTF-8 read as latin-1 keeps every ASCII character, so quotes, `#` and line ends are where they are.
    return mentionedInCode(buffer.toString('latin1'), this.pattern);
  }

  /** `inBytes` for a decoded text. */
  inText(text: string): boolean {
    if (this.anywhere?.test(text)) return true;
    return mentionedInCode(text, this.pattern);
  }
}

/** `qa` → `qa`, `qA`, `Qa`, `QA`. */
function caseVariants(word: string): string[] {
  let variants = [''];
  for (const c of word) variants = variants.flatMap((v) => [...new Set([v + c.toLowerCase(), v + c.toUpperCase()])]);
  return variants;
}

/** Where a comment or a string literal may start. */
const COMMENT_OR_QUOTE = /[#'"]/g;
const LINE_END = /[\r\n]/g;
/** String prefixes whose literal is only text (raw, bytes, unicode), and those that interpolate code (f- and t-strings). */
const PLAIN_PREFIX = /^(?:[rRuUbB]|[rR][bB]|[bB][rR])?$/;
const INTERPOLATING_PREFIX = /^(?:[fFtT]|[rR][fFtT]|[fFtT][rR])$/;
/** Keywords a string may follow with no blank (`x in'ab'`): they are not prefixes. */
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'elif', 'return', 'yield', 'await', 'assert', 'del', 'print', 'from', 'import', 'lambda', 'while', 'for', 'with', 'as', 'raise', 'except', 'case', 'match']);

/** A comment or string literal starting at an offset: where it ends, and whether what it holds may be code. */
interface Region {
  end: number;
  /** An f- or t-string (its interpolations are code), or a literal the scan cannot delimit for sure. */
  code: boolean;
}

/** The comment or string literal starting at `start` (a `#` or a quote outside any literal). */
function regionAt(text: string, start: number): Region {
  if (text.charCodeAt(start) === 0x23 /* # */) {
    LINE_END.lastIndex = start;
    const end = LINE_END.exec(text);
    return { end: end ? end.index : text.length, code: false };
  }
  // The prefix: the identifier characters just before the quote.
  let p = start;
  while (p > 0 && isIdentifierCode(text.charCodeAt(p - 1))) p--;
  const prefix = text.slice(p, start);
  const interpolating = INTERPOLATING_PREFIX.test(prefix);
  // Anything else before a quote (`x"…"`) is not valid Python: the scan says it cannot tell.
  const unsure = !interpolating && !PLAIN_PREFIX.test(prefix) && !KEYWORDS.has(prefix);
  const quote = text[start]!;
  const triple = text[start + 1] === quote && text[start + 2] === quote;
  if (!triple && text[start + 1] === quote) return { end: start + 2, code: unsure };
  const bodyStart = start + (triple ? 3 : 1);
  for (let i = bodyStart; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      // An escaped character, or a line continuation (a CR LF is one line end).
      i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 2 : 1;
    } else if (c === quote && (!triple || (text[i + 1] === quote && text[i + 2] === quote))) {
      // A quote inside an interpolation (`f"{d["k"]}"`, Python 3.12) ends this scan early: unbalanced braces tell.
      if (interpolating && !bracesBalanced(text, bodyStart, i)) return { end: text.length, code: true };
      return { end: i + (triple ? 3 : 1), code: unsure || interpolating };
    } else if (!triple && (c === '\n' || c === '\r')) {
      // An unterminated literal: not valid Python, and no telling what follows.
      return { end: text.length, code: true };
    }
  }
  return { end: text.length, code: true };
}

/** Whether the braces of an f-string's body pair up (`{{` and `}}` outside an interpolation are literal braces). */
function bracesBalanced(text: string, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '{') {
      if (depth === 0 && text[i + 1] === '{') i++;
      else depth++;
    } else if (c === '}') {
      if (depth === 0 && text[i + 1] === '}') i++;
      else if (--depth < 0) return false;
    }
  }
  return depth === 0;
}

/** ASCII letters, digits and `_`, and any character outside ASCII (a UTF-8 byte read as latin-1, or a letter). */
function isIdentifierCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code >= 0x80;
}

/**
 * Whether the global `pattern` matches in `text` where it is code: not inside a
 * comment or a plain string literal (a docstring, a message). f- and t-strings
 * count as code, since their interpolations are; so does the rest of a text the
 * scan cannot delimit (an unterminated literal, a quote the scan cannot pair).
 * Each mention is looked at in order, and the text is scanned only up to it.
 */
export function mentionedInCode(text: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0;
  /** Everything before this offset has been scanned, and the scan is in code there. */
  let scanned = 0;
  try {
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const at = match.index;
      for (;;) {
        COMMENT_OR_QUOTE.lastIndex = scanned;
        const next = COMMENT_OR_QUOTE.exec(text);
        if (!next || next.index >= at) return true;
        const region = regionAt(text, next.index);
        if (region.end > at) {
          if (region.code) return true;
          // The mention is inside a comment or a plain string: go on after it.
          scanned = region.end;
          pattern.lastIndex = region.end;
          break;
        }
        scanned = region.end;
      }
    }
    return false;
  } finally {
    pattern.lastIndex = 0;
  }
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

/** What follows a called name: blanks, then `(`. */
const CALL_FOLLOWS = '\\s*\\(';
/** A star import (such a module may re-export any name; searches with `starImports` match it). */
export const STAR_IMPORT = /\bimport[ \t]*\*/;

/** Names made of ASCII letters, digits and `_`: searched for in the raw bytes, with ASCII word boundaries. */
const ASCII_NAME = /^\w+$/;
/** Python identifiers with letters outside ASCII (`envoyé`): searched for in the decoded text. */
const UNICODE_NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
/** What may stand next to a name inside a longer identifier. */
const NOT_AFTER_IDENTIFIER = '(?<!\\p{ID_Continue})';
const NOT_BEFORE_IDENTIFIER = '(?!\\p{ID_Continue})';

/**
 * A search for names in files' bytes: `called` names followed by `(`, `named`
 * names anywhere, as whole words. ASCII names are looked for in the raw bytes.
 * Names outside ASCII (rare) are looked for in the decoded text, so that a
 * file with a coding cookie is read in its own encoding.
 */
export class NameSearch {
  private readonly needles: Buffer[] | null;

  constructor(
    private readonly regex: RegExp | null,
    words: string[],
    private readonly unicode: { regex: RegExp; needles: Buffer[] } | null = null,
    /** The ASCII names the regex looks for, and whether it looks for star imports (see MentionIndex). */
    readonly ascii: { calls: readonly string[]; mentions: readonly string[]; starImports: boolean } = { calls: [], mentions: [], starImports: false },
  ) {
    this.needles = words.length <= MAX_NEEDLES ? words.map((w) => Buffer.from(w)) : null;
  }

  /** Whether it also looks for names outside ASCII (which only the decoded text of a file outside ASCII can hold). */
  get hasUnicodeNames(): boolean {
    return this.unicode !== null;
  }

  /** Whether a file's bytes mention any of the names. */
  inBytes(bytes: Uint8Array): boolean {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.regex && (!this.needles || this.needles.some((needle) => buffer.includes(needle)))) {
      if (this.regex.test(buffer.toString('latin1'))) return true;
    }
    return this.unicode !== null && this.unicodeInBytes(buffer);
  }

  inText(text: string): boolean {
    return (this.regex !== null && this.regex.test(text)) || (this.unicode !== null && this.unicode.regex.test(text));
  }

  private unicodeInBytes(buffer: Buffer): boolean {
    // A file of ASCII bytes cannot spell a name outside ASCII; a plain UTF-8 file must hold one of the names' bytes.
    if (isAscii(buffer)) return false;
    if (!needsFullDecode(buffer) && !this.unicode!.needles.some((needle) => buffer.includes(needle))) return false;
    const decoded = decodeSource(buffer);
    return !('error' in decoded) && this.unicode!.regex.test(decoded.text);
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
  const words = (names: Iterable<string>, ascii: boolean) =>
    [...new Set(names)].filter((n) => (ascii ? ASCII_NAME.test(n) : !ASCII_NAME.test(n) && UNICODE_NAME.test(n))).sort();
  const ascii = { calls: words(called, true), mentions: words(named, true) };
  const other = { calls: words(called, false), mentions: words(named, false) };
  const parts = alternatives(ascii.calls, ascii.mentions, '\\b', '\\b');
  const needles = [...ascii.calls, ...ascii.mentions];
  if (options.starImports) {
    parts.push(STAR_IMPORT.source);
    needles.push('import');
  }
  const otherParts = alternatives(other.calls, other.mentions, NOT_AFTER_IDENTIFIER, NOT_BEFORE_IDENTIFIER);
  const unicode =
    otherParts.length > 0
      ? { regex: new RegExp(otherParts.join('|'), 'u'), needles: [...other.calls, ...other.mentions].map((n) => Buffer.from(n)) }
      : null;
  if (parts.length === 0 && !unicode) return null;
  return new NameSearch(parts.length > 0 ? new RegExp(parts.join('|')) : null, needles, unicode, {
    calls: ascii.calls,
    mentions: ascii.mentions,
    starImports: options.starImports === true,
  });
}

/** Regex alternatives: `calls` followed by `(`, `mentions` anywhere, each bounded by `before` and `after`. */
function alternatives(calls: string[], mentions: string[], before: string, after: string): string[] {
  const parts: string[] = [];
  if (calls.length > 0) parts.push(`${before}(?:${calls.join('|')})${CALL_FOLLOWS}`);
  if (mentions.length > 0) parts.push(`${before}(?:${mentions.join('|')})${after}`);
  return parts;
}

/**
 * A new global regex for runs of ASCII word characters, and whether a call
 * follows each: what the ASCII part of a NameSearch matches, in bytes read as
 * latin-1. What stands in for reading a file (MentionIndex, word summaries)
 * must read its words exactly so, or it would miss a mention.
 */
export function wordRuns(): RegExp {
  return new RegExp(`(\\w+)(${CALL_FOLLOWS})?`, 'g');
}

const WORD = wordRuns();
/** Postings of files indexed again are dropped once they outnumber the live ones. */
const MAX_STALE_SHARE = 0.5;

/**
 * The words of many files, to answer name searches without reading them again:
 * the language server keeps one for the files on disk the pre-filter skipped,
 * which every pass searches for the names the analysis found. A file's entry
 * answers exactly as NameSearch.inBytes on the bytes it was made from: ASCII
 * names are words of the file read as latin-1 (the regex's `\b` and `\w` are
 * ASCII), a called name is one followed by blanks and `(`. Only names outside
 * ASCII in a file outside ASCII need the file itself.
 */
export class MentionIndex {
  /** Each file's current entry number; an entry made again gets a new number and the old one goes stale. */
  private readonly ids = new Map<string, number>();
  private readonly live: boolean[] = [];
  private readonly words = new Map<string, number[]>();
  private readonly called = new Map<string, number[]>();
  private readonly starImporters = new Set<number>();
  private readonly notAscii = new Set<number>();
  private postings = 0;
  private stalePostings = 0;
  private readonly postingsOf: number[] = [];

  /** Indexes (or indexes again) a file from its bytes. */
  set(path: string, bytes: Uint8Array): void {
    this.delete(path);
    const id = this.live.length;
    this.live.push(true);
    this.ids.set(path, id);
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = buffer.toString('latin1');
    const seen = new Set<string>();
    const seenCalled = new Set<string>();
    for (let match = WORD.exec(text); match; match = WORD.exec(text)) {
      const word = match[1]!;
      if (!seen.has(word)) {
        seen.add(word);
        this.post(this.words, word, id);
      }
      if (match[2] !== undefined && !seenCalled.has(word)) {
        seenCalled.add(word);
        this.post(this.called, word, id);
      }
    }
    WORD.lastIndex = 0;
    this.postingsOf[id] = seen.size + seenCalled.size;
    if (STAR_IMPORT.test(text)) this.starImporters.add(id);
    if (!isAscii(buffer)) this.notAscii.add(id);
  }

  delete(path: string): void {
    const id = this.ids.get(path);
    if (id === undefined) return;
    this.ids.delete(path);
    this.live[id] = false;
    this.starImporters.delete(id);
    this.notAscii.delete(id);
    this.stalePostings += this.postingsOf[id] ?? 0;
    if (this.stalePostings > this.postings * MAX_STALE_SHARE) this.compact();
  }

  /** Forgets every file but these. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const path of [...this.ids.keys()]) if (!keep.has(path)) this.delete(path);
  }

  /**
   * NameSearch.inBytes for indexed files, by path: true or false, or null for a
   * file it cannot answer (not indexed, or outside ASCII while the search has
   * names outside ASCII).
   */
  matcher(search: NameSearch): (path: string) => boolean | null {
    const matched = new Set<number>();
    const add = (ids: readonly number[] | undefined) => {
      if (ids) for (const id of ids) matched.add(id);
    };
    for (const name of search.ascii.calls) add(this.called.get(name));
    for (const name of search.ascii.mentions) add(this.words.get(name));
    if (search.ascii.starImports) for (const id of this.starImporters) matched.add(id);
    return (path) => {
      const id = this.ids.get(path);
      if (id === undefined) return null;
      if (matched.has(id)) return true;
      return search.hasUnicodeNames && this.notAscii.has(id) ? null : false;
    };
  }

  private post(postings: Map<string, number[]>, word: string, id: number): void {
    const ids = postings.get(word);
    if (ids) ids.push(id);
    // A new word is copied, so that the key does not keep the whole file's text alive (V8 slices long substrings).
    else postings.set(word.length >= 13 ? Buffer.from(word, 'latin1').toString('latin1') : word, [id]);
    this.postings++;
  }

  /** Drops stale entries' postings. */
  private compact(): void {
    for (const postings of [this.words, this.called]) {
      for (const [word, ids] of postings) {
        const kept = ids.filter((id) => this.live[id]);
        if (kept.length > 0) postings.set(word, kept);
        else postings.delete(word);
      }
    }
    this.postings -= this.stalePostings;
    this.stalePostings = 0;
  }
}
