/**
 * What the language server lints: the open documents (their unsaved text) together
 * with the workspace's Python files on disk, because HANG002 and HANG001 resolve
 * across modules. The server reports only on open documents; the other files only
 * feed the project index.
 *
 * Everything here is bookkeeping around one `lint()` call: which files exist
 * (src/project/files.ts, as the CLI finds them), which settings govern each
 * (src/config/config.ts, as the CLI resolves them), and what an earlier pass already
 * learnt about a file that has not changed since.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lint, type Analysis, type PyhangMessage, type SourceFile } from '../engine/lint.js';
import { ConfigError, ConfigResolver } from '../config/config.js';
import { defaultSettings, type Settings } from '../config/settings.js';
import { discoverFiles, realPath, type SettingsSource } from '../project/files.js';
import { clearModuleNameCache } from '../project/module-names.js';
import { ParseState } from '../python/parser.js';
import { MentionIndex } from '../project/prefilter.js';
import { readRegularFile } from '../project/regular-file.js';
import type { Rule } from '../engine/rule.js';

/** Upper bound on on-disk files fed to one pass, so a huge folder cannot stall the editor. */
export const MAX_WORKSPACE_FILES = 5000;

/**
 * A discovery older than this is redone before the next pass: clients that do not
 * watch files (Neovim 0.7) never tell the server about files created or deleted.
 * A remembered first look at a file is checked against the disk (its mtime and
 * size) as often: a client that watches files says at once when one changed
 * (fileChanged), and statting thousands of files on every keystroke would cost
 * more than the pass. Files a pass follows calls into are checked at every pass.
 */
const DISCOVERY_MAX_AGE_MS = 10_000;

/** An open document as linted: a snapshot of its text at one version. */
export interface DocumentSnapshot {
  uri: string;
  /** Absolute file-system path (what `lint()` sees). */
  path: string;
  version: number;
  text: string;
}

export interface DocumentResult {
  document: DocumentSnapshot;
  /** Null when linting this document failed; `error` says why. */
  messages: PyhangMessage[] | null;
  error?: unknown;
}

export interface PassResult {
  documents: DocumentResult[];
  /** Distinct configuration errors met in this pass (the defaults were used instead). */
  configErrors: string[];
  /** pyproject.toml files passed over because they cannot be pyhang's (see readConfigFile). */
  configWarnings: string[];
  /** How many on-disk files were discovered before the cap was applied. */
  discoveredFiles: number;
}

/** What is remembered about an unchanged file between passes. */
interface CachedAnalysis {
  mtimeMs: number;
  size: number;
  /** `analyzeSource` depends on settings only through this limit. */
  maxFileSize: number;
  analysis: Analysis;
  /** When the file was last seen with this mtime and size (Date.now()). */
  checkedAt: number;
}

export class Workspace {
  private roots: string[] = [];
  private discovered: { files: string[]; at: number } | null = null;
  /** The configuration as resolved for the last passes (renewed as often as the discovery, and when a configuration file changes). */
  private settings: { settings: PassSettings; at: number } | null = null;
  /** The `__init__.py` files of the last discovery: when they change, module names may have changed. */
  private packageMarkers: string | null = null;
  private readonly analyses = new Map<string, CachedAnalysis>();
  /** Full analyses of files on disk that a pass loaded on demand (to follow a call into them), for the next passes' demand loads. */
  private readonly demandAnalyses = new Map<string, CachedAnalysis>();
  /** The words of files on disk that the pre-filter skipped, so that a pass's name searches need not read them again. */
  private readonly mentionIndex = new MentionIndex();
  /** Each open document's last parse, for tree-sitter's incremental re-parsing. */
  private readonly parseStates = new Map<string, ParseState>();

  /**
   * `rules`: the rules to run (default: the registry), as lint() takes them. What
   * is remembered between passes is facts, which do not depend on them.
   */
  constructor(private readonly options: { rules?: readonly Rule[] } = {}) {}

