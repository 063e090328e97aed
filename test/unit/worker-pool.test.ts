/**
 * The worker pool: the calling thread working beside the workers, and workers
 * that cannot start (their files go to the workers that can, or back to the
 * calling thread, without waiting for the stall limit).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AnalysisPool } from '../../src/engine/worker-pool.js';
import { analyzeTask, finishTask, type FileTask } from '../../src/engine/analysis-task.js';
import { queueEnds, queueLeft, takeBack, takeFront } from '../../src/engine/analysis-worker.js';

const REAL_TASK_MODULE = new URL('../../src/engine/analysis-task.js', import.meta.url).href;

/** A task module given as source text. */
const moduleOf = (source: string): URL => new URL(`data:text/javascript,${encodeURIComponent(source)}`);

function project(t: { after: (fn: () => void) => void }, count: number): FileTask[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-pool-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(root, `m${i}.py`);
    fs.writeFileSync(file, i % 2 === 0 ? `import asyncio\n\n\nasync def f${i}():\n    return ${i}\n` : `VALUE = ${i}\n`);
    return { path: file, module: { module: `m${i}`, isPackage: false }, maxFileSize: 1 << 20 };
  });
}

/**
 * A pool of one parsing worker beside the calling thread, counting the files
 * the calling thread does itself and the worker's parses it finishes.
 */
function countingPool(): { pool: AnalysisPool; counts: { ranHere: number; finished: number } } {
  const counts = { ranHere: 0, finished: 0 };
  const pool = new AnalysisPool(1, {
    local: (task) => {
      counts.ranHere++;
      return analyzeTask(task);
    },
    finish: (task, parsed) => {
      if (parsed) counts.finished++;
      return finishTask(task, parsed);
    },
  });
  return { pool, counts };
}

/**
 * Asserts that `results` hold for each task exactly what one thread finds
 * alone, facts included (`alone`: those analyses, made already).
 */
function assertAsAlone(results: ReadonlyMap<string, unknown>, tasks: readonly FileTask[], alone?: ReadonlyMap<string, unknown>): void {
  assert.deepEqual(
    tasks.map((task) => results.get(task.path)),
    tasks.map((task) => ((alone?.get(task.path) ?? analyzeTask(task)) as { analysis: unknown }).analysis),
  );
}

describe('shared queue ends', () => {
  it('gives each task once, the front from the first and the back from the last, until they meet', () => {
    const ends = queueEnds(5);
    assert.deepEqual([takeFront(ends), takeBack(ends), takeFront(ends), takeBack(ends)], [0, 4, 1, 3]);
    assert.equal(queueLeft(ends), true);
    assert.equal(takeBack(ends), 2);
    assert.equal(queueLeft(ends), false);
    assert.deepEqual([takeFront(ends), takeBack(ends)], [-1, -1]);
    assert.deepEqual([takeFront(queueEnds(0)), takeBack(queueEnds(0))], [-1, -1]);
  });
});

