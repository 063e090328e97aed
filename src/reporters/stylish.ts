/**
 * `--format stylish` (the default): vfile-reporter's output, grouped by file,
 * with a summary line. Files without findings are left out, as ESLint and Ruff
 * leave them out; a clean run prints nothing.
 *
 * Each file's group is printed as soon as the file is checked (see
 * ReportStream), so its columns are aligned within the group, as ESLint's
 * stylish aligns them, rather than across the whole report: the widths of
 * files not yet checked are not known when a group is printed.
 */
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import { reporter } from 'vfile-reporter';
import { displayPath } from '../project/display-path.js';
import { wholeReport, type ReporterOptions, type StreamingReporter } from './types.js';

export const stylishStream: StreamingReporter = (options) => {
  let groups = 0;
  return {
    file(file) {
      // vfile-reporter prints `file.path`; give it a copy named relative to cwd.
      const copy = new VFile({ path: displayPath(file.path, options.cwd) });
      copy.messages = file.messages;
      const group = reporter([copy], { color: options.color, quiet: true, silent: options.quiet });
      if (group === '') return '';
      // One file's report ends with its own summary line, after an empty line: the run's comes at the end.
      const own = byline(shownMessages([file], options), options.color);
      const body = own !== '' && group.endsWith(`\n\n${own}`) ? group.slice(0, -own.length - 2) : group;
      // An empty line between groups, as vfile-reporter puts one between files.
      return `${groups++ > 0 ? '\n' : ''}${body}\n`;
    },
    end(files) {
      const summary = byline(shownMessages(files, options), options.color);
      return summary === '' ? '' : `\n${summary}\n`;
    },
  };
};

export const stylish = wholeReport(stylishStream);

/** The messages vfile-reporter shows: with `silent` (our `--quiet`), errors only. */
function shownMessages(files: VFile[], options: ReporterOptions): VFileMessage[] {
  return files.flatMap((file) => (options.quiet ? file.messages.filter((message) => message.fatal === true) : file.messages));
}

/** vfile-reporter's summary line (its createByline): `✖ 1 error, ⚠ 2 warnings`, or `N messages (…)` with info messages too. */
function byline(messages: VFileMessage[], color: boolean): string {
  const fatal = messages.filter((message) => message.fatal === true).length;
  const warn = messages.filter((message) => message.fatal === false).length;
  const total = messages.length;
  const [red, yellow, plain] = color ? ['\u001B[31m', '\u001B[33m', '\u001B[39m'] : ['', '', ''];
  let result = '';
  if (fatal) result = `${red}✖${plain} ${fatal} error${fatal === 1 ? '' : 's'}`;
  if (warn) result = `${result ? `${result}, ` : ''}${yellow}⚠${plain} ${warn} warning${warn === 1 ? '' : 's'}`;
  if (result === '') return '';
  if (total !== fatal && total !== warn) result = `${total} messages (${result})`;
  return result;
}
