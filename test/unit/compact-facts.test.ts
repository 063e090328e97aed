/**
 * compactData shrinks facts in place (one copy of each string, arrays of their
 * exact length): the rules must see exactly the facts they would have seen.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compactData } from '../../src/facts.js';
import { analyzeModule } from '../../src/module-analysis.js';

const SOURCE = [
  'import asyncio',
  'import sys',
  '',
  'LOOP = asyncio.new_event_loop()',
  '',
  '',
  'def submit_to_loop(coro):',
  '    return asyncio.run_coroutine_threadsafe(coro, LOOP)',
  '',
  '',
  'async def handle_request_with_a_long_name(msg):',
  '    if not msg:',
  '        sys.exit(1)',
  '    helper_function_with_a_long_name(msg)',
  '',
  '',
  'def helper_function_with_a_long_name(msg):',
  '    raise SystemExit(msg)',
  '',
  '',
  'def ask(msg):',
  '    submit_to_loop(handle_request_with_a_long_name(msg)).result()',
  '',
].join('\n');

describe('compactData', () => {
  it('leaves facts equal, and values shared by two facts still shared', () => {
    const facts = analyzeModule(SOURCE, { path: 'app.py', module: 'app', isPackage: false });
    const before = JSON.stringify(facts);
    // The same call recorded as an escape and as a coroutine use shares its value.
    const use = facts.coroutineUses.find((u) => u.inFunction === 'app.handle_request_with_a_long_name')!;
    const escape = facts.functions.find((f) => f.name === 'handle_request_with_a_long_name')!.escapes.find((e) => e.via === 'call')!;
    assert.equal(use.callee, escape.value, 'the analysis no longer shares values: this test needs another example');

    const compacted = compactData(facts, new Map());
    assert.equal(JSON.stringify(compacted), before);
    const useAfter = compacted.coroutineUses.find((u) => u.inFunction === 'app.handle_request_with_a_long_name')!;
    const escapeAfter = compacted.functions.find((f) => f.name === 'handle_request_with_a_long_name')!.escapes.find((e) => e.via === 'call')!;
    assert.equal(useAfter.callee, escapeAfter.value);
  });

});
