/**
 * How each coroutine of the project is run: submitted to an event loop in
 * another thread (run_coroutine_threadsafe, directly or through a wrapper that
 * passes it on), run by an entry point (asyncio.run, loop.run_until_complete,
 * Runner.run), or awaited / called by other coroutines, and so run however
 * they are.
 */
import type { CoroutineUse, Loc } from '../python/facts.js';
import type { Term, Value } from '../python/values.js';
import { apiEffect } from '../library/index.js';
import type { ResolvedProject } from './resolved-project.js';

export interface Submission {
  path: string;
  loc: Loc;
}

/** The name a callee term calls by (`f` in `pkg.f` or `x.f`); empty when it has none, and then anything may match. */
function lastName(term: Term): string {
  if (term.k === 'sym') return term.q.slice(term.q.lastIndexOf('.') + 1);
  if (term.k === 'attr') return term.n;
  return '';
}

export class CoroutineRuns {
  private submissionsCache: Map<string, Submission> | null = null;
  private usesByCallee: Map<string, CoroutineUse[]> | null = null;
  private readonly entryPointOnlyCache = new Map<string, boolean>();

  constructor(private readonly project: ResolvedProject) {}

  /** What was computed over the modules known so far is recomputed on the next question. */
  reset(): void {
    this.submissionsCache = null;
    this.usesByCallee = null;
    this.entryPointOnlyCache.clear();
  }

  /** Where rules' modules use the coroutine function `fnQ` (await, call, submit, run, pass to a wrapper). */
  usesOf(fnQ: string): readonly CoroutineUse[] {
    return this.uses().get(fnQ) ?? [];
  }

  private uses(): Map<string, CoroutineUse[]> {
    if (this.usesByCallee) return this.usesByCallee;
    const map = new Map<string, CoroutineUse[]>();
    // A call can reach a coroutine function only under one of their names: check that before resolving anything.
    const coroutineNames = new Set<string>();
    for (const { fn } of this.project.allFunctions()) if (fn.isAsync) coroutineNames.add(fn.name);
    for (const facts of this.project.targetModules()) {
      for (const use of facts.coroutineUses) {
        if (!use.callee.some((t) => coroutineNames.has(lastName(t)))) continue;
        for (const fn of this.project.functionsCalled(use.callee)) {
          if (!fn.isAsync) continue;
          const list = map.get(fn.q) ?? [];
          list.push(use);
          map.set(fn.q, list);
        }
      }
    }
    this.usesByCallee = map;
    return map;
  }

  /** Whether `use` hands the coroutine to run_coroutine_threadsafe, directly or through a wrapper that does. */
  private submits(use: CoroutineUse): boolean {
    if (use.how === 'submitted') return true;
    return use.how === 'wrapper-arg' && !!use.wrapper && this.wrapperPasses(use.wrapper, use, 'submits', new Set());
  }

  /** Whether `use` runs the coroutine under an entry point, directly or through a wrapper that does (a compat `asyncio_run`). */
  private runsAsEntryPoint(use: CoroutineUse): boolean {
    if (use.how === 'main-run') return true;
    return use.how === 'wrapper-arg' && !!use.wrapper && this.wrapperPasses(use.wrapper, use, 'runs', new Set());
  }

