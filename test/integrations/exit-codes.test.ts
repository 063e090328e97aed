/**
 * Flags for CI: `--exit-zero`, `--max-warnings N` and `--statistics`.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runPyhang, tempProject, removeProject, hazardSource, allRules } from './helpers.js';

/** `count` HANG001 findings (errors) in one file. */
function manyHazards(count: number): string {
  return hazardSource('') + Array.from({ length: count - 1 }, () => 'fut.result()\n').join('');
}

const DISCARD = 'import asyncio\nloop = asyncio.new_event_loop()\nasync def work():\n    return 1\nasyncio.run_coroutine_threadsafe(work(), loop)\n';

describe('--exit-zero', () => {
  let root: string;
  before(() => {
    root = tempProject({ 'hazard.py': hazardSource() });
  });
  after(() => removeProject(root));

  it('exits 0 even with errors, and still reports them', () => {
    const result = runPyhang(['check', '--exit-zero', '--format', 'compact'], { cwd: root });
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^hazard\.py:6:4: HANG001 /);
  });

  it('still exits 2 for a path that does not exist', () => {
    const result = runPyhang(['check', '--exit-zero', 'hazard.py', 'missing.py'], { cwd: root });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /missing\.py/);
  });
});

describe('--max-warnings', () => {
  let root: string;
  before(() => {
    root = tempProject({
      'warn/one.py': DISCARD,
      'warn/two.py': DISCARD,
      'error/hazard.py': hazardSource(),
      'syntax/broken.py': 'def f(:\n    pass\n',
    });
  });
  after(() => removeProject(root));

  it('passes when the warnings are no more than N', () => {
    assert.equal(runPyhang(['check', '--max-warnings', '2', 'warn'], { cwd: root }).status, 0);
    assert.equal(runPyhang(['check', '--max-warnings', '5', 'warn'], { cwd: root }).status, 0);
  });

  it('fails when there are more than N warnings, and says so', () => {
    const result = runPyhang(['check', '--max-warnings', '1', 'warn'], { cwd: root });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'pyhang: too many warnings (2, maximum: 1)\n');
    assert.equal(runPyhang(['check', '--max-warnings', '0', 'warn'], { cwd: root }).status, 1);
  });

  it('always fails on errors', () => {
    assert.equal(runPyhang(['check', '--max-warnings', '100', 'error'], { cwd: root }).status, 1);
  });

  it('does not count file problems that are warnings (they never fail the run)', () => {
    assert.equal(runPyhang(['check', '--max-warnings', '0', 'syntax'], { cwd: root }).status, 0);
  });

  it('gives way to --exit-zero', () => {
    assert.equal(runPyhang(['check', '--max-warnings', '0', '--exit-zero', 'warn'], { cwd: root }).status, 0);
  });

  it('rejects a value that is not a whole number of 0 or more, with exit 2', () => {
    for (const value of ['-1', 'x', '1.5', '']) {
      const result = runPyhang(['check', '--max-warnings', value, 'warn'], { cwd: root });
      assert.equal(result.status, 2, value);
      assert.match(result.stderr, /^pyhang: option '--max-warnings <n>' argument '.*' is invalid/, value);
    }
  });
});

describe('--statistics', () => {
  let root: string;
  before(() => {
    root = tempProject({ 'hazards.py': manyHazards(12), 'discard.py': DISCARD });
  });
  after(() => removeProject(root));

  it('prints the count per rule after the report, most frequent first, counts right-aligned', () => {
    const result = runPyhang(['check', '--statistics', '--format', 'compact'], { cwd: root });
    assert.equal(result.status, 1);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 13 + 2);
    assert.deepEqual(lines.slice(-2), ['12\tHANG001\tthreadsafe-result-without-timeout', ' 1\tHANG004\tthreadsafe-future-discarded']);
  });

  it('marks the rules whose fixes the flags would apply', () => {
    const result = runPyhang(['check', '--statistics', '--unsafe-fixes', '--format', 'compact'], { cwd: root });
    assert.deepEqual(result.stdout.trimEnd().split('\n').slice(-2), [
      '12\tHANG001\t[*] threadsafe-result-without-timeout',
      ' 1\tHANG004\t[ ] threadsafe-future-discarded',
    ]);
  });

  it('lists file problems by their code', () => {
    const result = runPyhang(['check', '--statistics', '--format', 'compact'], { cwd: allRules });
    assert.deepEqual(result.stdout.trimEnd().split('\n').slice(-10), [
      // HANG100's fix is safe, so the table marks which rules --fix would fix.
      '1\tHANG001     \t[ ] threadsafe-result-without-timeout',
      '1\tHANG002     \t[ ] coroutine-raises-base-exit',
      '1\tHANG003     \t[ ] blocking-result-in-coroutine',
      '1\tHANG004     \t[ ] threadsafe-future-discarded',
      '1\tHANG005     \t[ ] blocking-wait-on-own-loop',
      '1\tHANG006     \t[ ] loop-callback-raises-base-exit',
      '1\tHANG007     \t[ ] plain-future-without-timeout',
      '1\tHANG008     \t[ ] unbounded-done-poll',
      '1\tHANG100     \t[*] unused-noqa',
      '1\tsyntax-error\t[ ]',
    ]);
  });

  it('keeps JSON output parseable: the statistics go to stderr', () => {
    const result = runPyhang(['check', '--statistics', '--format', 'json'], { cwd: root });
    assert.equal(JSON.parse(result.stdout).length, 2);
    assert.equal(result.stderr, '12\tHANG001\tthreadsafe-result-without-timeout\n 1\tHANG004\tthreadsafe-future-discarded\n');
  });

  it('prints nothing more for a clean project', () => {
    const clean = tempProject({ 'ok.py': 'x = 1\n' });
    try {
      const result = runPyhang(['check', '--statistics'], { cwd: clean });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, '');
    } finally {
      removeProject(clean);
    }
  });
});
