/**
 * The differential edit-session fuzzer: random editor sessions on an
 * in-process Workspace, each pass compared with a first pass over the same
 * texts. The server keeps what it learnt between passes (LintSession's
 * project index, ProjectIndex.replace and its same-facts fast path, the body
 * memo's replayed definitions, the incremental parse), so a position not
 * moved or a finding kept from an earlier text would show only here: a new
 * Workspace has none of it.
 *
 * A session is a project (real multi-file fixtures, the examples, the bench's
 * generated module, hand-written projects whose findings in the open
 * document depend on a closed file), one or two open documents, and a list of
 * edits weighted as a typist makes them: mostly edits that change no fact
 * (comments, blank lines, literals, spaces: the fast path), some typed a
 * character at a time (syntax errors in between), some that change facts
 * (`.result()`, `timeout=`, renames, `raise SystemExit`, `# noqa`, `async`,
 * a definition moved), and edits of a closed file on disk. What a user sees
 * of each finding is compared: rule, range (line, column and offset), message,
 * severity, related locations, fix edits, and the findings `# noqa` silenced.
 *
 * Everything is abstract numbers (which line, which match), applied to the
 * text as it is at that step, so fast-check can shrink a failing session to
 * fewer, earlier edits.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Workspace, type DocumentSnapshot } from '../../src/server/workspace.js';
import { severityOf, type PyhangMessage } from '../../src/engine/lint.js';
import { rules } from '../../rules/index.js';
import { generateModule, HELPERS_MODULE } from '../../bench/generate-module.js';
import { makeWorkspace, uriOf } from '../server/lsp-client.js';
import { fixtureFiles, py } from '../rule-tester.js';
import { repoRoot } from './corpus.js';

export interface Project {
  name: string;
  /** Relative path → text, written into a new folder for each session. */
  files: Record<string, string>;
  /** The files that may be open (all the Python files when absent). */
  openable?: string[];
}

export const EDIT_KINDS = [
  // Change no fact: the same-facts fast path.
  'comment',
  'blank',
  'delete-quiet',
  'literal',
  'spaces',
  // What a typist does besides.
  'duplicate-line',
  'delete-line',
  'type',
  'undo',
  // Change facts.
  'timeout',
  'result',
  'rename-function',
  'rename-variable',
  'system-exit',
  'noqa',
  'async',
  'move-definition',
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

export interface Step {
  kind: EditKind;
  /** An edit of a closed file on disk (the client's watcher says so), else of an open document. */
  disk: boolean;
  /** Which file: an index into the open documents or the closed files, modulo their number. */
  file: number;
  /** Which line (modulo the number of lines). */
  at: number;
  /** Which match, token or variant. */
  pick: number;
  /**
   * No pass after this edit: the server's passes are debounced, so quick edits
   * (in one document or in both) reach it as one change. (A typed token still
   * gets a pass per character.)
   */
  batch?: boolean;
}

export interface Session {
  /** An index into the projects, modulo their number. */
  project: number;
  /** The open documents: indexes into the project's openable files (one or two, duplicates dropped). */
  open: number[];
  steps: Step[];
}

// ----- the projects -----

/**
 * A project where the open document's findings depend on closed files: a
 * helper that submits a future and one that waits on it, a coroutine whose
 * SystemExit comes through a call chain in another file, and a re-export.
 */
const CROSS_FILE: Record<string, string> = {
  'jobs.py': `"""Jobs handed to the I/O loop, and a helper that waits on them."""
import asyncio
import threading

LOOP = asyncio.new_event_loop()
threading.Thread(target=LOOP.run_forever, daemon=True).start()


async def fetch(n):
    await asyncio.sleep(0.1)
    return n * 2


def submit_job(n=1):
    return asyncio.run_coroutine_threadsafe(fetch(n), LOOP)


def finish(fut):
    value = fut.result()
    return value
`,
  'shutdown.py': `import logging
import sys


def stop(code):
    logging.error("stopping with %s", code)
    raise SystemExit(code)


def bail(code=1):
    if code:
        stop(code)
    sys.exit(0)
`,
  'bridge.py': `"""Shorter names for the job helpers."""
from jobs import submit_job as submit
from jobs import finish
`,
  'app.py': `import asyncio

from bridge import finish, submit
from jobs import LOOP, fetch
from shutdown import bail

RETRIES = 3


def run_once():
    fut = submit(2)
    return fut.result()


def run_helper():
    return finish(submit(3))


def run_direct():
    future = asyncio.run_coroutine_threadsafe(fetch(4), LOOP)
    return future.result(timeout=5)


async def main():
    for attempt in range(RETRIES):
        await asyncio.sleep(attempt)
    bail(2)


class Client:
    """Sends work to the loop."""

    def send(self, n):
        return submit(n)

    def send_and_wait(self, n):
        return self.send(n).result()
`,
};

/**
 * Two modules importing each other (test/fixtures/value-flow/mutual-imports, as in
 * workspace-passes.test.ts), both open in some sessions, and a third star-importing one.
 */
const MUTUAL: Record<string, string> = fixtureFiles('mutual-imports', {
  'c.py': `"""Everything a has, in one place."""
import asyncio

from a import *


async def idle():
    await asyncio.sleep(1)
    submit().result()
`,
});

/** Python files (and pyproject.toml, which may configure them) under a folder, by relative path. */
function folderFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__pycache__') walk(full);
      } else if (entry.name.endsWith('.py') || entry.name === 'pyproject.toml') {
        out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
      }
    }
  };
  walk(dir);
  return out;
}

