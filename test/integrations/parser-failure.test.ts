/**
 * A run that could not parse must never pass. When no parser can be loaded (a
 * broken install: the grammar's WebAssembly missing, the native parse not
 * built), every file that needed parsing gets a fatal `internal-error` and the
 * run exits 2, as ESLint's `fatal: true` does; `--exit-zero` does not hide it.
 * A syntax error in the user's code is another thing (see README, Exit codes).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPyhang, tempProject, removeProject, hazardSource, repoRoot } from './helpers.js';

/** No native parse, and a grammar file that is not there: nothing can parse. */
const NO_PARSER = { PYHANG_NATIVE_PARSE: '0', PYHANG_WASM_GRAMMAR: path.join(os.tmpdir(), 'pyhang-no-such-grammar.wasm') };

describe('no parser can be loaded', () => {
  let root: string;
  before(() => {
    root = tempProject({
      'hazard.py': hazardSource(),
      'pkg/__init__.py': '',
      'pkg/worker.py': 'import asyncio\n\nasync def work():\n    return 1\n',
    });
  });
  after(() => removeProject(root));

  it('each file is a fatal internal-error and the run exits 2', () => {
    const result = runPyhang(['check', '--format', 'json', '--no-cache'], { cwd: root, env: NO_PARSER });
    assert.equal(result.status, 2, result.stderr);
    const report = JSON.parse(result.stdout) as { filePath: string; fatalErrorCount: number; messages: { ruleId: string; fatal: boolean; severity: number; message: string }[] }[];
    // The empty __init__.py needs no parse (the pre-filter settles it); the two others do.
    const failed = report.filter((file) => file.messages.length > 0);
    assert.deepEqual(failed.map((file) => path.relative(root, file.filePath)).sort(), ['hazard.py', path.join('pkg', 'worker.py')]);
    for (const file of failed) {
      assert.equal(file.fatalErrorCount, 1);
      assert.equal(file.messages.length, 1);
      assert.equal(file.messages[0]!.ruleId, 'internal-error');
      assert.equal(file.messages[0]!.fatal, true);
      assert.equal(file.messages[0]!.severity, 2);
      assert.match(file.messages[0]!.message, /^File not checked: pyhang's parser could not be loaded \(.*pyhang-no-such-grammar\.wasm/);
    }
    assert.match(result.stderr, /^pyhang: internal error: hazard\.py: File not checked/m);
  });

  it('--exit-zero does not turn it into a pass, in one thread or several', () => {
    for (const jobs of ['1', '2']) {
      const result = runPyhang(['check', '--exit-zero', '--jobs', jobs, '--no-cache'], { cwd: root, env: NO_PARSER });
      assert.equal(result.status, 2, `--jobs ${jobs}: ${result.stderr}`);
    }
  });

  it('standard input too', () => {
    const result = runPyhang(['check', '--stdin-filename', 'hazard.py', '--format', 'compact'], { cwd: root, env: NO_PARSER, input: hazardSource() });
    assert.equal(result.status, 2);
    assert.match(result.stdout, /^hazard\.py:1:1: internal-error File not checked/);
  });
});

describe('an install without its build', () => {
  it('says that pyhang is not built and exits 2, instead of a stack trace', () => {
    // bin/pyhang.js as it is, in a package whose dist/ was never built (`npm ci --ignore-scripts`).
    const unbuilt = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-unbuilt-'));
    try {
      fs.mkdirSync(path.join(unbuilt, 'bin'));
      fs.copyFileSync(path.join(repoRoot, 'bin', 'pyhang.js'), path.join(unbuilt, 'bin', 'pyhang.js'));
      fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(unbuilt, 'package.json'));
      const result = spawnSync(process.execPath, [path.join(unbuilt, 'bin', 'pyhang.js'), 'check', '.'], { cwd: unbuilt, encoding: 'utf8' });
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^pyhang: not built \(dist\/ is missing\): run `npm run build`/);
    } finally {
      fs.rmSync(unbuilt, { recursive: true, force: true });
    }
  });
});
