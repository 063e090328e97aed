/**
 * What a worker thread does with one file (see analysis-worker.ts): read,
 * pre-filter and analyse it exactly as the main thread would (analyzeSource),
 * into a small, plain result (facts, never trees).
 */
import { analyzeSource, fileMentions, type Analysis } from './lint.js';
import { wordsPattern } from './prefilter.js';
import { defaultSettings } from './settings.js';

/** Analyse one file. */
export interface FileTask {
  path: string;
  module: { module: string; isPackage: boolean };
  maxFileSize: number;
  /** False for a file the analysis needs whatever it mentions (a demand load). Default true. */
  prefilter?: boolean;
  /** Bytes on disk, when known: larger files are handed out first. */
  size?: number;
}

/** Say which of many files name any of the names (see fileMentions). */
export interface SearchTask {
  /** A key for the task, unique among those in flight (not a file). */
  path: string;
  search: { paths: string[]; called: string[]; named: string[] };
  size?: undefined;
}

export type WorkerTask = FileTask | SearchTask;

export type WorkerResult = { path: string; analysis: Analysis } | { path: string; matches: boolean[] };

export function analyzeTask(task: WorkerTask): WorkerResult {
  if ('search' in task) {
    const { paths, called, named } = task.search;
    const search = wordsPattern(called, named);
    return { path: task.path, matches: paths.map((path) => search !== null && fileMentions(path, search)) };
  }
  const settings = { ...defaultSettings(''), maxFileSize: task.maxFileSize };
  // analyzeSource never throws: a failure on one file comes back as that file's internal-error problem.
  return { path: task.path, analysis: analyzeSource({ path: task.path, module: task.module }, settings, task.prefilter ?? true) };
}
