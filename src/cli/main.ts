/**
 * The command line: parses arguments with commander and hands over to one
 * subcommand. It stays a thin shell; what a subcommand does lives in its own
 * module (check.ts, rules-command.ts), and analysis lives in the core.
 *
 * Every failure is one line on stderr prefixed `pyhang:` and exit code 2;
 * never a stack trace.
 */
import fs from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { runCheck, type CheckOptions } from './check.js';
import { listRules } from './rules-command.js';
import { reporterNames } from '../reporters/index.js';
import { ConfigError } from '../config.js';
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
      io.stderr(`pyhang: ${error.message.replace(/^error:\s*/, '')} (see 'pyhang --help')\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr(`pyhang: ${error.message}\n`);
      return 2;
    }
    io.stderr(`pyhang: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
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
    .argument('[paths...]', 'files or directories to check (default: .)')
    .addOption(new Option('--format <name>', `output format: ${formats.join(', ')}`).default('stylish'))
    .option('--select <codes>', 'comma-separated rule codes or prefixes to enable; replaces the configured selection', collectList)
    .option('--extend-select <codes>', 'comma-separated rule codes or prefixes to enable in addition', collectList)
    .option('--ignore <codes>', 'comma-separated rule codes or prefixes to disable, added to the configured ones', collectList)
    .option('--exclude <glob>', 'extra glob of paths to skip (repeatable); adds to the configured excludes', collectList)
    .option('--force-exclude', 'apply excludes to paths named on the command line too')
    .option('--config <path>', 'use this pyproject.toml for every file instead of discovering one')
    .option('--stdin-filename <name>', 'lint standard input as if it were this file (PATHS are ignored)')
    .option('--color', 'colour the stylish output (default: when stdout is a terminal and NO_COLOR is unset)')
    .option('--no-color', 'do not colour the output')
    .option('--quiet', 'report errors only, not warnings')
    // Reserved for later, in this order of arrival: --fix, --unsafe-fixes, --diff,
    // --exit-zero, --max-warnings <n>, --statistics, --jobs <n>, --no-cache,
    // --no-prefilter. Each becomes a field of CheckOptions, handled in check.ts.
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

  // Reserved: a `server` subcommand (language server over stdio) is added here.
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
}

function toCheckOptions(paths: string[], flags: CheckFlags): CheckOptions {
  return {
    paths,
    format: flags.format,
    select: flags.select,
    extendSelect: flags.extendSelect ?? [],
    ignore: flags.ignore ?? [],
    exclude: flags.exclude ?? [],
    forceExclude: flags.forceExclude === true,
    configPath: flags.config,
    stdinFilename: flags.stdinFilename,
    color: flags.color,
    quiet: flags.quiet === true,
  };
}

/** Repeated options accumulate: `--exclude a --exclude b`. */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function readVersion(): string {
  // dist/src/cli/main.js → the package root is three levels up.
  const manifest = new URL('../../../package.json', import.meta.url);
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return version;
}
