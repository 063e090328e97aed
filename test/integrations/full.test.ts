/**
 * `--format full`: Ruff-style code frames. The underline sits under the range
 * however the line is drawn: tabs expand to tab stops, wide characters take two
 * cells, combining marks none, while the header keeps code-point columns.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HANG001 } from '../../rules/HANG001.js';
import { HANG002 } from '../../rules/HANG002.js';
import path from 'node:path';
import { fixtures } from '../cli/run-pyhang.js';
import { cellWidth, layOut } from '../../src/reporters/code-frame.js';
import { allRules, runPyhang, tempProject, removeProject, hazardSource } from './helpers.js';

const HANG001_MESSAGE =
  '`fut.result()` can block forever without a timeout';

/** `handler()` calls `require_env()` (line 12), which calls `fail()` (line 8), which calls `sys.exit()` (line 4). */
const py3Chain = [
  'import os, sys',
  '',
  'def fail(msg):',
  '    sys.exit(msg)',
  '',
  'def require_env(name):',
  '    if name not in os.environ:',
  '        fail(f"missing {name}")',
  '    return os.environ[name]',
  '',
  'async def handler():',
  '    return require_env("TOKEN")',
  '',
].join('\n');

function full(cwd: string, args: string[] = []) {
  return runPyhang(['check', '--format', 'full', ...args], { cwd });
}

