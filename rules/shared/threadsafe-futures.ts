/**
 * The value HANG001, HANG003 and HANG004 track: a future returned by an API
 * the library rows say submits a coroutine to another thread's loop
 * (`asyncio.run_coroutine_threadsafe`), and collections and mappings of them.
 * The model evaluates values; these are the rules' questions about them, and
 * the names through which such futures reach files not analysed yet.
 */
import type { Derivation, ProjectIndex } from '../../src/project/project-index.js';
import { callOf, type Value } from '../../src/python/values.js';
import type { CallFact, ModuleFacts } from '../../src/python/facts.js';
import type { ReachingNames, RelatedLocation } from '../../src/engine/rule.js';

/** Whether the value may be such a future. */
export function isThreadsafeFuture(project: ProjectIndex, value: Value): boolean {
  return value.length > 0 && project.evaluate(value).includes('fut');
}

/**
 * Whether the value is what calls of functions return whose returned futures
 * all carry a done-callback that may read their outcome
 * (FunctionFacts.returnsHandled), directly or through what they return in
 * turn (`def outer(c): return submit(c)`): dropping it does not drop the
 * outcome. Any other callee (run_coroutine_threadsafe itself, a class) or
 * term: not handled.
 */
export function outcomeHandledByCallback(project: ProjectIndex, value: Value, seen = new Set<string>()): boolean {
  if (value.length === 0) return false;
  return value.every((term) => {
    if (term.k !== 'call') return false;
    const callees = project.onlyFunctionsCalled(term.f);
    return (
      callees !== null &&
      callees.every((fn) => {
        if (fn.returnsHandled) return true;
        if (seen.has(fn.q)) return false;
        seen.add(fn.q);
        return outcomeHandledByCallback(project, fn.returns, seen);
      })
    );
  });
}

/** Whether iterating the value yields such futures (the `fs` of wait / as_completed). */
export function holdsThreadsafeFutures(project: ProjectIndex, value: Value): boolean {
  return value.length > 0 && project.evaluate(value).includes('seq');
}

/** Whether the value is, holds or maps to such futures. */
function carriesThreadsafeFutures(project: ProjectIndex, value: Value): boolean {
  if (value.length === 0) return false;
  const concrete = project.evaluate(value);
  return concrete.includes('fut') || concrete.includes('seq') || concrete.includes('map');
}

/** Related locations shown at most per finding: the first callers, in indexing order. */
const MAX_CALLERS = 8;

/**
 * Where such futures come from when the value is a parameter (or an element
 * of one): the call sites passing them, as related locations, so that a
 * finding on `def wait(fut): fut.result()` names its callers.
 */
export function futureCallers(project: ProjectIndex, value: Value): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  for (const term of value) {
    let param = term;
    let holds = false;
    if ((term.k === 'elem' || term.k === 'item') && term.o.length === 1) {
      param = term.o[0]!;
      holds = true;
    }
    if (param.k !== 'param') continue;
    for (const site of project.argumentSites(param.f)) {
      const arg = project.argumentFor(site, param.f, param.i);
      if (!arg || arg.length === 0) continue;
      const concrete = project.evaluate(arg);
      const passes = holds ? concrete.includes('seq') || concrete.includes('map') : concrete.includes('fut');
      if (!passes) continue;
      out.push({ path: site.path, loc: site.call.loc, message: holds ? 'passes run_coroutine_threadsafe futures here' : 'passes a run_coroutine_threadsafe future here' });
      if (out.length === MAX_CALLERS) return out;
    }
  }
  return out;
}

/** Whether a call passes such futures as an argument (`carries`: carriesThreadsafeFutures; asked of every call of every target). */
function passesThreadsafeFutures(call: CallFact, carries: (value: Value) => boolean): boolean {
  for (const value of call.args) if (carries(value)) return true;
  for (const name in call.keywords) if (carries(call.keywords[name]!)) return true;
  return false;
}

/**
 * The call of each value asked about, made once: the index keeps a stable
 * answer on the value array it was asked about, and the names are asked for
 * again in every round of loading, over every target.
 */
