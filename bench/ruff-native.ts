/**
 * Native Ruff, the tool a user runs, for the benchmark's "faster than Ruff"
 * target: the `ruff` package from the Python package index, pinned, in a
 * private virtual environment the benchmark makes itself (`python3 -m venv`,
 * then `pip install ruff==RUFF_PIN`), so that no Ruff on the PATH and no
 * Python project's settings change what is measured.
 *
 * The environment is kept under the user's cache directory
 * (`$XDG_CACHE_HOME/pyhang-bench/ruff-VERSION`, `~/.cache/...` by default), so
 * only the first benchmark installs it; deleting that directory makes the next
 * one install it again.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The Ruff release the benchmark runs. Pinned, so that two benchmarks compare
 * the same Ruff; the newest release the package index this machine uses holds
 * (pip resolves `ruff==` against the index pip is configured with).
 */
export const RUFF_PIN = '0.16.9';

export interface NativeRuff {
  /** The `ruff` executable inside the environment. */
  bin: string;
  /** As `ruff --version` prints it, e.g. `ruff 0.16.9`. */
  version: string;
  /** Whether this call installed it (false: the cached environment was reused). */
  installed: boolean;
}

function cacheRoot(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'pyhang-bench');
}

/** Where the pinned Ruff's environment lives. */
export function ruffVenv(pin = RUFF_PIN): string {
  return path.join(cacheRoot(), `ruff-${pin}`);
}

function versionOf(bin: string): string | null {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The pinned Ruff, installed on first use. Throws (with pip's last lines)
 * when it cannot be installed: the benchmark then reports the row as failed.
 */
export function ensureNativeRuff(progress: (text: string) => void, pin = RUFF_PIN): NativeRuff {
  const venv = ruffVenv(pin);
  const bin = path.join(venv, 'bin', 'ruff');
  const cached = versionOf(bin);
  if (cached === `ruff ${pin}`) return { bin, version: cached, installed: false };
  progress(`installing ruff==${pin} into ${venv} (once; later runs reuse it)`);
  fs.rmSync(venv, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  try {
    execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', `ruff==${pin}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    fs.rmSync(venv, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim().split('\n').slice(-3).join(' ') ?? String(error);
    throw new Error(`could not install ruff==${pin} (python3 -m venv, pip install): ${stderr}`);
  }
  const version = versionOf(bin);
  if (version !== `ruff ${pin}`) throw new Error(`installed ruff==${pin}, but ${bin} --version says ${version ?? 'nothing'}`);
  return { bin, version, installed: true };
}

/** The arguments of the measured run: the target's command, with JSON output to count findings. */
export function ruffCheckArgs(root: string): string[] {
  return ['check', '--select', 'ASYNC', '--no-cache', '--config', 'exclude=[]', '--exit-zero', '--output-format', 'json', root];
}

/** Counts by code of a `ruff check --output-format json` report (syntax errors have no code). */
export function ruffCounts(file: string): { findings: number; byCode: Record<string, number> } {
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { code: string | null }[];
  const byCode: Record<string, number> = {};
  for (const item of report) {
    const code = item.code ?? 'syntax-error';
    byCode[code] = (byCode[code] ?? 0) + 1;
  }
  return { findings: report.length, byCode };
}
