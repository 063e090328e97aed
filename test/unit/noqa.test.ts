import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNoqa, isSuppressed } from '../../src/python/noqa.js';

describe('# noqa comments', () => {
  it('reads a bare noqa, codes, comma and space separated lists', () => {
    assert.deepEqual(parseNoqa('# noqa'), []);
    assert.deepEqual(parseNoqa('#noqa'), []);
    assert.deepEqual(parseNoqa('# NOQA'), []);
    assert.deepEqual(parseNoqa('# noqa: HANG001'), ['HANG001']);
    assert.deepEqual(parseNoqa('# noqa:HANG001,HANG003'), ['HANG001', 'HANG003']);
    assert.deepEqual(parseNoqa('# noqa: HANG001 HANG004'), ['HANG001', 'HANG004']);
    assert.deepEqual(parseNoqa('# type: ignore  # noqa: E501, HANG002'), ['E501', 'HANG002']);
  });

  it('stops at the first word that is not a code, so an explanation suppresses nothing more', () => {
    assert.deepEqual(parseNoqa('# noqa: HANG001 hang is fine here'), ['HANG001']);
    assert.deepEqual(parseNoqa('# noqa: HANG001 - HANG is fine'), ['HANG001']);
  });

  it('is not a noqa when the word is part of another', () => {
    assert.equal(parseNoqa('# noqanything'), null);
    assert.equal(parseNoqa('# just a comment'), null);
  });

  it('suppresses by code and by a code prefix with digits', () => {
    const noqa = { 3: ['HANG00'], 4: ['HANG001'], 5: [] as string[] };
    assert.equal(isSuppressed(noqa, 3, 'HANG002'), true);
    assert.equal(isSuppressed(noqa, 4, 'HANG001'), true);
    assert.equal(isSuppressed(noqa, 4, 'HANG003'), false);
    assert.equal(isSuppressed(noqa, 5, 'HANG003'), true);
    assert.equal(isSuppressed(noqa, 6, 'HANG001'), false);
  });
});
