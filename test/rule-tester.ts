/**
 * A RuleTester in ESLint's spirit: a rule's test is its specification, a list
 * of `valid` snippets that must stay silent and `invalid` ones with the exact
 * findings (code, line, column) they must produce, and, when the rule fixes
 * them, the `output` its fixes make. Multi-file cases are small projects
 * written to a temporary directory and linted together.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint, type PyhangMessage } from '../src/engine/lint.js';
import { defaultSettings } from '../src/config/settings.js';
import { fixSafety, fixSource, selectFixes } from '../src/engine/fix.js';
import { hasSyntaxError } from '../src/cli/apply-fixes.js';

export interface ExpectedFinding {
  line: number;
  column: number;
  /** For multi-file cases: the file, relative to the project. */
  file?: string;
  messageId?: string;
  severity?: 'error' | 'warning';
  /** A fragment the message must contain. */
  message?: string | RegExp;
  /** How many related locations the finding carries. */
  related?: number;
  endLine?: number;
  endColumn?: number;
}

export interface Case {
  name: string;
  /** A single module; or `files` for a project. */
  code?: string;
  files?: Record<string, string>;
}

export interface InvalidCase extends Case {
  errors: ExpectedFinding[];
  /**
   * The source after the rule's fixes, applied as `--fix --unsafe-fixes`
   * applies them (one round): for `code`, the fixed text; for `files`, the
   * fixed text of each file the fixes change. Required, as in ESLint, when a
   * finding carries a fix, so that every fix a rule offers is specified.
   */
  output?: string | Record<string, string>;
}

/** Strips the common indentation of a snippet written inside a test. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/**
 * The files of a fixture project under test/fixtures/rules/ (`HANG002/argparse-bot`),
 * by path relative to it, for a case's `files`.
 */
export function fixtureProject(name: string): Record<string, string> {
  // dist/test/rule-tester.js → the repository's test/fixtures/rules/.
  return readFixtureDir(path.join(fileURLToPath(new URL('../../test/fixtures/rules/', import.meta.url)), name));
}

/**
 * The files of a fixture project under test/fixtures/value-flow/<name>, by
 * path relative to it, optionally with some replaced or added (`changes`):
 * realistic multi-module projects that several cases share.
 */
export function fixtureFiles(name: string, changes: Record<string, string> = {}): Record<string, string> {
  return { ...readFixtureDir(path.join(fileURLToPath(new URL('../..', import.meta.url)), 'test', 'fixtures', 'value-flow', name)), ...changes };
}

