import { defineRule, type RelatedLocation, type ReachingNames } from '../src/engine/rule.js';
import type { ProjectIndex } from '../src/project/project-index.js';
import type { Value } from '../src/python/values.js';
import { FUTURE_WAITS } from './shared/future-waits.js';
import { FUTURE_COMPLETIONS, completionsOf, handMadeFutures } from './shared/future-completions.js';
import { LOOP_CALLBACKS } from './shared/event-loop-code.js';

/**
 * HANG007 plain-future-without-timeout.
 *
 * A `concurrent.futures.Future()` made by hand is completed only by the code
 * that calls its `set_result` / `set_exception`. When that code runs only on
 * an event loop (a `call_soon_threadsafe` callback, a coroutine), a stopped
 * loop never runs it, and `result()` with no timeout in another thread waits
 * forever: `Future.result` waits on a `threading.Condition` that only those
 * methods notify.
 */
export const HANG007 = defineRule({
  meta: {
    code: 'HANG007',
    name: 'plain-future-without-timeout',
    defaultSeverity: 'error',
    summary: 'Waiting without a timeout on a hand-made Future that only event-loop code completes',
    help:
      'A concurrent.futures.Future() made by hand is completed only where its set_result()/set_exception() is called. ' +
      'When that happens only in a loop callback (call_soon_threadsafe) or a coroutine, a loop that has stopped, or ' +
      'whose thread died, never runs it, and result()/exception() without a timeout in another thread block forever. ' +
      'Pass a timeout and handle TimeoutError (cancel the future, report the stopped loop); or, for a coroutine, ' +
      'use asyncio.run_coroutine_threadsafe, whose future the same advice applies to.',
    messages: {
      wait: '`{call}` can block forever on a loop-completed Future',
    },
    fix: null,
    docs: {
      finds: '`.result()` / `.exception()` / `wait([...])` with no timeout on a `concurrent.futures.Future()` completed only in loop callbacks, coroutines, protocol methods or helpers only they call',
    },
  },
  // Where its hazards start: such futures are made by calling the class.
  triggers: ['Future'],
  facts: [FUTURE_WAITS, FUTURE_COMPLETIONS, LOOP_CALLBACKS],
  *asks(module) {
    for (const wait of module.extracted(FUTURE_WAITS)) if (wait.timeout.given !== 'value') yield wait.target;
    for (const completion of module.extracted(FUTURE_COMPLETIONS)) yield completion.receiver;
    for (const scheduled of module.extracted(LOOP_CALLBACKS)) yield scheduled.callback;
  },
  reachedThrough: handMadeFutureNames,
  check(context) {
    const { project } = context;
    for (const wait of context.extracted(FUTURE_WAITS)) {
      // A timeout bounds the wait; a future known done returns at once; inside a coroutine the wait blocks
      // the loop itself, which is another hazard than a loop that stopped.
      if (wait.timeout.given === 'value' || wait.knownDone || wait.coroutine !== null) continue;
      const isMethod = wait.kind === 'result' || wait.kind === 'exception';
      // `wait([fut])`, `as_completed([a, b])`: the futures in a collection written there.
      const waited = isMethod ? wait.target : wait.target.flatMap((t) => (t.k === 'coll' ? t.e : []));
      for (const site of handMadeFutures(project, waited)) {
        const completions = completionsOf(project, site);
        // Completed anywhere but on a loop (a thread, before the wait, an executor's worker): that code can still run.
        if (completions.length === 0 || completions.some((c) => !c.onEventLoop)) continue;
        const related: RelatedLocation[] = completions.map((c) => ({ path: c.path, loc: c.loc, message: `completed here, only on an event loop (${c.method})` }));
        context.report({ messageId: 'wait', data: { call: isMethod ? `${wait.targetText}.${wait.kind}()` : `${wait.kind}()` }, loc: wait.loc, related });
        break;
      }
    }
  },
});

/**
 * Functions returning hand-made futures, and attributes and module variables holding them: they reach other
 * files. Not through a parameter (`return fut`, `self.fut = fut`): the future comes from the callers, whose
 * files are the ones to look at, and every such pass-through named would load files for nothing.
 */
function handMadeFutureNames(project: ProjectIndex): ReachingNames {
  const called = new Set<string>();
  const named = new Set<string>();
  // (The value itself when it has no parameter term: the index keeps a stable answer on the array asked about.)
  const made = (value: Value) => handMadeFutures(project, value.some((t) => t.k === 'param') ? value.filter((t) => t.k !== 'param') : value).length > 0;
  for (const facts of project.targetModules()) {
    for (const fn of facts.functions) {
      if (!fn.isAsync && !project.isNestedFunction(fn.q) && made(fn.returns)) called.add(fn.name);
    }
    for (const cls of facts.classes) {
      // (By key: Object.entries made a pair per attribute of every class at every server pass.)
      const { attrs } = cls;
      for (const attr in attrs) if (made(attrs[attr]!)) named.add(attr);
    }
  }
  return { called, named };
}
