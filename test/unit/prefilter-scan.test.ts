/**
 * The pre-filter skips a file whose hazard roots (`asyncio`,
 * `run_coroutine_threadsafe`, `async def`) sit only in comments and plain
 * string literals. Skipping a file whose code names one would lose its
 * findings, so the scan is checked against tree-sitter's own view of where
 * comments and literals are, on generated files full of literals that are hard
 * to delimit: whenever the code (everything but comments and the text of
 * literals) names a root, the file must be parsed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planOf } from '../../src/engine/lint.js';
import { parsePython, type SyntaxNode } from '../../src/python/parser.js';

const ROOTS = /run_coroutine_threadsafe|asyncio|async[ \t\f\\\r\n]+def\b/;
/** The pre-filter of the rules pyhang runs: their triggers are the roots above. */
const { triggers } = planOf();
const textMentionsHazardRoots = (text: string): boolean => triggers.inText(text);
const mentionsHazardRoots = (bytes: Uint8Array): boolean => triggers.inBytes(bytes);

/** A small deterministic generator (mulberry32), so a failure names its sample. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const words = ['asyncio', 'async def', 'run_coroutine_threadsafe', 'x', ' ', '#', '{{', '}}', 'it', '(', ')'];
  /** The body of a literal quoted with `quote` (tripled or not): words, the other quote, escapes. */
  const body = (quote: string, triple: boolean): string => {
    const other = quote === '"' ? "'" : '"';
    const parts = [...words, other, `\\${quote}`, '\\\\', ...(triple ? [quote, quote + quote, '\n'] : [])];
    let text = '';
    for (let n = Math.floor(random() * 6); n > 0; n--) text += pick(parts);
    // A triple-quoted body must not end with its quote (it would close early).
    return triple && text.endsWith(quote) ? `${text} ` : text;
  };
  const literal = (): string => {
    const quote = pick(['"', "'"]);
    const triple = random() < 0.3;
    const q = triple ? quote.repeat(3) : quote;
    const kind = random();
    if (kind < 0.15) {
      // An f-string: a literal part and an interpolation of code (a root, maybe) or of a string in the other quote.
      const other = quote === '"' ? "'" : '"';
      const inner = random() < 0.5 ? pick(['x', 'asyncio.sleep']) : `${other}${pick(['asyncio', 'a'])}${other}`;
      return `${pick(['f', 'F', 'rf', 'fR'])}${q}${pick(['asyncio ', '', '{{asyncio}} '])}{${inner}}${q}`;
    }
    return `${pick(['', '', 'r', 'b', 'rb', 'u', 'BR'])}${q}${body(quote, triple)}${q}`;
  };
  const statement = (): string => {
    const kind = random();
    if (kind < 0.35) return `v = ${literal()}`;
    if (kind < 0.5) return `v = ${literal()} ${pick(['in', 'if x else', 'or', 'and', '+'])}${literal()}`;
    if (kind < 0.6) return `${literal()}`;
    if (kind < 0.75) return `v = (${literal()}  # ${body(pick(['"', "'"]), false).replace(/\\/g, '')}\n    ${literal()})`;
    if (kind < 0.85) return `# ${pick(words)} ${pick(['"', "'", '"""'])} ${pick(words)}`;
    return `v = ${literal()} \\\n    ${literal()}`;
  };
  const lines: string[] = [];
  for (let n = 1 + Math.floor(random() * 6); n > 0; n--) lines.push(statement());
  // Half the files also name a root in code, somewhere among the literals.
  if (random() < 0.5) {
    const code = pick(['import asyncio', 'async def job():\n    pass', 'submit = run_coroutine_threadsafe', 'import concurrent.futures as asyncio_like']);
    lines.splice(Math.floor(random() * (lines.length + 1)), 0, code);
  }
  const end = pick(['\n', '\n', '\r\n', '\r']);
  return `${lines.join('\n')}\n`.replace(/\n/g, end);
}

/** The text with every comment and every literal's text blanked: what is left is code (interpolations included). */
function codeOnly(text: string, root: SyntaxNode): string {
  const chars = [...text].length === text.length ? text.split('') : Array.from(text);
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'comment' || node.type === 'string_content') {
      for (let i = node.startIndex; i < node.endIndex; i++) chars[i] = ' ';
      continue;
    }
    stack.push(...node.children);
  }
  return chars.join('');
}

describe('the pre-filter on comments and literals', () => {
  it('parses every generated file whose code names a hazard root, and skips most of those whose literals alone do', () => {
    const random = generator(20261202);
    let named = 0;
    let skipped = 0;
    let literalsOnly = 0;
    for (let i = 0; i < 3000; i++) {
      const text = sample(random);
      const root = parsePython(text);
      // tree-sitter is the judge only of files it reads without error.
      if (root.hasError) continue;
      const inCode = ROOTS.test(codeOnly(text, root));
      const scanned = textMentionsHazardRoots(text);
      assert.equal(mentionsHazardRoots(Buffer.from(text)), scanned, `bytes and text disagree on sample ${i}:\n${text}`);
      if (inCode) {
        named++;
        assert.ok(scanned, `sample ${i} names a root in code but would be skipped:\n${text}`);
      } else if (ROOTS.test(text)) {
        literalsOnly++;
        if (!scanned) skipped++;
      }
    }
    assert.ok(named > 1000, `${named} files name a root in code`);
    // f-strings count as code, so not every file whose literals alone name a root is skipped.
    assert.ok(skipped > literalsOnly / 2, `${skipped} of ${literalsOnly} files naming roots only in literals are skipped`);
  });
});
