/**
 * `--format github`: GitHub Actions workflow commands, one per finding, which
 * the runner turns into annotations on the pull request's diff:
 *
 *   ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::message
 *
 * Warnings are `::warning`. Paths are relative to the working directory (run
 * pyhang from the repository root, where GitHub resolves them). Columns are
 * code points and the end column is just past the range, as in the other
 * formats. Escaping is GitHub's (actions/toolkit `command.ts`): `%`, `\r` and
 * `\n` in the message, and also `:` and `,` in property values.
 */
import { displayPath } from '../project/display-path.js';
import { severityOf } from '../engine/lint.js';
import { wholeReport, type StreamingReporter } from './types.js';
import { startOf, endOf } from './places.js';

export const githubStream: StreamingReporter = (options) => ({
  file(file) {
    const shown = displayPath(file.path, options.cwd);
    let text = '';
    for (const message of file.messages) {
      const start = startOf(message);
      const end = endOf(message) ?? start;
      const command = severityOf(message) === 'error' ? 'error' : severityOf(message) === 'warning' ? 'warning' : 'notice';
      const properties = [
        ['file', shown],
        ['line', String(start.line)],
        ['col', String(start.column)],
        ['endLine', String(end.line)],
        ['endColumn', String(end.column)],
        ['title', String(message.ruleId ?? 'pyhang')],
      ]
        .map(([key, value]) => `${key}=${escapeProperty(value!)}`)
        .join(',');
      text += `::${command} ${properties}::${escapeData(message.reason)}\n`;
    }
    return text;
  },
  end: () => '',
});

export const github = wholeReport(githubStream);

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
