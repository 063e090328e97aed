/**
 * `pyhang server`: the language server over stdio.
 *
 * The connection is made on stdin/stdout explicitly rather than chosen from
 * argv by `createConnection()`, so the server speaks stdio with no flag at all
 * and `--stdio` (which editors' LSP clients like to pass) changes nothing.
 */
import { format } from 'node:util';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node.js';
import { listen } from './language-server.js';
import { FrameGuard } from './frames.js';

export function startServer(): void {
  // Input goes through FrameGuard, which finds the next message after a malformed frame (see frames.ts).
  const input = process.stdin.pipe(new FrameGuard((message) => process.stderr.write(message)));
  const connection = createConnection(ProposedFeatures.all, input, process.stdout);
  routeConsoleToClient(connection);
  let session: { shutdownReceived: boolean } | undefined;
  // The client closed our stdout: nobody is left to answer. Exit as vscode-languageserver does when
  // stdin closes (0 after a shutdown request, else 1), quietly: an EPIPE left unhandled became an
  // uncaught exception whose handler, logging to the client, failed again (exit code 7).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(session?.shutdownReceived ? 0 : 1);
  });
  // A bug must cost one pass, not the session: log it to the client and keep serving.
  process.on('uncaughtException', (error) => {
    try {
      connection.console.error(`pyhang: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } catch {
      // The connection itself is broken: there is no session left to keep.
      process.exit(1);
    }
  });
  session = listen(connection);
}

/**
 * Stdout carries the protocol; a stray `console.log` anywhere in the process
 * would corrupt it. Send console output to the client's log instead.
 */
function routeConsoleToClient(connection: Connection): void {
  console.log = (...args: unknown[]) => connection.console.log(format(...args));
  console.info = (...args: unknown[]) => connection.console.info(format(...args));
  console.debug = (...args: unknown[]) => connection.console.log(format(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
}
