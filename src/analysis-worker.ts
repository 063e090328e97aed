/**
 * A worker thread's side of parallel analysis (see worker-pool.ts): it
 * receives files on its port, reads, pre-filters and analyses each exactly as
 * the main thread would (analyzeSource), and sends back small, plain results
 * (facts, never trees), counting each in a shared slot so that a thread
 * blocked waiting for results wakes up.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { analyzeSource, type Analysis } from './lint.js';
import { defaultSettings } from './settings.js';

export interface WorkerTask {
  path: string;
  module: { module: string; isPackage: boolean };
  maxFileSize: number;
  /** False for a file the analysis needs whatever it mentions (a demand load). Default true. */
  prefilter?: boolean;
  /** Bytes on disk, when known: larger files are handed out first. */
  size?: number;
}

export interface WorkerResult {
  path: string;
  analysis: Analysis;
}

function analyzeTask(task: WorkerTask): WorkerResult {
  const settings = { ...defaultSettings(''), maxFileSize: task.maxFileSize };
  let analysis: Analysis;
  try {
    analysis = analyzeSource({ path: task.path, module: task.module }, settings, task.prefilter ?? true);
  } catch (error) {
    // The main thread analyses it again and reports what goes wrong there.
    analysis = { kind: 'problem', code: 'io-error', reason: `internal error: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { path: task.path, analysis };
}

const { port, posted } = workerData as { port: MessagePort; posted: Int32Array };
port.on('message', (task: WorkerTask) => {
  port.postMessage(analyzeTask(task));
  Atomics.add(posted, 0, 1);
  Atomics.notify(posted, 0);
});
