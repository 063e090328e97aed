/**
 * Which files a run lints, chosen the way Ruff chooses them:
 * - directories are walked for `*.py` and `*.pyi`, skipping what `exclude` /
 *   `extend-exclude` name and what `.gitignore` files (nested ones too, and
 *   `.git/info/exclude`) ignore;
 * - a file named on the command line is always linted, whatever its name, unless
 *   `--force-exclude` is given and an exclude pattern matches it or a directory
 *   above it (what pre-commit needs, since it names files one by one);
 * - symlinked directories are not followed while walking (so symlink loops
 *   cannot trap the walk); symlinked files are linted once, under the first path
 *   that reaches them, and only when they point inside the paths given (a link
 *   out of the project, say to a secret, is never read).
 * The result is sorted and free of duplicates, so runs are deterministic.
 */
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { Settings } from '../config/settings.js';
import { displayPath } from './display-path.js';
import { compileGlob, type GlobMatcher } from './glob.js';
import { readRegularFile } from './regular-file.js';

/** Where the walk gets the settings that judge an entry: those of the directory holding it. */
export interface SettingsSource {
  settingsForDirectory(dir: string): Settings;
}

export interface DiscoverOptions {
  cwd: string;
  settings: SettingsSource;
  /** Apply excludes to paths given explicitly too. */
  forceExclude?: boolean;
  /**
   * Told of each plain file as the walk of a directory finds it, under its
   * directory's settings, before the walk is over (so that threads can start
   * on it, see ThreadsAhead). Only a hint: the result's list is what counts.
   */
  onFound?: (file: string, settings: Settings) => void;
}

export interface Discovery {
  /** Absolute paths, sorted, each file once. */
  files: string[];
  /** One line each: a path that does not exist or could not be read. The run goes on without it. */
  problems: string[];
}

const PYTHON_FILE = /\.pyi?$/;

