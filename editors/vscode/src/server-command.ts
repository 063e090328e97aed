/**
 * Which `pyhang server` the extension starts.
 *
 * By default the pyhang bundled in the extension (`server/`, a copy of the
 * built npm package with its production dependencies), run by the editor's
 * own Node (the extension host's `process.execPath`, as Electron-as-Node in
 * VS Code desktop): installing the extension is enough, as with Ruff's. With
 * `pyhang.path` set, in a trusted workspace, that executable instead, for
 * example `node_modules/.bin/pyhang` to use the version a project pins (as
 * the ESLint extension uses the project's eslint).
 *
 * Kept free of `vscode` imports beyond the client's types so it reads as the
 * rule it is: settings in, one command out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerOptions } from 'vscode-languageclient/node';

export interface ServerSettings {
  enable: boolean;
  path: string;
  args: string[];
  enableInUntrustedWorkspaces: boolean;
}

export interface ServerContext {
  /** Whether the workspace is trusted; untrusted, `pyhang.path` and `pyhang.args` are ignored. */
  trusted: boolean;
  extensionPath: string;
  /** The first workspace folder: relative paths resolve against it, and the server runs in it. */
  workspaceFolder: string | undefined;
}

export interface ResolvedServer {
  options: ServerOptions;
  /** For the output channel and error messages: which pyhang, from where. */
  description: string;
}

/** The bundled package's entry point, laid out by `scripts/bundle-server.mjs`. */
export function bundledEntry(extensionPath: string): string {
  return path.join(extensionPath, 'server', 'bin', 'pyhang.js');
}

/** `~`, `${workspaceFolder}` and `${userHome}` expanded, then resolved against the workspace folder. */
export function expandPath(setting: string, workspaceFolder: string | undefined): string {
  let value = setting.trim();
  const home = os.homedir();
  if (value === '~' || value.startsWith('~/')) value = home + value.slice(1);
  value = value.replaceAll('${userHome}', home);
  if (workspaceFolder !== undefined) value = value.replaceAll('${workspaceFolder}', workspaceFolder);
  if (path.isAbsolute(value)) return value;
  if (workspaceFolder === undefined) {
    throw new Error(`pyhang.path "${setting}" is relative, and no folder is open to resolve it against`);
  }
  return path.resolve(workspaceFolder, value);
}

export function resolveServer(settings: ServerSettings, context: ServerContext): ResolvedServer {
  const cwd = context.workspaceFolder;
  // In an untrusted workspace its settings could point pyhang.path at any program.
  const args = context.trusted ? settings.args : [];
  const serverArgs = [...args, 'server'];

  if (context.trusted && settings.path.trim() !== '') {
    const command = expandPath(settings.path, cwd);
    if (!fs.existsSync(command)) {
      throw new Error(`pyhang.path "${settings.path}" does not exist (resolved to ${command})`);
    }
    return {
      // No `transport`: with one, the client appends `--stdio --clientProcessId=N`, which
      // `pyhang server` would reject; without, it speaks over the child's stdin/stdout.
      options: { command, args: serverArgs, options: { cwd } },
      description: `${command} ${serverArgs.join(' ')} (pyhang.path)`,
    };
  }

  const module = bundledEntry(context.extensionPath);
  if (!fs.existsSync(module)) {
    throw new Error(`the bundled pyhang is missing (${module}); build the extension with \`npm run package\``);
  }
  return {
    // Run by the editor's own Node: Electron needs ELECTRON_RUN_AS_NODE to act as one, and
    // plain Node (code-server's) ignores it. An executable rather than the client's `module`
    // form, which always appends arguments `pyhang server` would reject (see above).
    options: {
      command: process.execPath,
      args: [module, ...serverArgs],
      options: { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
    },
    description: `the bundled pyhang (${module} ${serverArgs.join(' ')})`,
  };
}
