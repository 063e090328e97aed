/**
 * `--format stylish` (the default): vfile-reporter's output, grouped by file,
 * with a summary line. Files without findings are left out, as ESLint and Ruff
 * leave them out; a clean run prints nothing.
 */
import { VFile } from 'vfile';
import { reporter } from 'vfile-reporter';
import { displayPath } from '../project/display-path.js';
import type { Reporter } from './types.js';

export const stylish: Reporter = (files, options) => {
  // vfile-reporter prints `file.path`; give it a copy named relative to cwd.
  const shown = files.map((file) => {
    const copy = new VFile({ path: displayPath(file.path, options.cwd) });
    copy.messages = file.messages;
    return copy;
  });
  return reporter(shown, { color: options.color, quiet: true, silent: options.quiet });
};
