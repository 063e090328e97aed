/**
 * What the integration tests share: the fixture folder, a temporary project
 * that may hold raw bytes (encodings, BOMs, CRLF), and a way to run the built
 * `bin/pyhang.js` that keeps stdout as bytes (`--fix --stdin-filename` prints
 * the fixed source in its own encoding).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, makeProject } from '../cli/run-pyhang.js';

export { repoRoot, runPyhang, removeProject } from '../cli/run-pyhang.js';

export const integrationFixtures = path.join(repoRoot, 'test', 'fixtures', 'integrations');
export const allRules = path.join(integrationFixtures, 'all-rules');
const bin = path.join(repoRoot, 'bin', 'pyhang.js');

/** Writes `files` (path → text or bytes) under a new temporary directory and returns it. */
export function tempProject(files: Record<string, string | Uint8Array>): string {
  return makeProject(files, 'pyhang-integration-');
}

export interface BytesResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runPyhangBytes(args: string[], options: { cwd: string; input?: Uint8Array }): BytesResult {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    input: options.input ?? Buffer.alloc(0),
    env,
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

/** A HANG001 hazard (`fut.result()` on line 6) with `lead` written before the call on its line. */
export function hazardSource(lead = ''): string {
  return [
    'import asyncio',
    'loop = asyncio.new_event_loop()',
    'async def work():',
    '    return 1',
    'fut = asyncio.run_coroutine_threadsafe(work(), loop)',
    `${lead}fut.result()`,
    '',
  ].join('\n');
}
