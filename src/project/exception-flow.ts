/**
 * Exception flow across the project: which SystemExit / KeyboardInterrupt
 * classes a function may raise, through which chain of calls, and which
 * handlers catch them on the way. Only functions that run on an event loop's
 * thread are walked (from the roots loop-threads.ts finds: coroutines, the
 * callables handed to a loop, protocol callbacks), down their sync calls:
 * calling a coroutine function only creates a coroutine, so nothing it raises
 * reaches its caller at the call.
 */
import type { EscapeFact, FunctionFacts, Loc } from '../python/facts.js';
import { LOOP_STOPPING_EXCEPTIONS } from '../library/index.js';
import { MAX_RESOLVE_STEPS, type IndexedFunction, type ResolvedProject } from './resolved-project.js';

export interface ChainStep {
  path: string;
  loc: Loc;
  text: string;
}

export interface BaseExitEscape {
  /** Short name of the exception class (`SystemExit`, `Fatal`). */
  exception: string;
  /** First the statement in the function itself, then each step down to the raise. */
  chain: ChainStep[];
}

interface Witness {
  escape: EscapeFact;
  path: string;
  /** The function called at `escape`, through which the exception comes; undefined for a direct raise. */
  callee?: string;
}

/** What the call walk collects for the solve: the functions it reached and, per callee, its call sites. */
interface CallGraph {
  reachable: Map<string, IndexedFunction>;
  callers: Map<string, { caller: FunctionFacts; path: string; escape: EscapeFact }[]>;
}

/** How the call walk reaches modules not indexed yet (demand loading provides it). */
export interface CallChainLoader {
  /**
   * Runs `walk` with loading allowed, after running `probe` (which must not
   * load) as often as it takes to load together what it asks for.
   */
  loadAlongCalls(probe: () => void, walk: () => void): void;
}

const MAX_CHAIN = 100_000;

function shortName(classQ: string): string {
  return classQ.slice(classQ.lastIndexOf('.') + 1);
}

export class ExceptionFlow {
  private raisesCache: Map<string, Map<string, Witness>> | null = null;
  /**
   * escapingBaseExits' answer per function, for as long as raisesCache's: the
   * rules ask it of every coroutine at every pass, and a language server's
   * edit that changes no fact keeps the index (its Locs moved in place, which
   * the chains hold).
   */
  private escapingCache = new WeakMap<FunctionFacts, BaseExitEscape[]>();

  constructor(
    private readonly project: ResolvedProject,
    private readonly loader: CallChainLoader,
    /** Where the walk starts: the coroutine functions first, then the other functions run on a loop's thread. */
    private readonly roots: () => IndexedFunction[],
  ) {}

  /** What was computed over the modules known so far is recomputed on the next question. */
  reset(): void {
    this.raisesCache = null;
    this.escapingCache = new WeakMap();
  }

  /** The base classes of a class, transitively, itself included (builtins end the walk). */
  private ancestors(classQ: string, visited = new Set<string>()): Set<string> {
    if (visited.has(classQ) || visited.size > MAX_RESOLVE_STEPS) return visited;
    visited.add(classQ);
    if (LOOP_STOPPING_EXCEPTIONS.includes(classQ)) {
      visited.add('builtins.BaseException');
      return visited;
    }
    const cls = this.project.classAt(classQ);
    if (!cls) return visited;
    for (const base of cls.bases) {
      for (const b of this.project.evaluate(base)) if (b.startsWith('class:')) this.ancestors(b.slice(6), visited);
    }
    return visited;
  }

  /** Whether instances of the class are SystemExit or KeyboardInterrupt (see LOOP_STOPPING_EXCEPTIONS). */
  private isBaseExit(classQ: string): boolean {
    const all = this.ancestors(classQ);
    return LOOP_STOPPING_EXCEPTIONS.some((q) => all.has(q));
  }

  private isCaught(classQ: string, caught: readonly string[]): boolean {
    if (caught.length === 0) return false;
    const all = this.ancestors(classQ);
    for (const name of caught) {
      if (all.has(name)) return true;
      for (const c of this.project.resolve(name, new Set())) if (c.startsWith('class:') && all.has(c.slice(6))) return true;
    }
    return false;
  }

  /** Classes a raise/exit escape raises that are SystemExit or KeyboardInterrupt. */
  private raisedBy(escape: EscapeFact): string[] {
    if (escape.via === 'exit') return escape.raises ? [escape.raises] : [];
    // A call of a library exit known only by its value (`parser.parse_args()`, `bail = sys.exit; bail()`).
    if (escape.via === 'call') return this.project.exitsCalled(escape.value, escape.falseKeywords, escape.falsePositions);
    if (escape.via !== 'raise') return [];
    const out = new Set<string>();
    for (const c of this.project.evaluate(escape.value)) {
      if (c.startsWith('class:') || c.startsWith('inst:')) {
        const q = c.slice(c.indexOf(':') + 1);
        if (this.isBaseExit(q)) out.add(q);
      }
    }
    return [...out];
  }

  /** Follows calls from the functions on the stack, depth first; `out` collects what raises() needs. */
  private walkCalls(stack: IndexedFunction[], visited: Set<string>, out: CallGraph | null): void {
    while (stack.length > 0) {
      const { fn, path } = stack.pop()!;
      if (visited.has(fn.q)) continue;
      visited.add(fn.q);
      out?.reachable.set(fn.q, { fn, path });
      for (const escape of fn.escapes) {
        if (escape.via !== 'call') continue;
        for (const callee of this.project.functionsCalled(escape.value)) {
          if (callee.isAsync) continue;
          if (out) {
            const list = out.callers.get(callee.q) ?? [];
            list.push({ caller: fn, path, escape });
            out.callers.set(callee.q, list);
          }
          const known = this.project.functionAt(callee.q);
          if (known && !visited.has(callee.q)) stack.push(known);
        }
      }
    }
  }

