/**
 * What a reporter is: a pure function from linted files to the text printed on
 * stdout. Reporters never decide exit codes and never filter (the CLI has
 * already dropped warnings for `--quiet` before they run). Formats for people
 * and JSON lines are written as streams (ReportStream), so findings can be
 * printed as they are found.
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

/**
 * A format that can be printed file by file, while later files are still
 * checked (`pyhang check` on a large tree): started once per run, handed each
 * file in the order of the report, then all of them for what ends the report
 * (a summary line). Printing every `file()` text and then `end()`'s is the
 * whole report, the same text the format's Reporter gives (see wholeReport).
 */
export interface ReportStream {
  file(file: VFile): string;
  end(files: VFile[]): string;
}

export type StreamingReporter = (options: ReporterOptions) => ReportStream;

/** The whole report of a streaming format, at once. */
export function wholeReport(stream: StreamingReporter): Reporter {
  return (files, options) => {
    const started = stream(options);
    return files.map((file) => started.file(file)).join('') + started.end(files);
  };
}
