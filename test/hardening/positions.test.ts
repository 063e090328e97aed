/**
 * Positions: lines end at `\n`, `\r\n` or a lone `\r` (as Python's tokenizer
 * has it); columns count code points for the CLI and JSON (é = 1, 😀 = 1, 中 = 1)
 * and UTF-16 code units for LSP (😀 = 2). LineIndex (src/python/positions.ts) is the
 * one place that converts; it is tested here on mixed line endings and astral
 * characters, then end to end through the binary.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, countCodePoints, lspPositionAt } from '../../src/python/positions.js';
import { lint } from '../../src/engine/lint.js';
import { defaultSettings } from '../../src/config/settings.js';
import { check, makeProject, removeProject, reportedJson, HAZARD_HEAD } from './helpers.js';

// Line 0 "a😀b" ends in CRLF, line 1 "é" in a lone CR, line 2 "中\t" in LF, line 3 is "x" without a terminator.
// UTF-16 offsets: a 0, 😀 1–2, b 3, CR 4, LF 5, é 6, CR 7, 中 8, tab 9, LF 10, x 11, end 12.
const MIXED = 'a\u{1F600}b\r\n\u00e9\r\u4e2d\t\nx';

describe('LineIndex', () => {
  const index = new LineIndex(MIXED);

  it('splits lines at CRLF, lone CR and LF, and counts a last line without a terminator', () => {
    assert.equal(index.lineCount, 4);
    assert.deepEqual([0, 1, 2, 3].map((l) => index.lineStart(l)), [0, 6, 8, 11]);
    assert.deepEqual([0, 1, 2, 3].map((l) => index.lineText(l)), ['a\u{1F600}b', '\u00e9', '\u4e2d\t', 'x']);
    assert.equal(index.lineStart(99), MIXED.length, 'past the end: the end of the text');
  });

  it('an empty text has one empty line; a trailing newline starts an empty last line', () => {
    const empty = new LineIndex('');
    assert.equal(empty.lineCount, 1);
    assert.equal(empty.lineText(0), '');
    assert.deepEqual(empty.point(0), { line: 1, column: 1, offset: 0 });
    const trailing = new LineIndex('a\r\n');
    assert.equal(trailing.lineCount, 2);
    assert.deepEqual(trailing.point(3), { line: 2, column: 1, offset: 3 });
  });

  it('consecutive terminators are separate empty lines: \\r\\r\\n\\n\\r', () => {
    const many = new LineIndex('\r\r\n\n\r');
    assert.equal(many.lineCount, 5);
    assert.deepEqual([0, 1, 2, 3, 4].map((l) => many.lineStart(l)), [0, 1, 3, 4, 5]);
    assert.deepEqual([0, 1, 2, 3, 4].map((l) => many.lineText(l)), ['', '', '', '', '']);
  });

  it('point(): 1-based line, code-point column', () => {
    assert.deepEqual(index.point(0), { line: 1, column: 1, offset: 0 });
    assert.deepEqual(index.point(1), { line: 1, column: 2, offset: 1 }, 'the emoji starts at column 2');
    assert.deepEqual(index.point(3), { line: 1, column: 3, offset: 3 }, 'b follows a 2-unit emoji at column 3');
    assert.deepEqual(index.point(4), { line: 1, column: 4, offset: 4 }, 'the CR of the CRLF');
    assert.deepEqual(index.point(5), { line: 1, column: 5, offset: 5 }, 'the LF of the CRLF is still line 1');
    assert.deepEqual(index.point(6), { line: 2, column: 1, offset: 6 });
    assert.deepEqual(index.point(7), { line: 2, column: 2, offset: 7 }, 'the lone CR');
    assert.deepEqual(index.point(9), { line: 3, column: 2, offset: 9 }, 'a tab is one column');
    assert.deepEqual(index.point(11), { line: 4, column: 1, offset: 11 });
    assert.deepEqual(index.point(12), { line: 4, column: 2, offset: 12 }, 'the end of the text');
    assert.deepEqual(index.point(-5), { line: 1, column: 1, offset: 0 }, 'clamped');
    assert.deepEqual(index.point(1000), { line: 4, column: 2, offset: 12 }, 'clamped');
  });

  it('lsp(): 0-based line, UTF-16 character', () => {
    assert.deepEqual(index.lsp(3), { line: 0, character: 3 }, 'after the emoji: 2 code units');
    assert.deepEqual(index.lsp(6), { line: 1, character: 0 });
    assert.deepEqual(index.lsp(9), { line: 2, character: 1 });
    assert.deepEqual(index.lsp(12), { line: 3, character: 1 });
    assert.deepEqual(index.lsp(1000), { line: 3, character: 1 });
  });

  it('lspPositionAt() (one lookup, no index) agrees with lsp() at every offset, inside a CRLF and past the ends too', () => {
    for (const text of [MIXED, '', '\r', '\n\r\n\r', 'x\r\n']) {
      const whole = new LineIndex(text);
      for (let offset = -1; offset <= text.length + 1; offset++) {
        assert.deepEqual(lspPositionAt(text, offset), whole.lsp(offset), `${JSON.stringify(text)} at ${offset}`);
      }
    }
  });

  it('afterEdit() gives the index a new one of the edited text gives: a terminator split, joined or made at the edge, pairs too', () => {
    // Edits that cut between a CR and its LF, insert a CR before a LF, join a lone CR to a LF, add or remove
    // a surrogate pair or half of one, at the start, the end and in between.
    const texts = [MIXED, '', '\r', '\n\r\n\r', 'x\r\n', 'ab\rcd\n', 'a\u{1F600}\r\n\u{1F600}'];
    const pieces = ['', '\n', '\r', '\r\n', 'x', 'y\rz', '\u{1F600}', '\ud83d', '\ude00', 'line\r\nline\n'];
    let edits = 0;
    for (const before of texts) {
      const index = new LineIndex(before);
      for (let start = 0; start <= before.length; start++) {
        for (let oldEnd = start; oldEnd <= Math.min(before.length, start + 2); oldEnd++) {
          for (const piece of pieces) {
            const after = before.slice(0, start) + piece + before.slice(oldEnd);
            const moved = index.afterEdit(after, start, oldEnd, start + piece.length);
            const fresh = new LineIndex(after);
            const what = `${JSON.stringify(before)} → ${JSON.stringify(after)}`;
            assert.equal(moved.lineCount, fresh.lineCount, what);
            for (let offset = 0; offset <= after.length; offset++) {
              assert.deepEqual(moved.point(offset), fresh.point(offset), `${what} at ${offset}`);
              assert.deepEqual(moved.lsp(offset), fresh.lsp(offset), `${what} at ${offset}`);
            }
            edits++;
          }
        }
      }
    }
    assert.ok(edits > 500);
  });

  it('offsetOfLsp() inverts lsp() and clamps to the line (never into its terminator)', () => {
    for (let offset = 0; offset <= MIXED.length; offset++) {
      const position = index.lsp(offset);
      const back = index.offsetOfLsp(position);
      const lineEnd = index.lineStart(position.line) + index.lineText(position.line).length;
      assert.equal(back, Math.min(offset, lineEnd), `offset ${offset}`);
    }
    assert.equal(index.offsetOfLsp({ line: 0, character: 99 }), 4, 'past the end of line 0: before its CRLF');
    assert.equal(index.offsetOfLsp({ line: 99, character: 0 }), MIXED.length);
  });

  it('offsetOfPoint() inverts point() and steps over surrogate pairs', () => {
    for (let offset = 0; offset <= MIXED.length; offset++) {
      if (offset === 2) continue; // between the halves of the emoji: no column points there
      const { line, column } = index.point(offset);
      const lineEnd = index.lineStart(line - 1) + index.lineText(line - 1).length;
      assert.equal(index.offsetOfPoint(line, column), Math.min(offset, lineEnd), `offset ${offset}`);
    }
    assert.equal(index.offsetOfPoint(1, 3), 3, 'column 3 is after the whole emoji');
    assert.equal(index.offsetOfPoint(1, 99), 4, 'clamped to the end of the line');
    assert.equal(index.offsetOfPoint(99, 1), 11, 'clamped to the last line');
    assert.equal(index.offsetOfPoint(0, 1), 0, 'clamped to the first line');
  });

  it('countCodePoints(): pairs count once; a lone surrogate counts as one', () => {
    assert.equal(countCodePoints('\u{1F600}\u{1F600}', 0, 4), 2);
    assert.equal(countCodePoints('\ud83d', 0, 1), 1);
    assert.equal(countCodePoints('\ude00\ud83d', 0, 2), 2, 'reversed halves are two lone surrogates');
    assert.equal(countCodePoints('a\u{1F600}', 0, 2), 2, 'a range ending inside a pair counts the half');
  });

  it('a long text: every offset maps to a line whose start is at or before it', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `${'\u{1F600}'.repeat(i % 5)}x${['\n', '\r\n', '\r'][i % 3]}`).join('');
    const big = new LineIndex(text);
    assert.equal(big.lineCount, 2001);
    for (let offset = 0; offset <= text.length; offset += 7) {
      const { line } = big.point(offset);
      assert.ok(big.lineStart(line - 1) <= offset && (line === big.lineCount || big.lineStart(line) > offset), `offset ${offset}`);
    }
  });
});

/** The hazard with its waiting line after `prefix` on the same line, written with `eol` line endings. */
function hazardAfter(prefix: string, eol: string): string {
  return `${HAZARD_HEAD}${prefix}fut.result()\n`.replace(/\n/g, eol);
}

