/**
 * Configuration as Ruff reads it: every linted file is governed by the nearest
 * `pyproject.toml` above it that has a `[tool.pyhang]` table (a pyproject.toml
 * without that table is passed over and the search goes on upwards). A file with
 * no such table above it falls back to the one found from the working directory,
 * and then to the defaults. `--config PATH` names one file for everything and
 * turns discovery off. CLI flags are applied on top of whatever file is used.
 *
 * Validation is strict, because a typo that silently does nothing (`selekt`,
 * `HANG01`) is worse than a refusal to run: every problem is a `ConfigError`
 * whose message names the file and the key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { defaultSettings, type Settings, type SeveritySetting } from './settings.js';
import { FILE_PROBLEM_CODES } from '../engine/lint.js';
import { displayPath } from '../project/display-path.js';
import { readRegularFile, FILE_TOO_LARGE, NOT_REGULAR_FILE } from '../project/regular-file.js';
import { globProblem } from '../project/glob.js';
import { rules } from '../../rules/index.js';
import type { Rule, RuleOptionSpec } from '../engine/rule.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What one `[tool.pyhang]` table says, validated; a key left out is undefined. */
export interface ConfigOptions {
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  exclude?: string[];
  extendExclude?: string[];
  perFileIgnores?: Record<string, string[]>;
  severity?: Record<string, SeveritySetting>;
  /** Rules' options (see RuleMeta.options), by config key. */
  ruleOptions?: Record<string, unknown>;
  maxFileSize?: number;
}

export interface ConfigFile {
  /** Absolute path of the pyproject.toml. */
  path: string;
  /** Its directory: what relative globs in it are matched against. */
  root: string;
  options: ConfigOptions;
}

/** CLI flags that change settings; codes are validated with `parseSelectors` first. */
export interface CliOverrides {
  /** `--select`: replaces the configured selection (select, extend-select and ignore). */
  select?: string[];
  /** `--extend-select`: added to the selection. */
  extendSelect?: string[];
  /** `--ignore`: added to ignore. */
  ignore?: string[];
  /** `--exclude`: added to extend-exclude; relative globs are relative to the working directory. */
  exclude?: string[];
}

export interface ConfigResolverOptions {
  cwd: string;
  /** `--config PATH`: use this file for every path; no discovery. */
  configPath?: string;
  overrides?: CliOverrides;
  /** Told about a pyproject.toml passed over (see readConfigFile); default: nothing is said. */
  warn?: (message: string) => void;
}

const TABLE = '[tool.pyhang]';

type KeyReader = (value: unknown, where: string, options: ConfigOptions) => void;

/** pyhang's own keys of `[tool.pyhang]`, kebab-case as in Ruff, with the reader for each. */
const OWN_KEY_READERS: Record<string, KeyReader> = {
  select: (value, where, options) => {
    options.select = readSelectors(value, where);
  },
  'extend-select': (value, where, options) => {
    options.extendSelect = readSelectors(value, where);
  },
  ignore: (value, where, options) => {
    options.ignore = readSelectors(value, where);
  },
  exclude: (value, where, options) => {
    options.exclude = readGlobs(value, where);
  },
  'extend-exclude': (value, where, options) => {
    options.extendExclude = readGlobs(value, where);
  },
  'per-file-ignores': (value, where, options) => {
    const table = readTable(value, where);
    const result: Record<string, string[]> = {};
    for (const [glob, codes] of Object.entries(table)) {
      checkGlob(glob, `${where}.${tomlKey(glob)}`);
      result[glob] = readSelectors(codes, `${where}.${tomlKey(glob)}`);
    }
    options.perFileIgnores = result;
  },
  severity: (value, where, options) => {
    const table = readTable(value, where);
    const result: Record<string, SeveritySetting> = {};
    for (const [code, setting] of Object.entries(table)) {
      const at = `${where}.${tomlKey(code)}`;
      if (!isRuleCode(code) && !isFileProblemCode(code)) {
        throw new ConfigError(`${at}: unknown code '${code}' (expected a rule code such as HANG001, or ${FILE_PROBLEM_CODES.join(', ')})`);
      }
      if (setting !== 'error' && setting !== 'warning' && setting !== 'off') {
        throw new ConfigError(`${at}: expected "error", "warning" or "off", got ${describe(setting)}`);
      }
      // Turning it down would let a run pass that did not check everything it names.
      if (code === 'internal-error' && setting !== 'error') {
        throw new ConfigError(`${at}: internal-error is always an error (the file was not fully checked, so the run fails with exit code 2), got ${describe(setting)}`);
      }
      result[code] = setting;
    }
    options.severity = result;
  },
  'max-file-size': (value, where, options) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigError(`${where}: expected a positive whole number of bytes, got ${describe(value)}`);
    }
    options.maxFileSize = value;
  },
};

