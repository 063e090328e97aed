/**
 * Nothing is executed or written that should not be. pyhang reads the code it
 * checks and its configuration as text: it never imports, runs or evaluates
 * them, never starts a Python interpreter, and writes nothing into the project
 * but its cache directory (`.pyhang_cache/`) and, with `--fix`, the files it
 * fixes.
 *
 * test/fixtures/hardening/side-effects is a project whose every entry point
 * would leave a marker file if it ran: a package that writes one at import, a
 * conftest.py, setup.py, sitecustomize.py, usercustomize.py, __main__.py and a
 * .pth file, and a pyproject.toml full of values that would do harm if
 * evaluated. A fake `python`/`python3` first on PATH leaves a marker too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, findings, hardeningFixtures, outputFormats, runPyhang, treeListing } from './helpers.js';

const FIXTURE = path.join(hardeningFixtures, 'side-effects');

/** Path → SHA-256 of every file under `root` (directories as `dir/`). */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of treeListing(root)) {
    const full = path.join(root, entry);
    out.set(entry, entry.endsWith('/') ? 'dir' : crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
  }
  return out;
}

function withoutCache(listing: Map<string, string>): Map<string, string> {
  return new Map([...listing].filter(([entry]) => !entry.startsWith('.pyhang_cache/')));
}

interface Sandbox {
  project: string;
  env: Record<string, string>;
  /** Where the fake interpreters write, outside the project. */
  interpreterMarker: string;
  cleanup: () => void;
}

/** A copy of the fixture, and a PATH whose first python/python3 leave a marker when run. */
function sandbox(): Sandbox {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-no-exec-'));
  const project = path.join(base, 'project');
  fs.cpSync(FIXTURE, project, { recursive: true });
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  const interpreterMarker = path.join(base, 'MARKER-interpreter');
  for (const name of ['python', 'python3', 'pip', 'pytest']) {
    const script = path.join(bin, name);
    fs.writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${interpreterMarker}'\nexit 0\n`);
    fs.chmodSync(script, 0o755);
  }
  return {
    project,
    env: { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` },
    interpreterMarker,
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}

function markersUnder(root: string): string[] {
  return treeListing(root).filter((entry) => path.basename(entry).startsWith('MARKER'));
}

describe('nothing is executed', () => {
  it('checking the project, in every format, runs none of its code and writes nothing but .pyhang_cache/', (t) => {
    const box = sandbox();
    t.after(box.cleanup);
    const before = snapshot(box.project);
    for (const format of outputFormats()) {
      // With the cache (the default) from the project's root, as a user runs it.
      const result = runPyhang(['check', '--format', format], { cwd: box.project, env: box.env });
      assert.equal(result.status, 1, `${format}: the fixture's hazards are found\n${result.stderr}`);
      assert.equal(result.stderr, '', format);
    }
    const result = runPyhang(['check', '--format', 'compact', '--no-prefilter'], { cwd: box.project, env: box.env });
    assert.deepEqual(findings(result.stdout), ['pkg/bridge.py:11 HANG002', 'pkg/bridge.py:15 HANG001']);
    runPyhang(['check', '--statistics'], { cwd: box.project, env: box.env });

    const after = snapshot(box.project);
    assert.deepEqual(markersUnder(box.project), [], 'no marker file: nothing was imported, run or evaluated');
    assert.equal(fs.existsSync(box.interpreterMarker), false, 'no Python interpreter, pip or pytest was started');
    assert.deepEqual(withoutCache(after), before, 'every file is byte for byte as it was, and no file was added');
    const added = [...after.keys()].filter((entry) => !before.has(entry));
    assert.ok(added.every((entry) => entry.startsWith('.pyhang_cache')), `written outside .pyhang_cache/: ${added}`);
  });

  it('--diff writes nothing at all; --no-cache writes nothing either', (t) => {
    const box = sandbox();
    t.after(box.cleanup);
    const before = snapshot(box.project);
    const diff = runPyhang(['check', '--diff', '--unsafe-fixes', '--no-cache'], { cwd: box.project, env: box.env });
    assert.match(diff.stdout, /timeout=0\.5/, 'the fix uses fix-timeout from the odd pyproject.toml');
    check(['--format', 'json'], box.project, box.env);
    assert.deepEqual(snapshot(box.project), before);
    assert.equal(fs.existsSync(box.interpreterMarker), false);
  });

  it('--fix writes only the files it fixes, atomically (no temporary file left), and runs nothing', (t) => {
    const box = sandbox();
    t.after(box.cleanup);
    const before = snapshot(box.project);
    const result = runPyhang(['check', '--fix', '--unsafe-fixes', '--no-cache', '--format', 'compact'], { cwd: box.project, env: box.env });
    assert.notEqual(result.status, 2, result.stderr);
    const after = snapshot(box.project);
    assert.deepEqual([...after.keys()], [...before.keys()], 'no file added or removed');
    const changed = [...after].filter(([entry, hash]) => before.get(entry) !== hash).map(([entry]) => entry);
    assert.deepEqual(changed, ['pkg/bridge.py']);
    assert.match(fs.readFileSync(path.join(box.project, 'pkg', 'bridge.py'), 'utf8'), /fut\.result\(timeout=0\.5\)/);
    assert.deepEqual(markersUnder(box.project), []);
    assert.equal(fs.existsSync(box.interpreterMarker), false);
  });

  it('the language of the configuration is TOML only: a pyproject.toml that is Python is an error, not code', (t) => {
    const box = sandbox();
    t.after(box.cleanup);
    fs.writeFileSync(path.join(box.project, 'pyproject.toml'), 'import os\nos.system("touch MARKER-config")\n[tool.pyhang]\n');
    const result = check(['--format', 'compact'], box.project, box.env);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^pyhang: .*pyproject\.toml.*invalid TOML/);
    assert.deepEqual(markersUnder(box.project), []);
  });
});
