/**
 * The pre-commit hook, run by the real `pre-commit` (Debian package
 * `pre-commit`) from a throw-away git repository whose `.pre-commit-config.yaml`
 * points at this repository. pre-commit clones the hook repository at `rev`,
 * so this tests what is committed at HEAD: `npm install` there (the `prepare`
 * script builds dist/), `npm pack`, `npm install -g` of the tarball, then
 * `pyhang check` on the files. The first run installs, which takes a while.
 *
 * To try uncommitted changes, commit them in a clone and point
 * PYHANG_HOOK_REPO at it (the clone's HEAD is used).
 *
 * Without `pre-commit` the test fails and says how to install it, unless
 * PYHANG_SKIP_EDITOR_TESTS=1, which skips the tests that drive external tools.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, hazardSource } from '../test/integrations/helpers.js';

const skip = process.env['PYHANG_SKIP_EDITOR_TESTS'] === '1' ? 'PYHANG_SKIP_EDITOR_TESTS=1' : false;
const INSTALL_TIMEOUT = 5 * 60_000;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeout = 60_000) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function git(cwd: string, ...args: string[]) {
  const result = run('git', ['-c', 'user.name=pyhang tests', '-c', 'user.email=tests@pyhang.invalid', '-c', 'commit.gpgsign=false', ...args], cwd);
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.output}`);
  return result.output.trim();
}

describe('pre-commit hook', { skip }, () => {
  it('fails on a HANG001 hazard, showing the finding, and passes once a timeout is added', { timeout: INSTALL_TIMEOUT + 2 * 60_000 }, () => {
    const found = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
    if (found.error || found.status !== 0) {
      assert.fail('pre-commit is not installed: apt-get install pre-commit (or set PYHANG_SKIP_EDITOR_TESTS=1 to skip this test)');
    }
    const hookRepo = process.env['PYHANG_HOOK_REPO'] ?? repoRoot;
    const rev = git(hookRepo, 'rev-parse', 'HEAD');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-pre-commit-'));
    try {
      const project = path.join(work, 'project');
      const env = { PRE_COMMIT_HOME: path.join(work, 'pre-commit-home') };
      fs.mkdirSync(project);
      git(project, 'init', '-q', '.');
      fs.writeFileSync(
        path.join(project, '.pre-commit-config.yaml'),
        `repos:\n  - repo: ${JSON.stringify(path.resolve(hookRepo))}\n    rev: ${rev}\n    hooks:\n      - id: pyhang\n`,
      );
      fs.writeFileSync(path.join(project, 'hazard.py'), hazardSource());
      git(project, 'add', '.');
      git(project, 'commit', '-q', '-m', 'a hazard');

      const failing = run('pre-commit', ['run', '--files', 'hazard.py'], project, env, INSTALL_TIMEOUT);
      assert.notEqual(failing.status, 0, failing.output);
      assert.match(failing.output, /pyhang\.+Failed/, failing.output);
      assert.match(failing.output, /hazard\.py/, failing.output);
      assert.match(failing.output, /6:4-6:13 +error +`fut\.result\(\)` can block forever without a timeout.* HANG001/, failing.output);

      fs.writeFileSync(path.join(project, 'hazard.py'), hazardSource().replace('fut.result()', 'fut.result(timeout=30)'));
      // pre-commit checks what is staged (it stashes unstaged changes), so stage the fix.
      git(project, 'add', 'hazard.py');
      const passing = run('pre-commit', ['run', '--files', 'hazard.py'], project, env, 2 * 60_000);
      assert.equal(passing.status, 0, passing.output);
      assert.match(passing.output, /pyhang\.+Passed/, passing.output);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
