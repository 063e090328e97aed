/**
 * Parallel first looks: files are handed to worker threads in small batches
 * (each worker asks for the next when done, so a few large files do not leave
 * a core idle). Only results cross threads: facts, a "skipped" verdict or a
 * per-file problem.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { Analysis } from './lint.js';
import type { WorkerResult, WorkerTask } from './analysis-worker.js';

const BATCH = 16;

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export async function analyzeInWorkers(tasks: WorkerTask[], jobs: number): Promise<Map<string, Analysis>> {
  const results = new Map<string, Analysis>();
  if (tasks.length === 0) return results;
  const count = Math.max(1, Math.min(jobs, Math.ceil(tasks.length / BATCH)));
  let next = 0;
  const url = new URL('./analysis-worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(url);
        const feed = () => {
          if (next >= tasks.length) {
            void worker.terminate().then(() => resolve());
            return;
          }
          const batch = tasks.slice(next, next + BATCH);
          next += BATCH;
          worker.postMessage(batch);
        };
        worker.on('message', (batch: WorkerResult[]) => {
          for (const { path, analysis } of batch) results.set(path, analysis);
          feed();
        });
        worker.on('error', reject);
        feed();
      }),
    ),
  );
  return results;
}
