/**
 * The language server's passes run in a child process: analysis is synchronous
 * (a 4 MB document took 34 s), and on the connection's thread it left every
 * request, shutdown included, unanswered until it was done. The child holds
 * the Workspace (its remembered facts and parse states stay warm between
 * passes); the server sends it what changed and the documents to lint, and
 * gets back each pass's result as plain data.
 *
 * The child also holds the open documents' texts: a pass sends each document
 * as the edits made since the version the child holds (edit-log.ts), or, when
 * those are not known (a new child, a new document, edits forgotten), as its
 * whole text. The child checks that it holds the version the edits start from
 * and that the result has the length the server's text has; when not, it
 * lints nothing and asks for those documents' texts (a resync).
 *
 * A process rather than a worker thread: at `exit` the server ends at once,
 * and a worker thread caught inside the native parse then aborted the whole
 * process (SIGABRT, a Napi::Error at teardown); a child is simply killed.
 *
 * This file is both sides: imported, it gives LintProcess; run with
 * CHILD_FLAG, it serves a Workspace.
 */
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Workspace, type DocumentSnapshot, type PassResult } from './workspace.js';
import { applyChanges, type EditLog, type TextChange } from './edit-log.js';
import type { PyhangMessage } from '../engine/lint.js';
import { loadWasmParser } from '../python/parser.js';

/**
 * An open document as a pass sends it: its whole text, or the changes that make
 * `version` of the `base` version the child holds, and the length of the result.
 */
export type DocumentUpdate =
  | { uri: string; path: string; version: number; text: string }
  | { uri: string; path: string; version: number; base: number; changes: TextChange[]; length: number };

/** What changed outside the documents: the child needs it only for its next pass, and gets it with that pass. */
type Note = { kind: 'roots'; roots: string[] } | { kind: 'files-changed' } | { kind: 'file-changed'; file: string };

type Request = { kind: 'lint'; id: number; notes: Note[]; documents: DocumentUpdate[] };

/** `resync`: the documents whose updates the child could not apply; it linted nothing, and wants their texts. */
type Reply = { id: number; pass: PassResult } | { id: number; error: string } | { id: number; resync: string[] };

