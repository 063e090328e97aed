/**
 * The edits the server sends the analysis process in place of whole texts
 * (edit-log.ts) and how the process applies them (applyUpdates in
 * lint-process.ts): replayed on the version the process holds, they must give
 * exactly the text the editor has, whatever the client sends (several changes
 * in one didChange, a range given end first, a whole-text change, CRLF, text
 * beyond the BMP); and when the process does not hold that version, or the
 * result is not the text's length, it must say so rather than lint a wrong text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver/node.js';
import { EditLog, applyChanges } from '../../src/server/edit-log.js';
import { LineIndex } from '../../src/python/positions.js';
import { applyUpdates } from '../../src/server/lint-process.js';
import type { DocumentSnapshot } from '../../src/server/workspace.js';

const URI = 'file:///project/service.py';

/** A document as the server's TextDocuments holds it, edited through the log's configuration. */
function open(log: EditLog, text: string, version = 1): TextDocument {
  return log.configuration.create(URI, 'python', version, text);
}

function change(log: EditLog, document: TextDocument, version: number, ...events: TextDocumentContentChangeEvent[]): void {
  log.configuration.update(document, events, version);
}

function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

describe('the edit log', () => {
  it('replays every kind of change to the text the editor has', () => {
    const log = new EditLog();
    const base = 'import asyncio\r\nx = "é😀"\r\nfut.result()\n';
    const document = open(log, base);
    // Two changes in one didChange, the second relative to the text the first leaves.
    change(log, document, 2, { range: range(1, 9, 1, 9), text: ' + "ü"' }, { range: range(0, 0, 0, 0), text: '# first\n' });
    // A range given end first, across the CRLF and the surrogate pair.
    change(log, document, 3, { range: range(3, 3, 2, 7), text: 'y' });
    change(log, document, 4, { range: range(2, 0, 2, 0), text: '\r\n' });
    assert.equal(applyChanges(base, log.changesSince(URI, 1, 4)!), document.getText());
    assert.equal(applyChanges(applyChanges(base, log.changesSince(URI, 1, 2)!), log.changesSince(URI, 2, 4)!), document.getText());
    assert.deepEqual(log.changesSince(URI, 4, 4), [], 'nothing since the version held');
    // A change of the whole text is the text: the edits before it are let go, the ones after it replay.
    change(log, document, 5, { text: 'a = 1\nb = 2\n' });
    assert.equal(log.changesSince(URI, 4, 5), undefined);
    change(log, document, 6, { range: range(1, 4, 1, 5), text: '3' });
    assert.equal(applyChanges('a = 1\nb = 2\n', log.changesSince(URI, 5, 6)!), 'a = 1\nb = 3\n');
  });

  it("keeps each document's line index along its edits: the diagnostics' positions are those of the text as it is", () => {
    const log = new EditLog();
    const base = 'import asyncio\r\nx = "é😀"\r\nfut.result()\n';
    const document = open(log, base);
    /** The kept index places every offset as an index of the text made anew does. */
    const agrees = (what: string): void => {
      const text = document.getText();
      const kept = log.linesOf(URI, text);
      const fresh = new LineIndex(text);
      assert.equal(kept.text, text, what);
      for (let offset = 0; offset <= text.length; offset++) assert.deepEqual(kept.lsp(offset), fresh.lsp(offset), `${what} at ${offset}`);
    };
    agrees('opened');
    assert.equal(log.linesOf(URI, document.getText()), log.linesOf(URI, document.getText()), 'one index per text');
    change(log, document, 2, { range: range(1, 9, 1, 9), text: ' + "ü"' }, { range: range(0, 0, 0, 0), text: '# first\n' });
    agrees('two changes in one didChange');
    // Into the CRLF: a CR left alone ends a line of its own.
    change(log, document, 3, { range: range(2, 11, 2, 11), text: 'z' });
    agrees('a character between a CR and its LF');
    change(log, document, 4, { range: range(3, 3, 2, 7), text: 'y\r' });
    agrees('a range given end first, ending in a CR');
    change(log, document, 5, { text: 'a = 1\nb = 2\n' });
    agrees('the whole text');
    const older = document.getText();
    change(log, document, 6, { range: range(1, 4, 1, 5), text: '3' });
    agrees('after the whole text');
    assert.deepEqual(log.linesOf(URI, older).lsp(older.length), { line: 2, character: 0 }, 'an older text gets an index of its own');
    agrees('and the latest keeps its own');
  });

  it('knows no edits from a version it never saw or has let go of', () => {
    const log = new EditLog();
    const document = open(log, 'x = 1\n');
    change(log, document, 2, { range: range(0, 4, 0, 5), text: '2' });
    change(log, document, 3, { range: range(0, 4, 0, 5), text: '3' });
    assert.equal(log.changesSince(URI, 7, 3), undefined);
    log.settled(URI, 2);
    assert.equal(log.changesSince(URI, 1, 3), undefined, 'the edits before version 2 are let go');
    assert.equal(applyChanges('x = 2\n', log.changesSince(URI, 2, 3)!), 'x = 3\n');
    // Reopened: the edits of the earlier life are gone.
    open(log, 'x = 3\n', 3);
    assert.equal(log.changesSince(URI, 2, 3), undefined);
  });

  it('starts over when versions do not increase, and when the edits outweigh the text', () => {
    const log = new EditLog();
    const document = open(log, 'x = 1\n');
    change(log, document, 2, { range: range(0, 4, 0, 5), text: '2' });
    change(log, document, 2, { range: range(0, 4, 0, 5), text: '5' });
    assert.equal(log.changesSince(URI, 1, 2), undefined, 'version 2 twice: which one is ambiguous');
    // Ten one-character edits not yet sent, to a six-character text: sending the text is cheaper.
    for (let version = 3; version <= 12; version++) change(log, document, version, { range: range(0, 4, 0, 5), text: String(version % 10) });
    assert.equal(log.changesSince(URI, 2, 12), undefined, 'more edit than text: the text is sent');
    change(log, document, 13, { range: range(0, 0, 0, 1), text: 'z' });
    assert.equal(applyChanges('x = 2\n', log.changesSince(URI, 12, 13)!), 'z = 2\n');
  });
});

