/**
 * Where futures made by hand (`concurrent.futures.Future()`, the `newfut`
 * values of src/python/values.ts) are completed: every call the library rows
 * say completes its receiver (`fut.set_result(x)`, `fut.set_exception(e)`,
 * `fut.cancel()`, `_chain_future(task, fut)`), and those methods scheduled as loop callbacks
 * (`loop.call_soon_threadsafe(fut.set_result, x)`), with whether that code
 * runs on an event loop (see event-loop-code.ts).
 */
import type { FactKind, CallView } from '../../src/python/extractors.js';
import type { Loc } from '../../src/python/facts.js';
import type { Value } from '../../src/python/values.js';
import type { ProjectIndex } from '../../src/project/project-index.js';
import { apisDoing, methodsDoing } from '../../src/library/index.js';
import { eventLoopCode, extractedEverywhere } from './event-loop-code.js';

/** A call completing its receiver. */
export interface CompletionFact {
  receiver: Value;
  method: string;
  loc: Loc;
  /** The function whose body holds the call, else null. */
  inFunction: string | null;
  /** The `async def` whose body holds it directly, else null. */
  coroutine: string | null;
}

const COMPLETING_METHODS = methodsDoing('completes-receiver').map(([method]) => method);

const calls: Record<string, (call: CallView) => CompletionFact | undefined> = {};
for (const method of COMPLETING_METHODS) {
  calls[`.${method}`] = (call) => {
    if (!call.receiver || call.receiver.value.length === 0 || !call.methodLoc) return undefined;
    return { receiver: call.receiver.value, method, loc: call.methodLoc, inFunction: call.inFunction, coroutine: call.coroutine };
  };
}

for (const [name, effect] of apisDoing('completes-future')) {
  calls[name] = (call) => {
    const future = call.argument(effect.future.position, effect.future.keyword);
    if (!future || future.value.length === 0) return undefined;
    return { receiver: future.value, method: name.slice(name.lastIndexOf('.') + 1), loc: call.loc, inFunction: call.inFunction, coroutine: call.coroutine };
  };
}

export const FUTURE_COMPLETIONS: FactKind<CompletionFact> = { id: 'future-completions', calls };

/** One place that completes a hand-made future. */
export interface Completion {
  path: string;
  loc: Loc;
  method: string;
  /** Whether it runs only on an event loop (a coroutine, a loop callback), so not once the loop has stopped. */
  onEventLoop: boolean;
}

/** The hand-made futures a value may be, by where each was made (`newfut:at`). */
export function handMadeFutures(project: ProjectIndex, value: Value): string[] {
  return value.length === 0 ? [] : project.evaluate(value).filter((c) => c.startsWith('newfut:'));
}

const known = new WeakMap<ProjectIndex, { modules: number; bySite: Map<string, Completion[]> }>();

/** Every place in the project that completes the hand-made future made at `site` (a `newfut:` value). */
export function completionsOf(project: ProjectIndex, site: string): readonly Completion[] {
  let kept = known.get(project);
  if (!kept || kept.modules !== project.modulesVersion) {
    kept = { modules: project.modulesVersion, bySite: collect(project) };
    known.set(project, kept);
  }
  return kept.bySite.get(site) ?? [];
}

function collect(project: ProjectIndex): Map<string, Completion[]> {
  const loop = eventLoopCode(project);
  const bySite = new Map<string, Completion[]>();
  const add = (receiver: Value, completion: Completion) => {
    for (const site of handMadeFutures(project, receiver)) {
      const list = bySite.get(site) ?? [];
      list.push(completion);
      bySite.set(site, list);
    }
  };
  for (const { path, data } of extractedEverywhere(project, FUTURE_COMPLETIONS)) {
    const onEventLoop = data.coroutine !== null || loop.runsFunction(data.inFunction) || loop.inLambda(path, data.loc);
    add(data.receiver, { path, loc: data.loc, method: data.method, onEventLoop });
  }
  for (const scheduled of loop.boundMethods()) {
    if (COMPLETING_METHODS.includes(scheduled.method)) add(scheduled.receiver, { path: scheduled.path, loc: scheduled.loc, method: scheduled.method, onEventLoop: true });
  }
  return bySite;
}
