/**
 * A worker thread's side of parallel analysis (see worker-pool.ts). It loads
 * the analysis code, says in its shared status slot whether that worked (so a
 * thread waiting for it never waits on a worker that cannot start), then
 * receives batches of files on its port and sends back their results (analysis-task.ts),
 * counting each in a shared slot so that a thread blocked waiting wakes up.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { WorkerResult, WorkerTask } from './analysis-task.js';

export type { WorkerResult, WorkerTask } from './analysis-task.js';

/** A worker's status slot: still loading, ready for tasks, or unable to load the analysis. */
export const WORKER_STARTING = 0;
export const WORKER_READY = 1;
export const WORKER_FAILED = 2;

interface WorkerData {
  port: MessagePort;
  /** Slot 0 counts results posted by any worker; slot `slot` is this worker's status. */
  shared: Int32Array;
  slot: number;
  /** The module that analyses a task (tests replace it). */
  taskModule: string;
}

// Loaded only inside a worker thread (importing this file elsewhere, for its types and constants, does nothing).
if (workerData && (workerData as Partial<WorkerData>).shared) {
  const { port, shared, slot, taskModule } = workerData as WorkerData;
  let status = WORKER_FAILED;
  try {
    const { analyzeTask, transferables, encodeResults } = (await import(taskModule)) as {
      analyzeTask: (task: WorkerTask) => WorkerResult;
      transferables?: (results: WorkerResult[]) => ArrayBuffer[];
      encodeResults?: (results: WorkerResult[]) => WorkerResult[];
    };
    port.on('message', (tasks: WorkerTask[]) => {
      const analysed = tasks.map((task) => analyzeTask(task));
      const results = encodeResults ? encodeResults(analysed) : analysed;
      port.postMessage(results, transferables?.(results) ?? []);
      Atomics.add(shared, 0, 1);
      Atomics.notify(shared, 0);
    });
    status = WORKER_READY;
  } catch {
    // The pool sees the status and gives this worker's files to others (or to its own thread).
  }
  Atomics.store(shared, slot, status);
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
}
