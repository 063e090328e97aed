/**
 * ProjectIndex.derive / reuse: what a rule derives from the index's answers
 * (the names its hazards reach other files through) is kept across the rounds
 * of loading only while the same questions would get the same answers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModule } from '../../src/python/module-analysis.js';
import { ProjectIndex } from '../../src/project/project-index.js';
import type { ModuleFacts } from '../../src/python/facts.js';

function facts(module: string, text: string): ModuleFacts {
  return analyzeModule(text, { path: `/project/${module.replace(/\./g, '/')}.py`, module, isPackage: false });
}

const APP = `import asyncio
from app.bridge import submit


def start(coro, loop):
    pending = submit(coro, loop)
    return pending
`;

const BRIDGE = `import asyncio


def submit(coro, loop):
    return asyncio.run_coroutine_threadsafe(coro, loop)
`;

describe('answers derived from the project index', () => {
  it('hold until a module they missed is indexed', () => {
    const app = facts('app.main', APP);
    // `app.bridge` is a module of the project not indexed yet (a file the pre-filter skipped).
    const project = new ProjectIndex([app], { loadable: (module) => module === 'app.bridge' });
    const returns = app.functions.find((fn) => fn.name === 'start')!.returns;
    const derived = project.derive(() => project.evaluate(returns).includes('fut'));
    assert.equal(derived.result, false);
    assert.deepEqual(derived.wanted, ['app.bridge']);
    assert.equal(project.reuse(derived), true);
    // An unrelated module changes nothing.
    project.add(facts('app.other', 'def helper():\n    return 1\n'), false);
    assert.equal(project.reuse(derived), true);
    // The module it missed: the same question now finds the threadsafe future.
    project.add(facts('app.bridge', BRIDGE), false);
    assert.equal(project.reuse(derived), false);
    assert.equal(project.derive(() => project.evaluate(returns).includes('fut')).result, true);
  });

  it('that asked what callers pass hold until a target is added', () => {
    const waiter = facts('app.waiter', 'def wait(fut):\n    return fut\n');
    const project = new ProjectIndex([facts('app.bridge', BRIDGE), waiter]);
    const returns = waiter.functions.find((fn) => fn.name === 'wait')!.returns;
    const derived = project.derive(() => project.evaluate(returns).includes('fut'));
    assert.equal(derived.result, false);
    assert.equal(project.reuse(derived), true);
    // A module only resolved through is not a caller's.
    project.add(facts('app.lib', 'def helper():\n    return 1\n'), false);
    assert.equal(project.reuse(derived), true);
    // A new target can call it with a future: asked again, the parameter holds one.
    project.add(facts('app.caller', 'from app.bridge import submit\nfrom app.waiter import wait\n\n\ndef go(coro, loop):\n    wait(submit(coro, loop))\n'));
    assert.equal(project.reuse(derived), false);
    assert.equal(project.derive(() => project.evaluate(returns).includes('fut')).result, true);
  });
});
