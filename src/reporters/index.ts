/**
 * The reporter registry: `--format NAME` is looked up here. A new format is a
 * new file in this folder exporting a `Reporter`, plus one line below.
 */
import type { Reporter } from './types.js';
import { stylish } from './stylish.js';
import { json } from './json.js';
import { compact } from './compact.js';
import { full } from './full.js';
import { github } from './github.js';
import { sarif } from './sarif.js';

export type { Reporter, ReporterOptions } from './types.js';

const reporters = new Map<string, Reporter>([
  ['stylish', stylish],
  ['json', json],
  ['compact', compact],
  ['full', full],
  ['github', github],
  ['sarif', sarif],
]);

/** Formats whose output is one JSON document: nothing else may be printed on stdout with them. */
const MACHINE_READABLE = new Set(['json', 'sarif']);

export function reporterByName(name: string): Reporter | undefined {
  return reporters.get(name);
}

export function reporterNames(): string[] {
  return [...reporters.keys()];
}

export function isMachineReadable(name: string): boolean {
  return MACHINE_READABLE.has(name);
}
