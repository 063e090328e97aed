/**
 * Files named one by one (pre-commit) and `--stdin-filename` (editors) are
 * analysed with the rest of their project: cross-module findings are those of
 * a run over the whole project, and a finding in a file that was not named is
 * reported when its chain passes through a named one. The fixture project
 * (test/fixtures/cli/project-context): `shop/services.py` submits coroutines
 * that reach `sys.exit()` in `shop/helpers.py` through an alias and a module
 * attribute; `scripts/report.py` submits one of them from another package.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixtures, makeProject, removeProject, runPyhang } from './run-pyhang.js';

const project = path.join(fixtures, 'project-context');

interface JsonFile {
  filePath: string;
  messages: { ruleId: string; line: number; column: number; message: string }[];
}

function check(args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = runPyhang(['check', '--format', 'json', '--no-cache', ...args], { cwd: options.cwd ?? project, input: options.input });
  const files = JSON.parse(result.stdout) as JsonFile[];
  return { status: result.status, stderr: result.stderr, byFile: new Map(files.map((file) => [path.relative(project, file.filePath), file.messages])) };
}

describe('project context for named files and stdin', () => {
  let full: ReturnType<typeof check>;
  before(() => {
    full = check([]);
    assert.equal(full.status, 1, full.stderr);
  });

  it('the full run finds the two chains into shop/helpers.py (the reference)', () => {
    const services = full.byFile.get(path.join('shop', 'services.py'))!;
    assert.deepEqual(
      services.map((m) => `${m.ruleId} ${m.line}:${m.column}`),
      ['HANG002 13:12', 'HANG002 23:12'],
    );
    assert.match(services[0]!.message, /via `ensure\(\)` \(helpers\.py:9\): services\.py:17 hangs/);
  });

  it('a named file gets exactly the findings of the full run, from a subdirectory too', () => {
    const named = check(['shop/services.py']);
    assert.equal(named.status, 1, named.stderr);
    assert.deepEqual([...named.byFile.keys()], [path.join('shop', 'services.py')]);
    assert.deepEqual(named.byFile.get(path.join('shop', 'services.py')), full.byFile.get(path.join('shop', 'services.py')));
    const fromBelow = check(['services.py'], { cwd: path.join(project, 'shop') });
    assert.deepEqual(
      fromBelow.byFile.get(path.join('shop', 'services.py'))!.map((m) => `${m.ruleId} ${m.line}:${m.column}`),
      ['HANG002 13:12', 'HANG002 23:12'],
    );
  });

  it('naming only the helper reports the findings whose chain passes through it, in files not named', () => {
    const named = check(['shop/helpers.py']);
    assert.equal(named.status, 1, named.stderr);
    assert.deepEqual([...named.byFile.keys()].sort(), [path.join('shop', 'helpers.py'), path.join('shop', 'services.py')]);
    assert.deepEqual(named.byFile.get(path.join('shop', 'helpers.py')), []);
    assert.deepEqual(named.byFile.get(path.join('shop', 'services.py')), full.byFile.get(path.join('shop', 'services.py')));
  });

  it('a named file no chain passes through reports nothing of the others', () => {
    const named = check(['shop/views.py']);
    assert.equal(named.status, 0, named.stderr);
    assert.deepEqual([...named.byFile.keys()], [path.join('shop', 'views.py')]);
  });

  it('stdin is analysed with the project on disk, and its text stands for the file', () => {
    const services = fs.readFileSync(path.join(project, 'shop', 'services.py'), 'utf8');
    const same = check(['--stdin-filename', 'shop/services.py'], { input: services });
    assert.equal(same.status, 1, same.stderr);
    assert.deepEqual(same.byFile.get(path.join('shop', 'services.py')), full.byFile.get(path.join('shop', 'services.py')));
    // The editor's unsaved helper no longer exits: the findings in services.py (on disk) go.
    const helpers = fs.readFileSync(path.join(project, 'shop', 'helpers.py'), 'utf8');
    const fixed = check(['--stdin-filename', 'shop/helpers.py'], { input: helpers.replace('sys.exit(3)', 'raise RuntimeError(reason)') });
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.deepEqual([...fixed.byFile.keys()], [path.join('shop', 'helpers.py')]);
  });

  it('uses the cache: a second run answers the same', () => {
    const cache = makeProject({});
    try {
      const run = () => runPyhang(['check', '--format', 'json', '--cache-dir', path.join(cache, 'c'), 'shop/helpers.py'], { cwd: project });
      const first = run();
      assert.ok(fs.existsSync(path.join(cache, 'c')), 'the cache was written');
      assert.equal(run().stdout, first.stdout);
      assert.equal(first.status, 1);
    } finally {
      removeProject(cache);
    }
  });

  it('a file in no project (no [tool.pyhang], no repository above it) is checked alone, as before', () => {
    const alone = makeProject({
      'services.py': fs.readFileSync(path.join(project, 'shop', 'services.py'), 'utf8').replace(/from shop/g, 'from shop_'),
      'shop_/__init__.py': '',
      'shop_/helpers.py': fs.readFileSync(path.join(project, 'shop', 'helpers.py'), 'utf8'),
    });
    try {
      if (fs.existsSync(path.join(path.dirname(alone), '.git'))) return;
      const result = runPyhang(['check', '--format', 'compact', '--no-cache', 'services.py'], { cwd: alone });
      assert.equal(result.status, 0, result.stdout);
      // Named together, they are analysed together, as always.
      const both = runPyhang(['check', '--format', 'compact', '--no-cache', 'services.py', 'shop_/helpers.py'], { cwd: alone });
      assert.equal(both.status, 1, both.stdout);
    } finally {
      removeProject(alone);
    }
  });

  it('a directory under an invalid configuration is left out of the context, and the run says so', () => {
    const files: Record<string, string> = { 'vendor/broken/pyproject.toml': '[tool.pyhang]\nselekt = ["HANG001"]\n', 'vendor/broken/tool.py': 'x = 1\n' };
    for (const file of ['pyproject.toml', 'shop/__init__.py', 'shop/helpers.py', 'shop/services.py', 'shop/views.py', 'scripts/report.py']) {
      files[file] = fs.readFileSync(path.join(project, file), 'utf8');
    }
    const copy = makeProject(files);
    try {
      const named = runPyhang(['check', '--format', 'json', '--no-cache', path.join('shop', 'services.py')], { cwd: copy });
      const [services] = JSON.parse(named.stdout) as JsonFile[];
      // The chains into shop/helpers.py are still found: only vendor/broken is left out.
      assert.deepEqual(
        services!.messages.map((m) => [m.ruleId, m.line]),
        full.byFile.get(path.join('shop', 'services.py'))!.map((m) => [m.ruleId, m.line]),
      );
      assert.equal(named.status, 1);
      assert.equal(
        named.stderr,
        `pyhang: warning: ${path.join('vendor', 'broken')} is left out of the project context: ` +
          `${path.join('vendor', 'broken', 'pyproject.toml')}: [tool.pyhang] unknown key 'selekt' (did you mean 'select'?)\n`,
      );
      // A run over the project stops at the broken configuration, as before.
      assert.equal(runPyhang(['check', '--no-cache', '.'], { cwd: copy }).status, 2);
    } finally {
      removeProject(copy);
    }
  });

  after(() => fs.rmSync(path.join(project, '.pyhang_cache'), { recursive: true, force: true }));
});
