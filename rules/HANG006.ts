import { defineRule, type RelatedLocation } from '../src/engine/rule.js';
import type { BaseExitEscape, ChainStep } from '../src/project/project-index.js';
import type { Fix, LoopCallbackFact } from '../src/python/facts.js';
import { methodsDoing } from '../src/library/index.js';

/** The methods that hand a callable to an event loop (the library's method rows). */
const HANDING_OVER = [...methodsDoing('schedules-callback'), ...methodsDoing('registers-done-callback')].map(([name]) => name);

function shortName(classQ: string): string {
  return classQ.slice(classQ.lastIndexOf('.') + 1);
}

/**
 * HANG006 loop-callback-raises-base-exit.
 *
 * The event loop calls the callables handed to it (`call_soon`, `call_later`,
 * `add_signal_handler`, an asyncio future's `add_done_callback`, ...) from a
 * Handle, and `Handle._run` catches every exception but SystemExit and
 * KeyboardInterrupt, which it re-raises out of `run_forever()`: the loop
 * stops with its coroutines unfinished, and the run_coroutine_threadsafe
 * futures waiting on them stay pending unless the loop's owner cancels them.
 */
export const HANG006 = defineRule({
  meta: {
    code: 'HANG006',
    name: 'loop-callback-raises-base-exit',
    defaultSeverity: 'error',
    summary: 'A callable scheduled on an event loop can raise SystemExit or KeyboardInterrupt',
    help:
      "asyncio's Handle._run re-raises SystemExit and KeyboardInterrupt from a loop callback out of run_forever(): " +
      'the loop stops with its tasks unfinished. Under a bare run_forever() every run_coroutine_threadsafe future ' +
      'pending on it stays pending and its waiters hang (a non-daemon waiter even keeps the process alive); ' +
      "under asyncio.run() the cleanup cancels the tasks and the waiters get CancelledError. " +
      'Call loop.stop() instead and exit once run_forever() has returned, or raise an ordinary exception.',
    messages: {
      raises: '`{callable}` can raise `{exception}` as a loop callback ({api})',
    },
    fix: 'unsafe',
    docs: {
      finds:
        'callables handed to an event loop (`call_soon`, `call_later`, `add_signal_handler`, `add_done_callback` on asyncio futures, ...), directly, as lambdas or partials, or through helpers that schedule them, that can raise `SystemExit` / `KeyboardInterrupt`: `sys.exit` itself, or through helpers, across modules',
    },
  },
  // Where its hazards start: a callable handed to a loop.
  triggers: HANDING_OVER,
  *asks({ facts }) {
    for (const callback of facts.loopCallbacks) {
      yield callback.callable;
      if (callback.future) yield callback.future;
    }
  },
  check(context) {
    const { project } = context;
    for (const { fact, path, functions } of project.loopCallbacksIn(context.facts)) {
      const escape = escapeOf(fact, path, functions.map((fn) => project.baseExitsRaisedBy(fn.q)).flat());
      if (!escape) continue;
      context.report({
        messageId: 'raises',
        data: { callable: fact.callableText, exception: escape.exception, api: fact.api },
        loc: fact.loc,
        related: related(escape),
        fix: stopFix(fact) ?? undefined,
      });
    }
  },
});

/** The first escape: the callable is a library exit itself, or a function of the project that lets one out. */
function escapeOf(fact: LoopCallbackFact, path: string, escapes: BaseExitEscape[]): BaseExitEscape | null {
  if (fact.exits) {
    return { exception: shortName(fact.exits), chain: [{ path, loc: fact.callableLoc, text: fact.callableText }] };
  }
  return escapes[0] ?? null;
}

function related(escape: BaseExitEscape): RelatedLocation[] {
  const last = escape.chain.length - 1;
  return escape.chain.map((step: ChainStep, i) => ({
    path: step.path,
    loc: step.loc,
    message: i === last ? `raises ${escape.exception} here` : `calls ${step.text}`,
  }));
}

/**
 * `loop.call_soon_threadsafe(sys.exit, 1)` → `loop.call_soon_threadsafe(loop.stop)`:
 * offered when the callable is a library exit itself and the receiver is a
 * loop named plainly (not on a future's `add_done_callback`). Unsafe: the
 * process no longer exits by itself there, and its exit status is lost; the
 * code after `run_forever()` decides what happens next.
 */
function stopFix(fact: LoopCallbackFact): Fix | null {
  if (!fact.exits || fact.future || !fact.receiverText) return null;
  return {
    description: `Call ${fact.receiverText}.stop instead`,
    edits: [{ start: fact.callbackArgsLoc.start.offset, end: fact.callbackArgsLoc.end.offset, text: `${fact.receiverText}.stop` }],
  };
}
