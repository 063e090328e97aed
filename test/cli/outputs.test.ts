/**
 * The commands and flags that read like Ruff's: `pyhang rule`, `-o`, the
 * junit, gitlab and json-lines formats (each read back by what consumes it),
 * `--show-settings`, `--show-files`, `-` for stdin, and usage errors that name
 * the subcommand's help. All through the built binary.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fixtures, repoRoot, runPyhang, makeProject, removeProject, HAZARD } from './run-pyhang.js';
import { rules as registry } from '../../rules/index.js';

const basic = path.join(fixtures, 'basic');

describe('pyhang rule', () => {
  it("prints the rule's docs page, for a code in any case", () => {
    const result = runPyhang(['rule', 'hang004'], { cwd: fixtures });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, fs.readFileSync(path.join(repoRoot, 'docs/rules/HANG004.md'), 'utf8'));
  });

  it('--all prints every page, in registry order', () => {
    const result = runPyhang(['rule', '--all'], { cwd: fixtures });
    assert.equal(result.status, 0);
    const titles = result.stdout.split('\n').filter((line) => /^# HANG\d+: /.test(line));
    assert.deepEqual(titles, registry.map((rule) => `# ${rule.meta.code}: ${rule.meta.name}`));
  });

  it('--format json gives the metadata with the page as explanation', () => {
    const result = runPyhang(['rule', 'HANG001', '--format', 'json'], { cwd: fixtures });
    assert.equal(result.status, 0);
    const rule = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(rule['code'], 'HANG001');
    assert.equal(rule['name'], 'threadsafe-result-without-timeout');
    assert.equal(typeof rule['help'], 'string');
    assert.equal(rule['explanation'], fs.readFileSync(path.join(repoRoot, 'docs/rules/HANG001.md'), 'utf8'));
    const all = JSON.parse(runPyhang(['rule', '--all', '--format', 'json'], { cwd: fixtures }).stdout) as { code: string }[];
    assert.deepEqual(all.map((r) => r.code), registry.map((r) => r.meta.code));
  });

  it('an unknown code, or none, is a usage error', () => {
    const unknown = runPyhang(['rule', 'HANG999'], { cwd: fixtures });
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, "pyhang: unknown rule code 'HANG999' (see 'pyhang rules')\n");
    const none = runPyhang(['rule'], { cwd: fixtures });
    assert.equal(none.status, 2);
    assert.equal(none.stderr, "pyhang: name a rule code, or give --all (see 'pyhang rule --help')\n");
  });
});

describe('usage errors', () => {
  it("name the subcommand's help", () => {
    const check = runPyhang(['check', '--bogus'], { cwd: basic });
    assert.equal(check.status, 2);
    assert.equal(check.stderr, "pyhang: unknown option '--bogus' (see 'pyhang check --help')\n");
    const rules = runPyhang(['rules', '--bogus'], { cwd: basic });
    assert.equal(rules.stderr, "pyhang: unknown option '--bogus' (see 'pyhang rules --help')\n");
    const top = runPyhang(['--bogus'], { cwd: basic });
    assert.equal(top.stderr, "pyhang: unknown option '--bogus' (see 'pyhang --help')\n");
  });
});

describe('-o, --output-file', () => {
  it('writes the report to the file, nothing to stdout, with the same exit code', () => {
    const root = makeProject({ 'hazard.py': HAZARD });
    try {
      const result = runPyhang(['check', '--no-cache', '--format', 'json', '-o', 'report.json'], { cwd: root });
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      const report = JSON.parse(fs.readFileSync(path.join(root, 'report.json'), 'utf8')) as { messages: { ruleId: string; line: number }[] }[];
      assert.deepEqual(report[0]!.messages.map((m) => [m.ruleId, m.line]), [['HANG001', 7]]);
      const long = runPyhang(['check', '--no-cache', '--output-file', 'report.txt'], { cwd: root });
      assert.equal(long.stdout, '');
      assert.match(fs.readFileSync(path.join(root, 'report.txt'), 'utf8'), /^hazard\.py\n7:10-7:19 +error /);
    } finally {
      removeProject(root);
    }
  });
});

describe('--format junit', () => {
  /** The report as Python's XML parser reads it: suites and cases with their attributes and failures. */
  function parseWithPython(xml: string): { suites: { name: string; tests: string; failures: string; cases: { name: string; classname: string; line: string | null; failure: string | null; type: string | null; text: string | null }[] }[]; root: Record<string, string> } {
    const script = [
      'import json, sys, xml.etree.ElementTree as ET',
      'root = ET.fromstring(sys.stdin.buffer.read())',
      'assert root.tag == "testsuites", root.tag',
      'suites = []',
      'for s in root.findall("testsuite"):',
      '    cases = []',
      '    for c in s.findall("testcase"):',
      '        f = c.find("failure")',
      '        cases.append({"name": c.get("name"), "classname": c.get("classname"), "line": c.get("line"), "failure": None if f is None else f.get("message"), "type": None if f is None else f.get("type"), "text": None if f is None else f.text})',
      '    suites.append({"name": s.get("name"), "tests": s.get("tests"), "failures": s.get("failures"), "cases": cases})',
      'print(json.dumps({"root": dict(root.attrib), "suites": suites}))',
    ].join('\n');
    const result = spawnSync('python3', ['-c', script], { input: xml, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout);
  }

  it('is JUnit XML a real XML parser reads: a suite per file, a failing case per finding', () => {
    const result = runPyhang(['check', '--no-cache', '--format', 'junit', 'examples/'], { cwd: repoRoot });
    assert.equal(result.status, 1);
    const parsed = parseWithPython(result.stdout);
    const json = JSON.parse(runPyhang(['check', '--no-cache', '--format', 'json', 'examples/'], { cwd: repoRoot }).stdout) as { messages: { ruleId: string; message: string; line: number }[] }[];
    const expected = json.flatMap((file) => file.messages.map((m) => [`pyhang.${m.ruleId}`, String(m.line), m.message]));
    assert.deepEqual(parsed.suites.flatMap((s) => s.cases.map((c) => [c.name, c.line, c.failure])), expected);
    assert.equal(parsed.root['tests'], String(expected.length));
    assert.equal(parsed.root['failures'], String(expected.length));
    for (const suite of parsed.suites) assert.equal(suite.tests, String(suite.cases.length));
  });

  it('escapes what XML cannot hold as it is, in names and messages', () => {
    const root = makeProject({ 'a&b <"q">.py': HAZARD.replace(/fut\b/g, 'fut_é') });
    try {
      const result = runPyhang(['check', '--no-cache', '--format', 'junit'], { cwd: root });
      const parsed = parseWithPython(result.stdout);
      assert.equal(parsed.suites[0]!.name, 'a&b <"q">.py');
      assert.match(parsed.suites[0]!.cases[0]!.failure!, /`fut_é\.result\(\)`/);
    } finally {
      removeProject(root);
    }
  });

  it('a run with no findings is one passing case', () => {
    const parsed = parseWithPython(runPyhang(['check', '--no-cache', '--format', 'junit'], { cwd: path.join(fixtures, 'clean') }).stdout);
    assert.deepEqual(parsed.root, { name: 'pyhang', tests: '1', failures: '0', errors: '0' });
  });
});

