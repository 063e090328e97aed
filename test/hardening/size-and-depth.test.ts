/**
 * Size and depth: every input gets an answer (findings or one file problem),
 * never a crash, a stack trace or exit 2, within a bounded time.
 *
 * - A 50 MB file is refused with one `file-too-large` message under the default
 *   `max-file-size` (10 MiB). Analysing it with the limit raised takes about a
 *   minute and gigabytes of memory, so that run is a separate command:
 *   `npm run test:stress` (stress/huge-file.test.ts).
 * - 10,000 levels of nesting in every expression whose analysis recurses; 500
 *   levels of indented blocks (tree-sitter's scanner gives up on deeper
 *   indentation, which CPython refuses past 100 anyway) and 1,000 levels, where
 *   it does give up and the file still gets its answer.
 * - Very long lines: a 5 MB line, and a line of 200,000 list elements.
 *
 * Hangs and blow-ups are caught by counting the walk's work (walkSteps: the
 * expressions and statements it evaluated), not by timing it, which flakes on
 * a busy machine: the count stays within a small multiple of the input's size
 * (how deep it nests, how many elements it has), and doubles at most when the
 * input doubles. Anything quadratic or exponential is far past these bounds at
 * these sizes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lint } from '../../src/engine/lint.js';
import { walkSteps } from '../../src/python/analyzer-base.js';
import { defaultSettings } from '../../src/config/settings.js';
import { check, findings, makeProject, removeProject, runPyhang, writeLargeFile, HAZARD_HEAD } from './helpers.js';
import { deepExpressions, deepStatements, type DeepInput } from './deep-inputs.js';

const settings = { ...defaultSettings('/virtual'), maxFileSize: 100 * 1024 * 1024 };

/**
 * Expressions and statements the walk may evaluate per unit of an input's size
 * (a level of nesting, an element), and for the hazard head around it. A loop
 * is walked twice to reach its fixed point, each level of a header and a body:
 * 6 steps a level for nested loops, 3 for `a and b and …`.
 */
const STEPS_PER_UNIT = 8;
const STEPS_AROUND = 200;

function lintText(text: string) {
  return lint([{ path: '/virtual/deep.py', text }], { settingsFor: () => settings })[0]!;
}

/** What `run` gives, and how many steps the walk took for it (see walkSteps). */
function counted<T>(run: () => T): { steps: number; value: T } {
  const before = walkSteps.count;
  const value = run();
  return { steps: walkSteps.count - before, value };
}

/** The walk's work is linear in `size`: within STEPS_PER_UNIT steps per unit. */
function assertLinearWork(steps: number, size: number, what: string): void {
  assert.ok(steps <= STEPS_PER_UNIT * size + STEPS_AROUND, `${what}: ${steps} steps for a size of ${size}`);
}

describe('size', () => {
  it('a 50 MB file is refused under the default max-file-size with one clear message, in well under the bound', (t) => {
    const root = makeProject({});
    t.after(() => removeProject(root));
    writeLargeFile(path.join(root, 'huge.py'), 50_000_000);
    const result = check(['--format', 'compact'], root);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^huge\.py:1:1: file-too-large File skipped: 5\d{7} bytes is over the limit of 10485760 \(max-file-size\)$/);
    assert.equal(result.status, 0, 'a warning by default');
    // Refused before anything is analysed: the walk takes no step for it.
    const { steps, value: refused } = counted(() => lint([{ path: path.join(root, 'huge.py') }], { settingsFor: () => defaultSettings(root) })[0]!);
    assert.deepEqual(refused.messages.map((m) => m.ruleId), ['file-too-large']);
    assert.equal(steps, 0);
  });

  it('just over and just under the limit', (t) => {
    const text = `${HAZARD_HEAD}fut.result()\n`;
    const root = makeProject({
      'pyproject.toml': `[tool.pyhang]\nmax-file-size = ${Buffer.byteLength(text)}\n`,
      'at_limit.py': text,
      'over_limit.py': `${text}\n`,
    });
    t.after(() => removeProject(root));
    assert.deepEqual(findings(check(['--format', 'compact'], root).stdout), ['at_limit.py:7 HANG001', 'over_limit.py:1 file-too-large']);
  });

  it('a 5 MB single line (a string literal) with a finding at its end: the column is right', (t) => {
    const literal = 'x'.repeat(5_000_000);
    const root = makeProject({ 'long.py': `${HAZARD_HEAD}s = "${literal}"; fut.result()\n` });
    t.after(() => removeProject(root));
    const result = check(['--format', 'json'], root);
    const [file] = JSON.parse(result.stdout) as { messages: { ruleId: string; line: number; column: number }[] }[];
    assert.deepEqual(file!.messages.map((m) => [m.ruleId, m.line, m.column]), [['HANG001', 7, literal.length + 12]]);
    // The literal is one expression, whatever its length.
    const { steps } = counted(() => lintText(fs.readFileSync(path.join(root, 'long.py'), 'utf8')));
    assertLinearWork(steps, 1, 'a 5 MB string literal');
  });

  it('a line of 200,000 list elements (a million tokens on one line)', () => {
    const { steps, value: file } = counted(() => lintText(`${HAZARD_HEAD}x = [${'1, '.repeat(200_000)}]; fut.result()\n`));
    assert.deepEqual(file.messages.map((m) => `${m.line} ${m.ruleId}`), ['7 HANG001']);
    assertLinearWork(steps, 200_000, '200,000 list elements');
  });
});

