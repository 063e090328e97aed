/**
 * `npm run bench:install`: how long installing pyhang takes, as a new user and
 * a pre-commit user meet it, on this machine. From a clean clone of HEAD:
 *
 * - `npm ci` (the README's first command), with the machine's npm cache, and
 *   with an empty one (downloads included: depends on the network);
 * - `npm ci` on a PATH without a C compiler or make (WebAssembly only);
 * - the first `pre-commit run` of the hook from an empty PRE_COMMIT_HOME
 *   (pre-commit clones the repository, `npm install`, `npm pack`,
 *   `npm install -g` of the tarball, then runs it), and the second run.
 *
 * The 1-minute load average is recorded before and after each row: on 2 shared
 * cores, a busy machine doubles the times, and a number without it says little.
 * Writes the section between INSTALL_BEGIN and INSTALL_END of
 * docs/performance.md (PYHANG_BENCH_WRITE=0: print only). Nothing is asserted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const INSTALL_BEGIN = '<!-- begin install times (npm run bench:install) -->';
export const INSTALL_END = '<!-- end install times -->';
const write = process.env['PYHANG_BENCH_WRITE'] !== '0';
/** The issue's targets on an idle machine of this kind (Debian 12, 2 cores). */
const TARGET_NPM_CI_MS = 30_000;
const TARGET_PRE_COMMIT_MS = 45_000;

interface Row {
  what: string;
  ms: number;
  cpuMs: number;
  loadBefore: number;
  loadAfter: number;
  target?: number;
  note?: string;
}

function progress(message: string): void {
  process.stderr.write(`bench:install: ${message}\n`);
}

interface Timed {
  ms: number;
  /** CPU time (user + system) of the command and everything it started: what an idle machine's time is made of. */
  cpuMs: number;
  loadBefore: number;
  loadAfter: number;
  output: string;
  /** The exit status, when not 0. */
  failed?: number | null;
}

/** `times`' children line: "0m1.234s 0m0.567s" (user, system). */
const TIMES = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/;

/** Runs a command to completion and times it (the caller stops on a failure, with its output). */
function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Timed {
  const loadBefore = os.loadavg()[0]!;
  const began = performance.now();
  // bash's `times` gives the CPU time of the command's whole process tree (npm, node-gyp, cc, tsc).
  const result = spawnSync('bash', ['-c', '"$@"; status=$?; times >&2; exit $status', 'bash', command, ...args], { cwd, env, encoding: 'utf8', timeout: 20 * 60_000 });
  const ms = performance.now() - began;
  const stderr = result.stderr ?? '';
  const cpu = TIMES.exec(stderr);
  const cpuMs = cpu ? (Number(cpu[1]) * 60 + Number(cpu[2]) + Number(cpu[3]) * 60 + Number(cpu[4])) * 1000 : NaN;
  const output = `${result.stdout ?? ''}${stderr}`;
  return {
    ms,
    cpuMs,
    loadBefore,
    loadAfter: os.loadavg()[0]!,
    output: result.error ? `${result.error.message}\n${output}` : output,
    ...(result.status !== 0 ? { failed: result.status } : {}),
  };
}