  /**
   * Whether calling `wrapper` with the coroutine as argument `argIndex` (or
   * `argName`) submits it to another loop (`submits`) or runs it under an entry
   * point (`runs`): a project function that does so itself or passes it on to
   * one that does (a wrapper of a wrapper), or, for `runs`, an entry point of
   * a library that is not part of the project (`asyncio_run = asyncio.run`).
   */
  private wrapperPasses(wrapper: Value, at: { argIndex?: number; argName?: string }, what: 'submits' | 'runs', visited: Set<string>): boolean {
    for (const c of this.project.evaluate(wrapper)) {
      if (c.startsWith('api:')) {
        const effect = apiEffect(c.slice(4));
        if (what === 'runs' && effect?.kind === 'runs-coroutine') {
          if (at.argName !== undefined ? at.argName === effect.coroutine.keyword : at.argIndex === effect.coroutine.position) return true;
        }
        // The library function itself, reached as a value (`submit = partial(run_coroutine_threadsafe, loop=loop)`).
        if (what === 'submits' && effect?.kind === 'submits-coroutine') {
          if (at.argName !== undefined ? at.argName === effect.coroutine.keyword : at.argIndex === effect.coroutine.position) return true;
        }
        continue;
      }
      if (!c.startsWith('func:') && !c.startsWith('bound:')) continue;
      const fn = this.project.functionAt(c.slice(c.indexOf(':') + 1))?.fn;
      if (!fn) continue;
      let index = at.argName !== undefined ? fn.params.indexOf(at.argName) : (at.argIndex ?? -1);
      // A bound method's first parameter is the instance.
      if (at.argName === undefined && c.startsWith('bound:')) index += 1;
      if (index < 0) continue;
      if ((what === 'submits' ? fn.submitsParams : fn.runsParams).includes(index)) return true;
      if (visited.has(fn.q)) continue;
      visited.add(fn.q);
      for (const forward of fn.forwards) {
        if (forward.param === index && this.wrapperPasses(forward.callee, forward, what, visited)) return true;
      }
    }
    return false;
  }

  /**
   * Where the coroutine is handed to a loop in another thread, if it is:
   * submitted directly or via a wrapper, or, transitively, awaited or called by
   * a coroutine that is.
   */
  submittedToOtherLoop(fnQ: string): Submission | null {
    if (!this.submissionsCache) this.submissionsCache = this.findSubmissions();
    return this.submissionsCache.get(fnQ) ?? null;
  }

  /** Coroutines that run on a loop in another thread, each with the site that submits it (or its first submitted caller). */
  private findSubmissions(): Map<string, Submission> {
    const submitted = new Map<string, Submission>();
    const queue: string[] = [];
    const byFunction = new Map<string, CoroutineUse[]>();
    for (const facts of this.project.targetModules()) {
      for (const use of facts.coroutineUses) {
        if (use.inFunction) {
          const list = byFunction.get(use.inFunction) ?? [];
          list.push(use);
          byFunction.set(use.inFunction, list);
        }
        if (!this.submits(use)) continue;
        for (const fn of this.project.functionsCalled(use.callee)) {
          if (!fn.isAsync || submitted.has(fn.q)) continue;
          submitted.set(fn.q, { path: facts.path, loc: use.loc });
          queue.push(fn.q);
        }
      }
    }
    for (let i = 0; i < queue.length; i++) {
      const site = submitted.get(queue[i]!)!;
      for (const use of byFunction.get(queue[i]!) ?? []) {
        if (this.runsAsEntryPoint(use)) continue;
        for (const fn of this.project.functionsCalled(use.callee)) {
          if (!fn.isAsync || submitted.has(fn.q)) continue;
          submitted.set(fn.q, site);
          queue.push(fn.q);
        }
      }
    }
    return submitted;
  }

  /**
   * True when every call site of the coroutine in the project is asyncio.run,
   * loop.run_until_complete or Runner.run, or inside coroutines that are
   * themselves only run that way: the exception then reaches the main thread's
   * caller as intended.
   */
  onlyRunByEntryPoints(fnQ: string, visiting = new Set<string>()): boolean {
    const cached = this.entryPointOnlyCache.get(fnQ);
    if (cached !== undefined) return cached;
    if (visiting.has(fnQ)) return true;
    visiting.add(fnQ);
    const uses = this.uses().get(fnQ) ?? [];
    let result = uses.length > 0;
    for (const use of uses) {
      if (this.runsAsEntryPoint(use)) continue;
      if (use.how === 'submitted' || this.submits(use)) {
        result = false;
        break;
      }
      const caller = use.inFunction ? this.project.functionAt(use.inFunction)?.fn : undefined;
      if (caller?.isAsync && this.onlyRunByEntryPoints(caller.q, visiting)) continue;
      result = false;
      break;
    }
    visiting.delete(fnQ);
    if (visiting.size === 0) this.entryPointOnlyCache.set(fnQ, result);
    return result;
  }
}
