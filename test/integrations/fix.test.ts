/**
 * `pyhang check --fix`, `--unsafe-fixes` and `--diff`, on files in temporary
 * projects, through the built binary: what is written (byte for byte, in the
 * file's own encoding and line endings), what is refused, how it is written
 * (atomically, keeping the mode), what is reported afterwards, and that a
 * second run changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runPyhang, runPyhangBytes, tempProject, removeProject, hazardSource, allRules } from './helpers.js';

const FIXED = hazardSource().replace('fut.result()', 'fut.result(timeout=30)');
const HIDDEN = '1 hidden fix can be enabled with the --unsafe-fixes option.\n';

function read(root: string, file: string): Buffer {
  return fs.readFileSync(path.join(root, file));
}

/** `bytes` with `inserted` put in at the byte offset just after the first `marker`. */
function insertAfter(bytes: Buffer, marker: string, inserted: string): Buffer {
  const at = bytes.indexOf(Buffer.from(marker, 'latin1')) + marker.length;
  assert.ok(at >= marker.length, `no ${marker} in the bytes`);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(inserted, 'latin1'), bytes.subarray(at)]);
}

describe('--fix', () => {
  it('alone applies no unsafe fix, reports the finding and says how to enable it', () => {
    const root = tempProject({ 'hazard.py': hazardSource() });
    try {
      const result = runPyhang(['check', '--fix', '--format', 'compact'], { cwd: root });
      assert.equal(result.status, 1);
      assert.match(result.stdout, /^hazard\.py:6:4: HANG001 /);
      assert.equal(result.stderr, HIDDEN);
      assert.equal(read(root, 'hazard.py').toString(), hazardSource());
    } finally {
      removeProject(root);
    }
  });

  it('with --unsafe-fixes writes `.result(timeout=30)`, reports nothing left and says how many it fixed', () => {
    const root = tempProject({ 'hazard.py': hazardSource() });
    try {
      const result = runPyhang(['check', '--fix', '--unsafe-fixes'], { cwd: root });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, 'Fixed 1 error.\n');
      assert.equal(read(root, 'hazard.py').toString(), FIXED);

      const again = runPyhang(['check', '--fix', '--unsafe-fixes'], { cwd: root });
      assert.equal(again.status, 0, 'idempotent: the fixed call has a timeout');
      assert.equal(again.stdout, '');
      assert.equal(again.stderr, '');
      assert.equal(read(root, 'hazard.py').toString(), FIXED);
    } finally {
      removeProject(root);
    }
  });

  it('uses fix-timeout from the configuration, and fixes `.exception()`, `.result(None)` and `timeout=None`', () => {
    const source = hazardSource() + 'fut.exception()\nfut.result(None)\nfut.result(timeout=None)\n';
    const root = tempProject({ 'pyproject.toml': '[tool.pyhang]\nfix-timeout = 2.5\n', 'hazard.py': source });
    try {
      const result = runPyhang(['check', '--fix', '--unsafe-fixes'], { cwd: root });
      assert.equal(result.stderr, 'Fixed 4 errors.\n');
      assert.equal(
        read(root, 'hazard.py').toString(),
        hazardSource().replace('fut.result()', 'fut.result(timeout=2.5)') + 'fut.exception(timeout=2.5)\nfut.result(2.5)\nfut.result(timeout=2.5)\n',
      );
      assert.equal(result.status, 0);
    } finally {
      removeProject(root);
    }
  });

  it('reports what remains after fixing, across modules, and a second run changes nothing', () => {
    const files: Record<string, string> = {};
    for (const file of ['broken.py', 'pkg/__init__.py', 'pkg/bridge.py', 'pkg/client.py', 'pkg/handlers.py', 'pkg/relay.py']) {
      files[file] = fs.readFileSync(path.join(allRules, file), 'utf8');
    }
    const root = tempProject(files);
    try {
      const result = runPyhang(['check', '--fix', '--unsafe-fixes', '--format', 'compact'], { cwd: root });
      assert.equal(result.status, 1);
      assert.equal(result.stderr, 'Fixed 1 error.\n');
      assert.deepEqual(
        result.stdout.trimEnd().split('\n').map((line) => line.split(' ')[0]! + ' ' + line.split(' ')[1]),
        ['broken.py:4:7: syntax-error', 'pkg/client.py:14:5: HANG004', 'pkg/handlers.py:7:9: HANG002', 'pkg/relay.py:10:18: HANG003'],
      );
      assert.match(read(root, 'pkg/client.py').toString(), /return future\.result\(timeout=30\)  # HANG001\n/);
      const before = new Map(Object.keys(files).map((file) => [file, read(root, file)]));
      const again = runPyhang(['check', '--fix', '--unsafe-fixes', '--format', 'compact'], { cwd: root });
      assert.equal(again.stdout, result.stdout);
      assert.equal(again.stderr, '');
      for (const [file, bytes] of before) assert.ok(read(root, file).equals(bytes), file);
    } finally {
      removeProject(root);
    }
  });
});

