/**
 * The npm tarball as an install channel: `npm pack` of this checkout, then
 * `npm install -g --prefix <tmp> ./pyhang-*.tgz` on a PATH with no C compiler
 * or make (node, npm and a few shell tools only), must install without
 * compiling anything and give a `pyhang` that reports, byte for byte, what
 * this checkout reports on examples/, with the native parse the tarball
 * carries and with WebAssembly. It drives the real npm (dependencies from the
 * npm cache or the registry), so it is an integration test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, runPyhang } from '../test/cli/run-pyhang.js';

const TOOLS = ['node', 'npm', 'npx', 'sh', 'bash', 'env', 'git', 'cat', 'sed', 'grep', 'mkdir', 'rm', 'cp', 'mv', 'ls', 'uname', 'dirname', 'basename', 'tar', 'gzip'];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 15 * 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

describe('npm tarball', () => {
  it('installs globally without a compiler and runs with the same findings', { timeout: 30 * 60_000 }, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-tarball-'));
    try {
      const bin = path.join(work, 'bin');
      fs.mkdirSync(bin);
      for (const tool of TOOLS) {
        const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
        if (found) fs.symlinkSync(found, path.join(bin, tool));
      }
      // Only PATH changes: the rest (npm's configuration, certificates) is how this machine reaches the registry.
      const bare: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
      delete bare['PYHANG_NATIVE_PARSE'];
      for (const compiler of ['cc', 'gcc', 'c++', 'make', 'clang']) {
        assert.notEqual(spawnSync('sh', ['-c', `command -v ${compiler}`], { env: bare }).status, 0, `${compiler} is on the test PATH`);
      }

      const packed = run('npm', ['pack', '--pack-destination', work], repoRoot, process.env);
      assert.equal(packed.status, 0, packed.output);
      const tarball = fs.readdirSync(work).find((name) => /^pyhang-.*\.tgz$/.test(name));
      assert.ok(tarball, `no tarball in ${work}: ${packed.output}`);

      const prefix = path.join(work, 'prefix');
      const installed = run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', `./${tarball}`], work, bare);
      assert.equal(installed.status, 0, installed.output);
      const pyhang = path.join(prefix, 'bin', 'pyhang');
      assert.ok(fs.existsSync(pyhang), installed.output);

      const args = ['check', 'examples/', '--format', 'json', '--no-cache'];
      const expected = runPyhang(args, { cwd: repoRoot });
      assert.equal(expected.status, 1, expected.stderr);
      for (const env of [bare, { ...bare, PYHANG_NATIVE_PARSE: '0' }]) {
        const got = run(pyhang, args, repoRoot, env);
        assert.equal(got.status, 1, got.output);
        assert.equal(got.stdout, expected.stdout, `PYHANG_NATIVE_PARSE=${env['PYHANG_NATIVE_PARSE'] ?? 'unset'}`);
      }
      const version = run(pyhang, ['--version'], work, bare);
      assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
