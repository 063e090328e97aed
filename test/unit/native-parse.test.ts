/**
 * pyhang's native parse (src/native/parse.c) hands the whole tree over in one
 * array; web-tree-sitter (WebAssembly, no compiler needed) is what parses where
 * it was not built, and an editor's documents. Both must give the same tree for
 * any text, or findings would depend on whether the addon was built. And
 * pyhang must work, with the same findings, without the addon.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { copyTree, loadWasmParser, parsePython, parseWasm, usesNativeParse } from '../../src/python/parser.js';
import { shape } from './tree-shape.js';
import { hazardSeeds, repoRoot, stdlibSample } from '../fuzz/corpus.js';
import { mutatedSeedArb, tokenSoupArb } from '../fuzz/mutations.js';
import { runPyhang } from '../cli/run-pyhang.js';

/** Why src/native/build.mjs skips the build here (no make or C compiler on the PATH), or false. */
function compilerMissing(): string | false {
  const onPath = (name: string) => (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, name)));
  if (process.platform === 'win32' || (onPath('make') && (onPath('cc') || onPath('gcc') || onPath('clang')))) return false;
  return 'no C compiler and make on the PATH: the native parse is not built and pyhang parses with WebAssembly';
}

/** The tree through web-tree-sitter, as the language server and an install without the addon get it. */
function throughWasm(text: string) {
  const tree = parseWasm(text);
  try {
    return copyTree(tree, text).root;
  } finally {
    tree.delete();
  }
}

function assertSameTree(text: string, origin: string): void {
  assert.deepEqual(shape(parsePython(text)), shape(throughWasm(text)), origin);
}

const EDGE_CASES: Record<string, string> = {
  empty: '',
  'only a comment, no line end': '# nothing',
  'missing closing parenthesis': 'def f(:\n    x\n',
  'missing colon and body': 'class C\nif x\n',
  'lone carriage returns (a Python line end, not one for tree-sitter)': 'import sys\rdef f():\r    sys.exit(1)\r',
  'CRLF line ends': 'async def f():\r\n    raise SystemExit\r\n',
  'characters outside the BMP before the nodes': 'x = "😀😀"\nasync def f():\n    return "🐍"\n',
  'a NUL character': 'x = 1\0\ny = 2\n',
  'unclosed triple-quoted string': 'x = """never closed\nasync def f(): pass\n',
  'f-string with nested braces and format spec': "x = f'{a!r:>{width}} {b[\"k\"]}'\n",
  'match statement and soft keywords': 'match = 1\nmatch x:\n    case [1, *rest] if rest:\n        pass\n    case _:\n        pass\n',
  'deep nesting': `x = ${'('.repeat(300)}1${')'.repeat(300)}\n`,
  'stray dedent inside brackets': 'def f():\n    x = (1,\n2)\n    return x\n',
  'decorators, lambdas, walrus and star expressions': '@a.b(c)\ndef f(*a, **k):\n    return [y := lambda *z: z for _ in ()]\n',
};

describe('native parse', () => {
  before(() => loadWasmParser());

  it('is built by npm run build and used for files', { skip: compilerMissing() }, () => {
    assert.ok(usesNativeParse(), 'src/native/build.mjs did not build the native parse: run `npm run build` and read its warning');
  });

  for (const [name, text] of Object.entries(EDGE_CASES)) {
    it(`gives the WebAssembly parser's tree: ${name}`, () => assertSameTree(text, name));
  }

  it("gives the WebAssembly parser's tree for pyhang's fixtures and a sample of the standard library", () => {
    const seeds = [...hazardSeeds(), ...stdlibSample({ count: 60, maxBytes: 60_000 })];
    assert.ok(seeds.length > 50, 'no files to compare');
    for (const seed of seeds) assertSameTree(Buffer.from(seed.bytes).toString('utf8'), seed.name);
  });

  it("gives the WebAssembly parser's tree for mutated files and token soup (property)", () => {
    const seeds = [...hazardSeeds(), ...stdlibSample({ count: 40, maxBytes: 20_000 })];
    fc.assert(
      fc.property(fc.oneof(mutatedSeedArb(seeds), tokenSoupArb), (file) => {
        assertSameTree(Buffer.from(file.bytes).toString('utf8'), file.origin);
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });

  it('is not needed: without it the CLI reports the same findings on examples/', () => {
    const args = ['check', 'examples', '--format', 'json', '--no-cache'];
    const withAddon = runPyhang(args, { cwd: repoRoot });
    const without = runPyhang(args, { cwd: repoRoot, env: { PYHANG_NATIVE_PARSE: '0' } });
    assert.equal(withAddon.status, 1, withAddon.stderr);
    assert.equal(without.status, 1, without.stderr);
    const findings = (out: string) =>
      (JSON.parse(out) as { filePath: string; messages: { ruleId: string; line: number; column: number }[] }[]).flatMap((f) =>
        f.messages.map((m) => `${path.relative(repoRoot, f.filePath)}:${m.line}:${m.column} ${m.ruleId}`),
      );
    const expected = findings(withAddon.stdout);
    assert.ok(expected.length > 0, 'examples/ reported nothing');
    assert.deepEqual(findings(without.stdout), expected);
  });

  it('is not needed: with WebAssembly forced, the JSON report on the fixtures is byte for byte the same', () => {
    // Every file parsed (no pre-filter): hazards across modules, syntax errors, odd encodings, noqa.
    const dirs = ['cli/basic', 'cli/problems', 'cli/noqa', 'cli/selection', 'cli/discovery', 'integrations', 'server/cross-module', 'server/hazard.py', 'hardening'];
    const args = ['check', ...dirs.map((dir) => `test/fixtures/${dir}`), '--format', 'json', '--no-cache', '--no-prefilter', '--jobs', '1'];
    const withAddon = runPyhang(args, { cwd: repoRoot });
    const withWasm = runPyhang(args, { cwd: repoRoot, env: { PYHANG_NATIVE_PARSE: '0' } });
    assert.equal(withAddon.status, 1, withAddon.stderr);
    assert.ok(JSON.parse(withAddon.stdout).length > 20, 'fixtures were not checked');
    assert.equal(withWasm.status, withAddon.status, withWasm.stderr);
    assert.equal(withWasm.stdout, withAddon.stdout);
    assert.equal(withWasm.stderr, withAddon.stderr);
  });
});
