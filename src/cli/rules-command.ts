/**
 * `pyhang rules`: the rule registry, read from each rule's metadata so the list
 * cannot drift from the code. `--format text` (default) is an aligned table,
 * one rule a line; `--format json` is the metadata itself plus the docs URL,
 * without `docs` (the text only the generated rule tables show) and `options`
 * (the schemas config validation reads), and `fixRisk` (the words the editor
 * shows beside an unsafe fix): the format's fields stay those tools
 * already read.
 */
import fs from 'node:fs';
import { rules, ruleByCode } from '../../rules/index.js';
import type { Rule } from '../engine/rule.js';
import { docsUrl } from '../engine/rule.js';
import type { CliIo } from './io.js';

export function listRules(format: string, io: CliIo): number {
  if (format === 'json') {
    const metadata = rules.map(({ meta: { docs: _tables, options: _options, fixRisk: _risk, ...meta } }) => ({ ...meta, url: docsUrl(meta.code) }));
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

/**
 * `pyhang rule CODE` (Ruff's `ruff rule`): the rule's docs page, as shipped in
 * docs/rules/, so the terminal shows exactly what the website does. `--all`
 * prints every page; `--format json` gives each rule's metadata with the page
 * as `explanation` (Ruff's field name). A code is read in any case.
 */
export function explainRule(code: string | undefined, options: { all: boolean; format: string }, io: CliIo): number {
  if (options.format !== 'text' && options.format !== 'json') {
    io.stderr(`pyhang: unknown format '${options.format}' (expected text, json)\n`);
    return 2;
  }
  let chosen: readonly Rule[];
  if (options.all) chosen = rules;
  else if (code === undefined) {
    io.stderr("pyhang: name a rule code, or give --all (see 'pyhang rule --help')\n");
    return 2;
  } else {
    const rule = ruleByCode(code.toUpperCase());
    if (!rule) {
      io.stderr(`pyhang: unknown rule code '${code}' (see 'pyhang rules')\n`);
      return 2;
    }
    chosen = [rule];
  }
  if (options.format === 'json') {
    const described = chosen.map(({ meta: { docs: _tables, options: _options, fixRisk: _risk, ...meta } }) => ({ ...meta, url: docsUrl(meta.code), explanation: docsPage(meta.code) }));
    io.stdout(`${JSON.stringify(options.all ? described : described[0], null, 2)}\n`);
    return 0;
  }
  io.stdout(chosen.map((rule) => docsPage(rule.meta.code)).join('\n'));
  return 0;
}

/** A rule's page, from docs/rules/ beside the built code (dist/src/cli → the package root). */
function docsPage(code: string): string {
  return fs.readFileSync(new URL(`../../../docs/rules/${code}.md`, import.meta.url), 'utf8');
}
