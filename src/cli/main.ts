/**
 * The command line: parses arguments with commander and hands over to one
 * subcommand. It stays a thin shell; what a subcommand does lives in its own
 * module (check.ts, rules-command.ts), and analysis lives in the core.
 *
 * Every failure is one line on stderr prefixed `pyhang:` and exit code 2;
 * never a stack trace. What the line quotes has its control characters drawn
 * visibly (terminal-text.ts), so it stays one line.
 */
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runCheck, type CheckOptions } from './check.js';
import { explainRule, listRules } from './rules-command.js';
import { reporterNames } from '../reporters/index.js';
import { ConfigError } from '../config/config.js';
import { escapeControlCharacters } from '../reporters/terminal-text.js';
import type { CliIo } from './io.js';
import { processIo } from './io.js';

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end parsing with an "error" whose code is 0.
      if (error.exitCode === 0) return 0;
      if (error.code === 'commander.help') return 2;
      // A usage error names the help that lists what was expected: the subcommand's when one was given.
      const subcommand = argv.find((arg) => !arg.startsWith('-'));
      const help = subcommand && program.commands.some((command) => command.name() === subcommand) ? `pyhang ${subcommand} --help` : 'pyhang --help';
      io.stderr(`pyhang: ${escapeControlCharacters(error.message.replace(/^error:\s*/, ''))} (see '${help}')\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`pyhang: ${escapeControlCharacters(error.message)}\n`);
      return 2;
    }
    io.stderr(`pyhang: internal error: ${escapeControlCharacters(error instanceof Error ? error.message : String(error))}\n`);
    return 2;
  }
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('pyhang')
    .description('Finds asyncio code handed across threads that can hang forever')
    .version(readVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // Errors are printed by main() as one `pyhang:` line.
      outputError: () => {},
    });
  program.helpCommand(false);

  const formats = reporterNames();
  program
    .command('check')
    .description('check Python files and directories for hazards')
    .argument('[paths...]', 'files or directories to check (default: .); `-` reads standard input')
    .addOption(new Option('--format <name>', `output format: ${formats.join(', ')}`).default('stylish'))
    .option('--select <codes>', 'comma-separated rule codes or prefixes to enable; replaces the configured selection', collectList)
    .option('--extend-select <codes>', 'comma-separated rule codes or prefixes to enable in addition', collectList)
    .option('--ignore <codes>', 'comma-separated rule codes or prefixes to disable, added to the configured ones', collectList)
    .option('--exclude <glob>', 'extra glob of paths to skip (repeatable); adds to the configured excludes', collectList)
    .option('--force-exclude', 'apply excludes to paths named on the command line too')
    .option('--config <path>', 'use this pyproject.toml for every file instead of discovering one')
    .option('--stdin-filename <name>', 'lint standard input as if it were this file (PATHS are ignored)')
    .option('--color', 'colour the stylish and full output (default: when stdout is a terminal and NO_COLOR is unset)')
    .option('--no-color', 'do not colour the output')
    .option('--quiet', 'report errors only, not warnings')
    .option('--fix', 'apply fixes to the files (safe fixes; unsafe ones too with --unsafe-fixes); with --stdin-filename, print the fixed source')
    .option('--unsafe-fixes', 'include fixes that may change behaviour (HANG001: timeout=N turns a hang into TimeoutError)')
    .option('--diff', 'print the changes --fix would make as a unified diff, without writing (exit 1 if there are any)')
    .option('--add-noqa', 'add `# noqa: CODE` to the line of every current finding (atomic writes, as --fix); with --diff, print them')
    .option('--exit-zero', 'exit with 0 even when there are findings (2 still reports usage and file errors)')
    .option('--max-warnings <n>', 'fail only when there are more than n warnings (errors always fail)', parseMaxWarnings)
    .option('--statistics', 'print the number of findings per rule after the report')
    .option('--jobs <n>', 'threads that parse and analyse files, the main one included (default: the number of cores; more is capped at it)', parseJobs)
    .option('--force-jobs', 'use as many threads as --jobs says, even more than the number of cores')
    .option('--no-cache', 'neither read nor write the cache (.pyhang_cache/)')
    .option('--cache-dir <dir>', 'where the cache lives (default: .pyhang_cache in the working directory)')
    .option('-o, --output-file <file>', 'write the report to this file instead of stdout')
    .option('--show-settings <file>', 'print the settings that govern this file (config file, rule severities) as JSON, and check nothing')
    .option('--show-files', 'print the files that would be checked, one a line, and check nothing')
    .option('--no-prefilter', 'parse every file instead of only those that can matter (slow; for checking the pre-filter)')
    .option('--no-progress', 'no progress line on stderr (by default one is drawn on a terminal once a check takes 2 s, never in CI)')
    .action(async (paths: string[], flags: CheckFlags) => {
      setExitCode(await runCheck(toCheckOptions(paths, flags), io));
    });

  program
    .command('rules')
    .description('list every rule: code, name, default severity and summary')
    .addOption(new Option('--format <name>', 'output format: text or json').default('text'))
    .action((flags: { format: string }) => {
      setExitCode(listRules(flags.format, io));
    });

  program
    .command('rule')
    .description("print a rule's documentation page (Ruff's `ruff rule`)")
    .argument('[code]', 'the rule code, such as HANG001')
    .option('--all', 'print every rule')
    .addOption(new Option('--format <name>', 'output format: text or json').default('text'))
    .action((code: string | undefined, flags: { all?: boolean; format: string }) => {
      setExitCode(explainRule(code, { all: flags.all === true, format: flags.format }, io));
    });

  program
    .command('server')
    .description('run the language server (LSP) over stdio, for editors')
    .option('--stdio', 'use stdin/stdout (the default, and the only transport)')
    // Loaded only when asked for: `pyhang check` does not pay for the LSP libraries.
    .action(async () => (await import('../server/main.js')).startServer());
  return program;
}

