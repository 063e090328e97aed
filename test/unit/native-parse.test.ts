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
import { copyTree, loadWasmParser, parseFlat, parsePython, parseWasm, usesNativeParse } from '../../src/python/parser.js';
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

/**
 * A large file is parsed in slices cut before top-level definitions (parse.c's
 * parse_sliced), by several threads at once; the tree must be the whole
 * parse's, node for node, whatever the number of threads. Slices of a few
 * characters cut at every definition the scan allows.
 */
function assertSlicedSame(text: string, origin: string): void {
  const whole = parseFlat(text, 1 << 30)!;
  for (const slice of [1, 40, 500]) assert.deepEqual(parseFlat(text, slice), whole, `${origin}, slices of ${slice}`);
  for (const threads of [1, 3]) assert.deepEqual(parseFlat(text, 1, threads), whole, `${origin}, slices of 1 by ${threads} threads`);
}

const SLICED_CASES: Record<string, string> = {
  'definitions, decorators, classes and coroutines': '"""Doc."""\nimport asyncio\n\n@dec\n# between\n@other(1)\ndef f(x):\n    return x\n\nclass C:\n    def m(self):\n        pass\n\nasync def g():\n    await asyncio.sleep(1)\n',
  // A slice ending here was parsed as `*(z[i])` rather than the whole file's subscript of a splat, before the sentinel.
  'an ambiguous starred subscript before a decorator': 'def f(z, i):\n    for _ in z:\n        yield 1, 2, *z[i]\n\n\n@deco(1)\nclass T:\n    pass\n',
  '"def" at column 0 inside strings, brackets and continuations':
    'x = """\ndef not_cut():\n    pass\n"""\ny = (1,\ndef_ := 2)\nz = 1 + \\\n2\ndef after():\n    s = \'def\'\n    return """\nclass X:\n"""\n',
  'comments at column 0 between definitions': 'def f():\n    x = 1\n    # indented\n# at column 0\n\ndef g():\n    pass\n# last\n',
  'a syntax error in one slice': 'def f():\n    return (\n\ndef g():\n    pass\n\nclass C\n    pass\n',
  'CRLF line ends': 'def f():\r\n    pass\r\n\r\ndef g():\r\n    pass\r\n',
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

  describe('in slices, a large file', { skip: !usesNativeParse() && 'the native parse is not built' }, () => {
    for (const [name, text] of Object.entries(SLICED_CASES)) {
      it(`gives the whole parse's tree: ${name}`, () => assertSlicedSame(text, name));
    }

    it("gives the whole parse's tree for pyhang's fixtures and a sample of the standard library", () => {
      const seeds = [...hazardSeeds(), ...stdlibSample({ count: 60, maxBytes: 60_000 })];
      for (const seed of seeds) assertSlicedSame(Buffer.from(seed.bytes).toString('utf8'), seed.name);
    });

    it("gives the whole parse's tree for mutated files (property)", () => {
      const seeds = [...hazardSeeds(), ...stdlibSample({ count: 40, maxBytes: 20_000 })];
      fc.assert(
        fc.property(mutatedSeedArb(seeds), (file) => assertSlicedSame(Buffer.from(file.bytes).toString('utf8'), file.origin)),
        { numRuns: 200, seed: 20261207 },
      );
    });
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
