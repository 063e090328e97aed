/**
 * `pyhang server` over stdio, driven by a JSON-RPC client against the built
 * binary (`node bin/pyhang.js server`), as an editor runs it: diagnostics on
 * open, change and save with UTF-16 ranges, code actions, cross-module
 * findings with related locations, configuration errors, and robustness
 * against messages no editor should send.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient, fixtures, makeWorkspace, readFixture, uriOf } from './lsp-client.js';

const HAZARD = readFixture('hazard.py');
const HAZARD_FIXED = HAZARD.replace('fut.result()', 'fut.result(timeout=5)');
const HAZARD_LINE = 6;

const HANG001_MESSAGE =
  '`fut.result()` can block forever without a timeout';

describe('pyhang server: one document', () => {
  let client: LspClient;
  let root: string;
  let uri: string;

  before(async () => {
    root = makeWorkspace({ 'hazard.py': HAZARD });
    uri = uriOf(path.join(root, 'hazard.py'));
    client = new LspClient([], root);
    const result = await client.initialize(root);
    assert.equal(result.serverInfo.name, 'pyhang');
    assert.equal(result.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.ok(result.capabilities.codeActionProvider, 'code actions offered');
  });

  after(() => {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('publishes HANG001 on open, with code, docs URL, severity, source and a UTF-16 range', async () => {
    client.open(uri, HAZARD, 1);
    const diagnostics = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(diagnostics, [
      {
        // `s = "é😀"; ` is 9 code points but 11 UTF-16 units (😀 is a surrogate pair): `.result()` starts at 14.
        range: { start: { line: HAZARD_LINE, character: 14 }, end: { line: HAZARD_LINE, character: 23 } },
        severity: 1,
        source: 'pyhang',
        message: HANG001_MESSAGE,
        code: 'HANG001',
        codeDescription: { href: 'https://github.com/pyhang/pyhang/blob/main/docs/rules/HANG001.md' },
      },
    ]);
  });

  it('clears the diagnostics when a change fixes the hazard', async () => {
    client.change(uri, HAZARD_FIXED, 2);
    assert.deepEqual(await client.diagnosticsFor(uri, 2), []);
  });

  it('reports again when the change is undone, after the debounce', async () => {
    client.change(uri, HAZARD, 3);
    const diagnostics = await client.diagnosticsFor(uri, 3);
    assert.deepEqual(diagnostics.map((d: any) => d.code), ['HANG001']);
  });

  it('debounces: a burst of changes is linted once, at its last version', async () => {
    const before = client.notifications.length;
    client.change(uri, HAZARD_FIXED, 4);
    client.change(uri, HAZARD, 5);
    client.change(uri, HAZARD_FIXED, 6);
    client.change(uri, HAZARD, 7);
    await client.diagnosticsFor(uri, 7);
    const versions = client.notifications
      .slice(before)
      .filter((n) => n.method === 'textDocument/publishDiagnostics')
      .map((n) => n.params.version);
    assert.deepEqual(versions, [7]);
  });

  it('lints on save', async () => {
    const before = client.notifications.length;
    client.notify('textDocument/didSave', { textDocument: { uri } });
    await client.waitForNotification('textDocument/publishDiagnostics', (params) => params.uri === uri, { after: before });
  });

  it('offers the timeout fix and the noqa suppression as code actions', async () => {
    const [diagnostic] = await client.diagnosticsFor(uri, 7);
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    assert.deepEqual(
      actions.map((a: any) => a.title),
      ['Pass timeout=30 (unsafe: raises TimeoutError instead of waiting forever)', 'Suppress HANG001 with `# noqa: HANG001`'],
    );
    const [fix, noqa] = actions;
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(fix.diagnostics, [diagnostic]);
    assert.deepEqual(fix.edit, {
      documentChanges: [
        {
          textDocument: { uri, version: 7 },
          // Just inside the parentheses of `.result()`, in UTF-16 units.
          edits: [{ range: { start: { line: HAZARD_LINE, character: 22 }, end: { line: HAZARD_LINE, character: 22 } }, newText: 'timeout=30' }],
        },
      ],
    });
    const lineLength = HAZARD.split('\n')[HAZARD_LINE]!.length; // JS lengths are UTF-16 units, as LSP's
    assert.deepEqual(noqa.edit, {
      documentChanges: [
        {
          textDocument: { uri, version: 7 },
          edits: [{ range: { start: { line: HAZARD_LINE, character: lineLength }, end: { line: HAZARD_LINE, character: lineLength } }, newText: '  # noqa: HANG001' }],
        },
      ],
    });
  });

  it('applying the noqa edit silences the finding', async () => {
    const lines = HAZARD.split('\n');
    lines[HAZARD_LINE] += '  # noqa: HANG001';
    client.change(uri, lines.join('\n'), 8);
    assert.deepEqual(await client.diagnosticsFor(uri, 8), []);
  });

  it('adds the code to an existing noqa list', async () => {
    const lines = HAZARD.split('\n');
    lines[HAZARD_LINE] = 's = "é😀"; fut.result()  # noqa: HANG003 because';
    const text = lines.join('\n');
    client.change(uri, text, 9);
    const [diagnostic] = await client.diagnosticsFor(uri, 9);
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
    const noqa = actions.find((a: any) => a.title.startsWith('Suppress'));
    // After `HANG003`: `s = "é😀"; fut.result()  # noqa: HANG003` is 40 UTF-16 units.
    assert.deepEqual(noqa.edit.documentChanges[0].edits, [
      { range: { start: { line: HAZARD_LINE, character: 40 }, end: { line: HAZARD_LINE, character: 40 } }, newText: ', HANG001' },
    ]);
  });

  it('reports a noqa comment that suppresses nothing (HANG100), at the comment', async () => {
    // The document the test above left: `# noqa: HANG003` on a line where only HANG001 fires.
    const diagnostics = await client.diagnosticsFor(uri, 9);
    assert.deepEqual(
      diagnostics.map((d: any) => [d.code, d.range.start.character, d.range.end.character]),
      // `s = "é😀"; fut.result()  ` is 25 UTF-16 units; `# noqa: HANG003` ends at 40.
      [['HANG001', 14, 23], ['HANG100', 25, 40]],
    );
  });

  it('applies incremental changes, as editors send them, with ranges in UTF-16 units', async () => {
    client.change(uri, HAZARD, 10);
    assert.equal((await client.diagnosticsFor(uri, 10)).length, 1);
    // A line inserted at the top moves the finding down.
    client.changeRange(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# moved down\n', 11);
    assert.deepEqual(
      (await client.diagnosticsFor(uri, 11)).map((d: any) => [d.code, d.range]),
      [['HANG001', { start: { line: HAZARD_LINE + 1, character: 14 }, end: { line: HAZARD_LINE + 1, character: 23 } }]],
    );
    // `timeout=5` typed inside `.result()`, after the surrogate pair of 😀: the finding goes.
    client.changeRange(uri, { start: { line: HAZARD_LINE + 1, character: 22 }, end: { line: HAZARD_LINE + 1, character: 22 } }, 'timeout=5', 12);
    assert.deepEqual(await client.diagnosticsFor(uri, 12), []);
  });

  it('clears the diagnostics of a closed document', async () => {
    const before = client.notifications.length;
    client.notify('textDocument/didClose', { textDocument: { uri } });
    const params = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri, { after: before });
    assert.deepEqual(params.diagnostics, []);
  });

  it('survives garbage and keeps answering', async () => {
    client.open(uri, HAZARD, 20);
    await client.diagnosticsFor(uri, 20);
    // A body that is not JSON, behind a correct Content-Length header.
    client.sendRaw('{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {');
    // JSON, but not JSON-RPC.
    client.sendRaw('[1, 2, 3]');
    // A notification with params of the wrong shape.
    client.notify('textDocument/didOpen', {});
    // Changes and saves for a document that was never opened.
    const unopened = uriOf(path.join(path.dirname(new URL(uri).pathname), 'never-opened.py'));
    client.notify('textDocument/didChange', { textDocument: { uri: unopened, version: 2 }, contentChanges: [{ text: 'x = 1\n' }] });
    client.notify('textDocument/didSave', { textDocument: { uri: unopened } });
    client.notify('textDocument/didClose', { textDocument: { uri: unopened } });
    // An unknown notification and an unknown request.
    client.notify('pyhang/noSuchNotification', { x: 1 });
    await assert.rejects(client.request('pyhang/noSuchMethod', {}), (error: any) => {
      assert.equal(error.rpc?.code, -32601, 'MethodNotFound');
      return true;
    });
    // Code actions for a document that is not open: nothing, not an error.
    assert.deepEqual(
      await client.request('textDocument/codeAction', {
        textDocument: { uri: unopened },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [] },
      }),
      [],
    );
    // Still linting.
    client.change(uri, HAZARD_FIXED, 21);
    assert.deepEqual(await client.diagnosticsFor(uri, 21), []);
    assert.equal(client.process.exitCode, null, 'still running');
  });

  it('exits with code 0 after shutdown and exit', async () => {
    assert.equal(await client.request('shutdown', null), null);
    client.notify('exit', null);
    assert.equal(await client.exited(), 0);
  });
});

describe('pyhang server: fix all (source.fixAll.pyhang)', () => {
  // Stale suppressions (HANG100, a safe fix) next to a HANG001 whose fix is unsafe.
  const TEXT = [
    'import asyncio',
    'print("ready")  # noqa: HANG002',
    'def wait_quietly(loop):',
    '    fut = asyncio.run_coroutine_threadsafe(asyncio.sleep(1), loop)',
    '    s = "😀"; return fut.result()  # noqa: HANG001, HANG003',
    'def wait_forever(loop):',
    '    fut = asyncio.run_coroutine_threadsafe(asyncio.sleep(1), loop)',
    '    return fut.result()',
    '',
  ].join('\n');
  let client: LspClient;
  let root: string;
  let uri: string;

  before(async () => {
    root = makeWorkspace({ 'stale.py': TEXT });
    uri = uriOf(path.join(root, 'stale.py'));
    client = new LspClient([], root);
    const result = await client.initialize(root);
    assert.deepEqual(result.capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.pyhang']);
    client.open(uri, TEXT, 1);
    const codes = (await client.diagnosticsFor(uri, 1)).map((d: any) => d.code);
    assert.deepEqual(codes.sort(), ['HANG001', 'HANG100', 'HANG100']);
  });

  after(() => {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const wholeDocument = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };

  it('applies every safe fix as one edit when asked for source.fixAll, and leaves the unsafe one', async () => {
    // What VS Code sends for `"editor.codeActionsOnSave": {"source.fixAll": "explicit"}`.
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: wholeDocument,
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(
      actions.map((a: any) => [a.title, a.kind]),
      [['pyhang: fix all auto-fixable problems', 'source.fixAll.pyhang']],
    );
    const [change] = actions[0].edit.documentChanges;
    assert.deepEqual(change.textDocument, { uri, version: 1 });
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, TEXT), change.edits);
    assert.equal(
      fixed,
      TEXT.replace('print("ready")  # noqa: HANG002', 'print("ready")').replace('# noqa: HANG001, HANG003', '# noqa: HANG001'),
    );
    // The edit spans only what changed, from line 1 to line 4: the cursor and folds elsewhere stay put.
    assert.deepEqual([change.edits.length, change.edits[0].range.start.line, change.edits[0].range.end.line], [1, 1, 4]);

    client.change(uri, fixed, 2);
    const after = await client.diagnosticsFor(uri, 2);
    assert.deepEqual(after.map((d: any) => [d.code, d.range.start.line]), [['HANG001', 7]], 'the unsafe timeout fix is not applied on save');
  });

  it('offers fix-all beside the quick fixes when the client asks for every kind, and not for quickfix only', async () => {
    client.change(uri, TEXT, 3);
    const [stale] = (await client.diagnosticsFor(uri, 3)).filter((d: any) => d.code === 'HANG100');
    const ask = (only?: string[]) =>
      client.request('textDocument/codeAction', { textDocument: { uri }, range: stale.range, context: { diagnostics: [stale], ...(only ? { only } : {}) } });
    const every = (await ask()).map((a: any) => [a.title, a.kind]);
    assert.deepEqual(every, [
      // HANG100's own fix is safe: no "(unsafe: ...)" in its title.
      ['Remove the unused `noqa` directive', 'quickfix'],
      ['Suppress HANG100 with `# noqa: HANG100`', 'quickfix'],
      ['pyhang: fix all auto-fixable problems', 'source.fixAll.pyhang'],
    ]);
    assert.deepEqual((await ask(['quickfix'])).map((a: any) => a.kind), ['quickfix', 'quickfix']);
    assert.deepEqual((await ask(['source.organizeImports'])), []);
  });

  it('answers fix-all for the text being saved, even before the debounced pass has run', async () => {
    // A keystroke, then at once the save's request: the server lints version 4 first.
    client.changeRange(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# edited\n', 4);
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: wholeDocument,
      context: { diagnostics: [], only: ['source.fixAll.pyhang'] },
    });
    assert.equal(actions.length, 1);
    const [change] = actions[0].edit.documentChanges;
    assert.deepEqual(change.textDocument, { uri, version: 4 });
    const edited = `# edited\n${TEXT}`;
    assert.equal(
      TextDocument.applyEdits(TextDocument.create(uri, 'python', 4, edited), change.edits),
      edited.replace('print("ready")  # noqa: HANG002', 'print("ready")').replace('# noqa: HANG001, HANG003', '# noqa: HANG001'),
    );
  });
});

describe('pyhang server: a workspace', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = makeWorkspace({
      'app.py': readFixture('cross-module', 'app.py'),
      'helpers.py': readFixture('cross-module', 'helpers.py'),
    });
    client = new LspClient(['--stdio'], root);
    await client.initialize(root);
  });

  after(() => {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports HANG002 through a function imported from a file that is not open, with a related location in it', async () => {
    const app = uriOf(path.join(root, 'app.py'));
    client.open(app, readFixture('cross-module', 'app.py'));
    const diagnostics = await client.diagnosticsFor(app, 1);
    assert.equal(diagnostics.length, 1);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic.code, 'HANG002');
    assert.equal(diagnostic.severity, 2);
    assert.deepEqual(diagnostic.range, { start: { line: 5, character: 4 }, end: { line: 5, character: 10 } });
    assert.deepEqual(diagnostic.relatedInformation, [
      {
        location: {
          uri: uriOf(path.join(root, 'helpers.py')),
          // Read from disk: `    note = "😀"; ` is 16 code points but 17 UTF-16 units.
          range: { start: { line: 4, character: 17 }, end: { line: 4, character: 31 } },
        },
        message: 'raises SystemExit here',
      },
    ]);
  });

  it('re-lints an open document when an open file it depends on changes', async () => {
    const app = uriOf(path.join(root, 'app.py'));
    const helpers = uriOf(path.join(root, 'helpers.py'));
    const text = readFixture('cross-module', 'helpers.py');
    client.open(helpers, text);
    await client.diagnosticsFor(helpers, 1);
    // Unsaved: the editor's text wins over the file on disk.
    const start = client.notifications.length;
    client.change(helpers, text.replace('sys.exit(code)', 'raise ValueError(code)'), 2);
    assert.deepEqual(await client.diagnosticsFor(helpers, 2), []);
    const cleared = await client.waitForNotification('textDocument/publishDiagnostics', (params) => params.uri === app, { after: start });
    assert.deepEqual(cleared, { uri: app, version: 1, diagnostics: [] });
  });

  it('reads a file changed on disk when the client says so', async () => {
    const app = uriOf(path.join(root, 'app.py'));
    const helpers = uriOf(path.join(root, 'helpers.py'));
    const closed = client.notifications.length;
    client.notify('textDocument/didClose', { textDocument: { uri: helpers } });
    // helpers.py on disk still exits: the finding is back.
    const back = await client.waitForNotification('textDocument/publishDiagnostics', (params) => params.uri === app, { after: closed });
    assert.deepEqual(back.diagnostics.map((d: any) => d.code), ['HANG002']);
    const written = client.notifications.length;
    fs.writeFileSync(path.join(root, 'helpers.py'), 'def die(code):\n    return code\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: helpers, type: 2 }] });
    const gone = await client.waitForNotification('textDocument/publishDiagnostics', (params) => params.uri === app, { after: written });
    assert.deepEqual(gone.diagnostics, []);
  });

  it('reads a file it loaded on demand again when it changed on disk, unannounced', async () => {
    // Clients that do not watch files (Neovim 0.7) never say: the next pass must see the change anyway.
    const app = uriOf(path.join(root, 'app.py'));
    const text = readFixture('cross-module', 'app.py');
    client.change(app, `${text}\n`, 2);
    assert.deepEqual(await client.diagnosticsFor(app, 2), [], 'helpers.py no longer exits (the last test wrote it)');
    fs.writeFileSync(path.join(root, 'helpers.py'), readFixture('cross-module', 'helpers.py'));
    client.change(app, text, 3);
    const diagnostics = await client.diagnosticsFor(app, 3);
    assert.deepEqual(diagnostics.map((d) => d.code), ['HANG002']);
  });

  it('exits with code 0', async () => {
    await client.request('shutdown', null);
    client.notify('exit', null);
    assert.equal(await client.exited(), 0);
  });
});

describe('pyhang server: configuration', () => {
  it('shows a broken pyproject.toml with window/showMessage and lints with the defaults', async () => {
    const root = makeWorkspace({
      'pyproject.toml': readFixture('broken-config', 'pyproject.toml'),
      'hazard.py': HAZARD,
    });
    const client = new LspClient([], root);
    try {
      await client.initialize(root);
      const uri = uriOf(path.join(root, 'hazard.py'));
      client.open(uri, HAZARD);
      const shown = await client.waitForNotification('window/showMessage');
      assert.equal(shown.type, 1);
      assert.match(shown.message, /^pyhang: pyproject\.toml: \[tool\.pyhang\] unknown key 'selekt' \(did you mean 'select'\?\)/);
      const diagnostics = await client.diagnosticsFor(uri, 1);
      assert.deepEqual(diagnostics.map((d: any) => d.code), ['HANG001']);
      await client.request('shutdown', null);
      client.notify('exit', null);
      assert.equal(await client.exited(), 0);
    } finally {
      client.kill();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('applies [tool.pyhang] from the workspace', async () => {
    const root = makeWorkspace({
      'pyproject.toml': '[tool.pyhang]\nseverity = { HANG001 = "warning" }\nfix-timeout = 7\n',
      'hazard.py': HAZARD,
    });
    const client = new LspClient([], root);
    try {
      await client.initialize(root);
      const uri = uriOf(path.join(root, 'hazard.py'));
      client.open(uri, HAZARD);
      const [diagnostic] = await client.diagnosticsFor(uri, 1);
      assert.equal(diagnostic.severity, 2);
      const actions = await client.request('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic] },
      });
      assert.equal(actions[0].title, 'Pass timeout=7 (unsafe: raises TimeoutError instead of waiting forever)');
      assert.equal(client.notifications.filter((n) => n.method === 'window/showMessage').length, 0);
      // The log says which configuration governs the document, once.
      const said = client.notifications
        .filter((n) => n.method === 'window/logMessage' && /configured by|default settings/.test(n.params.message))
        .map((n) => n.params.message);
      assert.deepEqual(said, [`pyhang: ${path.join(root, 'hazard.py')} is configured by ${path.join(root, 'pyproject.toml')}`]);
      // A file outside the workspace, with no [tool.pyhang] above it, gets the defaults, and the log says so.
      const nested = makeWorkspace({ 'a.py': 'x = 1\n' });
      try {
        const other = uriOf(path.join(nested, 'a.py'));
        client.open(other, 'x = 1\n');
        await client.diagnosticsFor(other, 1);
        const log = await client.waitForNotification('window/logMessage', (p) => p.message.includes(path.join(nested, 'a.py')));
        assert.equal(log.message, `pyhang: ${path.join(nested, 'a.py')} uses the default settings (no [tool.pyhang] above it)`);
      } finally {
        fs.rmSync(nested, { recursive: true, force: true });
      }
    } finally {
      client.kill();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

// Fixtures are read relative to this directory; fail clearly if the layout moves.
assert.ok(fs.existsSync(path.join(fixtures, 'hazard.py')), `missing fixture ${path.join(fixtures, 'hazard.py')}`);
