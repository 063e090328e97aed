/**
 * What a reporter is: a pure function from linted files to the text printed on
 * stdout. Reporters never decide exit codes and never filter (the CLI has
 * already dropped warnings for `--quiet` before they run).
 */
import type { VFile } from 'vfile';

export interface ReporterOptions {
  /** Working directory: human formats show paths relative to it. */
  cwd: string;
  /** ANSI colours (stylish only). */
  color: boolean;
  /** `--quiet`: only errors are reported. */
  quiet: boolean;
}

export type Reporter = (files: VFile[], options: ReporterOptions) => string;
