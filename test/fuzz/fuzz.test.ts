/**
 * The short fuzz run of `npm test`: a fixed seed and a time budget, so it is
 * repeatable and bounded (`npm run fuzz` runs the long one). Each property is
 * described in properties.ts (the core), cli-fuzz.ts and server-fuzz.ts;
 * fast-check shrinks a core failure to a small input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hazardSeeds, stdlibSample } from './corpus.js';
import { generatedArb, inputArb, plantedSeedArb, randomBytesArb, tokenSoupArb, type FuzzFile } from './mutations.js';
import { checkInput, describeInput } from './properties.js';
import { checkCliInput, runCliFuzz } from './cli-fuzz.js';
import { runServerFuzz } from './server-fuzz.js';
import type { FuzzReport } from './cli-fuzz.js';

/** Same inputs on every run; change it to explore, then keep any failure found as a regression test. */
const SEED = 20_240_611;

function property(files: FuzzFile[]): void {
  const outcome = checkInput(files);
  if (outcome.failure) throw new Error(`${outcome.failure}\n${describeInput(files)}`);
}

function run(arb: fc.Arbitrary<FuzzFile[]>, numRuns: number, seconds: number): void {
  fc.assert(fc.property(arb, property), {
    seed: SEED,
    numRuns,
    // A budget, not a requirement: on a slow machine fewer inputs run, and that is no failure.
    interruptAfterTimeLimit: seconds * 1000,
    // The property's own message says which property broke, and how.
    includeErrorInReport: true,
  });
}

describe('fuzzing lint()', () => {
  const stdlib = stdlibSample({ count: 120, maxBytes: 40_000 });
  const hazards = hazardSeeds();

  it('has seeds: a standard-library sample from python3 and the hazard fixtures', () => {
    assert.ok(hazards.length >= 10, `hazard seeds: ${hazards.length}`);
    assert.ok(stdlib.length >= 50, `standard-library seeds: ${stdlib.length} (is python3 installed?)`);
  });

  it('mutated real files: no exception, bounded time, deterministic, fixes valid and idempotent', () => {
    run(inputArb(stdlib, hazards), 5000, 20);
  });

  it('hazards planted in mutated files are still found, and in large and deep generated files', () => {
    run(fc.oneof(plantedSeedArb(stdlib), plantedSeedArb(hazards), generatedArb).map((file) => [file]), 300, 6);
  });

  it('counts a hazard that is not found, and so would count a silent miss, as a failure', () => {
    const outcome = checkInput([{ origin: 'clean', bytes: new TextEncoder().encode('x = 1\n'), mustFindLine: 1 }]);
    assert.match(outcome.failure ?? '', /the hazard on line 1 is not reported/);
  });

  it('random bytes and token soup', () => {
    run(fc.oneof(randomBytesArb, tokenSoupArb).map((file) => [file]), 2000, 5);
  });

  it('random text from an editor (any code units, lone surrogates included)', () => {
    const hazard = new TextDecoder().decode(hazards.find((seed) => seed.name.endsWith('basic/hazard.py'))?.bytes);
    const textArb = fc
      .tuple(fc.string({ unit: 'binary', maxLength: 300 }), fc.nat({ max: hazard.length }), fc.boolean())
      .map(([noise, at, asText]): FuzzFile[] => {
        // Random text spliced into a hazard, so findings (and fixes) sit next to odd characters.
        const text = hazard.slice(0, at) + noise + hazard.slice(at);
        const file: FuzzFile = { origin: `text ${JSON.stringify(text)}`, bytes: new TextEncoder().encode(text) };
        return [asText ? { ...file, text } : file];
      });
    run(textArb, 1000, 4);
  });
});

function assertClean(report: FuzzReport): void {
  assert.ok(report.inputs >= 1, 'at least one input ran');
  assert.deepEqual(report.failures, []);
}

describe('fuzzing the command line (the built binary)', () => {
  it('file names that try to inject a workflow command or an escape sequence are reported under their names, escaped', () => {
    const checked = new Map<string, number>();
    const names = ['f\n::error file=INJECTED.py,line=1::pwned.py', 'f\x1b[2J%0A\r\t\u009b31m.py', 'f$(touch pwned) --fix.py'];
    for (const format of ['json', 'github', 'stylish']) {
      assert.equal(checkCliInput({ names, format, flags: [], config: null, cache: null }, checked), null);
    }
    assert.equal(checked.get('hazards reported under their exact names'), 1);
    assert.equal(checked.get('output escaped'), 3);
  });

  it('a short random run: hostile names, odd flags and configuration values, corrupted cache files', () => {
    assertClean(runCliFuzz({ count: 3, seed: SEED, timeLimitMs: 5_000 }));
  });
});

describe('fuzzing the language server (the built binary)', () => {
  it('a short random run: random JSON-RPC messages, edits and document sizes; it still serves and shuts down', async () => {
    assertClean(await runServerFuzz({ count: 3, seed: SEED, timeLimitMs: 8_000 }));
  });
});
