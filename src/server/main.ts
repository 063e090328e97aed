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

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  routeConsoleToClient(connection);
  // A bug must cost one pass, not the session: log it to the client and keep serving.
  process.on('uncaughtException', (error) => {
    connection.console.error(`pyhang: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  });
  listen(connection);
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
