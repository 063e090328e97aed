/**
 * src/engine/fix.ts: applying edits, choosing fixes by safety, encoding back to the
 * file's bytes, and the guard that refuses a fix whose result does not parse.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VFile } from 'vfile';
import type { Fix } from '../../src/python/facts.js';
import type { PyhangMessage } from '../../src/engine/lint.js';
import { parsePython } from '../../src/python/parser.js';
import { applyFixes, encodeFixed, encodeSource, fixSource, selectFixes, isFixApplicable } from '../../src/engine/fix.js';

function insert(at: number, text: string): Fix {
  return { description: `insert ${text}`, edits: [{ start: at, end: at, text }] };
}

function replace(start: number, end: number, text: string): Fix {
  return { description: `replace with ${text}`, edits: [{ start, end, text }] };
}

const hasSyntaxError = (text: string): boolean => parsePython(text).hasError;
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('applyFixes', () => {
  it('applies edits from the back, so offsets into the original stay right', () => {
    const text = 'a.result()\nb.result()\n';
    const result = applyFixes(text, [insert(9, 'timeout=1'), insert(20, 'timeout=2')]);
    assert.deepEqual(result, { text: 'a.result(timeout=1)\nb.result(timeout=2)\n', applied: 2, skipped: 0 });
  });

  it('takes fixes in text order whatever order they come in', () => {
    assert.equal(applyFixes('abc', [insert(3, 'Z'), insert(0, 'A')]).text, 'AabcZ');
  });

  it('skips a fix that overlaps one taken before it', () => {
    const result = applyFixes('0123456789', [replace(2, 5, 'x'), replace(4, 7, 'y'), replace(7, 8, 'z')]);
    assert.deepEqual(result, { text: '01x56z89', applied: 2, skipped: 1 });
  });

  it('skips the second of two insertions at the same offset (their order would be a guess)', () => {
    assert.deepEqual(applyFixes('()', [insert(1, 'a'), insert(1, 'b')]), { text: '(a)', applied: 1, skipped: 1 });
  });

  it('applies an insertion at the boundary of a replacement', () => {
    assert.equal(applyFixes('abcdef', [replace(1, 3, 'X'), insert(3, 'Y')]).text, 'aXYdef');
  });

  it('applies a fix with several edits whole, or not at all', () => {
    const both: Fix = { description: 'wrap', edits: [{ start: 0, end: 0, text: '(' }, { start: 3, end: 3, text: ')' }] };
    assert.equal(applyFixes('abc', [both]).text, '(abc)');
    const clashing = applyFixes('abc', [insert(0, 'x'), both]);
    assert.deepEqual(clashing, { text: 'xabc', applied: 1, skipped: 1 });
  });

  it('skips edits outside the text or inside a surrogate pair or a CRLF', () => {
    assert.deepEqual(applyFixes('abc', [insert(4, 'x'), replace(2, 1, 'y'), insert(-1, 'z')]), { text: 'abc', applied: 0, skipped: 3 });
    assert.equal(applyFixes('🐍', [insert(1, 'x')]).skipped, 1);
    assert.equal(applyFixes('a\r\nb', [insert(2, 'x')]).skipped, 1);
    assert.equal(applyFixes('🐍', [insert(2, 'x')]).text, '🐍x');
  });
});

describe('selectFixes', () => {
  function messageWithFix(ruleId: string, fix?: Fix): PyhangMessage {
    const message = new VFile({ path: 'x.py' }).message('m', { ruleId }) as PyhangMessage;
    if (fix) message.fix = fix;
    return message;
  }

  it('keeps unsafe fixes (HANG001) out unless unsafe fixes are enabled, and counts them as hidden', () => {
    const messages = [messageWithFix('HANG001', insert(0, 'a')), messageWithFix('HANG004'), messageWithFix('HANG001', insert(1, 'b'))];
    assert.deepEqual(selectFixes(messages, false), { applicable: [], hidden: 2 });
    assert.deepEqual(selectFixes(messages, true), { applicable: [insert(0, 'a'), insert(1, 'b')], hidden: 0 });
    assert.equal(isFixApplicable(messages[0]!, false), false);
    assert.equal(isFixApplicable(messages[0]!, true), true);
    assert.equal(isFixApplicable(messages[1]!, true), false);
  });
});

describe('encodeSource / encodeFixed', () => {
  it('writes UTF-8 with the byte order mark the file had', () => {
    assert.deepEqual([...(encodeSource('é', { encoding: 'utf-8', bom: true }) as { bytes: Uint8Array }).bytes], [0xef, 0xbb, 0xbf, 0xc3, 0xa9]);
    assert.deepEqual([...(encodeSource('é', { encoding: 'utf-8', bom: false }) as { bytes: Uint8Array }).bytes], [0xc3, 0xa9]);
  });

  it('writes latin-1 one byte per character, and refuses a character it cannot hold', () => {
    assert.deepEqual([...(encodeSource('é\u00ff', { encoding: 'latin-1', bom: false }) as { bytes: Uint8Array }).bytes], [0xe9, 0xff]);
    assert.match((encodeSource('€', { encoding: 'latin-1', bom: false }) as { error: string }).error, /U\+20AC.*latin-1/);
  });

  it('refuses other encodings rather than writing them wrongly', () => {
    assert.deepEqual(encodeSource('x', { encoding: 'cp1252', bom: false }), {
      error: "its encoding 'cp1252' cannot be written back byte for byte (only UTF-8 and latin-1 can)",
    });
  });

  it('refuses when the original bytes do not survive a round trip (a second BOM the decoder dropped)', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x78]);
    const result = encodeFixed({ bytes, text: 'x' }, 'xy', { encoding: 'utf-8', bom: true });
    assert.match((result as { error: string }).error, /do not survive/);
  });
});

describe('fixSource: the guard before writing', () => {
  const text = 'fut.result()\n';
  const source = { bytes: new TextEncoder().encode(text), text, original: text, encoding: { encoding: 'utf-8', bom: false } };

  it('applies a fix and encodes the result', () => {
    const outcome = fixSource(source, [insert(11, 'timeout=30')], hasSyntaxError);
    assert.equal(outcome.kind, 'fixed');
    assert.equal(new TextDecoder().decode((outcome as { bytes: Uint8Array }).bytes), 'fut.result(timeout=30)\n');
  });

  it('refuses a result that does not parse when the original did (tree-sitter)', () => {
    assert.deepEqual(fixSource(source, [insert(11, 'timeout=')], hasSyntaxError), { kind: 'refused', reason: 'the fixed code would not parse' });
  });

  it('judges against the file as it was read, not an earlier round', () => {
    const broken = 'fut.result(\n';
    const stillBroken = fixSource({ ...source, text: broken, original: broken, bytes: new TextEncoder().encode(broken) }, [insert(11, 'timeout=30')], hasSyntaxError);
    assert.equal(stillBroken.kind, 'fixed', 'a file that did not parse before may not parse after');
    // A second round starts from the first round's text; the original still decides.
    const round2 = 'fut.result(x)\n';
    const afterRound = fixSource({ ...source, text: round2, bytes: new TextEncoder().encode(round2) }, [insert(11, '=')], (t) => t !== text);
    assert.deepEqual(afterRound, { kind: 'refused', reason: 'the fixed code would not parse' });
    const failsOnlyFixed = fixSource(source, [insert(11, 'timeout=30')], (t) => t !== text);
    assert.deepEqual(failsOnlyFixed, { kind: 'refused', reason: 'the fixed code would not parse' });
  });

  it('leaves a file alone when no fix applies', () => {
    assert.deepEqual(fixSource(source, [], hasSyntaxError), { kind: 'unchanged' });
  });

  it('refuses what cannot be encoded back', () => {
    const bytes = latin1('fut.result()\n');
    const outcome = fixSource({ ...source, bytes, encoding: { encoding: 'latin-1', bom: false } }, [insert(11, '"€"')], hasSyntaxError);
    assert.equal(outcome.kind, 'refused');
  });
});
