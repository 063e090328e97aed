/**
 * Findings are printed as each file's are final, not all at the end of the
 * run, and a progress line is drawn on a terminal only. What is asserted is
 * the order of events (a file handed over before the rules look at the next;
 * the first findings on stdout before the run has finished), never how long
 * anything took.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lint } from '../../src/engine/lint.js';
import type { Rule } from '../../src/engine/rule.js';
import { defaultSettings } from '../../src/config/settings.js';
import { rules } from '../../rules/index.js';
import { HANG001 } from '../../rules/HANG001.js';
import { HAZARD, makeProject, removeProject, repoRoot, runPyhang, spawnPyhang } from './run-pyhang.js';

const settings = defaultSettings('/virtual');

/** A module with `count` unbounded waits on a threadsafe future, reached through a wrapper: one HANG001 each. */
function manyWaits(count: number): string {
  const waits = Array.from({ length: count }, (_, i) => `    v${String(i).padStart(3, '0')} = handle.result()\n`).join('');
  return `import asyncio
loop = asyncio.new_event_loop()
async def work():
    return 1
def submit(coro):
    return asyncio.run_coroutine_threadsafe(coro, loop)
def collect():
    handle = submit(work())
${waits}`;
}

describe('lint() hands each file over as soon as its messages are final (LintOptions.onFile)', () => {
  it('in path order, each file before the rules look at the next one, with its messages sorted', () => {
    const events: string[] = [];
    // Runs after HANG001 on each file: the moment the rules look at a file.
    const recorder: Rule = {
      meta: { ...HANG001.meta, code: 'TEST950', name: 'records-checks', messages: {} },
      triggers: [],
      check(context) {
        events.push(`rules ${context.facts.module}`);
      },
    };
    // Given out of order: lint() reports by path whatever the order of its sources.
    const sources = ['c', 'a', 'b'].map((name) => ({ path: `/virtual/${name}.py`, text: HAZARD }));
    const files = lint(sources, {
      settingsFor: () => settings,
      rules: [...rules, recorder],
      onFile: (file) => events.push(`file ${path.basename(file.path, '.py')} ${file.messages.map((m) => `${m.line} ${m.ruleId}`).join(', ')}`),
    });
    assert.deepEqual(events, ['rules a', 'file a 7 HANG001', 'rules b', 'file b 7 HANG001', 'rules c', 'file c 7 HANG001']);
    assert.deepEqual(
      files.map((file) => path.basename(file.path)),
      ['a.py', 'b.py', 'c.py'],
    );
  });

  it('tells how many first looks are done, of how many, up to all of them', () => {
    const seen: [number, number][] = [];
    const sources = ['a', 'b', 'c'].map((name) => ({ path: `/virtual/${name}.py`, text: name === 'b' ? HAZARD : 'x = 1\n' }));
    lint(sources, { settingsFor: () => settings, onProgress: (looked, total) => seen.push([looked, total]) });
    // Sources in memory have their first look at once (there is nothing to read): the count starts complete.
    assert.deepEqual(seen.at(-1), [3, 3]);
    assert.ok(seen.every(([looked, total]) => total === 3 && looked <= 3));
  });
});

describe('pyhang check streams its findings', () => {
  it('the first findings are on stdout while the run is still going: before it finishes and saves its last run', async (t) => {
    // Far more output than a pipe holds: while the test does not read, the run cannot finish printing.
    const files: Record<string, string> = {};
    for (let i = 0; i < 100; i++) files[`mod_${String(i).padStart(3, '0')}.py`] = manyWaits(100);
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const lastRun = path.join(root, '.pyhang_cache', 'last-run.json');

    const child = spawnPyhang(['check', '--format', 'compact', '--jobs', '1'], { cwd: root });
    const chunks: Buffer[] = [];
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The first output, and then nothing read until the state of the run has been looked at.
    const first = await new Promise<Buffer>((resolve) =>
      child.stdout!.once('data', (chunk: Buffer) => {
        child.stdout!.pause();
        resolve(chunk);
      }),
    );
    const finishedWhenFirstPrinted = fs.existsSync(lastRun);
    chunks.push(first);
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout!.resume();
    const status = await exited;

    assert.match(first.toString('utf8'), /^mod_000\.py:9:18: HANG001 /, 'the first file in path order comes first');
    assert.equal(finishedWhenFirstPrinted, false, 'the first findings were printed only after the run had finished');
    assert.ok(fs.existsSync(lastRun), 'the run saves its last run when it has finished');
    assert.equal(status, 1);
    // All of it, in path order, each file's in line order.
    const printed = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
    const expected = Object.keys(files).flatMap((file) => Array.from({ length: 100 }, (_, i) => `${file}:${9 + i}:18: HANG001 \`handle.result()\` can block forever without a timeout`));
    assert.deepEqual(printed, expected);
  });

  for (const format of ['stylish', 'compact', 'github', 'json-lines']) {
    it(`${format}: what is streamed is the report -o FILE writes whole, summary and exit code included`, (t) => {
      const root = makeProject({
        'a.py': HAZARD,
        'b/clean.py': 'x = 1\n',
        'b/waits.py': manyWaits(3),
        'c.py': `# -*- coding: uft-8 -*-\n${HAZARD}`,
      });
      t.after(() => removeProject(root));
      const streamed = runPyhang(['check', '--no-cache', '--format', format], { cwd: root });
      const whole = runPyhang(['check', '--no-cache', '--format', format, '-o', 'report.txt'], { cwd: root });
      assert.equal(streamed.stdout, fs.readFileSync(path.join(root, 'report.txt'), 'utf8'));
      assert.equal(streamed.status, whole.status);
      assert.equal(streamed.status, 1);
      assert.match(streamed.stdout, /waits\.py/);
    });
  }

  it('stylish: one group per file, columns aligned within it, then the summary line of the whole run', (t) => {
    const root = makeProject({ 'a.py': HAZARD, 'b.py': manyWaits(2), 'c.py': `# -*- coding: uft-8 -*-\n${HAZARD}` });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--no-cache'], { cwd: root });
    assert.equal(
      result.stdout,
      [
        'a.py',
        '7:10-7:19 error `fut.result()` can block forever without a timeout HANG001 pyhang',
        '',
        'b.py',
        '9:18-9:27   error `handle.result()` can block forever without a timeout HANG001 pyhang',
        '10:18-10:27 error `handle.result()` can block forever without a timeout HANG001 pyhang',
        '',
        'c.py',
        "1:1-1:1 warning Unknown encoding 'uft-8' in the coding cookie decode-error pyhang",
        '',
        '4 messages (✖ 3 errors, ⚠ 1 warning)',
        '',
      ].join('\n'),
    );
  });
});