/**
 * Readers for the options rules declare (RuleMeta.options): each is a key of
 * `[tool.pyhang]`, as Ruff's plugin settings are keys of `[tool.ruff]`. Rules
 * may share an option (the same key, the same type); a key that clashes with a
 * setting of pyhang's own, or that two rules declare with different types, is a
 * bug in the rules, so it stops pyhang at once.
 */
function ruleOptionReaders(ruleSet: readonly Rule[]): Record<string, KeyReader> {
  const readers: Record<string, KeyReader> = {};
  const declared = new Map<string, { code: string; spec: RuleOptionSpec }>();
  for (const rule of ruleSet) {
    for (const [key, spec] of Object.entries(rule.meta.options ?? {})) {
      if (Object.prototype.hasOwnProperty.call(OWN_KEY_READERS, key)) {
        throw new Error(`rule ${rule.meta.code} declares the option '${key}', which is a setting of pyhang's own`);
      }
      const earlier = declared.get(key);
      if (earlier && earlier.spec.type !== spec.type) {
        throw new Error(`rules ${earlier.code} and ${rule.meta.code} declare the option '${key}' with different types`);
      }
      if (earlier) continue;
      declared.set(key, { code: rule.meta.code, spec });
      readers[key] = (value, where, options) => {
        options.ruleOptions = { ...options.ruleOptions, [key]: readRuleOption(spec, value, where) };
      };
    }
  }
  return readers;
}

/** A rule option's value checked against its schema; the errors read as those of pyhang's own keys. */
function readRuleOption(spec: RuleOptionSpec, value: unknown, where: string): unknown {
  switch (spec.type) {
    case 'positive number':
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new ConfigError(`${where}: expected a positive number${spec.unit ? ` of ${spec.unit}` : ''}, got ${describe(value)}`);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigError(`${where}: expected true or false, got ${describe(value)}`);
      return value;
  }
}

/** Every key of `[tool.pyhang]`: pyhang's own, then the options the registry's rules declare (`fix-timeout`). */
const KEY_READERS: Record<string, KeyReader> = { ...OWN_KEY_READERS, ...ruleOptionReaders(rules) };

export const CONFIG_KEYS: readonly string[] = Object.keys(KEY_READERS);

/**
 * Checks a `[tool.pyhang]` table. `label` is how the file is named in errors
 * (`pyproject.toml`, `sub/pyproject.toml`).
 */
