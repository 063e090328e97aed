/**
 * The value HANG001, HANG003 and HANG004 track: a future returned by an API
 * the library rows say submits a coroutine to another thread's loop
 * (`asyncio.run_coroutine_threadsafe`), and collections and mappings of them.
 * The model evaluates values; these are the rules' questions about them, and
 * the names through which such futures reach files not analysed yet.
 */
import type { ProjectIndex } from '../../src/project/project-index.js';
import { callOf, type Value } from '../../src/python/values.js';
import type { ReachingNames } from '../../src/engine/rule.js';

/** Whether the value may be such a future. */
export function isThreadsafeFuture(project: ProjectIndex, value: Value): boolean {
  return value.length > 0 && project.evaluate(value).includes('fut');
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

/** Whether calling the value returns such a future (run_coroutine_threadsafe itself, an alias or a partial of it). */
function makesThreadsafeFutures(project: ProjectIndex, value: Value): boolean {
  return value.length > 0 && isThreadsafeFuture(project, callOf(value));
}

/**
 * Names through which such futures reach a file not analysed yet: wrappers
 * that submit a coroutine they are given or return such futures (called, with
 * their classes), attributes and module variables holding them (named), and
 * those holding a callable that makes them (a partial of
 * run_coroutine_threadsafe: called).
 */
export function threadsafeFutureNames(project: ProjectIndex): ReachingNames {
  const called = new Set<string>();
  const named = new Set<string>();
  for (const facts of project.targetModules()) {
    for (const fn of facts.functions) {
      if (fn.isAsync) continue;
      if ((fn.submitsParams.length > 0 || carriesThreadsafeFutures(project, fn.returns)) && !project.isNestedFunction(fn.q)) {
        called.add(fn.name);
        const cls = project.classAt(fn.q.slice(0, fn.q.lastIndexOf('.')));
        if (cls) called.add(cls.name);
      }
    }
    for (const cls of facts.classes) {
      for (const [attr, value] of Object.entries(cls.attrs)) {
        if (carriesThreadsafeFutures(project, value)) named.add(attr);
        else if (makesThreadsafeFutures(project, value)) called.add(attr);
      }
    }
    for (const [name, value] of Object.entries(facts.variables)) {
      if (name.includes('.')) continue;
      if (carriesThreadsafeFutures(project, value)) named.add(name);
      else if (makesThreadsafeFutures(project, value)) called.add(name);
    }
  }
  return { called, named };
}
