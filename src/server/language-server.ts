/**
 * The language server's behaviour, over any connection: keep the open documents,
 * lint them (with the workspace's other Python files, for cross-module analysis)
 * when they open, change (debounced), are saved or when watched files change,
 * publish the findings as diagnostics, and answer code actions. Analysis stays
 * in the core: this module only calls `Workspace.lintDocuments` (one `lint()`
 * call, in a child process: lint-process.ts) and converts what comes back.
 *
 * It must survive whatever a client sends: notifications about documents it
 * never opened are ignored, an exception while linting is logged and the server
 * carries on, and unknown requests are answered with MethodNotFound by the
 * JSON-RPC layer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
  WatchKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node.js';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex } from '../python/positions.js';
import { MAX_WORKSPACE_FILES, type DocumentSnapshot, type PassResult } from './workspace.js';
import { LintProcess, OutdatedPassError } from './lint-process.js';
import { FileLocator, toFindings } from './diagnostics.js';
import { EditLog } from './edit-log.js';
import { codeActionsFor, FIX_ALL_KIND, wants, type LintedDocument } from './code-actions.js';

/** Quiet time after the last keystroke before a pass runs. */
export const CHANGE_DEBOUNCE_MS = 150;

/**
 * How long a fix-all request waits for the document's latest version to be
 * linted. VS Code gives all of a save's code actions 750 ms by default
 * (`editor.codeActionsOnSaveTimeout`); a pass over an open file takes tens of ms.
 */
const FIX_ALL_WAIT_MS = 2_000;

/** Files whose change alters which files are linted: discovery starts over (so it does when any file comes or goes). */
const DISCOVERY_INPUTS = new Set(['pyproject.toml', '.gitignore']);

/** Listens on `connection`; what it returns tells whether the client asked for a shutdown (for the exit code). */
export function listen(connection: Connection): { readonly shutdownReceived: boolean } {
  const session = new ServerSession(connection);
  session.answerLifecycle();
  session.followDocuments();
  session.answerCodeActions();
  session.documents.listen(connection);
  connection.listen();
  return {
    get shutdownReceived() {
      return session.shuttingDown;
    },
  };
}

/** One connection's server: its documents, the passes over them and what was published. */
class ServerSession {
  /** The open documents' edits: a pass sends the analysis process what changed (see edit-log.ts). */
  private readonly edits = new EditLog();
  readonly documents = new TextDocuments(this.edits.configuration);
  // Passes run in a child process, so that requests are answered while one runs (see lint-process.ts).
  private readonly workspace = new LintProcess(this.edits);
  /** What was last published per document URI, for code actions. */
  private readonly linted = new Map<string, LintedDocument>();
  private shownConfigErrors = new Set<string>();
  private readonly loggedConfigWarnings = new Set<string>();
  /** The configuration file last said to govern each open document (see sayWhichConfig). */
  private readonly configOf = new Map<string, string | null>();
  private warnedAboutCap = false;
  private documentChanges = false;
  private watchFilesDynamically = false;
  private workspaceFolderEvents = false;
  /** The pass waiting to run: an immediate one (open, save) or a debounced one (typing). */
  private pending: { immediate: boolean; cancel: () => void } | undefined;
  shuttingDown = false;
  /** Code-action requests waiting for a document's version to be linted (see lintedAt). */
  private readonly lintWaiters = new Set<{ uri: string; version: number; done: () => void }>();
  /** A pass is running in the child process; another was asked for meanwhile (it runs when this one ends). */
  private running = false;
  private rerun = false;

  constructor(private readonly connection: Connection) {}

  private log(text: string): void {
    this.connection.console.error(text);
  }

  /**
   * Runs a pass after `delay` ms. A pass lints the documents as they are when it
   * runs, so a pending immediate pass (open, save) already covers any later
   * request; a pending debounced pass is pushed back by each newer keystroke.
   */
  private requestLint(delay: number): void {
    if (this.shuttingDown) return;
    if (this.pending?.immediate) return;
    this.pending?.cancel();
    const run = (): void => {
      this.pending = undefined;
      this.lintOpenDocuments();
    };
    // An immediate pass runs once the messages already received are handled (not a timer's millisecond later).
    if (delay === 0) {
      const handle = setImmediate(run);
      this.pending = { immediate: true, cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(run, delay);
      this.pending = { immediate: false, cancel: () => clearTimeout(handle) };
    }
  }

  /**
   * Resolves once `version` of the document has been linted and published, or
   * after `timeoutMs` (a pass that fails or is overtaken must not hold a
   * request forever); asks for an immediate pass when one is needed.
   */
  private lintedAt(uri: string, version: number, timeoutMs: number): Promise<void> {
    if (this.linted.get(uri)?.version === version) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        uri,
        version,
        done: () => {
          clearTimeout(timer);
          this.lintWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      this.lintWaiters.add(waiter);
      this.requestLint(0);
    });
  }

