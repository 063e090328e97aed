/**
 * Worker threads: a project large enough for them analyses its first looks and
 * the files the analysis needs on demand in worker threads; the answer must be
 * exactly the one-thread answer (`--jobs 1`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { HAZARD, makeProject, removeProject, runPyhang } from './run-pyhang.js';

/** `pyhang check --jobs N` on a project with findings: each one, with its path relative to the project. */
function findings(root: string, jobs: string, env?: Record<string, string>): { file: string; line: number; ruleId: string; message: string }[] {
  // Forced: on a machine with fewer cores, `--jobs 3` alone would be capped (and say so on stderr).
  const result = runPyhang(['check', '--no-cache', '--jobs', jobs, '--force-jobs', '--format', 'json', '.'], { cwd: root, env });
  assert.equal(result.stderr, '');
  assert.equal(result.status, 1);
  const reported = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; line: number; message: string }[] }[];
  return reported.flatMap((file) =>
    file.messages.map((m) => ({ file: file.filePath.slice(root.length + 1), line: m.line, ruleId: m.ruleId, message: m.message })),
  );
}

describe('--jobs', () => {
  it('worker threads report what one thread reports, chains through files loaded on demand included', (t) => {
    // A coroutine reaches sys.exit() through helpers in files the pre-filter skips: they are loaded
    // on demand, several at a time in the workers. 40 helpers deep, plus filler for the workers.
    const files: Record<string, string> = {
      'app/__init__.py': '',
      'app/service.py':
        'import asyncio\nfrom app.step0 import step\n\n\nasync def handle(msg):\n    step(msg)\n\n\ndef ask(loop):\n    return asyncio.run_coroutine_threadsafe(handle(1), loop).result()\n',
    };
    for (let i = 0; i < 40; i++) {
      files[`app/step${i}.py`] =
        i === 39
          ? 'import sys\n\n\ndef step(code):\n    sys.exit(code)\n'
          : `from app.step${i + 1} import step as deeper\nfrom app.side${i} import noop\n\n\ndef step(code):\n    noop()\n    return deeper(code)\n`;
      files[`app/side${i}.py`] = 'def noop():\n    return None\n';
    }
    for (let i = 0; i < 80; i++) files[`app/filler${i}.py`] = `VALUE = ${i}\n`;
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const run = (jobs: string, env?: Record<string, string>) => findings(root, jobs, env).map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.message}`);
    // Two threads: the worker parses, this one analyses. Three: the workers analyse too.
    const threaded = run('2');
    assert.deepEqual(threaded, run('1'));
    assert.deepEqual(run('3'), threaded);
    // Without the native parse, the workers analyse everything.
    assert.deepEqual(run('2', { PYHANG_NATIVE_PARSE: '0' }), threaded);
    assert.ok(
      // The message names the first call and where the exit is raised, at the chain's end: the whole chain was followed.
      threaded.some((line) => line.startsWith('app/service.py:6 HANG002') && line.includes('`SystemExit`') && line.includes('via `step()` (step39.py:5)')),
      threaded.join('\n'),
    );
  });

  it('worker threads find the files that only name a wrapper, as one thread does', (t) => {
    // The clients mention neither asyncio nor a coroutine: only the rounds that search every skipped
    // file for the wrapper's name bring them in, and with workers those searches run in the workers.
    const files: Record<string, string> = {
      'bridge.py':
        'import asyncio\n\nLOOP = asyncio.new_event_loop()\n\n\ndef submit_to_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
      // Names the wrapper in a comment only: searched, loaded, nothing to report.
      'notes.py': '# submit_to_loop(...) is the way in\nVALUE = 1\n',
    };
    for (let i = 0; i < 30; i++) {
      files[`client${i}.py`] = `from bridge import submit_to_loop\n\n\ndef ask(job):\n    return submit_to_loop(job()).result()\n`;
    }
    for (let i = 0; i < 80; i++) files[`filler${i}.py`] = `def submit(x):\n    return x + ${i}\n`;
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const run = (jobs: string) => findings(root, jobs).map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort();
    const threaded = run('2');
    assert.deepEqual(threaded, Array.from({ length: 30 }, (_, i) => `client${i}.py:5 HANG001`).sort());
    assert.deepEqual(run('1'), threaded);
  });

  it('a skipped file naming what a later round found is still searched and checked, with or without the native addon', (t) => {
    // Round 1 finds `relay` (it calls the wrapper); only round 2 searches the skipped files for `relay(`,
    // which each file's word summary from its first look must not rule out: the latin-1 file (a coding
    // cookie, a blank before `(`) included. The package re-exports a wrapper by a star import: the load gate
    // must not rule it out either. The fillers define `relay_all`, which no search must confuse with `relay`.
    const files: Record<string, string | Uint8Array> = {
      'bridge.py': 'import asyncio\n\nLOOP = asyncio.new_event_loop()\n\n\ndef submit_to_loop(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
      'relay.py': 'from bridge import submit_to_loop\n\n\ndef relay(job):\n    return submit_to_loop(job())\n',
      'client.py': 'from relay import relay\n\n\ndef ask(job):\n    return relay(job).result()\n',
      'latin_client.py': Buffer.from('# -*- coding: latin-1 -*-\n# r\xe9sum\xe9 of the jobs\nfrom relay import relay\n\n\ndef ask(job):\n    return relay (job).result()\n', 'latin1'),
      'pkg/__init__.py': 'from .core import *\n',
      'pkg/core.py':
        'import asyncio\n\n__all__ = ["submit_job"]\n\nLOOP = asyncio.new_event_loop()\n\n\ndef submit_job(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
      'pkg_client.py': 'from pkg import submit_job\n\n\ndef go(job):\n    return submit_job(job()).result()\n',
    };
    // Enough files that worker threads are used (src/engine/lint-files.ts).
    for (let i = 0; i < 80; i++) files[`filler${i}.py`] = `def relay_all(jobs):\n    return [relay_all_one(j) for j in jobs] + [${i}]\n`;
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const run = (jobs: string, env?: Record<string, string>) => findings(root, jobs, env).map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort();
    const expected = ['client.py:5 HANG001', 'latin_client.py:7 HANG001', 'pkg_client.py:5 HANG001'];
    assert.deepEqual(run('2'), expected);
    assert.deepEqual(run('1'), expected);
    assert.deepEqual(run('2', { PYHANG_NATIVE_PARSE: '0' }), expected);
    assert.deepEqual(run('1', { PYHANG_NATIVE_PARSE: '0' }), expected);
  });

  it('--jobs past the number of cores is capped at it, with a note on stderr, unless --force-jobs', (t) => {
    const cores = Math.max(1, os.availableParallelism());
    const files: Record<string, string> = { 'hazard.py': HAZARD };
    // Enough files that worker threads are used (src/engine/lint-files.ts).
    for (let i = 0; i < 80; i++) files[`filler${i}.py`] = `VALUE = ${i}\n`;
    const root = makeProject(files);
    t.after(() => removeProject(root));
    const expected = runPyhang(['check', '--no-cache', '--jobs', '1', '--format', 'compact', '.'], { cwd: root });
    assert.equal(expected.status, 1);
    const capped = runPyhang(['check', '--no-cache', '--jobs', '256', '--format', 'compact', '.'], { cwd: root });
    const plural = cores === 1 ? 'core' : 'cores';
    assert.equal(capped.stderr, `pyhang: note: --jobs 256 is more than the ${cores} ${plural} here: using ${cores} (--force-jobs uses 256)\n`);
    assert.equal(capped.status, 1);
    assert.equal(capped.stdout, expected.stdout);
    // At or under the core count, and when forced, nothing is said.
    const atCores = runPyhang(['check', '--no-cache', '--jobs', String(cores), '--format', 'compact', '.'], { cwd: root });
    assert.equal(atCores.stderr, '');
    const forced = runPyhang(['check', '--no-cache', '--jobs', String(cores + 1), '--force-jobs', '--format', 'compact', '.'], { cwd: root });
    assert.equal(forced.stderr, '');
    assert.equal(forced.stdout, expected.stdout);
  });
});
