/**
 * Which `pyhang server` the extension starts, from its settings and the
 * workspace's trust: the bundled one by default, `pyhang.path` when set in a
 * trusted workspace, never a workspace's program in an untrusted one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Executable } from 'vscode-languageclient/node';
import { bundledEntry, expandPath, resolveServer, type ServerSettings } from '../src/server-command.js';

function fixture(): { extensionPath: string; workspace: string; local: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-server-command-'));
  const extensionPath = path.join(root, 'extension');
  fs.mkdirSync(path.dirname(bundledEntry(extensionPath)), { recursive: true });
  fs.writeFileSync(bundledEntry(extensionPath), '');
  const workspace = path.join(root, 'project');
  const local = path.join(workspace, 'node_modules', '.bin', 'pyhang');
  fs.mkdirSync(path.dirname(local), { recursive: true });
  fs.writeFileSync(local, '');
  return { extensionPath, workspace, local };
}

const defaults: ServerSettings = { enable: true, path: '', args: [], enableInUntrustedWorkspaces: false };

describe('resolveServer', () => {
  it('runs the bundled pyhang with the editor\'s Node by default, with no argument but `server`', () => {
    const { extensionPath, workspace } = fixture();
    const server = resolveServer(defaults, { trusted: true, extensionPath, workspaceFolder: workspace });
    const options = server.options as Executable;
    assert.equal(options.command, process.execPath);
    assert.deepEqual(options.args, [bundledEntry(extensionPath), 'server']);
    // With a transport, vscode-languageclient appends --stdio --clientProcessId=N.
    assert.equal(options.transport, undefined);
    assert.equal(options.options?.cwd, workspace);
    assert.equal(options.options?.env?.['ELECTRON_RUN_AS_NODE'], '1');
  });

  it('runs the workspace\'s node_modules/.bin/pyhang named by a relative pyhang.path, with pyhang.args', () => {
    const { extensionPath, workspace, local } = fixture();
    const settings = { ...defaults, path: 'node_modules/.bin/pyhang', args: ['--cache-dir', '/tmp/c'] };
    const options = resolveServer(settings, { trusted: true, extensionPath, workspaceFolder: workspace }).options as Executable;
    assert.equal(options.command, local);
    assert.deepEqual(options.args, ['--cache-dir', '/tmp/c', 'server']);
    assert.equal(options.transport, undefined);
  });

  it('ignores pyhang.path and pyhang.args in an untrusted workspace', () => {
    const { extensionPath, workspace } = fixture();
    const settings = { ...defaults, path: '${workspaceFolder}/node_modules/.bin/pyhang', args: ['--evil'], enableInUntrustedWorkspaces: true };
    const options = resolveServer(settings, { trusted: false, extensionPath, workspaceFolder: workspace }).options as Executable;
    assert.equal(options.command, process.execPath);
    assert.deepEqual(options.args, [bundledEntry(extensionPath), 'server']);
  });

  it('names the setting when pyhang.path does not exist', () => {
    const { extensionPath, workspace } = fixture();
    assert.throws(
      () => resolveServer({ ...defaults, path: 'bin/pyhang' }, { trusted: true, extensionPath, workspaceFolder: workspace }),
      /pyhang\.path "bin\/pyhang" does not exist \(resolved to .*project\/bin\/pyhang\)/,
    );
  });

  it('says how to build the extension when the bundled pyhang is missing', () => {
    const { workspace } = fixture();
    assert.throws(
      () => resolveServer(defaults, { trusted: true, extensionPath: path.join(workspace, 'nowhere'), workspaceFolder: workspace }),
      /bundled pyhang is missing .*npm run package/,
    );
  });
});

describe('expandPath', () => {
  it('expands ~, ${userHome} and ${workspaceFolder}, and resolves relative paths against the folder', () => {
    assert.equal(expandPath('~/bin/pyhang', '/w'), path.join(os.homedir(), 'bin/pyhang'));
    assert.equal(expandPath('${userHome}/bin/pyhang', '/w'), path.join(os.homedir(), 'bin/pyhang'));
    assert.equal(expandPath('${workspaceFolder}/node_modules/.bin/pyhang', '/w'), '/w/node_modules/.bin/pyhang');
    assert.equal(expandPath('tools/pyhang', '/w'), '/w/tools/pyhang');
    assert.equal(expandPath('/usr/local/bin/pyhang', undefined), '/usr/local/bin/pyhang');
  });

  it('refuses a relative path with no folder open', () => {
    assert.throws(() => expandPath('node_modules/.bin/pyhang', undefined), /relative, and no folder is open/);
  });
});
