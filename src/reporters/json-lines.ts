/**
 * `--format json-lines`: one JSON object per finding, one per line (Ruff's
 * `json-lines`), for tools that stream or `grep` results. Each object is an
 * ESLint message with the file it is in: `filePath` (absolute, as in `json`),
 * `ruleId`, `severity` (2 error, 1 warning), `message`, `line`, `column`,
 * `endLine`, `endColumn`, and `url` for rule findings. No findings, no lines.
 */
import path from 'node:path';
import { severityOf } from '../engine/lint.js';
import type { Reporter } from './types.js';
import { startOf, endOf } from './places.js';

export const jsonLines: Reporter = (files, options) => {
  const lines: string[] = [];
  for (const file of files) {
    const filePath = path.resolve(options.cwd, file.path);
    for (const message of file.messages) {
      const start = startOf(message);
      const end = endOf(message);
      lines.push(
        JSON.stringify({
          filePath,
          ruleId: message.ruleId ?? null,
          severity: severityOf(message) === 'error' ? 2 : 1,
          message: message.reason,
          line: start.line,
          column: start.column,
          ...(end ? { endLine: end.line, endColumn: end.column } : {}),
          ...(message.url ? { url: message.url } : {}),
        }),
      );
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
