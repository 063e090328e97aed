import { defineRule } from '../src/engine/rule.js';
import { isThreadsafeFuture, holdsThreadsafeFutures, threadsafeFutureNames } from './shared/threadsafe-futures.js';
import type { Fix } from '../src/python/facts.js';
import { FUTURE_WAITS, type WaitFact } from './shared/future-waits.js';

/**
 * HANG001 threadsafe-result-without-timeout.
 *
 * A `concurrent.futures.Future` from `asyncio.run_coroutine_threadsafe` is
 * completed by a done-callback that runs on the target event loop. If that loop
 * stops (or its thread dies, e.g. because a task raised SystemExit) first, the
 * future stays pending forever, so an unbounded wait on it never returns.
 */
export const HANG001 = defineRule({
  meta: {
    code: 'HANG001',
    name: 'threadsafe-result-without-timeout',
    defaultSeverity: 'error',
    summary: 'Waiting on a run_coroutine_threadsafe future without a timeout',
    help:
      'A future returned by asyncio.run_coroutine_threadsafe() is completed by a callback on the target event loop. ' +
      'If that loop stops or its thread dies first, the future is never completed and result()/exception() ' +
      'without a timeout, or concurrent.futures.wait()/as_completed() without one, block forever. ' +
      'Pass a timeout and handle TimeoutError (for wait() and as_completed(), what is still pending); ' +
      'inside a coroutine, await asyncio.wrap_future(fut) instead.',
    messages: {
      method: '`{call}` can block forever without a timeout',
      function: '`{call}` on threadsafe futures can block forever without a timeout',
    },
    fix: 'unsafe',
    docs: {
      finds: '`.result()` / `.exception()`, `concurrent.futures.wait` / `as_completed` on such futures with no timeout',
    },
    options: {
      'fix-timeout': {
        type: 'positive number',
        unit: 'seconds',
        default: 30,
        description: "Seconds written by HANG001's fix (`.result(timeout=N)`).",
      },
    },
  },
  // Where its hazards start: threadsafe futures are made there (wrappers made elsewhere are found by name).
  triggers: ['run_coroutine_threadsafe'],
  facts: [FUTURE_WAITS],
  *asks(module) {
    for (const wait of module.extracted(FUTURE_WAITS)) if (wait.timeout.given !== 'value') yield wait.target;
  },
  reachedThrough: threadsafeFutureNames,
  check(context) {
    for (const wait of context.extracted(FUTURE_WAITS)) {
      // No timeout, or None, is no bound; a future known done returns at once.
      if (wait.timeout.given === 'value' || wait.knownDone) continue;
      const isMethod = wait.kind === 'result' || wait.kind === 'exception';
      const hazardous = isMethod ? isThreadsafeFuture(context.project, wait.target) : holdsThreadsafeFutures(context.project, wait.target);
      if (!hazardous) continue;
      context.report({
        messageId: isMethod ? 'method' : 'function',
        data: { call: isMethod ? `${wait.targetText}.${wait.kind}()` : `${wait.kind}()`, target: wait.targetText },
        loc: wait.loc,
        fix: isMethod ? timeoutFix(wait, context.options.fixTimeout) : undefined,
      });
    }
  },
});

/**
 * `.result()` → `.result(timeout=N)`; `.result(None)` / `.result(timeout=None)` → N.
 * Only where that is the whole change: a call with other arguments keeps its text.
 */
function timeoutFix(wait: WaitFact, seconds: number): Fix | undefined {
  const { timeout, args } = wait;
  if (!args) return undefined;
  let edit: Fix['edits'][number];
  if (timeout.given === 'none' && timeout.loc) edit = { start: timeout.loc.start.offset, end: timeout.loc.end.offset, text: String(seconds) };
  else if (timeout.given === 'absent' && args.count === 0) {
    const inside = args.loc.start.offset + 1;
    edit = { start: inside, end: inside, text: `timeout=${seconds}` };
  } else return undefined;
  return { description: `Pass timeout=${seconds}`, edits: [edit] };
}
