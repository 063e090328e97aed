/**
 * The reporter registry: `--format NAME` is looked up here. A new format is a
 * new file in this folder exporting a `Reporter`, plus one line below; a
 * format that can be printed file by file exports a `StreamingReporter` too
 * (its Reporter made by wholeReport) and gets a line in `streams`.
 */
import type { Reporter, StreamingReporter } from './types.js';
import { forPeople, streamForPeople } from './terminal-text.js';

export type { Reporter, ReporterOptions, ReportStream, StreamingReporter } from './types.js';

/** Each format's module, loaded only when asked for (vfile-reporter and its dependencies cost a run that prints JSON). */
const reporters = new Map<string, () => Promise<Reporter>>([
  ['stylish', async () => (await import('./stylish.js')).stylish],
  ['json', async () => (await import('./json.js')).json],
  ['compact', async () => (await import('./compact.js')).compact],
  ['full', async () => (await import('./full.js')).full],
  ['github', async () => (await import('./github.js')).github],
  ['sarif', async () => (await import('./sarif.js')).sarif],
  ['junit', async () => (await import('./junit.js')).junit],
  ['gitlab', async () => (await import('./gitlab.js')).gitlab],
  ['json-lines', async () => (await import('./json-lines.js')).jsonLines],
]);

/**
 * Formats printed file by file, as each file's findings are final (see
 * ReportStream). The others are printed whole at the end: one document
 * (JSON, SARIF, JUnit XML, GitLab's JSON), or `full`, whose code frames are
 * meant for a few findings read at the end rather than a large tree's.
 */
const streams = new Map<string, () => Promise<StreamingReporter>>([
  ['stylish', async () => (await import('./stylish.js')).stylishStream],
  ['compact', async () => (await import('./compact.js')).compactStream],
  ['github', async () => (await import('./github.js')).githubStream],
  ['json-lines', async () => (await import('./json-lines.js')).jsonLinesStream],
]);

/** Formats whose output a program parses (one JSON or XML document, or JSON lines): nothing else may be printed on stdout with them. */
const MACHINE_READABLE = new Set(['json', 'sarif', 'junit', 'gitlab', 'json-lines']);

/**
 * The reporter for `--format NAME`. Formats for people get their file names and
 * messages with control characters drawn visibly (terminal-text.ts); the
 * machine formats get them exact.
 */
export async function reporterByName(name: string): Promise<Reporter | undefined> {
  const report = await reporters.get(name)?.();
  if (!report) return undefined;
  return MACHINE_READABLE.has(name) ? report : forPeople(report);
}

export function reporterNames(): string[] {
  return [...reporters.keys()];
}

export function isMachineReadable(name: string): boolean {
  return MACHINE_READABLE.has(name);
}

/** The format `--format NAME` as a stream, or undefined when it is printed whole (see `streams`). */
export async function streamByName(name: string): Promise<StreamingReporter | undefined> {
  const stream = await streams.get(name)?.();
  if (!stream) return undefined;
  return MACHINE_READABLE.has(name) ? stream : streamForPeople(stream);
}
