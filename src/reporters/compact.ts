/**
 * `--format compact`: one line per finding, `path:line:column: CODE message`,
 * for editors' error parsers and grep.
 */
import { displayPath } from '../project/display-path.js';
import { wholeReport, type StreamingReporter } from './types.js';
import { startOf } from './places.js';

export const compactStream: StreamingReporter = (options) => ({
  file(file) {
    const shown = displayPath(file.path, options.cwd);
    let text = '';
    for (const message of file.messages) {
      const start = startOf(message);
      text += `${shown}:${start.line}:${start.column}: ${message.ruleId ?? ''} ${message.reason}\n`;
    }
    return text;
  },
  end: () => '',
});

export const compact = wholeReport(compactStream);
