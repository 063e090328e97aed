/**
 * What the language server lints: the open documents (their unsaved text) together
 * with the workspace's Python files on disk, because HANG002 and HANG001 resolve
 * across modules. The server reports only on open documents; the other files only
 * feed the project index.
 *
 * Everything here is bookkeeping around one `lint()` call: which files exist
 * (src/project/files.ts, as the CLI finds them) and which settings govern each
 * (src/config/config.ts, as the CLI resolves them). What an earlier pass already
 * learnt about a file that has not changed since is the in-memory analysis store's
 * (src/engine/memory-store.ts), handed to lint() as the CLI hands it its cache.
 */
import path from 'node:path';
import { lint, LintSession, suppressedMessagesOf, type PyhangMessage, type SourceFile } from '../engine/lint.js';
import { ConfigError, ConfigResolver } from '../config/config.js';
import { defaultSettings, type Settings } from '../config/settings.js';
import { discoverFiles, realPath, type SettingsSource } from '../project/files.js';
import { clearModuleNameCache } from '../project/module-names.js';
import { ParseState } from '../python/parser.js';
import { MemoryAnalysisStore } from '../engine/memory-store.js';
import type { Rule } from '../engine/rule.js';

/** Upper bound on on-disk files fed to one pass, so a huge folder cannot stall the editor. */
export const MAX_WORKSPACE_FILES = 5000;

/**
 * A discovery older than this is redone before the next pass: clients that do not
 * watch files (Neovim 0.7) never tell the server about files created or deleted.
 * A remembered first look at a file is checked against the disk as often (see
 * memory-store.ts).
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
  /**
   * The findings its `# noqa` directives silenced (what `check --format json`
   * lists as suppressedMessages): not shown in the editor, but a later pass
   * must know them as a first pass does (test/fuzz/edit-sessions.ts).
   */
  suppressed?: PyhangMessage[];
  error?: unknown;
  /** The pyproject.toml whose `[tool.pyhang]` governs the document; null: the defaults. */
  configPath: string | null;
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

export class Workspace {
  private roots: string[] = [];
  private discovered: { files: string[]; at: number } | null = null;
  /** The configuration as resolved for the last passes (renewed as often as the discovery, and when a configuration file changes). */
  private settings: { settings: PassSettings; at: number } | null = null;
  /** The `__init__.py` files of the last discovery: when they change, module names may have changed. */
  private packageMarkers: string | null = null;
  /** What earlier passes learnt about the files on disk. */
  private readonly store = new MemoryAnalysisStore({ recheckAfterMs: DISCOVERY_MAX_AGE_MS });
  /**
   * The last pass's project index, reused by the next when only the open
   * documents changed (see LintSession): an edit then redoes only what read
   * them. Cleared when the roots, the files found or the packages change.
   */
  private readonly session = new LintSession();
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
    this.session.clear();
  }

  getRoots(): readonly string[] {
    return this.roots;
  }

  /** Files were created or deleted, or a configuration or .gitignore changed: find the files again before the next pass. */
  filesChanged(): void {
    this.discovered = null;
    this.settings = null;
    this.session.clear();
  }

  /** One file changed on disk: what is remembered of it is dropped, so the next pass reads it again. */
  fileChanged(file: string): void {
    // (The session's index is not dropped: the next pass's first look at the file is a new one, which
    // the session tells from the one its index holds. A save of an open document keeps it.)
    this.store.forget(path.resolve(file));
  }

  /**
   * Lints every open document in one pass over the workspace. If that pass fails,
   * each document is retried on its own, so one document that trips the core
   * still leaves the others with diagnostics.
   */
  lintDocuments(documents: readonly DocumentSnapshot[]): PassResult {
    // Closed documents' parses are dropped.
    const openPaths = new Set(documents.map((document) => document.path));
    for (const [file, state] of this.parseStates) {
      if (openPaths.has(file)) continue;
      state.dispose();
      this.parseStates.delete(file);
    }
    const now = Date.now();
    if (!this.settings || now - this.settings.at > DISCOVERY_MAX_AGE_MS) this.settings = { settings: new PassSettings(this.roots), at: now };
    // (Settings made again keep the session's index: an index depends on the analyses, which the
    // session checks, and the settings reach them only through the size limit, which the store
    // checks; severities and rule options are applied to each pass's findings.)
    const { settings } = this.settings;
    const disk = this.diskFiles(settings, documents);
    this.store.beginPass((file) => settings.settingsForFile(file).maxFileSize, now);
    const diskSources: SourceFile[] = [];
    for (const file of disk.files) {
      const source = this.store.sourceFor(file);
      if (source) diskSources.push(source);
    }

    type Linted = { messages: PyhangMessage[]; suppressed: PyhangMessage[] };
    const run = (open: readonly DocumentSnapshot[], session?: LintSession): Map<string, Linted> => {
      const reported = new Set(open.map((document) => document.path));
      const sources: SourceFile[] = [
        ...open.map((document) => ({ path: document.path, text: document.text, parseState: this.parseStateOf(document.path) })),
        ...diskSources,
      ];
      const files = lint(sources, {
        settingsFor: (file) => settings.settingsForFile(file),
        rules: this.options.rules,
        report: (file) => reported.has(file),
        store: this.store,
        session,
      });
      return new Map(files.map((file) => [file.path, { messages: file.messages as PyhangMessage[], suppressed: suppressedMessagesOf(file) }]));
    };

    let results: DocumentResult[];
    try {
      const byPath = run(documents, this.session);
      results = documents.map((document) => {
        const linted = byPath.get(document.path);
        return { document, messages: linted?.messages ?? [], suppressed: linted?.suppressed ?? [], configPath: null };
      });
    } catch {
      // (A failed pass keeps no index: the session's next pass makes a new one.)
      this.session.clear();
      results = documents.map((document) => {
        try {
          const linted = run([document]).get(document.path);
          return { document, messages: linted?.messages ?? [], suppressed: linted?.suppressed ?? [], configPath: null };
        } catch (error) {
          return { document, messages: null, error, configPath: null };
        }
      });
    }
    for (const result of results) result.configPath = settings.settingsForFile(result.document.path).configPath;
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
    // (Resolved only when a file has an open document's name: most passes have none but the document's own file.)
    let openReal: Set<string> | null = null;
    const files: string[] = [];
    for (const file of all) {
      if (open.has(file)) continue;
      if (openNames.has(path.basename(file)) && (openReal ??= new Set(documents.map((document) => realPath(document.path)))).has(realPath(file))) continue;
      if (files.length >= MAX_WORKSPACE_FILES) break;
      files.push(file);
    }
    return { files, total: all.length };
  }

  /** Frees the open documents' parses (tree-sitter's trees live in WebAssembly memory, which no GC frees): for a workspace given up. */
  dispose(): void {
    for (const state of this.parseStates.values()) state.dispose();
    this.parseStates.clear();
    this.session.clear();
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

  /**
   * An `__init__.py` came or went: which directories are packages changed, so
   * module names may have, and every cached analysis names its module.
   */
  private forgetPackages(): void {
    this.session.clear();
    this.store.forgetAnalyses();
    clearModuleNameCache();
  }

  private pruneAnalyses(keep: Set<string>): void {
    this.store.retainOnly(keep);
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