export function validateTable(table: Record<string, unknown>, label: string): ConfigOptions {
  const options: ConfigOptions = {};
  for (const [key, value] of Object.entries(table)) {
    const reader = KEY_READERS[key];
    if (!reader) {
      const hint = closestKey(key);
      throw new ConfigError(`${label}: ${TABLE} unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
    reader(value, `${label}: ${TABLE} ${key}`, options);
  }
  return options;
}

/** A configuration file larger than this is refused: real ones are a few kilobytes, and `--config /dev/zero` must not fill the memory. */
const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Whether a file's text names pyhang's table, as `[tool.pyhang]`, `[tool.pyhang.x]`,
 * a dotted key `tool.pyhang.select`, or a `pyhang` key under `[tool]`: a file that
 * does not, and does not parse either, cannot be pyhang's configuration.
 */
function mentionsTable(text: string): boolean {
  return /\btool\s*\.\s*["']?pyhang\b/.test(text) || (/^\s*\[\s*tool\s*\]/m.test(text) && /^\s*["']?pyhang["']?\s*[.=]/m.test(text));
}

/**
 * Reads a pyproject.toml. Returns null when it has no `[tool.pyhang]` table,
 * unless `required` (an explicit `--config`), where that is an error. A
 * discovered file that is not TOML and does not mention `tool.pyhang` (a
 * project template such as crewAI's `{{folder_name}} = ...`) is not pyhang's
 * either: `warn` is told once and it is passed over.
 */
export function readConfigFile(file: string, cwd: string, required = false, warn?: (message: string) => void): ConfigFile | null {
  const label = displayPath(file, cwd);
  let text: string;
  try {
    text = readRegularFile(file, MAX_CONFIG_BYTES).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`config file not found: ${label}`);
    if (code === FILE_TOO_LARGE) throw new ConfigError(`${label}: config file is larger than 1 MiB`);
    if (code === NOT_REGULAR_FILE) throw new ConfigError(`${label}: cannot read config file (not a regular file)`);
    throw new ConfigError(`${label}: cannot read config file (${code ?? String(error)})`);
  }
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    let problem: string;
    if (error instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <reason>\n\n<code block>"; keep the reason only.
      const reason = error.message.replace(/^Invalid TOML document:\s*/, '').split('\n')[0];
      problem = `${label}:${error.line}:${error.column}: invalid TOML: ${reason}`;
    } else {
      problem = `${label}: invalid TOML: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (required || mentionsTable(text)) throw new ConfigError(problem);
    warn?.(`${problem}; it has no [tool.pyhang], so it is passed over`);
    return null;
  }
  const tool = document['tool'];
  const table = isTable(tool) ? tool['pyhang'] : undefined;
  if (table === undefined) {
    if (required) throw new ConfigError(`${label}: no ${TABLE} table`);
    return null;
  }
  if (!isTable(table)) throw new ConfigError(`${label}: ${TABLE} must be a table, got ${describe(table)}`);
  return { path: file, root: path.dirname(file), options: validateTable(table, label) };
}

/**
 * Codes from a comma-separated CLI value, validated. `flag` names the option
 * in errors (`--select`).
 */
export function parseSelectors(values: readonly string[], flag: string): string[] {
  const selectors: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const selector = part.trim();
      if (selector === '') continue;
      if (!isSelector(selector)) throw new ConfigError(`${flag}: ${unknownSelector(selector)}`);
      selectors.push(selector);
    }
  }
  return selectors;
}

/**
 * Answers "which settings govern this file?", loading each pyproject.toml once
 * and remembering the answer per directory.
 */
export class ConfigResolver {
  private readonly cwd: string;
  private readonly explicit: ConfigFile | null;
  private readonly overrides: CliOverrides;
  private readonly warn: ((message: string) => void) | undefined;
  /** Directory → the nearest config at or above it (null: none). */
  private readonly nearest = new Map<string, ConfigFile | null>();
  /** Config path ('' for the defaults) → settings built from it. */
  private readonly built = new Map<string, Settings>();

  constructor(options: ConfigResolverOptions) {
    this.cwd = path.resolve(options.cwd);
    this.overrides = options.overrides ?? {};
    this.warn = options.warn;
    this.explicit = options.configPath ? readConfigFile(path.resolve(this.cwd, options.configPath), this.cwd, true) : null;
  }

  /** Settings for a file: those of the directory holding it. */
  settingsForFile(file: string): Settings {
    return this.settingsForDirectory(path.dirname(path.resolve(this.cwd, file)));
  }

  settingsForDirectory(dir: string): Settings {
    const config = this.explicit ?? this.findConfig(path.resolve(this.cwd, dir)) ?? this.findConfig(this.cwd);
    const key = config?.path ?? '';
    let settings = this.built.get(key);
    if (!settings) {
      settings = this.buildSettings(config);
      this.built.set(key, settings);
    }
    return settings;
  }

