/**
 * Rules written in tests, not in rules/: they register by being passed to
 * lint() (LintOptions.rules), as any rule added after the redesign must.
 */
import { defineRule, type Rule } from '../../src/engine/rule.js';
import type { FactKind } from '../../src/python/extractors.js';
import type { Loc } from '../../src/python/facts.js';
import type { Value } from '../../src/python/values.js';
import { py } from '../rule-tester.js';

/** What TEST901 keeps of each `concurrent.futures.wait(fs)` written directly in a coroutine. */
interface CoroutineWait {
  futures: Value;
  coroutine: string;
  loc: Loc;
}

/** TEST901's own facts: an extractor keyed by the qualified names `wait` is reachable under. */
export const coroutineWaits: FactKind<CoroutineWait> = {
  id: 'test901-coroutine-waits',
  calls: Object.fromEntries(
    ['concurrent.futures.wait', 'concurrent.futures._base.wait'].map((name) => [
      name,
      (call): CoroutineWait | undefined => {
        const futures = call.argument(0, 'fs');
        return call.coroutine && futures ? { futures: futures.value, coroutine: call.coroutine, loc: call.loc } : undefined;
      },
    ]),
  ),
};

/**
 * A rule written after the redesign, owning its facts: a
 * `concurrent.futures.wait()` on run_coroutine_threadsafe futures directly
 * inside a coroutine blocks its event loop for as long as it waits, timeout or
 * not (HANG001 only asks for the timeout). Nothing under src/ knows it.
 */
export const waitInCoroutine = defineRule({
  meta: {
    code: 'TEST901',
    name: 'threadsafe-wait-in-coroutine',
    defaultSeverity: 'warning',
    summary: 'concurrent.futures.wait() on run_coroutine_threadsafe futures inside a coroutine',
    help: 'The wait blocks the event loop the coroutine runs on; await asyncio.wrap_future() instead.',
    messages: { blocking: '`{call}` inside coroutine `{coroutine}` blocks its event loop while it waits; await asyncio.wrap_future() instead' },
    fix: null,
    docs: { finds: '`concurrent.futures.wait()` on such futures inside a coroutine' },
  },
  triggers: ['async def'],
  facts: [coroutineWaits],
  *asks(module) {
    for (const wait of module.extracted(coroutineWaits)) yield wait.futures;
  },
  check(context) {
    for (const wait of context.extracted(coroutineWaits)) {
      if (!context.project.holdsFutures(wait.futures)) continue;
      context.report({ messageId: 'blocking', data: { call: 'wait()', coroutine: wait.coroutine }, loc: wait.loc });
    }
  },
});

/** A rule with a bug: it throws on every file it checks. */
export function throwingRule(code: string): Rule {
  return {
    meta: { ...waitInCoroutine.meta, code, name: 'always-throws', messages: {} },
    triggers: [],
    check() {
      throw new TypeError("Cannot read properties of undefined (reading 'loc')");
    },
  };
}

/** Line 8: a wait() inside a coroutine (TEST901); line 12: an unbounded .result() (HANG001), column 12. */
export const waitsInCoroutine = py`
  import asyncio, concurrent.futures, threading
  loop = asyncio.new_event_loop()
  threading.Thread(target=loop.run_forever, daemon=True).start()
  async def work():
      return 1
  async def handler():
      futs = [asyncio.run_coroutine_threadsafe(work(), loop)]
      concurrent.futures.wait(futs, timeout=5)
  def sync_caller():
      futs = [asyncio.run_coroutine_threadsafe(work(), loop)]
      concurrent.futures.wait(futs, timeout=5)
      futs[0].result()
`;