describe('--format full', () => {
  it('is coloured as Ruff colours it with --color, and the colours hold nothing else', () => {
    const plain = full(path.join(fixtures, 'basic'));
    const coloured = full(path.join(fixtures, 'basic'), ['--color']);
    assert.equal(coloured.status, 1);
    const lines = coloured.stdout.split('\n');
    // The path bold, the code bold red (an error), the gutter bold blue, the underline bold red, `help:` bold cyan.
    assert.equal(lines[0], `\u001b[1mhazard.py\u001b[0m:7:10: \u001b[1;31mHANG001\u001b[0m ${HANG001_MESSAGE}`);
    assert.equal(lines[1], '\u001b[1;34m  |\u001b[0m');
    assert.equal(lines[5], '\u001b[1;34m  |\u001b[0m          \u001b[1;31m^^^^^^^^^ HANG001\u001b[0m');
    assert.ok(lines.some((line) => line.startsWith('  \u001b[1;34m=\u001b[0m \u001b[1;36mhelp:\u001b[0m ')));
    // Without the escape sequences it is the plain output, character for character; piped, it has none.
    assert.equal(coloured.stdout.replace(/\u001b\[[0-9;]*m/g, ''), plain.stdout);
    assert.doesNotMatch(plain.stdout, /\u001b/);
  });

  it('shows a header, the lines around the finding with a gutter, the range underlined, the fix, and a summary', () => {
    const result = full(path.join(fixtures, 'basic'));
    assert.equal(result.status, 1);
    assert.equal(
      result.stdout,
      [
        `hazard.py:7:10: HANG001 ${HANG001_MESSAGE}`,
        '  |',
        '5 |     return 1',
        '6 | fut = asyncio.run_coroutine_threadsafe(work(), loop)',
        '7 | print(fut.result())          # HANG001 reported here (line 7), range = the `.result()` call',
        '  |          ^^^^^^^^^ HANG001',
        '8 | print(fut.result(timeout=5)) # not reported',
        '  |',
        `  = help: ${HANG001.meta.help}`,
        '  = help: Pass timeout=30 (unsafe fix)',
        '',
        'Found 1 error.',
        'No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option).',
        '',
      ].join('\n'),
    );
  });

  it('marks a fix the flags would apply with [*]', () => {
    const result = full(path.join(fixtures, 'basic'), ['--unsafe-fixes']);
    assert.ok(result.stdout.startsWith(`hazard.py:7:10: HANG001 [*] ${HANG001_MESSAGE}\n`));
    assert.ok(result.stdout.endsWith('Found 1 error.\n[*] 1 fixable with the --fix --unsafe-fixes options.\n'));
  });

  it('underlines under the range when wide characters and emoji come before it on the line', () => {
    const root = tempProject({ 'wide.py': hazardSource('print("日本語 🐍", ').replace('fut.result()\n', 'fut.result())\n') });
    try {
      const lines = full(root).stdout.split('\n');
      // Code points: `print("日本語 🐍", fut` is 18, so `.result()` starts at column 19.
      assert.match(lines[0]!, /^wide\.py:6:19: HANG001 /);
      assert.equal(lines[4], '6 | print("日本語 🐍", fut.result())');
      // Drawn: 日, 本, 語 and 🐍 take two cells each, so `.` is at cell 22.
      assert.equal(lines[5], `  | ${' '.repeat(22)}^^^^^^^^^ HANG001`);
    } finally {
      removeProject(root);
    }
  });

  it('expands tabs to tab stops and gives combining marks no width', () => {
    const source = hazardSource().replace('fut.result()\n', 'def wait():\n\tvalue = "e\u0301"; return fut.result()\n');
    const root = tempProject({ 'tabs.py': source });
    try {
      const lines = full(root).stdout.split('\n');
      // Code points: tab, `value = "`, e, U+0301, `"; return fut` → `.` is column 26.
      assert.match(lines[0]!, /^tabs\.py:7:26: HANG001 /);
      assert.equal(lines[4], '7 |     value = "e\u0301"; return fut.result()');
      // Drawn: the tab takes 4 cells and the combining accent none, so `.` is at cell 27.
      assert.equal(lines[5], `  | ${' '.repeat(27)}^^^^^^^^^ HANG001`);
    } finally {
      removeProject(root);
    }
  });

  it('shows each step of a HANG002 chain with its own frame, in other modules too', () => {
    const result = full(allRules, ['pkg']);
    const block = result.stdout.split('\n\n').find((text) => text.startsWith('pkg/handlers.py:7:9: HANG002 '))!;
    assert.ok(block, result.stdout);
    assert.deepEqual(block.split('\n').slice(1), [
      '  |',
      '5 | async def handle(msg):',
      '6 |     if not msg:',
      '7 |         die("empty message")  # HANG002 (error: submitted in client.py), chain: bridge.py:12',
      '  |         ^^^^^^^^^^^^^^^^^^^^ HANG002',
      '8 |     return msg',
      '  |',
      '  = note: pkg/bridge.py:12:5: raises SystemExit here',
      '   |',
      '12 |     sys.exit(1)',
      '   |     ^^^^^^^^^^^',
      '   |',
      '  = note: pkg/client.py:9:14: handle() is submitted to an event loop in another thread here',
      '  |',
      '9 |     future = asyncio.run_coroutine_threadsafe(handle(msg), LOOP)',
      '  |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      '  |',
      `  = help: ${HANG002.meta.help}`,
    ]);
  });

  it('names what each line of a longer HANG002 chain calls, not the step after it', () => {
    const root = tempProject({
      'settings.py': py3Chain,
    });
    try {
      const notes = full(root).stdout.split('\n').filter((line) => line.startsWith('  = note: '));
      assert.deepEqual(notes, ['  = note: settings.py:8:9: calls fail()', '  = note: settings.py:4:5: raises SystemExit here']);
    } finally {
      removeProject(root);
    }
  });

  it('shows a syntax error in its place, and counts it as a warning', () => {
    const result = full(allRules, ['broken.py']);
    assert.equal(result.status, 0, 'a syntax error is a warning, which does not fail the run');
    assert.equal(
      result.stdout,
      [
        'broken.py:4:7: syntax-error Syntax error: missing `)`',
        '  |',
        '4 | def f(:',
        '  |       ^ syntax-error',
        '5 |     pass',
        '  |',
        '',
        'Found 1 warning.',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for a clean project', () => {
    const result = full(path.join(fixtures, 'clean'));
    assert.equal(result.status, 0);
    assert.equal(result.stdout, '');
  });
});

describe('code frame cells', () => {
  it('counts terminal cells per code point', () => {
    assert.equal(cellWidth('a'.codePointAt(0)!), 1);
    assert.equal(cellWidth('日'.codePointAt(0)!), 2);
    assert.equal(cellWidth('🐍'.codePointAt(0)!), 2);
    assert.equal(cellWidth(0x301), 0);
  });

  it('draws control characters as visible symbols', () => {
    assert.equal(layOut('a\u001b[31mb').display, 'a\u241b[31mb');
    assert.deepEqual(layOut('\tx').cells, [0, 4, 5]);
    assert.deepEqual(layOut('ab\tx').cells, [0, 1, 2, 4, 5]);
  });
});
