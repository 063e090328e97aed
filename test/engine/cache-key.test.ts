/**
 * The cache key covers what produced the answer: a changed rule set (through
 * the API the CLI's cached path uses, lintFiles) or a changed build of pyhang
 * (end to end, on a copy of the built package) re-analyses the files instead
 * of answering from the cache. And a rule that throws in a real `pyhang check`
 * ends the run with exit code 2, after everything else is printed.
 *
 * "Answered from the cache" is made observable by planting a stale answer in
 * it: the cached facts of the hazard's file lose its wait, so a run that
 * trusts the cache misses the finding, and one that re-analyses finds it.
 */
import { describe, it, type TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lintFiles } from '../../src/engine/lint-files.js';
import { AnalysisCache } from '../../src/engine/analysis-cache.js';
import { cacheKey } from '../../src/engine/cache-key.js';
import { defaultSettings } from '../../src/config/settings.js';
import { rules } from '../../rules/index.js';
import { makeProject, removeProject, repoRoot, parseCompact } from '../cli/run-pyhang.js';
import { waitInCoroutine, waitsInCoroutine } from './test-rules.js';
import { readCacheDocument, writeCacheDocument } from './cache-file.js';

const HAZARD =
  'import asyncio, threading\n' +
  'loop = asyncio.new_event_loop()\n' +
  'threading.Thread(target=loop.run_forever, daemon=True).start()\n' +
  'async def work():\n' +
  '    return 1\n' +
  'fut = asyncio.run_coroutine_threadsafe(work(), loop)\n' +
  'fut.result()\n';

const LAST_RUN = 'last-run.json';

/** The key the cache file was written under. */
function recordedKey(cacheDir: string): string {
  return readCacheDocument(cacheDir).key;
}

/**
 * Makes the cache's answer for `file` stale (its facts lose their waits, which
 * HANG001's extractors keep among the extracted facts) and
 * drops the last run's answer, so that the next run with the same key answers
 * that file from the cache, and shows it by missing the file's finding.
 */
function plantStaleAnswer(cacheDir: string, file: string): void {
  const cache = readCacheDocument(cacheDir);
  const entry = cache.entries[file];
  assert.equal(entry?.initial?.kind, 'facts', `the cache holds no facts of ${file}`);
  entry!.initial!.facts!['extracted'] = [];
  writeCacheDocument(cacheDir, cache);
  fs.rmSync(path.join(cacheDir, LAST_RUN), { force: true });
}

