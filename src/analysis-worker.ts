/**
 * A worker thread's side of parallel analysis: it receives batches of files,
 * reads, pre-filters and analyses each exactly as the main thread would
 * (analyzeSource), and sends back small, plain results (facts, never trees).
 */
import { parentPort } from 'node:worker_threads';
import { analyzeSource, type Analysis } from './lint.js';
import { defaultSettings } from './settings.js';

export interface WorkerTask {
  path: string;
  module: { module: string; isPackage: boolean };
  maxFileSize: number;
}

export interface WorkerResult {
  path: string;
  analysis: Analysis;
}

parentPort?.on('message', (batch: WorkerTask[]) => {
  const results: WorkerResult[] = [];
  for (const task of batch) {
    const settings = { ...defaultSettings(''), maxFileSize: task.maxFileSize };
    let analysis: Analysis;
    try {
      analysis = analyzeSource({ path: task.path, module: task.module }, settings, true);
    } catch (error) {
      // The main thread analyses it again and reports what goes wrong there.
      analysis = { kind: 'problem', code: 'io-error', reason: `internal error: ${error instanceof Error ? error.message : String(error)}` };
    }
    results.push({ path: task.path, analysis });
  }
  parentPort!.postMessage(results);
});
