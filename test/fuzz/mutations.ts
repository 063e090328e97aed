/**
 * fast-check arbitraries for the fuzzer's inputs, and how a mutation is applied.
 *
 * Mutations work on bytes, line by line (a line keeps its terminator), so they
 * can split a multi-byte character, mix line endings or insert bytes that are
 * not UTF-8 at all: exactly what a decoder and a position mapper must survive.
 */
import fc from 'fast-check';
import type { Seed } from './corpus.js';

const encoder = new TextEncoder();

/** Snippets inserted by mutations: hazard vocabulary, structure, and bytes that stress decoding and positions. */
export const TOKENS: readonly Uint8Array[] = [
  'async def ',
  'async def work():\n    return 1\n',
  'run_coroutine_threadsafe(',
  'asyncio.run_coroutine_threadsafe(work(), loop)',
  'fut = asyncio.run_coroutine_threadsafe(work(), loop)\n',
  'fut.result()',
  '.result(',
  '.result()',
  '.exception()',
  'timeout=None',
  'concurrent.futures.wait(',
  'as_completed(',
  'add_done_callback(',
  '.done()',
  'sys.exit(',
  'sys.exit(1)\n',
  'raise SystemExit',
  'raise KeyboardInterrupt\n',
  'exit()',
  'os._exit(0)',
  'import asyncio\n',
  'import sys\n',
  'from concurrent.futures import wait\n',
  'await ',
  'lambda: ',
  'global fut\n',
  'nonlocal x\n',
  'class C:\n',
  'def f(self):\n',
  'return ',
  'yield ',
  'with ',
  'try:\n',
  'except BaseException:\n',
  'finally:\n',
  'match x:\n    case [a, *b]:\n',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ':',
  ',',
  '=',
  '.',
  '\\\n',
  '"""',
  "'",
  "f'{",
  '# noqa',
  '  # noqa: HANG001',
  '\n',
  '    ',
  '\t',
  '\r',
  '\r\n',
  '\x0c',
  '\x00',
  'é',
  '😀',
  '中文',
  '\u2028',
  '# -*- coding: latin-1 -*-\n',
  '# coding: utf-8\n',
  '# vim: set fileencoding=cp1252 :\n',
  '# coding: no-such-codec\n',
].map((t) => encoder.encode(t)).concat([
  Uint8Array.of(0xef, 0xbb, 0xbf), // a UTF-8 BOM
  Uint8Array.of(0xff), // never valid UTF-8
  Uint8Array.of(0xc3), // a truncated two-byte sequence
  Uint8Array.of(0xe9), // latin-1 é
  Uint8Array.of(0xed, 0xa0, 0x80), // an encoded surrogate
  Uint8Array.of(0xf0, 0x9f, 0x98), // a truncated emoji
  Uint8Array.of(0xc0, 0xaf), // an overlong encoding
]);

export type Mutation =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'swap'; line: number; other: number }
  | { kind: 'insert'; line: number; column: number; token: number }
  | { kind: 'truncate'; at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      line: fc.nat(),
      column: fc.nat(),
      token: fc.nat({ max: TOKENS.length - 1 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
);

/** Splits bytes into lines that keep their terminators (`\n`, `\r\n` or a lone `\r`). */
export function splitLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 10 || (b === 13 && bytes[i + 1] !== 10)) {
      lines.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function applyMutations(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let lines = splitLines(bytes);
  for (const m of mutations) {
    const n = lines.length;
    switch (m.kind) {
      case 'delete':
        if (n > 0) lines.splice(m.line % n, 1);
        break;
      case 'duplicate':
        if (n > 0) lines.splice(m.line % n, 0, lines[m.line % n]!);
        break;
      case 'swap':
        if (n > 1) {
          const a = m.line % n;
          const b = m.other % n;
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        }
        break;
      case 'insert': {
        const token = TOKENS[m.token % TOKENS.length]!;
        if (n === 0) {
          lines = [token];
          break;
        }
        const index = m.line % n;
        const line = lines[index]!;
        const column = m.column % (line.length + 1);
        lines[index] = concat([line.subarray(0, column), token, line.subarray(column)]);
        break;
      }
      case 'truncate': {
        const all = concat(lines);
        lines = splitLines(all.subarray(0, m.at % (all.length + 1)));
        break;
      }
    }
  }
  return concat(lines);
}

/** One file of a fuzz input: a name (for reports) and its bytes. */
export interface FuzzFile {
  origin: string;
  bytes: Uint8Array;
  /** When set, the file is linted from this text, as an editor passes it (the bytes are then its UTF-8 form). */
  text?: string;
}

/** A seed file with up to `maxMutations` mutations. */
export function mutatedSeedArb(seeds: readonly Seed[], maxMutations = 8): fc.Arbitrary<FuzzFile> {
  return fc
    .record({ seed: fc.nat({ max: seeds.length - 1 }), mutations: fc.array(mutationArb, { maxLength: maxMutations, size: 'max' }) })
    .map(({ seed, mutations }) => {
      const source = seeds[seed]!;
      return {
        origin: `${source.name} with ${JSON.stringify(mutations)}`,
        bytes: applyMutations(source.bytes, mutations),
      };
    });
}

/** Random bytes: mostly nonsense to the decoder and the parser. */
export const randomBytesArb: fc.Arbitrary<FuzzFile> = fc
  .uint8Array({ maxLength: 2048, size: 'large' })
  .map((bytes) => ({ origin: `random bytes ${JSON.stringify(Buffer.from(bytes).toString('base64'))}`, bytes }));

/** Tokens that keep a file decodable as UTF-8 (most soups would otherwise stop at the decoder). */
const TEXT_TOKENS = TOKENS.filter((t) => !t.includes(0) && Buffer.from(t).toString('utf8') === new TextDecoder().decode(t) && !t.every((b) => b >= 0x80));

/** Token soup: random sequences of the tokens above and identifiers, closer to Python than random bytes. */
export const tokenSoupArb: fc.Arbitrary<FuzzFile> = fc
  .array(fc.oneof(fc.nat({ max: TEXT_TOKENS.length - 1 }), fc.constantFrom('fut', 'loop', 'x', ' ', '\n', '1', 'work()')), {
    maxLength: 200,
    size: 'max',
  })
  .map((parts) => {
    const bytes = concat(parts.map((p) => (typeof p === 'number' ? TEXT_TOKENS[p]! : encoder.encode(p))));
    return { origin: `token soup ${JSON.stringify(Buffer.from(bytes).toString('base64'))}`, bytes };
  });

/**
 * One fuzz input: usually one file (a mutated standard-library file, a mutated
 * hazard fixture, random bytes or token soup), sometimes a few mutated
 * fixtures linted together so cross-module analysis is fuzzed too.
 */
export function inputArb(stdlib: readonly Seed[], hazards: readonly Seed[]): fc.Arbitrary<FuzzFile[]> {
  const single = (arb: fc.Arbitrary<FuzzFile>) => arb.map((file) => [file]);
  const choices: fc.WeightedArbitrary<FuzzFile[]>[] = [
    { arbitrary: single(mutatedSeedArb(hazards)), weight: 4 },
    { arbitrary: single(randomBytesArb), weight: 1 },
    { arbitrary: single(tokenSoupArb), weight: 2 },
    { arbitrary: fc.array(mutatedSeedArb(hazards, 3), { minLength: 2, maxLength: 3 }), weight: 1 },
  ];
  if (stdlib.length > 0) choices.push({ arbitrary: single(mutatedSeedArb(stdlib)), weight: 4 });
  return fc.oneof(...choices);
}
