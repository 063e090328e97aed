/**
 * The server's pure conversions, without a process: where the noqa edit goes,
 * and how a message's places become LSP ranges (UTF-16), including related
 * locations in files that are open, on disk, or gone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { VFileMessage } from 'vfile-message';
import { LineIndex } from '../../src/python/positions.js';
import type { PyhangMessage } from '../../src/engine/lint.js';
import { codeActionsFor, noqaEdit, type LintedDocument } from '../../src/server/code-actions.js';
import { FileLocator, toDiagnostic } from '../../src/server/diagnostics.js';
import { makeWorkspace, uriOf } from './lsp-client.js';

/** The line after applying the noqa edit for `code` to line 0 of `text`, or null when none is offered. */
function withNoqa(text: string, code = 'HANG001'): string | null {
  const index = new LineIndex(text);
  const edit = noqaEdit(index, 0, code);
  if (!edit) return null;
  const start = index.offsetOfLsp(edit.range.start);
  const end = index.offsetOfLsp(edit.range.end);
  return text.slice(0, start) + edit.newText + text.slice(end);
}

describe('noqa edit', () => {
  const cases: { name: string; line: string; expected: string | null }[] = [
    { name: 'appends a comment after two spaces', line: 'fut.result()\n', expected: 'fut.result()  # noqa: HANG001\n' },
    { name: 'keeps two spaces when the line already ends with them', line: 'fut.result()  \n', expected: 'fut.result()  # noqa: HANG001\n' },
    { name: 'goes after non-ASCII text, in UTF-16 units', line: 's = "é😀"; fut.result()\n', expected: 's = "é😀"; fut.result()  # noqa: HANG001\n' },
    { name: 'leaves a CRLF line ending in place', line: 'fut.result()\r\nx = 1\r\n', expected: 'fut.result()  # noqa: HANG001\r\nx = 1\r\n' },
    { name: 'adds to an existing list', line: 'fut.result()  # noqa: HANG003\n', expected: 'fut.result()  # noqa: HANG003, HANG001\n' },
    {
      name: 'adds after the last code, before free text',
      line: 'fut.result()  # noqa: HANG003,HANG004 the loop outlives us\n',
      expected: 'fut.result()  # noqa: HANG003,HANG004, HANG001 the loop outlives us\n',
    },
    { name: 'adds to a list inside a longer comment', line: 'x()  # type: ignore # noqa:E501\n', expected: 'x()  # type: ignore # noqa:E501, HANG001\n' },
    { name: 'offers nothing when the code is already listed', line: 'x()  # noqa: hang001\n', expected: null },
    { name: 'offers nothing under a bare noqa', line: 'x()  # noqa\n', expected: null },
    { name: 'appends after an unrelated comment', line: 'x()  # see #42\n', expected: 'x()  # see #42  # noqa: HANG001\n' },
  ];
  for (const { name, line, expected } of cases) {
    it(name, () => assert.equal(withNoqa(line), expected));
  }

  it('offers nothing past the last line', () => {
    assert.equal(noqaEdit(new LineIndex('x = 1\n'), 5, 'HANG001'), null);
  });
});

function message(reason: string, place: PyhangMessage['place'], fields: Partial<PyhangMessage> = {}): PyhangMessage {
  const result = new VFileMessage(reason, { place, ruleId: 'HANG002', source: 'pyhang' }) as PyhangMessage;
  result.fatal = false;
  Object.assign(result, fields);
  return result;
}

const point = (line: number, column: number, offset: number) => ({ line, column, offset });

