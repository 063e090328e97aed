/**
 * `examples/` is the README's first command and the rule pages' showcase:
 * every line marked `# expect: CODE` must be reported with that code, and
 * nothing else may be reported. That every registered rule fires there is
 * part of the rules' contract (test/contract/rules-contract.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const examples = path.join(root, 'examples');

function pythonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? pythonFiles(full) : e.name.endsWith('.py') ? [full] : [];
  });
}

function expectedMarkers(): string[] {
  const out: string[] = [];
  for (const file of pythonFiles(examples)) {
    fs.readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        const m = /#\s*expect:\s*([A-Z0-9, ]+)/.exec(line);
        if (!m) return;
        for (const code of m[1]!.split(/[\s,]+/).filter(Boolean)) out.push(`${path.relative(examples, file)}:${i + 1} ${code}`);
      });
  }
  return out.sort();
}

describe('examples/', () => {
  it('reports exactly the lines marked "# expect:", through the built binary, and exits 1', () => {
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'pyhang.js'), 'check', '.', '--format', 'json'], {
      cwd: examples,
      encoding: 'utf8',
    });
    assert.equal(result.status, 1, result.stderr);
    const reported = (JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; line: number }[] }[])
      .flatMap((f) => f.messages.map((m) => `${path.relative(examples, f.filePath)}:${m.line} ${m.ruleId}`))
      .sort();
    const expected = expectedMarkers();
    assert.ok(expected.length >= 10, 'the examples mark their findings');
    assert.deepEqual(reported, expected);
  });

  it('prints vfile-reporter output by default', () => {
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'pyhang.js'), 'check', 'examples/'], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stdout + result.stderr, /examples\/bug_report\.py\n/);
    assert.match(result.stdout + result.stderr, /\s44:28-44:\d+\s+error\s+.*HANG001/);
    assert.match(result.stdout + result.stderr, /\d+ messages \(✖ \d+ errors?, ⚠ \d+ warnings?\)/);
  });

  it('fits the default output in 120 columns per finding line, each message one sentence of at most 100 characters', () => {
    const result = spawnSync(process.execPath, [path.join(root, 'bin', 'pyhang.js'), 'check', '--no-cache', 'examples/'], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 1);
    const findingLines = result.stdout.split('\n').filter((line) => /^\d+:\d+/.test(line));
    assert.ok(findingLines.length >= 10, result.stdout);
    for (const line of findingLines) assert.ok([...line].length <= 120, `${[...line].length} columns: ${line}`);
    const json = spawnSync(process.execPath, [path.join(root, 'bin', 'pyhang.js'), 'check', '--no-cache', '--format', 'json', 'examples/'], { cwd: root, encoding: 'utf8' });
    for (const file of JSON.parse(json.stdout) as { messages: { message: string }[] }[]) {
      for (const { message } of file.messages) {
        assert.ok([...message].length <= 100, `${[...message].length} characters: ${message}`);
        assert.doesNotMatch(message, /[.;] [a-z]/, `one sentence: ${message}`);
      }
    }
  });
});