function mustRun(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { cwd, env: env ?? process.env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout.trim();
}

function clone(work: string, name: string): string {
  const target = path.join(work, name);
  mustRun('git', ['clone', '--quiet', repoRoot, target], work);
  return target;
}

/** A directory of links to the tools npm needs, and no compiler or make. */
function compilerlessPath(work: string): string {
  const bin = path.join(work, 'no-compiler-bin');
  fs.mkdirSync(bin);
  for (const tool of ['node', 'npm', 'npx', 'sh', 'bash', 'env', 'git', 'cat', 'sed', 'grep', 'mkdir', 'rm', 'cp', 'mv', 'ls', 'uname', 'dirname', 'basename', 'tar', 'gzip']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) fs.symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

const HAZARD = 'import asyncio\nloop = asyncio.new_event_loop()\nasync def work():\n    return 1\nfut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result()\n';

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-bench-install-'));
  const rows: Row[] = [];
  const add = (what: string, run: Timed, extra: Partial<Row> = {}): void => {
    if (run.failed !== undefined) throw new Error(`${what} failed (${run.failed}):\n${run.output.slice(-3000)}`);
    rows.push({ what, ms: run.ms, cpuMs: run.cpuMs, loadBefore: run.loadBefore, loadAfter: run.loadAfter, ...extra });
    progress(`${what}: ${(run.ms / 1000).toFixed(1)} s, CPU ${(run.cpuMs / 1000).toFixed(1)} s (load ${run.loadBefore.toFixed(2)} → ${run.loadAfter.toFixed(2)})`);
  };
  const head = mustRun('git', ['rev-parse', 'HEAD'], repoRoot);
  try {
    progress(`clean clones of ${head.slice(0, 12)} in ${work}`);
    const warm = clone(work, 'warm');
    add('`npm ci`, npm cache as the machine has it', timed('npm', ['ci', '--no-audit', '--no-fund'], warm), {
      target: TARGET_NPM_CI_MS,
      note: fs.existsSync(path.join(warm, 'src/native/build/Release/pyhang_parse.node')) ? 'native parse built' : 'native parse not built',
    });
    const cold = clone(work, 'cold');
    add('`npm ci`, empty npm cache (downloads)', timed('npm', ['ci', '--no-audit', '--no-fund', '--cache', path.join(work, 'npm-cache')], cold), { note: 'network-dependent' });
    const bare = clone(work, 'bare');
    const env = { HOME: process.env['HOME'] ?? os.homedir(), PATH: compilerlessPath(work) };
    add('`npm ci`, no C compiler or make on PATH', timed('npm', ['ci', '--no-audit', '--no-fund'], bare, env), { note: 'WebAssembly parse only' });

    const project = path.join(work, 'project');
    fs.mkdirSync(project);
    const git = ['-c', 'user.name=bench', '-c', 'user.email=bench@pyhang.invalid', '-c', 'commit.gpgsign=false'];
    mustRun('git', ['init', '-q', '.'], project);
    fs.writeFileSync(path.join(project, '.pre-commit-config.yaml'), `repos:\n  - repo: ${JSON.stringify(repoRoot)}\n    rev: ${head}\n    hooks:\n      - id: pyhang\n`);
    fs.writeFileSync(path.join(project, 'hazard.py'), HAZARD.replace('fut.result()', 'fut.result(timeout=30)'));
    mustRun('git', [...git, 'add', '.'], project);
    mustRun('git', [...git, 'commit', '-q', '-m', 'code'], project);
    const hookEnv = { ...process.env, PRE_COMMIT_HOME: path.join(work, 'pre-commit-home') };
    add('first `pre-commit run` (empty PRE_COMMIT_HOME: clone, npm install, npm pack, npm install -g)', timed('pre-commit', ['run', '--files', 'hazard.py'], project, hookEnv), {
      target: TARGET_PRE_COMMIT_MS,
    });
    add('second `pre-commit run`', timed('pre-commit', ['run', '--files', 'hazard.py'], project, hookEnv));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const section = render(rows, head);
  process.stdout.write(`${section}\n`);
  if (write) {
    const doc = path.join(repoRoot, 'docs', 'performance.md');
    fs.writeFileSync(doc, withInstallSection(fs.readFileSync(doc, 'utf8'), section));
    progress(`wrote ${path.relative(process.cwd(), doc) || doc}`);
  }
}

/** `doc` with its install section replaced by `section` (appended where it has none). */
export function withInstallSection(doc: string, section: string): string {
  const begin = doc.indexOf(INSTALL_BEGIN);
  const end = doc.indexOf(INSTALL_END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + INSTALL_END.length);
  return `${doc.trimEnd()}\n\n${section}\n`;
}

/** The install section of an existing docs/performance.md, for `npm run bench` to keep. */
export function installSectionOf(doc: string): string | null {
  const begin = doc.indexOf(INSTALL_BEGIN);
  const end = doc.indexOf(INSTALL_END);
  return begin >= 0 && end > begin ? doc.slice(begin, end + INSTALL_END.length) : null;
}

function render(rows: Row[], head: string): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    INSTALL_BEGIN,
    '## Install',
    '',
    `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench:install\` (bench/install.ts) on commit ${head.slice(0, 12)}:`,
    `Node.js ${process.version}, npm ${mustRun('npm', ['--version'], repoRoot)}, ${os.cpus().length} cores, ${os.type()} ${os.release()}. One run per row, from clean clones.`,
    'The load average (1 minute) is given before and after each row: the targets are for an idle machine.',
    'CPU is user + system time of the whole process tree: on a busy machine the wall time grows, the CPU time hardly does.',
    '',
    '| What | Time | CPU | Load before → after | Target (idle) | Notes |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (row) =>
        `| ${row.what} | ${seconds(row.ms)} | ${seconds(row.cpuMs)} | ${row.loadBefore.toFixed(2)} → ${row.loadAfter.toFixed(2)} | ${row.target ? `< ${seconds(row.target)}${row.ms < row.target ? ' (met)' : ''}` : ''} | ${row.note ?? ''} |`,
    ),
    '',
    INSTALL_END,
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