  private lintOpenDocuments(): void {
    if (this.shuttingDown) return;
    if (this.running) {
      this.rerun = true;
      // The running pass lints versions older than these: stop it if it is a long one.
      this.workspace.stopOutdatedPass();
      return;
    }
    const snapshots: DocumentSnapshot[] = [];
    for (const document of this.documents.all()) {
      const snapshot = snapshotOf(document, this.workspace.getRoots());
      if (snapshot) snapshots.push(snapshot);
    }
    if (snapshots.length === 0) return;
    this.running = true;
    this.workspace
      .lintDocuments(snapshots)
      .then(
        (pass) => this.publish(pass),
        (error: unknown) =>
          this.log(error instanceof OutdatedPassError ? `pyhang: ${error.message}; analysing the newer version` : `pyhang: linting failed: ${describeError(error)}`),
      )
      .finally(() => {
        this.running = false;
        if (this.rerun) {
          this.rerun = false;
          this.lintOpenDocuments();
        }
      });
  }

  /** Publishes a pass's findings, except for documents edited since it began: a newer pass is due for them. */
  private publish(pass: PassResult): void {
    if (this.shuttingDown) return;
    this.showConfigProblems(pass);
    const locator = new FileLocator(
      pass.documents.map((result) => result.document),
      (uri, text) => this.edits.linesOf(uri, text),
    );
    for (const result of pass.documents) {
      const { document } = result;
      if (this.documents.get(document.uri)?.version !== document.version) continue;
      this.sayWhichConfig(document, result.configPath);
      if (!result.messages) {
        this.log(`pyhang: linting ${document.path} failed: ${describeError(result.error)}`);
        continue;
      }
      try {
        // (The locator's index of the document: one index of its text per pass.)
        const findings = toFindings(result.messages, locator.locate(document.path).index ?? new LineIndex(document.text), locator);
        this.linted.set(document.uri, { uri: document.uri, version: document.version, text: document.text, findings });
        void this.connection.sendDiagnostics({
          uri: document.uri,
          version: document.version,
          diagnostics: findings.map((finding) => finding.diagnostic),
        });
      } catch (error) {
        this.log(`pyhang: reporting on ${document.path} failed: ${describeError(error)}`);
      }
    }
    for (const waiter of [...this.lintWaiters]) {
      if (this.linted.get(waiter.uri)?.version === waiter.version) waiter.done();
    }
  }

  /**
   * Logs which configuration governs a document (the CLI's `--show-settings`
   * says it too): when it is first linted, and again when that changes, e.g.
   * a pyproject.toml with `[tool.pyhang]` was added nearer to it.
   */
  private sayWhichConfig(document: DocumentSnapshot, configPath: string | null | undefined): void {
    const config = configPath ?? null;
    if (this.configOf.has(document.uri) && this.configOf.get(document.uri) === config) return;
    this.configOf.set(document.uri, config);
    this.connection.console.info(
      config ? `pyhang: ${document.path} is configured by ${config}` : `pyhang: ${document.path} uses the default settings (no [tool.pyhang] above it)`,
    );
  }

  /** A pass's configuration errors and warnings, and the workspace cap, each said once while it lasts. */
  private showConfigProblems(pass: PassResult): void {
    this.showConfigErrors(pass.configErrors);
    for (const warning of pass.configWarnings) {
      if (this.loggedConfigWarnings.has(warning)) continue;
      this.loggedConfigWarnings.add(warning);
      this.connection.console.warn(`pyhang: ${warning}`);
    }
    if (pass.discoveredFiles > MAX_WORKSPACE_FILES && !this.warnedAboutCap) {
      this.warnedAboutCap = true;
      this.connection.console.warn(
        `pyhang: the workspace has ${pass.discoveredFiles} Python files; only ${MAX_WORKSPACE_FILES} of them feed cross-module analysis`,
      );
    }
  }

