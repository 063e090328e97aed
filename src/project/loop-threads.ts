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
import { own, type CallFact, type FunctionFacts, type Loc, type LoopCallbackFact, type ModuleFacts } from '../python/facts.js';
import type { Term, Value } from '../python/values.js';
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
  /**
   * Where it is handed over: the loop's method call, or the call of a helper
   * that hands its parameter to the loop (`defer(shutdown, 1)` where
   * `def defer(fn, *args): loop.call_soon_threadsafe(fn, *args)`): then `api`
   * names the loop's method and the helper, the callable is the argument.
   */
  fact: LoopCallbackFact;
  path: string;
  /** The sync functions of the project it may be (a coroutine function handed over only makes a coroutine). */
  functions: FunctionFacts[];
  /** Handed over by a helper it is passed to (`fact` is then that call: no fix rewrites it). */
  viaHelper?: boolean;
}

export interface LoopThreadRoot {
  fn: IndexedFunction;
  entry: LoopThreadEntry;
}

/** Names of the library's protocol base classes, with the callbacks the loop calls on their subclasses. */
const PROTOCOLS = new Map<string, readonly string[]>(apisDoing('loop-protocol').map(([name, row]) => [name, row.callbacks]));
/** Every protocol's callback names: a class defining none of them adds no root, whatever its bases. */
const CALLBACK_NAMES: ReadonlySet<string> = new Set([...PROTOCOLS.values()].flat());

/**
 * Each module's coroutine functions as roots, made once per module: roots()
 * runs in every round of loading along calls, over every target.
 */
const coroutineRoots = new WeakMap<ModuleFacts, LoopThreadRoot[]>();

function coroutineRootsOf(facts: ModuleFacts): LoopThreadRoot[] {
  let roots = coroutineRoots.get(facts);
  if (!roots) {
    roots = [];
    for (const fn of facts.functions) {
      if (fn.isAsync) roots.push({ fn: { fn, path: facts.path }, entry: { how: 'coroutine', root: fn.q, scheduled: null, chain: [] } });
    }
    coroutineRoots.set(facts, roots);
  }
  return roots;
}

/** A parameter a function hands to an event loop, and the loop's method that takes it (see scheduledParams). */
interface ScheduledParam {
  param: number;
  api: string;
}

/** How many helpers deep a parameter is followed to the loop's method (`defer` → `_schedule` → `call_soon`). */
const MAX_HELPER_DEPTH = 4;

/** The name a callee term calls by (`f` in `pkg.f` or `x.f`), or '' when it has none. */
function calledName(term: Term): string {
  return term.k === 'sym' ? term.q.slice(term.q.lastIndexOf('.') + 1) : term.k === 'attr' ? term.n : '';
}

/** Source-like text of a callable argument, for messages: CallFacts keep values, not texts. */
function describe(value: Value): string {
  const term: Term | undefined = value[0];
  if (!term) return '...';
  switch (term.k) {
    case 'sym': {
      const name = term.q.slice(term.q.lastIndexOf('.') + 1);
      return name.startsWith('<lambda') ? 'lambda: ...' : name;
    }
    case 'self':
      return 'self';
    case 'attr':
      return `${describe(term.o)}.${term.n}`;
    default:
      return '...';
  }
}

export class LoopThreads {
  private entries: Map<string, LoopThreadEntry> | null = null;
  private params: Map<string, ScheduledParam[]> | null = null;
  /** The names of the functions in `params`. */
  private helperNames: Set<string> | null = null;
  /**
   * Each module's calls by one of helperNames, found once per scheduledParams
   * (the roots are found again in every round of loading, over every target).
   */
  private helperCalls = new Map<ModuleFacts, CallFact[]>();
  /**
   * The qualified names under which the index has a function named like a
   * protocol callback (`pkg.Proto` for `pkg.Proto.data_received`), kept as
   * functions are indexed (see functionIndexed): roots() asks it of every
   * class of every target in every round, where asking the index for each
   * callback name was most of the round's work.
   */
  private readonly callbackOwners = new Set<string>();

