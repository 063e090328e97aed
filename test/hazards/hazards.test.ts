/**
 * Each rule's hazard, proven on the machine's CPython.
 *
 * Every directory `test/hazards/<CODE>/` holds `hazard.py` (the hazard as users
 * write it), `fixed.py` (what the rule's docs advise instead) and `expect.json`
 * saying what each program does when run and what pyhang reports on it. The
 * programs print what they observe (`done=False`, `loop-thread-alive=False`)
 * before they block, so a claim in the docs is checked, not only the hang.
 *
 * A program is killed (its whole process group) at its time limit; `"outcome":
 * "timeout"` means it had to be. Nothing here is timed otherwise: the limit only
 * bounds the test, and the hazards hang forever.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../cli/run-pyhang.js';

interface ProgramExpectation {
  /** `timeout`: still blocked at the limit; `exit`: ended by itself with `exitCode`. */
  outcome: 'timeout' | 'exit';
  exitCode?: number;
  /** Lines the program must print (each must appear as a whole line). */
  stdout: string[];
  /** The rule codes pyhang reports on the program, sorted; `[]` for none. */
  codes: string[];
}

interface HazardExpectation {
  /** The docs' claim this directory proves, in one sentence. */
  claim: string;
  /** Seconds a program may run before it is killed (default DEFAULT_LIMIT_SECONDS). */
  limitSeconds?: number;
  hazard: ProgramExpectation;
  fixed: ProgramExpectation;
}

const hazardsDir = path.join(repoRoot, 'test', 'hazards');
/**
 * Long enough for CPython to start and reach its wait on a busy 2-core machine
 * (startup alone took 2-3 s at a load of 30); the programs run side by side,
 * so the file takes about this long, not this times the programs.
 */
const DEFAULT_LIMIT_SECONDS = 10;

/**
 * The interpreter itself, not a launcher: pyenv's `python3` shim runs shell
 * scripts first, which under load ate most of a program's time limit.
 */
function findPython(): string | null {
  const requested = process.env['PYHANG_TEST_PYTHON'] ?? 'python3';
  const found = spawnSync(requested, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}
const python = findPython();

interface ProgramRun {
  timedOut: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` with CPython, killing its process group at `limitSeconds`. */
function runPython(file: string, limitSeconds: number): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    // `detached` gives the program its own process group, so the kill also
    // reaches any process it started: no leftovers after the test.
    const child = spawn(python!, ['-u', file], { cwd: path.dirname(file), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone between the timer and the kill.
      }
    }, limitSeconds * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ timedOut, exitCode, stdout, stderr });
    });
  });
}

/**
 * The codes pyhang reports on `file`. Asynchronous on purpose: the programs
 * run side by side, and a synchronous spawn here would hold the event loop,
 * so a program that ended meanwhile would be seen only after its kill timer
 * (and counted as still blocked).
 */
async function reportedCodes(file: string): Promise<string[]> {
  const run = promisify(execFile);
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, [path.join(repoRoot, 'bin', 'pyhang.js'), 'check', '--no-cache', '--format', 'json', path.basename(file)], {
      cwd: path.dirname(file),
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (error) {
    // Exit 1 (findings) is an answer; anything else fails the test.
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    assert.equal(failed.code, 1, `pyhang exited ${failed.code}: ${failed.stderr}`);
    stdout = failed.stdout ?? '';
  }
  const files = JSON.parse(stdout) as { messages: { ruleId: string }[] }[];
  return [...new Set(files.flatMap((entry) => entry.messages.map((message) => message.ruleId)))].sort();
}

// Concurrent: the programs mostly wait (that is the hazard), so they run side by side.
describe('hazard reproductions on CPython', { concurrency: true }, () => {
  it('finds python3 (the reproductions need it)', () => {
    assert.ok(python, 'python3 did not run: install CPython 3 or set PYHANG_TEST_PYTHON');
  });

  const codes = fs
    .readdirSync(hazardsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const code of codes) {
    const dir = path.join(hazardsDir, code);
    const expectation = JSON.parse(fs.readFileSync(path.join(dir, 'expect.json'), 'utf8')) as HazardExpectation;
    describe(`${code}: ${expectation.claim}`, { concurrency: true }, () => {
      for (const variant of ['hazard', 'fixed'] as const) {
        const expected = expectation[variant];
        const file = path.join(dir, `${variant}.py`);
        it(`${variant}.py ${expected.outcome === 'timeout' ? 'is still blocked at its limit' : 'ends by itself'}, as the docs say`, async () => {
          const run = await runPython(file, expectation.limitSeconds ?? DEFAULT_LIMIT_SECONDS);
          const detail = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
          assert.equal(run.timedOut, expected.outcome === 'timeout', `timed out: ${run.timedOut}\n${detail}`);
          if (expected.outcome === 'exit') assert.equal(run.exitCode, expected.exitCode ?? 0, detail);
          const lines = run.stdout.split('\n').map((line) => line.trimEnd());
          for (const line of expected.stdout) assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)}\n${detail}`);
        });
        it(`pyhang reports ${expected.codes.length ? expected.codes.join(', ') : 'nothing'} on ${variant}.py`, async () => {
          assert.deepEqual(await reportedCodes(file), expected.codes);
        });
      }
    });
  }
});
