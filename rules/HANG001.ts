import { defineRule } from '../src/engine/rule.js';
import type { WaitFact, Fix } from '../src/python/facts.js';

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
      'Pass a timeout and handle TimeoutError; inside a coroutine, await asyncio.wrap_future(fut) instead.',
    messages: {
      method:
        '`{call}` waits without a timeout on a run_coroutine_threadsafe future, which is never completed if its event loop stops first, so it can block forever; pass a timeout and handle `TimeoutError` (inside a coroutine, `await asyncio.wrap_future({target})`)',
      function:
        '`{call}` waits without a timeout on run_coroutine_threadsafe futures, which are never completed if their event loop stops first, so it can block forever; pass `timeout=` and handle what is still pending',
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
  check(context) {
    for (const wait of context.facts.waits) {
      if (!wait.unbounded || wait.exemption) continue;
      const isMethod = wait.kind === 'result' || wait.kind === 'exception';
      const hazardous = isMethod ? context.project.isFuture(wait.target) : context.project.holdsFutures(wait.target);
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

/** `.result()` → `.result(timeout=N)`; `.result(None)` / `.result(timeout=None)` → N. */
function timeoutFix(wait: WaitFact, seconds: number): Fix | undefined {
  if (!wait.fixAt) return undefined;
  const { offset, needsComma, replace } = wait.fixAt;
  const edit = replace
    ? { start: replace.start, end: replace.end, text: String(seconds) }
    : { start: offset, end: offset, text: `${needsComma ? ', ' : ''}timeout=${seconds}` };
  return { description: `Pass timeout=${seconds}`, edits: [edit] };
}
