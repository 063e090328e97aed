/**
 * `pyhang server` in a real editor: headless Neovim (Debian's 0.7 or newer)
 * starts the built binary with `vim.lsp.start_client`, opens a file with a
 * HANG001 hazard after non-ASCII text, and reports what it holds: the
 * diagnostics (columns in bytes, as Neovim converts them from UTF-16), the
 * code actions, and the line after applying the timeout fix.
 *
 * Needs `nvim` on PATH (`apt-get install neovim`); without it the test fails,
 * unless PYHANG_SKIP_EDITOR_TESTS=1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bin, fixtures, makeWorkspace, readFixture, repoRoot } from '../test/server/lsp-client.js';

/** The whole Neovim run is killed after this long. */
const NVIM_TIMEOUT_MS = 20_000;

const skip = process.env['PYHANG_SKIP_EDITOR_TESTS'] === '1' ? 'PYHANG_SKIP_EDITOR_TESTS=1' : false;

/** The fix-on-save autocommand of docs/editors.md's Neovim section, so that the page's snippet is what is tested. */
function fixOnSaveSnippet(): string {
  const page = fs.readFileSync(path.join(repoRoot, 'docs', 'editors.md'), 'utf8');
  const neovim = page.slice(page.indexOf('## Neovim'), page.indexOf('## Helix'));
  const snippet = [...neovim.matchAll(/```lua\n([\s\S]*?)```/g)].map((match) => match[1]!).find((code) => code.includes('source.fixAll.pyhang'));
  assert.ok(snippet, "docs/editors.md's Neovim section has no fix-on-save snippet");
  return snippet;
}

function nvimVersion(): string | null {
  const result = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) return null;
  return result.stdout.split('\n')[0] ?? '';
}

interface NvimRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runNvim(args: string[], env: Record<string, string>, cwd: string): Promise<NvimRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('nvim', args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), NVIM_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('pyhang server in Neovim', { skip }, () => {
  it('shows HANG001 at the right column, offers the fixes, applies the timeout fix, and fixes on save', { timeout: NVIM_TIMEOUT_MS + 10_000 }, async () => {
    const version = nvimVersion();
    assert.ok(version !== null, 'nvim is not installed: run `apt-get install neovim` (or set PYHANG_SKIP_EDITOR_TESTS=1 to skip editor tests)');

    const root = makeWorkspace({ 'hazard.py': readFixture('hazard.py') });
    try {
      const out = path.join(root, 'nvim-result.json');
      const onSave = path.join(root, 'on-save.lua');
      fs.writeFileSync(onSave, fixOnSaveSnippet());
      // Neovim's own state (LSP log, shada) stays in the temporary directory.
      const home = path.join(root, '.nvim-home');
      const run = await runNvim(
        ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(fixtures, 'neovim-e2e.lua')}`],
        {
          PYHANG_NVIM_OUT: out,
          PYHANG_NVIM_NODE: process.execPath,
          PYHANG_NVIM_BIN: bin,
          PYHANG_NVIM_ROOT: root,
          PYHANG_NVIM_FILE: path.join(root, 'hazard.py'),
          PYHANG_NVIM_ONSAVE: onSave,
          XDG_CACHE_HOME: path.join(home, 'cache'),
          XDG_STATE_HOME: path.join(home, 'state'),
          XDG_DATA_HOME: path.join(home, 'data'),
          XDG_CONFIG_HOME: path.join(home, 'config'),
        },
        root,
      );
      assert.equal(run.signal, null, `${version} was killed after ${NVIM_TIMEOUT_MS} ms; stderr:\n${run.stderr}`);
      assert.ok(fs.existsSync(out), `${version} wrote no result (exit ${run.code}); stderr:\n${run.stderr}`);
      const result = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.equal(result.error, undefined, `the Lua script failed in ${version}: ${result.error}`);

      assert.deepEqual(result.diagnostics, [
        {
          lnum: 6,
          // Neovim holds byte columns: `s = "é😀"; ` is 9 code points, 11 UTF-16 units, 15 bytes.
          col: 17,
          end_lnum: 6,
          end_col: 26,
          severity: 1,
          source: 'pyhang',
          code: 'HANG001',
          href: 'https://github.com/pyhang/pyhang/blob/main/docs/rules/HANG001.md',
          message:
            '`fut.result()` can block forever without a timeout',
        },
      ]);
      assert.deepEqual(result.actions, [
        'Pass timeout=30 (unsafe: raises TimeoutError instead of waiting forever)',
        'Suppress HANG001 with `# noqa: HANG001`',
      ]);
      assert.match(result.fixed_line, /^s = "é😀"; fut\.result\(timeout=30\)  #/);
      assert.equal(result.cleared_after_fix, true, 'the finding went away after the fix');
      // Fix on save: the stale `# noqa` is shown, then gone from the file written; the unsafe timeout fix stays as applied.
      assert.equal(result.stale_noqa_reported, true, 'HANG100 reported the stale noqa before the save');
      assert.equal(result.saved_last_line, 'print("saved")');
      assert.match(result.saved_fixed_line, /^s = "é😀"; fut\.result\(timeout=30\)  #/);
      assert.equal(result.cleared_after_save, true, 'no finding left after the save');
      assert.equal(result.stopped, true, 'the server stopped when Neovim asked');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
