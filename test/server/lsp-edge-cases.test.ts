/**
 * The server at the edges of the protocol, driven over stdio like the other
 * server tests: a frame whose Content-Length is shorter than its body (the
 * server used to stay alive but answer nothing more), a client that closes
 * the server's stdout (it used to die with exit code 7, a crash in its own
 * error handler), and `untitled:` buffers, which are checked with the
 * workspace's settings like any document.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFixture, uriOf, withServer } from './lsp-client.js';

const HAZARD = readFixture('hazard.py');

function frame(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

describe('pyhang server: malformed frames', () => {
  for (const [what, header] of [
    ['too short', (length: number) => `Content-Length: ${length - 7}\r\n\r\n`],
    ['far too short', () => 'Content-Length: 1\r\n\r\n'],
    ['zero', () => 'Content-Length: 0\r\n\r\n'],
  ] as const) {
    it(`a Content-Length ${what} for its body: the server finds the next message and keeps answering`, async () => {
      await withServer({ 'hazard.py': HAZARD }, async (client, root) => {
        await client.initialize(root);
        const body = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///nowhere.py', languageId: 'python', version: 1, text: 'x = 1\n' } } });
        client.process.stdin.write(Buffer.concat([Buffer.from(header(Buffer.byteLength(body)), 'ascii'), Buffer.from(body, 'utf8')]));
        const uri = uriOf(path.join(root, 'hazard.py'));
        client.open(uri, HAZARD, 1);
        assert.deepEqual((await client.diagnosticsFor(uri, 1)).map((d: any) => d.code), ['HANG001']);
        assert.equal(await client.request('shutdown', null), null);
        client.notify('exit', null);
        assert.equal(await client.exited(), 0);
        assert.match(client.stderr, /pyhang: malformed message from the client/);
      });
    });
  }

  it('a frame cut short across writes is still found and answered', async () => {
    await withServer({ 'hazard.py': HAZARD }, async (client, root) => {
      await client.initialize(root);
      const good = frame(JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'shutdown', params: null }));
      // A short frame, then the next message split byte by byte.
      client.process.stdin.write('Content-Length: 3\r\n\r\n{"jsonrpc":"2.0","method":"x"}');
      for (const byte of good) client.process.stdin.write(Buffer.of(byte));
      const answered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 15_000);
        client.process.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString('utf8').includes('"id":77')) {
            clearTimeout(timer);
            resolve(true);
          }
        });
      });
      assert.ok(answered, `no answer to the shutdown request; stderr:\n${client.stderr}`);
    });
  });
});

describe('pyhang server: stdout closed by the client', () => {
  it('exits quietly, as when its input closes (1: no shutdown came), not with a crash', async () => {
    await withServer({ 'hazard.py': HAZARD }, async (client, root) => {
      client.process.stdout.destroy();
      // The answer to initialize, and the log message after it, meet a closed pipe.
      client.process.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: uriOf(root), capabilities: {} } })));
      client.process.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} })));
      client.process.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: uriOf(path.join(root, 'hazard.py')), languageId: 'python', version: 1, text: HAZARD } } })));
      assert.equal(await client.exited(), 1);
      assert.equal(client.stderr, '');
    });
  });
});

describe('pyhang server: untitled buffers', () => {
  it('are checked, with the settings of the workspace', async () => {
    await withServer({ 'pyproject.toml': '[tool.pyhang]\nseverity = { HANG001 = "warning" }\n', 'other.py': 'x = 1\n' }, async (client, root) => {
      await client.initialize(root);
      const uri = 'untitled:Untitled-1';
      client.open(uri, HAZARD, 1);
      const diagnostics = await client.diagnosticsFor(uri, 1);
      assert.deepEqual(diagnostics.map((d: any) => [d.code, d.severity]), [['HANG001', 2]]);
      const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0].range, context: { diagnostics } });
      assert.ok(actions.length > 0, 'and offered fixes');
      client.change(uri, HAZARD.replace('fut.result()', 'fut.result(timeout=5)'), 2);
      assert.deepEqual(await client.diagnosticsFor(uri, 2), []);
    });
  });

  it('are checked with the defaults when there is no workspace', async () => {
    await withServer({}, async (client) => {
      await client.initialize(null);
      const uri = 'untitled:Untitled-2';
      client.open(uri, HAZARD, 1);
      assert.deepEqual((await client.diagnosticsFor(uri, 1)).map((d: any) => [d.code, d.severity]), [['HANG001', 1]]);
    });
  });
});

describe('pyhang server: a pyproject.toml that cannot be pyhang\'s', () => {
  it('is named once in the log and passed over: no error shown, the files are linted', async () => {
    const template = '[project]\nname = "{{folder_name}}"\n{{folder_name}} = "{{folder_name}}.main:run"\n';
    await withServer({ 'hazard.py': HAZARD, 'pyproject.toml': template }, async (client, root) => {
      await client.initialize(root);
      const uri = uriOf(path.join(root, 'hazard.py'));
      client.open(uri, HAZARD, 1);
      assert.deepEqual((await client.diagnosticsFor(uri, 1)).map((d: any) => d.code), ['HANG001']);
      const logged = await client.waitForNotification('window/logMessage', (params) => /pyproject\.toml/.test(params.message));
      assert.equal(logged.type, 2, 'a warning');
      assert.match(logged.message, /^pyhang: pyproject\.toml:3:\d+: invalid TOML: .*; it has no \[tool\.pyhang\], so it is passed over$/);
      client.change(uri, HAZARD, 2);
      await client.diagnosticsFor(uri, 2);
      assert.equal(client.notifications.filter((n) => n.method === 'window/logMessage' && /pyproject/.test(n.params.message)).length, 1, 'once');
      assert.equal(client.notifications.filter((n) => n.method === 'window/showMessage').length, 0);
    });
  });
});
