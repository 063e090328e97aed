/**
 * fast-check arbitraries for the fuzzer's inputs, and how a mutation is applied.
 *
 * Mutations work on bytes, line by line (a line keeps its terminator), so they
 * can split a multi-byte character, mix line endings or insert bytes that are
 * not UTF-8 at all: exactly what a decoder and a position mapper must survive.
 */
import fc from 'fast-check';
import type { Seed } from './corpus.js';
import { parsePython } from '../../src/python/parser.js';
import { deepExpressions, deepStatements } from '../hardening/deep-inputs.js';
import { HAZARD_HEAD } from '../hardening/helpers.js';

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
  /** PLANTED_HAZARD was put in untouched: where the file parses and the plant is still a statement, it must be found. */
  planted?: boolean;
  /** A generated file whose HANG001 finding on this 1-based line must be found (where the file parses). */
  mustFindLine?: number;
}

/**
 * A known hazard, self-contained (its own import, loop and coroutine) so that
 * nothing a mutation does elsewhere in the file can make it safe: wherever it
 * stands as a top-level statement of a file that parses, HANG001 must be
 * reported on its last line.
 */
export const PLANTED_HAZARD =
  'def _pyhang_planted_hazard():\n' +
  '    import asyncio\n' +
  '    loop = asyncio.new_event_loop()\n' +
  '    async def work():\n' +
  '        return 1\n' +
  '    fut = asyncio.run_coroutine_threadsafe(work(), loop)\n' +
  '    return fut.result()  # planted\n';
export const PLANTED_LINE = '    return fut.result()  # planted';

/**
 * 0-based line indices where a top-level statement of `seed` starts at column
 * 0, plus the end: where PLANTED_HAZARD can go without changing what the
 * lines around it mean. Only the end for a seed that does not parse or has CR
 * line endings (tree-sitter's rows count LF only).
 */
export function topLevelLines(seed: Seed): number[] {
  const lines = splitLines(seed.bytes).length;
  const text = new TextDecoder().decode(seed.bytes);
  if (text.includes('\r')) return [lines];
  const root = parsePython(text);
  if (root.hasError) return [lines];
  const starts = new Set<number>([lines]);
  for (const child of root.namedChildren) {
    if (child.startIndex > 0 && text[child.startIndex - 1] !== '\n') continue;
    let line = 0;
    for (let i = 0; i < child.startIndex; i++) if (text.charCodeAt(i) === 10) line++;
    starts.add(line);
  }
  return [...starts].sort((a, b) => a - b);
}

/**
 * A seed with PLANTED_HAZARD put in before one of its top-level statements
 * (or at its end), then up to `maxMutations` mutations applied to the lines
 * before and after it, never to the planted lines themselves.
 */
export function plantedSeedArb(seeds: readonly Seed[], maxMutations = 8): fc.Arbitrary<FuzzFile> {
  const places = seeds.map(topLevelLines);
  return fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      at: fc.nat(),
      mutations: fc.array(fc.tuple(mutationArb, fc.boolean()), { maxLength: maxMutations, size: 'max' }),
    })
    .map(({ seed, at, mutations }) => {
      const source = seeds[seed]!;
      const lines = splitLines(source.bytes);
      const cut = places[seed]![at % places[seed]!.length]!;
      let before = applyMutations(concat(lines.slice(0, cut)), mutations.filter(([, first]) => first).map(([m]) => m));
      const after = applyMutations(concat(lines.slice(cut)), mutations.filter(([, first]) => !first).map(([m]) => m));
      if (before.length > 0 && before[before.length - 1] !== 10 && before[before.length - 1] !== 13) before = concat([before, encoder.encode('\n')]);
      return {
        origin: `${source.name} with the planted hazard before line ${cut + 1} and ${JSON.stringify(mutations)} (true: before it)`,
        bytes: concat([before, encoder.encode(PLANTED_HAZARD), after]),
        planted: true,
      };
    });
}

/**
 * Largest nesting generated. Deeper, today's analysis loses a hazard (399
 * parentheses around `fut.result()`: not reported) or overflows the stack;
 * issue 22 item 5 makes it depth-independent, then this can grow.
 */
export const MAX_GENERATED_DEPTH = 200;
/** Largest indentation depth generated (CPython refuses more than 100). */
export const MAX_GENERATED_LEVELS = 100;
/** Largest generated file, in bytes of repeated blocks, so one input lints in well under a second. */
export const MAX_GENERATED_BYTES = 400_000;

