/**
 * Suppression through the built binary: codes in any case, file directives,
 * what JSON says was suppressed, HANG100 and its fix, and `--add-noqa`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runPyhang, findings, makeProject, removeProject } from './run-pyhang.js';

const HEADER = [
  'import asyncio',
  'from concurrent.futures import wait',
  'loop = asyncio.new_event_loop()',
  'async def work():',
  '    return 1',
  'fut = asyncio.run_coroutine_threadsafe(work(), loop)',
  '',
].join('\n');

function withProject(files: Record<string, string>, body: (root: string) => void): void {
  const root = makeProject(files);
  try {
    body(root);
  } finally {
    removeProject(root);
  }
}

describe('# noqa codes', () => {
  it('match in any case, as in Ruff: a lower-case code silences only its own rule', () => {
    withProject(
      {
        'app.py': HEADER + 'fut.result()  # noqa: hang001\nfut.result()  # noqa: hang003\nasyncio.run_coroutine_threadsafe(work(), loop)  # NoQA: Hang004\n',
      },
      (cwd) => {
        const result = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd });
        // Line 8: `hang003` names another rule, so HANG001 is still reported, and the directive is unused.
        assert.deepEqual(findings(result.stdout), ['app.py:8 HANG001', 'app.py:8 HANG100']);
        assert.match(result.stdout, /app\.py:8:15: HANG100 Unused `noqa` directive \(unused: `HANG003`\)/);
        assert.equal(result.status, 1);
      },
    );
  });

  it('an unknown HANG code is reported; codes of other tools and bare directives are left alone', () => {
    withProject({ 'app.py': HEADER + 'fut.result()  # noqa: HANG001, HANG010 a typo\nimport os  # noqa: F401\nx = 1  # noqa\n' }, (cwd) => {
      const result = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd });
      assert.deepEqual(findings(result.stdout), ['app.py:7 HANG100']);
      assert.match(result.stdout, /HANG100 Unused `noqa` directive \(unknown: `HANG010`\)\n/);
    });
  });

  it('a code whose rule is ignored in the configuration is not reported unused', () => {
    withProject({ 'pyproject.toml': '[tool.pyhang]\nignore = ["HANG004"]\n', 'app.py': HEADER + 'x = 1  # noqa: HANG004\n' }, (cwd) => {
      const result = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd });
      assert.equal(result.stdout, '');
      assert.equal(result.status, 0);
    });
  });
});

describe('# pyhang: noqa', () => {
  it('on a line of its own silences the codes it names in the whole file, and everything when bare', () => {
    withProject(
      {
        'some.py': '# pyhang: noqa: HANG001\n' + HEADER + 'fut.result()\nwait([fut])\nasyncio.run_coroutine_threadsafe(work(), loop)\n',
        'all.py': HEADER + '# pyhang: noqa\nfut.result()\nasyncio.run_coroutine_threadsafe(work(), loop)\n',
        'inline.py': HEADER + 'fut.result()  # pyhang: noqa\n',
      },
      (cwd) => {
        const result = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd });
        // An inline `# pyhang: noqa` is no file directive (as Ruff's `# ruff: noqa` must stand alone).
        assert.deepEqual(findings(result.stdout), ['inline.py:7 HANG001', 'some.py:10 HANG004']);
      },
    );
  });
});

describe('suppressedMessages in --format json', () => {
  it("carries each silenced finding with ESLint's suppressions, the reason after the codes as justification", () => {
    withProject(
      { 'app.py': HEADER + 'fut.result()  # noqa: HANG001 the loop outlives the process\nfut.exception()  # noqa\n' },
      (cwd) => {
        for (const run of ['first', 'from the last run kept in the cache']) {
          const result = runPyhang(['check', '--format', 'json'], { cwd });
          assert.equal(result.status, 0, run);
          const [file] = JSON.parse(result.stdout) as { messages: unknown[]; suppressedMessages: Record<string, unknown>[]; errorCount: number }[];
          assert.deepEqual(file!.messages, [], run);
          assert.equal(file!.errorCount, 0, run);
          assert.deepEqual(
            file!.suppressedMessages.map(({ ruleId, severity, line, column, suppressions }) => ({ ruleId, severity, line, column, suppressions })),
            [
              { ruleId: 'HANG001', severity: 2, line: 7, column: 4, suppressions: [{ kind: 'directive', justification: 'the loop outlives the process' }] },
              { ruleId: 'HANG001', severity: 2, line: 8, column: 4, suppressions: [{ kind: 'directive', justification: '' }] },
            ],
            run,
          );
          assert.match(String(file!.suppressedMessages[0]!['message']), /fut\.result\(\)/, run);
        }
      },
    );
  });
});

describe('HANG100 --fix', () => {
  it('removes the unused directive, keeping codes that are used', () => {
    withProject({ 'app.py': HEADER + 'fut.result(timeout=1)  # noqa: HANG001\nasyncio.run_coroutine_threadsafe(work(), loop).result()  # noqa: HANG001, HANG004\n' }, (cwd) => {
      const result = runPyhang(['check', '--no-cache', '--fix'], { cwd });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.equal(result.stderr, 'Fixed 2 errors.\n');
      assert.equal(fs.readFileSync(path.join(cwd, 'app.py'), 'utf8'), HEADER + 'fut.result(timeout=1)\nasyncio.run_coroutine_threadsafe(work(), loop).result()  # noqa: HANG001\n');
    });
  });
});

describe('--add-noqa', () => {
  const files = {
    'app.py': HEADER + 'fut.result()\nwait([fut]); fut.exception()  # noqa: E501 kept\nx = 1  # type: ignore\n',
    'pkg/__init__.py': '',
    'pkg/worker.py': 'import asyncio\nasync def job():\n    fut = asyncio.run_coroutine_threadsafe(job(), asyncio.get_event_loop())\n    return fut.result()\n',
  };

  it('--diff shows the directives it would add and writes nothing', () => {
    withProject(files, (cwd) => {
      const result = runPyhang(['check', '--no-cache', '--add-noqa', '--diff'], { cwd });
      assert.equal(result.status, 1);
      assert.match(result.stdout, /^\+wait\(\[fut\]\); fut\.exception\(\)  # noqa: E501, HANG001 kept$/m);
      assert.equal(result.stderr, 'Would add 3 noqa directives.\n');
      assert.equal(fs.readFileSync(path.join(cwd, 'app.py'), 'utf8'), files['app.py']);
    });
  });

  it('silences every current finding, adding to an existing list, then reports nothing', () => {
    withProject(files, (cwd) => {
      const before = runPyhang(['check', '--no-cache', '--format', 'compact'], { cwd });
      assert.deepEqual(findings(before.stdout), ['app.py:7 HANG001', 'app.py:8 HANG001', 'app.py:8 HANG001', 'pkg/worker.py:4 HANG001', 'pkg/worker.py:4 HANG003']);
      const result = runPyhang(['check', '--no-cache', '--add-noqa'], { cwd });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr, 'Added 3 noqa directives.\n');
      assert.equal(
        fs.readFileSync(path.join(cwd, 'app.py'), 'utf8'),
        HEADER + 'fut.result()  # noqa: HANG001\nwait([fut]); fut.exception()  # noqa: E501, HANG001 kept\nx = 1  # type: ignore\n',
      );
      assert.match(fs.readFileSync(path.join(cwd, 'pkg/worker.py'), 'utf8'), /    return fut\.result\(\)  # noqa: HANG001, HANG003\n$/);
      const after = runPyhang(['check', '--no-cache', '--format', 'json'], { cwd });
      assert.equal(after.status, 0, after.stdout);
      const suppressed = (JSON.parse(after.stdout) as { suppressedMessages: unknown[] }[]).flatMap((file) => file.suppressedMessages);
      assert.equal(suppressed.length, 5);
    });
  });

  it('cannot be combined with --fix', () => {
    withProject(files, (cwd) => {
      const result = runPyhang(['check', '--add-noqa', '--fix'], { cwd });
      assert.equal(result.status, 2);
      assert.match(result.stderr, /^pyhang: --add-noqa and --fix cannot be combined/);
    });
  });
});