  /** Workspace folders as absolute paths. Files outside all of them are linted only when open. */
  setRoots(roots: readonly string[]): void {
    this.roots = [...new Set(roots.map((root) => path.resolve(root)))];
    this.discovered = null;
    this.settings = null;
    this.packageMarkers = null;
    this.forgetPackages();
  }

  getRoots(): readonly string[] {
    return this.roots;
  }

  /** Files were created or deleted, or a configuration or .gitignore changed: find the files again before the next pass. */
  filesChanged(): void {
    this.discovered = null;
    this.settings = null;
  }

  /** One file changed on disk: what is remembered of it is dropped, so the next pass reads it again. */
  fileChanged(file: string): void {
    this.analyses.delete(path.resolve(file));
    this.demandAnalyses.delete(path.resolve(file));
    this.mentionIndex.delete(path.resolve(file));
  }

  /**
   * Lints every open document in one pass over the workspace. If that pass fails,
   * each document is retried on its own, so one document that trips the core
   * still leaves the others with diagnostics.
   */
  lintDocuments(documents: readonly DocumentSnapshot[]): PassResult {
    // Closed documents' parses are dropped.
    const openPaths = new Set(documents.map((document) => document.path));
    for (const file of this.parseStates.keys()) if (!openPaths.has(file)) this.parseStates.delete(file);
    const now = Date.now();
    if (!this.settings || now - this.settings.at > DISCOVERY_MAX_AGE_MS) this.settings = { settings: new PassSettings(this.roots), at: now };
    const { settings } = this.settings;
    const disk = this.diskFiles(settings, documents);
    const stats = new Map<string, { mtimeMs: number; size: number }>();
    const diskSources: SourceFile[] = [];
    for (const file of disk.files) {
      const source = this.diskSource(file, settings, stats, now);
      if (source) diskSources.push(source);
    }

    const run = (open: readonly DocumentSnapshot[]): Map<string, PyhangMessage[]> => {
      /** Paths whose first look is known: handed over with a remembered analysis, or analysed once in this run. */
      const lookedAt = new Set(diskSources.filter((source) => source.analysis).map((source) => source.path));
      const reported = new Set(open.map((document) => document.path));
      const sources: SourceFile[] = [
        ...open.map((document) => ({ path: document.path, text: document.text, parseState: this.parseStateOf(document.path) })),
        ...diskSources,
      ];
      const files = lint(sources, {
        settingsFor: (file) => settings.settingsForFile(file),
        rules: this.options.rules,
        report: (file) => reported.has(file),
        onAnalysis: (source, analysis, phase) => {
          // An open document's text is a moving target: nothing of it is remembered. A file on disk
          // parsed on demand must stay "skipped" as a source for the next pass: handed over as facts it
          // would count as a rule target, which a file loaded only to follow a call is not (see
          // ProjectIndex), and the pass would no longer be the CLI's. So its full analysis is kept apart,
          // for the next demand load (as the CLI's cache does). lint() looks at every source once before
          // it loads any on demand, so a path's first analysis is its first look.
          if (source.text !== undefined) return;
          const stat = stats.get(source.path);
          const remembered = (): CachedAnalysis | null =>
            stat ? { ...stat, maxFileSize: settings.settingsForFile(source.path).maxFileSize, analysis, checkedAt: now } : null;
          if (phase === 'demand') {
            const kept = remembered();
            if (kept) this.demandAnalyses.set(source.path, kept);
            return;
          }
          if (lookedAt.has(source.path)) return;
          lookedAt.add(source.path);
          const kept = remembered();
          if (kept) this.analyses.set(source.path, kept);
          // A skipped file's words answer the name searches of the next passes (diskSource read its bytes now).
          if (kept && analysis.kind === 'skipped' && source.bytes) this.mentionIndex.set(source.path, source.bytes);
        },
        mentionIndex: this.mentionIndex,
        cachedAnalysis: (source) => {
          if (source.text !== undefined || !stats.has(source.path)) return undefined;
          // A file the analysis follows a call into is checked now, whenever its first look was.
          const stat = this.freshStat(source.path, stats);
          const kept = stat ? this.demandAnalyses.get(source.path) : undefined;
          return kept && this.unchanged(kept, stat!, settings, source.path) ? kept.analysis : undefined;
        },
      });
      return new Map(files.map((file) => [file.path, file.messages as PyhangMessage[]]));
    };

    let results: DocumentResult[];
    try {
      const byPath = run(documents);
      results = documents.map((document) => ({ document, messages: byPath.get(document.path) ?? [] }));
    } catch {
      results = documents.map((document) => {
        try {
          return { document, messages: run([document]).get(document.path) ?? [] };
        } catch (error) {
          return { document, messages: null, error };
        }
      });
    }
    return { documents: results, configErrors: [...settings.errors], configWarnings: [...settings.warnings], discoveredFiles: disk.total };
  }

