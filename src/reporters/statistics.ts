/**
 * `--statistics`: how many findings each rule (or file problem) has, printed
 * after the report, as Ruff prints them: count right-aligned, code, then the
 * rule's name, separated by tabs, most frequent first. When any of them has a
 * fix the flags given would apply, a `[*] ` (or `[ ] `) column marks which.
 *
 *   3	HANG001	threadsafe-result-without-timeout
 *   1	HANG004	threadsafe-future-discarded
 */
import type { VFile } from 'vfile';
import { ruleByCode } from '../../rules/index.js';
import { isFixApplicable } from '../engine/fix.js';

interface Statistic {
  code: string;
  name: string;
  count: number;
  fixable: boolean;
}

export function statistics(files: VFile[], options: { unsafeFixes: boolean }): string {
  const byCode = new Map<string, Statistic>();
  for (const file of files) {
    for (const message of file.messages) {
      const code = String(message.ruleId ?? '');
      let entry = byCode.get(code);
      if (!entry) {
        entry = { code, name: ruleByCode(code)?.meta.name ?? '', count: 0, fixable: false };
        byCode.set(code, entry);
      }
      entry.count++;
      if (isFixApplicable(message, options.unsafeFixes)) entry.fixable = true;
    }
  }
  const rows = [...byCode.values()].sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  if (rows.length === 0) return '';
  const countWidth = Math.max(...rows.map((row) => String(row.count).length));
  const codeWidth = Math.max(...rows.map((row) => row.code.length));
  const anyFixable = rows.some((row) => row.fixable);
  const lines = rows.map((row) => {
    const marker = anyFixable ? (row.fixable ? '[*] ' : '[ ] ') : '';
    return `${String(row.count).padStart(countWidth)}\t${row.code.padEnd(codeWidth)}\t${marker}${row.name}`.trimEnd();
  });
  return `${lines.join('\n')}\n`;
}