describe('--fix keeps every byte it does not fix', () => {
  it('UTF-8 with a BOM and CRLF (and a lone LF) line endings', () => {
    const text = '\ufeff' + hazardSource('x = "é🐍"; ').replace(/\n/g, '\r\n').replace('async def work():\r\n', 'async def work():\n');
    const original = Buffer.from(text, 'utf8');
    const root = tempProject({ 'crlf.py': original });
    try {
      const result = runPyhang(['check', '--fix', '--unsafe-fixes'], { cwd: root });
      assert.equal(result.stderr, 'Fixed 1 error.\n');
      assert.equal(result.status, 0, result.stdout);
      assert.ok(read(root, 'crlf.py').equals(insertAfter(original, '; fut.result(', 'timeout=30')));
    } finally {
      removeProject(root);
    }
  });

  it('latin-1 declared by a coding cookie, with non-ASCII bytes before the fix on its line', () => {
    const original = Buffer.from('# -*- coding: latin-1 -*-\n' + hazardSource('s = "caf\u00e9 \u00ff"; '), 'latin1');
    const root = tempProject({ 'latin.py': original });
    try {
      const result = runPyhang(['check', '--fix', '--unsafe-fixes'], { cwd: root });
      assert.equal(result.status, 0, result.stderr);
      assert.ok(read(root, 'latin.py').equals(insertAfter(original, '; fut.result(', 'timeout=30')));
    } finally {
      removeProject(root);
    }
  });

  it('refuses an encoding it cannot write back, leaving the file as it was (exit 2)', () => {
    const original = Buffer.from('# coding: cp1252\n' + hazardSource('s = "\u00e9"; '), 'latin1');
    const root = tempProject({ 'cp1252.py': original });
    try {
      const result = runPyhang(['check', '--fix', '--unsafe-fixes', '--format', 'compact'], { cwd: root });
      assert.equal(result.status, 2);
      assert.equal(
        result.stderr,
        "pyhang: cannot fix cp1252.py: its encoding 'cp1252' cannot be written back byte for byte (only UTF-8 and latin-1 can); it is left unchanged\n",
      );
      assert.match(result.stdout, /^cp1252\.py:7:\d+: HANG001 /, 'the finding stays reported');
      assert.ok(read(root, 'cp1252.py').equals(original));
    } finally {
      removeProject(root);
    }
  });
});

describe('--fix writes atomically', () => {
  let root: string;
  before(() => {
    root = tempProject({ 'dir/hazard.py': hazardSource(), 'dir/other.txt': 'x', 'target/real.py': hazardSource() });
    fs.chmodSync(path.join(root, 'dir', 'hazard.py'), 0o751);
    fs.symlinkSync(path.join(root, 'target', 'real.py'), path.join(root, 'dir', 'link.py'));
  });
  after(() => removeProject(root));

  it('replaces the file by a rename, keeps its mode and a symlink, and leaves no temporary file', () => {
    const inode = fs.statSync(path.join(root, 'dir', 'hazard.py')).ino;
    const result = runPyhang(['check', '--fix', '--unsafe-fixes', 'dir/hazard.py', 'dir/link.py'], { cwd: root });
    assert.equal(result.stderr, 'Fixed 2 errors.\n');
    assert.equal(result.status, 0);
    const stat = fs.statSync(path.join(root, 'dir', 'hazard.py'));
    assert.notEqual(stat.ino, inode, 'a new file was renamed over the old one');
    assert.equal(stat.mode & 0o7777, 0o751);
    assert.equal(read(root, 'dir/hazard.py').toString(), FIXED);
    assert.ok(fs.lstatSync(path.join(root, 'dir', 'link.py')).isSymbolicLink(), 'the link is still a link');
    assert.equal(read(root, 'target/real.py').toString(), FIXED, 'its target was fixed');
    assert.deepEqual(fs.readdirSync(path.join(root, 'dir')).sort(), ['hazard.py', 'link.py', 'other.txt']);
    assert.deepEqual(fs.readdirSync(path.join(root, 'target')), ['real.py']);
  });
});