/** What a file not fully checked because of its depth is told (an internal error: exit 2), and nothing else is. */
const NOT_ANALYSED = /^pyhang did not check all of this file: code nested deeper than 400 levels \(or blocks deeper than 600\) at line \d+ was not analysed/;

function assertAnswered(input: DeepInput, messages: { ruleId?: string | null; line?: number | null; message?: string; reason?: string }[]): void {
  const found = messages.map((m) => `${m.line} ${m.ruleId}`);
  const internal = messages.filter((m) => m.ruleId === 'internal-error').map((m) => m.message ?? m.reason ?? '');
  // A long chain is analysed whole; other nesting past the bound is reported as not analysed, never as a crash.
  if (input.chain) assert.deepEqual(internal, [], input.name);
  else for (const reason of internal) assert.match(reason, NOT_ANALYSED, input.name);
  if (input.innerWaitLine) assert.ok(found.includes(`${input.innerWaitLine} HANG001`), `${input.name}: the wait at the bottom of the chain is missed: ${found}`);
  if (input.name.startsWith('f-strings')) {
    // tree-sitter gives up on f-strings nested this deep and takes the next line with them: a syntax error is the answer.
    assert.ok(found.some((f) => f.endsWith('syntax-error')), `${input.name}: ${found}`);
  } else {
    assert.ok(found.includes(`${input.waitLine} HANG001`), `${input.name}: the finding after the deep construct is lost: ${found}`);
  }
}

describe('depth: lint()', () => {
  const halves = new Map(deepExpressions(5_000).map((input) => [input.name, input]));
  for (const input of deepExpressions(10_000)) {
    it(`10,000 levels: ${input.name}`, () => {
      const { steps, value: file } = counted(() => lintText(input.text));
      assertAnswered(input, file.messages);
      assertLinearWork(steps, 10_000, input.name);
      // And twice the nesting costs at most twice the work (a little more for the head).
      const half = counted(() => lintText(halves.get(input.name)!.text)).steps;
      assert.ok(steps <= 2 * half + STEPS_AROUND, `${input.name}: ${half} steps at 5,000 levels, ${steps} at 10,000`);
    });
  }

  const halfBlocks = new Map(deepStatements(250).map((input) => [input.name, input]));
  for (const input of deepStatements(500)) {
    it(`500 levels of indentation: ${input.name}`, () => {
      const { steps, value: file } = counted(() => lintText(input.text));
      assert.deepEqual(file.messages.map((m) => `${m.line} ${m.ruleId}`), [`${input.waitLine} HANG001`], input.name);
      assertLinearWork(steps, 500, input.name);
      const half = counted(() => lintText(halfBlocks.get(input.name)!.text)).steps;
      assert.ok(steps <= 2 * half + STEPS_AROUND, `${input.name}: ${half} steps at 250 levels, ${steps} at 500`);
    });
  }

  for (const input of deepStatements(1_000)) {
    it(`1,000 levels of indentation, past tree-sitter's limit: ${input.name}`, () => {
      const { steps, value: file } = counted(() => lintText(input.text));
      assert.deepEqual(file.messages.map((m) => `${m.line} ${m.ruleId}`), ['1 syntax-error', `${input.waitLine} HANG001`], input.name);
      assertLinearWork(steps, 1_000, input.name);
    });
  }
});

