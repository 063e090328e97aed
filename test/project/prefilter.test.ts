/**
 * The pre-filter must not change findings: on real code (the standard
 * library's asyncio package and its tests, from this machine's python3), a
 * pre-filtered run and an exhaustive one report exactly the same, while the
 * pre-filtered one parses fewer files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint, type Analysis, type AnalysisStore, type SourceFile } from '../../src/engine/lint.js';
import { defaultSettings } from '../../src/config/settings.js';

/** A store that remembers nothing and is told of every analysis lint() makes: here, to count the parses. */
function recordParses(made: (source: SourceFile, analysis: Analysis) => void): AnalysisStore {
  return { firstLook: () => undefined, demandLoad: () => undefined, keep: made };
}

function stdlib(): string {
  return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(full));
    else if (entry.name.endsWith('.py')) out.push(full);
  }
  return out.sort();
}

describe('the pre-filter on real code', () => {
  it('finds exactly what parsing every file finds, parsing fewer files', () => {
    const root = stdlib();
    // asyncio itself, its tests, and a slice of ordinary modules that do not mention asyncio at all.
    const files = [
      ...pythonFiles(path.join(root, 'asyncio')),
      ...pythonFiles(path.join(root, 'test', 'test_asyncio')),
      ...['argparse.py', 'logging/__init__.py', 'concurrent/futures/_base.py', 'concurrent/futures/thread.py', 'threading.py', 'queue.py', 'socketserver.py'].map((f) => path.join(root, f)),
    ];
    const run = (prefilter: boolean) => {
      const parsed: string[] = [];
      const result = lint(
        files.map((file): SourceFile => ({ path: file })),
        {
          settingsFor: () => defaultSettings(root),
          prefilter,
          store: recordParses((source, analysis) => {
            if (analysis.kind === 'facts') parsed.push(source.path);
          }),
        },
      );
      const findings = result.flatMap((file) =>
        file.messages
          .filter((m) => String(m.ruleId).startsWith('HANG'))
          .map((m) => `${path.relative(root, file.path)}:${m.line}:${m.column} ${m.ruleId} ${m.fatal ? 'error' : 'warning'} ${m.reason}`),
      );
      return { findings, parsed };
    };
    const filtered = run(true);
    const exhaustive = run(false);
    assert.deepEqual(filtered.findings, exhaustive.findings);
    assert.ok(filtered.findings.length > 0, 'the corpus has findings (asyncio tests raise KeyboardInterrupt in coroutines)');
    assert.ok(filtered.parsed.length < exhaustive.parsed.length, `${filtered.parsed.length} < ${exhaustive.parsed.length}`);
  });
});