describe('the cache key and the rule set (lintFiles, as the CLI calls it)', () => {
  it('a run with another rule set re-analyses the files instead of answering from the cache', async (t) => {
    const root = makeProject({ 'hazard.py': HAZARD, 'coro.py': waitsInCoroutine, 'plain.py': 'x = 1\n' });
    t.after(() => removeProject(root));
    const cacheDir = path.join(root, '.pyhang_cache');
    const paths = ['coro.py', 'hazard.py', 'plain.py'].map((name) => path.join(root, name));
    const hazard = path.join(root, 'hazard.py');
    const run = async (ruleSet?: typeof rules) => {
      const files = await lintFiles(paths.map((file) => ({ path: file })), { settingsFor: () => defaultSettings(root), cacheDir, version: '0.0.0-test', jobs: 1, rules: ruleSet });
      return files.flatMap((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.line} ${m.ruleId}`));
    };
    const registryKey = cacheKey('0.0.0-test');
    const extendedRules = [...rules, waitInCoroutine];
    const extendedKey = cacheKey('0.0.0-test', extendedRules);
    assert.notEqual(extendedKey, registryKey);
    assert.equal(cacheKey('0.0.0-test', rules), registryKey, 'the registry passed explicitly is the default');

    assert.deepEqual(await run(), ['coro.py:12 HANG001', 'hazard.py:7 HANG001']);
    assert.equal(recordedKey(cacheDir), registryKey);
    assert.deepEqual(AnalysisCache.open(cacheDir, registryKey).analysedFiles().sort(), [path.join(root, 'coro.py'), hazard]);

    // Same rule set: the planted stale answer is served (the finding in hazard.py is missed).
    plantStaleAnswer(cacheDir, hazard);
    assert.deepEqual(await run(), ['coro.py:12 HANG001']);

    // Another rule set: nothing of the cache is used; every file is analysed again.
    plantStaleAnswer(cacheDir, hazard);
    assert.deepEqual(AnalysisCache.open(cacheDir, extendedKey).analysedFiles(), [], 'nothing is cached under the new key yet');
    assert.deepEqual(await run(extendedRules), ['coro.py:8 TEST901', 'coro.py:12 HANG001', 'hazard.py:7 HANG001']);
    assert.equal(recordedKey(cacheDir), extendedKey);
    assert.deepEqual(AnalysisCache.open(cacheDir, extendedKey).analysedFiles().sort(), [path.join(root, 'coro.py'), hazard]);
    assert.deepEqual(AnalysisCache.open(cacheDir, registryKey).analysedFiles(), [], 'the cache holds no answer under the old key');
  });

  it('a changed rule (same code, another message) is another rule set', () => {
    const changed = { ...waitInCoroutine, meta: { ...waitInCoroutine.meta, messages: { blocking: 'reworded' } } };
    assert.notEqual(cacheKey('1', [waitInCoroutine]), cacheKey('1', [changed]));
    assert.equal(cacheKey('1', [waitInCoroutine]), cacheKey('1', [waitInCoroutine]));
    assert.notEqual(cacheKey('1'), cacheKey('2'), 'the version still counts');
  });
});

/**
 * A copy of the built package, as npm would install it (bin/, dist/src,
 * dist/rules, package.json, the native parse), with node_modules linked: its
 * built code can be changed without touching this checkout's.
 */
function copyPackage(): string {
  const copy = makeProject({}, 'pyhang-package-');
  for (const part of ['bin', 'dist/src', 'dist/rules', 'package.json']) {
    fs.cpSync(path.join(repoRoot, part), path.join(copy, part), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
  const native = 'src/native/build/Release/pyhang_parse.node';
  if (fs.existsSync(path.join(repoRoot, native))) {
    fs.mkdirSync(path.dirname(path.join(copy, native)), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, native), path.join(copy, native));
  }
  return copy;
}

/** Replaces `from` (which must occur) by `to` in one built file of the copy. */
function editBuilt(copy: string, file: string, from: string, to: string): void {
  const full = path.join(copy, file);
  const text = fs.readFileSync(full, 'utf8');
  assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}`);
  fs.writeFileSync(full, text.replace(from, to));
}

/** Runs the copy's bin/pyhang.js as a user would (runPyhang runs this checkout's). */
function runCopy(copy: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [path.join(copy, 'bin', 'pyhang.js'), ...args], { cwd, encoding: 'utf8', env, timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of the package and a project with a hazard to run it on, both removed after the test. */
function packageAndProject(t: TestContext): { copy: string; root: string } {
  const copy = copyPackage();
  const root = makeProject({ 'hazard.py': HAZARD, 'plain.py': 'x = 1\n' });
  t.after(() => {
    removeProject(copy);
    removeProject(root);
  });
  return { copy, root };
}

describe('the cache key and the built code (a copy of the package, end to end)', () => {
  it('a changed byte in dist/rules/HANG001.js means the cache is not used: the key changes and the file is analysed again', (t) => {
    const { copy, root } = packageAndProject(t);
    const cacheDir = path.join(root, 'cache');
    const check = () => runCopy(copy, ['check', '--format', 'compact', '--cache-dir', cacheDir], root);

    const first = check();
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stdout, /^hazard\.py:7:4: HANG001 `fut\.result\(\)` can block forever without a timeout/);
    const firstKey = recordedKey(cacheDir);

    // The same build answers from the cache: the planted stale answer is served.
    plantStaleAnswer(cacheDir, path.join(root, 'hazard.py'));
    assert.equal(check().stdout, '');
    assert.equal(recordedKey(cacheDir), firstKey);

    // One word of a message in the built rule: a new key, the file analysed again, the new message shown.
    plantStaleAnswer(cacheDir, path.join(root, 'hazard.py'));
    editBuilt(copy, 'dist/rules/HANG001.js', 'can block forever without a timeout', 'can block forever: waits with no timeout');
    const second = check();
    assert.equal(second.status, 1, second.stderr);
    assert.deepEqual(parseCompact(second.stdout), [{ path: 'hazard.py', line: 7, column: 4, code: 'HANG001' }]);
    assert.match(second.stdout, /waits with no timeout/);
    assert.notEqual(recordedKey(cacheDir), firstKey);

    // A change in a comment of the analysis is a change too.
    const secondKey = recordedKey(cacheDir);
    editBuilt(copy, 'dist/src/engine/lint.js', '/**', '/** (edited) ');
    assert.equal(check().stdout, second.stdout);
    assert.notEqual(recordedKey(cacheDir), secondKey);
  });

  it('a rule that throws: an internal-error message naming it on each file it failed on, the other findings, then exit code 2', (t) => {
    const { copy, root } = packageAndProject(t);
    editBuilt(copy, 'dist/rules/HANG003.js', 'check(context) {', "check(context) { throw new Error('planted bug');");
    for (const format of ['compact', 'json']) {
      const result = runCopy(copy, ['check', '--no-cache', '--format', format], root);
      assert.equal(result.status, 2, `${format}: ${result.stderr}`);
      assert.equal(
        result.stderr,
        'pyhang: internal error: hazard.py: Rule HANG003 (blocking-result-in-coroutine) failed on this file and did not finish checking it (planted bug); please report this\n',
      );
      if (format === 'compact') {
        assert.deepEqual(parseCompact(result.stdout).map((line) => `${line.path}:${line.line} ${line.code}`), ['hazard.py:1 internal-error', 'hazard.py:7 HANG001']);
      } else {
        const [file] = JSON.parse(result.stdout) as { messages: { ruleId: string; severity: number }[]; errorCount: number }[];
        assert.deepEqual(file!.messages.map((m) => [m.ruleId, m.severity]), [
          ['internal-error', 2],
          ['HANG001', 2],
        ]);
      }
    }
    // --exit-zero does not hide it; --quiet keeps it (an error); --diff, which prints no report, says it on stderr.
    assert.equal(runCopy(copy, ['check', '--no-cache', '--exit-zero', '--quiet'], root).status, 2);
    const diff = runCopy(copy, ['check', '--no-cache', '--diff', '--unsafe-fixes'], root);
    assert.equal(diff.status, 2);
    assert.match(diff.stdout, /\+fut\.result\(timeout=30\)/, 'the other rules still fix');
    assert.match(diff.stderr, /^pyhang: internal error: hazard\.py: Rule HANG003 \(blocking-result-in-coroutine\) failed on this file/m);
  });
});