/** Fixture projects and examples: each a folder whose files import one another. */
const FIXTURE_FOLDERS = [
  'examples',
  'test/fixtures/integrations/all-rules',
  'test/fixtures/value-flow/helpers',
  'test/fixtures/value-flow/partial-bot',
  'test/fixtures/rules/HANG002/argparse-bot',
  'test/fixtures/rules/HANG002/trio-app',
  'test/fixtures/rules/HANG002/compat-entry',
  'test/fixtures/rules/HANG002/safe-parser',
  'test/fixtures/server',
  'test/fixtures/cli/project-context',
  'test/fixtures/cli/noqa',
  'test/fixtures/cli/basic',
  'test/fixtures/cli/selection',
];

/** Snippets per rule taken from its test's py`...` cases (every n-th), each a file of one project. */
const RULE_CASES_PER_RULE = 6;

/** The rule tests' Python cases written with the py`...` tag and no interpolation, by rule code. */
function ruleCaseProjects(): Project[] {
  const dir = path.join(repoRoot, 'test', 'rules');
  if (!fs.existsSync(dir)) return [];
  const projects: Project[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const match = /^(HANG\d+)\.test\.ts$/.exec(name);
    if (!match) continue;
    const source = fs.readFileSync(path.join(dir, name), 'utf8');
    const cases = matches(source, /\bpy`([^`]*)`/g)
      .map((m) => m[1]!)
      .filter((body) => !body.includes('${') && !body.includes('\\'));
    if (cases.length === 0) continue;
    const step = Math.max(1, Math.floor(cases.length / RULE_CASES_PER_RULE));
    const files: Record<string, string> = {};
    for (let i = 0; i < cases.length && Object.keys(files).length < RULE_CASES_PER_RULE; i += step) {
      files[`case_${Object.keys(files).length + 1}.py`] = py(Object.assign([cases[i]!], { raw: [cases[i]!] }));
    }
    projects.push({ name: `${match[1]} test cases`, files });
  }
  return projects;
}

let projectsMade: Project[] | null = null;

/** The projects sessions run on (the first ones are the hand-written ones, which shrinking goes to). */
export function editProjects(): Project[] {
  if (projectsMade) return projectsMade;
  const projects: Project[] = [
    { name: 'cross-file (app.py depends on jobs, shutdown, bridge)', files: CROSS_FILE, openable: ['app.py', 'jobs.py', 'shutdown.py'] },
    { name: 'mutual imports (a.py, b.py, c.py)', files: MUTUAL },
    // A smaller size than the bench's: the fresh pass reads it again each time.
    { name: 'bench generated module (600 lines, one hazard) and helpers.py', files: { 'service.py': generateModule(600).text, 'helpers.py': HELPERS_MODULE }, openable: ['service.py', 'helpers.py'] },
  ];
  for (const folder of FIXTURE_FOLDERS) {
    const dir = path.join(repoRoot, folder);
    if (!fs.existsSync(dir)) continue;
    projects.push({ name: folder, files: folderFiles(dir) });
  }
  projects.push(...ruleCaseProjects());
  projectsMade = projects;
  return projects;
}

// ----- edits -----

/** Code typed a character at a time, at the end of a line, on a new line or before a `def`. */
const TYPED = ['.result()', '(timeout=5)', 'raise SystemExit(1)', 'async ', 'await asyncio.sleep(0)', 'fut.result()', '  # noqa: HANG001', 'x = [1, 2]', 'return None', 'def f(fut):'];
const NOQA = [...rules.map((rule) => rule.meta.code), '', 'HANG001, HANG004', 'HANG00'];

function nth<T>(items: readonly T[], k: number): T | undefined {
  return items.length === 0 ? undefined : items[k % items.length];
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Every match of `pattern` (global) in `text`, with its index. */
function matches(text: string, pattern: RegExp): RegExpExecArray[] {
  return [...text.matchAll(pattern)];
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** The top-level definitions (decorators included) as line ranges [start, end). */
function topLevelBlocks(lines: readonly string[]): [number, number][] {
  const blocks: [number, number][] = [];
  let i = 0;
  while (i < lines.length) {
    if (!/^(@|def |async def |class )/.test(lines[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < lines.length && lines[i]!.startsWith('@')) i++;
    i++;
    while (i < lines.length && (lines[i]!.trim() === '' || /^[ \t#]/.test(lines[i]!) || /^[)\]}]/.test(lines[i]!))) i++;
    // Trailing blank lines stay where they are.
    let end = i;
    while (end > start + 1 && lines[end - 1]!.trim() === '') end--;
    blocks.push([start, end]);
  }
  return blocks;
}

/**
 * The texts an edit goes through (one per pass: a typed token gives one per
 * character), or [] when it has nothing to do on this text.
 */
export function applyEdit(text: string, step: Step, previous: string | undefined): string[] {
  const lines = text.split('\n');
  const at = step.at % lines.length;
  const line = lines[at]!;
  const withLines = (next: string[]): string[] => [next.join('\n')];
  switch (step.kind) {
    case 'comment': {
      if (step.pick % 3 === 0 && !line.includes('#') && !line.endsWith('\\')) {
        return withLines(lines.map((l, i) => (i === at ? `${l}  # note ${step.pick}` : l)));
      }
      const indent = step.pick % 3 === 1 ? indentOf(line) : '';
      return withLines([...lines.slice(0, at), `${indent}# note ${step.pick}`, ...lines.slice(at)]);
    }
    case 'blank':
      return withLines([...lines.slice(0, at), ...(step.pick % 2 === 0 ? [''] : ['', '']), ...lines.slice(at)]);
    case 'delete-quiet': {
      for (let k = 0; k < lines.length; k++) {
        const i = (at + k) % lines.length;
        const trimmed = lines[i]!.trim();
        if (lines.length > 1 && (trimmed === '' || trimmed.startsWith('#'))) return withLines(lines.filter((_, j) => j !== i));
      }
      return [];
    }
    case 'literal': {
      const found = matches(text, /\b\d+\b|"[^"\n\\]*"|'[^'\n\\]*'/g);
      const m = nth(found, step.pick);
      if (!m) return [];
      const replacement = /^\d/.test(m[0]) ? String(Number(m[0]) + 1 + (step.pick % 7)) : `${m[0][0]}x${m[0].slice(1)}`;
      return [splice(text, m.index, m.index + m[0].length, replacement)];
    }
    case 'spaces': {
      if (step.pick % 3 === 0) return withLines(lines.map((l, i) => (i === at ? `${l}   ` : l)));
      const m = nth(matches(text, /[,=(]/g), step.pick);
      return m ? [splice(text, m.index + 1, m.index + 1, ' ')] : [];
    }
    case 'duplicate-line':
      return withLines([...lines.slice(0, at + 1), line, ...lines.slice(at + 1)]);
    case 'delete-line':
      return lines.length > 1 ? withLines(lines.filter((_, i) => i !== at)) : [];
    case 'type': {
      const token = TYPED[step.pick % TYPED.length]!;
      let offset: number;
      let prefix = '';
      const where = Math.floor(step.pick / TYPED.length) % 3;
      const lineStart = lines.slice(0, at).reduce((sum, l) => sum + l.length + 1, 0);
      if (where === 0) offset = lineStart + line.length;
      else if (where === 1) {
        offset = lineStart + line.length;
        prefix = `\n${indentOf(line)}${line.trimEnd().endsWith(':') ? '    ' : ''}`;
      } else {
        const def = nth(matches(text, /\bdef /g), step.at);
        offset = def ? def.index : lineStart;
      }
      const texts: string[] = [];
      let typed = prefix;
      if (prefix) texts.push(splice(text, offset, offset, typed));
      for (const char of token) {
        typed += char;
        texts.push(splice(text, offset, offset, typed));
      }
      return texts;
    }
    case 'undo':
      return previous !== undefined && previous !== text ? [previous] : [];
    case 'timeout': {
      const bare = matches(text, /\.result\(\)/g);
      const timed = matches(text, /\.result\(timeout=\d+\)/g);
      if (bare.length > 0 && (timed.length === 0 || step.pick % 2 === 0)) {
        const m = nth(bare, step.pick)!;
        return [splice(text, m.index, m.index + m[0].length, '.result(timeout=5)')];
      }
      const m = nth(timed, step.pick);
      return m ? [splice(text, m.index, m.index + m[0].length, '.result()')] : [];
    }
    case 'result': {
      const waits = matches(text, /\.result\([^()\n]*\)/g);
      if (waits.length > 0 && step.pick % 2 === 0) {
        const m = nth(waits, step.pick)!;
        return [splice(text, m.index, m.index + m[0].length, '')];
      }
      // A wait added after a call that ends its line.
      const calls = matches(text, /\)(?=[ \t]*(#.*)?$)/gm);
      const m = nth(calls, step.pick);
      return m ? [splice(text, m.index + 1, m.index + 1, '.result()')] : [];
    }
    case 'rename-function': {
      const m = nth(matches(text, /\bdef (\w+)/g), step.pick);
      if (!m) return [];
      const name = m[1]!;
      const renamed = `${name}_${step.pick % 3}`;
      // Everywhere in this file (a refactoring), or the definition only (its callers now miss it).
      if (step.pick % 2 === 0) return [text.replace(new RegExp(`\\b${name}\\b`, 'g'), renamed)];
      return [splice(text, m.index + 4, m.index + 4 + name.length, renamed)];
    }
    case 'rename-variable': {
      const m = nth(matches(text, /^[ \t]*([A-Za-z_]\w*) = /gm), step.pick);
      if (!m) return [];
      return [text.replace(new RegExp(`\\b${m[1]!}\\b`, 'g'), `${m[1]!}2`)];
    }
    case 'system-exit': {
      const defs = matches(text, /^([ \t]*)(async )?def [^\n]*:[ \t]*(#.*)?$/gm);
      const m = nth(defs, step.pick);
      if (!m) return [];
      const end = m.index + m[0].length;
      const body = /\n([ \t]+)\S/.exec(text.slice(end));
      const indent = body ? body[1]! : `${m[1]!}    `;
      const statement = step.pick % 3 === 2 ? 'sys.exit(3)' : 'raise SystemExit(1)';
      return [splice(text, end, end, `\n${indent}${statement}`)];
    }
    case 'noqa': {
      // A line that may hold a finding, else one that may hold a definition's, else the line itself.
      const lineWith = (pattern: RegExp): number | undefined => {
        for (let k = 0; k < lines.length; k++) if (pattern.test(lines[(at + k) % lines.length]!)) return (at + k) % lines.length;
        return undefined;
      };
      const i = lineWith(/\.result\(|run_coroutine_threadsafe|SystemExit|exit\(|noqa/) ?? lineWith(/def /) ?? at;
      const target = lines[i]!;
      const next = /#\s*noqa/i.test(target) ? target.replace(/\s*#\s*noqa\b.*$/i, '') : `${target}  # noqa${nth(NOQA, step.pick) ? `: ${nth(NOQA, step.pick)}` : ''}`;
      return withLines(lines.map((l, j) => (j === i ? next : l)));
    }
    case 'async': {
      const m = nth(matches(text, /\b(async )?def /g), step.pick);
      if (!m) return [];
      return [m[1] ? splice(text, m.index, m.index + 6, '') : splice(text, m.index, m.index, 'async ')];
    }
    case 'move-definition': {
      const blocks = topLevelBlocks(lines);
      const block = nth(blocks, step.pick);
      if (!block || blocks.length < 2) return [];
      const moved = lines.slice(block[0], block[1]);
      const rest = [...lines.slice(0, block[0]), ...lines.slice(block[1])];
      if (step.pick % 2 === 0) return withLines([...rest, '', '', ...moved, '']);
      // Before the first other definition.
      const first = topLevelBlocks(rest)[0]?.[0] ?? 0;
      return withLines([...rest.slice(0, first), ...moved, '', '', ...rest.slice(first)]);
    }
  }
}

// ----- the arbitraries -----

const KIND_WEIGHTS: Record<EditKind, number> = {
  comment: 12,
  blank: 12,
  'delete-quiet': 6,
  literal: 10,
  spaces: 6,
  'duplicate-line': 4,
  'delete-line': 3,
  type: 5,
  undo: 4,
  timeout: 5,
  result: 4,
  'rename-function': 3,
  'rename-variable': 3,
  'system-exit': 3,
  noqa: 4,
  async: 3,
  'move-definition': 3,
};

const kindArb: fc.Arbitrary<EditKind> = fc.oneof(...EDIT_KINDS.map((kind) => ({ arbitrary: fc.constant(kind), weight: KIND_WEIGHTS[kind] })));

export const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: kindArb,
  disk: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  file: fc.nat({ max: 7 }),
  at: fc.nat({ max: 10_000 }),
  pick: fc.nat({ max: 1000 }),
  batch: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});

export function sessionArb(maxSteps: number): fc.Arbitrary<Session> {
  return fc.record({
    project: fc.nat({ max: 1000 }),
    open: fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 2 }),
    // (size 'max': lengths up to maxSteps; fast-check's default size keeps arrays near ten whatever the bound.)
    steps: fc.array(stepArb, { minLength: 1, maxLength: maxSteps, size: 'max' }),
  });
}

// ----- running a session -----

export interface SessionOutcome {
  /** Passes compared (each open document's findings in each). */
  passes: number;
  /** Findings compared, over all passes (none would mean the sessions tested nothing). */
  findings: number;
  /** The last pass's findings as shown (see shownBy), and the open documents' texts then. */
  last: { shown: Record<string, string[]>; texts: Record<string, string> };
  /** Null when every pass showed what a first pass shows; else what differed, and the session's edits. */
  failure: string | null;
}

/** A point of a message or a related location: line:column (offset). */
function pointText(point: { line?: number; column?: number; offset?: number } | undefined): string {
  return point ? `${point.line}:${point.column}(${point.offset})` : '-';
}

/** What a user sees of a finding, as one line of JSON. */
function shownMessage(message: PyhangMessage, root: string): string {
  const place = message.place;
  const range = !place ? '-' : 'start' in place ? `${pointText(place.start)}-${pointText(place.end)}` : pointText(place);
  return JSON.stringify({
    rule: message.ruleId ?? null,
    severity: severityOf(message),
    range,
    message: message.reason,
    related: (message.related ?? []).map((r) => `${path.relative(root, r.path)}:${pointText(r.loc.start)}-${pointText(r.loc.end)} ${r.message}`),
    fix: message.fix ?? null,
    suppressions: message.suppressions ?? null,
    url: message.url ?? null,
  });
}

/** Each open document's findings after a pass, and those its `# noqa` directives silenced. */
export function shownBy(workspace: Workspace, documents: DocumentSnapshot[], root: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const result of workspace.lintDocuments(documents).documents) {
    const name = path.relative(root, result.document.path);
    if (!result.messages) {
      out[name] = [`lint failed: ${String(result.error).split('\n')[0]}`];
      continue;
    }
    out[name] = [
      ...result.messages.map((m) => shownMessage(m, root)),
      ...(result.suppressed ?? []).map((m) => `suppressed ${shownMessage(m, root)}`),
    ];
  }
  return out;
}

