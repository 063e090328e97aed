/**
 * The server stays responsive while it analyses a large document: analysis
 * runs in a child process (src/server/lint-process.ts), so requests such as
 * shutdown are answered at once (a 4 MB document used to block everything for
 * half a minute), and the findings of a version edited since its pass began
 * are dropped, never published over the newer version's.
 *
 * A long pass that a newer version makes outdated is stopped, not left to run
 * on: its analysis process is ended and a fresh one analyses the newer text.
 *
 * Bounded: the server is a child process killed after each test; the large
 * document (2 MB, several seconds of analysis) is far over what the bounds
 * below allow for an answer, and far under the size limit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
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

  it('stops a long outdated pass when a newer version arrives: its process ends, the newer version is analysed', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const uri = uriOf(path.join(root, 'large.py'));
      client.open(uri, largeDocument(), 1);
      // Past STOP_OUTDATED_AFTER_MS (1 s): a pass this old is worth stopping.
      await sleep(1_500);
      const analysing = childrenOf(client.process.pid!);
      assert.equal(analysing.length, 1, 'one analysis process runs the pass');
      client.change(uri, HAZARD, 2);
      assert.deepEqual((await client.diagnosticsFor(uri, 2, 60_000)).map((d: { code: string }) => d.code), ['HANG001']);
      // Version 1's pass takes several seconds more; it was stopped, not waited for.
      assert.ok(!isAlive(analysing[0]!), `the outdated pass's process ${analysing[0]} still runs`);
      const logs = client.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
      assert.ok(logs.some((message) => /an outdated analysis was stopped after \d+ ms; analysing the newer version/.test(message)), logs.join('\n'));
    });
  });
});

function childrenOf(pid: number): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