/**
 * Not generated: `x = fut.result(timeout=1)…` waits with a timeout first, so
 * the future is done by the final `fut.result()` and rightly not reported
 * (test/hardening/ asks only that very deep nesting is survived).
 */
const WAITS_FIRST = new Set(['calls of futures .result().result()…']);
const EXPRESSION_KINDS = deepExpressions(1)
  .map((input, index) => ({ name: input.name, index }))
  .filter((kind) => !WAITS_FIRST.has(kind.name))
  .map((kind) => kind.index);
const STATEMENT_KINDS = deepStatements(1).length;

/**
 * Large and deep generated files, each with a HANG001 finding after the large
 * or deep part that must still be found: nesting of every construct whose
 * analysis recurses (test/hardening/deep-inputs.ts), and long files of
 * repeated functions, hazards among them.
 */
export const generatedArb: fc.Arbitrary<FuzzFile> = fc.oneof(
  fc.record({ kind: fc.constantFrom(...EXPRESSION_KINDS), depth: fc.integer({ min: 1, max: MAX_GENERATED_DEPTH }) }).map(({ kind, depth }) => {
    const input = deepExpressions(depth)[kind]!;
    return { origin: `generated: ${depth} levels of ${input.name}`, bytes: encoder.encode(input.text), mustFindLine: input.waitLine };
  }),
  fc.record({ open: fc.constantFrom('(', '[', 'f(', '{1: ', 'not ', '-'), depth: fc.integer({ min: 1, max: MAX_GENERATED_DEPTH }) }).map(({ open, depth }) => {
    // The hazard itself deep inside: found only if the analysis reaches the bottom.
    const close = open.endsWith('(') ? ')' : open === '[' ? ']' : open === '{1: ' ? '}' : '';
    const text = `${HAZARD_HEAD}x = ${open.repeat(depth)}fut.result()${close.repeat(depth)}\n`;
    return { origin: `generated: fut.result() inside ${depth} levels of ${open}`, bytes: encoder.encode(text), mustFindLine: 7 };
  }),
  fc.record({ kind: fc.nat({ max: STATEMENT_KINDS - 1 }), levels: fc.integer({ min: 1, max: MAX_GENERATED_LEVELS }) }).map(({ kind, levels }) => {
    const input = deepStatements(levels)[kind]!;
    return { origin: `generated: ${levels} levels of ${input.name}`, bytes: encoder.encode(input.text), mustFindLine: input.waitLine };
  }),
  fc.record({ blocks: fc.integer({ min: 1, max: Math.floor(MAX_GENERATED_BYTES / PLANTED_HAZARD.length) }), every: fc.integer({ min: 1, max: 50 }) }).map(
    ({ blocks, every }) => {
      // Functions that are all alike but for their names; every `every`-th one waits without a timeout.
      const parts: string[] = [];
      for (let i = 0; i < blocks; i++) {
        parts.push(i % every === 0 ? PLANTED_HAZARD.replace('_pyhang_planted_hazard', `f${i}`) : `def f${i}():\n    return [${i}, "x", {"k": ${i}}]\n`);
      }
      parts.push(PLANTED_HAZARD);
      const text = parts.join('');
      return { origin: `generated: ${blocks} functions, a hazard every ${every}`, bytes: encoder.encode(text), planted: true };
    },
  ),
);


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
 * hazard fixture, either with a hazard planted, random bytes, token soup, or a
 * large or deep generated file), sometimes a few mutated fixtures linted
 * together so cross-module analysis is fuzzed too.
 */
export function inputArb(stdlib: readonly Seed[], hazards: readonly Seed[]): fc.Arbitrary<FuzzFile[]> {
  const single = (arb: fc.Arbitrary<FuzzFile>) => arb.map((file) => [file]);
  const choices: fc.WeightedArbitrary<FuzzFile[]>[] = [
    { arbitrary: single(mutatedSeedArb(hazards)), weight: 4 },
    { arbitrary: single(randomBytesArb), weight: 1 },
    { arbitrary: single(tokenSoupArb), weight: 2 },
    { arbitrary: fc.array(mutatedSeedArb(hazards, 3), { minLength: 2, maxLength: 3 }), weight: 1 },
    { arbitrary: single(plantedSeedArb(hazards)), weight: 2 },
    { arbitrary: single(generatedArb), weight: 1 },
  ];
  if (stdlib.length > 0) {
    choices.push({ arbitrary: single(mutatedSeedArb(stdlib)), weight: 4 });
    choices.push({ arbitrary: single(plantedSeedArb(stdlib)), weight: 3 });
  }
  return fc.oneof(...choices);
}
