/**
 * A file that does not parse still gets an answer: tree-sitter recovers, the
 * intact parts are analysed (a HANG001 after a broken function is still
 * found), and the file gets ONE `syntax-error` message at its first error.
 * That message is a warning by default, which does not fail the run; the
 * `severity` table can make it an error (exit 1) or turn it off.
 *
 * The pre-filter does not parse files that cannot hold a hazard (no `asyncio`,
 * `async def` or `run_coroutine_threadsafe`), so syntax errors are reported
 * for the files that are analysed: the broken files here import asyncio, and
 * `--no-prefilter` reports them everywhere.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../src/engine/lint.js';
import { defaultSettings } from '../../src/config/settings.js';
import { check, findings, hazardWith, makeProject, removeProject, HAZARD_HEAD } from './helpers.js';

const BROKEN_THEN_HAZARD =
  'import asyncio, threading\n' +
  'def broken(:\n' + // line 2: the first error
  '    pass\n' +
  'y = )\n' + // line 4: a second error
  HAZARD_HEAD.split('\n').slice(1).join('\n') +
  'print(fut.result())\n'; // line 10

describe('syntax errors', () => {
  it('findings after a broken function are still reported, with one syntax-error at the first error', (t) => {
    const root = makeProject({ 'broken.py': BROKEN_THEN_HAZARD });
    t.after(() => removeProject(root));
    const result = check(['--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), ['broken.py:2 syntax-error', 'broken.py:10 HANG001']);
    assert.equal(result.status, 1, 'the HANG001 fails the run');
    assert.equal(result.stderr, '');
  });

  it('a syntax error alone is a warning: shown, exit 0', (t) => {
    const root = makeProject({ 'broken.py': 'import asyncio\ndef f(:\n    pass\n' });
    t.after(() => removeProject(root));
    const result = check(['--format', 'json'], root);
    assert.equal(result.status, 0);
    const [file] = JSON.parse(result.stdout) as { messages: { ruleId: string; severity: number; line: number; message: string }[] }[];
    assert.equal(file!.messages.length, 1);
    assert.equal(file!.messages[0]!.ruleId, 'syntax-error');
    assert.equal(file!.messages[0]!.severity, 1);
    assert.equal(file!.messages[0]!.line, 2);
    assert.match(file!.messages[0]!.message, /^Syntax error/);
  });

  it('severity = { syntax-error = "error" } makes it fail the run', (t) => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang]\nseverity = { syntax-error = "error" }\n',
      'broken.py': 'import asyncio\ndef f(:\n    pass\n',
    });
    t.after(() => removeProject(root));
    const result = check(['--format', 'json'], root);
    assert.equal(result.status, 1);
    assert.equal((JSON.parse(result.stdout) as { messages: { severity: number }[] }[])[0]!.messages[0]!.severity, 2);
  });

  it('severity = { syntax-error = "off" } hides it, and the findings remain', (t) => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang.severity]\nsyntax-error = "off"\n',
      'broken.py': BROKEN_THEN_HAZARD,
    });
    t.after(() => removeProject(root));
    assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), ['broken.py:10 HANG001']);
  });

  it('--no-prefilter reports a syntax error in a file that could hold no hazard too', (t) => {
    const root = makeProject({ 'plain.py': 'def f(:\n    pass\n' });
    t.after(() => removeProject(root));
    assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), [], 'skipped by the pre-filter: never parsed');
    assert.deepEqual(findings(check(['--format', 'compact', '--no-prefilter'], root).stdout), ['plain.py:1 syntax-error']);
  });

  it('one broken file does not stop the others', (t) => {
    const root = makeProject({ 'a_broken.py': 'import asyncio\n)))(((\n\n\t\t  :::\n', 'b_hazard.py': hazardWith('fut.result()') });
    t.after(() => removeProject(root));
    const result = check(['--format', 'compact'], root);
    assert.deepEqual(findings(result.stdout), ['a_broken.py:2 syntax-error', 'b_hazard.py:7 HANG001']);
  });

  it('lint(): each kind of broken code gives one syntax-error at its first error and keeps the later finding', () => {
    const settings = defaultSettings('/virtual');
    // [broken code, where the error is]. Only what tree-sitter rejects: it accepts some invalid Python
    // (`print "x"`, an unexpected indent, `try:` without `except`), and pyhang is nobody's syntax checker.
    const breakages: [string, string][] = [
      ['def broken(:\n    pass\n', '1:12'],
      ['class C(\n', '1:1'],
      ['s = "unterminated\n', '1:5'],
      ['lambda: (yield)\n)\n', '2:1'],
      ['@\n', '1:1'],
      ['f(**)\n', '1:3'],
      ['for in range(3): pass\n', '1:4'],
      ['match:\n', '1:1'],
      ['def a(:\n    pass\ndef b(:\n    pass\nf(**)\n', '1:7'],
    ];
    for (const [broken, where] of breakages) {
      const text = `${broken}${HAZARD_HEAD}fut.result()\n`;
      const [file] = lint([{ path: '/virtual/broken.py', text }], { settingsFor: () => settings });
      const got = file!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`);
      const line = broken.split('\n').length - 1 + 7;
      assert.deepEqual(got, [`${where} syntax-error`, `${line}:4 HANG001`], JSON.stringify(broken));
    }
  });
});
