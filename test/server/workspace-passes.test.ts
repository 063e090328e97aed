/**
 * What the editor shows pass after pass, where a finding in an open document
 * depends on another file: the server keeps its project index between passes
 * when only the open documents changed (LintSession), so every edit here
 * must show what a first pass over the same files shows: no finding kept
 * from an earlier text, none missing. Each step checks the findings a user
 * sees, and that a new workspace (no earlier pass) sees the same.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Workspace, type DocumentSnapshot } from '../../src/server/workspace.js';
import { loadWasmParser } from '../../src/python/parser.js';
import { makeWorkspace, uriOf } from './lsp-client.js';
import { repoRoot } from '../fuzz/corpus.js';
import { fixtureFiles } from '../rule-tester.js';

// The Workspace parses documents incrementally with web-tree-sitter, which the server loads first.
await loadWasmParser();

/** An editor session over a folder: open documents with their versions, and one Workspace across passes. */
class Session {
  readonly workspace = new Workspace();
  private readonly open = new Map<string, DocumentSnapshot>();
  private version = 0;
  /** The last pass's findings in full (see findingsOf). */
  shown: Record<string, string[]> = {};

  constructor(readonly root: string) {
    this.workspace.setRoots([root]);
  }

  /** Opens or edits a document (its text in the editor, not on disk). */
  type(file: string, text: string): void {
    const full = path.join(this.root, file);
    this.open.set(file, { uri: uriOf(full), path: full, version: ++this.version, text });
  }

  /** Saves another file on disk, as a tool or another editor would, and the client's file watcher says so. */
  writeOnDisk(file: string, text: string): void {
    const full = path.join(this.root, file);
    fs.writeFileSync(full, text);
    this.workspace.fileChanged(full);
  }

  /**
   * The findings shown for each open document after a pass (`HANG001 17:20`),
   * checked against a first pass: with their ends, messages, related
   * locations and fixes too.
   */
  pass(): Record<string, string[]> {
    const shown = findingsOf(this.workspace, [...this.open.values()]);
    this.shown = shown;
    const fresh = new Workspace();
    fresh.setRoots([this.root]);
    assert.deepEqual(shown, findingsOf(fresh, [...this.open.values()]), 'a later pass shows what a first pass over the same files shows');
    return Object.fromEntries(Object.entries(shown).map(([file, findings]) => [file, findings.map((f) => f.slice(0, f.indexOf('-')))]));
  }
}

/** Each open document's findings: `HANG001 17:20-17:32 message [related] fix`. */
function findingsOf(workspace: Workspace, documents: DocumentSnapshot[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const result of workspace.lintDocuments(documents).documents) {
    assert.ok(result.messages, `linting ${result.document.path} failed: ${String(result.error)}`);
    out[path.basename(result.document.path)] = result.messages.map((m) => {
      const end = m.place && 'end' in m.place ? `-${m.place.end.line}:${m.place.end.column}` : '-';
      const related = (m.related ?? []).map((r) => ` [${path.basename(r.path)}:${r.loc.start.line}:${r.loc.start.column}-${r.loc.end.line}:${r.loc.end.column} ${r.message}]`);
      const fix = m.fix ? ` fix ${JSON.stringify(m.fix.edits)}` : '';
      return `${m.ruleId} ${m.line}:${m.column}${end} ${m.reason}${related.join('')}${fix}`;
    });
  }
  return out;
}