describe("the analysis process's documents", () => {
  const snapshot = (version: number, text: string): DocumentSnapshot => ({ uri: URI, path: '/project/service.py', version, text });

  it('applies edits to the version it holds, and drops the documents a pass no longer names', () => {
    const held = new Map([[URI, snapshot(1, 'x = 1\n')], ['file:///project/closed.py', snapshot(4, 'y = 1\n')]]);
    const { snapshots, stale } = applyUpdates(held, [
      { uri: URI, path: '/project/service.py', version: 2, base: 1, changes: [{ start: 4, end: 5, text: '22' }], length: 7 },
    ]);
    assert.deepEqual(stale, []);
    assert.deepEqual(snapshots, [snapshot(2, 'x = 22\n')]);
    assert.deepEqual([...held.keys()], [URI], 'the closed document is forgotten');
  });

  it('asks for the text when it holds another version, or the result has the wrong length', () => {
    const held = new Map([[URI, snapshot(3, 'x = 1\n')]]);
    const edit = { start: 4, end: 5, text: '2' };
    assert.deepEqual(applyUpdates(held, [{ uri: URI, path: '/project/service.py', version: 5, base: 4, changes: [edit], length: 6 }]), {
      snapshots: [],
      stale: [URI],
    });
    assert.equal(held.size, 0, 'what it held is no longer trusted');
    held.set(URI, snapshot(3, 'x = 1\n'));
    assert.deepEqual(applyUpdates(held, [{ uri: URI, path: '/project/service.py', version: 4, base: 3, changes: [edit], length: 9 }]).stale, [URI]);
    // The text itself is always taken.
    assert.deepEqual(applyUpdates(held, [{ ...snapshot(4, 'x = 2\n') }]), { snapshots: [snapshot(4, 'x = 2\n')], stale: [] });
  });
});
