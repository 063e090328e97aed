/**
 * Where the cache may live. An unset variable in `--cache-dir "$CACHE"` gives
 * `--cache-dir ''`, the working directory: a `.gitignore` holding `*` written
 * there hid every new file from git, and every later run found no Python
 * files. pyhang refuses a cache directory that is the working directory, a
 * project's root or a directory holding Python sources, and writes its
 * catch-all `.gitignore` only into a directory it created itself.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HAZARD, makeProject, removeProject, runPyhang } from './helpers.js';

const project = (): string => makeProject({ 'pyproject.toml': '[project]\nname = "demo"\n', 'src/app/hazard.py': HAZARD, 'docs/readme.txt': 'hello\n' });

function assertRefused(args: string[], cwd: string, shownDir: string): void {
  const result = runPyhang(['check', '--format', 'compact', ...args], { cwd });
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stdout, '', 'nothing is checked: the usage error comes first');
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, result.stderr);
  assert.ok(lines[0]!.startsWith(`pyhang: --cache-dir ${shownDir}: `), lines[0]);
}

describe('--cache-dir', () => {
  for (const [given, shown] of [
    ['', "''"],
    ['.', '.'],
    ['./', './'],
  ] as const) {
    it(`refuses ${shown} (the working directory) and writes nothing there`, (t) => {
      const root = project();
      t.after(() => removeProject(root));
      const before = fs.readdirSync(root).sort();
      assertRefused(['--cache-dir', given], root, shown);
      assert.deepEqual(fs.readdirSync(root).sort(), before, 'no .gitignore, no cache file in the project root');
    });
  }

  it('refuses the project root named from a subdirectory, and a directory above the working directory', (t) => {
    const root = project();
    t.after(() => removeProject(root));
    assertRefused(['--cache-dir', '../..', '.'], path.join(root, 'src', 'app'), '../..');
    assertRefused(['--cache-dir', '..', '.'], path.join(root, 'src', 'app'), '..');
    assert.equal(fs.existsSync(path.join(root, '.gitignore')), false);
    assert.equal(fs.existsSync(path.join(root, 'src', '.gitignore')), false);
  });

  it('refuses a directory that holds Python sources', (t) => {
    const root = project();
    t.after(() => removeProject(root));
    assertRefused(['--cache-dir', 'src', 'src'], root, 'src');
    assertRefused(['--cache-dir', 'src/app', 'docs'], root, 'src/app');
    assert.deepEqual(fs.readdirSync(path.join(root, 'src', 'app')), ['hazard.py']);
  });

  it('a directory it creates gets the catch-all .gitignore; one that already existed does not', (t) => {
    const root = project();
    t.after(() => removeProject(root));
    const created = runPyhang(['check', '--cache-dir', 'build/cache', '--format', 'compact'], { cwd: root });
    assert.equal(created.status, 1, created.stderr);
    assert.equal(fs.readFileSync(path.join(root, 'build', 'cache', '.gitignore'), 'utf8'), '# Automatically created by pyhang.\n*\n');
    assert.equal(fs.existsSync(path.join(root, 'build', '.gitignore')), false);

    const existing = runPyhang(['check', '--cache-dir', 'docs', '--format', 'compact'], { cwd: root });
    assert.equal(existing.status, 1, existing.stderr);
    assert.equal(existing.stdout, created.stdout);
    assert.ok(fs.existsSync(path.join(root, 'docs', 'analyses.jsonl')), 'the cache is kept there');
    assert.equal(fs.existsSync(path.join(root, 'docs', '.gitignore')), false, 'but the directory is not hidden from git');
  });

  it('--no-cache makes --cache-dir moot', (t) => {
    const root = project();
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--no-cache', '--cache-dir', '', '--format', 'compact'], { cwd: root });
    assert.equal(result.status, 1, result.stderr);
  });
});
