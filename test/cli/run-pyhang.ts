/**
 * Runs the built `bin/pyhang.js` as a subprocess, the way a user or CI runs it,
 * and makes throwaway projects for cases that cannot live in the repository
 * (a `.gitignore` would hide its own fixture from git; `.venv` is in many
 * global gitignores; symlink loops).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/cli/run-pyhang.js → the repository root. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const fixtures = path.join(repoRoot, 'test', 'fixtures', 'cli');
const bin = path.join(repoRoot, 'bin', 'pyhang.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runPyhang(args: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): RunResult {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (!options.env?.['NO_COLOR']) delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Starts the built binary without waiting for it, for tests that act while it
 * runs (send it a signal). `nodeOptions` go to Node itself (`--require` a hook).
 */
export function spawnPyhang(args: string[], options: { cwd: string; nodeOptions?: string[] }): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  return spawn(process.execPath, [...(options.nodeOptions ?? []), bin, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The canonical HANG001 hazard: line 7, columns 10–19 (`.result()`). */
export const HAZARD = fs.readFileSync(path.join(fixtures, 'basic', 'hazard.py'), 'utf8');

/** Writes `files` (path → text or bytes) under a new temporary directory and returns it. */
export function makeProject(files: Record<string, string | Uint8Array>, prefix = 'pyhang-cli-'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}

export function removeProject(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

export interface CompactLine {
  path: string;
  line: number;
  column: number;
  code: string;
}

/** Parses `--format compact` output into findings, for order-insensitive-free comparisons. */
export function parseCompact(stdout: string): CompactLine[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      const match = /^(.*):(\d+):(\d+): (\S+) /.exec(text);
      if (!match) throw new Error(`not a compact line: ${text}`);
      return { path: match[1]!, line: Number(match[2]), column: Number(match[3]), code: match[4]! };
    });
}

/** `path:line CODE` for each finding, the shortest readable form for assertions. */
export function findings(stdout: string): string[] {
  return parseCompact(stdout).map((f) => `${f.path}:${f.line} ${f.code}`);
}
