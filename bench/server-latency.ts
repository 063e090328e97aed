/**
 * The language server's edit latency: `pyhang server` (the built binary, over
 * stdio) with a 5,000-line module open, edited one line at a time; the time
 * from sending the change to receiving the diagnostics for that version.
 *
 * The server waits CHANGE_DEBOUNCE_MS after the last change before it lints,
 * and has no switch to turn that off. What is wanted is the lint, not the
 * wait, so each edit is measured two ways:
 * - `didChange` then at once `didSave`: a save lints immediately and replaces
 *   the pending debounced pass, so the time is the pass itself (plus JSON-RPC);
 * - `didChange` alone, minus the debounce: what a user typing sees, less the
 *   deliberate pause; a cross-check on the first.
 *
 * On a loaded machine wall times mostly measure the load; the CPU time per
 * edit of the server and of its analysis process (from /proc, over the
 * change + save edits) moves far less with it, and says which side a change
 * of the server made cheaper.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { LspClient, uriOf } from '../test/server/lsp-client.js';
import { CHANGE_DEBOUNCE_MS } from '../src/server/language-server.js';
import { generateModule, HELPERS_MODULE, withEdit } from './generate-module.js';
import { median, quantile } from './measure.js';

export interface LatencyStats {
  edits: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export interface ServerLatency {
  lines: number;
  /** Files in the workspace besides the module and its helper. */
  otherFiles: number;
  /** Findings published for the module (a sanity check that it was linted). */
  diagnostics: number;
  /** didOpen to the first diagnostics: includes the first parse and the JIT warming up. */
  openMs: number;
  /** didChange + didSave. */
  save: LatencyStats;
  /** didChange alone, with the debounce subtracted. */
  debounced: LatencyStats;
  debounceMs: number;
  /** The server process's peak RSS (VmHWM), KiB. */
  peakRssKiB: number;
  /** CPU time (user + system) per change + save edit: the server process, and its analysis process(es). NaN where /proc cannot tell. */
  cpuPerEditMs: { server: number; analysis: number };
}

export interface ServerLatencyOptions {
  lines: number;
  saveEdits: number;
  debouncedEdits: number;
  /** Edits made first and not counted, so the JIT has compiled the hot paths. */
  warmupEdits: number;
  /**
   * Other files for the workspace, as a real project has besides the open
   * module: copied under `lib/` with their paths below `root` (packages stay
   * packages). None by default.
   */
  workspaceFiles?: { root: string; files: readonly string[] };
}

export async function measureServerLatency(options: ServerLatencyOptions): Promise<ServerLatency> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-bench-server-')));
  const { text, editLine } = generateModule(options.lines);
  const file = path.join(root, 'service.py');
  fs.writeFileSync(file, text);
  fs.writeFileSync(path.join(root, 'helpers.py'), HELPERS_MODULE);
  for (const other of options.workspaceFiles?.files ?? []) {
    const target = path.join(root, 'lib', path.relative(options.workspaceFiles!.root, other));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(other, target);
  }
  const uri = uriOf(file);
  const client = new LspClient([], root);
  try {
    await client.initialize(root);
    let version = 1;
    let start = performance.now();
    client.open(uri, text, version);
    const first = await client.diagnosticsFor(uri, version, 60_000);
    const openMs = performance.now() - start;

    // The server asks for incremental changes, so an editor sends only the edited line, as here.
    let current = text;
    const edit = async (mode: 'save' | 'debounced'): Promise<number> => {
      version++;
      const changed = withEdit(text, editLine, version);
      const before = current.split('\n')[editLine]!;
      const after = changed.split('\n')[editLine]!;
      current = changed;
      start = performance.now();
      client.changeRange(uri, { start: { line: editLine, character: 0 }, end: { line: editLine, character: before.length } }, after, version);
      if (mode === 'save') client.notify('textDocument/didSave', { textDocument: { uri } });
      await client.diagnosticsFor(uri, version, 60_000);
      return performance.now() - start;
    };

    for (let i = 0; i < options.warmupEdits; i++) await edit('save');
    const server = client.process.pid!;
    const cpuBefore = { server: cpuMs(server), analysis: new Map(childrenOf(server).map((pid) => [pid, cpuMs(pid)])) };
    const save: number[] = [];
    for (let i = 0; i < options.saveEdits; i++) save.push(await edit('save'));
    // (An analysis process that ended meanwhile, a stopped pass, is not counted: then the figure is low, not high.)
    const analysisMs = sum(childrenOf(server).map((pid) => cpuMs(pid) - (cpuBefore.analysis.get(pid) ?? 0)));
    const cpuPerEditMs = { server: (cpuMs(server) - cpuBefore.server) / options.saveEdits, analysis: analysisMs / options.saveEdits };
    const debounced: number[] = [];
    for (let i = 0; i < options.debouncedEdits; i++) debounced.push((await edit('debounced')) - CHANGE_DEBOUNCE_MS);

    const peakRssKiB = readPeakRss(client.process.pid!);
    await client.request('shutdown', null);
    client.notify('exit', null);
    await client.exited();
    return {
      lines: options.lines,
      otherFiles: options.workspaceFiles?.files.length ?? 0,
      diagnostics: first.length,
      openMs,
      save: stats(save),
      debounced: stats(debounced),
      debounceMs: CHANGE_DEBOUNCE_MS,
      peakRssKiB,
      cpuPerEditMs,
    };
  } finally {
    client.kill();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function stats(samples: number[]): LatencyStats {
  return {
    edits: samples.length,
    medianMs: median(samples),
    p95Ms: quantile(samples, 0.95),
    minMs: Math.min(...samples),
    maxMs: Math.max(...samples),
  };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process has used so far, in ms; NaN once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** The processes whose parent is `pid` (the server's analysis process). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** VmHWM: the process's resident-set high-water mark so far, which is its peak when read just before it exits. */
function readPeakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : Number.NaN;
}
