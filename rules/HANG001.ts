import { defineRule, type RelatedLocation, type RuleContext } from '../src/engine/rule.js';
import { isThreadsafeFuture, holdsThreadsafeFutures, threadsafeFutureNames, futureCallers } from './shared/threadsafe-futures.js';
import { own, type Fix } from '../src/python/facts.js';
import { FUTURE_WAITS, waitText, type WaitFact } from './shared/future-waits.js';

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
      passed: '`{call}` passed to `{api}` can block forever without a timeout',
      bound: '`{call}` calls `{method}` and can block forever without a timeout',
      function: '`{call}` on threadsafe futures can block forever without a timeout',
      timeoutMayBeNone: '`{call}` can wait forever on a run_coroutine_threadsafe future: `{timeout}` {source}',
    },
    fix: 'unsafe',
    fixRisk: 'raises TimeoutError instead of waiting forever',
    docs: {
      finds: '`.result()` / `.exception()`, `concurrent.futures.wait` / `as_completed` on such futures with no timeout, or one that may be None',
      severityNote: 'warning when the timeout is a name that may be None on some path',
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
    for (const wait of module.extracted(FUTURE_WAITS)) if (isUnbounded(wait) || wait.timeout.noneFrom) yield wait.target;
  },
  reachedThrough: threadsafeFutureNames,
  check(context) {
    for (const wait of context.extracted(FUTURE_WAITS)) {
      // No timeout, or None, is no bound; a future known done returns at once.
      if (wait.knownDone) continue;
      if (!isUnbounded(wait)) {
        if (wait.timeout.noneFrom) reportTimeoutMayBeNone(context, wait);
        continue;
      }
      const isMethod = wait.kind === 'result' || wait.kind === 'exception';
      const hazardous = isMethod ? isThreadsafeFuture(context.project, wait.target) : holdsThreadsafeFutures(context.project, wait.target);
      if (!hazardous) continue;
      context.report({
        messageId: wait.calledBy !== undefined ? 'passed' : wait.boundAs !== undefined ? 'bound' : isMethod ? 'method' : 'function',
        data: { call: waitText(wait), target: wait.targetText, api: wait.calledBy ?? '', method: `${wait.targetText}.${wait.kind}` },
        loc: wait.loc,
        fix: isMethod ? timeoutFix(wait, context.options.fixTimeout) : undefined,
        related: futureCallers(context.project, wait.target),
      });
    }
  },
});

/**
 * A timeout that is a name which may be None on some path: `timeout = None`
 * before the wait, or a parameter defaulting to None that a call site of the
 * function leaves out (a default no caller relies on is no path). A warning:
 * the unbounded path is one of several.
 */
function reportTimeoutMayBeNone(context: RuleContext, wait: WaitFact): void {
  const isMethod = wait.kind === 'result' || wait.kind === 'exception';
  const hazardous = isMethod ? isThreadsafeFuture(context.project, wait.target) : holdsThreadsafeFutures(context.project, wait.target);
  const { noneFrom, text } = wait.timeout;
  if (!hazardous || !noneFrom || !text) return;
  const call = isMethod ? `${wait.targetText}.${wait.kind}(${text})` : `${wait.kind}(..., ${text})`;
  if (!noneFrom.param) {
    context.report({ messageId: 'timeoutMayBeNone', data: { call, timeout: text, source: `is set to None on line ${noneFrom.loc.start.line}, on some path to here` }, loc: wait.loc, severity: 'warning' });
    return;
  }
  const fn = wait.inFunction ? context.project.functionAt(wait.inFunction)?.fn : undefined;
  const index = fn ? fn.params.indexOf(text) : -1;
  if (!fn || index < 0) return;
  const related: RelatedLocation[] = [];
  for (const site of context.project.argumentSites(fn.q)) {
    const { call: c } = site;
    if (c.unpacks || own(c.keywords, text) !== undefined || c.args.length > index - site.offset) continue;
    related.push({ path: site.path, loc: c.loc, message: `leaves \`${text}\` to its default None here` });
  }
  if (related.length === 0) return;
  const first = related[0]!;
  context.report({
    messageId: 'timeoutMayBeNone',
    data: { call, timeout: text, source: `defaults to None and the call at ${context.display(first.path)}:${first.loc.start.line} leaves it out` },
    loc: wait.loc,
    severity: 'warning',
    related: related.slice(0, 8),
  });
}

/**
 * Whether the wait has no bound: no timeout, or `None`. A timeout that is
 * some other expression, or may be in unpacked arguments (`fut.result(**kw)`),
 * is taken as a bound: the reader of the code cannot tell otherwise either.
 */
function isUnbounded(wait: WaitFact): boolean {
  return wait.timeout.given === 'absent' || wait.timeout.given === 'none';
}

/**
 * `.result()` → `.result(timeout=N)`; `.result(None)` / `.result(timeout=None)` → N.
 * Only where that is the whole change: a call with other arguments keeps its text.
 */
function timeoutFix(wait: WaitFact, seconds: number): Fix | undefined {
  const { timeout, args } = wait;
  if (!args) return undefined;
  // A timeout bound elsewhere (`w = partial(fut.result, timeout=None)`, then `w()`): that line is not this call's to rewrite.
  if (timeout.loc && (timeout.loc.start.offset < wait.loc.start.offset || timeout.loc.end.offset > wait.loc.end.offset)) return undefined;
  let edit: Fix['edits'][number];
  if (timeout.given === 'none' && timeout.loc) edit = { start: timeout.loc.start.offset, end: timeout.loc.end.offset, text: String(seconds) };
  else if (timeout.given === 'absent' && args.count === 0) {
    const inside = args.loc.start.offset + 1;
    edit = { start: inside, end: inside, text: `timeout=${seconds}` };
  } else return undefined;
  return { description: `Pass timeout=${seconds}`, edits: [edit] };
}