  /** The nearest pyproject.toml with a `[tool.pyhang]` table at or above `dir`. */
  private findConfig(dir: string): ConfigFile | null {
    const visited: string[] = [];
    let current = dir;
    let found: ConfigFile | null = null;
    for (;;) {
      const known = this.nearest.get(current);
      if (known !== undefined) {
        found = known;
        break;
      }
      visited.push(current);
      const candidate = path.join(current, 'pyproject.toml');
      if (isFile(candidate)) {
        found = readConfigFile(candidate, this.cwd, false, this.warn);
        if (found) break;
      }
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
    for (const dirVisited of visited) this.nearest.set(dirVisited, found);
    return found;
  }

  private buildSettings(config: ConfigFile | null): Settings {
    const settings = defaultSettings(config?.root ?? this.cwd);
    settings.configPath = config?.path ?? null;
    const options = config?.options ?? {};
    if (options.select) settings.select = [...options.select];
    if (options.extendSelect) settings.extendSelect = [...options.extendSelect];
    if (options.ignore) settings.ignore = [...options.ignore];
    // As in Ruff: `exclude` replaces the defaults, `extend-exclude` adds to them.
    if (options.exclude) settings.exclude = [...options.exclude];
    if (options.extendExclude) settings.extendExclude = [...options.extendExclude];
    if (options.perFileIgnores) settings.perFileIgnores = { ...options.perFileIgnores };
    if (options.severity) settings.severity = { ...options.severity };
    if (options.ruleOptions) settings.ruleOptions = { ...options.ruleOptions };
    if (options.maxFileSize !== undefined) settings.maxFileSize = options.maxFileSize;

    const { select, extendSelect, ignore, exclude } = this.overrides;
    if (select) {
      // `--select` starts a fresh selection, as Ruff's CLI layer does: what the
      // file selected, extended or ignored no longer applies.
      settings.select = [...select];
      settings.extendSelect = [];
      settings.ignore = [];
    }
    if (extendSelect) settings.extendSelect.push(...extendSelect);
    if (ignore) settings.ignore.push(...ignore);
    if (exclude) settings.extendExclude.push(...exclude.map((glob) => anchorGlob(glob, this.cwd)));
    return settings;
  }
}

/**
 * A `--exclude` glob with a slash is relative to the working directory, not to
 * the config root its settings have; make it absolute so it means the same in
 * every settings object. A glob without a slash matches basenames and stays.
 */
function anchorGlob(glob: string, cwd: string): string {
  const trimmed = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  if (!trimmed.includes('/') || path.isAbsolute(trimmed)) return trimmed;
  return `${escapeGlob(cwd.split(path.sep).join('/'))}/${trimmed}`;
}

function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const ruleCodes = rules.map((rule) => rule.meta.code);

function isRuleCode(code: string): boolean {
  return ruleCodes.includes(code);
}

function isFileProblemCode(code: string): boolean {
  return (FILE_PROBLEM_CODES as readonly string[]).includes(code);
}

/** `ALL`, a full code, or a prefix of one made of the whole letter part (`HANG`, `HANG00`). */
function isSelector(selector: string): boolean {
  if (selector === 'ALL') return true;
  const match = /^([A-Z]+)(\d*)$/.exec(selector);
  if (!match) return false;
  return ruleCodes.some((code) => code.startsWith(selector) && /^[A-Z]+/.exec(code)?.[0] === match[1]);
}

function unknownSelector(selector: string): string {
  return `unknown rule code or prefix '${selector}' (known: ${ruleCodes.join(', ')}, or ALL)`;
}

function readSelectors(value: unknown, where: string): string[] {
  const selectors = readStrings(value, where);
  selectors.forEach((selector, index) => {
    if (!isSelector(selector)) throw new ConfigError(`${where}[${index}]: ${unknownSelector(selector)}`);
  });
  return selectors;
}

function readGlobs(value: unknown, where: string): string[] {
  const globs = readStrings(value, where);
  globs.forEach((glob, index) => checkGlob(glob, `${where}[${index}]`));
  return globs;
}

/** A glob that would take too long to match is refused where it is read (see glob.ts). */
function checkGlob(glob: string, where: string): void {
  const problem = globProblem(glob);
  if (problem) throw new ConfigError(`${where}: ${problem}`);
}

/** `--exclude` globs, checked as those of a configuration file are. */
export function parseGlobs(values: readonly string[], flag: string): string[] {
  for (const glob of values) checkGlob(glob, flag);
  return [...values];
}

function readStrings(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected an array of strings, got ${describe(value)}`);
  value.forEach((item, index) => {
    if (typeof item !== 'string') throw new ConfigError(`${where}[${index}]: expected a string, got ${describe(item)}`);
  });
  return value as string[];
}

function readTable(value: unknown, where: string): Record<string, unknown> {
  if (!isTable(value)) throw new ConfigError(`${where}: expected a table, got ${describe(value)}`);
  return value;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A TOML value as the user wrote it, for "got ..." in errors. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  return String(value);
}

/** A key as TOML would need it written in a dotted path. */
function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** The known key nearest to a misspelt one, if it is close enough to be a typo. */
function closestKey(key: string): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const known of CONFIG_KEYS) {
    const distance = editDistance(key.toLowerCase().replace(/_/g, '-'), known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
