/**
 * Waits on futures, a kind of fact HANG001 and HANG003 share: every call the
 * library rows say blocks until futures complete (`fut.result()`,
 * `fut.exception()`, `concurrent.futures.wait(fs)`, `as_completed(fs)`), with
 * what the rules decide from: what is waited on, the timeout given, whether
 * the future is known done there, and where a timeout could be written.
 */
import type { FactKind, CallView, ExtractedArgument } from '../../src/python/extractors.js';
import type { Loc } from '../../src/python/facts.js';
import type { Value } from '../../src/python/values.js';
import { apisDoing, methodsDoing, type Param } from '../../src/library/index.js';

/**
 * The timeout a wait is given: none at all, the literal `None` (no bound, as
 * CPython reads it), some other expression (a bound, as far as a reader of
 * the code can tell), or none written out in a call that unpacks arguments
 * (`fut.result(**options)`: the timeout may be in them). `loc` is where the
 * argument is, when there is one.
 */
export interface TimeoutArgument {
  given: 'absent' | 'none' | 'value' | 'unpacked';
  loc: Loc | null;
  /** Its source text, when given. */
  text?: string;
  /**
   * For a local name given as the timeout: where it may have been set to None
   * on some path to the wait (`timeout = None` at `loc`, or a parameter
   * whose default is None, `param`).
   */
  noneFrom?: { loc: Loc; param: boolean };
}

/** A call that waits for a future: `x.result()`, `x.exception()`, `concurrent.futures.wait(fs)`, `as_completed(fs)`. */
export interface WaitFact {
  kind: 'result' | 'exception' | 'wait' | 'as_completed';
  /** What is waited on: the receiver of `.result()`, or the `fs` argument of wait/as_completed. */
  target: Value;
  timeout: TimeoutArgument;
  /** Name of the `async def` whose body holds the call directly (not through a nested def or lambda), else null. */
  coroutine: string | null;
  /** Qualified name of the function whose body holds the call, else null (module level, class bodies, lambdas). */
  inFunction: string | null;
  /**
   * Whether the waited future is known to be complete here: a `done()` check
   * or a bounded wait that returned on every path to the call
   * (`done-guard`), or the call is in a function passed to
   * `add_done_callback`, which runs only once its future is complete
   * (`done-callback`); null when neither is known.
   */
  knownDone: 'done-guard' | 'done-callback' | null;
  /** The call's range: `fut.result(...)` from the `.` to the closing parenthesis for methods, the whole call for functions. */
  loc: Loc;
  /** Source text of the waited expression, for messages. */
  targetText: string;
  /** Whether the call unpacks arguments (`*args`, `**kwargs`): its messages then do not write it as a call without them. */
  unpacks: boolean;
  /** For `fut.result` handed to an API that calls it (`threading.Thread(target=fut.result)`), that API's text. */
  calledBy?: string;
  /** For a bound wait called through a name or a partial (`waiter = fut.result; waiter()`), the callee's text (`waiter`). */
  boundAs?: string;
  /** The call's parenthesised argument list and how many items it holds (comments included); null for `f(x for x in y)`. */
  args: { loc: Loc; count: number } | null;
}

function timeoutOf(call: CallView, param: Param): TimeoutArgument {
  const timeout = call.argument(param.position, param.keyword);
  if (!timeout) return { given: call.unpacks ? 'unpacked' : 'absent', loc: null };
  const given: TimeoutArgument = { given: timeout.isNone ? 'none' : 'value', loc: timeout.loc, text: timeout.text };
  if (timeout.noneFrom) given.noneFrom = timeout.noneFrom;
  return given;
}

function knownDone(call: CallView, target: ExtractedArgument): WaitFact['knownDone'] {
  return call.inDoneCallback ? 'done-callback' : target.knownDone ? 'done-guard' : null;
}

const calls: Record<string, (call: CallView) => WaitFact | undefined> = {};

for (const [name, wait] of apisDoing('waits-on-futures')) {
  calls[name] = (call) => {
    const futures = call.argument(wait.futures.position, wait.futures.keyword);
    if (!futures || futures.value.length === 0) return undefined;
    return {
      kind: wait.wait,
      target: futures.value,
      timeout: timeoutOf(call, wait.timeout),
      coroutine: call.coroutine,
      inFunction: call.inFunction,
      knownDone: knownDone(call, futures),
      loc: call.loc,
      targetText: futures.text,
      args: call.argumentList,
      unpacks: call.unpacks,
    };
  };
}

for (const [method, wait] of methodsDoing('waits-on-receiver')) {
  calls[`.${method}`] = (call) => {
    const future = call.receiver;
    if (!future || future.value.length === 0 || !call.methodLoc) return undefined;
    return {
      kind: method as 'result' | 'exception',
      target: future.value,
      timeout: timeoutOf(call, wait.timeout),
      coroutine: call.coroutine,
      inFunction: call.inFunction,
      knownDone: knownDone(call, future),
      loc: call.methodLoc,
      targetText: future.text,
      args: call.argumentList,
      unpacks: call.unpacks,
      ...(call.calledBy === null ? {} : { calledBy: call.calledBy }),
      ...(call.boundAs === null ? {} : { boundAs: call.boundAs }),
    };
  };
}

/** How messages write the wait: `fut.result()`, `fut.result(...)` when it unpacks arguments, `fut.result` when an API calls it. */
export function waitText(wait: WaitFact): string {
  if (wait.kind !== 'result' && wait.kind !== 'exception') return `${wait.kind}(${wait.unpacks ? '...' : ''})`;
  if (wait.calledBy !== undefined) return `${wait.targetText}.${wait.kind}`;
  if (wait.boundAs !== undefined) return `${wait.boundAs}(${wait.unpacks ? '...' : ''})`;
  return `${wait.targetText}.${wait.kind}(${wait.unpacks ? '...' : ''})`;
}

export const FUTURE_WAITS: FactKind<WaitFact> = { id: 'future-waits', calls };
