/**
 * Syntax errors the grammar recovers from badly (tree-sitter-python 0.25.0,
 * the latest release): the statement holding the error is blanked and the
 * rest of the file analysed, with every position kept.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { blankStatementAt } from '../../src/python/syntax-recovery.js';
import { analyzeModule } from '../../src/python/module-analysis.js';

const info = { module: 'm', isPackage: false, path: 'm.py' };

/** The shape of CPython 3.11's Lib/test/test_compile.py at line 1335 (valid Python: a dedent inside brackets). */
const TEST_COMPILE_1335 = [
  'import sys',
  'class TestSourcePositions:',
  '    def test_weird_attribute_position_regressions(self):',
  '        def f():',
  '            (bar.',
  '        baz)',
  '            (bar.',
  '        baz(',
  '        ))',
  '        return f',
  '',
  'class TestExpressionStackSize:',
  '    async def later(self):',
  '        sys.exit(1)',
  '',
].join('\n');

describe('syntax recovery', () => {
  it('blanks one statement, keeping every line break and offset; a block goes with its header', () => {
    const text = 'def f[T = int](x: T) -> T:\n    return x\n\nasync def g():\n    pass\n';
    const blanked = blankStatementAt(text, 0)!;
    assert.equal(blanked.length, text.length);
    assert.equal(blanked, `0${' '.repeat(25)}\n${' '.repeat(12)}\n\nasync def g():\n    pass\n`);
  });

  it('takes brackets, strings and continuations as one logical line', () => {
    const text = 'x = 1\nif (a,\n  """:\n"""):\n    y = [\n1]\nz = 2\n';
    const blanked = blankStatementAt(text, 2)!;
    assert.equal(blanked.split('\n')[0], 'x = 1');
    assert.equal(blanked.split('\n')[1], '0     ');
    assert.equal(blanked.split('\n')[6], 'z = 2');
    assert.equal(blanked.replace(/[^\n]/g, '').length, text.replace(/[^\n]/g, '').length);
  });

  it('analyses the rest of a file after PEP 696 type parameter defaults (def f[T = int])', () => {
    const facts = analyzeModule('import sys\n\ndef f[T = int](x: T) -> T:\n    return x\n\nasync def later():\n    sys.exit(1)\n', info);
    assert.deepEqual(facts.syntaxError?.loc.start, { line: 3, column: 7, offset: 18 });
    const later = facts.functions.find((fn) => fn.q === 'm.later');
    assert.ok(later?.isAsync, 'later() is still a coroutine');
    assert.equal(later.escapes.length, 1);
  });

  it("analyses the rest of a file after test_compile.py's line 1335, the classes after it and their coroutines", () => {
    const facts = analyzeModule(TEST_COMPILE_1335, info);
    assert.equal(facts.syntaxError?.loc.start.line, 5);
    assert.deepEqual(
      facts.classes.map((c) => c.q),
      ['m.TestSourcePositions', 'm.TestExpressionStackSize'],
    );
    const later = facts.functions.find((fn) => fn.q === 'm.TestExpressionStackSize.later');
    assert.ok(later?.isAsync);
    assert.deepEqual(later.escapes[0]?.loc.start, { line: 14, column: 9, offset: TEST_COMPILE_1335.indexOf('sys.exit(1)') });
  });

  it('stops after a bounded number of statements in a file full of errors, and reports the first', () => {
    const text = 'x = )\n'.repeat(50);
    const facts = analyzeModule(text, info);
    assert.equal(facts.syntaxError?.loc.start.line, 1);
  });

  const stdlib = '/root/.pyenv/versions/3.11.7/lib/python3.11/test/test_compile.py';
  it('finds every class of the standard library test_compile.py', { skip: !fs.existsSync(stdlib) && 'no CPython 3.11.7 here' }, () => {
    const facts = analyzeModule(fs.readFileSync(stdlib, 'utf8'), { ...info, path: stdlib });
    const topLevel = facts.classes.map((c) => c.q).filter((q) => q.split('.').length === 2);
    assert.deepEqual(topLevel, ['m.TestSpecifics', 'm.TestSourcePositions', 'm.TestExpressionStackSize', 'm.TestStackSizeStability']);
  });
});

describe('syntax recovery, bounded', () => {
  it("does not blank a block of more than 200 lines: nesting past the parser's depth errs on line 1", () => {
    const text = `if x:\n${'    y = 1\n'.repeat(300)}`;
    assert.equal(blankStatementAt(text, 0), null);
  });

  it('does not blank a bracket left open: it would run to the end of the file', () => {
    assert.equal(blankStatementAt('def broken(:\n    pass\nx = 1\n', 0), null);
  });
});
