/**
 * The cache (.pyhang_cache/): a second run on an unchanged tree answers the
 * same; a change to a file, to the configuration or to the flags is seen.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HAZARD, makeProject, removeProject, runPyhang } from './run-pyhang.js';
import { AnalysisCache } from '../../src/engine/analysis-cache.js';
import { cacheKey } from '../../src/engine/cache-key.js';
import { readVersion } from '../../src/cli/main.js';
import { readCacheDocument, writeCacheDocument, type CachedEntry } from '../engine/cache-file.js';

const helper = 'import asyncio\nLOOP = asyncio.new_event_loop()\n\ndef submit(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n';
const user = 'from helper import submit\n\ndef go(c):\n    return submit(c).result()\n';

describe('the cache', () => {
  it('gives the same findings warm as cold, and sees edits to files, configuration and flags', (t) => {
    const root = makeProject({ 'hazard.py': HAZARD, 'helper.py': helper, 'user.py': user, 'plain.py': 'x = 1\n' });
    t.after(() => removeProject(root));
    const check = (...args: string[]) => runPyhang(['check', '--format', 'compact', ...args], { cwd: root });

    const cold = check();
    assert.equal(cold.status, 1);
    assert.ok(fs.existsSync(path.join(root, '.pyhang_cache', '.gitignore')), 'the cache directory ignores itself in git');
    const warm = check();
    assert.equal(warm.stdout, cold.stdout);
    assert.match(warm.stdout, /user\.py:4:21: HANG001/);

    // A helper changes in a file the finding is not in: the finding goes.
    fs.writeFileSync(path.join(root, 'helper.py'), helper.replace('return asyncio.run_coroutine_threadsafe(coro, LOOP)', 'return None'));
    assert.doesNotMatch(check().stdout, /user\.py/);

    // Configuration and flags are part of the answer.
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.pyhang]\nignore = ["HANG001"]\n');
    assert.equal(check().stdout, '');
    fs.rmSync(path.join(root, 'pyproject.toml'));
    assert.match(check().stdout, /hazard\.py:7:10: HANG001/);
    assert.equal(check('--select', 'HANG004').stdout, '');

    // --no-cache neither reads nor writes it.
    fs.rmSync(path.join(root, '.pyhang_cache'), { recursive: true });
    assert.equal(check('--no-cache').stdout, check('--no-cache').stdout);
    assert.ok(!fs.existsSync(path.join(root, '.pyhang_cache')));
  });

  it('keeps what worker threads found, files loaded on demand included, for the runs after', (t) => {
    // Enough files for worker threads; the chain to sys.exit() goes through files the pre-filter skips.
    const files: Record<string, string> = {
      'service.py': 'import asyncio\nfrom step0 import step\n\n\nasync def handle(msg):\n    step(msg)\n',
    };
    for (let i = 0; i < 5; i++) {
      files[`step${i}.py`] = i === 4 ? 'import sys\n\n\ndef step(code):\n    sys.exit(code)\n' : `from step${i + 1} import step as deeper\n\n\ndef step(code):\n    return deeper(code)\n`;
    }
    for (let i = 0; i < 80; i++) files[`filler${i}.py`] = `VALUE = ${i}\n`;
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const check = () => runPyhang(['check', '--jobs', '2', '--format', 'compact'], { cwd: root });

    const cold = check();
    assert.match(cold.stdout, /service\.py:6:5: HANG002/);
    const cache = readCacheDocument(path.join(root, '.pyhang_cache'));
    assert.equal(cache.entries[path.join(root, 'step4.py')]?.demand?.kind, 'facts', 'the demand-loaded helper is in the cache');
    // What the cache says was analysed (the bench's parse floor reads it): the first look and the chain, no filler.
    const analysed = AnalysisCache.open(path.join(root, '.pyhang_cache'), cacheKey(readVersion())).analysedFiles();
    assert.deepEqual(analysed.map((file) => path.relative(root, file)).sort(), ['service.py', 'step0.py', 'step1.py', 'step2.py', 'step3.py', 'step4.py']);
    // The last run answers; then, with a file changed, the cache's facts do.
    assert.equal(check().stdout, cold.stdout);
    fs.writeFileSync(path.join(root, 'filler0.py'), 'VALUE = -1\n');
    assert.equal(check().stdout, cold.stdout);
  });

  it('an entry of the wrong type is ignored and recomputed: no hazard dropped, no run aborted', (t) => {
    const root = makeProject({ 'hazard.py': HAZARD, 'helper.py': helper, 'user.py': user, 'plain.py': 'x = 1\n' });
    t.after(() => removeProject(root));
    const check = () => runPyhang(['check', '--format', 'compact'], { cwd: root });
    const cold = check();
    assert.equal(cold.status, 1);
    const cacheDir = path.join(root, '.pyhang_cache');
    const written = JSON.stringify(readCacheDocument(cacheDir));
    const hazard = path.join(root, 'hazard.py');
    const userFile = path.join(root, 'user.py');
    type Analysis = { kind: string; facts?: Record<string, unknown> };
    type Entries = Record<string, CachedEntry>;
    // The facts the run used: a first look's, or (a file the pre-filter skipped) a demand load's.
    const factsOf = (entry: { initial?: Analysis; demand?: Analysis }) => (entry.initial?.kind === 'facts' ? entry.initial : entry.demand)!.facts!;
    const corruptions: [string, (entries: Entries) => void][] = [
      ['an entry that is a number', (e) => void ((e as Record<string, unknown>)[hazard] = 5)],
      ['an entry that is null', (e) => void ((e as Record<string, unknown>)[hazard] = null)],
      ['a first look that is a string', (e) => void ((e[hazard] as Record<string, unknown>)['initial'] = 'facts')],
      ['a first look of an unknown kind', (e) => void ((e[hazard] as Record<string, unknown>)['initial'] = { kind: 'fine' })],
      ['facts that are null', (e) => void (e[hazard]!.initial!.facts = null as unknown as Record<string, unknown>)],
      ['facts without functions', (e) => void delete factsOf(e[hazard]!)['functions']],
      ['facts whose extracted facts are an object', (e) => void (factsOf(e[hazard]!)['extracted'] = {})],
      ['facts whose discards hold a number', (e) => void (factsOf(e[userFile]!)['discards'] = [1])],
      ['facts whose variables are a list', (e) => void (factsOf(e[userFile]!)['variables'] = [])],
      ['a problem without a reason', (e) => void ((e[hazard] as Record<string, unknown>)['initial'] = { kind: 'problem', code: 'syntax-error' })],
      ['a problem of an unknown code', (e) => void ((e[hazard] as Record<string, unknown>)['initial'] = { kind: 'problem', code: 'HANG001', reason: 'x' })],
      ['a size that is a string', (e) => void (e[hazard]!['size'] = String(e[hazard]!['size']))],
    ];
    for (const [name, corrupt] of corruptions) {
      const cache = JSON.parse(written) as { key: string; entries: Entries };
      corrupt(cache.entries);
      writeCacheDocument(cacheDir, cache);
      // Else the last run's answer stands, and the entries are not read.
      fs.rmSync(path.join(root, '.pyhang_cache', 'last-run.json'), { force: true });
      const warm = check();
      assert.equal(warm.stderr, '', name);
      assert.equal(warm.status, 1, name);
      assert.equal(warm.stdout, cold.stdout, name);
    }
  });

  it('a last run of the wrong shape is no answer: the run lints and reports what a cold run does', (t) => {
    const root = makeProject({ 'hazard.py': HAZARD, 'plain.py': 'x = 1\n' });
    t.after(() => removeProject(root));
    const check = () => runPyhang(['check', '--format', 'json'], { cwd: root });
    const cold = check();
    assert.equal(cold.status, 1);
    const file = path.join(root, '.pyhang_cache', 'last-run.json');
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { files: { messages: Record<string, unknown>[] }[] };
    const hazardMessage = written.files.flatMap((f) => f.messages)[0]!;
    // A number turned into a string reached the report as is (`"endLine": "k,&"`), found by the CLI fuzzer.
    (hazardMessage['place'] as { end: Record<string, unknown> }).end['line'] = 'k,&';
    fs.writeFileSync(file, JSON.stringify(written));
    const warm = check();
    assert.equal(warm.status, 1);
    assert.equal(warm.stdout, cold.stdout);
  });
});

/**
 * The cache file is read entry by entry (analysis-cache.ts): a damaged or
 * cut-short file, or one of the format before (one JSON document,
 * analyses.json), never changes the report; the entries it can still read
 * are used.
 */
