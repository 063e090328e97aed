/**
 * The cache file (`analyses.jsonl`, see analysis-cache.ts) as one document,
 * for tests that look into it or change it as a user or a damaged disk could:
 * read and written here by hand, not through AnalysisCache, so that the tests
 * check the format as well as the code.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CACHE_FILE = 'analyses.jsonl';

/** An entry as the file has it: the stamp and each phase's analysis (a skipped verdict as `{ kind: 'skipped' }`). */
export type CachedEntry = Record<string, unknown> & { initial?: CachedAnalysis; demand?: CachedAnalysis };
export type CachedAnalysis = { kind: string; facts?: Record<string, unknown> } & Record<string, unknown>;

export interface CacheDocument {
  key: string;
  /** By file; a value may be made anything at all, to be written as a damaged entry. */
  entries: Record<string, CachedEntry>;
}

const PHASES = ['initial', 'demand'] as const;

export function readCacheDocument(cacheDir: string): CacheDocument {
  const [header, ...lines] = fs.readFileSync(path.join(cacheDir, CACHE_FILE), 'utf8').split('\n');
  const document: CacheDocument = { key: (JSON.parse(header!) as { key: string }).key, entries: {} };
  let current: CachedEntry | undefined;
  for (const line of lines) {
    if (line === '') continue;
    const [tag, value] = JSON.parse(line) as [string, Record<string, unknown>];
    if (tag === 'entry') {
      const { file, initial, demand, ...stamp } = value;
      current = stamp as CachedEntry;
      if (initial === 'skipped') current.initial = { kind: 'skipped' };
      if (demand === 'skipped') current.demand = { kind: 'skipped' };
      document.entries[file as string] = current;
    } else {
      current![tag] = value;
    }
  }
  return document;
}

/**
 * Writes the document in the cache's format. What is not an object where an
 * entry or an analysis goes is written as it is (a damaged line); an analysis
 * that is no object gives the entry line that value as its kind, with no line
 * of its own.
 */
export function writeCacheDocument(cacheDir: string, document: CacheDocument): void {
  const lines = [JSON.stringify({ pyhang: 'analysis-cache', version: 2, key: document.key })];
  for (const [file, entry] of Object.entries(document.entries)) {
    if (typeof entry !== 'object' || entry === null) {
      lines.push(`["entry",${JSON.stringify(entry)}]`);
      continue;
    }
    const { initial, demand, ...stamp } = entry;
    const analyses = { initial, demand };
    const head: Record<string, unknown> = { file, ...stamp };
    for (const phase of PHASES) {
      const analysis: unknown = analyses[phase];
      if (analysis !== undefined) head[phase] = typeof analysis === 'object' && analysis !== null ? (analysis as CachedAnalysis).kind : analysis;
    }
    lines.push(`["entry",${JSON.stringify(head)}]`);
    for (const phase of PHASES) {
      const analysis: unknown = analyses[phase];
      if (typeof analysis === 'object' && analysis !== null && (analysis as CachedAnalysis).kind !== 'skipped') lines.push(JSON.stringify([phase, analysis]));
    }
  }
  fs.writeFileSync(path.join(cacheDir, CACHE_FILE), `${lines.join('\n')}\n`);
}
