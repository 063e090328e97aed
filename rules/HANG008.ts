import { defineRule } from '../src/engine/rule.js';
import { isThreadsafeFuture, threadsafeFutureNames } from './shared/threadsafe-futures.js';

/**
 * HANG008 unbounded-done-poll.
 *
 * A loop that ends only once a run_coroutine_threadsafe future is done
 * (`while not fut.done(): time.sleep(0.1)`, `while pending:` removing the
 * done ones, `for _ in itertools.count():`) is HANG001's unbounded wait,
 * moved into a loop: if the target loop stops first, the future stays pending
 * and the loop polls forever. The model records such loops (ModuleFacts.doneLoops:
 * every way out shows a future done); a deadline, a counter or a flag is
 * another way out and makes a loop none.
 */
export const HANG008 = defineRule({
  meta: {
    code: 'HANG008',
    name: 'unbounded-done-poll',
    defaultSeverity: 'error',
    summary: 'A loop polling a run_coroutine_threadsafe future with no deadline',
    help:
      'A loop that ends only when a run_coroutine_threadsafe future is done (done() checks, or retries of result(timeout=...)) ' +
      'never ends if the target event loop stops or its thread dies first: the future is never completed. ' +
      'Give the loop a deadline (`while not fut.done() and time.monotonic() < deadline`), an iteration bound or a timed ' +
      'break, and decide what happens when it passes (cancel the future, raise); or wait once with result(timeout=...).',
    messages: {
      poll: '`{loop}` polls a run_coroutine_threadsafe future with no deadline',
    },
    fix: null,
    docs: {
      finds: 'loops that end only when a threadsafe future is done (`done()` polls, `while pending:` drains, `itertools.count()`, retries of timed waits) with no deadline or bound',
    },
  },
  // Where its hazards start: threadsafe futures are made there (wrappers made elsewhere are found by name).
  triggers: ['run_coroutine_threadsafe'],
  *asks({ facts }) {
    for (const loop of facts.doneLoops) yield loop.futures;
  },
  reachedThrough: threadsafeFutureNames,
  check(context) {
    for (const loop of context.facts.doneLoops) {
      if (!isThreadsafeFuture(context.project, loop.futures)) continue;
      context.report({ messageId: 'poll', data: { loop: loop.text }, loc: loop.loc });
    }
  },
});
