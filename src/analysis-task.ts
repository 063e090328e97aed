/**
 * What a worker thread does with one file (see analysis-worker.ts): read,
 * pre-filter and analyse it exactly as the main thread would (analyzeSource),
 * into a small, plain result (facts, never trees).
 */
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

export function analyzeTask(task: WorkerTask): WorkerResult {
  const settings = { ...defaultSettings(''), maxFileSize: task.maxFileSize };
  // analyzeSource never throws: a failure on one file comes back as that file's internal-error problem.
  return { path: task.path, analysis: analyzeSource({ path: task.path, module: task.module }, settings, task.prefilter ?? true) };
}