/** Lints a generated project both ways; returns each run's findings and parsed files. */
function lintBothWays(
  files: Record<string, string>,
  encodings: Record<string, BufferEncoding> = {},
): { filtered: { findings: string[]; parsed: string[] }; exhaustive: { findings: string[]; parsed: string[] } } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-prefilter-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), Buffer.from(text, encodings[name] ?? 'utf8'));
    }
    const run = (prefilter: boolean) => {
      const parsed: string[] = [];
      const result = lint(
        Object.keys(files).map((name): SourceFile => ({ path: path.join(root, name) })),
        {
          settingsFor: () => defaultSettings(root),
          prefilter,
          store: recordParses((source, analysis) => {
            if (analysis.kind === 'facts') parsed.push(path.relative(root, source.path));
          }),
        },
      );
      const findings = result.flatMap((file) =>
        file.messages.filter((m) => String(m.ruleId).startsWith('HANG')).map((m) => `${path.relative(root, file.path)}:${m.line} ${m.ruleId}`),
      );
      return { findings, parsed };
    };
    return { filtered: run(true), exhaustive: run(false) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('the pre-filter on generated projects', () => {
  it('resolves a name through a package that star-imports many modules', () => {
    // Like asyncio/__init__.py: `from .mN import *` thirty times; the wrapper is in the last one.
    const files: Record<string, string> = {
      'pkg/__init__.py': Array.from({ length: 30 }, (_, i) => `from .m${i} import *\n`).join(''),
      'app.py':
        'import asyncio\nimport pkg\n\n\nasync def work():\n    return 1\n\n\ndef ask(loop):\n    return pkg.submit(work(), loop).result()\n',
    };
    for (let i = 0; i < 29; i++) files[`pkg/m${i}.py`] = `__all__ = ["helper${i}"]\n\n\ndef helper${i}(x):\n    return x + ${i}\n`;
    files['pkg/m29.py'] =
      'import asyncio\n\n__all__ = ["submit"]\n\n\ndef submit(coro, loop):\n    return asyncio.run_coroutine_threadsafe(coro, loop)\n';
    const { filtered, exhaustive } = lintBothWays(files);
    assert.deepEqual(filtered.findings, ['app.py:10 HANG001']);
    assert.deepEqual(exhaustive.findings, filtered.findings);
  });

  it('follows a wrapper through modules that only import the module holding it', () => {
    // `pkg.m3.core.submit`: m3 names neither the wrapper nor asyncio, it only binds `core`; `pkg.m5.hop.core.submit` takes two such steps.
    const files: Record<string, string> = {
      'pkg/__init__.py': '',
      'pkg/core.py': 'import asyncio\n\nLOOP = asyncio.new_event_loop()\n\n\ndef submit(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
      'pkg/m3.py': 'from . import core\n\nVALUE = 3\n',
      'pkg/hop.py': 'from . import core\n',
      'pkg/m5.py': 'from . import hop\n',
      'app.py':
        'import asyncio\nimport pkg.m3\nimport pkg.m5\n\n\nasync def job():\n    return 1\n\n\ndef one():\n    return pkg.m3.core.submit(job()).result()\n\n\ndef two():\n    return pkg.m5.hop.core.submit(job()).result()\n',
    };
    const { filtered, exhaustive } = lintBothWays(files);
    assert.deepEqual(exhaustive.findings, ['app.py:11 HANG001', 'app.py:15 HANG001']);
    assert.deepEqual(filtered.findings, exhaustive.findings);
  });

  it('follows names outside ASCII, in UTF-8 files and in files with a coding cookie', () => {
    // Python identifiers may be any letters: the wrapper is `envoyé`, the coroutine `tâche`.
    const files: Record<string, string> = {
      'pont.py':
        'import asyncio\n\nLOOP = asyncio.new_event_loop()\n\n\ndef envoyé(coro):\n    return asyncio.run_coroutine_threadsafe(coro, LOOP)\n',
      'travail.py': 'async def tâche():\n    return 1\n',
      // Neither file mentions asyncio: only the wrapper's name brings them in.
      'client.py': 'from pont import envoyé\nfrom travail import tâche\n\n\ndef demande():\n    return envoyé(tâche()).result()\n',
      'ancien.py': '# -*- coding: latin-1 -*-\nfrom pont import envoyé\nfrom travail import tâche\n\n\ndef demande():\n    return envoyé(tâche()).result()\n',
    };
    const { filtered, exhaustive } = lintBothWays(files, { 'ancien.py': 'latin1' });
    assert.deepEqual(filtered.findings, ['ancien.py:7 HANG001', 'client.py:6 HANG001']);
    assert.deepEqual(exhaustive.findings, filtered.findings);
  });

  it('does not read other files for the name of a local coroutine', () => {
    // A test-style local coroutine named `f` that exits, submitted where it is defined.
    const files: Record<string, string> = {
      'test_bridge.py':
        'import asyncio\nimport sys\n\n\ndef test_exit(loop):\n    async def f():\n        sys.exit(1)\n\n    return asyncio.run_coroutine_threadsafe(f(), loop).result(timeout=5)\n',
    };
    // Many unrelated modules with functions of their own called `f`.
    for (let i = 0; i < 40; i++) files[`other${i}.py`] = `def f(x):\n    return x\n\n\nprint(f(${i}))\n`;
    const { filtered, exhaustive } = lintBothWays(files);
    assert.deepEqual(filtered.findings, ['test_bridge.py:7 HANG002']);
    assert.deepEqual(exhaustive.findings, filtered.findings);
    assert.deepEqual(filtered.parsed, ['test_bridge.py']);
  });

  it('parses no file whose only mention of asyncio is in a docstring, a comment or a plain string', () => {
    const files: Record<string, string> = {
      'docs_only.py': '"""Unlike asyncio.run_coroutine_threadsafe, this runs in a thread."""\n\n\ndef run(fn):\n    return fn()\n',
      'comment_only.py': "# Not asyncio: plain threads.\nimport threading\n\nMESSAGE = 'async def is not used here'\n",
      'bytes_only.py': "PATTERN = rb'run_coroutine_threadsafe|asyncio'\nSQL = '''\nasync def\n'''\n",
      'app.py': 'import asyncio\n\n\nasync def work():\n    return 1\n\n\ndef ask(loop):\n    return asyncio.run_coroutine_threadsafe(work(), loop).result()\n',
    };
    const { filtered, exhaustive } = lintBothWays(files);
    assert.deepEqual(filtered.findings, ['app.py:9 HANG001']);
    assert.deepEqual(exhaustive.findings, filtered.findings);
    assert.deepEqual(filtered.parsed, ['app.py']);
  });

  it('still finds a hazard written after literals that are hard to delimit', () => {
    // Each file names asyncio first inside a literal, then in code: a scan that lost track of where
    // the literal ends would take the code for text and skip the file.
    const hazard = 'from asyncio import run_coroutine_threadsafe as submit\n\n\ndef ask(coro, loop):\n    return submit(coro, loop).result()\n';
    const files: Record<string, string> = {
      'escaped_quote.py': `A = "say \\"asyncio\\"" ; B = r"\\"" ; C = 'it\\'s asyncio'\n${hazard}`,
      'triple.py': `E = '''"""'''\nD = """a " b "" c 'asyncio' ''' d \\""" e """\n${hazard}F = """x"""\n`,
      'keyword_before.py': `X = 'asyncio' if 'a'in'asyncio'else"asyncio"\n${hazard}`,
      'comment_quote.py': `# don't say "asyncio\n${hazard}`,
      'continued.py': `F = "asyncio \\\nstill the string"\n${hazard}`,
      'lone_cr.py': `# asyncio "\r${hazard.replace(/\n/g, '\r')}`,
      'fstring_nested.py': `names = {"a": 1}\nlabel = f"{names["a"]} asyncio"\n${hazard}`,
      // The first mention is code inside an f-string; the import comes after the function.
      'fstring_code.py': 'def show(coro, loop):\n    return f"{aio.run_coroutine_threadsafe(coro, loop).result()}"\n\n\nimport asyncio as aio\n',
    };
    // One project per file: another file naming run_coroutine_threadsafe would bring it in anyway.
    const expected: Record<string, number> = {
      'escaped_quote.py': 6,
      'triple.py': 7,
      'keyword_before.py': 6,
      'comment_quote.py': 6,
      'continued.py': 7,
      'lone_cr.py': 6,
      'fstring_nested.py': 7,
      'fstring_code.py': 2,
    };
    for (const [name, text] of Object.entries(files)) {
      const { filtered, exhaustive } = lintBothWays({ [name]: text });
      assert.deepEqual(exhaustive.findings, [`${name}:${expected[name]} HANG001`]);
      assert.deepEqual(filtered.findings, exhaustive.findings, name);
    }
  });
});