describe('positions end to end', () => {
  const cases: { name: string; text: string; line: number; column: number; endColumn: number; lspCharacter: number }[] = [
    { name: 'LF', text: hazardAfter('', '\n'), line: 7, column: 4, endColumn: 13, lspCharacter: 3 },
    { name: 'CRLF', text: hazardAfter('', '\r\n'), line: 7, column: 4, endColumn: 13, lspCharacter: 3 },
    { name: 'lone CR', text: hazardAfter('', '\r'), line: 7, column: 4, endColumn: 13, lspCharacter: 3 },
    { name: 'mixed endings', text: `${HAZARD_HEAD.replace('\n', '\r\n').replace(/\n(?=async)/, '\r')}fut.result()\n`, line: 7, column: 4, endColumn: 13, lspCharacter: 3 },
    { name: 'a tab', text: hazardAfter('if 1:\n\t', '\n'), line: 8, column: 5, endColumn: 14, lspCharacter: 4 },
    { name: 'é', text: hazardAfter('x = "é"; ', '\n'), line: 7, column: 13, endColumn: 22, lspCharacter: 12 },
    { name: '😀 (2 UTF-16 units, 1 column)', text: hazardAfter('x = "😀"; ', '\r\n'), line: 7, column: 13, endColumn: 22, lspCharacter: 13 },
    { name: 'CJK', text: hazardAfter('名前 = "中文"; ', '\n'), line: 7, column: 15, endColumn: 24, lspCharacter: 14 },
    { name: 'astral identifiers and comments before', text: hazardAfter('# 😀😀😀\n𝔵 = "😀"; ', '\r'), line: 8, column: 13, endColumn: 22, lspCharacter: 14 },
  ];

  for (const c of cases) {
    it(`${c.name}: JSON columns are code points; LineIndex.lsp gives UTF-16`, (t) => {
      const root = makeProject({ 'case.py': c.text });
      t.after(() => removeProject(root));
      const result = check(['--format', 'json'], root);
      const json = JSON.parse(result.stdout) as { messages: { ruleId: string; line: number; column: number; endLine: number; endColumn: number }[] }[];
      const hang = json[0]!.messages.filter((m) => m.ruleId === 'HANG001');
      assert.equal(hang.length, 1, result.stdout);
      assert.deepEqual(
        { line: hang[0]!.line, column: hang[0]!.column, endLine: hang[0]!.endLine, endColumn: hang[0]!.endColumn },
        { line: c.line, column: c.column, endLine: c.line, endColumn: c.endColumn },
      );
      assert.deepEqual(reportedJson(result.stdout, root).map((r) => r.code), ['HANG001'], 'no syntax error from line endings or characters');

      // The same finding through lint(), in LSP terms.
      const [file] = lint([{ path: '/virtual/case.py', text: c.text }], { settingsFor: () => defaultSettings('/virtual') });
      const message = file!.messages.find((m) => m.ruleId === 'HANG001')!;
      const offset = (message.place as { start: { offset: number } }).start.offset;
      assert.deepEqual(new LineIndex(c.text).lsp(offset), { line: c.line - 1, character: c.lspCharacter });
    });
  }

  it('a fix inserted after astral text lands in the right place (UTF-16 offsets of the decoded text)', () => {
    const text = hazardAfter('x = "😀é中"; ', '\r\n');
    const [file] = lint([{ path: '/virtual/fix.py', text }], { settingsFor: () => defaultSettings('/virtual') });
    const fix = (file!.messages.find((m) => m.ruleId === 'HANG001') as { fix?: { edits: { start: number; end: number; text: string }[] } }).fix!;
    let fixed = text;
    for (const edit of [...fix.edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, edit.start) + edit.text + fixed.slice(edit.end);
    assert.ok(fixed.includes('x = "😀é中"; fut.result(timeout=30)\r\n'), JSON.stringify(fixed));
  });
});
