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
 * What is asserted is what a user sees, in order: an answer that comes while
 * the pass still runs (before its diagnostics), the newer version's
 * diagnostics and never the older's. No clock: "the pass runs" is known from
 * the analysis process's CPU time (it is idle otherwise), and waits are
 * bounded only by HANG_GUARD_MS, which only a hung server reaches. The server
 * is a child process killed after each test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFixture, uriOf, withServer, type LspClient } from './lsp-client.js';
import { STOP_OUTDATED_AFTER_MS } from '../../src/server/lint-process.js';

const HAZARD = readFixture('hazard.py');

/**
 * A hazard, then one list literal of calls: about 2 MB by default, seconds of
 * analysis (4 s of CPU for `pyhang check`), far under the size limit.
 */
function largeDocument(count = 220_000): string {
  const calls = Array.from({ length: count }, (_, i) => `f${i % 1000}(x)`).join(',\n');
  return `${HAZARD}\nx = [\n${calls}\n]\n`;
}

/** No claim on speed: a wait this long means the server hangs (a loaded machine took 20 s for what is waited for here). */
const HANG_GUARD_MS = 10 * 60_000;

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system) a process has used, in milliseconds. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * The analysis process, warm and idle: a small document is analysed first
 * (its diagnostics are published), so the CPU it uses from now on is the next
 * pass's.
 */
async function idleAnalysis(client: LspClient, root: string): Promise<{ pid: number; baseline: number }> {
  const small = uriOf(path.join(root, 'plain.py'));
  client.open(small, 'x = 1\n', 1);
  await client.diagnosticsFor(small, 1, HANG_GUARD_MS);
  const children = childrenOf(client.process.pid!);
  assert.equal(children.length, 1, 'one analysis process');
  return { pid: children[0]!, baseline: cpuMs(children[0]!) };
}

/** Returns once the analysis process has spent `ms` of CPU on the pass: the pass has run at least that long. */
async function passHasRun(analysis: { pid: number; baseline: number }, ms: number): Promise<void> {
  while (cpuMs(analysis.pid) - analysis.baseline < ms) await sleep(50);
}

/** Whether the server has published diagnostics for `uri` (any version) so far. */
function publishedFor(client: LspClient, uri: string): number[] {
  return client.notifications
    .filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri)
    .map((n) => (n.params as { version: number }).version);
}

describe('pyhang server: responsive while analysing', () => {
  it('answers shutdown while a large document is analysed, before that pass ends, and exits on exit', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const analysis = await idleAnalysis(client, root);
      const uri = uriOf(path.join(root, 'large.py'));
      client.open(uri, largeDocument(), 1);
      await passHasRun(analysis, 300);
      assert.equal(await client.request('shutdown', null, HANG_GUARD_MS), null);
      assert.deepEqual(publishedFor(client, uri), [], 'shutdown was answered only after the pass had ended');
      client.notify('exit', null);
      assert.equal(await client.exited(HANG_GUARD_MS), 0);
    });
  });

  it('drops the findings of a version edited while its pass ran, and publishes the newer one', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const analysis = await idleAnalysis(client, root);
      const uri = uriOf(path.join(root, 'large.py'));
      client.open(uri, largeDocument(), 1);
      await passHasRun(analysis, 300);
      // Answered while the first pass runs: before its diagnostics.
      assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }, HANG_GUARD_MS), []);
      assert.deepEqual(publishedFor(client, uri), [], 'the code action was answered only after the pass had ended');
      client.change(uri, HAZARD, 2);
      assert.deepEqual((await client.diagnosticsFor(uri, 2, HANG_GUARD_MS)).map((d: { code: string }) => d.code), ['HANG001']);
      assert.deepEqual(publishedFor(client, uri), [2], 'version 1 was edited before its pass ended');
    });
  });

  it('stops a long outdated pass when a newer version arrives: its process ends, the newer version is analysed', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const analysis = await idleAnalysis(client, root);
      const uri = uriOf(path.join(root, 'large.py'));
      // Twice the default: the pass must still run after the wait below.
      client.open(uri, largeDocument(440_000), 1);
      // Past STOP_OUTDATED_AFTER_MS: a pass this old is worth stopping. (CPU time is at most wall time
      // for the analysis thread; twice the span leaves room for the collector's helper threads.)
      await passHasRun(analysis, 2 * STOP_OUTDATED_AFTER_MS + 200);
      assert.deepEqual(childrenOf(client.process.pid!), [analysis.pid], 'one analysis process runs the pass');
      client.change(uri, HAZARD, 2);
      assert.deepEqual((await client.diagnosticsFor(uri, 2, HANG_GUARD_MS)).map((d: { code: string }) => d.code), ['HANG001']);
      // Version 1's pass takes several seconds more; it was stopped, not waited for.
      assert.ok(!isAlive(analysis.pid), `the outdated pass's process ${analysis.pid} still runs`);
      assert.deepEqual(publishedFor(client, uri), [2]);
      const logs = client.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
      assert.ok(logs.some((message) => /an outdated analysis was stopped after \d+ ms; analysing the newer version/.test(message)), logs.join('\n'));
    });
  });
});

describe('pyhang server: its analysis process dies', () => {
  it('between edits: a new one analyses the next edit, sent the whole text, and the findings are where the text has them', async () => {
    await withServer({ 'plain.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const uri = uriOf(path.join(root, 'service.py'));
      const top = { line: 0, character: 0 };
      const lines = (diagnostics: { range: { start: { line: number } } }[]) => diagnostics.map((d) => d.range.start.line);
      client.open(uri, HAZARD, 1);
      assert.deepEqual(lines(await client.diagnosticsFor(uri, 1, HANG_GUARD_MS)), [6]);
      // An edit, as editors send them: the analysis process is sent the edit.
      client.changeRange(uri, { start: top, end: top }, '# one\n', 2);
      assert.deepEqual(lines(await client.diagnosticsFor(uri, 2, HANG_GUARD_MS)), [7]);
      const [analysis] = childrenOf(client.process.pid!);
      assert.ok(analysis, 'an analysis process runs');
      process.kill(analysis, 'SIGKILL');
      while (isAlive(analysis)) await sleep(20);
      client.changeRange(uri, { start: top, end: top }, '# two\n', 3);
      assert.deepEqual(lines(await client.diagnosticsFor(uri, 3, HANG_GUARD_MS)), [8]);
      const [replacement] = childrenOf(client.process.pid!);
      assert.ok(replacement && replacement !== analysis, 'a new analysis process');
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
