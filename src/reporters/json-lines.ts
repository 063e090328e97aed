/**
 * `--format json-lines`: one JSON object per finding, one per line (Ruff's
 * `json-lines`), for tools that stream or `grep` results. Each object is an
 * ESLint message with the file it is in: `filePath` (absolute, as in `json`),
 * `ruleId`, `severity` (2 error, 1 warning), `message`, `line`, `column`,
 * `endLine`, `endColumn`, and `url` for rule findings. No findings, no lines.
 */
import path from 'node:path';
import { severityOf } from '../engine/lint.js';
import { wholeReport, type StreamingReporter } from './types.js';
import { startOf, endOf } from './places.js';

export const jsonLinesStream: StreamingReporter = (options) => ({
  file(file) {
    const filePath = path.resolve(options.cwd, file.path);
    let text = '';
    for (const message of file.messages) {
      const start = startOf(message);
      const end = endOf(message);
      text += `${JSON.stringify({
        filePath,
        ruleId: message.ruleId ?? null,
        severity: severityOf(message) === 'error' ? 2 : 1,
        message: message.reason,
        line: start.line,
        column: start.column,
        ...(end ? { endLine: end.line, endColumn: end.column } : {}),
        ...(message.url ? { url: message.url } : {}),
      })}\n`;
    }
    return text;
  },
  end: () => '',
});

export const jsonLines = wholeReport(jsonLinesStream);