  /** Each configuration error is shown once while it lasts; fixed and broken again, it is shown again. */
  private showConfigErrors(errors: string[]): void {
    for (const error of errors) {
      if (this.shownConfigErrors.has(error)) continue;
      // The notification, not `window.showErrorMessage` (a window/showMessageRequest awaiting an answer).
      void this.connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Error,
        message: `pyhang: ${error} (using the default settings)`,
      });
    }
    this.shownConfigErrors = new Set(errors);
  }

  /** initialize, initialized and shutdown. */
  answerLifecycle(): void {
    this.connection.onInitialize((params) => this.initialize(params));
    this.connection.onInitialized(() => this.initialized());
    this.connection.onShutdown(() => {
      this.shuttingDown = true;
      this.pending?.cancel();
      this.pending = undefined;
    });
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.workspace.setRoots(rootsOf(params));
    const capabilities = params.capabilities;
    this.documentChanges = capabilities.workspace?.workspaceEdit?.documentChanges === true;
    this.watchFilesDynamically = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.workspaceFolderEvents = capabilities.workspace?.workspaceFolders === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'pyhang', version: readVersion() },
    };
  }

  private initialized(): void {
    const roots = this.workspace.getRoots();
    this.connection.console.info(`pyhang ${readVersion()} language server; workspace: ${roots.length > 0 ? roots.join(', ') : '(none: open files only)'}`);
    if (this.watchFilesDynamically) this.registerFileWatchers();
    if (this.workspaceFolderEvents) {
      this.connection.workspace.onDidChangeWorkspaceFolders((event) => {
        const removed = new Set(event.removed.map((folder) => pathOfUri(folder.uri)).filter(isString));
        const kept = this.workspace.getRoots().filter((root) => !removed.has(root));
        const added = event.added.map((folder) => pathOfUri(folder.uri)).filter(isString);
        this.workspace.setRoots([...kept, ...added]);
        this.requestLint(0);
      });
    }
  }

  private registerFileWatchers(): void {
    const kind = WatchKind.Create | WatchKind.Change | WatchKind.Delete;
    void this.connection.client
      .register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.{py,pyi}', kind },
          { globPattern: '**/pyproject.toml', kind },
          { globPattern: '**/.gitignore', kind },
        ],
      })
      .catch((error: unknown) => this.log(`pyhang: could not register file watchers: ${describeError(error)}`));
  }

  /** Documents opened, changed, saved and closed, and files changed on disk: each asks for a pass. */
  followDocuments(): void {
    const { documents, workspace } = this;
    documents.onDidOpen(() => this.requestLint(0));
    documents.onDidChangeContent(() => this.requestLint(CHANGE_DEBOUNCE_MS));
    documents.onDidSave((event) => {
      const file = pathOfUri(event.document.uri);
      if (file) {
        workspace.fileChanged(file);
        if (DISCOVERY_INPUTS.has(path.basename(file))) workspace.filesChanged();
      }
      this.requestLint(0);
    });
    documents.onDidClose((event) => {
      const uri = event.document.uri;
      this.configOf.delete(uri);
      this.edits.forget(uri);
      if (this.linted.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      // Other documents may have depended on its unsaved text; from now on its file on disk counts.
      this.requestLint(CHANGE_DEBOUNCE_MS);
    });
    this.connection.onDidChangeWatchedFiles((params) => {
      for (const change of params.changes ?? []) {
        const file = pathOfUri(change.uri);
        if (!file) continue;
        workspace.fileChanged(file);
        if (change.type !== FileChangeType.Changed || DISCOVERY_INPUTS.has(path.basename(file))) workspace.filesChanged();
      }
      this.requestLint(CHANGE_DEBOUNCE_MS);
    });
  }

  answerCodeActions(): void {
    this.connection.onCodeAction(async (params) => {
      let document = this.documents.get(params.textDocument.uri);
      if (!document) return [];
      // Fix on save asks right after the last keystroke, before the debounced pass: lint now and
      // answer for the text being saved (fix-all's edits are offsets into the text that was linted).
      const only = params.context?.only;
      // Only when fix-all was asked for by its kind: a request for every kind (a light bulb) answers at once.
      if (only && only.length > 0 && wants(only, FIX_ALL_KIND)) {
        await this.lintedAt(document.uri, document.version, FIX_ALL_WAIT_MS);
        document = this.documents.get(params.textDocument.uri);
        if (!document) return [];
      }
      try {
        return codeActionsFor(
          { uri: document.uri, version: document.version, text: document.getText() },
          this.linted.get(document.uri),
          params.range,
          params.context?.diagnostics ?? [],
          { documentChanges: this.documentChanges, ...(only ? { only } : {}) },
        );
      } catch (error) {
        this.log(`pyhang: code actions for ${document.uri} failed: ${describeError(error)}`);
        return [];
      }
    });
  }
}

/** An open document worth linting: a Python file on disk (`file:` URI), or a new Python buffer not saved yet (`untitled:`). */
function snapshotOf(document: TextDocument, roots: readonly string[]): DocumentSnapshot | null {
  const file = pathOfUri(document.uri) ?? untitledPath(document, roots);
  if (!file) return null;
  if (document.languageId !== 'python' && !/\.pyi?$/.test(file)) return null;
  return { uri: document.uri, path: file, version: document.version, text: document.getText() };
}

/**
 * Where an `untitled:` Python buffer is linted as if it were: a file in the
 * first workspace folder (else the server's working directory), so that the
 * workspace's pyproject.toml governs it. The name is the URI, escaped, which no
 * file of the workspace has in practice, so no file on disk is shadowed.
 */
function untitledPath(document: TextDocument, roots: readonly string[]): string | null {
  if (!document.uri.startsWith('untitled:') || document.languageId !== 'python') return null;
  return path.join(roots[0] ?? process.cwd(), `${encodeURIComponent(document.uri)}.py`);
}

function rootsOf(params: InitializeParams): string[] {
  const folders = params.workspaceFolders?.map((folder) => pathOfUri(folder.uri)).filter(isString) ?? [];
  if (folders.length > 0) return folders;
  const root = params.rootUri ? pathOfUri(params.rootUri) : params.rootPath ?? null;
  return root ? [root] : [];
}

function pathOfUri(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return null;
  }
}

function isString(value: string | null): value is string {
  return value !== null;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

let version: string | undefined;

function readVersion(): string {
  if (version === undefined) {
    try {
      // dist/src/server/language-server.js → the package root is three levels up.
      const manifest = new URL('../../../package.json', import.meta.url);
      version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
