import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNoqa, parseNoqaComment, isSuppressed, noqaDirective, type NoqaDirective } from '../../src/python/noqa.js';
import { LineIndex } from '../../src/python/positions.js';

/** The directives of a module's text, each comment being what follows a `#` outside strings (enough for these lines). */
function directivesOf(text: string): NoqaDirective[] {
  const index = new LineIndex(text);
  const found: NoqaDirective[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const hash = line.indexOf('#');
    if (hash >= 0) {
      const directive = noqaDirective(index, line.slice(hash), offset + hash, offset + line.length);
      if (directive) found.push(directive);
    }
    offset += line.length + 1;
  }
  return found;
}

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

  it('reads codes in any case, as Ruff does, and upper-cases them', () => {
    assert.deepEqual(parseNoqa('# noqa: hang003'), ['HANG003']);
    assert.deepEqual(parseNoqa('# NoQA:Hang001,e501'), ['HANG001', 'E501']);
  });

  it('reads `# pyhang: noqa` as a file directive, and the reason after the codes', () => {
    assert.deepEqual(parseNoqaComment('# pyhang: noqa'), { scope: 'file', codes: [], start: 0, listStart: 14, end: 14, justification: '' });
    assert.equal(parseNoqaComment('# pyhang: noqa: HANG001 generated code')?.scope, 'file');
    assert.deepEqual(parseNoqaComment('# pyhang: noqa: HANG001 generated code')?.codes, ['HANG001']);
    assert.equal(parseNoqaComment('# noqa: HANG001 the caller sets a deadline')?.justification, 'the caller sets a deadline');
    assert.equal(parseNoqaComment('# noqa: HANG001  # type: ignore')?.justification, '');
  });

  it('a file directive counts only on a line of its own', () => {
    assert.equal(directivesOf('x = 1  # pyhang: noqa\n').length, 0);
    assert.deepEqual(directivesOf('  # pyhang: noqa: HANG004\n').map((d) => [d.scope, d.line, d.codes]), [['file', 1, ['HANG004']]]);
  });

  it('is not a noqa when the word is part of another', () => {
    assert.equal(parseNoqa('# noqanything'), null);
    assert.equal(parseNoqa('# just a comment'), null);
  });

  it('suppresses by code and by a code prefix with digits', () => {
    const noqa = directivesOf('a = 1\nb = 2\nc()  # noqa: HANG00\nd()  # noqa: HANG001\ne()  # noqa\nf()\n');
    assert.equal(isSuppressed(noqa, 3, 'HANG002'), true);
    assert.equal(isSuppressed(noqa, 4, 'HANG001'), true);
    assert.equal(isSuppressed(noqa, 4, 'HANG003'), false);
    assert.equal(isSuppressed(noqa, 5, 'HANG003'), true);
    assert.equal(isSuppressed(noqa, 6, 'HANG001'), false);
  });
});
