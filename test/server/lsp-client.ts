/**
 * A minimal LSP client for tests: JSON-RPC with Content-Length framing over a
 * child process's stdio, written by hand so tests can also send what no real
 * client would (a malformed body). Every wait is bounded: a broken server fails
 * the test instead of hanging it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** dist/test/server/lsp-client.js → the repository root. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const fixtures = path.join(repoRoot, 'test', 'fixtures', 'server');
export const bin = path.join(repoRoot, 'bin', 'pyhang.js');

export const DEFAULT_WAIT_MS = 15_000;

export interface ResponseError {
  code: number;
  message: string;
}

export interface Notification {
  method: string;
  params: any;
}

interface Pending {
  resolve: (value: any) => void;
  reject: (error: Error & { rpc?: ResponseError }) => void;
  timer: NodeJS.Timeout;
}

interface Waiter {
  method: string;
  matches: (params: any) => boolean;
  resolve: (params: any) => void;
  timer: NodeJS.Timeout;
}

export class LspClient {
  readonly process: ChildProcessWithoutNullStreams;
  /** Every notification the server sent, in order. */
  readonly notifications: Notification[] = [];
  stderr = '';
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private waiters: Waiter[] = [];
  private readonly exit: Promise<number | null>;

  /** Starts `node bin/pyhang.js server [...args]` in `cwd`. */
  constructor(args: string[] = [], cwd: string = repoRoot) {
    this.process = spawn(process.execPath, [bin, 'server', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.process.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    // Writing to a server that died must fail the test through its assertions, not crash the runner.
    this.process.stdin.on('error', () => {});
    this.exit = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
  }

  request(method: string, params: unknown, timeoutMs = DEFAULT_WAIT_MS): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no response to ${method} within ${timeoutMs} ms; server stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Sends `body` framed with a correct Content-Length header, whatever it holds. */
  sendRaw(body: string): void {
    const bytes = Buffer.from(body, 'utf8');
    this.process.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]));
  }

  /**
   * The first notification `method` whose params satisfy `matches`, among those
   * received from index `after` of `notifications` on (already here or still to come).
   */
  waitForNotification(
    method: string,
    matches: (params: any) => boolean = () => true,
    { after = 0, timeoutMs = DEFAULT_WAIT_MS }: { after?: number; timeoutMs?: number } = {},
  ): Promise<any> {
    const seen = this.notifications.slice(after).find((n) => n.method === method && matches(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        method,
        matches,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          const got = this.notifications.filter((n) => n.method === method).map((n) => JSON.stringify(n.params));
          reject(new Error(`no matching ${method} within ${timeoutMs} ms; got:\n${got.join('\n')}\nserver stderr:\n${this.stderr}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Diagnostics published for `uri` at document version `version`. */
  diagnosticsFor(uri: string, version: number, timeoutMs = DEFAULT_WAIT_MS): Promise<any[]> {
    return this.waitForNotification('textDocument/publishDiagnostics', (params) => params.uri === uri && params.version === version, {
      timeoutMs,
    }).then((params) => params.diagnostics);
  }

  /** The exit code, or a rejection if the process is still running after `timeoutMs`. */
  exited(timeoutMs = DEFAULT_WAIT_MS): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server still running after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.exit, timeout]).finally(() => clearTimeout(timer));
  }

  /** Ends the server however it is doing; for `after` hooks. */
  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
  }

  async initialize(rootDir: string | null): Promise<any> {
    const rootUri = rootDir === null ? null : pathToFileURL(rootDir).href;
    const result = await this.request('initialize', {
      processId: process.pid,
      clientInfo: { name: 'pyhang-test' },
      rootUri,
      workspaceFolders: rootDir === null ? null : [{ uri: rootUri, name: path.basename(rootDir) }],
      capabilities: {
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
        },
        workspace: { workspaceEdit: { documentChanges: true } },
      },
    });
    this.notify('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  /** Replaces the whole text (a full-document change event). */
  change(uri: string, text: string, version: number): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Replaces a range of the text: the incremental change event editors send to a server that asks for them, as pyhang's does. */
  changeRange(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string, version: number): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  private send(message: unknown): void {
    this.sendRaw(JSON.stringify(message));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length: *(\d+)/i.exec(header);
      if (!match) throw new Error(`server sent a header without Content-Length: ${header}`);
      const length = Number(match[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      this.onMessage(JSON.parse(body));
    }
  }

  private onMessage(message: any): void {
    if ('id' in message && ('result' in message || 'error' in message)) {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) {
        const error = new Error(`${message.error.code}: ${message.error.message}`) as Error & { rpc?: ResponseError };
        error.rpc = message.error;
        pending.reject(error);
      } else {
        pending.resolve(message.result);
      }
      return;
    }
    if ('id' in message) {
      // A request from the server (registerCapability, workDoneProgress/create): accept it.
      this.send({ jsonrpc: '2.0', id: message.id, result: null });
      return;
    }
    this.notifications.push({ method: message.method, params: message.params });
    for (const waiter of [...this.waiters]) {
      if (waiter.method === message.method && waiter.matches(message.params)) {
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message.params);
      }
    }
  }
}

/** Writes `files` (path → content) under a new temporary directory and returns its real path. */
export function makeWorkspace(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-server-')));
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}

export function readFixture(...parts: string[]): string {
  return fs.readFileSync(path.join(fixtures, ...parts), 'utf8');
}

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

/** Runs `body` with a server started in a new workspace of `files`; the server is killed and the workspace removed after. */
export async function withServer(files: Record<string, string>, body: (client: LspClient, root: string) => Promise<void>): Promise<void> {
  const root = makeWorkspace(files);
  const client = new LspClient([], root);
  try {
    await body(client, root);
  } finally {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
