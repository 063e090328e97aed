/**
 * The reporter registry: `--format NAME` is looked up here. A new format is a
 * new file in this folder exporting a `Reporter`, plus one line below.
 */
import type { Reporter } from './types.js';
import { stylish } from './stylish.js';
import { json } from './json.js';
import { compact } from './compact.js';

export type { Reporter, ReporterOptions } from './types.js';

const reporters = new Map<string, Reporter>([
  ['stylish', stylish],
  ['json', json],
  ['compact', compact],
]);

export function reporterByName(name: string): Reporter | undefined {
  return reporters.get(name);
}

export function reporterNames(): string[] {
  return [...reporters.keys()];
}
