/**
 * What a reporter is: a pure function from linted files to the text printed on
 * stdout. Reporters never decide exit codes and never filter (the CLI has
 * already dropped warnings for `--quiet` before they run).
 */
import type { VFile } from 'vfile';

export interface ReporterOptions {
  /** Working directory: human formats show paths relative to it; SARIF makes URIs relative to it. */
  cwd: string;
  /** ANSI colours (stylish and full; the other formats are read by programs or CI logs). */
  color: boolean;
  /** `--quiet`: only errors are reported. */
  quiet: boolean;
  /**
   * The decoded text of a linted file (or of a file a related location points
   * into), for formats that show source lines (`full`). The CLI passes the texts
   * it read, so what is shown is what was checked. Undefined: not available
   * (a file that could not be read or decoded); the format then shows no lines.
   */
  sourceText?: (path: string) => string | undefined;
  /** pyhang's version, for formats that name the tool (SARIF). */
  version?: string;
  /** `--unsafe-fixes`: unsafe fixes count as applicable (`[*]` in `full`, "fixable" in `json`). */
  unsafeFixes?: boolean;
}

export type Reporter = (files: VFile[], options: ReporterOptions) => string;
