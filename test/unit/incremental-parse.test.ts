/**
 * Incremental parsing (the language server re-parses only around an edit): after
 * any sequence of edits, the tree must be exactly the one a fresh parse gives.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editBetween, parsePython, ParseState, loadWasmParser } from '../../src/python/parser.js';
import { shape } from './tree-shape.js';

// Documents are parsed incrementally with web-tree-sitter, as in the language server, which loads it first.
await loadWasmParser();

const BASE = [
  'import asyncio',
  'import sys',
  '',
  'LOOP = asyncio.new_event_loop()',
  '',
  '',
  'async def handle(msg):',
  '    """Ünïcödé 🐍 docstring."""',
  '    if not msg:',
  '        sys.exit(1)',
  '    return msg',
  '',
  '',
  'class Bridge:',
  '    def __init__(self, loop):',
  '        self.loop = loop',
  '',
  '    def submit(self, coro):',
  '        return asyncio.run_coroutine_threadsafe(coro, self.loop)',
  '',
  '',
  'def ask(msg):',
  "    fut = Bridge(LOOP).submit(handle(f'{msg!r} 🐍'))",
  '    return fut.result()',
  '',
].join('\n');

/** The base module eight times over, under other names. */
const LONG = Array.from({ length: 8 }, (_, i) => BASE.replace(/\b(handle|Bridge|ask|LOOP)\b/g, `$1${i}`)).join('\n');

/** Snippets typed or pasted: keywords, brackets that unbalance the file, multi-line text, astral characters, CRs. */
const PIECES = ['x', '(', ')', ':', '\n', '\n    ', 'async ', 'def f():\n    pass\n', '🐍', 'é', '"""', "'", '\r', '\r\n', '#', ' ', '.result()', 'await '];

/** A small deterministic PRNG, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('incremental parsing', () => {
  const cases = [
    // Typing and pasting anything: the document has syntax errors most of the time.
    { name: 'any edits', seed: 20261202, pieces: PIECES, resets: 0.02 },
    // Mostly valid code, often back at its start: most parses reuse the last tree.
    { name: 'mostly valid edits', seed: 7, pieces: ['x', 'y1', ' ', '\n', '# c\n', '1', '(', ')', ':', '🐍', '\n    pass\n'], resets: 0.3 },
    // A longer module, edited like the one above: most of its copy is taken over from the last one.
    { name: 'a longer module', seed: 11, base: LONG, pieces: ['x', 'y1', ' ', '\n', '1', '(', ')', ':', '\n    ', 'é', '\n    pass\n'], resets: 0.05 },
    // The same, its trees read only now and then (as the analysis reads a replayed definition's only at its top):
    // the nodes moved by several edits in a row, read only after them, are where a fresh parse has them.
    { name: 'a longer module read every fifth edit', seed: 13, base: LONG, pieces: ['x', 'y1', '\n', '1', '(', ':', '\n    ', 'é', '\n    pass\n'], resets: 0.02, readEvery: 5 },
  ];
  for (const { name, seed, pieces, resets, base = BASE, readEvery = 1 } of cases) {
    it(`gives the tree a fresh parse gives, after each of 600 random edits: ${name}`, () => {
      const next = random(seed);
      const state = new ParseState();
      let text = base;
      parsePython(text, state);
      let reused = 0;
      let nodesKept = 0;
      for (let step = 0; step < 600; step++) {
        const at = Math.floor(next() * (text.length + 1));
        const cut = next() < 0.4 ? Math.floor(next() * 12) : 0;
        const insert = next() < 0.7 ? pieces[Math.floor(next() * pieces.length)]! : '';
        // Now and then the document goes back to its start (an undo, a reload from disk).
        text = next() < resets ? base : text.slice(0, at) + insert + text.slice(Math.min(text.length, at + cut));
        if (state.reusable) reused++;
        const firstNewId = state.nextId;
        const root = parsePython(text, state);
        if (step % readEvery !== readEvery - 1) continue;
        nodesKept += root.descendantsOfType('block').filter((node) => node.id < firstNewId).length;
        assert.deepEqual(shape(root), shape(parsePython(text)), `step ${step}: ${JSON.stringify(text)}`);
      }
      assert.ok(reused > 0, 'some parses reused the last tree');
      if (base === LONG) assert.ok(nodesKept > 0, 'some nodes were taken over from the last copy');
    });
  }

  it('describes an edit by what changed, never splitting a surrogate pair', () => {
    assert.equal(editBetween('same', 'same'), null);
    assert.deepEqual(editBetween('a\nbc\nd', 'a\nbXc\nd'), {
      startIndex: 3,
      oldEndIndex: 3,
      newEndIndex: 4,
      startPosition: { row: 1, column: 1 },
      oldEndPosition: { row: 1, column: 1 },
      newEndPosition: { row: 1, column: 2 },
    });
    // 🐍 (U+1F40D) and 🐎 (U+1F40E) share their high surrogate: the edit covers the whole character.
    const edit = editBetween('x = "🐍"', 'x = "🐎"')!;
    assert.equal(edit.startIndex, 5);
    assert.equal(edit.oldEndIndex, 7);
    assert.equal(edit.newEndIndex, 7);
  });

  it('finds the edit in a long text wherever it is: the common prefix and suffix as long as they go, never overlapping', () => {
    // A text of repeated lines, so that an edit can be read at more than one place: the prefix is taken first,
    // as long as it goes, then the longest suffix that does not overlap it.
    const line = 'fut = asyncio.run_coroutine_threadsafe(work(), LOOP)\n';
    const long = line.repeat(200);
    const naive = (before: string, after: string): [number, number, number] => {
      let start = 0;
      while (start < Math.min(before.length, after.length) && before[start] === after[start]) start++;
      let oldEnd = before.length;
      let newEnd = after.length;
      while (oldEnd > start && newEnd > start && before[oldEnd - 1] === after[newEnd - 1]) {
        oldEnd--;
        newEnd--;
      }
      return [start, oldEnd, newEnd];
    };
    for (const at of [0, 1, 255, 256, 257, 5000, long.length - 300, long.length - 1, long.length]) {
      for (const [cut, insert] of [
        [0, 'x'],
        [1, ''],
        [3, 'abc'],
        [line.length, ''],
        [0, line],
        [2 * line.length + 5, 'y'],
        [0, line.repeat(9)],
      ] as const) {
        const after = long.slice(0, at) + insert + long.slice(Math.min(long.length, at + cut));
        if (after === long) continue;
        const edit = editBetween(long, after)!;
        assert.deepEqual([edit.startIndex, edit.oldEndIndex, edit.newEndIndex], naive(long, after), `${cut} cut and ${insert.length} inserted at ${at}`);
        assert.equal(long.slice(0, edit.startIndex) + after.slice(edit.startIndex, edit.newEndIndex) + long.slice(edit.oldEndIndex), after);
      }
    }
  });
});
