/**
 * Re-analysing an edited document (the language server): the bodies of
 * module-level definitions an edit did not touch are replayed from the last
 * analysis instead of analysed again. After any sequence of edits, the facts
 * must be exactly those a fresh analysis of the text gives.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModule } from '../../src/python/module-analysis.js';
import { ParseState, loadWasmParser } from '../../src/python/parser.js';
import { planOf } from '../../src/engine/lint.js';

// Documents are parsed incrementally with web-tree-sitter, as in the language server, which loads it first.
await loadWasmParser();

const INFO = { path: '/project/pkg/bridge.py', module: 'pkg.bridge', isPackage: false };

/** Module-level definitions of every kind a body can add facts from, and the module-wide facts bodies read. */
const BASE = `import asyncio
import sys
from concurrent.futures import wait

LOOP = asyncio.new_event_loop()
PENDING = []


def submit(coro):
    return asyncio.run_coroutine_threadsafe(coro, LOOP)


async def handle(msg):
    """Ünïcödé 🐍 docstring."""
    if not msg:
        sys.exit(1)
    return msg


def on_done(fut):
    # \`undefined\` is a builtin, unless a star import (typed in above) may bind it.
    return undefined(fut.result())


class Bridge:
    limit = 3

    def __init__(self, loop):
        self.loop = loop
        self.fut = None

    def send(self, msg):
        self.fut = asyncio.run_coroutine_threadsafe(handle(msg), self.loop)
        self.fut.add_done_callback(on_done)
        self.fut.add_done_callback(lambda f: f.result())
        return self.fut.result()

    class Inner:
        def get(self):
            return Bridge(LOOP).send(1)


@staticmethod
def decorated(x=submit(handle(0))):
    global PENDING
    PENDING = [submit(handle(x))]
    wait(PENDING)

    def inner():
        import json
        return PENDING[0].result()

    return inner


if LOOP:
    def guarded():
        try:
            submit(handle(2))
        except SystemExit:
            pass
        return submit(handle(3)).exception()
else:
    class Guarded:
        pass


def ask(msg):
    fut = Bridge(LOOP).submit(handle(f'{msg!r} 🐍'))
    return fut.result()
`;

/** Snippets typed or pasted: new module-level names, a star import, a done-callback, lines, brackets, astral characters. */
const PIECES = [
  'x',
  ' ',
  '\n',
  '\n\n',
  '1',
  '(',
  ')',
  ':',
  'é',
  '🐍',
  '\nNEW = 1\n',
  '\nfrom os import *\n',
  '\nLOOP.add_done_callback(ask)\n',
  '.result()',
  '\n    y = submit(handle(9)).result()\n',
  '# noqa: HANG001\n',
];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Mostly valid edits at a line start or inside a word: blank lines, comments, statements at the line's indent, renames. */
function validEdit(text: string, next: () => number): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const start = starts[Math.floor(next() * starts.length)]!;
  const indent = /^[ ]*/.exec(text.slice(start))![0];
  const choice = next();
  if (choice < 0.25) return `${text.slice(0, start)}\n${text.slice(start)}`;
  if (choice < 0.45) return `${text.slice(0, start)}${indent}# note 🐍\n${text.slice(start)}`;
  if (choice < 0.65) return `${text.slice(0, start)}${indent}z = submit(handle(7))\n${text.slice(start)}`;
  if (choice < 0.7) return `${text.slice(0, start)}${indent}LOOP.add_done_callback(ask)\n${text.slice(start)}`;
  if (choice < 0.75 && indent === '') return `${text.slice(0, start)}from os import *\n${text.slice(start)}`;
  if (choice < 0.8) {
    // A space in the docstring becomes a line break, or back: what follows moves down or up a line, not along the text.
    const doc = text.indexOf('"""Ünïcödé');
    const space = text.indexOf(' ', doc);
    const lineBreak = text.indexOf('\n', doc);
    if (doc >= 0 && next() < 0.5 && space >= 0) return `${text.slice(0, space)}\n${text.slice(space + 1)}`;
    if (doc >= 0 && lineBreak >= 0 && lineBreak < text.indexOf('docstring', doc)) return `${text.slice(0, lineBreak)} ${text.slice(lineBreak + 1)}`;
  }
  if (choice < 0.85) {
    // A blank line added here and one taken away further on: what is between moves down a line, not along the text.
    const later = text.indexOf('\n\n\n', start);
    if (later > start) return `${text.slice(0, start)}\n${text.slice(start, later)}\n\n${text.slice(later + 3)}`;
  }
  // A letter typed inside a word (renames a name, or breaks a keyword now and then).
  const words = [...text.matchAll(/[a-z_]{3,}/g)];
  const word = words[Math.floor(next() * words.length)]!;
  const at = word.index! + 1 + Math.floor(next() * (word[0].length - 1));
  return `${text.slice(0, at)}q${text.slice(at)}`;
}

describe('incremental re-analysis', () => {
  const cases = [
    { name: 'any edits', seed: 20261202, edit: anyEdit, replays: 50 },
    { name: 'mostly valid edits', seed: 5, edit: validEdit, replays: 500 },
  ];
  for (const { name, seed, edit, replays } of cases) {
    it(`gives the facts a fresh analysis gives, after each of 400 random edits: ${name}`, () => {
      const next = random(seed);
      const state = new ParseState();
      let text = BASE;
      // With the rules' extractors, as pyhang runs: what they keep is replayed like the model's own facts.
      const { extractors } = planOf();
      let last = analyzeModule(text, INFO, state, undefined, extractors);
      let replayed = 0;
      for (let step = 0; step < 400; step++) {
        text = next() < 0.05 ? BASE : edit(text, next);
        const facts = analyzeModule(text, INFO, state, undefined, extractors);
        assert.equal(JSON.stringify(facts), JSON.stringify(analyzeModule(text, INFO, undefined, undefined, extractors)), `step ${step}: ${JSON.stringify(text)}`);
        // A replayed body's facts share their parts with the last analysis's (a fresh one makes new ones).
        const lastParams = new Set(last.functions.map((fn) => fn.params));
        replayed += facts.functions.filter((fn) => lastParams.has(fn.params)).length;
        last = facts;
      }
      assert.ok(replayed > replays, `bodies were replayed (${replayed} functions)`);
      assert.ok(analyzeModule(BASE, INFO, undefined, undefined, extractors).extracted.length > 0, 'the rules keep facts (waits) from the base text');
    });
  }
});

/** Any snippet anywhere: the document has syntax errors much of the time. */
function anyEdit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const cut = next() < 0.4 ? Math.floor(next() * 8) : 0;
  const insert = next() < 0.8 ? PIECES[Math.floor(next() * PIECES.length)]! : '';
  return text.slice(0, at) + insert + text.slice(Math.min(text.length, at + cut));
}
