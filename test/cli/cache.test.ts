/**
 * The cache (.pyhang_cache/): a second run on an unchanged tree answers the
 * same; a change to a file, to the configuration or to the flags is seen.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HAZARD, makeProject, removeProject, runPyhang } from './run-pyhang.js';

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
});