/** Flags as commander hands them over. */
interface CheckFlags {
  format: string;
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  exclude?: string[];
  forceExclude?: boolean;
  config?: string;
  stdinFilename?: string;
  color?: boolean;
  quiet?: boolean;
  fix?: boolean;
  unsafeFixes?: boolean;
  diff?: boolean;
  addNoqa?: boolean;
  exitZero?: boolean;
  maxWarnings?: number;
  statistics?: boolean;
  jobs?: number;
  forceJobs?: boolean;
  cache?: boolean;
  cacheDir?: string;
  prefilter?: boolean;
  outputFile?: string;
  showSettings?: string;
  showFiles?: boolean;
  progress?: boolean;
}

function toCheckOptions(paths: string[], flags: CheckFlags): CheckOptions {
  // `-` is standard input, as in Ruff: named by --stdin-filename when given, else shown as `-`.
  const stdin = paths.includes('-');
  return {
    paths: stdin ? [] : paths,
    format: flags.format,
    select: flags.select,
    extendSelect: flags.extendSelect ?? [],
    ignore: flags.ignore ?? [],
    exclude: flags.exclude ?? [],
    forceExclude: flags.forceExclude === true,
    configPath: flags.config,
    stdinFilename: flags.stdinFilename ?? (stdin ? '-' : undefined),
    color: flags.color,
    quiet: flags.quiet === true,
    fix: flags.fix === true,
    unsafeFixes: flags.unsafeFixes === true,
    diff: flags.diff === true,
    addNoqa: flags.addNoqa === true,
    exitZero: flags.exitZero === true,
    maxWarnings: flags.maxWarnings,
    statistics: flags.statistics === true,
    version: readVersion(),
    jobs: flags.jobs,
    forceJobs: flags.forceJobs === true,
    cache: flags.cache !== false,
    cacheDir: flags.cacheDir,
    prefilter: flags.prefilter !== false,
    outputFile: flags.outputFile,
    showSettings: flags.showSettings,
    showFiles: flags.showFiles === true,
    progress: flags.progress !== false,
  };
}

/** `--jobs`: a whole number of threads, 1 or more (1 analyses in the main thread alone). */
function parseJobs(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 256) {
    throw new InvalidArgumentError('expected a whole number of threads from 1 to 256.');
  }
  return Number(value);
}

/** `--max-warnings`: a whole number of warnings, 0 or more (ESLint's -1, "no limit", is the flag's absence). */
function parseMaxWarnings(value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a whole number of warnings (0 or more).');
  }
  return Number(value);
}

/** Repeated options accumulate: `--exclude a --exclude b`. */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** pyhang's version, from its package.json (also what the cache is stamped with). */
export function readVersion(): string {
  // dist/src/cli/main.js → the package root is three levels up.
  const manifest = new URL('../../../package.json', import.meta.url);
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return version;
}
