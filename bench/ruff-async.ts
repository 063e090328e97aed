/**
 * Ruff's WebAssembly build with only the ASYNC rules (flake8-async), run over
 * every `.py` file under a directory, one file at a time in one Workspace, as
 * its own process. This is the closest thing to pyhang's job that Ruff does:
 * it parses each file fully and runs rules on it. The wasm build is single
 * threaded; Ruff's native binary would use every core.
 *
 * Usage: node dist/bench/ruff-async.js DIR
 * Prints {files, findings, byCode, failures, version} as JSON.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { listPythonFiles } from './corpus.js';

interface RuffDiagnostic {
  code: string | null;
}

interface RuffWasm {
  Workspace: {
    new (options: unknown, positionEncoding: number): { check(contents: string): RuffDiagnostic[] };
    version(): string;
  };
  PositionEncoding: { Utf16: number };
}

// The package is CommonJS; require() keeps its synchronous wasm instantiation.
const ruff = createRequire(import.meta.url)('@astral-sh/ruff-wasm-nodejs') as RuffWasm;

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: ruff-async.js DIR\n');
  process.exit(2);
}
const workspace = new ruff.Workspace({ lint: { select: ['ASYNC'] } }, ruff.PositionEncoding.Utf16);
const byCode: Record<string, number> = {};
let findings = 0;
let failures = 0;
const files = listPythonFiles(root);
for (const file of files) {
  // Ruff's API takes text; a file that is not UTF-8 is decoded with replacement characters rather than skipped.
  const text = fs.readFileSync(file, 'utf8');
  let diagnostics: RuffDiagnostic[];
  try {
    diagnostics = workspace.check(text);
  } catch {
    failures++;
    continue;
  }
  for (const diagnostic of diagnostics) {
    // Syntax errors come back as diagnostics too; only the rules' findings are counted.
    if (!diagnostic.code?.startsWith('ASYNC')) continue;
    findings++;
    byCode[diagnostic.code] = (byCode[diagnostic.code] ?? 0) + 1;
  }
}
process.stdout.write(`${JSON.stringify({ files: files.length, findings, byCode, failures, version: ruff.Workspace.version() })}\n`);
