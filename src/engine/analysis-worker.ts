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

/**
 * Tasks shared with the pool's own thread (see AnalysisPool's shared queue):
 * the worker takes them from the front (the largest first, where sizes are
 * known), that thread from the back, each by moving its end of `ends` (see
 * takeFront), so the worker never waits to be handed work while that thread
 * is busy, and that thread's own tasks are the small ones, quickly done
 * between the parses it analyses. The worker posts its results a few at a
 * time, each parse at once, and stops while QUEUE_PARSED_AHEAD of its parses
 * wait for that thread (which counts the ones it analysed in
 * `control[QUEUE_ANALYSED]`): a parse's memory is held until then.
 */
export interface SharedQueue {
  queue: WorkerTask[];
  /** One slot: the front's next index times 2^32, plus the back's end (the index after the last task left). */
  ends: BigInt64Array;
  control: Int32Array;
}
export const QUEUE_ANALYSED = 0;
/** Results a worker posts at once from a shared queue (a parse goes at once). */
const QUEUE_BATCH = 16;
const QUEUE_PARSED_AHEAD = 8;

/** The ends of a shared queue of `length` tasks, none taken yet. */
export function queueEnds(length: number): BigInt64Array {
  const ends = new BigInt64Array(new SharedArrayBuffer(8));
  ends[0] = BigInt(length);
  return ends;
}

const FRONT = 1n << 32n;

/** The index of the task at the front of a shared queue, taken; -1 when none is left. */
export function takeFront(ends: BigInt64Array): number {
  for (;;) {
    const seen = Atomics.load(ends, 0);
    const front = seen >> 32n;
    if (front >= (seen & (FRONT - 1n))) return -1;
    if (Atomics.compareExchange(ends, 0, seen, seen + FRONT) === seen) return Number(front);
  }
}

/** The index of the task at the back of a shared queue, taken; -1 when none is left. */
export function takeBack(ends: BigInt64Array): number {
  for (;;) {
    const seen = Atomics.load(ends, 0);
    const back = seen & (FRONT - 1n);
    if (seen >> 32n >= back) return -1;
    if (Atomics.compareExchange(ends, 0, seen, seen - 1n) === seen) return Number(back - 1n);
  }
}

/** Whether a shared queue has a task left. */
export function queueLeft(ends: BigInt64Array): boolean {
  const seen = Atomics.load(ends, 0);
  return seen >> 32n < (seen & (FRONT - 1n));
}

/** Runs a shared queue's tasks until none is left (see SharedQueue). */
function takeFromQueue({ queue, ends, control }: SharedQueue, analyzeTask: (task: WorkerTask) => WorkerResult, post: (results: WorkerResult[]) => void): void {
  let out: WorkerResult[] = [];
  let parses = 0;
  for (let i = takeFront(ends); i >= 0; i = takeFront(ends)) {
    const result = analyzeTask(queue[i]!);
    out.push(result);
    const parsed = 'parsed' in result;
    if (!parsed && out.length < QUEUE_BATCH) continue;
    post(out);
    out = [];
    if (!parsed) continue;
    parses++;
    // Never more parses waiting than the pool's own thread allows (their memory); it wakes this one as it takes them.
    for (let analysed = Atomics.load(control, QUEUE_ANALYSED); parses - analysed >= QUEUE_PARSED_AHEAD; analysed = Atomics.load(control, QUEUE_ANALYSED)) {
      Atomics.wait(control, QUEUE_ANALYSED, analysed, 1000);
    }
  }
  if (out.length > 0) post(out);
}

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
    const post = (analysed: WorkerResult[]) => {
      const results = encodeResults ? encodeResults(analysed) : analysed;
      port.postMessage(results, transferables?.(results) ?? []);
      Atomics.add(shared, 0, 1);
      Atomics.notify(shared, 0);
    };
    port.on('message', (message: WorkerTask[] | SharedQueue) => {
      if (Array.isArray(message)) post(message.map((task) => analyzeTask(task)));
      else takeFromQueue(message, analyzeTask, post);
    });
    status = WORKER_READY;
  } catch {
    // The pool sees the status and gives this worker's files to others (or to its own thread).
  }
  Atomics.store(shared, slot, status);
  Atomics.add(shared, 0, 1);
  Atomics.notify(shared, 0);
}
