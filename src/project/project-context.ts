/**
 * Project context for files named one by one (`pyhang check a.py b.py`, as
 * pre-commit runs it) and for `--stdin-filename` (editors): the named files
 * are analysed with the rest of their project, so that a cross-module finding
 * is the one a run over the whole project gives.
 *
 * The project is the directory of the nearest `pyproject.toml` above a named
 * file that has a `[tool.pyhang]` table, else the repository root (the
 * nearest directory holding `.git`). Its files are found as a run over that
 * directory finds them (excludes and `.gitignore` apply) and handed to lint()
 * as context: the pre-filter and demand loading keep most of them unparsed,
 * and the cache answers for the rest on the next run. A directory whose
 * configuration is invalid is left out of the context, with one line saying so.
 * Findings are reported in
 * the named files, and in other files only where their chain (a HANG002
 * chain's steps, as related locations) passes through a named file: a commit
 * that adds a `sys.exit` to a helper is caught where the coroutine that
 * reaches it is submitted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VFile } from 'vfile';
import type { PyhangMessage } from '../engine/lint.js';
import { discoverFiles, type SettingsSource } from './files.js';
import { readRegularFile } from './regular-file.js';
import { defaultSettings } from '../config/settings.js';

/** A `[tool.pyhang]` table, or one of its sub-tables, in TOML text. */
const PYHANG_TABLE = /^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*pyhang[ \t]*[\].]/m;

/** The project a file belongs to (see above), or null when it is in none. */
export function projectRootOf(file: string): string | null {
  let repository: string | null = null;
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    if (hasPyhangTable(path.join(dir, 'pyproject.toml'))) return dir;
    if (repository === null && fs.existsSync(path.join(dir, '.git'))) repository = dir;
    const parent = path.dirname(dir);
    if (parent === dir) return repository;
    dir = parent;
  }
}

function hasPyhangTable(file: string): boolean {
  try {
    // Only a regular file (a pipe or device there must not stall the run), of a configuration's size.
    return PYHANG_TABLE.test(readRegularFile(file).toString('utf8'));
  } catch {
    return false;
  }
}

export interface ProjectContext {
  /** The project's files that were not named. */
  files: string[];
  /**
   * Directories left out because the configuration that governs them is
   * invalid, each with the error: a run over the project would stop there; a
   * run over named files elsewhere in it goes on without them, and says so.
   */
  skipped: { dir: string; error: string }[];
}

/**
 * The files of the named files' projects that were not named, to analyse with
 * them. Nothing when a directory was named (a directory is a project run of
 * its own) or when no named file is in a project.
 */
export function contextFiles(
  named: readonly string[],
  namedDirectory: boolean,
  options: { cwd: string; settings: SettingsSource; isConfigError: (error: unknown) => boolean },
): ProjectContext {
  if (namedDirectory || named.length === 0) return { files: [], skipped: [] };
  const roots = [...new Set(named.map(projectRootOf).filter((root): root is string => root !== null))];
  if (roots.length === 0) return { files: [], skipped: [] };
  const given = new Set(named);
  const skipped = new Map<string, string>();
  const settings: SettingsSource = {
    settingsForDirectory(dir) {
      try {
        return options.settings.settingsForDirectory(dir);
      } catch (error) {
        if (!options.isConfigError(error)) throw error;
        // The subtree below a broken configuration is left out: nothing there can be governed.
        if (![...skipped.keys()].some((above) => isWithin(dir, above))) skipped.set(dir, error instanceof Error ? error.message : String(error));
        return { ...defaultSettings(dir), exclude: ['*'] };
      }
    },
  };
  // A walk as `pyhang check <root>` does it; paths it cannot read are the full run's problem, not this one's.
  const files = discoverFiles(roots, { cwd: options.cwd, settings }).files.filter((file) => !given.has(file));
  return { files, skipped: [...skipped].map(([dir, error]) => ({ dir, error })) };
}

function isWithin(dir: string, above: string): boolean {
  return dir === above || dir.startsWith(above.endsWith(path.sep) ? above : `${above}${path.sep}`);
}

/**
 * The files to report from a run with context: the named ones as they are,
 * and the others only with the findings whose chain passes through a named file.
 */
export function reportedWithContext(files: readonly VFile[], named: ReadonlySet<string>): VFile[] {
  const out: VFile[] = [];
  for (const file of files) {
    if (named.has(file.path)) {
      out.push(file);
      continue;
    }
    file.messages = file.messages.filter((message) => ((message as PyhangMessage).related ?? []).some((step) => named.has(step.path)));
    if (file.messages.length > 0) out.push(file);
  }
  return out;
}
