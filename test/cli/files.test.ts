/**
 * Which files `pyhang check` lints: .gitignore, default excludes, explicit
 * paths, --force-exclude, --exclude, symlinks, missing and duplicate paths.
 * These projects are made in a temporary directory: a `.gitignore` fixture
 * would hide its own files from git, and symlink loops do not belong in a repo.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixtures, runPyhang, findings, makeProject, removeProject, HAZARD } from './run-pyhang.js';

describe('file discovery', () => {
  let root = '';
  before(() => {
    root = makeProject({
      // An empty .git marks the repository root: .gitignore rules apply only inside a repository.
      '.git/info/exclude': 'local/\n',
      '.gitignore': 'generated/\n*.pyi\n',
      'src/app.py': HAZARD,
      'src/stub.pyi': HAZARD,
      'src/notes.txt': HAZARD,
      'generated/gen.py': HAZARD,
      'local/scratch.py': HAZARD,
      'keep/.gitignore': '!kept.pyi\n',
      'keep/kept.pyi': HAZARD,
      '.venv/lib/site.py': HAZARD,
      'node_modules/pkg/x.py': HAZARD,
      'pkg/build/out.py': HAZARD,
    });
    fs.symlinkSync('..', path.join(root, 'src', 'loop'));
    fs.symlinkSync(path.join('..', 'src', 'app.py'), path.join(root, 'keep', 'alias.py'));
  });
  after(() => removeProject(root));

  it('walks for .py and .pyi, skipping gitignored files, default excludes and symlinked directories', () => {
    const result = runPyhang(['check', '--format', 'compact'], { cwd: root });
    assert.equal(result.stderr, '');
    assert.deepEqual(findings(result.stdout), [
      // keep/alias.py is a symlink to src/app.py: linted once, under the file's own path.
      // keep/.gitignore re-includes kept.pyi.
      'keep/kept.pyi:7 HANG001',
      'src/app.py:7 HANG001',
    ]);
    assert.equal(result.status, 1);
  });

  it('lints files named on the command line even when excluded or gitignored', () => {
    const result = runPyhang(['check', '--format', 'compact', '.venv/lib/site.py', 'generated', 'src/notes.txt'], { cwd: root });
    assert.deepEqual(findings(result.stdout), [
      '.venv/lib/site.py:7 HANG001',
      'generated/gen.py:7 HANG001',
      'src/notes.txt:7 HANG001',
    ]);
  });

  it('--force-exclude applies excludes to named paths, and to the directories above them', () => {
    const result = runPyhang(['check', '--format', 'compact', '--force-exclude', '.venv/lib/site.py', 'pkg/build/out.py', 'src/app.py'], {
      cwd: root,
    });
    assert.deepEqual(findings(result.stdout), ['src/app.py:7 HANG001']);
  });

  it('--exclude adds a glob: without a slash it matches any basename, with one a path from the working directory', () => {
    const byName = runPyhang(['check', '--format', 'compact', '--exclude', 'app.py'], { cwd: root });
    // src/app.py is excluded, so its symlink keep/alias.py is now the one path that reaches it.
    assert.deepEqual(findings(byName.stdout), ['keep/alias.py:7 HANG001', 'keep/kept.pyi:7 HANG001']);
    const byPath = runPyhang(['check', '--format', 'compact', '--exclude', 'keep/*.pyi'], { cwd: root });
    assert.deepEqual(findings(byPath.stdout), ['src/app.py:7 HANG001']);
  });

  it('exclude in pyproject.toml replaces the defaults', (t) => {
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.pyhang]\nexclude = ["src"]\n');
    t.after(() => fs.rmSync(path.join(root, 'pyproject.toml')));
    const result = runPyhang(['check', '--format', 'compact'], { cwd: root });
    assert.deepEqual(findings(result.stdout), [
      '.venv/lib/site.py:7 HANG001',
      'keep/alias.py:7 HANG001',
      'keep/kept.pyi:7 HANG001',
      'node_modules/pkg/x.py:7 HANG001',
      'pkg/build/out.py:7 HANG001',
    ]);
  });

  it('a path given twice is linted once', () => {
    const result = runPyhang(['check', '--format', 'json', 'src', './src', 'src/app.py'], { cwd: root });
    const files = (JSON.parse(result.stdout) as { filePath: string }[]).map((r) => r.filePath);
    assert.deepEqual(files, [path.join(root, 'src', 'app.py')]);
  });
});

describe('missing paths', () => {
  it('one line per missing path, the other paths still reported, exit 2', () => {
    const result = runPyhang(['check', '--format', 'compact', 'nope.py', 'basic', 'gone/'], { cwd: fixtures });
    assert.equal(result.stderr, 'pyhang: path not found: nope.py\npyhang: path not found: gone/\n');
    assert.deepEqual(findings(result.stdout), ['basic/hazard.py:7 HANG001']);
    assert.equal(result.status, 2);
  });
});
