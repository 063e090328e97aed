/**
 * `pyhang check` end to end: exit codes, the three output formats, `# noqa`,
 * `--quiet` and file problems, on fixture folders under test/fixtures/cli/.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fixtures, runPyhang, findings } from './run-pyhang.js';

const HANG001_MESSAGE =
  '`fut.result()` can block forever without a timeout';

describe('exit codes', () => {
  it('0 when nothing is reported, with no output', () => {
    const result = runPyhang(['check'], { cwd: path.join(fixtures, 'clean') });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, '');
  });

  it('1 when a finding is reported', () => {
    const result = runPyhang(['check'], { cwd: path.join(fixtures, 'basic') });
    assert.equal(result.status, 1);
  });

  it('1 for warnings too', () => {
    const result = runPyhang(['check', '--select', 'HANG004', '--format', 'compact'], { cwd: path.join(fixtures, 'selection') });
    assert.deepEqual(findings(result.stdout), ['discard.py:6 HANG004']);
    assert.equal(result.status, 1);
  });

  it('2 for an unknown flag, with one line on stderr', () => {
    const result = runPyhang(['check', '--bogus'], { cwd: path.join(fixtures, 'basic') });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^pyhang: unknown option '--bogus'[^\n]*\n$/);
  });

  it('2 for an unknown format', () => {
    const result = runPyhang(['check', '--format', 'xml'], { cwd: path.join(fixtures, 'basic') });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, "pyhang: unknown format 'xml' (expected stylish, json, compact, full, github, sarif, junit, gitlab, json-lines)\n");
  });

  it('2 for an unknown rule code in a flag', () => {
    const result = runPyhang(['check', '--ignore', 'HANG999'], { cwd: path.join(fixtures, 'basic') });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^pyhang: --ignore: unknown rule code or prefix 'HANG999'[^\n]*\n$/);
  });

  it('2 for an unknown subcommand', () => {
    const result = runPyhang(['lint'], { cwd: fixtures });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^pyhang: unknown command 'lint'/);
  });
});

describe('--format stylish', () => {
  it('groups findings under a cwd-relative path, with range, severity, message, code and a summary', () => {
    const result = runPyhang(['check', 'basic'], { cwd: fixtures });
    assert.equal(result.status, 1);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'basic/hazard.py');
    assert.match(lines[1]!, /^7:10-7:19 +error +`fut\.result\(\)` can block forever without a timeout +HANG001 +pyhang$/);
    assert.ok(!result.stdout.includes('clean.py'), 'files without findings are not listed');
    assert.ok(result.stdout.includes('✖ 1 error'));
    assert.ok(!result.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
  });

  it('--color forces ANSI colours', () => {
    const result = runPyhang(['check', '--color'], { cwd: path.join(fixtures, 'basic') });
    assert.ok(result.stdout.includes('\u001b[31m'));
  });

  it('--no-color wins over --color given earlier', () => {
    const result = runPyhang(['check', '--color', '--no-color'], { cwd: path.join(fixtures, 'basic') });
    assert.ok(!result.stdout.includes('\u001b['));
  });
});

describe('--format json', () => {
  it("has exactly ESLint's result shape, one entry per file, clean files included", () => {
    const cwd = path.join(fixtures, 'basic');
    const result = runPyhang(['check', '--format', 'json'], { cwd });
    assert.equal(result.status, 1);
    const parsed: unknown = JSON.parse(result.stdout);
    assert.ok(Array.isArray(parsed));
    assert.deepEqual(parsed, [
      {
        filePath: path.join(cwd, 'clean.py'),
        messages: [],
        suppressedMessages: [],
        errorCount: 0,
        fatalErrorCount: 0,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        usedDeprecatedRules: [],
      },
      {
        filePath: path.join(cwd, 'hazard.py'),
        messages: [
          { ruleId: 'HANG001', severity: 2, message: HANG001_MESSAGE, line: 7, column: 10, endLine: 7, endColumn: 19 },
        ],
        suppressedMessages: [],
        errorCount: 1,
        fatalErrorCount: 0,
        warningCount: 0,
        // HANG001's fix is unsafe, so a plain --fix would not apply it.
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        usedDeprecatedRules: [],
      },
    ]);
    const [, hazard] = parsed as Record<string, unknown>[];
    assert.deepEqual(Object.keys(hazard!), [
      'filePath',
      'messages',
      'suppressedMessages',
      'errorCount',
      'fatalErrorCount',
      'warningCount',
      'fixableErrorCount',
      'fixableWarningCount',
      'usedDeprecatedRules',
    ]);
    const [message] = (hazard as { messages: Record<string, unknown>[] }).messages;
    assert.deepEqual(Object.keys(message!), ['ruleId', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn']);
  });

  it('is an empty array when no file is linted', () => {
    const result = runPyhang(['check', '--format', 'json', '--exclude', '*.py'], { cwd: path.join(fixtures, 'basic') });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, '[]\n');
    assert.equal(result.stderr, 'pyhang: warning: no Python files found under the given paths\n');
  });

  it('severity 1 for warnings; a file problem at warning severity is shown without failing the run', () => {
    const cwd = path.join(fixtures, 'problems');
    const result = runPyhang(['check', '--format', 'json'], { cwd });
    assert.equal(result.status, 0);
    const [broken] = JSON.parse(result.stdout) as { messages: { ruleId: string; severity: number; line: number }[]; warningCount: number }[];
    assert.equal(broken!.messages[0]!.ruleId, 'syntax-error');
    assert.equal(broken!.messages[0]!.severity, 1, 'severity.syntax-error = "warning" in problems/pyproject.toml');
    assert.equal(broken!.messages[0]!.line, 4);
    assert.equal(broken!.warningCount, 1);
  });
});

describe('--format compact', () => {
  it('prints path:line:column: CODE message, one line per finding', () => {
    const result = runPyhang(['check', '--format', 'compact', 'basic'], { cwd: fixtures });
    assert.equal(result.stdout, `basic/hazard.py:7:10: HANG001 ${HANG001_MESSAGE}\n`);
  });
});

describe('# noqa', () => {
  it('a bare noqa, the code and its prefix suppress; another code does not (and is reported unused by HANG100)', () => {
    const result = runPyhang(['check', '--format', 'compact'], { cwd: path.join(fixtures, 'noqa') });
    assert.deepEqual(findings(result.stdout), ['suppressed.py:10 HANG001', 'suppressed.py:10 HANG100', 'suppressed.py:11 HANG001']);
    assert.equal(result.status, 1);
  });
});

describe('--quiet', () => {
  it('reports errors only', () => {
    const result = runPyhang(['check', '--format', 'compact', '--quiet'], { cwd: path.join(fixtures, 'selection') });
    assert.deepEqual(findings(result.stdout), ['app.py:7 HANG001']);
  });

  it('exits 0 when only warnings were found', () => {
    const result = runPyhang(['check', '--quiet', '--select', 'HANG004'], { cwd: path.join(fixtures, 'selection') });
    assert.equal(result.stdout, '');
    assert.equal(result.status, 0);
  });
});

describe('file problems', () => {
  it('a syntax error is reported under its own code', () => {
    const result = runPyhang(['check', '--format', 'compact'], { cwd: path.join(fixtures, 'problems') });
    assert.deepEqual(findings(result.stdout), ['broken.py:4 syntax-error']);
  });
});