  constructor(private readonly project: ResolvedProject) {}

  /** The index has a function of that qualified name (functions are taken out only all at once, see functionsCleared). */
  functionIndexed(q: string, name: string): void {
    const dot = q.lastIndexOf('.');
    // (`name`, the function's own, is q's last part: no slice of q made and hashed for every function.)
    const last = q.length - dot - 1 === name.length && q.endsWith(name) ? name : q.slice(dot + 1);
    if (dot > 0 && CALLBACK_NAMES.has(last)) this.callbackOwners.add(q.slice(0, dot));
  }

  /** The index's functions are indexed again (a module was replaced, see ProjectIndex.replace). */
  functionsCleared(): void {
    this.callbackOwners.clear();
  }

  /** What was computed over the modules known so far is recomputed on the next question. */
  reset(): void {
    this.entries = null;
    this.params = null;
    this.calls = null;
    this.helperCalls.clear();
  }

  /**
   * The parameters each function hands to an event loop as the callable to
   * call (`def defer(fn, *args): loop.call_soon_threadsafe(fn, *args)`), or
   * passes on unchanged to a function that does, a few helpers deep. Not a
   * done-callback parameter: whether its future is an asyncio one is the
   * caller's to say, which a parameter's value does not follow.
   */
  private scheduledParams(): Map<string, ScheduledParam[]> {
    if (this.params) return this.params;
    const params = new Map<string, ScheduledParam[]>();
    const add = (fnQ: string, param: number, api: string): boolean => {
      const list = params.get(fnQ) ?? [];
      if (list.some((p) => p.param === param)) return false;
      list.push({ param, api });
      params.set(fnQ, list);
      return true;
    };
    for (const facts of this.project.allModules()) {
      for (const fact of facts.loopCallbacks) {
        if (fact.future) continue;
        for (const term of fact.callable) if (term.k === 'param') add(term.f, term.i, fact.api);
      }
    }
    for (let round = 0, grew = params.size > 0; grew && round < MAX_HELPER_DEPTH; round++) {
      grew = false;
      // Only forwards to a helper's name are resolved (resolving every callee would load modules for nothing).
      const names = new Set([...params.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)));
      for (const { fn } of this.project.allFunctions()) {
        for (const forward of fn.forwards) {
          if (!forward.callee.some((t) => names.has(calledName(t)))) continue;
          for (const c of this.project.evaluate(forward.callee)) {
            const colon = c.indexOf(':');
            const kind = c.slice(0, colon);
            if (kind !== 'func' && kind !== 'bound') continue;
            const calleeQ = c.slice(colon + 1);
            const callee = this.project.functionAt(calleeQ)?.fn;
            const offset = kind === 'bound' ? 1 : 0;
            for (const scheduled of params.get(calleeQ) ?? []) {
              const name = callee?.params[scheduled.param];
              const passed = forward.argName !== undefined ? forward.argName === name : forward.argIndex === scheduled.param - offset;
              if (passed && add(fn.q, forward.param, scheduled.api)) grew = true;
            }
          }
        }
      }
    }
    this.params = params;
    this.helperNames = new Set([...params.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)));
    return params;
  }

  /**
   * The callables this call hands to an event loop through a helper that
   * schedules its parameter: each with the loop's method and the helper.
   */
  private handedThroughHelper(call: CallFact): { callable: Value; api: string }[] {
    const params = this.scheduledParams();
    if (params.size === 0) return [];
    const out: { callable: Value; api: string }[] = [];
    for (const c of this.project.evaluate(call.callee)) {
      const colon = c.indexOf(':');
      const kind = c.slice(0, colon);
      if (kind !== 'func' && kind !== 'bound') continue;
      const fnQ = c.slice(colon + 1);
      const fn = this.project.functionAt(fnQ)?.fn;
      if (!fn) continue;
      for (const { param, api } of params.get(fnQ) ?? []) {
        const name = fn.params[param];
        const passed = (name === undefined ? undefined : own(call.keywords, name)) ?? call.args[param - (kind === 'bound' ? 1 : 0)];
        if (passed && passed.length > 0) out.push({ callable: passed, api: `${api} via ${fn.name}()` });
      }
    }
    return out;
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
    for (const call of this.callsOfHelpers(facts)) {
      for (const { callable, api } of this.handedThroughHelper(call)) {
        const text = describe(callable);
        const fact: LoopCallbackFact = {
          api,
          callable,
          loc: call.loc,
          callableLoc: call.loc,
          callableText: text,
          callbackArgsLoc: call.loc,
          receiverText: null,
        };
        const exits = this.project.exitsCalled(callable);
        if (exits.length > 0) fact.exits = exits[0]!;
        out.push({ fact, path: facts.path, functions: this.project.functionsCalled(callable).filter((fn) => !fn.isAsync), viaHelper: true });
      }
    }
    return out;
  }

  /**
   * The module's calls by the name of a helper that schedules a parameter: only
   * those are resolved (resolving every callee would load modules for nothing).
   */
  private callsOfHelpers(facts: ModuleFacts): readonly CallFact[] {
    const params = this.scheduledParams();
    if (params.size === 0) return [];
    let calls = this.helperCalls.get(facts);
    if (!calls) {
      const names = this.helperNames!;
      calls = facts.calls.filter((call) => call.callee.some((t) => names.has(calledName(t))));
      this.helperCalls.set(facts, calls);
    }
    return calls;
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
    for (const facts of targets) for (const root of coroutineRootsOf(facts)) roots.push(root);
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
        // Only the class's own methods are roots: its bases are not resolved (which loads their modules)
        // unless it defines a callback (the index has a function named like one under the class's name).
        if (!this.callbackOwners.has(cls.q)) continue;
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

  /**
   * Whether the function runs on an event loop's thread and in no other, as
   * far as the project's calls show: it is where the loop's thread starts (a
   * coroutine, a callable handed to a loop, a protocol callback), or it is
   * reached from one and no function off the loop's thread calls it. (Calls
   * at module level, and a function handed to a thread by reference, are not
   * seen: such a function is taken to run where its seen callers do.)
   */
  runsOnlyOnLoopThread(fnQ: string): boolean {
    const entries = this.walk();
    const entry = entries.get(fnQ);
    if (!entry) return false;
    if (entry.chain.length === 0) return true;
    const name = fnQ.slice(fnQ.lastIndexOf('.') + 1);
    const calls = this.callsByName().get(name);
    if (!calls) return true;
    for (let i = 0; i < calls.length; i += 2) {
      if (entries.has(calls[i] as string)) continue;
      if (this.project.functionsCalled(calls[i + 1] as Value).some((fn) => fn.q === fnQ)) return false;
    }
    return true;
  }

  private calls: Map<string, (string | Value)[]> | null = null;

  /**
   * Every function's calls, by the name they call (`f` in `pkg.f()` or
   * `x.f()`): each call as its caller's qualified name followed by the callee.
   * (Pairs in one list rather than an object per call, each list at its
   * length: one per call of every function of the project, kept until the run
   * ends, they were 7 MB on the standard library with site-packages.)
   */
  private callsByName(): Map<string, (string | Value)[]> {
    if (this.calls) return this.calls;
    const calls = new Map<string, (string | Value)[]>();
    for (const { fn } of this.project.allFunctions()) {
      for (const escape of fn.escapes) {
        if (escape.via !== 'call') continue;
        for (const term of escape.value) {
          const name = term.k === 'sym' ? term.q.slice(term.q.lastIndexOf('.') + 1) : term.k === 'attr' ? term.n : '';
          if (!name) continue;
          const list = calls.get(name);
          if (list) list.push(fn.q, escape.value);
          else calls.set(name, [fn.q, escape.value]);
        }
      }
    }
    for (const [name, list] of calls) if (list.length > 2) calls.set(name, list.slice());
    this.calls = calls;
    return calls;
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