  /**
   * Walks the call graph from the coroutines, loading the modules along call
   * chains, and solves it (once until the next reset).
   */
  settle(): void {
    this.raises();
  }

  /**
   * For every function reachable from a coroutine, which base-exit classes may
   * escape it, with a witness for each. Coroutine functions do not propagate to
   * their callers: calling one only creates a coroutine.
   */
  private raises(): Map<string, Map<string, Witness>> {
    if (this.raisesCache) return this.raisesCache;
    // Demand-driven: only sync functions reachable from a coroutine through calls can matter.
    // Walking them may load modules (each load resets the caches, so collect first, solve after).
    // The roots are found again in each round (a callable handed to a loop may resolve into a module just loaded).
    const graph: CallGraph = { reachable: new Map(), callers: new Map() };
    this.loader.loadAlongCalls(
      () => this.walkCalls(this.stackOfRoots(), new Set(), null),
      () => this.walkCalls(this.stackOfRoots(), new Set(), graph),
    );
    const raises = this.solve(graph);
    this.raisesCache = raises;
    return raises;
  }

  /**
   * The roots as the walk's stack: the coroutine functions on top, so that
   * they are walked first, in order, and each witness stays the one found from
   * a coroutine.
   */
  private stackOfRoots(): IndexedFunction[] {
    const roots = this.roots();
    const coroutines = roots.filter((root) => root.fn.isAsync);
    const others = roots.filter((root) => !root.fn.isAsync).reverse();
    return [...others, ...coroutines];
  }

  /** Which base-exit classes escape each walked function: its own raises first, then up the call graph. */
  private solve({ reachable, callers }: CallGraph): Map<string, Map<string, Witness>> {
    const raises = new Map<string, Map<string, Witness>>();
    const queue: string[] = [];
    for (const { fn, path } of reachable.values()) {
      for (const escape of fn.escapes) {
        for (const cls of this.raisedBy(escape)) {
          if (this.isCaught(cls, escape.caught)) continue;
          const own = raises.get(fn.q) ?? new Map<string, Witness>();
          if (!own.has(cls)) own.set(cls, { escape, path });
          if (!raises.has(fn.q)) {
            raises.set(fn.q, own);
            queue.push(fn.q);
          }
        }
      }
    }
    // Breadth-first up the call graph, so each witness chain is a shortest one.
    for (let i = 0; i < queue.length; i++) {
      const callee = queue[i]!;
      const calleeFacts = this.project.functionAt(callee)?.fn;
      if (!calleeFacts || calleeFacts.isAsync) continue;
      const classes = raises.get(callee)!;
      for (const { caller, path, escape } of callers.get(callee) ?? []) {
        let grew = false;
        for (const cls of classes.keys()) {
          if (this.isCaught(cls, escape.caught)) continue;
          const own = raises.get(caller.q) ?? new Map<string, Witness>();
          if (own.has(cls)) continue;
          own.set(cls, { escape, path, callee });
          raises.set(caller.q, own);
          grew = true;
        }
        if (grew) queue.push(caller.q);
      }
    }
    return raises;
  }

  /** The chain of steps below a function for one class, following witnesses. */
  private chainBelow(fnQ: string, cls: string): ChainStep[] {
    const steps: ChainStep[] = [];
    const raises = this.raises();
    let current: string | undefined = fnQ;
    const seen = new Set<string>();
    while (current && !seen.has(current) && steps.length < MAX_CHAIN) {
      seen.add(current);
      const witness: Witness | undefined = raises.get(current)?.get(cls);
      if (!witness) break;
      steps.push({ path: witness.path, loc: witness.escape.loc, text: witness.escape.text });
      current = witness.callee;
    }
    return steps;
  }

  /**
   * What calling the (sync) function may let escape: each SystemExit /
   * KeyboardInterrupt class, with the chain from its first step in the
   * function down to the raise. Known for the functions the walk reaches.
   */
  baseExitsRaisedBy(fnQ: string): BaseExitEscape[] {
    const out: BaseExitEscape[] = [];
    for (const cls of this.raises().get(fnQ)?.keys() ?? []) out.push({ exception: shortName(cls), chain: this.chainBelow(fnQ, cls) });
    return out;
  }

  /** Points through which SystemExit / KeyboardInterrupt escape this function, each with its chain. */
  escapingBaseExits(fn: FunctionFacts): BaseExitEscape[] {
    let known = this.escapingCache.get(fn);
    if (!known) this.escapingCache.set(fn, (known = this.findEscapingBaseExits(fn)));
    return known;
  }

  private findEscapingBaseExits(fn: FunctionFacts): BaseExitEscape[] {
    const path = this.project.functionAt(fn.q)?.path ?? '';
    const out: BaseExitEscape[] = [];
    for (const escape of fn.escapes) {
      const first: ChainStep = { path, loc: escape.loc, text: escape.text };
      const cls = this.raisedBy(escape).find((c) => !this.isCaught(c, escape.caught));
      if (cls) {
        out.push({ exception: shortName(cls), chain: [first] });
        continue;
      }
      if (escape.via !== 'call') continue;
      let found: BaseExitEscape | null = null;
      for (const callee of this.project.functionsCalled(escape.value)) {
        if (callee.isAsync) continue;
        for (const cls of this.raises().get(callee.q)?.keys() ?? []) {
          if (this.isCaught(cls, escape.caught)) continue;
          found = { exception: shortName(cls), chain: [first, ...this.chainBelow(callee.q, cls)] };
          break;
        }
        if (found) break;
      }
      if (found) out.push(found);
    }
    return out;
  }
}