describe('--format gitlab', () => {
  interface Issue {
    description: string;
    check_name: string;
    fingerprint: string;
    severity: string;
    location: { path: string; positions: { begin: { line: number; column: number }; end: { line: number; column: number } } };
  }

  /** GitLab's Code Quality schema: the fields it requires, their types, and the severities it knows. */
  function assertCodeQuality(issues: unknown): asserts issues is Issue[] {
    assert.ok(Array.isArray(issues));
    for (const issue of issues as Issue[]) {
      assert.deepEqual(Object.keys(issue).sort(), ['check_name', 'description', 'fingerprint', 'location', 'severity']);
      assert.equal(typeof issue.description, 'string');
      assert.equal(typeof issue.check_name, 'string');
      assert.match(issue.fingerprint, /^[0-9a-f]{32}$/);
      assert.ok(['info', 'minor', 'major', 'critical', 'blocker'].includes(issue.severity), issue.severity);
      assert.equal(typeof issue.location.path, 'string');
      assert.ok(!path.isAbsolute(issue.location.path), 'paths are relative to the repository');
      for (const point of [issue.location.positions.begin, issue.location.positions.end]) {
        assert.ok(Number.isInteger(point.line) && point.line >= 1 && Number.isInteger(point.column) && point.column >= 1);
      }
    }
  }

  it("is GitLab's Code Quality report, with unique fingerprints that survive lines moving", () => {
    const root = makeProject({ 'app/hazard.py': HAZARD });
    try {
      const first = JSON.parse(runPyhang(['check', '--no-cache', '--format', 'gitlab'], { cwd: root }).stdout) as unknown;
      assertCodeQuality(first);
      assert.deepEqual(first.map((issue) => [issue.location.path, issue.check_name, issue.severity, issue.location.positions.begin.line]), [
        ['app/hazard.py', 'HANG001', 'major', 7],
      ]);
      // The same file with two lines added at the top: the finding moves, its fingerprint does not.
      fs.writeFileSync(path.join(root, 'app/hazard.py'), '# a comment\n# another\n' + HAZARD);
      const second = JSON.parse(runPyhang(['check', '--no-cache', '--format', 'gitlab'], { cwd: root }).stdout) as unknown;
      assertCodeQuality(second);
      assert.equal(second[0]!.location.positions.begin.line, 9);
      assert.equal(second[0]!.fingerprint, first[0]!.fingerprint);
    } finally {
      removeProject(root);
    }
  });

  it('identical findings in one file get different fingerprints, and examples/ passes the schema', () => {
    const root = makeProject({ 'fire.py': HAZARD + 'asyncio.run_coroutine_threadsafe(work(), loop)\nasyncio.run_coroutine_threadsafe(work(), loop)\n' });
    try {
      const issues = JSON.parse(runPyhang(['check', '--no-cache', '--format', 'gitlab'], { cwd: root }).stdout) as unknown;
      assertCodeQuality(issues);
      const discards = issues.filter((issue) => issue.check_name === 'HANG004');
      assert.equal(discards.length, 2);
      assert.equal(discards[0]!.description, discards[1]!.description);
      assert.notEqual(discards[0]!.fingerprint, discards[1]!.fingerprint);
    } finally {
      removeProject(root);
    }
    const examples = JSON.parse(runPyhang(['check', '--no-cache', '--format', 'gitlab', 'examples/'], { cwd: repoRoot }).stdout) as unknown;
    assertCodeQuality(examples);
    assert.equal(new Set(examples.map((issue) => issue.fingerprint)).size, examples.length);
  });
});