  /** The workspace's Python files on disk, minus the open documents (their text wins), capped. */
  private diskFiles(settings: PassSettings, documents: readonly DocumentSnapshot[]): { files: string[]; total: number } {
    const now = Date.now();
    if (!this.discovered || now - this.discovered.at > DISCOVERY_MAX_AGE_MS) {
      const files = this.roots.length === 0 ? [] : discoverFiles(this.roots, { cwd: this.roots[0]!, settings }).files;
      this.discovered = { files, at: now };
      const markers = files.filter((file) => /^__init__\.pyi?$/.test(path.basename(file))).join('\0');
      if (this.packageMarkers !== null && markers !== this.packageMarkers) this.forgetPackages();
      this.packageMarkers = markers;
      this.pruneAnalyses(new Set(files));
    }
    const all = this.discovered.files;
    const open = new Set(documents.map((document) => document.path));
    // The same file may be open under another path (a symlink); compare real paths, but only for likely candidates.
    const openNames = new Set(documents.map((document) => path.basename(document.path)));
    const openReal = new Set(documents.map((document) => realPath(document.path)));
    const files: string[] = [];
    for (const file of all) {
      if (open.has(file)) continue;
      if (openNames.has(path.basename(file)) && openReal.has(realPath(file))) continue;
      if (files.length >= MAX_WORKSPACE_FILES) break;
      files.push(file);
    }
    return { files, total: all.length };
  }

  /** An open document's parse state (made on first use). */
  private parseStateOf(file: string): ParseState {
    let state = this.parseStates.get(file);
    if (!state) {
      state = new ParseState();
      this.parseStates.set(file, state);
    }
    return state;
  }

  /** A file on disk as a lint source: its remembered analysis when unchanged, else its bytes. Null when unreadable. */
  private diskSource(
    file: string,
    settings: PassSettings,
    stats: Map<string, { mtimeMs: number; size: number }>,
    now: number,
  ): SourceFile | null {
    const known = this.analyses.get(file);
    if (known && now - known.checkedAt < DISCOVERY_MAX_AGE_MS && known.maxFileSize === settings.settingsForFile(file).maxFileSize) {
      stats.set(file, { mtimeMs: known.mtimeMs, size: known.size });
      return { path: file, analysis: known.analysis };
    }
    const stat = this.freshStat(file, stats);
    if (!stat) return null;
    const cached = this.analyses.get(file);
    if (cached && this.unchanged(cached, stat, settings, file)) {
      cached.checkedAt = now;
      return { path: file, analysis: cached.analysis };
    }
    // Changed on disk (freshStat forgot it then) or under another size limit: read it again.
    this.analyses.delete(file);
    this.mentionIndex.delete(file);
    try {
      // Never a blocking read: a file swapped for a named pipe must not stall the editor.
      return { path: file, bytes: readRegularFile(file) };
    } catch {
      // Deleted or unreadable since discovery: it simply does not feed this pass.
      return null;
    }
  }

