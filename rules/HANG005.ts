import { defineRule, type RelatedLocation } from '../src/engine/rule.js';
import type { ProjectIndex, LoopThreadEntry } from '../src/project/project-index.js';
import { elemOf, type Value } from '../src/python/values.js';
import { FUTURE_WAITS, type WaitFact } from './shared/future-waits.js';
import { threadsafeFutureNames } from './shared/threadsafe-futures.js';

/**
 * HANG005 blocking-wait-on-own-loop.
 *
 * `asyncio.run_coroutine_threadsafe(coro, asyncio.get_event_loop())` in sync
 * code that runs on that loop's thread (a helper a coroutine calls, a loop
 * callback, a protocol method) schedules the coroutine on the loop that the
 * very thread about to wait is running. A blocking wait there stops the loop,
 * so the coroutine never starts: without a timeout the thread deadlocks, with
 * one the whole loop stands still until it expires.
 */
export const HANG005 = defineRule({
  meta: {
    code: 'HANG005',
    name: 'blocking-wait-on-own-loop',
    defaultSeverity: 'error',
    summary: "Blocking wait, on an event loop's thread, for a coroutine submitted to that same loop",
    help:
      'The future of run_coroutine_threadsafe(coro, loop) is completed by the loop running coro; waiting for it on that ' +
      "loop's own thread blocks the loop, so coro never runs: without a timeout the thread deadlocks, with one the loop " +
      'freezes until it expires and the wait fails. Make the caller a coroutine and `await coro` (or schedule it with ' +
      'asyncio.ensure_future and return); run_coroutine_threadsafe is for other threads.',
    messages: {
      deadlock: "`{call}` on the event loop's thread waits for a coroutine that loop must run: deadlock",
      frozen: "`{call}` on the event loop's thread blocks it until the timeout",
    },
    fix: null,
    docs: {
      finds:
        "a blocking wait on a `run_coroutine_threadsafe(coro, asyncio.get_event_loop())` future (or a `self._loop` or parameter holding that loop) in sync code that runs on that loop's thread (helpers coroutines call, loop callbacks, protocol methods), across modules",
    },
  },
  // Where its hazards start: the future is submitted with run_coroutine_threadsafe.
  triggers: ['run_coroutine_threadsafe'],
  facts: [FUTURE_WAITS],
  *asks(module) {
    for (const wait of module.extracted(FUTURE_WAITS)) if (!wait.coroutine && wait.inFunction) yield wait.target;
  },
  reachedThrough: threadsafeFutureNames,
  check(context) {
    const { project } = context;
    for (const wait of context.extracted(FUTURE_WAITS)) {
      // Written directly in a coroutine, it is HANG003's; a future checked done does not block. (In a
      // done-callback only the future it is given is done: a future submitted there is not.)
      if (wait.coroutine || !wait.inFunction || wait.knownDone === 'done-guard') continue;
      if (project.functionAt(wait.inFunction)?.fn.isAsync) continue;
      if (!onRunningLoop(project, wait)) continue;
      const entry = project.runsOnLoopThread(wait.inFunction);
      if (!entry) continue;
      const call = wait.kind === 'result' || wait.kind === 'exception' ? `${wait.targetText}.${wait.kind}()` : `${wait.kind}(${wait.targetText})`;
      context.report({
        messageId: wait.timeout.given === 'value' ? 'frozen' : 'deadlock',
        data: { call },
        loc: wait.loc,
        related: related(project, entry),
      });
    }
  },
});

/** Whether what is waited on may be a future submitted to the loop running the submitting thread. */
function onRunningLoop(project: ProjectIndex, wait: WaitFact): boolean {
  const futures: Value = wait.kind === 'result' || wait.kind === 'exception' ? wait.target : elemOf(wait.target);
  return project.submittedToRunningLoop(futures);
}

/** How the wait comes to run on the loop's thread: where that starts, then each call down to the wait's function. */
function related(project: ProjectIndex, entry: LoopThreadEntry): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const root = project.functionAt(entry.root);
  const name = root?.fn.name ?? entry.root;
  if (entry.how === 'callback' && entry.scheduled) {
    out.push({ path: entry.scheduled.path, loc: entry.scheduled.loc, message: `${name}() is handed to the event loop here (${entry.scheduled.api})` });
  } else if (root) {
    const what = entry.how === 'coroutine' ? `coroutine ${name}() runs on the event loop's thread` : `the event loop calls protocol method ${name}()`;
    out.push({ path: root.path, loc: root.fn.loc, message: what });
  }
  for (const step of entry.chain) out.push({ path: step.path, loc: step.loc, message: `calls ${step.text}` });
  return out;
}
