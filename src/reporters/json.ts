/**
 * `--format json`: exactly the shape of ESLint's `json` formatter, so tools that
 * read ESLint results (CI annotators, review bots) read pyhang's too. One entry
 * per linted file, files without findings included, absolute paths, severity 2
 * for errors and 1 for warnings, columns in code points.
 *
 * ESLint's "fixable" counts what `--fix` would apply; in pyhang, as in Ruff,
 * that is a fix whose rule marks it safe, or an unsafe one when
 * `--unsafe-fixes` is given. `fatalErrorCount` counts files pyhang could not parse or
 * decode, ESLint's fatal parse errors; such a message (a file problem that is an
 * error) carries `fatal: true`, as ESLint's do.
 */
import path from 'node:path';
import type { VFileMessage } from 'vfile-message';
import { severityOf, suppressedMessagesOf, FILE_PROBLEM_CODES, type PyhangMessage, type Suppression } from '../engine/lint.js';
import { isFixApplicable } from '../engine/fix.js';
import type { Reporter } from './types.js';
import { startOf, endOf } from './places.js';

export interface EslintMessage {
  ruleId: string | null;
  /** Only on file problems that are errors (ESLint sets it only on fatal parse errors). */
  fatal?: true;
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A message a directive silenced, with what silenced it (ESLint's suppressed messages). */
export interface EslintSuppressedMessage extends EslintMessage {
  suppressions: Suppression[];
}

export interface EslintResult {
  filePath: string;
  messages: EslintMessage[];
  suppressedMessages: EslintSuppressedMessage[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  usedDeprecatedRules: [];
}

export const json: Reporter = (files, options) => {
  const results = files.map((file): EslintResult => {
    const result: EslintResult = {
      filePath: path.resolve(options.cwd, file.path),
      messages: [],
      suppressedMessages: [],
      errorCount: 0,
      fatalErrorCount: 0,
      warningCount: 0,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      usedDeprecatedRules: [],
    };
    for (const message of file.messages) {
      const isError = severityOf(message) === 'error';
      const fixable = isFixApplicable(message, options.unsafeFixes ?? false);
      if (isError) {
        result.errorCount++;
        if (fixable) result.fixableErrorCount++;
        if (isFileProblem(message)) result.fatalErrorCount++;
      } else {
        result.warningCount++;
        if (fixable) result.fixableWarningCount++;
      }
      result.messages.push(toEslintMessage(message, isError));
    }
    for (const message of suppressedMessagesOf(file)) {
      result.suppressedMessages.push({ ...toEslintMessage(message, severityOf(message) === 'error'), suppressions: (message as PyhangMessage).suppressions ?? [] });
    }
    return result;
  });
  return `${JSON.stringify(results)}\n`;
};

function toEslintMessage(message: VFileMessage, isError: boolean): EslintMessage {
  const start = startOf(message);
  const end = endOf(message);
  const converted: EslintMessage = {
    ruleId: message.ruleId ?? null,
    ...(isError && isFileProblem(message) ? { fatal: true as const } : {}),
    severity: isError ? 2 : 1,
    message: message.reason,
    line: start.line,
    column: start.column,
  };
  if (end) {
    converted.endLine = end.line;
    converted.endColumn = end.column;
  }
  return converted;
}

function isFileProblem(message: VFileMessage): boolean {
  return (FILE_PROBLEM_CODES as readonly string[]).includes(message.ruleId ?? '');
}