export function discoverFiles(paths: readonly string[], options: DiscoverOptions): Discovery {
  const cwd = path.resolve(options.cwd);
  const problems: string[] = [];
  const byRealPath = new Map<string, string>();
  const walkedDirs = new Set<string>();
  const gitignore = new GitignoreRules();
  const roots = paths.map((given) => realPath(path.resolve(cwd, given)));
  const insideRoots = (file: string): boolean => {
    const real = realPath(file);
    return roots.some((root) => real === root || real.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`));
  };

  /** `real`: the file's real path when the caller knows it (a plain file in a walked directory), saving a lookup per path component. */
  const addFile = (file: string, real = realPath(file)): void => {
    const known = byRealPath.get(real);
    // The file's own path wins over a symlink to it; among symlinks, the first in code-unit order.
    if (known === undefined || (known !== real && (file === real || file < known))) byRealPath.set(real, file);
  };

  /** `knownReal`: the directory's real path, when its parent's is known and it is no symlink (one lookup per path component saved). */
  const walk = (dir: string, applyGitignore: boolean, knownReal?: string): void => {
    const real = knownReal ?? realPath(dir);
    if (walkedDirs.has(real)) return;
    walkedDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(`cannot read directory: ${displayPath(dir, cwd)} (${errorCode(error)})`);
      return;
    }
    entries.sort((a, b) => compare(a.name, b.name));
    const settings = options.settings.settingsForDirectory(dir);
    for (const entry of entries) {
      // Only directories and Python files can be kept (a symlink is kept only as a file): the rest costs nothing more.
      if (!entry.isDirectory() && !PYTHON_FILE.test(entry.name)) continue;
      const full = childPath(dir, entry.name);
      if (isExcludedBy(settings, full)) continue;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        // Symlinked directories are not followed; a symlinked file is linted like any file, if it points inside the roots.
        isDirectory = false;
        isFile = (statOrNull(full)?.isFile() ?? false) && insideRoots(full);
      }
      if (!isDirectory && !isFile) continue;
      if (applyGitignore && gitignore.ignores(full, isDirectory)) continue;
      if (isDirectory) walk(full, applyGitignore, childPath(real, entry.name));
      else if (PYTHON_FILE.test(entry.name)) {
        if (entry.isSymbolicLink()) addFile(full, realPath(full));
        else {
          addFile(full, childPath(real, entry.name));
          options.onFound?.(full, settings);
        }
      }
    }
  };

  const seenArguments = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    if (seenArguments.has(absolute)) continue;
    seenArguments.add(absolute);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      const code = errorCode(error);
      problems.push(code === 'ENOENT' || code === 'ENOTDIR' ? `path not found: ${given}` : `cannot read path: ${given} (${code})`);
      continue;
    }
    if (options.forceExclude && isExcluded(absolute, options.settings)) continue;
    if (stat.isDirectory()) {
      // A directory asked for by name is walked even when a .gitignore ignores it.
      walk(absolute, !gitignore.ignores(absolute, true));
    } else if (stat.isFile()) {
      addFile(absolute);
    } else {
      problems.push(`not a file or directory: ${given}`);
    }
  }

  return { files: [...byRealPath.values()].sort(compare), problems };
}

/**
 * Whether an exclude pattern matches `file` or a directory above it, up to the
 * root of the configuration that judges it (Ruff's `is_file_excluded`). Used
 * for `--force-exclude` on explicit paths and on `--stdin-filename`.
 */
export function isExcluded(file: string, source: SettingsSource): boolean {
  let current = path.resolve(file);
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current) return false;
    const settings = source.settingsForDirectory(parent);
    if (current === path.resolve(settings.root)) return false;
    if (isExcludedBy(settings, current)) return true;
    current = parent;
  }
}

type PathMatcher = (absolutePath: string) => boolean;

const excludeMatchers = new WeakMap<Settings, PathMatcher>();

/**
 * Ruff's exclude semantics: a pattern without a slash matches the basename (so
 * `.venv` skips every `.venv` directory, at any depth); a pattern with a slash
 * matches the path relative to the settings' root; an absolute pattern (from
 * `--exclude` with a slash, anchored at the working directory) matches the
 * absolute path.
 */
function isExcludedBy(settings: Settings, absolutePath: string): boolean {
  let matcher = excludeMatchers.get(settings);
  if (!matcher) {
    matcher = compileExcludes(settings);
    excludeMatchers.set(settings, matcher);
  }
  return matcher(absolutePath);
}

function compileExcludes(settings: Settings): PathMatcher {
  const basename: GlobMatcher[] = [];
  const relative: GlobMatcher[] = [];
  const absolute: GlobMatcher[] = [];
  for (const raw of [...settings.exclude, ...settings.extendExclude]) {
    const pattern = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (pattern === '') continue;
    const matcher = compileGlob(pattern);
    if (!pattern.includes('/')) basename.push(matcher);
    else if (pattern.startsWith('/') || path.isAbsolute(pattern)) absolute.push(matcher);
    else relative.push(matcher);
  }
  const root = path.resolve(settings.root);
  return (absolutePath) => {
    const name = path.basename(absolutePath);
    if (basename.some((m) => m(name))) return true;
    if (relative.length > 0) {
      const fromRoot = toPosix(path.relative(root, absolutePath));
      if (!fromRoot.startsWith('../') && relative.some((m) => m(fromRoot))) return true;
    }
    if (absolute.length > 0) {
      const full = toPosix(absolutePath);
      if (absolute.some((m) => m(full))) return true;
    }
    return false;
  };
}

interface IgnoreLayer {
  /** Directory the rules are relative to. */
  base: string;
  rules: Ignore;
}

/**
 * `.gitignore` rules, as git applies them: only inside a repository (a
 * directory holding `.git`), each file's rules relative to its directory, a
 * deeper file overriding a shallower one, `.git/info/exclude` weakest of all.
 */
class GitignoreRules {
  /** Directory → the layers that apply to its entries, shallowest first (null: not in a repository). */
  private readonly chains = new Map<string, IgnoreLayer[] | null>();

  ignores(absolutePath: string, isDirectory: boolean): boolean {
    const chain = this.chainFor(path.dirname(absolutePath));
    if (!chain) return false;
    let ignored = false;
    for (const layer of chain) {
      let relative = toPosix(path.relative(layer.base, absolutePath));
      if (relative === '' || relative.startsWith('../')) continue;
      if (isDirectory) relative += '/';
      const result = layer.rules.test(relative);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  private chainFor(dir: string): IgnoreLayer[] | null {
    const known = this.chains.get(dir);
    if (known !== undefined) return known;
    let chain: IgnoreLayer[] | null;
    const gitPath = path.join(dir, '.git');
    const git = statOrNull(gitPath);
    if (git) {
      // A repository root: rules from above it do not apply inside.
      chain = [];
      if (git.isDirectory()) {
        const exclude = readIgnoreFile(path.join(gitPath, 'info', 'exclude'));
        if (exclude) chain.push({ base: dir, rules: exclude });
      }
    } else {
      const parent = path.dirname(dir);
      const above = parent === dir ? null : this.chainFor(parent);
      chain = above ? [...above] : null;
    }
    if (chain) {
      const own = readIgnoreFile(path.join(dir, '.gitignore'));
      if (own) chain.push({ base: dir, rules: own });
    }
    this.chains.set(dir, chain);
    return chain;
  }
}

function readIgnoreFile(file: string): Ignore | null {
  try {
    return ignore().add(readRegularFile(file).toString('utf8'));
  } catch {
    return null;
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/** The file's real path, or the path itself when it cannot be resolved (a dangling link). */
export function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * An entry of a directory whose path is already absolute and normalised (what
 * path.join would give, without normalising the whole path again for each of
 * the tens of thousands of entries a large tree has).
 */
function childPath(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function toPosix(file: string): string {
  return path.sep === '/' ? file : file.split(path.sep).join('/');
}

/** Code-unit order, independent of locale, so output is the same everywhere. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