/**
 * A file nested past the walk's bound is named on stderr as not fully checked and the run exits 2
 * (a hazard in what was skipped would be missed); a chain, however long, is checked whole.
 */
function assertNotAnalysedOnStderr(result: { status: number | null; stderr: string }, inputs: DeepInput[]): void {
  const named = new Set<number>();
  for (const line of result.stderr.split('\n').filter(Boolean)) {
    const match = /^pyhang: internal error: deep_(\d+)\.py: (.*)$/.exec(line);
    assert.ok(match, `unexpected stderr line: ${line}`);
    assert.match(match[2]!, NOT_ANALYSED);
    named.add(Number(match[1]));
  }
  for (const [i, input] of inputs.entries()) if (input.chain) assert.ok(!named.has(i), `${input.name} is a chain, checked whole`);
  assert.ok(inputs.some((input, i) => !input.chain && named.has(i)), 'nesting past the bound is reported');
  assert.equal(result.status, 2);
}

describe('depth: the binary', () => {
  it('through worker threads too (a project large enough for them): every deep file gets its answer', (t) => {
    const inputs = deepExpressions(10_000);
    const files: Record<string, string> = Object.fromEntries(inputs.map((input, i) => [`deep_${i}.py`, input.text]));
    // Enough plain files that the first look runs in worker threads (src/engine/lint-files.ts).
    for (let i = 0; i < 64; i++) files[`plain_${i}.py`] = `x = ${i}\n`;
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const result = check(['--format', 'json', '--jobs', '2'], root);
    assertNotAnalysedOnStderr(result, inputs);
    const reported = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; line: number; message: string }[] }[];
    for (const [i, input] of inputs.entries()) {
      assertAnswered(input, reported.find((r) => path.basename(r.filePath) === `deep_${i}.py`)!.messages);
    }
  });

  it('a project of deep files: one answer each, no stack trace, exit 2 for the files not fully checked', (t) => {
    const picked = [...deepExpressions(10_000), ...deepStatements(1_000)].filter((input) =>
      ['parentheses', 'calls f(f(f(...)))', 'attribute chain a.a.a…result()', 'fut.done() and … (left-deep)', 'nested tuple target', "f-strings f'{f'{…}'}'", 'if blocks'].includes(input.name),
    );
    const files = Object.fromEntries(picked.map((input, i) => [`deep_${i}.py`, input.text]));
    const root = makeProject(files);
    t.after(() => removeProject(root));
    // (The walk's work on each of these inputs is counted above, through lint().)
    const result = check(['--format', 'json'], root);
    assertNotAnalysedOnStderr(result, picked);
    const reported = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; line: number; message: string }[] }[];
    assert.equal(reported.length, picked.length);
    for (const [i, input] of picked.entries()) {
      const file = reported.find((r) => path.basename(r.filePath) === `deep_${i}.py`)!;
      assertAnswered(input, file.messages);
    }
  });

  it('a hazard nested 450 parentheses deep is not skipped silently: the file is named as not fully checked, exit 2, cached runs too', (t) => {
    const root = makeProject({ 'deep.py': `${HAZARD_HEAD}x = ${'('.repeat(450)}fut.result()${')'.repeat(450)}\nfut.result()\n` });
    t.after(() => removeProject(root));
    for (const run of ['first', 'cached']) {
      const result = runPyhang(['check', '--format', 'compact'], { cwd: root });
      assert.equal(result.status, 2, run);
      assert.match(result.stderr, /^pyhang: internal error: deep\.py: pyhang did not check all of this file: code nested deeper than 400 levels \(or blocks deeper than 600\) at line 7 was not analysed/, run);
      assert.deepEqual(findings(result.stdout), ['deep.py:7 internal-error', 'deep.py:8 HANG001'], run);
    }
  });
});
