/**
 * What runs on an event loop's thread: coroutines, the callables handed to a
 * loop to call (`call_soon`, `call_later`, `add_signal_handler`, an asyncio
 * future's `add_done_callback`, ...: the `schedules-callback` and
 * `registers-done-callback` method rows), the callbacks of asyncio protocol
 * classes (`data_received`, ...: the `loop-protocol` rows), and every sync
 * function those call, directly or through helpers, across modules. Calling a
 * coroutine function only creates a coroutine, so a call never carries the
 * thread into one; a coroutine is on a loop's thread anyway.
 */
import type { FunctionFacts, Loc, LoopCallbackFact, ModuleFacts } from '../python/facts.js';
import { apisDoing } from '../library/index.js';
import type { ChainStep } from './exception-flow.js';
import { MAX_RESOLVE_STEPS, type IndexedFunction, type ResolvedProject } from './resolved-project.js';

/** How a function comes to run on an event loop's thread. */
export interface LoopThreadEntry {
  /**
   * - `coroutine`: it is a coroutine function, or a coroutine calls it;
   * - `callback`: a callable handed to a loop is it or calls it;
   * - `protocol`: an asyncio protocol callback is it or calls it.
   */
  how: 'coroutine' | 'callback' | 'protocol';
  /** Qualified name of the function where it starts (the coroutine, the callable, the protocol method). */
  root: string;
  /** For `callback`: where the callable is handed to the loop, and by which method. */
  scheduled: { path: string; loc: Loc; api: string } | null;
  /** The calls from the root down to the function, each in its caller (empty for the root itself). */
  chain: ChainStep[];
}

/** A callable handed to an event loop, in the module that hands it over. */
export interface ScheduledCallback {
  fact: LoopCallbackFact;
  path: string;
  /** The sync functions of the project it may be (a coroutine function handed over only makes a coroutine). */
  functions: FunctionFacts[];
}

export interface LoopThreadRoot {
  fn: IndexedFunction;
  entry: LoopThreadEntry;
}

/** Names of the library's protocol base classes, with the callbacks the loop calls on their subclasses. */
const PROTOCOLS = new Map<string, readonly string[]>(apisDoing('loop-protocol').map(([name, row]) => [name, row.callbacks]));

export class LoopThreads {
  private entries: Map<string, LoopThreadEntry> | null = null;

  constructor(private readonly project: ResolvedProject) {}

  /** What was computed over the modules known so far is recomputed on the next question. */
  reset(): void {
    this.entries = null;
  }

  /**
   * Whether the loop calls this handed-over callable on its thread: always,
   * but for `add_done_callback`, only on a future the model knows to be an
   * asyncio one (a concurrent future runs it in whichever thread completes it).
   */
  runsOnLoop(fact: LoopCallbackFact): boolean {
    return !fact.future || this.project.evaluate(fact.future).includes('obj:asyncio-future');
  }

  /** The callables the module hands to an event loop that the loop calls on its thread. */
  scheduledIn(facts: ModuleFacts): ScheduledCallback[] {
    const out: ScheduledCallback[] = [];
    for (const fact of facts.loopCallbacks) {
      if (!this.runsOnLoop(fact)) continue;
      out.push({ fact, path: facts.path, functions: this.project.functionsCalled(fact.callable).filter((fn) => !fn.isAsync) });
    }
    return out;
  }

  /** The protocol callbacks the loop calls on a class's instances, when it derives from an asyncio protocol. */
  private protocolCallbacks(classQ: string, visited = new Set<string>()): readonly string[] | null {
    if (visited.has(classQ) || visited.size > MAX_RESOLVE_STEPS) return null;
    visited.add(classQ);
    const known = PROTOCOLS.get(classQ);
    if (known) return known;
    const cls = this.project.classAt(classQ);
    if (!cls) return null;
    for (const base of cls.bases) {
      // `asyncio.Protocol` names the library's class whether or not asyncio's source is indexed.
      for (const term of base) if (term.k === 'sym' && PROTOCOLS.has(term.q)) return PROTOCOLS.get(term.q)!;
      for (const c of this.project.evaluate(base)) {
        if (!c.startsWith('class:')) continue;
        const found = this.protocolCallbacks(c.slice(6), visited);
        if (found) return found;
      }
    }
    return null;
  }

  /**
   * Where the loop's thread starts in the target modules: their coroutine
   * functions, the sync callables they hand to a loop and their protocol
   * callbacks. The exception flow walks from these too.
   */
  roots(): LoopThreadRoot[] {
    const roots: LoopThreadRoot[] = [];
    const targets = this.project.targetModules();
    for (const facts of targets) {
      for (const fn of facts.functions) {
        if (fn.isAsync) roots.push({ fn: { fn, path: facts.path }, entry: { how: 'coroutine', root: fn.q, scheduled: null, chain: [] } });
      }
    }
    for (const facts of targets) {
      for (const { fact, path, functions } of this.scheduledIn(facts)) {
        for (const fn of functions) {
          const known = this.project.functionAt(fn.q);
          if (!known) continue;
          roots.push({ fn: known, entry: { how: 'callback', root: fn.q, scheduled: { path, loc: fact.loc, api: fact.api }, chain: [] } });
        }
      }
    }
    for (const facts of targets) {
      for (const cls of facts.classes) {
        const callbacks = this.protocolCallbacks(cls.q);
        if (!callbacks) continue;
        for (const name of callbacks) {
          const method = this.project.functionAt(`${cls.q}.${name}`);
          if (method && !method.fn.isAsync) roots.push({ fn: method, entry: { how: 'protocol', root: method.fn.q, scheduled: null, chain: [] } });
        }
      }
    }
    return roots;
  }

  /** How the function comes to run on an event loop's thread (a shortest way), or null when nothing says it does. */
  entryOf(fnQ: string): LoopThreadEntry | null {
    return this.walk().get(fnQ) ?? null;
  }

  /** Breadth first from the roots along sync calls, so each entry's chain is a shortest one. */
  private walk(): Map<string, LoopThreadEntry> {
    if (this.entries) return this.entries;
    const entries = new Map<string, LoopThreadEntry>();
    const queue: IndexedFunction[] = [];
    for (const { fn, entry } of this.roots()) {
      if (entries.has(fn.fn.q)) continue;
      entries.set(fn.fn.q, entry);
      queue.push(fn);
    }
    for (let i = 0; i < queue.length; i++) {
      const { fn, path } = queue[i]!;
      const entry = entries.get(fn.q)!;
      for (const escape of fn.escapes) {
        if (escape.via !== 'call') continue;
        for (const callee of this.project.functionsCalled(escape.value)) {
          if (callee.isAsync || entries.has(callee.q)) continue;
          const known = this.project.functionAt(callee.q);
          if (!known) continue;
          entries.set(callee.q, { ...entry, chain: [...entry.chain, { path, loc: escape.loc, text: escape.text }] });
          queue.push(known);
        }
      }
    }
    this.entries = entries;
    return entries;
  }
}