describe('AnalysisPool', () => {
  it('analyses every file in the workers', { timeout: 30_000 }, async (t) => {
    const tasks = project(t, 12);
    const pool = new AnalysisPool(2);
    try {
      const results = pool.analyze(tasks);
      assert.deepEqual(
        tasks.map((task) => results.get(task.path)?.kind),
        tasks.map((_, i) => (i % 2 === 0 ? 'facts' : 'skipped')),
      );
    } finally {
      await pool.close();
    }
  });

  it('shares the tasks with the calling thread, and analyses there what a parsing worker parsed', { timeout: 30_000 }, async (t) => {
    const tasks = project(t, 200);
    const alone = new Map(tasks.map((task) => [task.path, analyzeTask(task)]));
    const { pool, counts } = countingPool();
    try {
      const results = pool.analyze(tasks);
      // Exactly what one thread finds, facts included.
      assertAsAlone(results, tasks, alone);
      assert.ok(counts.finished > 0, 'no file parsed by the worker was analysed here');
      assert.ok(counts.ranHere > 0, 'the calling thread took no task');
    } finally {
      await pool.close();
    }
  });

  it('gives the files of a worker that cannot load the analysis to the other worker', { timeout: 30_000 }, async (t) => {
    const tasks = project(t, 12);
    // The first worker fails to load; the second loads the real analysis.
    const taskModule = moduleOf(
      `import { workerData } from 'node:worker_threads';\n` +
        `if (workerData.slot === 1) throw new Error('cannot load');\n` +
        `export { analyzeTask } from ${JSON.stringify(REAL_TASK_MODULE)};\n`,
    );
    const pool = new AnalysisPool(2, { taskModule });
    try {
      const results = pool.analyze(tasks);
      assert.equal(results.size, tasks.length, 'every file was analysed by the worker that started');
    } finally {
      await pool.close();
    }
  });

  it('returns at once, leaving every file to the caller, when no worker can load the analysis', { timeout: 30_000 }, async (t) => {
    const tasks = project(t, 12);
    const pool = new AnalysisPool(2, { taskModule: moduleOf(`throw new Error('cannot load');`) });
    try {
      // Before, the pool waited for the 60-second stall limit here.
      assert.equal(pool.analyze(tasks).size, 0);
    } finally {
      await pool.close();
    }
  });

  it('shares one queue of files between a ready parsing worker and the calling thread, with the same answers', { timeout: 30_000 }, async (t) => {
    const tasks = project(t, 400);
    const alone = new Map(tasks.map((task) => [task.path, analyzeTask(task)]));
    const { pool, counts } = countingPool();
    try {
      // Until the worker is loaded (it has parsed a file of a run), runs hand it tasks one batch at a time.
      for (let i = 0; counts.finished === 0 && i < 100; i++) {
        pool.analyze(tasks.slice(0, 8));
        await sleep(100);
      }
      counts.finished = 0;
      counts.ranHere = 0;
      const results = pool.analyze(tasks);
      assertAsAlone(results, tasks, alone);
      assert.ok(counts.finished > 0, 'no file parsed by the worker was analysed here');
      assert.ok(counts.ranHere > 0, 'the calling thread took no task');
      assert.ok(counts.ranHere + counts.finished <= tasks.length, 'a file was looked at twice');
      // Demand loads (every file parsed, sizes known: largest first) share the queue the same way.
      const loads = tasks.map((task) => ({ ...task, prefilter: false, size: fs.statSync(task.path).size }));
      const loaded = pool.analyze(loads);
      assertAsAlone(loaded, loads);
      // The pool takes new tasks after a shared queue as before it.
      const again = pool.analyze(tasks.slice(0, 50));
      assertAsAlone(again, tasks.slice(0, 50), alone);
    } finally {
      await pool.close();
    }
  });

  it('takes what a parsing worker read ahead of the run, and reads again what it read under another size limit', { timeout: 30_000 }, async (t) => {
    const tasks = project(t, 200);
    const alone = new Map(tasks.map((task) => [task.path, analyzeTask(task)]));
    const { pool, counts } = countingPool();
    // Sent while the files are still being found, before their module names are known: the last ten
    // under a size limit the run does not use (too small for them), and one file the run leaves out.
    const ahead: FileTask[] = tasks.map((task, i) => ({ path: task.path, maxFileSize: i >= 190 ? 10 : task.maxFileSize, prefilter: true, parseOnly: true }));
    const left = path.join(path.dirname(tasks[0]!.path), 'left.py');
    fs.writeFileSync(left, 'import asyncio\n');
    try {
      pool.prefetch(ahead.slice(0, 100));
      // Some results arrive before the run (collected by the next hand-over), others are still in the worker when it starts.
      await sleep(200);
      pool.prefetch([...ahead.slice(100), { path: left, maxFileSize: 1 << 20, parseOnly: true }]);
      const results = pool.analyze(tasks);
      // Exactly what one thread finds, facts included (under the module names of the run), and nothing else.
      assertAsAlone(results, tasks, alone);
      assert.equal(results.has(left), false);
      // Each file looked at once, but for the ten read ahead under another limit, which are looked at again.
      // (Which thread does what depends on how far the worker got ahead of the run, which the machine's load
      // decides: under load the calling thread takes part of the files sent ahead from the shared queue.)
      assert.ok(counts.ranHere + counts.finished <= tasks.length + 10, `${counts.ranHere} files done here and ${counts.finished} parses finished here, for ${tasks.length} files`);
    } finally {
      await pool.close();
    }
  });

  it('searches files for names in the workers, and says that a file it cannot read names them', { timeout: 30_000 }, async (t) => {
    // Even files define `f<i>`, odd ones bind VALUE; 200 files make several slices.
    const paths = project(t, 200).map((task) => task.path);
    const missing = path.join(path.dirname(paths[0]!), 'gone.py');
    const pool = new AnalysisPool(2);
    try {
      const found = pool.search([...paths, missing], ['f4', 'f150'], ['VALUE']);
      assert.deepEqual(
        paths.map((file) => found.get(file)),
        paths.map((_, i) => i === 4 || i === 150 || i % 2 === 1),
      );
      assert.equal(found.get(missing), true, 'loading it will say why it cannot be read');
      // `f4` is looked for as a call (`f4(`): `f40` and `f44` do not match it.
      assert.equal(found.get(paths[40]!), false);
    } finally {
      await pool.close();
    }
  });

  it('shares a search with the calling thread, with the same answers', { timeout: 30_000 }, async (t) => {
    const paths = project(t, 200).map((task) => task.path);
    let searchedHere = 0;
    const pool = new AnalysisPool(1, {
      local: (task) => {
        if ('search' in task) searchedHere++;
        return analyzeTask(task);
      },
    });
    try {
      const found = pool.search(paths, ['f4', 'f150'], ['VALUE']);
      assert.deepEqual(
        paths.map((file) => found.get(file)),
        paths.map((_, i) => i === 4 || i === 150 || i % 2 === 1),
      );
      // The worker is handed a few slices ahead, not all of them: this thread searches the others.
      assert.ok(searchedHere > 0, 'the calling thread waited for the worker to search every slice');
    } finally {
      await pool.close();
    }
  });
});
