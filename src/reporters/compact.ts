/**
 * `--format compact`: one line per finding, `path:line:column: CODE message`,
 * for editors' error parsers and grep.
 */
import { displayPath } from '../project/display-path.js';
import type { Reporter } from './types.js';
import { startOf } from './places.js';

export const compact: Reporter = (files, options) => {
  const lines: string[] = [];
  for (const file of files) {
    const shown = displayPath(file.path, options.cwd);
    for (const message of file.messages) {
      const start = startOf(message);
      lines.push(`${shown}:${start.line}:${start.column}: ${message.ruleId ?? ''} ${message.reason}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