const callsOf = new WeakMap<Value, Value>();

/** Whether calling the value returns such a future (run_coroutine_threadsafe itself, an alias or a partial of it). */
function makesThreadsafeFutures(project: ProjectIndex, value: Value): boolean {
  if (value.length === 0) return false;
  let call = callsOf.get(value);
  if (!call) callsOf.set(value, (call = callOf(value)));
  return isThreadsafeFuture(project, call);
}

/** One target module's part of threadsafeFutureNames, each list in the order its names were found. */
interface ModuleNames {
  called: string[];
  named: string[];
  /** Whether it asked the index whether a function is nested or a method, which any module added can change. */
  lookedUp: boolean;
}

/**
 * Each target module's names, per index, with what they were derived from
 * (ProjectIndex.derive): the names are asked for in every round of loading,
 * over every target, and a module's stay the same until a module its answers
 * missed is indexed.
 */
const derivedNames = new WeakMap<ProjectIndex, WeakMap<ModuleFacts, Derivation<ModuleNames>>>();

/**
 * Names through which such futures reach a file not analysed yet: wrappers
 * that submit a coroutine they are given or return such futures (called, with
 * their classes), attributes and module variables holding them (named), and
 * those holding a callable that makes them (a partial of
 * run_coroutine_threadsafe: called), and functions and classes passed them
 * as arguments (named: the file defining one mentions it, and waits on its
 * parameter there).
 */
export function threadsafeFutureNames(project: ProjectIndex): ReachingNames {
  let kept = derivedNames.get(project);
  if (!kept) derivedNames.set(project, (kept = new WeakMap()));
  const called = new Set<string>();
  const named = new Set<string>();
  for (const facts of project.targetModules()) {
    let derived = kept.get(facts);
    if (!derived || derived.result.lookedUp || !project.reuse(derived)) {
      derived = project.derive(() => moduleNames(project, facts));
      kept.set(facts, derived);
    }
    for (const name of derived.result.called) called.add(name);
    for (const name of derived.result.named) named.add(name);
  }
  return { called, named };
}

/** One target module's names (see threadsafeFutureNames). */
function moduleNames(project: ProjectIndex, facts: ModuleFacts): ModuleNames {
  const called = new Set<string>();
  const named = new Set<string>();
  let lookedUp = false;
  const carries = (value: Value) => carriesThreadsafeFutures(project, value);
  const makes = (value: Value) => makesThreadsafeFutures(project, value);
  for (const fn of facts.functions) {
    if (fn.isAsync) continue;
    if (fn.submitsParams.length > 0 || carries(fn.returns)) {
      lookedUp = true;
      if (!project.isNestedFunction(fn.q)) {
        called.add(fn.name);
        const cls = project.classAt(fn.q.slice(0, fn.q.lastIndexOf('.')));
        if (cls) called.add(cls.name);
      }
    }
  }
  for (const cls of facts.classes) {
    const { attrs } = cls;
    for (const attr in attrs) {
      const value = attrs[attr]!;
      if (carries(value)) named.add(attr);
      else if (makes(value)) called.add(attr);
    }
  }
  for (const call of facts.calls) {
    // Recorded for the callables it passes: no future (resolving each name would load modules for nothing).
    if (call.callablesOnly) continue;
    if (!passesThreadsafeFutures(call, carries)) continue;
    for (const term of call.callee) {
      if (term.k === 'sym') named.add(term.q.slice(term.q.lastIndexOf('.') + 1));
      else if (term.k === 'attr') named.add(term.n);
    }
  }
  // (By key, not Object.entries, here and above: a large module's variables, class attributes
  // included, made a pair each at every pass of the language server.)
  const { variables } = facts;
  for (const name in variables) {
    if (name.includes('.')) continue;
    const value = variables[name]!;
    if (carries(value)) named.add(name);
    else if (makes(value)) called.add(name);
  }
  return { called: [...called], named: [...named], lookedUp };
}
