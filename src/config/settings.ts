/**
 * Resolved settings: what a `[tool.pyhang]` table (plus CLI flags) means for one
 * linted file. Loading and validating pyproject.toml lives in config.ts; this
 * module only answers "is this code enabled here, and at which severity?".
 */
import { compileGlob } from '../project/glob.js';
import path from 'node:path';

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

export interface Settings {
  /** Codes or code prefixes to enable (`HANG`, `HANG00`, `HANG001`); `ALL` or null enables every rule. */
  select: string[] | null;
  /** Codes or prefixes to disable; wins over select when more specific or equal, as in Ruff. */
  ignore: string[];
  /** Extra codes or prefixes added to `select`. */
  extendSelect: string[];
  /** Globs of paths to skip when walking directories. */
  exclude: string[];
  extendExclude: string[];
  /** Glob (relative to `root`) → codes ignored in matching files. */
  perFileIgnores: Record<string, string[]>;
  /** Per-code (or `syntax-error`) severity overrides. */
  severity: Record<string, SeveritySetting>;
  /**
   * Rules' options set in `[tool.pyhang]`, by config key (`fix-timeout`),
   * validated against the schemas the rules declare in their meta; an option
   * left out takes its rule's default (see resolveRuleOptions).
   */
  ruleOptions: Record<string, unknown>;
  /** Largest file, in bytes, that is analysed; larger files get one message. */
  maxFileSize: number;
  /** Directory that relative globs are matched against (the pyproject.toml's directory, or cwd). */
  root: string;
  /** The pyproject.toml these settings came from, if any. */
  configPath: string | null;
}

export const DEFAULT_EXCLUDES = [
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.pyhang_cache',
  'node_modules',
  '__pycache__',
  '__pypackages__',
  'build',
  'dist',
  'site-packages',
];

export function defaultSettings(root: string): Settings {
  return {
    select: null,
    ignore: [],
    extendSelect: [],
    exclude: [...DEFAULT_EXCLUDES],
    extendExclude: [],
    perFileIgnores: {},
    severity: {},
    ruleOptions: {},
    maxFileSize: 10 * 1024 * 1024,
    root,
    configPath: null,
  };
}

/** Length of the longest selector in `list` that `code` starts with, or -1. */
function matchLength(code: string, list: readonly string[]): number {
  let best = -1;
  for (const selector of list) {
    if (selector === 'ALL') best = Math.max(best, 0);
    else if (code.startsWith(selector)) best = Math.max(best, selector.length);
  }
  return best;
}

function matchesFile(settings: Settings, filePath: string, pattern: string): boolean {
  const relative = path.relative(settings.root, path.resolve(filePath)).split(path.sep).join('/');
  const base = path.basename(filePath);
  const matcher = compileGlob(pattern);
  return matcher(relative) || matcher(base) || compileGlob(`${pattern}/**`)(relative);
}

/**
 * The severity a code has in `filePath`, or null when it is disabled there.
 * Ruff's precedence: the most specific selector wins, and on a tie `ignore` wins.
 */
export function severityFor(
  settings: Settings,
  filePath: string,
  code: string,
  defaultSeverity: Severity,
): Severity | null {
  const select = settings.select ?? ['ALL'];
  const selected = Math.max(matchLength(code, select), matchLength(code, settings.extendSelect));
  const ignored = matchLength(code, settings.ignore);
  if (selected < 0 || ignored >= selected) return null;
  for (const [pattern, codes] of Object.entries(settings.perFileIgnores)) {
    if (matchLength(code, codes) >= 0 && matchesFile(settings, filePath, pattern)) return null;
  }
  const override = Object.prototype.hasOwnProperty.call(settings.severity, code) ? settings.severity[code] : undefined;
  if (override === 'off') return null;
  return override ?? defaultSeverity;
}
