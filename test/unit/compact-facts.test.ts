/**
 * compactData shrinks facts in place (one copy of each string, arrays of their
 * exact length): the rules must see exactly the facts they would have seen.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compactData, type ModuleFacts } from '../../src/python/facts.js';
import { analyzeModule } from '../../src/python/module-analysis.js';
import { repoRoot } from '../fuzz/corpus.js';

/** An example module whose coroutines call helpers: each such call is both an escape and a coroutine use. */
const FILE = path.join(repoRoot, 'examples', 'service', 'handlers.py');

const escapesOf = (facts: ModuleFacts) => facts.functions.flatMap((fn) => fn.escapes);

describe('compactData', () => {
  it('leaves facts equal, and values shared by two facts still shared', () => {
    const facts = analyzeModule(fs.readFileSync(FILE, 'utf8'), { path: FILE, module: 'service.handlers', isPackage: false });
    const before = JSON.stringify(facts);
    // The same call recorded as an escape and as a coroutine use shares its value.
    const useAt = facts.coroutineUses.findIndex((use) => escapesOf(facts).some((escape) => escape.value === use.callee));
    assert.ok(useAt >= 0, 'the analysis no longer shares values: this test needs another example');
    const escapeAt = escapesOf(facts).findIndex((escape) => escape.value === facts.coroutineUses[useAt]!.callee);

    const compacted = compactData(facts, new Map());
    assert.equal(JSON.stringify(compacted), before);
    assert.equal(compacted.coroutineUses[useAt]!.callee, escapesOf(compacted)[escapeAt]!.value);
  });
});
