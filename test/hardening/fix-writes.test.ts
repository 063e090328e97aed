/**
 * What `--fix` promises about the files it writes (SECURITY.md, issue 22 item
 * 7), through the built binary: the file keeps its mode with setuid/setgid and
 * its owner, a file with hard links is refused rather than split from its other
 * names, a temporary file in flight is removed when the run is killed by SIGINT
 * or SIGTERM, and nothing is written through a symbolic link whose target
 * leaves the project, even when the link is named on the command line (as
 * pre-commit names files).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { runPyhang, spawnPyhang, makeProject, removeProject } from '../cli/run-pyhang.js';

/** A HANG001 hazard whose unsafe fix writes `fut.result(timeout=30)`. */
const HAZARD = [
  'import asyncio',
  'loop = asyncio.new_event_loop()',
  'async def work():',
  '    return 1',
  'fut = asyncio.run_coroutine_threadsafe(work(), loop)',
  'fut.result()',
  '',
].join('\n');
const FIXED = HAZARD.replace('fut.result()', 'fut.result(timeout=30)');
const PROJECT = { 'pyproject.toml': '[tool.pyhang]\n' };

function fix(args: string[], cwd: string) {
  return runPyhang(['check', '--no-cache', '--fix', '--unsafe-fixes', '--format', 'compact', ...args], { cwd });
}

function temporaryFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.pyhang-tmp'));
}

describe('--fix keeps what the file was', () => {
  it('its mode with the setuid and setgid bits, and its owner and group', () => {
    const root = makeProject({ ...PROJECT, 'tool.py': HAZARD });
    const file = path.join(root, 'tool.py');
    try {
      const canChown = process.getuid?.() === 0;
      if (canChown) fs.chownSync(file, 1234, 2345);
      fs.chmodSync(file, 0o6755);
      const result = fix([], root);
      assert.equal(result.stderr, 'Fixed 1 error.\n');
      assert.equal(result.status, 0);
      assert.equal(fs.readFileSync(file, 'utf8'), FIXED);
      const stat = fs.statSync(file);
      assert.equal((stat.mode & 0o7777).toString(8), '6755');
      if (canChown) assert.deepEqual([stat.uid, stat.gid], [1234, 2345]);
    } finally {
      removeProject(root);
    }
  });

  it('refuses a file with hard links, naming it, and leaves every name of it as it was (exit 2)', () => {
    const root = makeProject({ ...PROJECT, 'pkg/tool.py': HAZARD });
    const file = path.join(root, 'pkg', 'tool.py');
    const other = path.join(root, 'elsewhere.txt');
    try {
      fs.linkSync(file, other);
      const inode = fs.statSync(file).ino;
      const result = fix(['pkg/tool.py'], root);
      assert.equal(
        result.stderr,
        'pyhang: cannot write pkg/tool.py: it has 2 hard links, and replacing it would split it from the others; it is left unchanged\n',
      );
      assert.equal(result.status, 2);
      assert.match(result.stdout, /^pkg\/tool\.py:6:\d+: HANG001 /, 'the finding stays reported');
      assert.equal(fs.statSync(file).ino, inode);
      assert.equal(fs.statSync(file).nlink, 2);
      assert.equal(fs.readFileSync(file, 'utf8'), HAZARD);
      assert.deepEqual(temporaryFiles(path.join(root, 'pkg')), []);
    } finally {
      removeProject(root);
    }
  });
});