  /**
   * A file's mtime and size as they are now, noted in the pass's stats. When they
   * differ from its remembered first look, that is forgotten (and read again).
   * Null when the file is gone, and then all that is remembered of it is forgotten.
   */
  private freshStat(file: string, stats: Map<string, { mtimeMs: number; size: number }>): { mtimeMs: number; size: number } | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.fileChanged(file);
      return null;
    }
    const fresh = { mtimeMs: stat.mtimeMs, size: stat.size };
    const first = this.analyses.get(file);
    if (first && (first.mtimeMs !== fresh.mtimeMs || first.size !== fresh.size)) {
      this.analyses.delete(file);
      this.mentionIndex.delete(file);
    }
    stats.set(file, fresh);
    return fresh;
  }

  /** Whether a remembered analysis is of the file as it is now, under the same size limit. */
  private unchanged(cached: CachedAnalysis, stat: { mtimeMs: number; size: number }, settings: PassSettings, file: string): boolean {
    return cached.mtimeMs === stat.mtimeMs && cached.size === stat.size && cached.maxFileSize === settings.settingsForFile(file).maxFileSize;
  }

  /**
   * An `__init__.py` came or went: which directories are packages changed, so
   * module names may have, and every cached analysis names its module.
   */
  private forgetPackages(): void {
    this.analyses.clear();
    this.demandAnalyses.clear();
    clearModuleNameCache();
  }

  private pruneAnalyses(keep: Set<string>): void {
    for (const cache of [this.analyses, this.demandAnalyses]) for (const file of cache.keys()) if (!keep.has(file)) cache.delete(file);
    this.mentionIndex.retainOnly(keep);
  }
}

/**
 * Settings for one pass, resolved as the CLI resolves them (nearest pyproject.toml
 * with `[tool.pyhang]` above each file, else the one above the workspace folder
 * that holds it), but never failing: a configuration error is collected to be
 * shown to the user, and the defaults stand in. Built again when a configuration
 * file changes (the client says so, or a pyproject.toml open in the editor is
 * saved), and at least every DISCOVERY_MAX_AGE_MS for clients that do not watch files.
 */
class PassSettings implements SettingsSource {
  readonly errors = new Set<string>();
  readonly warnings = new Set<string>();
  private readonly roots: readonly string[];
  private readonly resolvers = new Map<string, ConfigResolver>();
  private readonly byDirectory = new Map<string, Settings>();
  private readonly byFile = new Map<string, Settings>();

  constructor(roots: readonly string[]) {
    // Deepest first, so a nested workspace folder governs its own files.
    this.roots = [...roots].sort((a, b) => b.length - a.length);
  }

  settingsForFile(file: string): Settings {
    let settings = this.byFile.get(file);
    if (!settings) {
      settings = this.settingsForDirectory(path.dirname(path.resolve(file)));
      this.byFile.set(file, settings);
    }
    return settings;
  }

  settingsForDirectory(dir: string): Settings {
    const absolute = path.resolve(dir);
    let settings = this.byDirectory.get(absolute);
    if (!settings) {
      const cwd = this.cwdFor(absolute);
      try {
        settings = this.resolverFor(cwd).settingsForDirectory(absolute);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        this.errors.add(error.message);
        settings = defaultSettings(cwd);
      }
      this.byDirectory.set(absolute, settings);
    }
    return settings;
  }

  /** The workspace folder holding `dir` plays the CLI's working directory; outside all folders, `dir` itself. */
  private cwdFor(dir: string): string {
    return this.roots.find((root) => dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) ?? dir;
  }

  private resolverFor(cwd: string): ConfigResolver {
    let resolver = this.resolvers.get(cwd);
    if (!resolver) {
      resolver = new ConfigResolver({ cwd, warn: (message) => this.warnings.add(message) });
      this.resolvers.set(cwd, resolver);
    }
    return resolver;
  }
}
