/**
 * Word summaries of skipped files: a name search skips reading a file only
 * where its summary says the search cannot match, so the summary must never
 * say "no" where NameSearch.inBytes on the file's bytes says yes. The native
 * addon's summary must be the JavaScript definition's, bit for bit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wordsPattern, type NameSearch } from '../../src/project/prefilter.js';
import { mayMention, wordSummaryInScript } from '../../src/project/word-summary.js';
import { nativeWordSummary } from '../../src/python/parser.js';
import { hazardSeeds, stdlibSample } from '../fuzz/corpus.js';
import { random, randomNames, randomText } from './name-search-texts.js';

const native = nativeWordSummary();

/** The summaries of some bytes: the JavaScript one, and the addon's where it is built (they must agree). */
function summaries(bytes: Uint8Array, label: string): string[] {
  const script = wordSummaryInScript(bytes);
  if (native) assert.equal(native(bytes), script, `native and script summaries differ for ${label}`);
  return [script];
}

function assertNoMiss(search: NameSearch, bytes: Uint8Array, label: string): void {
  const [summary] = summaries(bytes, label);
  if (search.inBytes(bytes)) assert.ok(mayMention(summary!, search), `the summary rules out a mention in ${label}`);
}

describe('word summaries', () => {
  it('never rule out a file that a search would match (random texts, UTF-8 and latin-1)', () => {
    const next = random(20261207);
    for (let round = 0; round < 3000; round++) {
      const text = randomText(next);
      // Mostly UTF-8; sometimes the same text as latin-1 bytes, as a file with a coding cookie has.
      const bytes = next() < 0.8 ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
      const search = wordsPattern(randomNames(next), randomNames(next), { starImports: next() < 0.3 });
      if (search) assertNoMiss(search, bytes, JSON.stringify(Buffer.from(bytes).toString('latin1')));
    }
  });

  it('never rule out a real file that a search would match (fixtures, examples, the standard library)', () => {
    const seeds = [...hazardSeeds(), ...stdlibSample({ count: 200, maxBytes: 200_000 })];
    const next = random(7);
    for (const seed of seeds) {
      // Names the file holds (some followed by `(`), and some it does not.
      const words = [...new Set(Buffer.from(seed.bytes).toString('latin1').match(/\w+/g) ?? [])];
      const pick = () => [words[Math.floor(next() * words.length)] ?? 'submit', 'surely_not_in_any_file'];
      for (let i = 0; i < 4; i++) {
        const search = wordsPattern(pick(), pick(), { starImports: i === 0 });
        if (search) assertNoMiss(search, seed.bytes, seed.name);
      }
    }
  });

  it('rule out files that do not name the names, so they are not read again', () => {
    const file = Buffer.from('from relay import relay_all\n\n\ndef submit_all(jobs):\n    """Calls submit on each."""\n    return relay_all(jobs)\n');
    const [summary] = summaries(file, 'the file');
    // Called names count only where a call follows; the others as whole words.
    assert.equal(mayMention(summary!, wordsPattern(['relay'])!), false);
    assert.equal(mayMention(summary!, wordsPattern(['submit'])!), false);
    assert.equal(mayMention(summary!, wordsPattern(['relay_all'])!), true);
    assert.equal(mayMention(summary!, wordsPattern([], ['relay'])!), true);
    assert.equal(mayMention(summary!, wordsPattern([], ['submit'])!), true);
    assert.equal(mayMention(summary!, wordsPattern([], ['jobs_all'], { starImports: true })!), false);
  });

  it('say "maybe" for star imports when a search takes them, and for names outside ASCII in a file outside ASCII', () => {
    const [star] = summaries(Buffer.from('from .core import *\n'), 'star import');
    assert.equal(mayMention(star!, wordsPattern([], ['submit'], { starImports: true })!), true);
    assert.equal(mayMention(star!, wordsPattern([], ['submit'])!), false);
    // `envoyé` in a latin-1 file: only decoding it (its coding cookie) can tell.
    const [latin] = summaries(Buffer.from('# -*- coding: latin-1 -*-\nenvoy\xe9 = 1\n', 'latin1'), 'latin-1 file');
    assert.equal(mayMention(latin!, wordsPattern([], ['envoyé'])!), true);
    const [ascii] = summaries(Buffer.from('sent = 1\n'), 'ASCII file');
    assert.equal(mayMention(ascii!, wordsPattern([], ['envoyé'])!), false);
  });
});