describe('the cache file damaged, cut short or of the old format', () => {
  /** Enough files for worker threads; a chain to sys.exit() through files the pre-filter skips (demand loads); a HANG001. */
  function project(): { root: string; cacheDir: string; check: (...args: string[]) => ReturnType<typeof runPyhang> } {
    const files: Record<string, string> = {
      'hazard.py': HAZARD,
      'service.py': 'import asyncio\nfrom step0 import step\n\n\nasync def handle(msg):\n    step(msg)\n',
    };
    for (let i = 0; i < 4; i++) {
      files[`step${i}.py`] = i === 3 ? 'import sys\n\n\ndef step(code):\n    sys.exit(code)\n' : `from step${i + 1} import step as deeper\n\n\ndef step(code):\n    return deeper(code)\n`;
    }
    for (let i = 0; i < 80; i++) files[`filler${i}.py`] = `VALUE = ${i}\n`;
    const root = makeProject(files);
    const cacheDir = path.join(root, '.pyhang_cache');
    return { root, cacheDir, check: (...args) => runPyhang(['check', '--jobs', '2', '--format', 'json', ...args], { cwd: root }) };
  }

  it('what one run writes the next reads: the report is that of a run without the cache, whatever makes it read the cache', (t) => {
    const { root, cacheDir, check } = project();
    t.after(() => removeProject(root));
    const cold = check('--no-cache');
    assert.equal(cold.status, 1, cold.stderr);
    assert.match(cold.stdout, /"ruleId":"HANG001"/);
    assert.match(cold.stdout, /"ruleId":"HANG002"/);
    const filling = check();
    assert.equal(filling.stdout, cold.stdout);
    assert.ok(fs.existsSync(path.join(cacheDir, 'analyses.jsonl')));
    // The last run's answer; then the cache's entries, for every file (another configuration) or all but one (a file touched).
    assert.equal(check().stdout, cold.stdout);
    fs.writeFileSync(path.join(root, 'pyproject.toml'), '[tool.pyhang]\nignore = ["HANG005"]\n');
    assert.equal(check().stdout, check('--no-cache').stdout);
    fs.rmSync(path.join(root, 'pyproject.toml'));
    fs.rmSync(path.join(cacheDir, 'last-run.json'));
    assert.equal(check().stdout, cold.stdout);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(root, 'step3.py'), later, later);
    const touched = check();
    assert.equal(touched.stderr, '');
    assert.equal(touched.stdout, cold.stdout);
  });

  it('a damaged line in the middle or a file cut short: the same report as a cold run, and the entries it can read are used', (t) => {
    const { root, cacheDir, check } = project();
    t.after(() => removeProject(root));
    const cold = check('--no-cache');
    assert.equal(check().stdout, cold.stdout);
    const file = path.join(cacheDir, 'analyses.jsonl');
    const good = fs.readFileSync(file);
    const lines = good.toString('utf8').split('\n');
    const middle = Math.floor(good.length / 2);
    const damages: [string, () => Buffer][] = [
      ['bytes in the middle overwritten', () => Buffer.concat([good.subarray(0, middle), Buffer.alloc(64, 0xff), good.subarray(middle + 64)])],
      ['a line in the middle removed', () => Buffer.from(lines.filter((_, i) => i !== Math.floor(lines.length / 2)).join('\n'))],
      ['newlines in the middle removed', () => Buffer.from(good.toString('latin1').slice(0, middle) + good.toString('latin1').slice(middle).replace(/\n/g, ''), 'latin1')],
      ['cut at half', () => good.subarray(0, middle)],
      ['cut before its last newline', () => good.subarray(0, good.length - 1)],
      ['cut inside its first line', () => good.subarray(0, 10)],
      ['emptied', () => Buffer.alloc(0)],
    ];
    for (const [what, damaged] of damages) {
      fs.writeFileSync(file, damaged());
      // Else the last run's answer stands, and the cache is not read.
      fs.rmSync(path.join(cacheDir, 'last-run.json'), { force: true });
      const run = check();
      assert.equal(run.stderr, '', what);
      assert.equal(run.status, 1, what);
      assert.equal(run.stdout, cold.stdout, what);
    }

    // The entries around a damaged line are still used: a stale answer planted after it is served (HANG001 is missed).
    fs.writeFileSync(file, good);
    const cache = readCacheDocument(cacheDir);
    const hazard = path.join(root, 'hazard.py');
    assert.equal(cache.entries[hazard]?.initial?.kind, 'facts');
    cache.entries[hazard]!.initial!.facts!['extracted'] = [];
    writeCacheDocument(cacheDir, cache);
    const planted = fs.readFileSync(file, 'utf8').split('\n');
    const hazardLine = planted.findIndex((line) => line.startsWith('["entry",') && line.includes(JSON.stringify(hazard)));
    const before = planted.findIndex((line, i) => i > 0 && i < hazardLine - 1 && line.startsWith('["entry",'));
    assert.ok(before > 0, 'an entry before the hazard');
    planted[before] = planted[before]!.replace('"size":', '"size":"');
    fs.writeFileSync(file, planted.join('\n'));
    fs.rmSync(path.join(cacheDir, 'last-run.json'), { force: true });
    const served = check();
    assert.equal(served.stderr, '');
    assert.doesNotMatch(served.stdout, /"ruleId":"HANG001"/, 'the entry after the damaged line was used');
    assert.match(served.stdout, /"ruleId":"HANG002"/);
  });

  it('a cache of the old format is not read, and is replaced; a file of that name that is not one is left alone', (t) => {
    const { root, cacheDir, check } = project();
    t.after(() => removeProject(root));
    const cold = check('--no-cache');
    assert.equal(check().stdout, cold.stdout);
    // The old format under this very key, holding a stale answer for the hazard: were it read, HANG001 would be missed.
    const cache = readCacheDocument(cacheDir);
    const hazard = path.join(root, 'hazard.py');
    cache.entries[hazard]!.initial!.facts!['extracted'] = [];
    fs.rmSync(cacheDir, { recursive: true });
    fs.mkdirSync(cacheDir);
    const old = path.join(cacheDir, 'analyses.json');
    fs.writeFileSync(old, JSON.stringify(cache));
    const run = check();
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, cold.stdout);
    assert.equal(fs.existsSync(old), false, 'the old cache is removed');
    assert.ok(fs.existsSync(path.join(cacheDir, 'analyses.jsonl')));

    // In a directory given with --cache-dir, an analyses.json that is no pyhang cache is someone else's.
    const own = path.join(root, 'results');
    fs.mkdirSync(own);
    fs.writeFileSync(path.join(own, 'analyses.json'), '{"runs": []}\n');
    assert.equal(check('--cache-dir', own).stdout, cold.stdout);
    assert.equal(fs.readFileSync(path.join(own, 'analyses.json'), 'utf8'), '{"runs": []}\n');
  });
});