/** Runs the binary under a pseudo-terminal (util-linux `script`): stdout and stderr both go to it, in the order written. */
function underTerminal(args: string[], cwd: string, env: Record<string, string> = {}): { transcript: string; status: number | null } {
  const bin = path.join(repoRoot, 'bin', 'pyhang.js');
  const command = [process.execPath, bin, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  if (!('CI' in env)) delete childEnv['CI'];
  delete childEnv['NO_COLOR'];
  delete childEnv['FORCE_COLOR'];
  const result = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd, env: childEnv, encoding: 'utf8', input: '', timeout: 120_000 });
  if (result.error) throw result.error;
  return { transcript: result.stdout, status: result.status };
}

const scriptAvailable = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const ERASE = '\r\u001B[K';
/** PYHANG_PROGRESS_AFTER_MS=0: the line is drawn from the first file on, however fast the machine. */
const AT_ONCE = { PYHANG_PROGRESS_AFTER_MS: '0' };

describe('the progress line', { skip: scriptAvailable ? false : 'util-linux script is not installed' }, () => {
  // Enough files for worker threads and for several first looks to be counted.
  const files: Record<string, string> = { 'a_hazard.py': HAZARD };
  for (let i = 0; i < 80; i++) files[`plain_${i}.py`] = `x = ${i}\n`;

  it('is drawn on a terminal, erased before the first finding, and gone at the end', (t) => {
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const { transcript, status } = underTerminal(['check', '--no-cache', '--format', 'compact'], root, AT_ONCE);
    assert.equal(status, 1);
    assert.match(transcript, /checked \d+ \/ 81 files…/);
    const finding = transcript.indexOf('a_hazard.py:7:10: HANG001');
    assert.ok(finding > 0, transcript);
    const before = transcript.slice(0, finding);
    assert.ok(before.endsWith(ERASE), `the line is erased right before the finding: ${JSON.stringify(before.slice(-40))}`);
    // Nothing of it after the finding: the run's output ends as without it.
    assert.doesNotMatch(transcript.slice(finding), /checked/);
  });

  it('is erased at the end of a run with nothing to print', (t) => {
    const root = makeProject(Object.fromEntries(Object.entries(files).filter(([name]) => name !== 'a_hazard.py')));
    t.after(() => removeProject(root));
    const { transcript, status } = underTerminal(['check', '--no-cache', '--format', 'compact'], root, AT_ONCE);
    assert.equal(status, 0);
    assert.match(transcript, /checked \d+ \/ 80 files…/);
    assert.ok(transcript.endsWith(ERASE), JSON.stringify(transcript.slice(-40)));
  });

  for (const [name, args, env] of [
    ['in CI (CI set)', [], { ...AT_ONCE, CI: 'true' }],
    ['with --no-progress', ['--no-progress'], AT_ONCE],
    ['with --quiet', ['--quiet'], AT_ONCE],
  ] as const) {
    it(`is not drawn ${name}`, (t) => {
      const root = makeProject(files);
      t.after(() => removeProject(root));
      const { transcript } = underTerminal(['check', '--no-cache', '--format', 'compact', ...args], root, env);
      assert.doesNotMatch(transcript, /checked|\u001B\[K/);
      assert.match(transcript, /a_hazard\.py:7:10: HANG001/);
    });
  }

  it('is not drawn when stderr is not a terminal', (t) => {
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd: root, env: AT_ONCE });
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^a_hazard\.py:7:10: HANG001/);
  });
});
