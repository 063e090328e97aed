/**
 * Regression tests for what hardening found in the core, one per bug, against
 * the functions themselves. (Deep nesting, line endings, encodings and links
 * out of the project are also covered end to end by the other files here.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lint } from '../../src/engine/lint.js';
import { parsePython } from '../../src/python/parser.js';
import { targetNames } from '../../src/python/scopes.js';
import { defaultSettings } from '../../src/config/settings.js';
import { makeProject, removeProject, HAZARD_HEAD, check, findings } from './helpers.js';
import { walkSteps } from '../../src/python/analyzer-base.js';

const settings = { ...defaultSettings('/virtual'), maxFileSize: 100 * 1024 * 1024 };
const lintOne = (text: string) => lint([{ path: '/virtual/mod.py', text }], { settingsFor: () => settings })[0]!;
const found = (text: string) => lintOne(text).messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`);

describe('core regressions', () => {
  it('module-analysis: nested f-strings are analysed once each, not once per enclosing string (was exponential)', () => {
    // 25 levels took 2 s and each level doubled it; 60 levels would have taken years.
    const nested = (levels: number) => `${HAZARD_HEAD}x = ${"f'{".repeat(levels)}fut.result()${"}'".repeat(levels)}\n`;
    const steps = (levels: number) => {
      const before = walkSteps.count;
      found(nested(levels));
      return walkSteps.count - before;
    };
    assert.deepEqual(found(nested(60)), ['7:5 HANG001'.replace('7:5', `7:${4 + 3 * 60 + 4}`)]);
    // Counted, not timed: each level adds a step or so to the walk; doubling the levels at most doubles the steps.
    const [at30, at60] = [steps(30), steps(60)];
    assert.ok(at60 <= 2 * at30, `${at30} steps for 30 levels, ${at60} for 60`);
    assert.ok(at60 <= 4 * 60 + 200, `${at60} steps for 60 levels`);
  });

  it('module-analysis: a 150,000-element list or dict literal does not overflow the stack (union of spread arguments)', () => {
    const list = `${HAZARD_HEAD}x = [${'fut, '.repeat(150_000)}]\nfut.result()\n`;
    assert.deepEqual(found(list), ['8:4 HANG001']);
    const dict = `${HAZARD_HEAD}x = {${'1: fut, '.repeat(150_000)}}\nfut.result()\n`;
    assert.deepEqual(found(dict), ['8:4 HANG001']);
  });

  it('module-analysis: `a and b and …` 10,000 long does not overflow the stack (doneGuards)', () => {
    const text = `${HAZARD_HEAD}if ${Array(10_000).fill('fut.done()').join(' and ')}:\n    fut.result()\nfut.result()\n`;
    assert.deepEqual(found(text), ['9:4 HANG001'], 'the guarded call is exempt, the unguarded one is not');
  });

  it('module-analysis and scopes: targets nested 10,000 deep do not overflow the stack', () => {
    assert.deepEqual(found(`${HAZARD_HEAD}${'('.repeat(10_000)}a${',)'.repeat(10_000)} = fut\nfut.result()\n`), ['8:4 HANG001']);
    const tree = parsePython(`${'['.repeat(10_000)}a, b${']'.repeat(10_000)} = x\n`);
    const target = tree.descendantsOfType('assignment')[0]!.childForFieldName('left');
    assert.deepEqual(targetNames(target), ['a', 'b']);
    assert.deepEqual(targetNames(parsePython('(a, [b, *c]), d.e, f[0] = x\n').descendantsOfType('assignment')[0]!.childForFieldName('left')), [
      'a',
      'b',
      'c',
    ]);
  });

  it('parser: a lone CR ends a line, as in Python (tree-sitter ran such lines together)', () => {
    assert.equal(parsePython('x = 1\ry = 2\r').hasError, false);
    assert.equal(parsePython('def f():\r    return 1\r\rclass C:\r    pass\r').hasError, false);
    const text = `${HAZARD_HEAD}fut.result()\n`.replace(/\n/g, '\r');
    assert.deepEqual(found(text), ['7:4 HANG001']);
    const root = parsePython('x = 1\ry = 2\r');
    assert.equal(root.namedChildren[1]!.text, 'y = 2', 'node text is the original text');
  });

  it('parser: the compact nodes keep their API (flags, children, fields, text)', () => {
    const root = parsePython('def f(:\n    return g(x, *y)\n');
    assert.equal(root.hasError, true);
    const leaves: { type: string; childCount: number }[] = [];
    const stack = [root];
    let missing = 0;
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.isMissing) missing++;
      if (node.childCount === 0) leaves.push(node);
      assert.equal(node.children.length, node.childCount);
      for (const child of node.children) {
        assert.equal(child.parent, node);
        assert.ok(child.startIndex >= node.startIndex && child.endIndex <= node.endIndex);
        stack.push(child);
      }
    }
    assert.ok(leaves.length > 5);
    assert.ok(missing <= 1);
    const call = root.descendantsOfType('call')[0]!;
    assert.equal(call.childForFieldName('function')!.text, 'g');
    assert.equal(call.childForFieldName('arguments')!.namedChildren.map((c) => c.type).join(' '), 'identifier list_splat');
    assert.equal(call.isNamed, true);
    assert.equal(call.childForFieldName('arguments')!.children[0]!.isNamed, false, '`(` is anonymous');
    const clean = parsePython('x = 1\n');
    assert.equal(clean.hasError, false);
    clean.hasError = true;
    assert.equal(clean.hasError, true, 'hasError can still be set');
  });
});

describe('core: sources in memory and oversized files', () => {
  it(
    'a source given as bytes and skipped by the pre-filter keeps its bytes when the analysis needs it later',
    () => {
      const a = `import asyncio, threading\nfrom helpers import helper\nloop = asyncio.new_event_loop()\nasync def work():\n    helper()\nfut = asyncio.run_coroutine_threadsafe(work(), loop)\n`;
      const b = 'import sys\ndef helper():\n    sys.exit(1)\n';
      const encode = (text: string) => new TextEncoder().encode(text);
      const files = lint(
        [
          { path: '/virtual/app.py', bytes: encode(a) },
          { path: '/virtual/helpers.py', bytes: encode(b) },
        ],
        { settingsFor: () => settings },
      );
      assert.deepEqual(
        files.map((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.line} ${m.ruleId}`)),
        [['app.py:5 HANG002'], []],
      );
    },
  );

  it(
    'a file over 2 GiB gets file-too-large (its size is known without reading it), not an io-error',
    (t) => {
      const root = makeProject({ 'ok.py': `${HAZARD_HEAD}fut.result()\n` });
      t.after(() => removeProject(root));
      // Sparse: takes no disk space.
      fs.writeFileSync(path.join(root, 'huge.py'), '');
      fs.truncateSync(path.join(root, 'huge.py'), 3 * 1024 ** 3);
      assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), ['huge.py:1 file-too-large', 'ok.py:7 HANG001']);
    },
  );
});

describe('core: one file that pyhang fails on', () => {
  it('becomes an internal-error message for that file, and the other files are still checked', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    // "Text" that only pretends to be a string passes the pre-filter and makes the analysis throw:
    // it stands for any bug met while analysing one file.
    const broken = { path: '/virtual/broken.py', text: { length: 14, toString: () => 'import asyncio' } as unknown as string };
    const files = lint(
      [broken, { path: '/virtual/ok.py', bytes: encode(`${HAZARD_HEAD}fut.result()\n`) }],
      { settingsFor: () => settings },
    );
    assert.deepEqual(
      files.map((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.ruleId}`)),
      [['broken.py:internal-error'], ['ok.py:HANG001']],
    );
    assert.match(files[0]!.messages[0]!.reason, /pyhang failed on this file .*please report this/);
  });
});
