/**
 * Word summaries: what a file the pre-filter skipped may mention, kept from
 * its first look so that the name searches (lint()'s rounds of files naming
 * what the analysis found, demand loading's load gate) need not read it again.
 *
 * A summary is a Bloom filter of the words NameSearch's ASCII part sees in the
 * file's bytes read as latin-1 (maximal runs of `\w`, and each run followed by
 * `\s*(` as a called word), plus two flags: a star import (`import *`, which
 * searches with `starImports` match) and a byte outside ASCII (where names
 * outside ASCII could be, which only the decoded file can tell). It answers
 * "no" only where NameSearch.inBytes on the same bytes says no: it never
 * misses a mention, and a false "maybe" (about 0.06% per name searched) only
 * costs reading the file, as every search did before.
 *
 * The native addon (src/native/word-summary.c) makes it while the bytes are at
 * hand. wordSummaryInScript gives the same bits in JavaScript: it is the
 * definition the native one is tested against, not used in a run. Measured on
 * the standard library with site-packages (19,215 files, 176 MB), it took
 * 6.5-7.3 s against the addon's 1.4-2.0 s (on a loaded machine), more than the
 * searches it spares (reading the skipped files again and searching their
 * bytes): without the addon, files are read again as they always were.
 */
import { isAscii } from 'node:buffer';
import { nativeWordSummary } from '../python/parser.js';
import { STAR_IMPORT, wordRuns, type NameSearch } from './prefilter.js';

const STAR_IMPORT_FLAG = 1;
const NOT_ASCII_FLAG = 2;
/**
 * Bits per distinct word (a word and its called form count as two), and bits
 * set per word: about 0.06% false positives per name searched. A search can
 * hold a hundred names (a coroutine per module of a large tree): at 12 bits and
 * 4 hashes (0.65% per name), 64% of the skipped files of bench/many-files.ts
 * were still read again.
 */
const BITS_PER_WORD = 16;
const HASHES = 8;
const MIN_BITS = 64;

/** Word runs as NameSearch reads them (see wordRuns). */
const WORD = wordRuns();
const OPEN_PAREN = 0x28;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The FNV-1a hash of a name's ASCII characters, continued from `hash`. */
function fnv(name: string, hash = FNV_OFFSET): number {
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), FNV_PRIME) >>> 0;
  return hash;
}

/** A word's hash as the summary keys it (0 is taken as 1: the native set marks empty slots with 0). */
const key = (hash: number): number => hash || 1;
const calledHash = (wordHash: number): number => Math.imul(wordHash ^ OPEN_PAREN, FNV_PRIME) >>> 0;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The two hashes a key's bits are derived from (double hashing). */
function probes(k: number): [number, number] {
  return [fmix32(k), (fmix32((k + 0x9e3779b9) >>> 0) | 1) >>> 0];
}

const bitOf = (a: number, b: number, i: number, bits: number): number => ((a + Math.imul(i, b)) >>> 0) % bits;

/** A file's summary, in JavaScript: the same string the native addon makes. */
export function wordSummaryInScript(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('latin1');
  const keys = new Set<number>();
  for (let match = WORD.exec(text); match; match = WORD.exec(text)) {
    const hash = fnv(match[1]!);
    keys.add(key(hash));
    if (match[2] !== undefined) keys.add(key(calledHash(hash)));
  }
  WORD.lastIndex = 0;
  const wanted = keys.size * BITS_PER_WORD;
  const bits = wanted < MIN_BITS ? MIN_BITS : Math.ceil(wanted / 8) * 8;
  const summary = new Uint8Array(1 + bits / 8);
  summary[0] = (STAR_IMPORT.test(text) ? STAR_IMPORT_FLAG : 0) | (isAscii(buffer) ? 0 : NOT_ASCII_FLAG);
  for (const k of keys) {
    const [a, b] = probes(k);
    for (let i = 0; i < HASHES; i++) {
      const bit = bitOf(a, b, i, bits);
      summary[1 + (bit >>> 3)]! |= 1 << (bit & 7);
    }
  }
  return Buffer.from(summary).toString('latin1');
}

let native: ((bytes: Uint8Array) => string) | null | undefined;

/**
 * The summary of a file's bytes (a latin-1 string, one character per byte: a
 * string is compact to keep and crosses from worker threads in the analysis's
 * JSON), or undefined where the native addon is not built (see above).
 */
export function wordSummary(bytes: Uint8Array): string | undefined {
  if (native === undefined) native = nativeWordSummary();
  return native?.(bytes);
}

/** A search's keys, each as its two probe hashes, made once per search. */
const searchProbes = new WeakMap<NameSearch, Uint32Array>();

function probesOf(search: NameSearch): Uint32Array {
  let found = searchProbes.get(search);
  if (!found) {
    const keys = [...search.ascii.calls.map((name) => key(calledHash(fnv(name)))), ...search.ascii.mentions.map((name) => key(fnv(name)))];
    found = new Uint32Array(keys.flatMap(probes));
    searchProbes.set(search, found);
  }
  return found;
}

/**
 * Whether the file a summary was made of may mention any of the search's names
 * (as NameSearch.inBytes reads them): false only where it cannot.
 */
export function mayMention(summary: string, search: NameSearch): boolean {
  const flags = summary.charCodeAt(0);
  if (search.ascii.starImports && flags & STAR_IMPORT_FLAG) return true;
  if (search.hasUnicodeNames && flags & NOT_ASCII_FLAG) return true;
  const bits = (summary.length - 1) * 8;
  const keys = probesOf(search);
  for (let k = 0; k < keys.length; k += 2) {
    let all = true;
    for (let i = 0; i < HASHES && all; i++) {
      const bit = bitOf(keys[k]!, keys[k + 1]!, i, bits);
      all = (summary.charCodeAt(1 + (bit >>> 3)) & (1 << (bit & 7))) !== 0;
    }
    if (all) return true;
  }
  return false;
}
