/**
 * The bench's wide project (bench/wide-project.ts): N copies whose imports stay
 * inside each copy, so the import graph is N times larger, while each copy
 * keeps its hazards (imports of asyncio and sys are not rewritten).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus } from '../../bench/corpus.js';
import { makeWideProject } from '../../bench/wide-project.js';
import { makeProject, removeProject, runPyhang } from '../cli/run-pyhang.js';

const CORPUS = {
  'shop/__init__.py': '',
  'shop/helpers.py': 'import sys\n\ndef die():\n    sys.exit(1)\n',
  'worker.py':
    'import asyncio\nimport shop.helpers\nfrom shop.helpers import die as bail\n\n' +
    'async def job():\n    shop.helpers.die()\n\nasync def other():\n    bail()\n\n' +
    'def submit(loop):\n    return asyncio.run_coroutine_threadsafe(job(), loop)\n',
  'site-packages/vendor/__init__.py': 'import json, shop.helpers as h\n',
};

describe('bench: the wide project', () => {
  it('gives each copy its own package, rewrites imports into it and keeps the hazards of every copy', (t) => {
    const source = makeProject(CORPUS, 'pyhang-wide-source-');
    const target = path.join(makeProject({}, 'pyhang-wide-target-'), 'wide');
    t.after(() => {
      removeProject(source);
      removeProject(path.dirname(target));
    });
    const made = makeWideProject(loadCorpus(source), target, 2);
    const worker = fs.readFileSync(path.join(target, 'wide_01', 'worker.py'), 'utf8');
    assert.equal(
      worker,
      'import asyncio\nfrom wide_01 import shop\nfrom wide_01.shop.helpers import die as bail\n\n' +
        'async def job():\n    shop.helpers.die()\n\nasync def other():\n    bail()\n\n' +
        'def submit(loop):\n    return asyncio.run_coroutine_threadsafe(job(), loop)\n',
    );
    assert.equal(fs.readFileSync(path.join(target, 'wide_00', 'site_packages', 'vendor', '__init__.py'), 'utf8'), 'import json; from wide_00.shop import helpers as h\n');
    assert.ok(fs.existsSync(path.join(target, 'wide_00', 'site_packages', '__init__.py')), 'every directory is a package');
    assert.equal(made.files, 2 * (4 + 2), "4 files and 2 new __init__.py (the copy and site_packages) per copy");
    const result = runPyhang(['check', '--no-cache', '--format', 'compact', '.'], { cwd: target });
    assert.deepEqual(
      result.stdout.split('\n').filter(Boolean).map((line) => line.replace(/:\d+:\d+: /, ' ').split(' ').slice(0, 2).join(' ')),
      // Each copy's coroutines reach sys.exit through its own shop.helpers (resolved inside the copy).
      ['wide_00/worker.py HANG002', 'wide_00/worker.py HANG002', 'wide_01/worker.py HANG002', 'wide_01/worker.py HANG002'],
    );
  });
});