/** A few lines around where two texts differ, for the failure report. */
function changeText(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  const show = (prefix: string, part: string[]): string[] =>
    (part.length > 6 ? [...part.slice(0, 3), `... (${part.length - 6} more)`, ...part.slice(-3)] : part).map((l) => `      ${prefix} ${JSON.stringify(l)}`);
  return [`line ${head + 1}:`, ...show('-', removed), ...show('+', added)].join('\n');
}

function diffText(kept: Record<string, string[]>, fresh: Record<string, string[]>): string {
  const out: string[] = [];
  for (const file of new Set([...Object.keys(kept), ...Object.keys(fresh)])) {
    const a = kept[file] ?? [];
    const b = fresh[file] ?? [];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    out.push(`  ${file}:`);
    for (const line of a) if (!b.includes(line)) out.push(`    later pass only: ${line}`);
    for (const line of b) if (!a.includes(line)) out.push(`    first pass only: ${line}`);
    if (a.every((line) => b.includes(line)) && b.every((line) => a.includes(line))) out.push('    (the same findings, in another order or number)');
  }
  return out.join('\n');
}

/**
 * Runs one session: opens its documents, applies each edit, and after every
 * pass compares each open document's findings with a new Workspace's
 * (`projects`: a regression case's own project instead of the fuzzer's).
 */
