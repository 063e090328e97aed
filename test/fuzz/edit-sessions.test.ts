/**
 * The short run of the edit-session fuzzer (edit-sessions.ts): random editor
 * sessions on an in-process Workspace, each pass compared with a new
 * Workspace on the same texts. A fixed seed and a fixed number of sessions,
 * so it is repeatable; `npm run fuzz -- --only edits` runs the long one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadWasmParser } from '../../src/python/parser.js';
import { applyEdit, editProjects, runEditFuzz, runSession, type Step } from './edit-sessions.js';

// The Workspace parses open documents incrementally with web-tree-sitter, which the server loads first.
await loadWasmParser();

/** Same sessions on every run; change it to explore, then keep any failure found as a regression case below. */
const SEED = 20_261_207;

function step(kind: Step['kind'], at: number, pick: number, more: Partial<Step> = {}): Step {
  return { kind, disk: false, file: 0, at, pick, ...more };
}

describe('edit sessions: every pass shows what a first pass over the same texts shows', () => {
  it('has projects: hand-written cross-file ones, the bench module, the examples and fixture projects', () => {
    const projects = editProjects();
    assert.ok(projects.length >= 10, `projects: ${projects.length}`);
    assert.ok(projects.some((project) => Object.keys(project.files).length >= 4), 'a project of several files');
  });

  it('edits do what they say: a comment above a definition moves every later line, a typed token gives one text per character', () => {
    const text = 'import asyncio\n\n\ndef run(fut):\n    return fut.result()\n';
    assert.deepEqual(applyEdit(text, step('comment', 3, 2), undefined), ['import asyncio\n\n\n# note 2\ndef run(fut):\n    return fut.result()\n']);
    assert.deepEqual(applyEdit(text, step('timeout', 0, 0), undefined), ['import asyncio\n\n\ndef run(fut):\n    return fut.result(timeout=5)\n']);
    const typed = applyEdit(text, step('type', 4, 3), undefined);
    assert.equal(typed.length, 'async '.length);
    assert.equal(typed.at(-1), 'import asyncio\n\n\ndef run(fut):\n    return fut.result()async \n');
    assert.deepEqual(applyEdit(text, step('undo', 0, 0), 'x = 1\n'), ['x = 1\n']);
  });

  it('the hand-written cross-file project: comments, a wait without a timeout, a SystemExit in a closed file, renames', () => {
    const outcome = runSession({
      project: 0,
      open: [0, 1],
      steps: [
        step('comment', 9, 1),
        step('blank', 0, 0),
        step('timeout', 0, 1),
        step('literal', 3, 5),
        step('system-exit', 0, 0, { disk: true, file: 1 }),
        step('rename-function', 0, 2, { disk: true, file: 0 }),
        step('noqa', 11, 0),
        step('undo', 0, 0),
        step('move-definition', 0, 2),
        step('async', 2, 3),
      ],
    });
    if (outcome.failure) assert.fail(outcome.failure);
    assert.ok(outcome.passes >= 10, `passes: ${outcome.passes}`);
    assert.ok(outcome.findings > 0, 'the passes compared findings, not only empty lists');
  });

  // Found by seed 20261207 (shrunk): a blank line above a definition the edit leaves alone. The
  // definition's facts were replayed with their Locs moved, but the line a `timeout = None` was on was a
  // bare number in the wait's fact: the message still named the old line.
  it('a blank line above a function whose timeout may be None: the message names the line it is on now', () => {
    const poll = `import asyncio

loop = asyncio.new_event_loop()


def poll(coro, retry):
    timeout = None
    if retry:
        timeout = 5
    fut = asyncio.run_coroutine_threadsafe(coro, loop)
    return fut.result(timeout=timeout)
`;
    const outcome = runSession(
      { project: 0, open: [0], steps: [step('blank', 0, 0), step('comment', 5, 1), step('delete-quiet', 0, 0)] },
      [{ name: 'poll.py', files: { 'poll.py': poll } }],
    );
    if (outcome.failure) assert.fail(outcome.failure);
    assert.equal(outcome.passes, 4);
    // The warning names the line `timeout = None` is on in the last text.
    const line = outcome.last.texts['poll.py']!.split('\n').indexOf('    timeout = None') + 1;
    const warnings = outcome.last.shown['poll.py']!.filter((shown) => shown.includes('"rule":"HANG001"'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, new RegExp(`is set to None on line ${line},`));
  });

  it('random sessions (fixed seed)', () => {
    const report = runEditFuzz({ count: 100, seed: SEED, timeLimitMs: 60_000 });
    for (const failure of report.failures) assert.fail(`seed ${failure.seed}, path ${failure.path}:\n${failure.failure}`);
    assert.ok(report.sessions >= 1);
    assert.ok(report.findings > 0, 'the sessions compared findings, not only empty lists');
  });
});
