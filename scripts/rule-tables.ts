/**
 * The rule tables of README.md and docs/rules/index.md, written from the rule
 * registry's metadata so that they cannot drift from the rules (ESLint
 * generates its rules index the same way). Each file keeps its prose; only the
 * part between the markers is generated. `npm run docs` (generate-docs.ts)
 * writes it, and test/contract/rules-contract.test.ts fails when a file holds
 * something else.
 */
import type { Rule, RuleMeta } from '../src/engine/rule.js';

const BEGIN = '<!-- begin generated: rules table (npm run docs) -->';
const END = '<!-- end generated: rules table -->';

export interface GeneratedTable {
  /** The file, relative to the repository root. */
  file: string;
  render(rules: readonly Rule[]): string;
}

export const generatedTables: readonly GeneratedTable[] = [
  {
    file: 'README.md',
    render: (rules) =>
      table(
        ['Code', 'Name', 'Default', 'What it finds'],
        rules.map(({ meta }) => [`[${meta.code}](docs/rules/${meta.code}.md)`, `\`${meta.name}\``, severity(meta), meta.docs.finds]),
      ),
  },
  {
    file: 'docs/rules/index.md',
    render: (rules) =>
      table(
        ['Code', 'Name', 'Default severity', 'Summary', 'Fix'],
        rules.map(({ meta }) => [`[${meta.code}](${meta.code}.md)`, `\`${meta.name}\``, severity(meta), meta.summary, meta.fix ?? 'none']),
      ),
  },
];

function severity(meta: RuleMeta): string {
  return meta.docs.severityNote ? `${meta.defaultSeverity} (${meta.docs.severityNote})` : meta.defaultSeverity;
}

function table(header: string[], rows: string[][]): string {
  // A `|` inside a cell would end it: GitHub's tables take it escaped.
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * The text with the part between the markers replaced by `body`. The markers
 * are HTML comments, which Markdown does not show; blank lines around the table
 * keep it a table in every renderer.
 */
export function withGenerated(text: string, body: string, file: string): string {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END, begin);
  if (begin < 0 || end < 0) throw new Error(`${file} has no generated part: put the table between ${BEGIN} and ${END}`);
  return `${text.slice(0, begin + BEGIN.length)}\n\n${body}\n\n${text.slice(end)}`;
}
