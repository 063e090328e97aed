/**
 * What a worker thread does with one file (see analysis-worker.ts): read,
 * pre-filter and analyse it exactly as the main thread would (analyzeSource),
 * into a small, plain result (facts, never trees); or, for a `parseOnly` task,
 * read, pre-filter and parse it, leaving the analysis to the pool's own thread
 * (finishTask).
 */
import { analyzeSource, fileMentions, parseSource, type Analysis } from './lint.js';
import { wordsPattern } from '../project/prefilter.js';
import { defaultSettings, type Settings } from '../config/settings.js';

/** Analyse one file. */
export interface FileTask {
  path: string;
  /** The module to analyse it as; absent only from a `parseOnly` task sent before the names were known (see AnalysisPool.prefetch). */
  module?: { module: string; isPackage: boolean };
  maxFileSize: number;
  /** False for a file the analysis needs whatever it mentions (a demand load). Default true. */
  prefilter?: boolean;
  /** Bytes on disk, when known: larger files are handed out first. */
  size?: number;
  /** Read, pre-filter and parse it, but leave the analysis to the pool's own thread: a file to analyse comes back `parsed`. */
  parseOnly?: boolean;
}

/** Say which of many files name any of the names (see fileMentions). */
export interface SearchTask {
  /** A key for the task, unique among those in flight (not a file). */
  path: string;
  search: { paths: string[]; called: string[]; named: string[] };
  size?: undefined;
}

export type WorkerTask = FileTask | SearchTask;

export type WorkerResult =
  | { path: string; analysis: Analysis }
  /** An analysis as its JSON text (see encodeResults): what a worker thread posts. */
  | { path: string; json: string }
  | { path: string; matches: boolean[] }
  /** A file of a `parseOnly` task to analyse: its text and native parse (see parseFlat), or null to do it all. */
  | { path: string; parsed: { text: string; tree: Int32Array } | null };

export function analyzeTask(task: WorkerTask): WorkerResult {
  if ('search' in task) {
    const { paths, called, named } = task.search;
    const search = wordsPattern(called, named);
    return { path: task.path, matches: paths.map((path) => search !== null && fileMentions(path, search)) };
  }
  const settings = taskSettings(task);
  if (task.parseOnly) {
    const done = parseSource({ path: task.path, module: task.module }, settings, task.prefilter ?? true);
    return done && 'kind' in done ? { path: task.path, analysis: done } : { path: task.path, parsed: done };
  }
  // analyzeSource never throws: a failure on one file comes back as that file's internal-error problem.
  return { path: task.path, analysis: analyzeSource({ path: task.path, module: task.module }, settings, task.prefilter ?? true) };
}

/** Finishes, in the pool's own thread, a `parseOnly` task a worker read and parsed (`parsed`: see WorkerResult). */
export function finishTask(task: FileTask, parsed: { text: string; tree: Int32Array } | null): WorkerResult {
  const source = { path: task.path, module: task.module, ...(parsed ? { parsed } : {}) };
  return { path: task.path, analysis: analyzeSource(source, taskSettings(task), task.prefilter ?? true) };
}

/** The settings a task is analysed under: analyzeSource reads only the size limit of them. */
function taskSettings(task: FileTask): Settings {
  return { ...defaultSettings(''), maxFileSize: task.maxFileSize };
}

/**
 * Results as a worker thread posts them: each analysis as its JSON text (the
 * same plain data the disk store keeps). One string crosses between threads
 * as one copy, and JSON.parse in the receiving thread builds the facts faster
 * than the structured clone of the same object graph does (it was most of the
 * receiving thread's cost of a worker's analysis), with each key one shared string.
 */
export function encodeResults(results: readonly WorkerResult[]): WorkerResult[] {
  return results.map((result) => ('analysis' in result ? { path: result.path, json: JSON.stringify(result.analysis) } : result));
}

/** The buffers of results to transfer rather than copy (the parses). */
export function transferables(results: readonly WorkerResult[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const result of results) if ('parsed' in result && result.parsed) out.push(result.parsed.tree.buffer as ArrayBuffer);
  return out;
}
