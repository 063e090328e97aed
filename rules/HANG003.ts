import type { Rule } from '../src/engine/rule.js';
import { isThreadsafeFuture, threadsafeFutureNames, futureCallers } from './shared/threadsafe-futures.js';
import { FUTURE_WAITS, waitText } from './shared/future-waits.js';

/**
 * HANG003 blocking-result-in-coroutine.
 *
 * `.result()` blocks the calling thread. Inside a coroutine that thread runs an
 * event loop, which stops serving every other task while it waits; when the
 * future's coroutine was submitted to that same loop it can never run, so the
 * wait deadlocks whatever the timeout.
 */
export const HANG003: Rule = {
  meta: {
    code: 'HANG003',
    name: 'blocking-result-in-coroutine',
    defaultSeverity: 'error',
    summary: 'Blocking .result()/.exception() on a run_coroutine_threadsafe future inside a coroutine',
    help:
      'Calling result() or exception() on a concurrent future inside a coroutine blocks the running event loop; ' +
      'if the future belongs to that same loop it deadlocks, with or without a timeout. ' +
      'Use `await asyncio.wrap_future(fut)` (or `await asyncio.wait_for(asyncio.wrap_future(fut), timeout)`).',
    messages: {
      blocking: '`{call}` blocks the event loop of `{name}()`',
    },
    fix: null,
    docs: {
      finds: 'a blocking `.result()` on such a future inside a coroutine',
    },
  },
  // Where its hazards start: the wait sits in a coroutine.
  triggers: ['async def'],
  facts: [FUTURE_WAITS],
  *asks(module) {
    for (const wait of module.extracted(FUTURE_WAITS)) if (wait.coroutine) yield wait.target;
  },
  reachedThrough: threadsafeFutureNames,
  check(context) {
    for (const wait of context.extracted(FUTURE_WAITS)) {
      if (!wait.coroutine || wait.knownDone) continue;
      if (wait.kind !== 'result' && wait.kind !== 'exception') continue;
      if (!isThreadsafeFuture(context.project, wait.target)) continue;
      context.report({
        messageId: 'blocking',
        data: { call: waitText(wait), target: wait.targetText, name: wait.coroutine },
        loc: wait.loc,
        related: futureCallers(context.project, wait.target),
      });
    }
  },
};
