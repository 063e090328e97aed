/**
 * What runs on an event loop's thread, as far as the rules that need it can
 * tell: coroutines (`async def`: they run only as a loop's tasks), and
 * callables scheduled on a loop (`loop.call_soon_threadsafe(fn)`,
 * `call_soon`, `call_later`, `call_at`: the library rows doing
 * `schedules-callback`), named, bound methods or lambdas; and done-callbacks
 * that such code adds (`task.add_done_callback(fn)` in a coroutine or a loop
 * callback: there the receiver is, as a rule, the loop's own task or future,
 * whose callbacks the loop runs). Such code runs only while its loop runs:
 * once the loop has stopped, or its thread died, it never runs.
 */
import type { FactKind, CallView } from '../../src/python/extractors.js';
import type { Loc } from '../../src/python/facts.js';
import type { Value } from '../../src/python/values.js';
import type { ProjectIndex } from '../../src/project/project-index.js';
import { methodsDoing } from '../../src/library/index.js';

/** A callable handed to a loop to run on its thread. */
export interface ScheduledCallback {
  /** The callable: a function, a bound method (`fut.set_result`), a lambda. */
  callback: Value;
  /** Where the callable is written (a lambda's whole text: code inside it runs on the loop). */
  loc: Loc;
  isLambda: boolean;
  /**
   * For a done-callback (`add_done_callback`): it runs on a loop only when the
   * code adding it does, so where that code is: the function (else null) and
   * the call's place (a lambda holding it).
   */
  addedBy?: { inFunction: string | null; loc: Loc };
}

const calls: Record<string, (call: CallView) => ScheduledCallback | undefined> = {};
for (const [method, effect] of methodsDoing('schedules-callback')) {
  calls[`.${method}`] = (call) => {
    const callback = call.argument(effect.callback);
    if (!callback) return undefined;
    return { callback: callback.value, loc: callback.loc, isLambda: callback.text.startsWith('lambda') };
  };
}
for (const [method, effect] of methodsDoing('registers-done-callback')) {
  calls[`.${method}`] = (call) => {
    const callback = call.argument(effect.callback);
    if (!callback) return undefined;
    const addedBy = { inFunction: call.inFunction, loc: call.loc };
    return { callback: callback.value, loc: callback.loc, isLambda: callback.text.startsWith('lambda'), addedBy };
  };
}

export const LOOP_CALLBACKS: FactKind<ScheduledCallback> = { id: 'loop-callbacks', calls };

/** The code a project runs on event loops: its scheduled functions and lambdas. */
export interface EventLoopCode {
  /** Whether the function (qualified name) runs on an event loop: a coroutine, or scheduled as a loop callback. */
  runsFunction(fnQ: string | null): boolean;
  /** Whether the place is inside a lambda scheduled as a loop callback. */
  inLambda(path: string, loc: Loc): boolean;
  /** Bound methods scheduled as loop callbacks (`loop.call_soon_threadsafe(fut.set_result, x)`): receiver and method. */
  boundMethods(): readonly { receiver: Value; method: string; path: string; loc: Loc }[];
}

/** A kind's facts in every module the project holds, with the module's path. */
export function extractedEverywhere<T>(project: ProjectIndex, kind: FactKind<T>): { path: string; data: T }[] {
  const out: { path: string; data: T }[] = [];
  for (const facts of project.allFacts) {
    for (const fact of facts.extracted) if (fact.kind === kind.id) out.push({ path: facts.path, data: fact.data as T });
  }
  return out;
}

const known = new WeakMap<ProjectIndex, { modules: number; code: EventLoopCode }>();

/** The project's event-loop code, worked out once per state of the project index. */
export function eventLoopCode(project: ProjectIndex): EventLoopCode {
  const kept = known.get(project);
  if (kept && kept.modules === project.modulesVersion) return kept.code;
  const functions = new Set<string>();
  const lambdas: { path: string; loc: Loc }[] = [];
  const bound: { receiver: Value; method: string; path: string; loc: Loc }[] = [];
  // The model's loop-thread code counts too: protocol callbacks, and helpers only such code calls.
  const runsFunction = (fnQ: string | null) =>
    fnQ !== null && (functions.has(fnQ) || project.functionAt(fnQ)?.fn.isAsync === true || project.runsOnlyOnLoopThread(fnQ));
  const inLambda = (path: string, loc: Loc) =>
    lambdas.some((l) => l.path === path && l.loc.start.offset <= loc.start.offset && loc.end.offset <= l.loc.end.offset);
  // Done-callbacks run on a loop once the code adding them does: repeat until no more is found.
  let pending = extractedEverywhere(project, LOOP_CALLBACKS);
  for (let found = true; found; ) {
    found = false;
    const waiting: typeof pending = [];
    for (const entry of pending) {
      const { path, data } = entry;
      if (data.addedBy && !runsFunction(data.addedBy.inFunction) && !inLambda(path, data.addedBy.loc)) {
        waiting.push(entry);
        continue;
      }
      found = true;
      if (data.isLambda) {
        lambdas.push({ path, loc: data.loc });
        continue;
      }
      for (const c of project.evaluate(data.callback)) {
        if (c.startsWith('func:') || c.startsWith('bound:')) functions.add(c.slice(c.indexOf(':') + 1));
      }
      for (const term of data.callback) if (term.k === 'attr') bound.push({ receiver: term.o, method: term.n, path, loc: data.loc });
    }
    pending = waiting;
  }
  const code: EventLoopCode = { runsFunction, inLambda, boundMethods: () => bound };
  known.set(project, { modules: project.modulesVersion, code });
  return code;
}
