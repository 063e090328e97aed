/**
 * `npm run fuzz`: the long fuzz run, outside `npm test`.
 *
 *   npm run fuzz                        # 100,000 inputs
 *   npm run fuzz -- --count 5000 --seed 42
 *   PYHANG_FUZZ_COUNT=5000 npm run fuzz
 *
 * Inputs are generated in chunks from a seed (printed, so a run can be
 * repeated); every input is checked with the properties of properties.ts.
 * A failure does not stop the run: each is printed, and its input files are
 * saved under the output directory (default: a new temporary directory) for
 * reproduction. Progress goes to stderr; the last line on stdout is
 * `fuzz: N inputs, M failures`. Exit status: 0 when nothing failed, 1 otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { hazardSeeds, stdlibSample } from './corpus.js';
import { inputArb, type FuzzFile } from './mutations.js';
import { checkInput, describeInput } from './properties.js';

interface Args {
  count: number;
  seed: number;
  out: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    count: Number(process.env['PYHANG_FUZZ_COUNT'] ?? 100_000),
    seed: Number(process.env['PYHANG_FUZZ_SEED'] ?? Date.now() % 2 ** 31),
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--count' && value) args.count = Number(value);
    else if (flag === '--seed' && value) args.seed = Number(value);
    else if (flag === '--out' && value) args.out = value;
    else throw new Error(`unknown argument '${flag}' (expected --count N, --seed N, --out DIR)`);
    i++;
  }
  if (!Number.isInteger(args.count) || args.count < 1) throw new Error('--count must be a positive integer');
  if (!Number.isInteger(args.seed)) throw new Error('--seed must be an integer');
  return args;
}

const CHUNK = 200;

function saveFailure(dir: string, index: number, files: readonly FuzzFile[], failure: string): string {
  const where = path.join(dir, `failure-${index}`);
  fs.mkdirSync(where, { recursive: true });
  files.forEach((file, i) => fs.writeFileSync(path.join(where, `input${i}.py`), file.bytes));
  fs.writeFileSync(path.join(where, 'failure.txt'), `${describeInput(files)}\n\n${failure}\n`);
  return where;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const stdlib = stdlibSample({ count: 300, maxBytes: 40_000 });
  const hazards = hazardSeeds();
  const arb = inputArb(stdlib, hazards);
  process.stderr.write(
    `fuzz: ${args.count} inputs, seed ${args.seed}; ${stdlib.length} standard-library seeds, ${hazards.length} hazard seeds\n`,
  );
  let out = args.out;
  let inputs = 0;
  let failures = 0;
  let slowest = 0;
  let withFindings = 0;
  let withFixes = 0;
  const started = Date.now();
  for (let chunk = 0; inputs < args.count; chunk++) {
    const batch = fc.sample(arb, { seed: args.seed + chunk, numRuns: Math.min(CHUNK, args.count - inputs) });
    for (const files of batch) {
      const outcome = checkInput(files);
      inputs++;
      slowest = Math.max(slowest, outcome.ms);
      if (outcome.findings) withFindings++;
      if (outcome.fixes) withFixes++;
      if (outcome.failure) {
        failures++;
        out ??= fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-fuzz-'));
        const saved = saveFailure(out, inputs, files, outcome.failure);
        process.stderr.write(`\nfuzz: FAILURE on input ${inputs} (saved in ${saved}):\n${describeInput(files)}\n${outcome.failure}\n`);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `fuzz: ${inputs}/${args.count} inputs, ${failures} failures, ${seconds.toFixed(0)} s, slowest input ${Math.round(slowest)} ms` +
        ` (${withFindings} with findings, ${withFixes} with HANG001 fixes)\n`,
    );
  }
  process.stdout.write(`fuzz: ${inputs} inputs, ${failures} failures (seed ${args.seed})\n`);
  return failures === 0 ? 0 : 1;
}

// node --test runs every file under dist/test/; this one is a script, not a test.
if (process.env['NODE_TEST_CONTEXT'] === undefined) {
  try {
    process.exitCode = main();
  } catch (error) {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