function withSession(files: Record<string, string>, test: (session: Session) => void): void {
  const root = makeWorkspace(files);
  try {
    test(new Session(root));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const REEXPORT = `"""Re-exports the job helpers under a shorter name."""
from app import submit_job as submit
`;

/** The same re-export in a module the pre-filter lets through (it has a coroutine): indexed from the first pass on. */
const REEXPORT_WITH_COROUTINE = `"""Re-exports the job helpers under a shorter name."""
import asyncio

from app import submit_job as submit


async def idle():
    await asyncio.sleep(1)
`;

const RUNNER = `import asyncio

from bridge import submit

LOOP = asyncio.new_event_loop()


async def work():
    return 1


def run():
    return submit().result()
`;

const SUBMIT_JOB = `

def submit_job():
    return asyncio.run_coroutine_threadsafe(work(), LOOP)
`;

/** A re-export that picks one of two helpers: a value of two terms, each read through the open document. */
const REEXPORT_PICKING = `"""Picks the job helper for this platform."""
import asyncio
import sys

from app import submit_job, submit_later

submit = submit_job if sys.platform != "win32" else submit_later


async def idle():
    await asyncio.sleep(1)
`;

describe('server passes: an edit whose effect goes through another file', () => {
  for (const [what, bridge] of [
    ['skipped by the pre-filter', REEXPORT],
    ['indexed from the first pass', REEXPORT_WITH_COROUTINE],
    ['picking one of two helpers', REEXPORT_PICKING],
  ]) {
    it(`a wrapper the open document adds, reached back through a re-export on disk (${what}), is found, and forgotten once removed`, () => {
      withSession({ 'bridge.py': bridge!, 'app.py': RUNNER }, (session) => {
        session.type('app.py', RUNNER);
        assert.deepEqual(session.pass(), { 'app.py': [] });
        // `bridge.submit` is `app.submit_job`: defined now, it returns a run_coroutine_threadsafe future.
        session.type('app.py', RUNNER + SUBMIT_JOB);
        assert.deepEqual(session.pass(), { 'app.py': ['HANG001 13:20'] });
        session.type('app.py', RUNNER.replace('.result()', '.result(timeout=5)') + SUBMIT_JOB);
        assert.deepEqual(session.pass(), { 'app.py': [] });
        session.type('app.py', RUNNER + SUBMIT_JOB);
        assert.deepEqual(session.pass(), { 'app.py': ['HANG001 13:20'] });
        session.type('app.py', RUNNER + SUBMIT_JOB.replace('asyncio.run_coroutine_threadsafe(work(), LOOP)', 'None'));
        assert.deepEqual(session.pass(), { 'app.py': [] });
      });
    });
  }

  it("a helper's wait in the open document is a finding while a closed file passes it a future, and not once that file changes on disk", () => {
    const jobs = `import asyncio

from app import finish

LOOP = asyncio.new_event_loop()


async def fetch():
    return 1


def start():
    return finish(asyncio.run_coroutine_threadsafe(fetch(), LOOP))
`;
    const helper = `import asyncio
import logging


def finish(fut):
    logging.info("waiting")
    return fut.result()


async def tick():
    await asyncio.sleep(1)
`;
    withSession({ 'jobs.py': jobs, 'app.py': helper }, (session) => {
      session.type('app.py', helper);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 7:15'] });
      session.type('app.py', helper.replace('fut.result()', 'fut.result(timeout=5)'));
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.type('app.py', helper.replace('def finish(fut)', 'def finish(fut, /)'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 7:15'] });
      // The caller on disk stops passing a future: the wait is on whatever it passes now.
      session.writeOnDisk('jobs.py', jobs.replace('finish(asyncio.run_coroutine_threadsafe(fetch(), LOOP))', 'finish(None)'));
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.writeOnDisk('jobs.py', jobs);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 7:15'] });
    });
  });

  it('the open document starts and stops passing its future to a helper in a closed file that waits on it', () => {
    const waiter = 'def wait_for(fut):\n    return fut.result()\n';
    const start = `import asyncio

from waiter import wait_for

LOOP = asyncio.new_event_loop()


async def fetch():
    return 1


def start():
    future = asyncio.run_coroutine_threadsafe(fetch(), LOOP)
    return wait_for(future)
`;
    withSession({ 'waiter.py': waiter, 'app.py': start }, (session) => {
      // The finding is in waiter.py, which is not open: the open document also waits, to be seen.
      const waits = start + '\n\ndef also():\n    return wait_for(asyncio.run_coroutine_threadsafe(fetch(), LOOP)).result()\n';
      session.type('app.py', waits);
      const before = session.pass();
      session.type('app.py', waits.replace('return wait_for(future)', 'return future.result()'));
      assert.deepEqual(session.pass()['app.py'], ['HANG001 14:18']);
      session.type('app.py', waits);
      assert.deepEqual(session.pass(), before);
    });
  });

  it('a coroutine added in the open document that calls a helper raising SystemExit in a file the pre-filter skips', () => {
    const helpers = 'import logging\n\n\ndef bail(code):\n    logging.error("stopping with %s", code)\n    raise SystemExit(code)\n';
    const quiet = 'import asyncio\n\nfrom shutdown_helpers import bail\n\n\nasync def main():\n    await asyncio.sleep(0)\n';
    withSession({ 'shutdown_helpers.py': helpers, 'app.py': quiet }, (session) => {
      session.type('app.py', quiet);
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.type('app.py', quiet + '    bail(1)\n');
      assert.deepEqual(session.pass(), { 'app.py': ['HANG002 8:5'] });
      session.type('app.py', quiet + '    print(1)\n');
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.type('app.py', quiet + '\n\nasync def stop():\n    bail(2)\n');
      assert.deepEqual(session.pass(), { 'app.py': ['HANG002 11:5'] });
      // The helper changes on disk: it only logs now.
      session.writeOnDisk('shutdown_helpers.py', helpers.replace('raise SystemExit(code)', 'return code'));
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.writeOnDisk('shutdown_helpers.py', helpers);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG002 11:5'] });
    });
  });

  it("what callers pass to a closed file's class, read in the open document, follows the document's calls", () => {
    const store = `import asyncio
import threading

LOOP = asyncio.new_event_loop()


async def fetch():
    return 1


class Box:
    """Holds a pending result for another thread."""

    def __init__(self, fut):
        self.fut = fut
        self.lock = threading.Lock()
`;
    const app = `import asyncio

from store import LOOP, Box, fetch


def start():
    box = Box(None)
    return box.fut.result()
`;
    const submitted = 'Box(asyncio.run_coroutine_threadsafe(fetch(), LOOP))';
    withSession({ 'store.py': store, 'app.py': app }, (session) => {
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.type('app.py', app.replace('Box(None)', submitted));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 8:19'] });
      // The same call passes a list of futures now: the box holds no future itself.
      session.type('app.py', app.replace('Box(None)', submitted.replace('Box(', 'Box([').replace('LOOP))', 'LOOP)])')));
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.type('app.py', app.replace('Box(None)', submitted));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 8:19'] });
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': [] });
      // The box is a parameter now, and the document calls Box nowhere: nobody passes it a future.
      const annotated = app.replace('def start():\n    box = Box(None)\n', 'def start(box: Box):\n');
      session.type('app.py', annotated);
      assert.deepEqual(session.pass(), { 'app.py': [] });
      // A call of Box appears elsewhere in the document, passing a future: every box may hold one.
      session.type('app.py', `${annotated}\n\ndef later():\n    return ${submitted}\n`);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 7:19'] });
    });
  });

  it('two open documents importing each other: an edit in either changes the findings in the other', () => {
    const { 'a.py': a, 'b.py': b } = fixtureFiles('mutual-imports') as { 'a.py': string; 'b.py': string };
    withSession({ 'a.py': a, 'b.py': b }, (session) => {
      session.type('a.py', a);
      session.type('b.py', b);
      assert.deepEqual(session.pass(), { 'a.py': [], 'b.py': ['HANG001 6:12', 'HANG001 10:20'] });
      // a's submit() no longer returns the future.
      session.type('a.py', a.replace('return asyncio.run_coroutine_threadsafe(job(), LOOP)', 'asyncio.run_coroutine_threadsafe(job(), LOOP)'));
      assert.deepEqual(session.pass(), { 'a.py': ['HANG004 13:5'], 'b.py': [] });
      session.type('a.py', a);
      assert.deepEqual(session.pass(), { 'a.py': [], 'b.py': ['HANG001 6:12', 'HANG001 10:20'] });
      // b waits on a's futures right there: a passes a list of them to a wait with a timeout now.
      session.type('b.py', b.replace('fut.result()', 'fut.result(timeout=5)'));
      assert.deepEqual(session.pass(), { 'a.py': [], 'b.py': ['HANG001 10:20'] });
      // b stops importing a's wrapper: its own wait is on nothing a makes.
      session.type('b.py', b.replace('from a import submit', 'from c import submit'));
      assert.deepEqual(session.pass(), { 'a.py': [], 'b.py': ['HANG001 6:12'] });
    });
  });
});

/**
 * The kept index keeps, per top-level name of the open document, the answers
 * that read only names an edit left as they were (ProjectIndex.replace): these
 * edits change one name and leave another that a closed file's answer reads,
 * or the reverse, and each pass must still show what a first pass shows.
 * (app and bridge import each other, so some answers cut a cycle and read
 * the whole of the open document, which any change of its facts changes.)
 */
describe('server passes: answers kept per name of the open document', () => {
  const bridge = `"""Re-exports the job helpers under shorter names."""
import asyncio

from app import submit_job as submit
from app import Client

client = Client()


async def idle():
    await asyncio.sleep(1)
`;
  const app = `import asyncio

from bridge import client, submit

LOOP = asyncio.new_event_loop()


async def work():
    return 1


def submit_job():
    return asyncio.run_coroutine_threadsafe(work(), LOOP)


def log_job(name):
    print("job", name)


class Client:
    def send(self):
        return asyncio.run_coroutine_threadsafe(work(), LOOP)

    def close(self):
        print("closed")


def run():
    return submit().result()


def run_client():
    return client.send().result()
`;

  it('an edit inside a function a closed file re-exports, and inside one it does not', () => {
    withSession({ 'bridge.py': bridge, 'app.py': app }, (session) => {
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      // Not read through bridge: both findings stay.
      session.type('app.py', app.replace('print("job", name)', 'print("job:", name)'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      // Read through bridge's `submit`: its future is gone.
      session.type('app.py', app.replace('    return asyncio.run_coroutine_threadsafe(work(), LOOP)\n\n\ndef log_job', '    asyncio.run_coroutine_threadsafe(work(), LOOP)\n\n\ndef log_job'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG004 13:5', 'HANG001 33:25'] });
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
    });
  });

  it('an edit inside a method of a class a closed file makes an instance of, and inside another method', () => {
    withSession({ 'bridge.py': bridge, 'app.py': app }, (session) => {
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      session.type('app.py', app.replace('print("closed")', 'print("closing")'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      session.type('app.py', app.replace('    def send(self):\n        return asyncio', '    def send(self):\n        asyncio'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG004 22:9', 'HANG001 29:20'] });
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
    });
  });

  it('an edit that moves every later line, and one that changes a line length only', () => {
    withSession({ 'bridge.py': bridge, 'app.py': app }, (session) => {
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      session.type('app.py', `"""The jobs."""\n\n${app}`);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 31:20', 'HANG001 35:25'] });
      session.type('app.py', `"""The jobs, and a client for them."""\n\n${app}`);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 31:20', 'HANG001 35:25'] });
      session.type('app.py', app.replace('def submit_job():', '\n\ndef submit_job():'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 31:20', 'HANG001 35:25'] });
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
    });
  });

  it('a top-level name a closed file imports is removed, added again, and bound another way', () => {
    withSession({ 'bridge.py': bridge, 'app.py': app }, (session) => {
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      session.type('app.py', app.replace('def submit_job():', 'def submit_later():'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 33:25'] });
      session.type('app.py', app.replace('def submit_job():', 'def submit_later():') + '\n\nsubmit_job = submit_later\n');
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
      session.type('app.py', app);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 29:20', 'HANG001 33:25'] });
    });
  });

  it("a name reached through a closed file's star import of the open document", () => {
    const starred = '"""Everything the app has, in one place."""\nimport asyncio\n\nfrom app import *\n\n\nasync def idle():\n    await asyncio.sleep(1)\n';
    const user = `import asyncio

import bridge

LOOP = asyncio.new_event_loop()


async def work():
    return 1


def helper():
    print("helping")


def run():
    return bridge.submit_job().result()
`;
    const defined = user.replace('def helper():', 'def submit_job():\n    return asyncio.run_coroutine_threadsafe(work(), LOOP)\n\n\ndef helper():');
    withSession({ 'bridge.py': starred, 'app.py': user }, (session) => {
      session.type('app.py', user);
      assert.deepEqual(session.pass(), { 'app.py': [] });
      session.type('app.py', defined);
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 21:31'] });
      session.type('app.py', defined.replace('print("helping")', 'print("still helping")'));
      assert.deepEqual(session.pass(), { 'app.py': ['HANG001 21:31'] });
      session.type('app.py', user);
      assert.deepEqual(session.pass(), { 'app.py': [] });
    });
  });
});

describe('server passes: an edit that changes no fact, only where the facts are', () => {
  const service = path.join(repoRoot, 'examples', 'service');
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(service).filter((n) => n.endsWith('.py'))) files[`service/${name}`] = fs.readFileSync(path.join(service, name), 'utf8');

  it("moves every position a finding shows, in other files' findings too: chains, submissions, related locations, fixes", () => {
    withSession(files, (session) => {
      for (const [file, text] of Object.entries(files)) session.type(file, text);
      const first = session.pass();
      assert.ok(first['handlers.py']!.includes('HANG002 24:9'));
      assert.ok(first['loop_hooks.py']!.includes('HANG006 36:5'));
      // Each file in turn gets a line above everything (every later position moves), then a longer
      // line (only columns move), then blank lines between two definitions: no fact changes.
      const edited = { ...files };
      for (const file of Object.keys(files)) {
        edited[file] = `# Reviewed.\n${edited[file]!}`;
        session.type(file, edited[file]!);
        session.pass();
        edited[file] = edited[file]!.replace(/^(\s+)print\(/m, '$1print(  ');
        session.type(file, edited[file]!);
        session.pass();
        edited[file] = edited[file]!.replace(/\n\n\ndef /, '\n\n\n\n\ndef ');
        session.type(file, edited[file]!);
        session.pass();
      }
      // The chain through bridge.py and the submission in cli.py are told where they now are.
      assert.match(session.shown['handlers.py']!.join('\n'), /HANG002 25:9-.*via `die\(\)` \(bridge\.py:32\): cli\.py:16 hangs/);
    });
  });
});