describe('diagnostics', () => {
  it('converts offsets to UTF-16 positions, and related locations in open, on-disk and missing files', () => {
    const root = makeWorkspace({ 'disk.py': 'import sys\n😀 = 1; sys.exit()\n' });
    try {
      // `é😀 = ` is 5 code points but 6 UTF-16 units: `die()` is at columns 6-11 (1-based) and offsets 6-11.
      const text = 'é😀 = die()\n';
      const open = { path: path.join(root, 'open.py'), uri: 'file:///custom/open.py', text: 'x = "😀"; die()\n' };
      const missing = path.join(root, 'missing.py');
      const diagnostic = toDiagnostic(
        message('escapes', { start: point(1, 6, 6), end: point(1, 11, 11) }, {
          url: 'https://example.com/HANG002.md',
          related: [
            { path: open.path, loc: { start: point(1, 10, 10), end: point(1, 15, 15) }, message: 'calls die' },
            { path: path.join(root, 'disk.py'), loc: { start: point(2, 8, 19), end: point(2, 18, 29) }, message: 'raises SystemExit here' },
            { path: missing, loc: { start: point(3, 5, 40), end: point(3, 9, 44) }, message: 'gone' },
          ],
        }),
        new LineIndex(text),
        new FileLocator([open]),
      );
      assert.deepEqual(diagnostic, {
        range: { start: { line: 0, character: 6 }, end: { line: 0, character: 11 } },
        severity: 2,
        source: 'pyhang',
        message: 'escapes',
        code: 'HANG002',
        codeDescription: { href: 'https://example.com/HANG002.md' },
        relatedInformation: [
          // Open: its URI as the client sent it, positions from its text.
          { location: { uri: 'file:///custom/open.py', range: { start: { line: 0, character: 10 }, end: { line: 0, character: 15 } } }, message: 'calls die' },
          // On disk: read and decoded; offset 19 is line 2, character 8 (😀 counts two; its code-point column is 7).
          {
            location: { uri: uriOf(path.join(root, 'disk.py')), range: { start: { line: 1, character: 8 }, end: { line: 1, character: 18 } } },
            message: 'raises SystemExit here',
          },
          // Unreadable: the code-point column is all there is.
          { location: { uri: uriOf(missing), range: { start: { line: 2, character: 4 }, end: { line: 2, character: 8 } } }, message: 'gone' },
        ],
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('maps an error to severity 1 and leaves out what a file problem lacks', () => {
    const problem = message('Syntax error', { start: point(1, 1, 0), end: point(1, 1, 0) }, { ruleId: 'syntax-error' });
    problem.fatal = true;
    assert.deepEqual(toDiagnostic(problem, new LineIndex(''), new FileLocator([])), {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 1,
      source: 'pyhang',
      message: 'Syntax error',
      code: 'syntax-error',
    });
  });
});

describe('code actions', () => {
  const text = 's = "é😀"; fut.result()\n';
  const diagnostic = {
    range: { start: { line: 0, character: 14 }, end: { line: 0, character: 23 } },
    severity: 1 as const,
    source: 'pyhang',
    code: 'HANG001',
    message: 'waits forever',
  };
  const linted: LintedDocument = {
    uri: 'file:///w/a.py',
    version: 3,
    text,
    findings: [
      {
        diagnostic,
        fix: { description: 'Pass timeout=30', edits: [{ start: 22, end: 22, text: 'timeout=30' }] },
        // As toFindings gives them, from HANG001's meta.
        fixSafety: 'unsafe',
        fixRisk: 'raises TimeoutError instead of waiting forever',
      },
    ],
  };
  const titles = (actions: { title: string }[]) => actions.map((action) => action.title);
  const fixTitle = 'Pass timeout=30 (unsafe: raises TimeoutError instead of waiting forever)';
  const noqaTitle = 'Suppress HANG001 with `# noqa: HANG001`';

  it('offers the fix while the document is the linted one', () => {
    const actions = codeActionsFor({ uri: linted.uri, version: 3, text }, linted, diagnostic.range, [diagnostic], { documentChanges: false });
    assert.deepEqual(titles(actions), [fixTitle, noqaTitle]);
    assert.deepEqual(actions[0]!.edit, {
      changes: { 'file:///w/a.py': [{ range: { start: { line: 0, character: 22 }, end: { line: 0, character: 22 } }, newText: 'timeout=30' }] },
    });
  });

  it('does not offer the fix once the document has changed since it was linted', () => {
    const actions = codeActionsFor({ uri: linted.uri, version: 4, text: `# new\n${text}` }, linted, diagnostic.range, [diagnostic], {
      documentChanges: true,
    });
    assert.deepEqual(titles(actions), [noqaTitle]);
  });

  it('finds the fix when the client echoes the diagnostic with byte columns (Neovim 0.7)', () => {
    const echoed = { ...diagnostic, range: { start: { line: 0, character: 17 }, end: { line: 0, character: 26 } } };
    const actions = codeActionsFor({ uri: linted.uri, version: 3, text }, linted, echoed.range, [echoed], { documentChanges: true });
    assert.deepEqual(titles(actions), [fixTitle, noqaTitle]);
  });

  it('uses the published findings under the range when the client sends no diagnostics', () => {
    const cursor = { start: { line: 0, character: 16 }, end: { line: 0, character: 16 } };
    const actions = codeActionsFor({ uri: linted.uri, version: 3, text }, linted, cursor, [], { documentChanges: true });
    assert.deepEqual(titles(actions), [fixTitle, noqaTitle]);
  });

  it("ignores other tools' diagnostics", () => {
    const other = { ...diagnostic, source: 'ruff', code: 'E501' };
    assert.deepEqual(codeActionsFor({ uri: linted.uri, version: 3, text }, linted, other.range, [other], { documentChanges: true }), []);
  });
});