describe('--diff', () => {
  it('prints the unified diff of the unsafe fixes it is allowed, writes nothing, and exits 1', () => {
    const root = tempProject({ 'hazard.py': hazardSource() });
    try {
      const result = runPyhang(['check', '--diff', '--unsafe-fixes'], { cwd: root });
      assert.equal(result.status, 1);
      assert.equal(
        result.stdout,
        [
          '--- hazard.py',
          '+++ hazard.py',
          '@@ -3,4 +3,4 @@',
          ' async def work():',
          '     return 1',
          ' fut = asyncio.run_coroutine_threadsafe(work(), loop)',
          '-fut.result()',
          '+fut.result(timeout=30)',
          '',
        ].join('\n'),
      );
      assert.equal(result.stderr, 'Would fix 1 error.\n');
      assert.equal(read(root, 'hazard.py').toString(), hazardSource());
    } finally {
      removeProject(root);
    }
  });

  it('without --unsafe-fixes shows no change, says a fix is hidden, and exits 0', () => {
    const root = tempProject({ 'hazard.py': hazardSource() });
    try {
      const result = runPyhang(['check', '--diff'], { cwd: root });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, HIDDEN);
    } finally {
      removeProject(root);
    }
  });

  it('exits 0 when nothing would change, findings or not', () => {
    const root = tempProject({ 'ok.py': 'x = 1\n', 'discard.py': 'import asyncio\nasync def w():\n    pass\nasyncio.run_coroutine_threadsafe(w(), asyncio.new_event_loop())\n' });
    try {
      const result = runPyhang(['check', '--diff', '--unsafe-fixes'], { cwd: root });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, '');
    } finally {
      removeProject(root);
    }
  });
});

describe('--fix with --stdin-filename', () => {
  const original = Buffer.from('# coding: latin-1\n' + hazardSource('s = "\u00e9"; '), 'latin1');
  const cwd = allRules;

  it('prints the fixed source on stdout, in its own encoding, and the rest on stderr', () => {
    const result = runPyhangBytes(['check', '--fix', '--unsafe-fixes', '--stdin-filename', 'piped.py'], { cwd, input: original });
    assert.equal(result.status, 0);
    assert.ok(result.stdout.equals(insertAfter(original, '; fut.result(', 'timeout=30')));
    assert.equal(result.stderr, 'Fixed 1 error.\n');
  });

  it('prints the source unchanged when no fix applies, with the report on stderr', () => {
    const result = runPyhangBytes(['check', '--fix', '--format', 'compact', '--stdin-filename', 'piped.py'], { cwd, input: original });
    assert.equal(result.status, 1);
    assert.ok(result.stdout.equals(original));
    assert.match(result.stderr, /^piped\.py:7:\d+: HANG001 .*\n1 hidden fix can be enabled with the --unsafe-fixes option\.\n$/);
  });

  it('with --diff prints the diff instead', () => {
    const result = runPyhangBytes(['check', '--diff', '--unsafe-fixes', '--stdin-filename', 'piped.py'], { cwd, input: original });
    assert.equal(result.status, 1);
    assert.match(result.stdout.toString('utf8'), /^--- piped\.py\n\+\+\+ piped\.py\n[^]*\n\+s = "é"; fut\.result\(timeout=30\)\n$/);
  });
});