describe('--format json-lines', () => {
  it('is one JSON object per finding, one a line, the same findings as json', () => {
    const result = runPyhang(['check', '--no-cache', '--format', 'json-lines', 'examples/'], { cwd: repoRoot });
    assert.equal(result.status, 1);
    assert.ok(result.stdout.endsWith('\n'));
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const json = JSON.parse(runPyhang(['check', '--no-cache', '--format', 'json', 'examples/'], { cwd: repoRoot }).stdout) as { filePath: string; messages: Record<string, unknown>[] }[];
    const expected = json.flatMap((file) => file.messages.map((m) => ({ filePath: file.filePath, ...m })));
    assert.deepEqual(
      lines.map(({ url: _url, ...rest }) => rest),
      expected,
    );
    assert.ok(lines.every((line) => String(line['url']).endsWith(`${String(line['ruleId'])}.md`)));
    assert.equal(runPyhang(['check', '--format', 'json-lines'], { cwd: path.join(fixtures, 'clean') }).stdout, '');
  });
});

describe('--show-settings and --show-files', () => {
  it('--show-settings names the configuration file and each rule severity for a file', () => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang]\nignore = ["HANG004"]\n[tool.pyhang.severity]\nHANG002 = "error"\n[tool.pyhang.per-file-ignores]\n"tests/*.py" = ["HANG001"]\n',
      'tests/test_a.py': 'x = 1\n',
    });
    try {
      const result = runPyhang(['check', '--show-settings', 'tests/test_a.py'], { cwd: root });
      assert.equal(result.status, 0, result.stderr);
      const shown = JSON.parse(result.stdout) as { file: string; configPath: string; rules: Record<string, string>; settings: { ignore: string[] } };
      assert.equal(shown.file, 'tests/test_a.py');
      assert.equal(fs.realpathSync(shown.configPath), fs.realpathSync(path.join(root, 'pyproject.toml')));
      assert.deepEqual(shown.rules, { HANG001: 'off', HANG002: 'error', HANG003: 'error', HANG004: 'off', HANG005: 'error', HANG006: 'error', HANG007: 'error', HANG008: 'error', HANG100: 'warning' });
      assert.deepEqual(shown.settings.ignore, ['HANG004']);
    } finally {
      removeProject(root);
    }
  });

  it('--show-files lists the files a check would look at, excludes applied, and checks nothing', () => {
    const root = makeProject({ 'a.py': HAZARD, 'pkg/b.pyi': '', 'build/c.py': '', 'notes.txt': '' });
    try {
      const result = runPyhang(['check', '--show-files'], { cwd: root });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, 'a.py\npkg/b.pyi\n');
    } finally {
      removeProject(root);
    }
  });
});

describe('- reads standard input', () => {
  it('as Ruff does: shown as `-`, or under --stdin-filename', () => {
    const plain = runPyhang(['check', '--format', 'compact', '-'], { cwd: basic, input: HAZARD });
    assert.equal(plain.status, 1);
    assert.match(plain.stdout, /^-:7:10: HANG001 /);
    const named = runPyhang(['check', '--format', 'compact', '--stdin-filename', 'app/x.py', '-'], { cwd: basic, input: HAZARD });
    assert.match(named.stdout, /^app\/x\.py:7:10: HANG001 /);
  });
});
