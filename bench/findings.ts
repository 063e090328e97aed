/**
 * Comparing two `pyhang check --format json` reports: the pre-filter must not
 * change what is found, so the default run and the `--no-prefilter` run (and
 * a cache hit) must report the same rule findings. A finding is compared by
 * file, code, severity, range and message.
 *
 * File problems (syntax-error, decode-error, ...) are kept apart: without the
 * pre-filter every file is parsed, so syntax errors are also reported in files
 * that cannot hold a hazard, as the README says. Those differences are shown,
 * not counted as a mismatch.
 */
import fs from 'node:fs';

interface EslintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

interface EslintResult {
  filePath: string;
  messages: EslintMessage[];
}

export interface Report {
  files: number;
  /** One key per rule finding (a multiset: duplicates are kept), sorted. */
  findings: string[];
  /** One key per file problem, sorted. */
  fileProblems: string[];
  byCode: Record<string, number>;
}

/** Rule codes look like HANG001; everything else a report holds is about the file itself. */
const RULE_CODE = /^[A-Z]+\d+$/;

export function readReport(file: string): Report {
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as EslintResult[];
  const findings: string[] = [];
  const fileProblems: string[] = [];
  const byCode: Record<string, number> = {};
  for (const result of results) {
    for (const m of result.messages) {
      const key = [result.filePath, m.ruleId, m.severity, m.line, m.column, m.endLine, m.endColumn, m.message].join('\t');
      (RULE_CODE.test(m.ruleId ?? '') ? findings : fileProblems).push(key);
      const code = m.ruleId ?? '(none)';
      byCode[code] = (byCode[code] ?? 0) + 1;
    }
  }
  return { files: results.length, findings: findings.sort(), fileProblems: fileProblems.sort(), byCode };
}

export interface Comparison {
  same: boolean;
  onlyInFirst: string[];
  onlyInSecond: string[];
}

/** Differences between two multisets of finding keys. */
export function compareFindings(first: readonly string[], second: readonly string[]): Comparison {
  const counts = new Map<string, number>();
  for (const key of first) counts.set(key, (counts.get(key) ?? 0) + 1);
  const onlyInSecond: string[] = [];
  for (const key of second) {
    const left = counts.get(key) ?? 0;
    if (left > 0) counts.set(key, left - 1);
    else onlyInSecond.push(key);
  }
  const onlyInFirst: string[] = [];
  for (const [key, left] of counts) for (let i = 0; i < left; i++) onlyInFirst.push(key);
  return { same: onlyInFirst.length === 0 && onlyInSecond.length === 0, onlyInFirst, onlyInSecond };
}

export function describeCounts(byCode: Record<string, number>): string {
  const entries = Object.entries(byCode).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([code, count]) => `${code} ${count}`).join(', ');
}
