/**
 * The pre-filter must not change findings: on real code (the standard
 * library's asyncio package and its tests, from this machine's python3), a
 * pre-filtered run and an exhaustive one report exactly the same, while the
 * pre-filtered one parses fewer files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lint, type Analysis, type SourceFile } from '../../src/lint.js';
import { defaultSettings } from '../../src/settings.js';

function stdlib(): string {
  return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(full));
    else if (entry.name.endsWith('.py')) out.push(full);
  }
  return out.sort();
}

describe('the pre-filter on real code', () => {
  it('finds exactly what parsing every file finds, parsing fewer files', () => {
    const root = stdlib();
    // asyncio itself, its tests, and a slice of ordinary modules that do not mention asyncio at all.
    const files = [
      ...pythonFiles(path.join(root, 'asyncio')),
      ...pythonFiles(path.join(root, 'test', 'test_asyncio')),
      ...['argparse.py', 'logging/__init__.py', 'concurrent/futures/_base.py', 'concurrent/futures/thread.py', 'threading.py', 'queue.py', 'socketserver.py'].map((f) => path.join(root, f)),
    ];
    const run = (prefilter: boolean) => {
      const parsed: string[] = [];
      const result = lint(
        files.map((file): SourceFile => ({ path: file })),
        {
          settingsFor: () => defaultSettings(root),
          prefilter,
          onAnalysis: (source: SourceFile, analysis: Analysis) => {
            if (analysis.kind === 'facts') parsed.push(source.path);
          },
        },
      );
      const findings = result.flatMap((file) =>
        file.messages
          .filter((m) => String(m.ruleId).startsWith('HANG'))
          .map((m) => `${path.relative(root, file.path)}:${m.line}:${m.column} ${m.ruleId} ${m.fatal ? 'error' : 'warning'} ${m.reason}`),
      );
      return { findings, parsed };
    };
    const filtered = run(true);
    const exhaustive = run(false);
    assert.deepEqual(filtered.findings, exhaustive.findings);
    assert.ok(filtered.findings.length > 0, 'the corpus has findings (asyncio tests raise KeyboardInterrupt in coroutines)');
    assert.ok(filtered.parsed.length < exhaustive.parsed.length, `${filtered.parsed.length} < ${exhaustive.parsed.length}`);
  });
});
