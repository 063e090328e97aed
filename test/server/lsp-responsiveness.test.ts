/**
 * The server stays responsive while it analyses a large document: analysis
 * runs in a child process (src/server/lint-process.ts), so requests such as
 * shutdown are answered at once (a 4 MB document used to block everything for
 * half a minute), and the findings of a version edited since its pass began
 * are dropped, never published over the newer version's.
 *
 * Bounded: the server is a child process killed after each test; the large
 * document (2 MB, several seconds of analysis) is far over what the bounds
 * below allow for an answer, and far under the size limit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFixture, uriOf, withServer } from './lsp-client.js';

const HAZARD = readFixture('hazard.py');

/** A hazard, then one list literal of about 2 MB of calls: seconds of analysis. */
function largeDocument(): string {
  const calls = Array.from({ length: 220_000 }, (_, i) => `f${i % 1000}(x)`).join(',\n');
  return `${HAZARD}\nx = [\n${calls}\n]\n`;
}

/** How long a request may wait for its answer while a pass runs (the issue asks for about a second). */
const ANSWER_BOUND_MS = 2_000;

describe('pyhang server: responsive while analysing', () => {
  it('answers shutdown at once while a large document is analysed, and exits on exit', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      client.open(uriOf(path.join(root, 'large.py')), largeDocument(), 1);
      // The pass starts right after the open is handled.
      await sleep(500);
      assert.equal(await client.request('shutdown', null, ANSWER_BOUND_MS), null);
      client.notify('exit', null);
      assert.equal(await client.exited(), 0);
    });
  });

  it('drops the findings of a version edited while its pass ran, and publishes the newer one', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const uri = uriOf(path.join(root, 'large.py'));
      client.open(uri, largeDocument(), 1);
      await sleep(500);
      // Answered while the first pass runs.
      assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }, ANSWER_BOUND_MS), []);
      client.change(uri, HAZARD, 2);
      assert.deepEqual((await client.diagnosticsFor(uri, 2, 60_000)).map((d: { code: string }) => d.code), ['HANG001']);
      const published = client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri);
      assert.deepEqual(published.map((n) => (n.params as { version: number }).version), [2], 'version 1 was edited before its pass ended');
    });
  });
});
