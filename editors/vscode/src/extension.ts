/**
 * The pyhang extension: starts `pyhang server` (an LSP server over stdio) for
 * the Python files of the window, and restarts it when its settings change.
 *
 * Which pyhang runs is decided in `server-command.ts`; this file owns the
 * client's life: trust, settings, the two commands, and the output channel.
 */
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { resolveServer, type ServerSettings } from './server-command.js';

const ID = 'pyhang';
const NAME = 'pyhang';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
/** Serializes starts and stops: a settings change during a start waits for it. */
let queue: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  // One channel for the server's log and the trace (`pyhang.trace.server`), kept across restarts.
  output = vscode.window.createOutputChannel(NAME);
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('pyhang.restart', () => enqueue(async () => {
      await stop();
      await start(context);
    })),
    vscode.commands.registerCommand('pyhang.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(ID) && !onlyTraceChanged(event)) {
        enqueue(async () => {
          await stop();
          await start(context);
        });
      }
    }),
    // Trusting the workspace is the user's opt-in: start then, without a reload.
    vscode.workspace.onDidGrantWorkspaceTrust(() => enqueue(() => start(context))),
  );

  enqueue(() => start(context));
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

/** The client applies `pyhang.trace.server` by itself; restarting for it would lose the trace's start. */
function onlyTraceChanged(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(`${ID}.trace`)
    && !['enable', 'path', 'args', 'enableInUntrustedWorkspaces'].some((key) => event.affectsConfiguration(`${ID}.${key}`));
}

function enqueue(task: () => Promise<void>): void {
  queue = queue.then(task).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    output?.appendLine(`pyhang: ${message}`);
    void vscode.window.showErrorMessage(`pyhang: ${message}`, 'Show output').then((choice) => {
      if (choice) output?.show(true);
    });
  });
}

function readSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration(ID);
  return {
    enable: config.get<boolean>('enable', true),
    path: config.get<string>('path', ''),
    args: config.get<string[]>('args', []),
    enableInUntrustedWorkspaces: config.get<boolean>('enableInUntrustedWorkspaces', false),
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  if (client) return;
  const settings = readSettings();
  if (!settings.enable) {
    output?.appendLine('pyhang: not started: pyhang.enable is false');
    return;
  }
  const trusted = vscode.workspace.isTrusted;
  if (!trusted && !settings.enableInUntrustedWorkspaces) {
    output?.appendLine('pyhang: not started: the workspace is not trusted (see pyhang.enableInUntrustedWorkspaces)');
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server = resolveServer(settings, { trusted, extensionPath: context.extensionPath, workspaceFolder: folder });
  output?.appendLine(`pyhang: starting ${server.description}`);

  const serverOptions: ServerOptions = server.options;
  const clientOptions: LanguageClientOptions = {
    // The server lints files on disk (file: URIs) only; untitled buffers have none.
    documentSelector: [{ scheme: 'file', language: 'python' }],
    outputChannel: output,
    traceOutputChannel: output,
  };
  const next = new LanguageClient(ID, NAME, serverOptions, clientOptions);
  client = next;
  try {
    await next.start();
  } catch (error) {
    client = undefined;
    throw new Error(`the server (${server.description}) did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (current) await current.stop();
}