function readFixtureDir(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(root, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return files;
}

export interface LintedProject {
  dir: string;
  messages: (PyhangMessage & { file: string })[];
}

/** Lints a snippet or a small project in a fresh temporary directory. */
export function lintCase(c: Case): LintedProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-rule-'));
  const files = c.files ?? { 'snippet.py': c.code ?? '' };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  try {
    const sources = Object.keys(files)
      .filter((name) => /\.pyi?$/.test(name))
      .map((name) => ({ path: path.join(dir, name), bytes: fs.readFileSync(path.join(dir, name)) }));
    const settingsFor = () => defaultSettings(dir);
    const result = lint(sources, { settingsFor });
    const messages = result.flatMap((file) =>
      file.messages.map((m) => Object.assign(m as PyhangMessage, { file: path.relative(dir, file.path).split(path.sep).join('/') })),
    );
    // Every case doubles as a check of the pre-filter: parsing every file must find exactly the same.
    const exhaustive = lint(sources, { settingsFor, prefilter: false }).flatMap((file) =>
      file.messages.filter((m) => String(m.ruleId).startsWith('HANG')).map((m) => `${path.relative(dir, file.path)}:${m.line}:${m.column} ${m.ruleId} ${m.reason}`),
    );
    const filtered = messages.filter((m) => String(m.ruleId).startsWith('HANG')).map((m) => `${m.file}:${m.line}:${m.column} ${m.ruleId} ${m.reason}`);
    assert.deepEqual(filtered, exhaustive, 'the pre-filtered run and the exhaustive run (prefilter: false) disagree');
    return { dir, messages };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the findings' fixes make of each file they change, through the functions
 * `pyhang check --fix` uses: the fix selection (unsafe fixes included) and one
 * round of fixSource, whose guard refuses a fix that breaks the parse.
 */
function fixedFiles(c: Case, found: LintedProject['messages']): Record<string, string> {
  const files = c.files ?? { 'snippet.py': c.code ?? '' };
  const fixed: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    const { applicable } = selectFixes(found.filter((m) => m.file === name), true);
    const source = { bytes: new TextEncoder().encode(text), text, encoding: { encoding: 'utf-8', bom: false }, original: text };
    const outcome = fixSource(source, applicable, hasSyntaxError);
    assert.notEqual(outcome.kind, 'refused', `the fix of ${name} was refused: ${outcome.kind === 'refused' ? outcome.reason : ''}`);
    if (outcome.kind === 'fixed') fixed[name] = outcome.text;
  }
  return fixed;
}

function describeFindings(messages: LintedProject['messages']): string {
  return messages.map((m) => `${m.file}:${m.line}:${m.column} ${m.ruleId} ${m.reason}`).join('\n') || '(none)';
}

export function ruleTester(code: string, cases: { valid: Case[]; invalid: InvalidCase[] }): void {
  describe(code, () => {
    describe('valid', () => {
      for (const c of cases.valid) {
        it(c.name, () => {
          const found = lintCase(c).messages.filter((m) => m.ruleId === code);
          assert.equal(found.length, 0, `expected no ${code}, got:\n${describeFindings(found)}`);
        });
      }
    });
    describe('invalid', () => {
      for (const c of cases.invalid) {
        it(c.name, () => {
          const found = lintCase(c).messages.filter((m) => m.ruleId === code);
          const summary = describeFindings(found);
          assert.equal(found.length, c.errors.length, `expected ${c.errors.length} ${code}, got:\n${summary}`);
          c.errors.forEach((expected, i) => {
            const actual = found[i]!;
            const where = `finding ${i + 1} of:\n${summary}`;
            if (expected.file) assert.equal(actual.file, expected.file, where);
            assert.equal(actual.line, expected.line, `line, ${where}`);
            assert.equal(actual.column, expected.column, `column, ${where}`);
            if (expected.endLine !== undefined) assert.equal(actual.place && 'end' in actual.place ? actual.place.end.line : undefined, expected.endLine, where);
            if (expected.endColumn !== undefined) assert.equal(actual.place && 'end' in actual.place ? actual.place.end.column : undefined, expected.endColumn, where);
            if (expected.messageId) assert.equal(actual.messageId, expected.messageId, where);
            if (expected.severity) assert.equal(actual.fatal ? 'error' : 'warning', expected.severity, where);
            if (expected.message !== undefined) {
              if (typeof expected.message === 'string') assert.ok(actual.reason.includes(expected.message), `message should contain ${expected.message}: ${actual.reason}`);
              else assert.match(actual.reason, expected.message);
            }
            if (expected.related !== undefined) assert.equal(actual.related?.length ?? 0, expected.related, where);
          });
          const fixed = fixedFiles(c, found);
          if (c.output === undefined) {
            assert.ok(!found.some((m) => fixSafety(m) !== null), `the findings carry a fix: give the case an \`output\`, the fixed source:\n${JSON.stringify(c.files ? fixed : fixed['snippet.py'])}`);
          } else if (typeof c.output === 'string') {
            assert.equal(fixed['snippet.py'] ?? c.code, c.output, 'output: the source after the fixes');
          } else {
            assert.deepEqual(fixed, c.output, 'output: the files the fixes change, after the fixes');
          }
        });
      }
    });
  });
}
