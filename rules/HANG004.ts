import type { Rule } from '../src/engine/rule.js';
import { isThreadsafeFuture, outcomeHandledByCallback, threadsafeFutureNames } from './shared/threadsafe-futures.js';

/**
 * HANG004 threadsafe-future-discarded.
 *
 * run_coroutine_threadsafe chains the task's outcome into the returned future
 * with a callback that retrieves the exception, so asyncio never logs "exception
 * was never retrieved". Dropping the future loses any error without a trace.
 */
export const HANG004: Rule = {
  meta: {
    code: 'HANG004',
    name: 'threadsafe-future-discarded',
    defaultSeverity: 'warning',
    summary: 'The future returned by run_coroutine_threadsafe is discarded',
    help:
      'The future returned by asyncio.run_coroutine_threadsafe() is the only place an exception raised by the coroutine ends up; ' +
      'asyncio does not log it because the chaining callback has retrieved it. Keep the future and check it, ' +
      'or attach a done-callback that logs failures.',
    messages: {
      discarded: "The future of `{call}` is discarded: the coroutine's exception is lost",
    },
    fix: null,
    docs: {
      finds: "`run_coroutine_threadsafe(...)` whose future is dropped, losing the coroutine's exception",
    },
  },
  // Where its hazards start: the discarded future is made there.
  triggers: ['run_coroutine_threadsafe'],
  *asks({ facts }) {
    for (const discard of facts.discards) yield discard.value;
  },
  reachedThrough: threadsafeFutureNames,
  check(context) {
    for (const discard of context.facts.discards) {
      if (!isThreadsafeFuture(context.project, discard.value)) continue;
      // A wrapper that attached a done-callback reading the future before returning it handles its outcome.
      if (outcomeHandledByCallback(context.project, discard.value)) continue;
      context.report({ messageId: 'discarded', data: { call: `${discard.calleeText}(...)` }, loc: discard.loc });
    }
  },
};