/** A message as plain data: its own fields (a VFileMessage is an Error, which would reach the server as a bare Error). */
function plainMessage(message: PyhangMessage): PyhangMessage {
  return { ...message, reason: message.reason, message: message.message } as PyhangMessage;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

const CHILD_FLAG = '--pyhang-lint-child';

if (process.argv.includes(CHILD_FLAG) && process.send) {
  const send = process.send.bind(process);
  const workspace = new Workspace();
  /** The open documents as the server last sent them; a document not in a pass is closed. */
  const documents = new Map<string, DocumentSnapshot>();
  // Documents are parsed incrementally with web-tree-sitter, whose loading is asynchronous; requests
  // wait for it in their order of arrival (a failure to load reaches each file as an internal error).
  const ready = loadWasmParser();
  // The server is gone: nothing is left to lint for.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (request: Request) => void ready.then(() => serve(request)));
  function serve(request: Request): void {
    for (const note of request.notes) {
      switch (note.kind) {
        case 'roots':
          workspace.setRoots(note.roots);
          break;
        case 'files-changed':
          workspace.filesChanged();
          break;
        case 'file-changed':
          workspace.fileChanged(note.file);
      }
    }
    const { snapshots, stale } = applyUpdates(documents, request.documents);
    if (stale.length > 0) {
      send({ id: request.id, resync: stale } satisfies Reply);
      return;
    }
    let reply: Reply;
    try {
      const pass = workspace.lintDocuments(snapshots);
      const results = pass.documents.map((result) => ({
        // (Without its text: the server has it, in the snapshot it sent; see LintProcess.lintDocuments.)
        document: { ...result.document, text: '' },
        messages: result.messages ? result.messages.map(plainMessage) : null,
        configPath: result.configPath,
        ...(result.messages ? {} : { error: describe(result.error) }),
      }));
      reply = { id: request.id, pass: { ...pass, documents: results } };
    } catch (error) {
      reply = { id: request.id, error: describe(error) };
    }
    send(reply);
  }
}

/**
 * The child's documents after a pass's updates, and the URIs of those it could
 * not update (dropped: the server sends their texts again). Documents the pass
 * does not name were closed.
 */
export function applyUpdates(documents: Map<string, DocumentSnapshot>, updates: readonly DocumentUpdate[]): { snapshots: DocumentSnapshot[]; stale: string[] } {
  const snapshots: DocumentSnapshot[] = [];
  const stale: string[] = [];
  const named = new Set(updates.map((update) => update.uri));
  for (const uri of documents.keys()) if (!named.has(uri)) documents.delete(uri);
  for (const update of updates) {
    let text: string | undefined;
    if ('text' in update) {
      text = update.text;
    } else {
      const held = documents.get(update.uri);
      if (held && held.version === update.base) {
        const changed = applyChanges(held.text, update.changes);
        if (changed.length === update.length) text = changed;
      }
    }
    if (text === undefined) {
      documents.delete(update.uri);
      stale.push(update.uri);
      continue;
    }
    const snapshot = { uri: update.uri, path: update.path, version: update.version, text };
    documents.set(update.uri, snapshot);
    snapshots.push(snapshot);
  }
  return { snapshots, stale };
}

/**
 * How long a pass must have run before a newer request stops it. A stopped pass
 * costs its child: the new one starts cold (discovery, every workspace file
 * parsed again), so a short pass is cheaper to finish than to stop. Passes of
 * a warm workspace take milliseconds; only a document that takes seconds to
 * analyse (the 4 MB one took 34 s) runs this long.
 */
export const STOP_OUTDATED_AFTER_MS = 1_000;

/** A pass stopped because a newer one was due (see LintProcess.stopOutdatedPass). */
export class OutdatedPassError extends Error {
  constructor(readonly ranForMs: number) {
    super(`an outdated analysis was stopped after ${ranForMs} ms`);
  }
}

/** A pass sent to the child and not answered yet. */
interface Waiter {
  resolve: (pass: PassResult) => void;
  reject: (error: Error) => void;
  /** Sends the pass again, to the child there is now; false when it was sent again once already. */
  resend: () => boolean;
  /**
   * Its last message never reached the child, which had died, or was not yet
   * written when the child's exit was seen (the write's callback can come after
   * the exit): it goes to the next child.
   */
  undelivered: boolean;
  /** Its last message was written to the child's channel: a child that dies after that may have died of it. */
  written: boolean;
  /** Counts its messages, so that a write's callback speaks only of the last one. */
  sends: number;
}

/** The server's side: a Workspace in a child process, one pass at a time. */
export class LintProcess {
  private child: ChildProcess;
  private roots: string[] = [];
  private nextId = 1;
  private stopped = false;
  /** The pass running in the child: its id, when it began, and whether it may be stopped. */
  private current: { id: number; startedAt: number; stoppable: boolean } | undefined;
  /** The previous pass was stopped: the next one runs to its end, so edits never starve the analysis. */
  private lastWasStopped = false;
  private readonly waiting = new Map<number, Waiter>();
  /** The version of each document the child holds (as far as sent): edits are sent from there. Empty for a new child. */
  private readonly held = new Map<string, number>();
  private notes: Note[] = [];

  /** `edits`: the open documents' edits, so that a pass sends what changed rather than whole texts. */
  constructor(private readonly edits?: EditLog) {
    this.child = this.start();
    // Killed with the server, whatever it is doing (process.exit runs these handlers synchronously).
    process.on('exit', () => this.stop());
  }

  private start(): ChildProcess {
    // No stdout: it is the server's protocol channel; stderr reaches the client's log as the server's does.
    // JSON: everything sent is plain data (texts, edits, findings), and the advanced serialization (V8's, driven from
    // JavaScript object by object) took 0.7 ms to write and read a pass's findings that JSON takes 0.2 ms for.
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if ('resync' in reply) {
        // The pass goes on, with the texts asked for (once: a child that cannot take texts either is broken).
        for (const uri of reply.resync) this.held.delete(uri);
        if (waiter && !waiter.resend()) this.settle(reply.id, new Error(`the analysis process could not take the text of ${reply.resync.join(', ')}`));
        return;
      }
      if (this.current?.id === reply.id) this.current = undefined;
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.pass);
    });
    // A child that dies (out of memory on a huge document, say) fails its pass; the next pass gets a new one.
    // A pass sent after it had died never reached it: that one goes to the new child.
    child.on('exit', (code, signal) => {
      if (this.child !== child || this.stopped) return;
      const error = new Error(`the analysis process stopped (${signal ?? `exit code ${code}`})`);
      const undelivered = [...this.waiting].filter(([, waiter]) => waiter.undelivered || !waiter.written);
      for (const [id, waiter] of this.waiting) if (!waiter.undelivered && waiter.written) this.settle(id, error);
      this.restart();
      for (const [id, waiter] of undelivered) {
        waiter.undelivered = false;
        if (!waiter.resend()) this.settle(id, error);
      }
    });
    child.on('error', (error) => this.failAll(error));
    child.unref();
    child.channel?.unref();
    return child;
  }

  private restart(): void {
    this.current = undefined;
    // A new child holds no documents: the next pass sends their texts.
    this.held.clear();
    this.child = this.start();
    // (Notes not sent yet go to the new child: they only ever make it forget or look again.)
    if (this.roots.length > 0) this.note({ kind: 'roots', roots: this.roots });
  }

  /**
   * Sends `request` to the child; `written` is called once it is written to the
   * channel, `undelivered` when it cannot reach the child (which has died).
   */
  private post(request: Request, written: () => void, undelivered: () => void): void {
    if (this.stopped) return;
    if (!this.child.connected) return undelivered();
    // (EPIPE: the child died; its exit, seen before or after this callback, restarts it.)
    this.child.send(request, (error) => {
      if (error) undelivered();
      else written();
    });
  }

  /**
   * Notes wait for the next pass and go in its message: one message per pass
   * (a save was two: the file changed, then the pass), so the child wakes once.
   */
  private note(note: Note): void {
    this.notes.push(note);
  }

  /** A pass's message, with the notes gathered since the last one. */
  private postLint(id: number, snapshots: readonly DocumentSnapshot[]): void {
    const notes = this.notes;
    this.notes = [];
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    waiter.undelivered = false;
    waiter.written = false;
    const send = ++waiter.sends;
    this.post(
      { kind: 'lint', id, notes, documents: this.updatesFor(snapshots) },
      () => {
        if (waiter.sends === send) waiter.written = true;
      },
      () => {
        if (waiter.sends === send) waiter.undelivered = true;
      },
    );
  }

  /** Ends a pass's wait with `error`. */
  private settle(id: number, error: Error): void {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (this.current?.id === id) this.current = undefined;
    waiter?.reject(error);
  }

  private failAll(error: Error): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, error);
  }

  /**
   * A newer pass is due while one runs: stops the running pass when it has run
   * for STOP_OUTDATED_AFTER_MS, by ending its child (analysis is synchronous,
   * so nothing short of that stops it) and starting a fresh one. Its promise
   * rejects with OutdatedPassError. Returns how long the stopped pass had run,
   * or undefined when it is left to finish (too young to be worth a cold start,
   * or itself the pass that followed a stop).
   */
  stopOutdatedPass(now = Date.now()): number | undefined {
    const pass = this.current;
    if (!pass || !pass.stoppable || this.stopped) return undefined;
    const ranFor = now - pass.startedAt;
    if (ranFor < STOP_OUTDATED_AFTER_MS) return undefined;
    const waiter = this.waiting.get(pass.id);
    this.waiting.delete(pass.id);
    const old = this.child;
    this.restart();
    old.kill('SIGKILL');
    this.lastWasStopped = true;
    waiter?.reject(new OutdatedPassError(ranFor));
    return ranFor;
  }

  setRoots(roots: readonly string[]): void {
    this.roots = [...new Set(roots.map((root) => path.resolve(root)))];
    this.note({ kind: 'roots', roots: this.roots });
  }

  /** The roots as the workspace has them (resolved, without repeats: see Workspace.setRoots). */
  getRoots(): readonly string[] {
    return this.roots;
  }

  filesChanged(): void {
    this.note({ kind: 'files-changed' });
  }

  fileChanged(file: string): void {
    this.note({ kind: 'file-changed', file });
  }

  lintDocuments(snapshots: DocumentSnapshot[]): Promise<PassResult> {
    const id = this.nextId++;
    this.current = { id, startedAt: Date.now(), stoppable: !this.lastWasStopped };
    this.lastWasStopped = false;
    let sent = 0;
    return new Promise((resolve, reject) => {
      // The child sends each document back without its text (a 5,000-line one is 200 KB each way): the
      // snapshot sent, in the same order, gives it back.
      const withTexts = (pass: PassResult): PassResult => ({
        ...pass,
        documents: pass.documents.map((result, i) => {
          const sent = snapshots[i];
          return sent && sent.uri === result.document.uri && sent.version === result.document.version ? { ...result, document: sent } : result;
        }),
      });
      const resend = (): boolean => {
        if (sent > 1) return false;
        sent++;
        // (A pass sent to a new child is running anew there.)
        this.current ??= { id, startedAt: Date.now(), stoppable: true };
        this.postLint(id, snapshots);
        return true;
      };
      this.waiting.set(id, { resolve: (pass) => resolve(withTexts(pass)), reject, resend, undelivered: false, written: false, sends: 0 });
      sent++;
      this.postLint(id, snapshots);
    });
  }

  /** Each document as the edits since the version the child holds, where they are known, else its text. */
  private updatesFor(snapshots: readonly DocumentSnapshot[]): DocumentUpdate[] {
    const open = new Set(snapshots.map((snapshot) => snapshot.uri));
    for (const uri of this.held.keys()) if (!open.has(uri)) this.held.delete(uri);
    return snapshots.map((snapshot) => {
      const { uri, path: file, version, text } = snapshot;
      const base = this.held.get(uri);
      const changes = base === undefined ? undefined : this.edits?.changesSince(uri, base, version);
      this.held.set(uri, version);
      this.edits?.settled(uri, version);
      return base !== undefined && changes ? { uri, path: file, version, base, changes, length: text.length } : { uri, path: file, version, text };
    });
  }

  /** Ends the child (at exit: a pass still running is abandoned). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.child.kill('SIGKILL');
  }
}
