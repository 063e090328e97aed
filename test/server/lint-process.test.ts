/**
 * The analysis process as the server drives it (LintProcess, a real child
 * process): documents reach it as edits since the version it holds, and what
 * it lints must be the editor's text in every case, including those where
 * the edits cannot be applied (it asks for the text again) and a process that
 * died between or during edits (a new one is sent the whole text).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { EditLog, type TextChange } from '../../src/server/edit-log.js';
import { LintProcess } from '../../src/server/lint-process.js';
import type { DocumentSnapshot, PassResult } from '../../src/server/workspace.js';
import { makeWorkspace, readFixture, uriOf } from './lsp-client.js';

const HAZARD = readFixture('hazard.py');
/** 1-based: `fut.result()` on the fixture's last line. */
const HAZARD_LINE = 7;

/** Records whether each pass could send edits (a list per pass of what changesSince answered). */
class WatchedLog extends EditLog {
  readonly answers: (TextChange[] | undefined)[] = [];
  override changesSince(uri: string, from: number, to: number): TextChange[] | undefined {
    const changes = super.changesSince(uri, from, to);
    this.answers.push(changes);
    return changes;
  }
}

/** Answers with an edit that is not the one made: the process must notice and ask for the text. */
class WrongLog extends WatchedLog {
  override changesSince(uri: string, from: number, to: number): TextChange[] | undefined {
    const changes = super.changesSince(uri, from, to);
    return changes && [{ start: 0, end: 0, text: 'x = [\n' }];
  }
}

function findings(pass: PassResult): [string | undefined, number][] {
  return pass.documents.flatMap((result) => (result.messages ?? []).map((message): [string | undefined, number] => [message.ruleId ?? undefined, message.line ?? 0]));
}

function analysisChildren(): number[] {
  return execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0 && commandLine(pid).includes('--pyhang-lint-child'));
}

/** A process's command line; empty once it is gone (`ps` lists itself). */
function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

describe('the analysis process, sent edits', () => {
  let root: string;
  let file: string;
  // The process and its channel do not keep Node running (the server's input does that): this does, for the tests.
  let keepAlive: NodeJS.Timeout;

  before(() => {
    root = makeWorkspace({ 'plain.py': 'x = 1\n' });
    file = path.join(root, 'service.py');
    keepAlive = setInterval(() => {}, 60_000);
  });

  after(() => {
    clearInterval(keepAlive);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /**
   * Runs `body` with an analysis process over `log` (its roots set), an
   * editor's document over the log, and a pass over it as the server makes
   * one; the process is stopped afterwards.
   */
  async function withSession(
    log: EditLog,
    body: (session: { lintProcess: LintProcess; document: TextDocument; lint: () => Promise<PassResult> }) => Promise<void>,
  ): Promise<void> {
    const lintProcess = new LintProcess(log);
    try {
      lintProcess.setRoots([root]);
      const document = log.configuration.create(uriOf(file), 'python', 1, HAZARD);
      const snapshot = (): DocumentSnapshot => ({ uri: document.uri, path: file, version: document.version, text: document.getText() });
      await body({ lintProcess, document, lint: () => lintProcess.lintDocuments([snapshot()]) });
    } finally {
      lintProcess.stop();
    }
  }

  /** Inserts `count` lines at the top: the finding moves down by as many. */
  function insertLines(log: EditLog, document: TextDocument, count: number): void {
    const start = { line: 0, character: 0 };
    log.configuration.update(document, [{ range: { start, end: start }, text: '# note\n'.repeat(count) }], document.version + 1);
  }

  it('lints the text the edits make, as it lints the whole text', async () => {
    const log = new WatchedLog();
    await withSession(log, async ({ document, lint }) => {
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE]]);
      insertLines(log, document, 2);
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 2]]);
      insertLines(log, document, 1);
      log.configuration.update(document, [{ range: { start: { line: 9, character: 22 }, end: { line: 9, character: 22 } }, text: 'timeout=5' }], document.version + 1);
      assert.deepEqual(findings(await lint()), [], '`timeout=5` typed into `.result()`');
      assert.equal(log.answers.filter((answer) => answer && answer.length > 0).length, 2, 'both edited passes were sent as edits');
    });
  });

  it('sends the text again when the process cannot apply the edits (a resync), and lints that text', async () => {
    const log = new WrongLog();
    await withSession(log, async ({ document, lint }) => {
      await lint();
      insertLines(log, document, 3);
      // The edit sent would make a syntax error of the text and has the wrong length: the process asks for the text.
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 3]]);
      assert.equal(log.answers.length, 1, 'edits were offered once');
      insertLines(log, document, 1);
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 4]]);
    });
  });

  it('sends the text again when the process holds another version than the server thinks (a resync)', async () => {
    const log = new WatchedLog();
    await withSession(log, async ({ lintProcess, document, lint }) => {
      await lint();
      insertLines(log, document, 1);
      await lint();
      insertLines(log, document, 2);
      insertLines(log, document, 1);
      // The server's record of what the process holds goes wrong (version 3, where it holds 2): the
      // edit from 3 to 4 is offered, which the process must refuse.
      (lintProcess as unknown as { held: Map<string, number> }).held.set(document.uri, 3);
      const before = log.answers.length;
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 4]]);
      assert.equal(log.answers[before]?.length, 1, 'the edit from version 3 was offered');
      assert.equal(log.answers.length, before + 1, 'then the text was sent');
      insertLines(log, document, 1);
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 5]]);
    });
  });

  it('sends a new process the whole text when the old one died between edits or during a pass', async () => {
    const log = new WatchedLog();
    await withSession(log, async ({ document, lint }) => {
      await lint();
      insertLines(log, document, 1);
      await lint();

      // Killed while idle: the next pass goes to a new process, which is sent the text.
      const running = analysisChildren();
      const [first] = running;
      assert.ok(first, 'an analysis process runs');
      process.kill(first, 'SIGKILL');
      // Until the server has seen the exit (it starts a new process then). Waiting only for the old one to
      // go from `ps` raced: its command line is gone while its channel is still open, and a pass written
      // into that channel counts as received by it, and fails (it may be what killed it).
      while (!analysisChildren().some((pid) => !running.includes(pid))) await sleep(20);
      insertLines(log, document, 1);
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 2]]);

      // Killed with a pass sent to it: that pass fails or ends, whichever came first; the next is right.
      insertLines(log, document, 1);
      const [second] = analysisChildren();
      assert.ok(second && second !== first, 'a new analysis process runs');
      const killed = lint();
      process.kill(second, 'SIGKILL');
      await killed.catch((error: Error) => assert.match(error.message, /the analysis process stopped/));
      // (A pass that ended before the kill leaves the server unaware of it yet: wait for the new process, as above.)
      while (!analysisChildren().some((pid) => pid !== first && pid !== second)) await sleep(20);
      insertLines(log, document, 1);
      assert.deepEqual(findings(await lint()), [['HANG001', HAZARD_LINE + 4]]);
    });
  });
});
