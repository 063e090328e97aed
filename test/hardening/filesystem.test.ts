/**
 * The file system: symlink loops, links out of the linted paths, files that
 * cannot be read or vanish during the run, odd names, a path given twice.
 * A per-file problem is a message in the report, in every output format, and
 * never exit code 2 (kept for usage, configuration and internal failures);
 * the other files are still checked.
 *
 * Tests run as root, for whom `chmod 000` does not stop a read. Read failures
 * are therefore made by test/fixtures/hardening/read-failures.mjs, loaded into
 * pyhang with `node --import`: it deletes a file just before pyhang reads it
 * (a file removed between discovery and reading: a real ENOENT from the OS),
 * or fails the read with EACCES (what a non-root user gets for a file they may
 * not read).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  assertReports,
  check,
  findings,
  hardeningFixtures,
  makeProject,
  outputFormats,
  removeProject,
  reportedJson,
  HAZARD_HEAD,
} from './helpers.js';

const HAZARD = `${HAZARD_HEAD}fut.result()\n`;

function readFailureEnv(options: { vanish?: string[]; unreadable?: string[] }): Record<string, string> {
  const preload = pathToFileURL(path.join(hardeningFixtures, 'read-failures.mjs')).href;
  return {
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${preload}`.trim(),
    PYHANG_TEST_VANISH: (options.vanish ?? []).join(path.delimiter),
    PYHANG_TEST_UNREADABLE: (options.unreadable ?? []).join(path.delimiter),
  };
}

describe('the file system', () => {
  it('symlink loops (a directory linked into itself, and into its parent) end the walk; each file is linted once', (t) => {
    const root = makeProject({ 'pkg/mod.py': HAZARD });
    t.after(() => removeProject(root));
    fs.symlinkSync('.', path.join(root, 'pkg', 'self'));
    fs.symlinkSync('..', path.join(root, 'pkg', 'parent'));
    fs.symlinkSync('mod.py', path.join(root, 'pkg', 'alias.py'));
    const result = check(['--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), ['pkg/mod.py:7 HANG001']);
    assert.equal(result.stderr, '');
  });

  it('links that point outside the linted paths are not followed: neither directories nor files', (t) => {
    const outside = makeProject({ 'secret.py': HAZARD, 'lib/other.py': HAZARD });
    const root = makeProject({ 'app.py': 'import asyncio\n' });
    t.after(() => {
      removeProject(root);
      removeProject(outside);
    });
    fs.symlinkSync(path.join(outside, 'lib'), path.join(root, 'lib'));
    fs.symlinkSync(path.join(outside, 'secret.py'), path.join(root, 'secret.py'));
    const result = check(['--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), []);
    assert.equal(result.status, 0);
    // Named on the command line, a link is the user's choice and is linted.
    assert.deepEqual(findings(check(['--format', 'compact', 'secret.py'], root).stdout), ['secret.py:7 HANG001']);
    // Both places given: the link points inside the paths given, so it is linted, once (under its target's own path).
    const both = check(['--format', 'json', '.', outside], root);
    assert.deepEqual(
      reportedJson(both.stdout, root).map((r) => `${r.file} ${r.code}`),
      [`${path.relative(root, path.join(outside, 'lib', 'other.py'))} HANG001`, `${path.relative(root, path.join(outside, 'secret.py'))} HANG001`],
    );
  });

  it('a file deleted between discovery and reading gets an io-error; the others are checked; exit is not 2', (t) => {
    const root = makeProject({ 'a_gone.py': HAZARD, 'b_stays.py': HAZARD });
    t.after(() => removeProject(root));
    const result = check(['--format', 'compact'], root, readFailureEnv({ vanish: [path.join(root, 'a_gone.py')] }));
    assert.deepEqual(findings(result.stdout), ['a_gone.py:1 io-error', 'b_stays.py:7 HANG001']);
    assert.match(result.stdout, /^a_gone\.py:1:1: io-error File could not be read: it no longer exists$/m);
    assert.equal(fs.existsSync(path.join(root, 'a_gone.py')), false, 'the file really was deleted during the run');
    assert.equal(result.status, 1, 'exit 1 from b_stays.py, not 2');
    assert.equal(result.stderr, '');
  });

  it('an unreadable file gets an io-error naming the cause; exit 0 when nothing else is found', (t) => {
    const root = makeProject({ 'locked.py': HAZARD });
    t.after(() => removeProject(root));
    const result = check(['--format', 'compact'], root, readFailureEnv({ unreadable: [path.join(root, 'locked.py')] }));
    assert.equal(result.stdout, 'locked.py:1:1: io-error File could not be read: EACCES\n');
    assert.equal(result.status, 0);
  });

  it('a directory named x.py is walked as a directory; a dangling symlink named y.py is passed over', (t) => {
    const root = makeProject({ 'x.py/inner.py': HAZARD });
    t.after(() => removeProject(root));
    fs.symlinkSync('does-not-exist.py', path.join(root, 'y.py'));
    const result = check(['--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), ['x.py/inner.py:7 HANG001']);
    assert.equal(result.stderr, '');
  });

  it('a path named on the command line that does not exist is a usage problem (exit 2), and the rest is still checked', (t) => {
    const root = makeProject({ 'ok.py': HAZARD });
    t.after(() => removeProject(root));
    fs.symlinkSync('does-not-exist.py', path.join(root, 'dangling.py'));
    const result = check(['--format', 'compact', 'dangling.py', 'missing.py', 'ok.py'], root);
    assert.deepEqual(findings(result.stdout), ['ok.py:7 HANG001']);
    assert.equal(result.stderr, 'pyhang: path not found: dangling.py\npyhang: path not found: missing.py\n');
    assert.equal(result.status, 2);
  });

  it('paths with spaces and non-ASCII names are reported as they are, in every format', (t) => {
    const names = ['with space/file name.py', 'naïve/fïlé 😀.py', 'データ/モジュール.py'];
    const root = makeProject(Object.fromEntries(names.map((name) => [name, HAZARD])));
    t.after(() => removeProject(root));
    assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), [
      'naïve/fïlé 😀.py:7 HANG001',
      'with space/file name.py:7 HANG001',
      'データ/モジュール.py:7 HANG001',
    ]);
    for (const format of outputFormats()) {
      const result = check(['--format', format], root);
      assert.equal(result.status, 1, format);
      assertReports(format, result.stdout, root, names.map((file) => ({ file, code: 'HANG001', fragment: 'fut.result()' })));
    }
  });

  it('a file given twice, or under several spellings, or inside a directory also given, is linted once', (t) => {
    const root = makeProject({ 'src/a.py': HAZARD });
    t.after(() => removeProject(root));
    fs.symlinkSync('a.py', path.join(root, 'src', 'link.py'));
    const result = check(['--format', 'compact', 'src/a.py', './src/a.py', 'src/../src/a.py', 'src', path.join(root, 'src', 'a.py'), 'src/link.py'], root);
    assert.deepEqual(findings(result.stdout), ['src/a.py:7 HANG001']);
  });

  it('per-file problems of every kind appear in every output format, and none gives exit 2', (t) => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang]\nmax-file-size = 1000\n',
      'a_syntax.py': 'import asyncio\ndef f(:\n    pass\n',
      'b_decode.py': new Uint8Array([...new TextEncoder().encode('import asyncio\n'), 0xff, 0x0a]),
      'c_binary.py': Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 0, 0, 0),
      'd_large.py': `${HAZARD}${'# padding\n'.repeat(200)}`,
      'e_gone.py': HAZARD,
      'f_locked.py': HAZARD,
      'g_hazard.py': HAZARD,
    });
    t.after(() => removeProject(root));
    const env = readFailureEnv({ unreadable: [path.join(root, 'f_locked.py')] });
    const expected = [
      { file: 'a_syntax.py', code: 'syntax-error', fragment: 'Syntax error' },
      { file: 'b_decode.py', code: 'decode-error', fragment: 'not valid UTF-8' },
      { file: 'c_binary.py', code: 'decode-error', fragment: 'NUL bytes' },
      { file: 'd_large.py', code: 'file-too-large', fragment: 'max-file-size' },
      { file: 'e_gone.py', code: 'io-error', fragment: 'no longer exists' },
      { file: 'f_locked.py', code: 'io-error', fragment: 'EACCES' },
      { file: 'g_hazard.py', code: 'HANG001', fragment: 'fut.result()' },
    ];
    const formats = outputFormats();
    assert.ok(['stylish', 'json', 'compact'].every((f) => formats.includes(f)), `formats: ${formats}`);
    for (const format of formats) {
      // e_gone.py is deleted during each run: put it back first.
      fs.writeFileSync(path.join(root, 'e_gone.py'), HAZARD);
      const result = check(['--format', format], root, { ...env, PYHANG_TEST_VANISH: path.join(root, 'e_gone.py') });
      assert.equal(result.stderr, '', format);
      assert.equal(result.status, 1, `${format}: exit 1 from g_hazard.py's finding; file problems are warnings`);
      assertReports(format, result.stdout, root, expected);
    }
  });

  it('a file replaced by a directory between runs, or emptied, gives an answer', (t) => {
    const root = makeProject({ 'a.py': HAZARD, 'empty.py': '' });
    t.after(() => removeProject(root));
    assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), ['a.py:7 HANG001']);
    fs.rmSync(path.join(root, 'a.py'));
    fs.mkdirSync(path.join(root, 'a.py'));
    const result = check(['--format', 'compact'], root);
    assert.equal(result.stdout, '');
    assert.notEqual(result.status, 2);
  });
});

describe('odd file names given to lint() through the binary', () => {
  it('a name with a newline, a colon and a percent sign', { skip: os.platform() === 'win32' }, (t) => {
    const name = 'odd\nname:%1.py';
    const root = makeProject({ [name]: HAZARD });
    t.after(() => removeProject(root));
    const json = reportedJson(check(['--format', 'json'], root).stdout, root);
    assert.deepEqual(json.map((r) => `${r.file} ${r.code}`), [`${name} HANG001`]);
    for (const format of outputFormats()) assert.notEqual(check(['--format', format], root).status, 2, format);
  });
});
