/** `pyhang rules`, `pyhang --version`, help, and `check --stdin-filename`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixtures, repoRoot, runPyhang, findings, HAZARD } from './run-pyhang.js';
import { rules as registry } from '../../rules/index.js';

describe('pyhang rules', () => {
  it('lists every rule, one a line, in aligned columns: code, name, default severity, summary', () => {
    const result = runPyhang(['rules'], { cwd: fixtures });
    assert.equal(result.status, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => line.split(/\s{2,}/).slice(0, 3)),
      [
        ['HANG001', 'threadsafe-result-without-timeout', 'error'],
        ['HANG002', 'coroutine-raises-base-exit', 'warning'],
        ['HANG003', 'blocking-result-in-coroutine', 'error'],
        ['HANG004', 'threadsafe-future-discarded', 'warning'],
        ['HANG005', 'blocking-wait-on-own-loop', 'error'],
        ['HANG006', 'loop-callback-raises-base-exit', 'error'],
        ['HANG007', 'plain-future-without-timeout', 'error'],
        ['HANG008', 'unbounded-done-poll', 'error'],
        ['HANG100', 'unused-noqa', 'warning'],
      ],
    );
    const summaryColumn = lines.map((line) => line.indexOf(line.split(/\s{2,}/)[3]!));
    assert.equal(new Set(summaryColumn).size, 1, 'summaries start in the same column');
    assert.ok(lines[0]!.endsWith('Waiting on a run_coroutine_threadsafe future without a timeout'));
  });

  it('--format json prints the metadata', () => {
    const result = runPyhang(['rules', '--format', 'json'], { cwd: fixtures });
    assert.equal(result.status, 0);
    const rules = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.equal(rules.length, registry.length);
    assert.deepEqual(Object.keys(rules[0]!).sort(), ['code', 'defaultSeverity', 'fix', 'help', 'messages', 'name', 'summary', 'url']);
    assert.equal(rules[0]!['code'], 'HANG001');
    assert.equal(rules[0]!['fix'], 'unsafe');
    assert.match(String(rules[0]!['url']), /docs\/rules\/HANG001\.md$/);
  });

  it('an unknown format is a usage error', () => {
    const result = runPyhang(['rules', '--format', 'yaml'], { cwd: fixtures });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, "pyhang: unknown format 'yaml' (expected text, json)\n");
  });
});

describe('pyhang --version', () => {
  it("prints package.json's version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = runPyhang(['--version'], { cwd: fixtures });
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `${version}\n`);
  });
});

describe('help', () => {
  it('pyhang check --help lists the flags and exits 0', () => {
    const result = runPyhang(['check', '--help'], { cwd: fixtures });
    assert.equal(result.status, 0);
    for (const flag of ['--format', '--select', '--extend-select', '--ignore', '--exclude', '--force-exclude', '--config', '--stdin-filename', '--no-color', '--quiet']) {
      assert.ok(result.stdout.includes(flag), flag);
    }
  });

  it('pyhang without a command prints help on stderr and exits 2', () => {
    const result = runPyhang([], { cwd: fixtures });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Usage: pyhang/);
  });
});

describe('--stdin-filename', () => {
  it('lints standard input under that name; PATHS are ignored', () => {
    const result = runPyhang(['check', '--format', 'compact', '--stdin-filename', 'basic/editor.py', 'clean'], { cwd: fixtures, input: HAZARD });
    assert.deepEqual(findings(result.stdout), ['basic/editor.py:7 HANG001']);
    assert.equal(result.status, 1);
  });

  it('the name decides which pyproject.toml applies', () => {
    // discovery/nested/pyproject.toml ignores HANG001.
    const nested = runPyhang(['check', '--format', 'compact', '--stdin-filename', 'discovery/nested/editor.py'], { cwd: fixtures, input: HAZARD });
    assert.equal(nested.stdout, '');
    assert.equal(nested.status, 0);
    // discovery/pyproject.toml makes it a warning.
    const json = runPyhang(['check', '--format', 'json', '--stdin-filename', 'discovery/editor.py'], { cwd: fixtures, input: HAZARD });
    const [result] = JSON.parse(json.stdout) as { filePath: string; messages: { severity: number }[] }[];
    assert.equal(result!.filePath, path.join(fixtures, 'discovery', 'editor.py'));
    assert.equal(result!.messages[0]!.severity, 1);
  });

  it('noqa works on standard input too', () => {
    const input = HAZARD.replace('print(fut.result())', 'print(fut.result())  # noqa: HANG001');
    const result = runPyhang(['check', '--stdin-filename', 'x.py'], { cwd: fixtures, input });
    assert.equal(result.status, 0);
  });

  it('--force-exclude skips an excluded name', () => {
    const result = runPyhang(['check', '--force-exclude', '--stdin-filename', '.venv/editor.py'], { cwd: fixtures, input: HAZARD });
    assert.equal(result.stdout, '');
    assert.equal(result.status, 0);
  });
});