describe('--fix does not write through a symbolic link that leaves the project', () => {
  it('refuses a link named on the command line, naming the link and its target (exit 2)', () => {
    const outside = makeProject({ 'victim.py': HAZARD });
    const root = makeProject({ ...PROJECT, 'ok.py': HAZARD });
    try {
      const target = path.join(fs.realpathSync(outside), 'victim.py');
      fs.symlinkSync(target, path.join(root, 'link.py'));
      const result = fix(['link.py', 'ok.py'], root);
      assert.equal(
        result.stderr,
        `pyhang: cannot write link.py: it is a symbolic link to ${target}, outside the project (${fs.realpathSync(root)}); it is left unchanged\n` +
          'Fixed 1 error.\n',
      );
      assert.equal(result.status, 2);
      assert.equal(fs.readFileSync(target, 'utf8'), HAZARD, 'the target is untouched');
      assert.equal(fs.readFileSync(path.join(root, 'ok.py'), 'utf8'), FIXED, 'the other file is fixed');
      assert.match(result.stdout, /^link\.py:6:\d+: HANG001 /m);
    } finally {
      removeProject(root);
      removeProject(outside);
    }
  });

  it('refuses a file reached through a linked directory that leaves the project', () => {
    const outside = makeProject({ 'victim.py': HAZARD });
    const root = makeProject(PROJECT);
    try {
      fs.symlinkSync(fs.realpathSync(outside), path.join(root, 'vendor'));
      const result = fix(['vendor/victim.py'], root);
      assert.match(result.stderr, /^pyhang: cannot write vendor\/victim\.py: it is a symbolic link to .*victim\.py, outside the project /);
      assert.equal(result.status, 2);
      assert.equal(fs.readFileSync(path.join(outside, 'victim.py'), 'utf8'), HAZARD);
    } finally {
      removeProject(root);
      removeProject(outside);
    }
  });

  it('still writes through a link whose target stays in the project', () => {
    const root = makeProject({ ...PROJECT, 'real/tool.py': HAZARD });
    try {
      fs.symlinkSync(path.join(root, 'real', 'tool.py'), path.join(root, 'link.py'));
      const result = fix(['link.py'], root);
      assert.equal(result.stderr, 'Fixed 1 error.\n');
      assert.equal(fs.readFileSync(path.join(root, 'real', 'tool.py'), 'utf8'), FIXED);
      assert.ok(fs.lstatSync(path.join(root, 'link.py')).isSymbolicLink());
    } finally {
      removeProject(root);
    }
  });
});

/**
 * Loaded into the binary with `--require`: when pyhang is about to rename its
 * temporary file over the original, the hook says so on stderr and holds the
 * rename back for good, so the test can send a signal while the temporary file
 * is certainly in flight (no timing involved).
 */
const HOLD_RENAME_HOOK = `
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const isTemporary = (file) => String(file).endsWith('.pyhang-tmp');
const announce = () => fs.writeSync(2, 'hook: temporary file in flight\\n');
const renameSync = fs.renameSync;
fs.renameSync = function (from, to) {
  if (isTemporary(from)) {
    announce();
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
  }
  return renameSync.call(this, from, to);
};
const rename = fs.promises.rename;
fs.promises.rename = function (from, to) {
  if (isTemporary(from)) {
    announce();
    setInterval(() => {}, 60000);
    return new Promise(() => {});
  }
  return rename.call(this, from, to);
};
syncBuiltinESMExports();
`;

describe('--fix killed while writing', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`by ${signal} removes its temporary file, leaves the original and dies of the signal`, async () => {
      const root = makeProject({ ...PROJECT, 'tool.py': HAZARD, 'hold-rename.cjs': HOLD_RENAME_HOOK });
      try {
        const child = spawnPyhang(['check', '--no-cache', '--fix', '--unsafe-fixes', 'tool.py'], {
          cwd: root,
          nodeOptions: ['--require', path.join(root, 'hold-rename.cjs')],
        });
        let stderr = '';
        const exited = once(child, 'exit');
        await new Promise<void>((resolve, reject) => {
          child.stderr!.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            if (stderr.includes('hook: temporary file in flight')) resolve();
          });
          child.on('exit', () => reject(new Error(`exited before writing: ${stderr}`)));
        });
        assert.equal(temporaryFiles(root).length, 1, 'the temporary file exists while the rename is held');
        child.kill(signal);
        const [code, killedBy] = (await exited) as [number | null, string | null];
        assert.deepEqual({ code, killedBy }, { code: null, killedBy: signal });
        assert.deepEqual(temporaryFiles(root), []);
        assert.equal(fs.readFileSync(path.join(root, 'tool.py'), 'utf8'), HAZARD);
      } finally {
        removeProject(root);
      }
    });
  }
});
