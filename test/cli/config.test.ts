/**
 * Configuration end to end: which pyproject.toml governs a file, what its keys
 * do, how flags override it, and how a broken one is refused (exit 2, one line
 * naming the file and the key).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fixtures, runPyhang, findings, makeProject, removeProject, HAZARD } from './run-pyhang.js';

interface JsonResult {
  filePath: string;
  messages: { ruleId: string; severity: number; line: number }[];
}

function severities(stdout: string, cwd: string): Record<string, string[]> {
  const results = JSON.parse(stdout) as JsonResult[];
  return Object.fromEntries(
    results.map((r) => [path.relative(cwd, r.filePath), r.messages.map((m) => `${m.ruleId}:${m.severity}`)]),
  );
}

describe('config discovery', () => {
  const cwd = path.join(fixtures, 'discovery');

  it('the nearest [tool.pyhang] governs each file; a pyproject.toml without one is skipped', () => {
    const result = runPyhang(['check', '--format', 'json'], { cwd });
    assert.equal(result.status, 1);
    assert.deepEqual(severities(result.stdout, cwd), {
      // discovery/pyproject.toml: severity HANG001 = "warning".
      'hazard.py': ['HANG001:1'],
      // nested/pyproject.toml: ignore = ["HANG001"].
      'nested/hazard.py': [],
      // plain/pyproject.toml has no [tool.pyhang], so discovery/pyproject.toml applies.
      'plain/hazard.py': ['HANG001:1'],
    });
  });

  it('the same holds when the files are named from elsewhere', () => {
    const result = runPyhang(['check', '--format', 'json', 'discovery'], { cwd: fixtures });
    assert.deepEqual(severities(result.stdout, cwd), {
      'hazard.py': ['HANG001:1'],
      'nested/hazard.py': [],
      'plain/hazard.py': ['HANG001:1'],
    });
  });

  it('--config uses one file for everything and turns discovery off', () => {
    // alternative.toml: select = ["HANG004"], so nothing in discovery/ is reported.
    const result = runPyhang(['check', '--format', 'compact', '--config', 'alternative.toml'], { cwd });
    assert.equal(result.stdout, '');
    assert.equal(result.status, 0);
  });

  it('--config naming a missing file is a config error', () => {
    const result = runPyhang(['check', '--config', 'missing.toml'], { cwd });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, 'pyhang: config file not found: missing.toml\n');
  });
});

describe('config errors', () => {
  const cases: [string, RegExp][] = [
    ['unknown-key', /^pyhang: pyproject\.toml: \[tool\.pyhang\] unknown key 'selekt'/],
    ['bad-severity', /^pyhang: pyproject\.toml: \[tool\.pyhang\] severity\.HANG001: expected "error", "warning" or "off", got "fatal"$/],
    ['bad-toml', /^pyhang: pyproject\.toml:3:\d+: invalid TOML: /],
    ['unknown-code', /^pyhang: pyproject\.toml: \[tool\.pyhang\] extend-select\[0\]: unknown rule code or prefix 'HANG999'/],
    ['wrong-type', /^pyhang: pyproject\.toml: \[tool\.pyhang\] max-file-size: expected a positive whole number of bytes, got "10MB"$/],
  ];
  for (const [folder, expected] of cases) {
    it(`${folder}: exit 2, one line naming the file and the key, no report`, () => {
      const result = runPyhang(['check'], { cwd: path.join(fixtures, 'config-errors', folder) });
      assert.equal(result.status, 2);
      assert.equal(result.stdout, '');
      const lines = result.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, expected);
    });
  }

  it('the file is named relative to the working directory', () => {
    const result = runPyhang(['check', 'config-errors/unknown-key'], { cwd: fixtures });
    assert.match(result.stderr, /^pyhang: config-errors\/unknown-key\/pyproject\.toml: \[tool\.pyhang\] unknown key 'selekt'/);
  });
});

describe('selection', () => {
  const cwd = path.join(fixtures, 'selection');

  it('per-file-ignores and extend-exclude from pyproject.toml', () => {
    // tests/*.py ignores HANG001; generated/ is excluded.
    const result = runPyhang(['check', '--format', 'compact'], { cwd });
    assert.deepEqual(findings(result.stdout), ['app.py:7 HANG001', 'discard.py:6 HANG004']);
  });

  it('--select replaces the selection', () => {
    const result = runPyhang(['check', '--format', 'compact', '--select', 'HANG004'], { cwd });
    assert.deepEqual(findings(result.stdout), ['discard.py:6 HANG004']);
  });

  it('--select takes prefixes and comma-separated lists', () => {
    const result = runPyhang(['check', '--format', 'compact', '--select', 'HANG00,HANG004'], { cwd });
    assert.deepEqual(findings(result.stdout), ['app.py:7 HANG001', 'discard.py:6 HANG004']);
  });

  it('--ignore adds to ignore', () => {
    const result = runPyhang(['check', '--format', 'compact', '--ignore', 'HANG004'], { cwd });
    assert.deepEqual(findings(result.stdout), ['app.py:7 HANG001']);
  });

  it('--extend-select adds to a --select', () => {
    const result = runPyhang(['check', '--format', 'compact', '--select', 'HANG004', '--extend-select', 'HANG001'], { cwd });
    assert.deepEqual(findings(result.stdout), ['app.py:7 HANG001', 'discard.py:6 HANG004']);
  });

  it('per-file-ignores still apply under --select', () => {
    const result = runPyhang(['check', '--format', 'compact', '--select', 'HANG001', 'tests'], { cwd });
    assert.equal(result.stdout, '');
  });

  it('--select starts a fresh selection: the file\'s ignore no longer applies', () => {
    const result = runPyhang(['check', '--format', 'compact', '--select', 'HANG001', 'nested'], {
      cwd: path.join(fixtures, 'discovery'),
    });
    assert.deepEqual(findings(result.stdout), ['nested/hazard.py:7 HANG001']);
  });
});

describe('severity', () => {
  it('a rule can be turned off, and a file problem made a warning or turned off', (t) => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang.severity]\nHANG001 = "off"\nsyntax-error = "off"\n',
      'hazard.py': HAZARD,
      'broken.py': 'import asyncio\ndef f(:\n    pass\n',
    });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--format', 'compact'], { cwd: root });
    assert.equal(result.stdout, '');
    assert.equal(result.status, 0);
  });

  it('max-file-size turns a large file into one file-too-large message', (t) => {
    const root = makeProject({ 'pyproject.toml': '[tool.pyhang]\nmax-file-size = 100\n', 'hazard.py': HAZARD });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--format', 'compact'], { cwd: root });
    assert.deepEqual(findings(result.stdout), ['hazard.py:1 file-too-large']);
    assert.equal(result.status, 0, 'a file problem is a warning by default and does not fail the run');
  });

  it('a file problem configured as an error fails the run', (t) => {
    const root = makeProject({
      'pyproject.toml': '[tool.pyhang]\nmax-file-size = 100\nseverity = { file-too-large = "error" }\n',
      'hazard.py': HAZARD,
    });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--format', 'compact'], { cwd: root });
    assert.deepEqual(findings(result.stdout), ['hazard.py:1 file-too-large']);
    assert.equal(result.status, 1);
  });
});

describe('a pyproject.toml that cannot be pyhang\'s', () => {
  // crewAI ships Jinja templates such as templates/crew/pyproject.toml; one of them used to stop the whole run.
  const template = '[project]\nname = "{{folder_name}}"\n{{folder_name}} = "{{folder_name}}.main:run"\n';

  it('does not parse and does not mention tool.pyhang: one warning naming it, and the run checks the files', (t) => {
    const root = makeProject({
      'hazard.py': HAZARD,
      'templates/crew/pyproject.toml': template,
      'templates/crew/main.py': HAZARD,
      'templates/flow/pyproject.toml': template,
    });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd: root });
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(findings(result.stdout), ['hazard.py:7 HANG001', 'templates/crew/main.py:7 HANG001']);
    const lines = result.stderr.split('\n').filter(Boolean);
    // Once per file, however many directories it governs.
    assert.equal(lines.length, 2, result.stderr);
    assert.match(lines[0]!, /^pyhang: warning: templates\/crew\/pyproject\.toml:3:\d+: invalid TOML: .*; it has no \[tool\.pyhang\], so it is passed over$/);
    assert.match(lines[1]!, /^pyhang: warning: templates\/flow\/pyproject\.toml:3:\d+: invalid TOML: /);
  });

  it('one that mentions tool.pyhang stays an error (exit 2)', (t) => {
    const root = makeProject({ 'hazard.py': HAZARD, 'pyproject.toml': `${template}[tool.pyhang]\nselect = ["HANG001"]\n` });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--no-cache'], { cwd: root });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^pyhang: pyproject\.toml:3:\d+: invalid TOML: /);
  });

  it('--config naming one stays an error (exit 2)', (t) => {
    const root = makeProject({ 'hazard.py': HAZARD, 'other.toml': template });
    t.after(() => removeProject(root));
    const result = runPyhang(['check', '--no-cache', '--config', 'other.toml'], { cwd: root });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^pyhang: other\.toml:3:\d+: invalid TOML: /);
  });
});