export function runSession(session: Session, projects: readonly Project[] = editProjects()): SessionOutcome {
  const project = projects[session.project % projects.length]!;
  const pythonFiles = Object.keys(project.files).filter((file) => file.endsWith('.py'));
  const openable = project.openable ?? pythonFiles;
  const open = [...new Set(session.open.map((i) => openable[i % openable.length]!))];
  const closed = pythonFiles.filter((file) => !open.includes(file));
  const root = makeWorkspace(project.files);
  const texts = new Map(open.map((file) => [file, project.files[file]!]));
  const history = new Map<string, string[]>();
  const log: string[] = [`project ${project.name}; open ${open.join(', ')}`];
  const workspace = new Workspace();
  workspace.setRoots([root]);
  let version = 0;
  let passes = 0;
  let findings = 0;
  let shown: Record<string, string[]> = {};
  const snapshots = (): DocumentSnapshot[] =>
    open.map((file) => ({ uri: uriOf(path.join(root, file)), path: path.join(root, file), version: ++version, text: texts.get(file)! }));
  const compare = (): string | null => {
    const documents = snapshots();
    const kept = shownBy(workspace, documents, root);
    const fresh = new Workspace();
    fresh.setRoots([root]);
    let first: Record<string, string[]>;
    try {
      first = shownBy(fresh, documents, root);
    } finally {
      fresh.dispose();
    }
    passes++;
    for (const lines of Object.values(kept)) findings += lines.length;
    shown = kept;
    return JSON.stringify(kept) === JSON.stringify(first) ? null : diffText(kept, first);
  };
  try {
    let failure = compare();
    const outcome = (failure: string | null): SessionOutcome => ({ passes, findings, last: { shown, texts: Object.fromEntries(texts) }, failure });
    if (failure) return outcome(`${log.join('\n')}\nthe first pass differs from a new workspace's:\n${failure}`);
    session.steps.forEach((step, index) => {
      if (failure) return;
      const onDisk = step.disk && closed.length > 0;
      const file = onDisk ? closed[step.file % closed.length]! : open[step.file % open.length]!;
      const full = path.join(root, file);
      const before = onDisk ? fs.readFileSync(full, 'utf8') : texts.get(file)!;
      const past = history.get(file) ?? [];
      const after = applyEdit(before, step, past.at(-1));
      if (after.length === 0) return;
      if (step.kind === 'undo') past.pop();
      else past.push(before);
      history.set(file, past);
      const batched = step.batch === true && after.length === 1 && index < session.steps.length - 1;
      log.push(
        `  ${index + 1}. ${step.kind}${onDisk ? ' on disk' : ''} in ${file}${after.length > 1 ? `, typed in ${after.length} passes` : ''}${batched ? ' (no pass: with the next edit)' : ''}, ${changeText(before, after.at(-1)!)}`,
      );
      for (const text of after) {
        if (onDisk) {
          fs.writeFileSync(full, text);
          workspace.fileChanged(full);
        } else texts.set(file, text);
        if (batched) return;
        failure = compare();
        if (failure) {
          if (after.length > 1) log.push(`     (differs after typing up to: ${JSON.stringify(changeText(before, text).split('\n').at(-1)!.trim())})`);
          return;
        }
      }
    });
    return outcome(failure ? `${log.join('\n')}\na later pass shows other findings than a new workspace on the same texts:\n${failure}` : null);
  } finally {
    workspace.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export interface EditFuzzReport {
  sessions: number;
  passes: number;
  /** Findings compared (see SessionOutcome). */
  findings: number;
  failures: { seed: number; path?: string; failure: string }[];
}

/**
 * `count` sessions from `seed` as a fast-check property (a failure is shrunk
 * to fewer edits), at most `timeLimitMs`. Returns what ran; the first failure
 * found (shrunk) ends the run.
 */
export function runEditFuzz(options: { count: number; seed: number; timeLimitMs: number; maxSteps?: number; onProgress?: (report: EditFuzzReport) => void }): EditFuzzReport {
  const report: EditFuzzReport = { sessions: 0, passes: 0, findings: 0, failures: [] };
  let lastFailure = '';
  const details = fc.check(
    fc.property(sessionArb(options.maxSteps ?? 12), (session) => {
      const outcome = runSession(session);
      report.sessions++;
      report.passes += outcome.passes;
      report.findings += outcome.findings;
      if (report.sessions % 25 === 0) options.onProgress?.(report);
      if (outcome.failure) {
        lastFailure = outcome.failure;
        return false;
      }
      return true;
    }),
    { seed: options.seed, numRuns: options.count, interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false },
  );
  if (details.failed) {
    report.failures.push({ seed: details.seed, path: details.counterexamplePath ?? undefined, failure: `${lastFailure}\n(shrunk session: ${fc.stringify(details.counterexample?.[0])})` });
  }
  return report;
}
