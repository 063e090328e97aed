/**
 * Inputs that used to hang pyhang or grow it without bound: a `.py` swapped
 * for a named pipe during a run (nobody ever writes to it), `--config` naming
 * a pipe or `/dev/zero`, and an exclude glob whose matching was exponential.
 *
 * Each run has a hard limit: a run that hangs is killed (SIGKILL, the whole
 * process and its threads) and fails the test, rather than hanging the suite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findings, hardeningFixtures, makeProject, removeProject, repoRoot, HAZARD } from './helpers.js';

const bin = path.join(repoRoot, 'bin', 'pyhang.js');
/** Far above what any of these runs needs (well under a second each); only a hang reaches it. */
const HARD_LIMIT_MS = 30_000;
const noFifos = { skip: os.platform() === 'win32' ? 'no named pipes' : false };

interface Bounded {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runBounded(args: string[], cwd: string, env: Record<string, string> = {}): Bounded {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    input: '',
    encoding: 'utf8',
    timeout: HARD_LIMIT_MS,
    killSignal: 'SIGKILL',
  });
  assert.notEqual(result.signal, 'SIGKILL', `pyhang ${args.join(' ')} hung and was killed; stderr:\n${result.stderr}`);
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Replaces `files` by named pipes just as pyhang first opens them (see read-failures.mjs). */
function swapForFifo(files: string[]): Record<string, string> {
  const preload = pathToFileURL(path.join(hardeningFixtures, 'read-failures.mjs')).href;
  return {
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${preload}`.trim(),
    PYHANG_TEST_FIFO: files.join(path.delimiter),
  };
}

/** A project holding hazard.py and a named pipe at `pipe` (relative), removed after the test. */
function projectWithPipe(t: { after: (fn: () => void) => void }, pipe: string): string {
  const root = makeProject({ 'hazard.py': HAZARD });
  t.after(() => removeProject(root));
  fs.mkdirSync(path.dirname(path.join(root, pipe)), { recursive: true });
  execFileSync('mkfifo', [path.join(root, pipe)]);
  return root;
}

describe('named pipes and devices', () => {
  for (const mode of [['--format', 'compact'], ['--format', 'full'], ['--fix', '--format', 'compact'], ['--diff', '--unsafe-fixes']]) {
    it(`a .py swapped for a named pipe during the run is an io-error, not a hang (${mode.join(' ')})`, noFifos, (t) => {
      const root = makeProject({ 'a_pipe.py': HAZARD, 'b_stays.py': HAZARD });
      t.after(() => removeProject(root));
      const pipe = path.join(root, 'a_pipe.py');
      const result = runBounded(['check', '--no-cache', ...mode], root, swapForFifo([pipe]));
      assert.ok(fs.statSync(pipe).isFIFO(), 'the file really was a pipe when pyhang opened it');
      if (mode[0] === '--diff') {
        // --diff prints only changes: the pipe is left out, the other file's fix is shown.
        assert.match(result.stdout, /^\+\+\+ .*b_stays\.py/m);
        assert.doesNotMatch(result.stdout, /a_pipe/);
        return;
      }
      assert.match(result.stdout, /a_pipe\.py:1:1: io-error .*not a regular file/);
      if (mode[0] !== '--fix') assert.deepEqual(findings(result.stdout.split('\n').filter((line) => /^\S+:\d+:\d+: /.test(line)).join('\n')), ['a_pipe.py:1 io-error', 'b_stays.py:7 HANG001']);
      assert.notEqual(result.status, 2, result.stderr);
    });
  }

  it('a named pipe called x.py met while walking is passed over; one named on the command line is a usage problem', noFifos, (t) => {
    const root = projectWithPipe(t, 'pipe.py');
    const walked = runBounded(['check', '--no-cache', '--format', 'compact'], root);
    assert.deepEqual(findings(walked.stdout), ['hazard.py:7 HANG001']);
    assert.equal(walked.status, 1, walked.stderr);
    const named = runBounded(['check', '--no-cache', '--format', 'compact', 'pipe.py', 'hazard.py'], root);
    assert.equal(named.status, 2);
    assert.equal(named.stderr, 'pyhang: not a file or directory: pipe.py\n');
    assert.deepEqual(findings(named.stdout), ['hazard.py:7 HANG001']);
  });

  it('a named pipe left in the cache directory in place of last-run.json is passed over', noFifos, (t) => {
    const root = projectWithPipe(t, '.pyhang_cache/last-run.json');
    const result = runBounded(['check', '--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), ['hazard.py:7 HANG001']);
    assert.equal(result.status, 1, result.stderr);
  });

  it('a named pipe in place of the cache file (analyses.jsonl) is passed over, and the cache is written anew', noFifos, (t) => {
    const root = projectWithPipe(t, '.pyhang_cache/analyses.jsonl');
    const result = runBounded(['check', '--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), ['hazard.py:7 HANG001']);
    assert.equal(result.status, 1, result.stderr);
    assert.ok(fs.lstatSync(path.join(root, '.pyhang_cache', 'analyses.jsonl')).isFile(), 'the pipe was replaced by a cache file');
  });

  it('--config naming a named pipe is refused (exit 2, naming it), not waited on', noFifos, (t) => {
    const root = projectWithPipe(t, 'pipe.toml');
    const result = runBounded(['check', '--no-cache', '--config', 'pipe.toml'], root);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^pyhang: pipe\.toml: cannot read config file \(not a regular file\)\n$/);
  });

  it('--config /dev/zero is refused, not read until memory runs out', { skip: fs.existsSync('/dev/zero') ? false : 'no /dev/zero' }, (t) => {
    const root = makeProject({ 'hazard.py': HAZARD });
    t.after(() => removeProject(root));
    const result = runBounded(['check', '--no-cache', '--config', '/dev/zero'], root);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^pyhang: \/dev\/zero: cannot read config file \(not a regular file\)\n$/);
  });

  it('a config file over 1 MiB is refused, naming it', (t) => {
    const big = `[tool.pyhang]\nselect = ["HANG001"]\n${'# padding\n'.repeat(110_000)}`;
    const root = makeProject({ 'hazard.py': HAZARD, 'pyproject.toml': big });
    t.after(() => removeProject(root));
    for (const args of [[], ['--config', 'pyproject.toml']]) {
      const result = runBounded(['check', '--no-cache', ...args], root);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /^pyhang: pyproject\.toml: config file is larger than 1 MiB\n$/);
    }
  });
});

describe('exclude globs', () => {
  // Matched as a backtracking regular expression, this took 13 s on a 40-character name and
  // minutes on 50: each `*` multiplied the positions to try.
  const glob = '*a*a*a*a*a*a*a*a*a*a*a*b';
  const longName = `${'a'.repeat(50)}.py`;

  it('a glob of many stars is matched in bounded time, from --exclude, exclude and per-file-ignores', (t) => {
    const root = makeProject({ [longName]: HAZARD, [`${'a'.repeat(48)}b.py`]: HAZARD, 'sub/b.py': HAZARD });
    t.after(() => removeProject(root));
    const flag = runBounded(['check', '--no-cache', '--format', 'compact', '--exclude', `${glob}.py`], root);
    assert.deepEqual(findings(flag.stdout), [`${longName}:7 HANG001`, 'sub/b.py:7 HANG001']);

    fs.writeFileSync(path.join(root, 'pyproject.toml'), `[tool.pyhang]\nextend-exclude = ["${glob}.py"]\nper-file-ignores = { "${glob}" = ["HANG001"], "**/${glob}.py" = ["HANG001"] }\n`);
    const config = runBounded(['check', '--no-cache', '--format', 'compact'], root);
    assert.deepEqual(findings(config.stdout), [`${longName}:7 HANG001`, 'sub/b.py:7 HANG001']);
  });
});
