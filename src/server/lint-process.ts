/**
 * The language server's passes run in a child process: analysis is synchronous
 * (a 4 MB document took 34 s), and on the connection's thread it left every
 * request, shutdown included, unanswered until it was done. The child holds
 * the Workspace (its remembered facts and parse states stay warm between
 * passes); the server sends it what changed and the documents to lint, and
 * gets back each pass's result as plain data.
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
import type { PyhangMessage } from '../engine/lint.js';
import { loadWasmParser } from '../python/parser.js';

type Request =
  | { kind: 'roots'; roots: string[] }
  | { kind: 'files-changed' }
  | { kind: 'file-changed'; file: string }
  | { kind: 'lint'; id: number; snapshots: DocumentSnapshot[] };

type Reply = { id: number; pass: PassResult } | { id: number; error: string };

/** A message as plain data: its own fields (a VFileMessage is an Error, which a thread would get as a bare Error). */
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
  // Documents are parsed incrementally with web-tree-sitter, whose loading is asynchronous; requests
  // wait for it in their order of arrival (a failure to load reaches each file as an internal error).
  const ready = loadWasmParser();
  // The server is gone: nothing is left to lint for.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (request: Request) => void ready.then(() => serve(request)));
  function serve(request: Request): void {
    switch (request.kind) {
      case 'roots':
        workspace.setRoots(request.roots);
        return;
      case 'files-changed':
        workspace.filesChanged();
        return;
      case 'file-changed':
        workspace.fileChanged(request.file);
        return;
      case 'lint': {
        let reply: Reply;
        try {
          const pass = workspace.lintDocuments(request.snapshots);
          const documents = pass.documents.map((result) => ({
            document: result.document,
            messages: result.messages ? result.messages.map(plainMessage) : null,
            ...(result.messages ? {} : { error: describe(result.error) }),
          }));
          reply = { id: request.id, pass: { ...pass, documents } };
        } catch (error) {
          reply = { id: request.id, error: describe(error) };
        }
        send(reply);
      }
    }
  }
}

/** The server's side: a Workspace in a child process, one pass at a time. */
export class LintProcess {
  private child: ChildProcess;
  private roots: string[] = [];
  private nextId = 1;
  private stopped = false;
  private readonly waiting = new Map<number, { resolve: (pass: PassResult) => void; reject: (error: Error) => void }>();

  constructor() {
    this.child = this.start();
    // Killed with the server, whatever it is doing (process.exit runs these handlers synchronously).
    process.on('exit', () => this.stop());
  }

  private start(): ChildProcess {
    // No stdout: it is the server's protocol channel; stderr reaches the client's log as the server's does.
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.pass);
    });
    // A child that dies (out of memory on a huge document, say) fails its pass; the next pass gets a new one.
    child.on('exit', (code, signal) => {
      if (this.child !== child || this.stopped) return;
      this.failAll(new Error(`the analysis process stopped (${signal ?? `exit code ${code}`})`));
      this.child = this.start();
      if (this.roots.length > 0) this.post({ kind: 'roots', roots: this.roots });
    });
    child.on('error', (error) => this.failAll(error));
    child.unref();
    child.channel?.unref();
    return child;
  }

  private post(request: Request): void {
    if (!this.stopped && this.child.connected) this.child.send(request);
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  setRoots(roots: readonly string[]): void {
    this.roots = [...new Set(roots.map((root) => path.resolve(root)))];
    this.post({ kind: 'roots', roots: this.roots });
  }

  /** The roots as the workspace has them (resolved, without repeats: see Workspace.setRoots). */
  getRoots(): readonly string[] {
    return this.roots;
  }

  filesChanged(): void {
    this.post({ kind: 'files-changed' });
  }

  fileChanged(file: string): void {
    this.post({ kind: 'file-changed', file });
  }

  lintDocuments(snapshots: DocumentSnapshot[]): Promise<PassResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ kind: 'lint', id, snapshots });
    });
  }

  /** Ends the child (at exit: a pass still running is abandoned). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.child.kill('SIGKILL');
  }
}
