/**
 * `pyhang check`: find the files, read them as bytes (decoding and PEP 263 are
 * the core's job), build each file's settings from its pyproject.toml and the
 * flags, call `lint()` once, print with the chosen reporter, and choose the exit
 * code:
 * - 0: nothing reported;
 * - 1: at least one rule finding, or a file problem configured as an error, was reported
 *   (syntax, decoding and size problems are warnings by default and are shown without failing);
 * - 2: a usage or config error, a path that does not exist or cannot be read
 *   (the other paths are still checked and reported).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VFile } from 'vfile';
import { lint, severityOf, failsRun, type SourceFile } from '../lint.js';
import type { Settings } from '../settings.js';
import { ConfigResolver, parseSelectors } from '../config.js';
import { discoverFiles, isExcluded } from '../files.js';
import { reporterByName, reporterNames } from '../reporters/index.js';
import { displayPath } from '../display-path.js';
import type { CliIo } from './io.js';

export interface CheckOptions {
  paths: string[];
  format: string;
  /** Undefined when `--select` was not given (the configured selection stands). */
  select?: string[];
  extendSelect: string[];
  ignore: string[];
  exclude: string[];
  forceExclude: boolean;
  configPath?: string;
  stdinFilename?: string;
  /** Undefined: decide from the terminal and NO_COLOR. */
  color?: boolean;
  quiet: boolean;
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<number> {
  const report = reporterByName(options.format);
  if (!report) {
    io.stderr(`pyhang: unknown format '${options.format}' (expected ${reporterNames().join(', ')})\n`);
    return 2;
  }
  const cwd = path.resolve(io.cwd);
  // Config errors thrown from here on are caught by main() and printed as one line.
  const resolver = new ConfigResolver({
    cwd,
    configPath: options.configPath,
    overrides: {
      select: options.select === undefined ? undefined : parseSelectors(options.select, '--select'),
      extendSelect: parseSelectors(options.extendSelect, '--extend-select'),
      ignore: parseSelectors(options.ignore, '--ignore'),
      exclude: options.exclude,
    },
  });

  const problems: string[] = [];
  const sources: SourceFile[] = [];
  if (options.stdinFilename !== undefined) {
    const file = path.resolve(cwd, options.stdinFilename);
    const bytes = await io.readStdin();
    // Bytes, not text: stdin is decoded exactly as a file on disk would be (BOM, coding cookie).
    if (!(options.forceExclude && isExcluded(file, resolver))) sources.push({ path: file, bytes });
  } else {
    const paths = options.paths.length > 0 ? options.paths : ['.'];
    const discovery = discoverFiles(paths, { cwd, settings: resolver, forceExclude: options.forceExclude });
    problems.push(...discovery.problems);
    for (const file of discovery.files) {
      try {
        sources.push({ path: file, bytes: fs.readFileSync(file) });
      } catch (error) {
        problems.push(`cannot read file: ${displayPath(file, cwd)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
    }
    if (discovery.files.length === 0 && discovery.problems.length === 0) {
      io.stderr('pyhang: warning: no Python files found under the given paths\n');
    }
  }
  for (const problem of problems) io.stderr(`pyhang: ${problem}\n`);

  // Resolve every file's settings before linting, so a broken pyproject.toml
  // stops the run before any output rather than in the middle of it.
  const settingsByPath = new Map<string, Settings>();
  for (const source of sources) settingsByPath.set(source.path, resolver.settingsForFile(source.path));
  const files = lint(sources, {
    settingsFor: (file) => settingsByPath.get(file) ?? resolver.settingsForFile(file),
  });
  if (options.quiet) keepErrorsOnly(files);

  const color = options.color ?? (io.stdoutIsTty && !io.env['NO_COLOR']);
  const output = report(files, { cwd, color, quiet: options.quiet });
  if (output !== '') io.stdout(output.endsWith('\n') ? output : `${output}\n`);

  if (problems.length > 0) return 2;
  return files.some((file) => file.messages.some(failsRun)) ? 1 : 0;
}

/** `--quiet`, as in ESLint: warnings are dropped before reporting and do not count. */
function keepErrorsOnly(files: VFile[]): void {
  for (const file of files) file.messages = file.messages.filter((message) => severityOf(message) === 'error');
}
