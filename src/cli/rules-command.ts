/**
 * `pyhang rules`: the rule registry, read from each rule's metadata so the list
 * cannot drift from the code. `--format text` (default) is an aligned table,
 * one rule a line; `--format json` is the metadata itself plus the docs URL,
 * without `docs` (the text only the generated rule tables show) and `options`
 * (the schemas config validation reads): the format's fields stay those tools
 * already read.
 */
import { rules } from '../../rules/index.js';
import { docsUrl } from '../engine/rule.js';
import type { CliIo } from './io.js';

export function listRules(format: string, io: CliIo): number {
  if (format === 'json') {
    const metadata = rules.map(({ meta: { docs: _tables, options: _options, ...meta } }) => ({ ...meta, url: docsUrl(meta.code) }));
    io.stdout(`${JSON.stringify(metadata, null, 2)}\n`);
    return 0;
  }
  if (format !== 'text') {
    io.stderr(`pyhang: unknown format '${format}' (expected text, json)\n`);
    return 2;
  }
  const rows = rules.map((rule) => [rule.meta.code, rule.meta.name, rule.meta.defaultSeverity, rule.meta.summary]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  '));
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
