/**
 * The project index: every linted module's facts, resolved against each other.
 *
 * It holds the module table and answers what values are: is this value a
 * run_coroutine_threadsafe future? what does this name or call resolve to?
 * Qualified names are resolved through module facts (functions, classes,
 * variables, imports, `__init__` re-exports, star imports); cycles are cut by
 * visited sets, so import cycles and recursion end. The model built on it has
 * a part per concern, each in its own module: exception flow (what a function
 * may raise and through which chain), coroutine runs (how each coroutine is
 * run), loop threads (what runs on an event loop's thread) and demand loading
 * (which modules not indexed yet to load, and when).
 */
import { own, type CallFact, type ClassFacts, type CoroutineUse, type FunctionFacts, type ModuleFacts } from '../python/facts.js';
import type { Term, Value } from '../python/values.js';
import { CoroutineRuns, type Submission } from './coroutine-runs.js';
import { DemandLoading, type InterestingNames, type ProjectLoader } from './demand-loading.js';
import { ExceptionFlow, type BaseExitEscape } from './exception-flow.js';
import { LoopThreads, type LoopThreadEntry, type ScheduledCallback } from './loop-threads.js';
import { apiEffect } from '../library/index.js';
import { MemoKeys } from './memo-keys.js';
import { movePositions } from './same-facts.js';
import { MAX_RESOLVE_STEPS, type Concrete, type IndexedFunction, type ResolvedProject } from './resolved-project.js';

export type { ProjectLoader } from './demand-loading.js';
export type { BaseExitEscape, ChainStep } from './exception-flow.js';
export type { Submission } from './coroutine-runs.js';
export type { LoopThreadEntry, ScheduledCallback } from './loop-threads.js';

interface ModuleEntry {
  facts: ModuleFacts;
  /**
   * Whether rules look at this module (and so its waits, discards and uses are
   * questions to answer). Modules loaded only because a call resolved into
   * them are not targets: lacking run_coroutine_threadsafe and every name found
   * so far, they cannot produce a future or a finding; they only carry calls.
   */
  target: boolean;
  functions: Map<string, FunctionFacts>;
  classes: Map<string, ClassFacts>;
  /** First segments of every name the module binds (made on first use). */
  firstNames?: Set<string>;
}

/**
 * A library API the rows know, as a value, when the project does not define
 * the name (a library that is not part of the project): what it does comes
 * from its row. Where the library's source is part of the project (the
 * standard library checked itself), its code answers instead.
 */
function libraryApi(q: string): Concrete[] {
  const kind = apiEffect(q)?.kind;
  return kind === 'exits' || kind === 'library-class' || kind === 'runs-coroutine' || kind === 'decorates-into' ? [`api:${q}`] : [];
}

/**
 * What a parameter can receive that the index follows: data, not callables
 * (see evalTerm): futures and collections of them, and the running event loop
 * (`def helper(loop)` called with `asyncio.get_running_loop()`); futures made
 * by hand (`newfut:`) too.
 */
const PASSED_DATA: ReadonlySet<Concrete> = new Set(['fut', 'seq', 'map', 'obj:running-loop']);

/** An answer that asked for modules not indexed yet (see ProjectIndex.memoIndexed). */
interface IndexedAnswer {
  answer: Concrete[];
  /** The modules not indexed yet that it asked for. */
  wanted: readonly string[];
}

/** The modules an answer missed when it missed none (see memoCompute; never changed). */
const NO_NAMES: readonly string[] = [];

/** Constant terms' answers, one array each (callers never change an answer). */
const CONSTANT_ANSWERS: Record<'fut' | 'seq' | 'map', Concrete[]> = { fut: ['fut'], seq: ['seq'], map: ['map'] };

/** What ProjectIndex.derive found, with what its answers depended on (for ProjectIndex.reuse). */
export interface Derivation<T> {
  readonly result: T;
  /** The modules not indexed yet that its answers missed; null when it cannot be reused (see derive). */
  readonly wanted: readonly string[] | null;
  /** Whether its answers missed anything (a module, callers). */
  readonly missed: boolean;
  /** When its answers asked what callers pass: how many targets had been added (see ProjectIndex.reuse); else null. */
  readonly targets: number | null;
  /** When its answers read a volatile module: how many modules had been replaced (see ProjectIndex.replace); else null. */
  readonly replacements: number | null;
}

/** A call of a function of the project, found at one of its call sites. */
export interface ArgumentSite {
  call: CallFact;
  path: string;
  /** Positions the callee's parameters are ahead of the call's arguments (1 for a bound method or a constructor: `self`). */
  offset: number;
}

/**
 * What finding some answers noted (see ProjectIndex.noting), which finding
 * them again would note again (see ProjectIndex.noteAgain).
 */
interface Notes {
  /** The modules not indexed yet that they missed. */
  wanted: Set<string>;
  /** Whether they missed anything (a module, callers). */
  missed: boolean;
  /** Whether they asked what callers pass. */
  callers: boolean;
  /** Whether they read answers in which a cycle was cut (cutAnswers). */
  cutsFound: boolean;
  /** Whether they read a volatile module. */
  volatile: boolean;
  /** Whether a cycle was cut finding them (then they are not found again the same way). */
  cut: boolean;
}

function noNotes(): Notes {
  return { wanted: new Set(), missed: false, callers: false, cutsFound: false, volatile: false, cut: false };
}

/**
 * The callees of one list of callsByName's call sites: each one's memo key,
 * and what each one is as the memo answers when not loading (see
 * ProjectIndex.calleesOf), with what reading those answers notes.
 */
interface Callees {
  /** The memo key of each call's callee (when it is one term), found on first use. */
  keys: (number | undefined)[];
  /** The answersEpoch the answers were found at. */
  epoch: number;
  /** Each call's callee's answer (null: a cycle was cut finding it, so it is found again every time). */
  answers: (Concrete[] | null | undefined)[];
  /** Whether every call's answer was found at `epoch` (so a scan reads them and notes what they noted). */
  complete: boolean;
  /** What finding the answers noted, to note again in place of finding them (see ProjectIndex.noteAgain). */
  notes: Notes;
  /** The complete answers by what they hold (see calleesByAnswer), made on first use. */
  byAnswer: CalleesByAnswer | null;
  /** The stable answers by what they hold (see stableCallees), made on first use while loading. */
  stable: StableCallees | null;
}

/**
 * A list's callees whose answers are stable (memoStable's, never dropped, and
 * read noting nothing, loading or not) by what they hold, and the others.
 */
interface StableCallees {
  /** The calls whose callee's stable answer holds that (not in order: calls found stable later are added at the end). */
  calls: Map<Concrete, number[]>;
  /** The calls whose callees had no stable answer when last read, in order. */
  rest: number[];
}

/** A list's complete callee answers by what they may be, so that a question reads only the calls that may call its function. */
interface CalleesByAnswer {
  /** The calls whose callee may be that, in the list's order. */
  calls: Map<Concrete, number[]>;
  /** The calls whose answers are found again every time (a cycle was cut), in order. */
  again: number[];
  /**
   * The classes the answers hold, in the order of their first call, when each
   * one's first call is by it first (`class:` first in its answer), so that a
   * scan asks memberOf about each one there; else null.
   */
  classes: Concrete[] | null;
}

/** Adds call `i` under each concrete its callee's answer holds (see StableCallees, CalleesByAnswer). */
function addCallByAnswer(calls: Map<Concrete, number[]>, answer: readonly Concrete[], i: number): void {
  for (const c of answer) {
    const list = calls.get(c);
    if (!list) calls.set(c, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  }
}

function isAscending(list: readonly number[]): boolean {
  for (let k = 1; k < list.length; k++) if (list[k]! < list[k - 1]!) return false;
  return true;
}

/** Calls `visit` with each index the lists hold, once, in increasing order. */
function visitInOrder(lists: readonly (readonly number[])[], visit: (i: number) => void): void {
  if (lists.length === 0) return;
  // (A copy: visiting may add to the lists, or settle a list's rest.)
  const sorted = lists.length === 1 ? [...lists[0]!] : lists.flat();
  if (lists.length > 1 || !isAscending(sorted)) sorted.sort((a, b) => a - b);
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) visit(sorted[k]!);
}

/** The name a callee term calls by (`f` in `pkg.f` or `x.f`), or '' when it has none. */
function calledName(term: Term): string {
  if (term.k === 'sym') return term.q.slice(term.q.lastIndexOf('.') + 1);
  if (term.k === 'attr') return term.n;
  return '';
}

/** A module's calls with each name they call by (once per call), made once per module: the index is made again per target added. */
const callSites = new WeakMap<ModuleFacts, { name: string; site: { call: CallFact; path: string } }[]>();

function callSitesByName(facts: ModuleFacts): { name: string; site: { call: CallFact; path: string } }[] {
  let sites = callSites.get(facts);
  if (!sites) {
    sites = [];
    for (const call of facts.calls) {
      const site = { call, path: facts.path };
      const names = call.callee.length === 1 ? [calledName(call.callee[0]!)] : new Set(call.callee.map(calledName));
      for (const name of names) if (name) sites.push({ name, site });
    }
    callSites.set(facts, sites);
  }
  return sites;
}

/** The names a module's calls call by (see callSitesByName). */
const calledNameSets = new WeakMap<ModuleFacts, Set<string>>();

function calledNames(facts: ModuleFacts): Set<string> {
  let names = calledNameSets.get(facts);
  if (!names) {
    names = new Set(callSitesByName(facts).map((site) => site.name));
    calledNameSets.set(facts, names);
  }
  return names;
}

function rel(module: string, q: string): string {
  // (No `${module}.` made to compare: this runs for every function and class indexed.)
  return q.length > module.length && q.charCodeAt(module.length) === 46 && q.startsWith(module) ? q.slice(module.length + 1) : q;
}

/**
 * rel() of a definition's name `q` whose last part is `name`: `name` itself
 * for a module-level one (most), a text the walk has hashed already as a key,
 * where a slice of `q` is a new text to hash (400,000 of them in one big file).
 */
function relOfDefinition(module: string, q: string, name: string): string {
  return q.length === module.length + 1 + name.length && q.charCodeAt(module.length) === 46 && q.endsWith(name) && q.startsWith(module)
    ? name
    : rel(module, q);
}

export class ProjectIndex implements ResolvedProject {
  private readonly modules = new Map<string, ModuleEntry>();
  private readonly functions = new Map<string, IndexedFunction>();
  private readonly classes = new Map<string, { cls: ClassFacts; module: ModuleEntry }>();
  /**
   * Answers that cannot change as modules are added: found without passing over
   * a module of the project that is not indexed yet (while loading, none is
   * passed over unless the load gate turned it away). By key (see MemoKeys):
   * the array is grown to every key made before one is written (see
   * keepStable), so it stays dense.
   */
  private readonly memoStable: (Concrete[] | undefined)[] = [];
  /** The memo's keys (see MemoKeys: shared with the indexes made before, so a server pass finds most of them made). */
  private readonly keys = MemoKeys.forNewIndex();
  /**
   * Answers that asked for a module not indexed yet (or for callers, which
   * depend on the targets): dropped when one of the modules they asked for is
   * added, and all of them when a target is. By key, like memoStable (a map
   * dropping and taking again most of its answers at every server pass was a
   * tenth of the memo's own time).
   */
  private readonly memoIndexed: (IndexedAnswer | undefined)[] = [];
  /** memoStable's answers by the value asked about (see evaluate): no key to find. */
  private readonly stableValues = new WeakMap<Value, Concrete[]>();
  /** How many times a term met again while being evaluated answered nothing (such an answer is not kept by value). */
  private cycleCuts = 0;
  /**
   * The keys of memoIndexed's answers by each module they asked for (see add).
   * A key answered again is listed again; one listed under a module it no
   * longer asks for is only dropped early, and asked again.
   */
  private readonly memoByWanted = new Map<string, number[]>();
  /**
   * memoIndexed's answers in which a cycle was cut: what a cut leaves out
   * depends on where the evaluation started, so they are found again when a
   * module is added (until then they are taken as found, see memoAnswer), and
   * what derive() derives from them is not kept.
   */
  private readonly cutAnswers = new Set<number>();
  /** memoIndexed's answers that asked what callers pass (a parameter's value): dropped when a target is added. */
  private readonly callerAnswers = new Set<number>();
  /** Counts the questions of what callers pass, answered or found in memoIndexed (see callerAnswers). */
  private callerQuestions = 0;
  /** Counts the answers found in cutAnswers (see derive). */
  private cutAnswersFound = 0;
  /** Counts the targets added (each drops callerAnswers; see derive). */
  private targetsAdded = 0;
  /**
   * Answers found while loading under the load gate, with no name after them
   * that the gate reads (DemandLoading.gateIsNeutral) and no cycle cut: asked
   * again under the same gate, they are found the same (see memoAnswer).
   */
  private readonly memoGated = new Map<number, Concrete[]>();
  /** The DemandLoading.gateRound memoGated's answers were found in. */
  private memoGatedRound = -1;
  /**
   * Keys being computed, per mode, each with its depth of nesting plus one
   * (0: not being computed; see memoAnswer): keys
   * are dense numbers, and a set added to and deleted from at every answer
   * computed was a tenth of the memo's own time in a server pass.
   */
  private inProgressLoading = new Int32Array(1024);
  private inProgressIndexed = new Int32Array(1024);
  /**
   * Answers computed while a term they depend on was still being computed
   * (a cycle through it was cut below it), by key: what the cut left out is
   * that term's answer, so they hold only until it is done (see memoCompute).
   */
  private readonly provisional = new Map<number, { answer: Concrete[]; low: number; loading: boolean }>();
  /** The keys of provisional answers by the depth of the term in progress they depend on, dropped when it is done. */
  private readonly provisionalAt: number[][] = [];
  /** The least depth of a term in progress that the answer being computed depends on through a cut (see memoCompute). */
  private cutLow = Infinity;
  /**
   * The sets noting the modules missed by the answers being computed, one per
   * depth of nesting, emptied after each answer (see memoCompute): most answers
   * miss none, and a set made for each of them was garbage.
   */
  private readonly wantedSets: Set<string>[] = [];
  private computeDepth = 0;
  /** The target modules' call facts by the name they call (made on first use, dropped when a target is added). */
  private callsByName: Map<string, { call: CallFact; path: string }[]> | null = null;
  /** What callsByName's callees are, by list (see calleesOf). */
  private readonly callees = new WeakMap<readonly { call: CallFact; path: string }[], Callees>();
  /**
   * Changes whenever an answer the memo gives when not loading may change: a
   * module added or replaced, answers dropped, an answer found while loading
   * (it may take the place of one found before). Callees' answers hold while
   * it does not.
   */
  private answersEpoch = 0;
  private readonly exceptionFlow: ExceptionFlow;
  private readonly coroutineRuns: CoroutineRuns;
  private readonly loopThreads: LoopThreads;
  private readonly demand: DemandLoading;
  /**
   * The modules whose facts may be replaced (see replace: a language server's
   * open documents), each with the prefix of the names under it. An answer that
   * reads one (the module, a name under it, a function or class of it, even to
   * find it missing, or every module at once) is kept apart from the others
   * (memoVolatile, volatileIndexed) and dropped when one is replaced; the others
   * stay. Empty for the CLI, whose answers are all kept as before.
   */
  private readonly volatile: readonly { module: string; prefix: string }[];
  /** Counts the reads of a volatile module (see noteRead): an answer during which it grew read one. */
  private volatileReads = 0;
  /** Answers with nothing missed that read a volatile module (memoStable's answers read none), by key, like memoStable. */
  private readonly memoVolatile: (Concrete[] | undefined)[] = [];
  /** memoVolatile's keys with an answer, to drop them. */
  private readonly memoVolatileKeys: number[] = [];
  /** Answers by the value asked about (see evaluate) that read a volatile module; made anew when one is replaced. */
  private volatileValues = new WeakMap<Value, Concrete[]>();
  /** memoIndexed's answers that read a volatile module. */
  private readonly volatileIndexed = new Set<number>();
  /** Counts the modules replaced (see replace, derive). */
  private replacements = 0;
  /** The count of replacements at the last one that changed a fact (see replace, reuse). */
  private factChange = -1;
  /** Counts the modules added and replaced: what was worked out over the modules is stale when it changes. */
  private moduleChanges = 0;

  /** `volatile`: names of modules that may be replaced later (see replace). */
  constructor(all: readonly ModuleFacts[], loader: ProjectLoader = {}, volatile: Iterable<string> = []) {
    this.volatile = [...new Set(volatile)].map((module) => ({ module, prefix: `${module}.` }));
    this.loopThreads = new LoopThreads(this);
    this.exceptionFlow = new ExceptionFlow(
      this,
      { loadAlongCalls: (probe, walk) => this.demand.loadAlongCalls(probe, walk) },
      () => this.loopThreads.roots().map((root) => root.fn),
    );
    this.coroutineRuns = new CoroutineRuns(this);
    this.demand = new DemandLoading(this, this.exceptionFlow, this.coroutineRuns, loader);
    for (const facts of all) this.add(facts);
  }

  /** Indexes a module's facts. Two files with one module name (scripts in different folders): the first one wins. */
  add(facts: ModuleFacts, target = true): void {
    this.answersEpoch++;
    const existing = this.modules.get(facts.module);
    if (existing) {
      if (target && !existing.target && existing.facts.path === facts.path) {
        existing.target = true;
        // Resolution does not depend on which modules are targets: only the derived answers change,
        // and what callers pass (a target's calls are call sites).
        this.dropIndexedAnswers(null, true);
        this.targetsAdded++;
        this.resetDerived();
      }
      return;
    }
    const entry: ModuleEntry = { facts, target, functions: new Map(), classes: new Map() };
    for (const fn of facts.functions) {
      entry.functions.set(relOfDefinition(facts.module, fn.q, fn.name), fn);
      this.functions.set(fn.q, { fn, path: facts.path });
      this.loopThreads.functionIndexed(fn.q, fn.name);
    }
    for (const cls of facts.classes) {
      entry.classes.set(relOfDefinition(facts.module, cls.q, cls.name), cls);
      this.classes.set(cls.q, { cls, module: entry });
    }
    this.modules.set(facts.module, entry);
    this.moduleChanges++;
    // Answers that asked for this module are dropped. A module that is not a target only answers
    // resolution (it cannot hold a future, a finding or a coroutine use): the rest stays valid, as
    // an answer that did not ask for the module would ask the same modules again and find the same.
    // A new target adds call sites too: answers that asked what callers pass go as well.
    this.dropIndexedAnswers(facts.module, target);
    this.demand.moduleAdded();
    if (target) {
      this.targetsAdded++;
      this.resetDerived();
    }
  }

  /**
   * Drops memoIndexed's answers that asked for the module (none: null), those
   * in which a cycle was cut, and, when the targets change (`callers`), those
   * that asked what callers pass.
   */
  private dropIndexedAnswers(module: string | null, callers: boolean): void {
    this.answersEpoch++;
    const drop = (key: number) => {
      this.memoIndexed[key] = undefined;
      this.memoGated.delete(key);
    };
    for (const key of this.cutAnswers) drop(key);
    this.cutAnswers.clear();
    if (callers) {
      for (const key of this.callerAnswers) drop(key);
      this.callerAnswers.clear();
    }
    const keys = module === null ? undefined : this.memoByWanted.get(module);
    if (!keys) return;
    this.memoByWanted.delete(module!);
    for (const key of keys) drop(key);
  }

  /**
   * Makes the tables by qualified name again in the modules' order, as add
   * made them: where two modules define one name (module `a` with a class
   * `b`, and a module `a.b`), the later one wins it, and functions are met in
   * that order.
   */
  private indexAgain(): void {
    this.functions.clear();
    this.classes.clear();
    this.loopThreads.functionsCleared();
    for (const indexed of this.modules.values()) {
      const { path } = indexed.facts;
      for (const fn of indexed.facts.functions) {
        this.functions.set(fn.q, { fn, path });
        this.loopThreads.functionIndexed(fn.q, fn.name);
      }
      for (const cls of indexed.facts.classes) this.classes.set(cls.q, { cls, module: indexed });
    }
  }

  /**
   * Replaces a volatile module's facts (a language server's open document,
   * edited) with the same file's new facts, and drops every answer that read
   * it, every answer that asked what callers pass, and what was derived over
   * the modules; the answers that read none of it stay. When the facts are the
   * same but for their positions (see same-facts.ts), the index keeps the old
   * facts with their positions moved, and with them every answer and every
   * derived part as it was. Gives the facts the index now holds for the module
   * (rules are run on those), or null when it cannot replace them (the module
   * is not volatile, or not a target of that path): the caller then makes a
   * new index.
   */
  replace(facts: ModuleFacts): ModuleFacts | null {
    const entry = this.modules.get(facts.module);
    if (!entry || !entry.target || entry.facts.path !== facts.path || !this.volatile.some((v) => v.module === facts.module)) return null;
    // An edit that changes no fact but their positions leaves the index as it was: what it derived holds
    // the old facts (exception flow's witnesses, coroutine runs, loop-thread entries, rules' caches), and
    // their Locs now say where each fact is in the new text.
    if (movePositions(entry.facts, facts)) return entry.facts;
    this.answersEpoch++;
    // Answers about what callers pass read the call sites of the names they asked about, noting the
    // volatile modules' own (noteCallSites): a name the old facts did not call but the new ones do is
    // in no such note, so then every such answer goes.
    const oldCalls = calledNames(entry.facts);
    let newCallees = false;
    for (const name of calledNames(facts)) {
      if (!oldCalls.has(name)) {
        newCallees = true;
        break;
      }
    }
    entry.facts = facts;
    entry.functions = new Map();
    entry.classes = new Map();
    entry.firstNames = undefined;
    for (const fn of facts.functions) entry.functions.set(relOfDefinition(facts.module, fn.q, fn.name), fn);
    for (const cls of facts.classes) entry.classes.set(rel(facts.module, cls.q), cls);
    this.indexAgain();
    this.replacements++;
    this.factChange = this.replacements;
    for (const key of this.memoVolatileKeys) this.memoVolatile[key] = undefined;
    this.memoVolatileKeys.length = 0;
    this.volatileValues = new WeakMap();
    for (const key of this.volatileIndexed) {
      this.memoIndexed[key] = undefined;
      this.memoGated.delete(key);
    }
    this.volatileIndexed.clear();
    this.dropIndexedAnswers(null, newCallees);
    this.memoGated.clear();
    this.moduleChanges++;
    if (newCallees) this.targetsAdded++;
    this.demand.replaced();
    this.resetDerived();
    return facts;
  }

  /**
   * Notes a lookup of a module, function or class by its qualified name (found
   * or not): an answer reading a volatile module must not outlive its
   * replacement. Free when no module is volatile.
   */
  private noteRead(q: string): void {
    const { volatile } = this;
    if (volatile.length === 0) return;
    for (const v of volatile) {
      if (q === v.module || q.startsWith(v.prefix)) {
        this.volatileReads++;
        return;
      }
    }
  }

  /** Notes a read of every module at once (they include the volatile ones). */
  private noteReadAll(): void {
    if (this.volatile.length > 0) this.volatileReads++;
  }

  /** Changes whenever a module is added or replaced: what was worked out over the modules is stale when it does. */
  get modulesVersion(): number {
    return this.moduleChanges;
  }

  /** What was computed over the modules known so far is recomputed on the next question. */
  private resetDerived(): void {
    this.callsByName = null;
    this.demand.reset();
    this.exceptionFlow.reset();
    this.coroutineRuns.reset();
    this.loopThreads.reset();
  }

  /** Whether rules look at the module this file was indexed as. */
  isTarget(facts: ModuleFacts): boolean {
    this.noteRead(facts.module);
    const entry = this.modules.get(facts.module);
    return !!entry && entry.target && entry.facts.path === facts.path;
  }

  /** Whether a module of that name is indexed. */
  hasModule(name: string): boolean {
    this.noteRead(name);
    return this.modules.has(name);
  }

  /** Facts of the modules rules look at. */
  targetModules(): ModuleFacts[] {
    this.noteReadAll();
    const out: ModuleFacts[] = [];
    for (const entry of this.modules.values()) if (entry.target) out.push(entry.facts);
    return out;
  }

  allModules(): ModuleFacts[] {
    return this.allFacts;
  }

  get moduleCount(): number {
    return this.modules.size;
  }

  /** Every indexed module's facts. */
  get allFacts(): ModuleFacts[] {
    this.noteReadAll();
    return [...this.modules.values()].map((entry) => entry.facts);
  }

  functionAt(q: string): IndexedFunction | undefined {
    this.noteRead(q);
    return this.functions.get(q);
  }

  classAt(q: string): ClassFacts | undefined {
    this.noteRead(q);
    return this.classes.get(q)?.cls;
  }

  allFunctions(): Iterable<IndexedFunction> {
    this.noteReadAll();
    return this.functions.values();
  }

  /**
   * How the index loads modules from now on: a language server's next pass
   * keeps the index (see replace), with that pass's analyses to load from.
   */
  useLoader(loader: ProjectLoader): void {
    this.demand.useLoader(loader);
  }

  /** A module by name, loaded if allowed; `lookup`: the names to be looked up in it, then after it (for the load gate). */
  private module(name: string, lookup: readonly string[] = []): ModuleEntry | undefined {
    this.noteRead(name);
    const known = this.modules.get(name);
    if (known || this.demand.tried(name)) return known;
    const facts = this.demand.loadModule(name, lookup);
    if (!facts) return undefined;
    this.add(facts, false);
    return this.modules.get(name);
  }

  // ---- what rules ask (answered by the model's parts) ---------------------------------------

  /**
   * Loads what the rules' answers depend on before any rule runs: the modules
   * along call chains from coroutines (the only questions that load; value
   * questions never need a module that is not a target).
   */
  settle(): void {
    this.demand.loadWhatRulesAsk();
    this.exceptionFlow.settle();
  }

  /** Names through which a hazard can reach a file that is not analysed yet (see DemandLoading). */
  interestingNames(): InterestingNames {
    return this.demand.interestingNames();
  }

  /** Points through which SystemExit / KeyboardInterrupt escape this function, each with its chain. */
  escapingBaseExits(fn: FunctionFacts): BaseExitEscape[] {
    return this.exceptionFlow.escapingBaseExits(fn);
  }

  /**
   * What calling the sync function may let escape: each SystemExit /
   * KeyboardInterrupt class with its chain (known for functions that run on a
   * loop's thread, see runsOnLoopThread).
   */
  baseExitsRaisedBy(fnQ: string): BaseExitEscape[] {
    return this.exceptionFlow.baseExitsRaisedBy(fnQ);
  }

  /**
   * How the function comes to run on an event loop's thread: it is a
   * coroutine function, a callable handed to a loop or a protocol callback,
   * or one of those calls it (through helpers, across modules); null when
   * nothing says it does.
   */
  runsOnLoopThread(fnQ: string): LoopThreadEntry | null {
    return this.loopThreads.entryOf(fnQ);
  }

  /** Whether the function runs on an event loop's thread and, as far as the project's calls show, nowhere else. */
  runsOnlyOnLoopThread(fnQ: string): boolean {
    return this.loopThreads.runsOnlyOnLoopThread(fnQ);
  }

  /** The callables a module hands to an event loop that the loop calls on its own thread. */
  loopCallbacksIn(facts: ModuleFacts): ScheduledCallback[] {
    return this.loopThreads.scheduledIn(facts);
  }

  /** Where the coroutine is handed to an event loop in another thread, directly or through its callers; null if never. */
  submittedToOtherLoop(fnQ: string): Submission | null {
    return this.coroutineRuns.submittedToOtherLoop(fnQ);
  }

  /** How the coroutine is used at each of its call sites in the target modules (see CoroutineRuns). */
  coroutineUsesOf(fnQ: string): readonly CoroutineUse[] {
    return this.coroutineRuns.usesOf(fnQ);
  }

  /**
   * A function defined inside another function: no other module can call it by
   * its name, so its name is no reason to look at other files (test suites are
   * full of local coroutines called `f`).
   */
  isNestedFunction(q: string): boolean {
    return this.functionAt(q.slice(0, q.lastIndexOf('.'))) !== undefined;
  }

  /** Whether the coroutine only ever runs under asyncio.run, loop.run_until_complete or Runner.run (see CoroutineRuns). */
  onlyRunByEntryPoints(fnQ: string): boolean {
    return this.coroutineRuns.onlyRunByEntryPoints(fnQ);
  }

  // ---- values ------------------------------------------------------------------------

  /**
   * Whether the value may be a run_coroutine_threadsafe future submitted to
   * the loop running the submitting thread: as evaluate says, or, for a
   * future submitted right there (`run_coroutine_threadsafe(c, loop)`, or a
   * local holding it), to a `loop` parameter whose callers pass that loop.
   */
  submittedToRunningLoop(value: Value): boolean {
    if (value.length === 0) return false;
    if (this.evaluate(value).includes('obj:running-loop-future')) return true;
    return value.some((t) => t.k === 'onloop' && this.evaluate(t.l.filter((l) => l.k === 'param')).includes('obj:running-loop'));
  }

  /**
   * What the value may be. An answer found without a miss and without cutting
   * a cycle is what every later call would find too (each of its terms' answers
   * is then in memoStable, which is never dropped): it is kept on the value
   * array itself, so that asking again (the rules' passes, the name searches'
   * rounds, every call site of a name) costs one lookup and makes no garbage.
   * Callers must not change the array they get.
   */
  evaluate(value: Value): Concrete[] {
    // A term's stable answer is found by its key (see evalTerm): as cheap as by the value, and its
    // other answers are not kept by value at all.
    if (value.length === 1) return this.evalTerm(value[0]!);
    const known = this.stableValues.get(value);
    if (known) return known;
    if (this.volatile.length > 0) {
      const read = this.volatileValues.get(value);
      if (read) {
        this.volatileReads++;
        return read;
      }
    }
    const demand = this.demand;
    const missesBefore = demand.misses;
    const cutsBefore = this.cycleCuts;
    const volatileBefore = this.volatileReads;
    const out = new Set<Concrete>();
    for (const term of value) for (const c of this.evalTerm(term)) out.add(c);
    const result = [...out];
    if (demand.misses === missesBefore && this.cycleCuts === cutsBefore) {
      if (this.volatileReads === volatileBefore) this.stableValues.set(value, result);
      else this.volatileValues.set(value, result);
    }
    return result;
  }

  /**
   * Runs `compute`, which derives something from the index's answers, and
   * notes what those answers depend on, so that reuse() can tell later whether
   * the same questions would get the same answers. (Rules asking the same
   * questions over every target in every round of loading keep what they
   * derive per module this way.)
   */
  derive<T>(compute: () => T): Derivation<T> {
    const { result, notes } = this.noting(compute);
    // What a cut leaves out depends on where the evaluation started: such answers (cut now, or found
    // in cutAnswers) are found again once any module is added, so what was derived from them is not kept.
    const reusable = !notes.cut && !notes.cutsFound;
    return {
      result,
      wanted: reusable ? [...notes.wanted] : null,
      missed: notes.missed,
      targets: notes.callers ? this.targetsAdded : null,
      replacements: notes.volatile ? this.replacements : null,
    };
  }

  /**
   * Runs `compute`, which asks the index questions, and says what answering
   * them noted (the modules they missed are noted for the outer question too,
   * as they are found).
   */
  private noting<T>(compute: () => T): { result: T; notes: Notes } {
    const demand = this.demand;
    const missesBefore = demand.misses;
    const cutsBefore = this.cycleCuts;
    const cutsFoundBefore = this.cutAnswersFound;
    const callersBefore = this.callerQuestions;
    const volatileBefore = this.volatileReads;
    const outer = demand.wanted;
    const wanted = new Set<string>();
    demand.wanted = wanted;
    let result: T;
    try {
      result = compute();
    } finally {
      demand.wanted = outer;
      if (outer) for (const name of wanted) outer.add(name);
    }
    return {
      result,
      notes: {
        wanted,
        missed: demand.misses !== missesBefore,
        callers: this.callerQuestions !== callersBefore,
        cutsFound: this.cutAnswersFound !== cutsFoundBefore,
        volatile: this.volatileReads !== volatileBefore,
        cut: this.cycleCuts !== cutsBefore,
      },
    };
  }

  /** Notes what `notes` says finding some answers noted, as finding them again would (see noting). */
  private noteAgain(notes: Notes): void {
    if (notes.missed) this.demand.misses++;
    if (notes.callers) this.callerQuestions++;
    if (notes.cutsFound) this.cutAnswersFound++;
    if (notes.volatile) this.volatileReads++;
    const outer = this.demand.wanted;
    if (outer) for (const name of notes.wanted) outer.add(name);
  }

  /**
   * Whether what `derivation` derived still holds: the same questions would
   * get the same answers now. An answer changes only when a module it missed
   * is indexed (see add; a module missed is one not indexed yet that could
   * be), one that asked what callers pass when a target is added, and while
   * loading, when such a module may load. If it holds, the misses are noted
   * as asking again would note them.
   */
  reuse(derivation: Derivation<unknown>): boolean {
    const { wanted } = derivation;
    const demand = this.demand;
    if (wanted === null || demand.loading) return false;
    // What callers pass is found again once a target is added (see callerAnswers).
    if (derivation.targets !== null && derivation.targets !== this.targetsAdded) return false;
    // What read a volatile module is found again once one is replaced with facts changed (see replace).
    if (derivation.replacements !== null && derivation.replacements < this.factChange) return false;
    for (const name of wanted) if (this.modules.has(name)) return false;
    if (derivation.missed) demand.misses++;
    if (derivation.targets !== null) this.callerQuestions++;
    if (derivation.replacements !== null) this.volatileReads++;
    const outer = demand.wanted;
    if (outer) for (const name of wanted) outer.add(name);
    return true;
  }

  /** `knownKey`: the term's key (see MemoKeys.term), when the caller kept it. */
  private evalTerm(term: Term, knownKey?: number): Concrete[] {
    switch (term.k) {
      case 'fut':
      case 'seq':
      case 'map':
        return CONSTANT_ANSWERS[term.k];
      case 'self':
        return [`inst:${term.c}`];
      case 'obj':
        return [`obj:${term.t}`];
      case 'newfut':
        return [`newfut:${term.at}`];
      default:
        break;
    }
    const key = knownKey ?? this.keys.term(term);
    // A stable answer is found by the term object's key: one lookup, no garbage.
    const known = this.memoStable[key] ?? this.memoAnswer(key);
    if (known) return known;
    return this.computeTerm(term, key);
  }

  /**
   * Computes a term's answer (see evalTerm), by the memo. Apart from evalTerm: a function making
   * closures allocates their context at every call, and evalTerm, mostly finding an answer, is called
   * for every term asked about (17,500 times a server pass on the 5,000-line module).
   */
  private computeTerm(term: Term, key: number): Concrete[] {
    switch (term.k) {
      case 'param':
        // (Never stable: see below.)
        return this.memoCompute(key, () => {
          // What callers pass depends on every target module, not only on those resolved through: another
          // target may add a caller. Counted as an answer over the modules indexed so far (memoIndexed),
          // and over the targets so far (callerAnswers).
          this.demand.misses++;
          this.callerQuestions++;
          return this.passedTo(term.f, term.i);
        });
      case 'sym':
        return this.memoCompute(key, () => this.resolve(term.q, new Set()));
      default:
        break;
    }
    return this.memoCompute(key, () => {
      switch (term.k) {
        case 'call':
          return this.evaluate(term.f).flatMap((c) => this.callConcrete(c));
        case 'inst':
          // An annotation names a class: an instance of it (a project class, or a library class with rows of its own).
          return this.evaluate(term.c).flatMap((c) => (c.startsWith('class:') || c.startsWith('api:') ? this.callConcrete(c).filter((i) => i.startsWith('inst:') || i.startsWith('apiinst:')) : []));
        case 'attr':
          return this.demand.withTail([term.n], () => this.evaluate(term.o)).flatMap((c) => this.attrConcrete(c, term.n, new Set()));
        case 'elem': {
          const o = this.evaluate(term.o);
          return o.includes('seq') ? ['fut'] : [];
        }
        case 'item': {
          const o = this.evaluate(term.o);
          return o.includes('seq') || o.includes('map') ? ['fut'] : [];
        }
        case 'vals':
          return this.evaluate(term.o).includes('map') ? ['seq'] : [];
        case 'coll':
          return this.evaluate(term.e).includes('fut') ? ['seq'] : [];
        case 'mapv':
          return this.evaluate(term.e).includes('fut') ? ['map'] : [];
        case 'onloop': {
          // Not through a parameter (`def submit(coro, loop)`): wrappers of that shape are everywhere, and
          // resolving each one's loop through all its callers, for every future, cost more than the whole
          // run. submittedToRunningLoop follows it, where a wait asks.
          const loop = term.l.filter((t) => t.k !== 'param');
          return this.evaluate(loop).includes('obj:running-loop') ? ['obj:running-loop-future'] : [];
        }
        default:
          return [];
      }
    });
  }

  /**
   * Memoises per term, in two steps: memoAnswer gives the memo's answer when
   * it has one to give now (noting what it missed, as finding it again would),
   * else memoCompute computes it (so that the function computing an answer is
   * made only when one is computed). A term met again while being evaluated
   * (recursion) contributes nothing on that path.
   */
  private memoAnswer(key: number): Concrete[] | undefined {
    const stable = this.memoStable[key];
    if (stable) return stable;
    if (this.provisional.size > 0) {
      const held = this.provisional.get(key);
      if (held && held.loading === this.demand.loading) {
        // (Read like a cut: what depends on it is provisional too, and kept by no value or derivation.)
        this.cycleCuts++;
        if (this.volatile.length > 0) this.volatileReads++;
        if (held.low < this.cutLow) this.cutLow = held.low;
        return held.answer;
      }
    }
    if (this.memoVolatileKeys.length > 0) {
      const read = this.memoVolatile[key];
      if (read) {
        this.volatileReads++;
        return read;
      }
    }
    const demand = this.demand;
    // While the load gate decides (see DemandLoading.gateIsNeutral), answers found under it are kept for it.
    const gated = demand.loading && demand.gateIsNeutral();
    if (gated && this.memoGatedRound !== demand.gateRound) {
      this.memoGated.clear();
      this.memoGatedRound = demand.gateRound;
    }
    const known = gated ? this.memoGated.get(key) : undefined;
    const entry = this.memoIndexed[key];
    const indexed = known ?? entry?.answer;
    if (indexed) {
      const noted = entry!.wanted;
      // While loading, a module missed before may load now (and what the load gate admits depends on the
      // names looked up after): such an answer is found again, unless the same gate found it. One that
      // missed no module (it asked for callers) found what loading would find. One in which a cycle was
      // cut is taken as it was found, as when not loading, until a module is added (see
      // dropIndexedAnswers): found again at each question, a parameter's answer read every call of its
      // function's name again, each of those callees' parameters theirs, and so on down every chain, and
      // on ten copies of the corpus the call walk had not ended after an hour.
      if (!demand.loading || known || noted.length === 0) {
        demand.misses++;
        if (this.callerAnswers.has(key)) this.callerQuestions++;
        if (this.cutAnswers.has(key)) this.cutAnswersFound++;
        if (this.volatileIndexed.has(key)) this.volatileReads++;
        // A walk noting wanted modules (and an answer being found, see below) gets the answer's missing modules.
        const outer = demand.wanted;
        if (outer) for (const name of noted) outer.add(name);
        return indexed;
      }
    }
    return undefined;
  }

  /** The memo's computing, once memoAnswer has no answer (see memoAnswer). */
  private memoCompute(key: number, compute: () => Concrete[]): Concrete[] {
    const demand = this.demand;
    const gated = demand.loading && demand.gateIsNeutral();
    // Answers found while loading is allowed may differ (a module appears), so each mode keeps its own.
    // (Two sets of flags rather than a prefixed key: a new string per call would be hashed afresh.)
    const loading = demand.loading;
    // (An answer found while loading may take the place of one the callees of a name hold.)
    if (loading) this.answersEpoch++;
    const inProgress = loading ? this.inProgressLoading : this.inProgressIndexed;
    if (key < inProgress.length && inProgress[key] !== 0) {
      this.cycleCuts++;
      // The answer being computed leaves out the one in progress: it holds only until that one is done.
      const at = inProgress[key]! - 1;
      if (at < this.cutLow) this.cutLow = at;
      // What a cut leaves out is the answer in progress, which may read a volatile module: the answers
      // made around the cut must not outlive its replacement either.
      if (this.volatile.length > 0) this.volatileReads++;
      return [];
    }
    if (key >= inProgress.length) {
      const grown = new Int32Array(Math.max(key + 1, inProgress.length * 2));
      grown.set(inProgress);
      if (loading) this.inProgressLoading = grown;
      else this.inProgressIndexed = grown;
    }
    const depth = this.computeDepth++;
    (loading ? this.inProgressLoading : this.inProgressIndexed)[key] = depth + 1;
    const outerLow = this.cutLow;
    this.cutLow = Infinity;
    const missesBefore = demand.misses;
    const cutsBefore = this.cycleCuts;
    const callersBefore = this.callerQuestions;
    const volatileBefore = this.volatileReads;
    // Every answer notes the modules it missed, so that adding one drops only the answers that asked for it.
    const outerWanted = demand.wanted;
    let wanted = this.wantedSets[depth];
    if (!wanted) this.wantedSets.push((wanted = new Set<string>()));
    demand.wanted = wanted;
    try {
      const result = compute();
      // Cut at a term still being computed above this one (not at itself): the answer leaves out what
      // that term's answer will hold. A new question would not cut there (asyncio's import cycles met
      // from another module), so it is kept only until that term is done, then found again.
      if (this.cutLow < depth) {
        const low = this.cutLow;
        this.provisional.set(key, { answer: result, low, loading });
        (this.provisionalAt[low] ??= []).push(key);
        return result;
      }
      // While loading, only a module the load gate turned away is missed.
      const readsVolatile = this.volatileReads !== volatileBefore;
      if (demand.misses === missesBefore) {
        if (readsVolatile) {
          const volatile = this.memoVolatile;
          for (let i = volatile.length; i < this.keys.size; i++) volatile.push(undefined);
          volatile[key] = result;
          this.memoVolatileKeys.push(key);
        }
        else this.keepStable(key, result);
      } else {
        if (readsVolatile) this.volatileIndexed.add(key);
        else this.volatileIndexed.delete(key);
        const cut = this.cycleCuts !== cutsBefore;
        const names = wanted.size === 0 ? NO_NAMES : [...wanted];
        const indexed = this.memoIndexed;
        for (let i = indexed.length; i < this.keys.size; i++) indexed.push(undefined);
        indexed[key] = { answer: result, wanted: names };
        if (gated && !cut) this.memoGated.set(key, result);
        else this.memoGated.delete(key);
        if (cut) this.cutAnswers.add(key);
        else this.cutAnswers.delete(key);
        if (this.callerQuestions !== callersBefore) this.callerAnswers.add(key);
        else this.callerAnswers.delete(key);
        for (const name of names) {
          const keys = this.memoByWanted.get(name);
          if (keys) keys.push(key);
          else this.memoByWanted.set(name, [key]);
        }
      }
      return result;
    } finally {
      // (Read again: an answer computed inside this one may have grown the flags.)
      (loading ? this.inProgressLoading : this.inProgressIndexed)[key] = 0;
      this.computeDepth--;
      // What this answer depends on above it, the one computing it depends on too.
      this.cutLow = this.cutLow < depth ? Math.min(outerLow, this.cutLow) : outerLow;
      const dependents = this.provisionalAt[depth];
      if (dependents !== undefined && dependents.length > 0) {
        for (const dependent of dependents) if (this.provisional.get(dependent)?.low === depth) this.provisional.delete(dependent);
        dependents.length = 0;
      }
      demand.wanted = outerWanted;
      if (wanted.size > 0) {
        if (outerWanted) for (const name of wanted) outerWanted.add(name);
        wanted.clear();
      }
    }
  }

  /** Keeps a stable answer, the array first grown to every key made so far (holes would make it slower to read). */
  private keepStable(key: number, answer: Concrete[]): void {
    const stable = this.memoStable;
    for (let i = stable.length; i < this.keys.size; i++) stable.push(undefined);
    stable[key] = answer;
  }

  /** What the callers pass for parameter `i` of `fnQ`: data (see PASSED_DATA; callables are not followed). */
  private passedTo(fnQ: string, i: number): Concrete[] {
    const out = new Set<Concrete>();
    for (const site of this.argumentSites(fnQ)) {
      const arg = this.argumentFor(site, fnQ, i);
      if (arg) for (const c of this.evaluate(arg)) if (PASSED_DATA.has(c) || c.startsWith('newfut:')) out.add(c);
    }
    return [...out];
  }

  /** The value a call site passes for parameter `i` of `fnQ`, if it passes one. */
  argumentFor(site: ArgumentSite, fnQ: string, i: number): Value | undefined {
    this.noteRead(fnQ);
    const fn = this.functions.get(fnQ)?.fn;
    const name = fn?.params[i];
    if (name === undefined) return undefined;
    return own(site.call.keywords, name) ?? site.call.args[i - site.offset];
  }

  /** The target modules' calls of function `fnQ` (a method called on an instance, a class constructed: `__init__`). */
  argumentSites(fnQ: string): ArgumentSite[] {
    this.noteRead(fnQ);
    const fn = this.functions.get(fnQ)?.fn;
    if (!fn) return [];
    const classQ = fnQ.slice(0, fnQ.lastIndexOf('.'));
    if (fn.name === '__init__') this.noteRead(classQ);
    const cls = fn.name === '__init__' ? this.classes.get(classQ)?.cls : undefined;
    const byName = this.callsByNameIndex();
    const func = `func:${fnQ}`;
    const bound = `bound:${fnQ}`;
    const out: ArgumentSite[] = [];
    // (Read in place, and each answer compared with the same two strings: a project has a call of every
    // common name in each of its parts, and a copy of them, or a string per answer, for every question
    // made garbage in proportion to the project's size.)
    const findIn = (candidates: readonly { call: CallFact; path: string }[] | undefined): void => {
      if (!candidates) return;
      const callees = this.calleesOf(candidates);
      /** Classes whose `__init__` is the function (when asked ahead, see below). */
      let initOf: Set<Concrete> | null = null;
      /** Whether a stable answer is read without the memo (see StableCallees: loading, so calleeAt has none). */
      let readStable = false;
      const at = (i: number): void => {
        const { call, path } = candidates[i]!;
        for (const c of (readStable && this.stableCallee(candidates, callees, i)) || this.calleeAt(callees, call.callee, i)) {
          let offset = -1;
          if (c === func) offset = 0;
          else if (c === bound) offset = 1;
          else if (cls && c.startsWith('class:') && (initOf ? initOf.has(c) : this.memberOf(c.slice(6), '__init__', true, new Set()).includes(bound))) offset = 1;
          if (offset >= 0) {
            out.push({ call, path, offset });
            break;
          }
        }
      };
      const by = this.calleesByAnswer(callees);
      // Only the calls that may call the function, in order, when the answers are known: a scan of the others
      // would find the same (their answers, and what finding them notes, noted by calleesOf). memberOf is asked
      // about each class first, in the order the scan would ask, when no answer is found again in between.
      if (by && (!cls || (by.classes && by.again.length === 0))) {
        const lists: number[][] = [];
        const add = (list: number[] | undefined): void => {
          if (list && list.length > 0) lists.push(list);
        };
        add(by.calls.get(func));
        add(by.calls.get(bound));
        add(by.again);
        if (cls) {
          initOf = new Set();
          for (const c of by.classes!) {
            if (this.memberOf(c.slice(6), '__init__', true, new Set()).includes(bound)) {
              initOf.add(c);
              add(by.calls.get(c));
            }
          }
        }
        visitInOrder(lists, at);
        return;
      }
      // While loading, the calls whose callees have stable answers that are not the function are passed
      // over as the scan would (reading a stable answer notes nothing); the others are scanned in order.
      // (Not for a constructor: which classes memberOf is asked about, and when, is the scan's to say.)
      if (this.demand.loading && !cls) {
        const stable = this.stableCallees(candidates, callees);
        const lists: number[][] = [];
        for (const list of [stable.calls.get(func), stable.calls.get(bound), stable.rest]) if (list && list.length > 0) lists.push(list);
        visitInOrder(lists, at);
        this.settleStableCallees(candidates, callees, stable);
        return;
      }
      const recording = !this.demand.loading && !callees.complete;
      // (A constructor's scan while loading: each class memberOf is asked about in place, as a load may change
      // what it finds; stable answers are read at once, as the memo would give them.)
      readStable = this.demand.loading;
      for (let i = 0; i < candidates.length; i++) at(i);
      if (recording && !this.demand.loading && callees.epoch === this.answersEpoch) callees.complete = true;
    };
    // By the last part of its qualified name: a lambda's (`<lambda2>`) tells it from the others of its scope.
    const name = fnQ.slice(fnQ.lastIndexOf('.') + 1);
    this.noteCallSites(name);
    findIn(byName.get(name));
    if (cls) {
      this.noteCallSites(cls.name);
      findIn(byName.get(cls.name));
    }
    return out;
  }

  /**
   * The callees of a list of callsByName's, before a scan of it (see
   * calleeAt): once every answer was found with nothing changed since, and
   * not loading, what finding them would note is noted here, once. Every
   * question of what callers pass reads every call of its function's name,
   * and a project of N copies has N times the calls of each name for N times
   * the questions: finding each answer again (a memo lookup noting what it
   * missed) made the questions' time grow with the square of the project.
   */
  private calleesOf(candidates: readonly { call: CallFact; path: string }[]): Callees {
    let callees = this.callees.get(candidates);
    if (!callees) {
      callees = { keys: [], epoch: -1, answers: [], complete: false, notes: noNotes(), byAnswer: null, stable: null };
      this.callees.set(candidates, callees);
    }
    if (this.demand.loading) return callees;
    if (callees.epoch !== this.answersEpoch) {
      callees.epoch = this.answersEpoch;
      callees.answers = [];
      callees.complete = false;
      callees.notes = noNotes();
      callees.byAnswer = null;
    } else if (callees.complete) {
      this.noteAgain(callees.notes);
    }
    return callees;
  }

  /** The stable answer of the callee of call `i` of a list, if it has one (see StableCallees). */
  private stableCallee(candidates: readonly { call: CallFact; path: string }[], callees: Callees, i: number): Concrete[] | undefined {
    const { callee } = candidates[i]!.call;
    if (callee.length !== 1) return this.stableValues.get(callee);
    let key = callees.keys[i];
    if (key === undefined) callees.keys[i] = key = this.keys.term(callee[0]!);
    return this.memoStable[key];
  }

  /** A list's stable callees (see StableCallees), made on first use. */
  private stableCallees(candidates: readonly { call: CallFact; path: string }[], callees: Callees): StableCallees {
    if (callees.stable) return callees.stable;
    const calls = new Map<Concrete, number[]>();
    const rest: number[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const answer = this.stableCallee(candidates, callees, i);
      if (answer) addCallByAnswer(calls, answer, i);
      else rest.push(i);
    }
    return (callees.stable = { calls, rest });
  }

  /** Moves the calls of `rest` whose callees' answers are stable now to `calls`. */
  private settleStableCallees(candidates: readonly { call: CallFact; path: string }[], callees: Callees, stable: StableCallees): void {
    let kept = 0;
    const { rest } = stable;
    for (let k = 0; k < rest.length; k++) {
      const i = rest[k]!;
      const answer = this.stableCallee(candidates, callees, i);
      if (answer) addCallByAnswer(stable.calls, answer, i);
      else rest[kept++] = i;
    }
    rest.length = kept;
  }

  /** A list's callee answers by what they hold, when they are complete and hold now (see calleesOf); else null. */
  private calleesByAnswer(callees: Callees): CalleesByAnswer | null {
    if (this.demand.loading || !callees.complete || callees.epoch !== this.answersEpoch) return null;
    if (callees.byAnswer) return callees.byAnswer;
    const calls = new Map<Concrete, number[]>();
    const again: number[] = [];
    let classes: Concrete[] | null = [];
    const { answers } = callees;
    for (let i = 0; i < answers.length; i++) {
      const answer = answers[i];
      if (!answer) {
        again.push(i);
        continue;
      }
      // (A class met for the first time: its call asks memberOf about it first only if it is first in the answer.)
      for (let p = 0; classes && p < answer.length; p++) {
        const c = answer[p]!;
        if (!c.startsWith('class:') || calls.has(c) || answer.indexOf(c) !== p) continue;
        if (p === 0) classes.push(c);
        else classes = null;
      }
      addCallByAnswer(calls, answer, i);
    }
    return (callees.byAnswer = { calls, again, classes });
  }

  /**
   * The answer of the callee of call `i` of a list (see calleesOf): the one
   * found before (what finding it notes was noted), or found now, in the
   * list's order as the scan asks (and kept when not loading, with what
   * finding it noted, unless a cycle was cut).
   */
  private calleeAt(callees: Callees, callee: Value, i: number): Concrete[] {
    const demand = this.demand;
    if (demand.loading || callees.epoch !== this.answersEpoch) return this.calleeAnswer(callee, callees.keys, i);
    const known = callees.answers[i];
    if (known) return known;
    // (One found while a cycle was cut is found again, and kept if none is cut now: it was cut at a term
    // being computed then, most often.)
    if (known === undefined && callees.complete) return this.calleeAnswer(callee, callees.keys, i);
    const { result: answer, notes } = this.noting(() => this.calleeAnswer(callee, callees.keys, i));
    // (Found again from the memo, it notes what it noted now: the memo keeps what an answer missed.)
    const kept = callees.notes;
    for (const name of notes.wanted) kept.wanted.add(name);
    if (callees.epoch !== this.answersEpoch) return answer;
    if (notes.cut) {
      callees.answers[i] = null;
    } else {
      // (Kept by what it holds too once the answers are complete: made again on next use.)
      if (known === null) callees.byAnswer = null;
      callees.answers[i] = answer;
      kept.missed ||= notes.missed;
      kept.callers ||= notes.callers;
      kept.cutsFound ||= notes.cutsFound;
      kept.volatile ||= notes.volatile;
    }
    return answer;
  }

  /**
   * What a candidate's callee is (evaluate), its stable answer found by a key kept with the
   * candidate: every question of what callers pass reads every call of its function's name, and
   * finding the key of each callee term again (a lookup in a table of every term asked about) took
   * most of that time on a large project.
   */
  private calleeAnswer(callee: Value, keys: (number | undefined)[], i: number): Concrete[] {
    if (callee.length === 1) {
      let key = keys[i];
      if (key === undefined) keys[i] = key = this.keys.term(callee[0]!);
      const stable = this.memoStable[key];
      if (stable) return stable;
      // (With the key kept: an answer that read a volatile module is found again for every function of
      // the name, and finding the key again was half of a server pass's key lookups.)
      return this.evalTerm(callee[0]!, key);
    }
    return this.evaluate(callee);
  }

  /**
   * Notes that an answer read the target modules' call sites by that name: it
   * reads a volatile module when one has such a call. (An answer that read none
   * there is dropped when a replacement brings one, see replace.)
   */
  private noteCallSites(name: string): void {
    if (this.volatile.length === 0) return;
    for (const v of this.volatile) {
      const entry = this.modules.get(v.module);
      if (entry?.target && calledNames(entry.facts).has(name)) {
        this.volatileReads++;
        return;
      }
    }
  }

  /**
   * The target modules' call sites by the name they call. (Derived, so it reads
   * every target without noting the volatile ones: the answers asking it note
   * the names they read, see noteCallSites.)
   */
  private callsByNameIndex(): Map<string, { call: CallFact; path: string }[]> {
    if (this.callsByName) return this.callsByName;
    const map = new Map<string, { call: CallFact; path: string }[]>();
    for (const entry of this.modules.values()) {
      if (!entry.target) continue;
      for (const { name, site } of callSitesByName(entry.facts)) {
        const list = map.get(name);
        if (list) list.push(site);
        else map.set(name, [site]);
      }
    }
    this.callsByName = map;
    return map;
  }

  private callConcrete(c: Concrete): Concrete[] {
    if (c.startsWith('func:') || c.startsWith('bound:')) {
      const q = c.slice(c.indexOf(':') + 1);
      this.noteRead(q);
      const fn = this.functions.get(q)?.fn;
      // Calling an `async def` makes a coroutine object, never a future. A parameter returned is what this
      // call passes, which the call term does not say: read over every caller it would make every call of
      // `def wrap(f): return f if isfuture(f) else ...` return what any caller passes. Not followed.
      if (!fn || fn.isAsync) return [];
      return this.evaluate(fn.returns.some((t) => t.k === 'param') ? fn.returns.filter((t) => t.k !== 'param') : fn.returns);
    }
    if (c.startsWith('class:')) return [`inst:${c.slice(6)}`];
    if (c.startsWith('api:') && apiEffect(c.slice(4))?.kind === 'library-class') return [`apiinst:${c.slice(4)}`];
    // A decorator that makes a library instance (`cli.command` of an imported click group): what the decorated name holds.
    const decorates = c.startsWith('api:') ? apiEffect(c.slice(4)) : undefined;
    if (decorates?.kind === 'decorates-into') return [`apiinst:${decorates.instance}`];
    // A library function reached as a value (an alias, an attribute holding it, a partial of it): what its row says it returns.
    if (c.startsWith('api:') && apiEffect(c.slice(4))?.kind === 'submits-coroutine') return ['fut'];
    return [];
  }

  /** Resolves a qualified name to what it is bound to in the project (memoised; cycles end in nothing). */
  resolve(q: string, seen: Set<string>): Concrete[] {
    if (seen.size > MAX_RESOLVE_STEPS) return [];
    const key = this.keys.resolved(q);
    // (The function that computes the answer is made only when there is none to give.)
    return this.memoAnswer(key) ?? this.memoCompute(key, () => this.resolveUncached(q, seen));
  }

  private resolveUncached(q: string, seen: Set<string>): Concrete[] {
    if (seen.has(q)) return [];
    seen.add(q);
    // run_coroutine_threadsafe reached as a value (an alias, an attribute holding it, a partial of it) submits
    // wherever it is called from. Other rows answer only where the project does not define the name (libraryApi).
    if (apiEffect(q)?.kind === 'submits-coroutine') return [`api:${q}`, ...this.resolveProjectName(q, seen)];
    return this.resolveProjectName(q, seen);
  }

  private resolveProjectName(q: string, seen: Set<string>): Concrete[] {
    if (q.startsWith('builtins.')) {
      // Builtin exception classes matter (SystemExit, KeyboardInterrupt, BaseException); nothing else does.
      const name = q.slice(9);
      return /^[A-Z]/.test(name) && !name.includes('.') ? [`class:${q}`] : [];
    }
    const parts = q.split('.');
    for (let i = parts.length; i >= 1; i--) {
      // (The whole name first: no array or text made for it.)
      const rest = i === parts.length ? NO_NAMES : parts.slice(i);
      const entry = this.module(i === parts.length ? q : parts.slice(0, i).join('.'), this.demand.lookupAfter(rest));
      if (!entry) continue;
      if (rest.length === 0) return [`module:${entry.facts.module}`];
      // The longest module wins, as in Python (importing `pkg.mod` makes it `pkg`'s attribute `mod`):
      // looking for `mod.rest` in `pkg` too would only reach the same module again, by every way `pkg` can.
      const found = this.resolveIn(entry, rest, seen);
      return found.length > 0 ? found : libraryApi(q);
    }
    return libraryApi(q);
  }

  private resolveIn(entry: ModuleEntry, rest: readonly string[], seen: Set<string>): Concrete[] {
    const { facts } = entry;
    for (let j = rest.length; j >= 1; j--) {
      // (Most names are one part, `module.name`: no array or text is made for them.)
      const name = j === 1 ? rest[0]! : rest.slice(0, j).join('.');
      const remaining = j === rest.length ? NO_NAMES : rest.slice(j);
      const base: Concrete[] = [];
      const fn = entry.functions.get(name);
      if (fn) base.push(`func:${fn.q}`);
      const cls = entry.classes.get(name);
      if (cls) base.push(`class:${cls.q}`);
      const target = own(facts.imports, name);
      if (target !== undefined) base.push(...this.demand.withTail(remaining, () => this.resolve(target, seen)));
      const variable = own(facts.variables, name);
      if (variable) base.push(...this.demand.withTail(remaining, () => this.evaluate(variable)));
      if (base.length === 0) continue;
      let current = base.length === 1 ? base : [...new Set(base)];
      for (let k = 0; k < remaining.length; k++) {
        current = this.demand.withTail(remaining.slice(k + 1), () => current.flatMap((c) => this.attrConcrete(c, remaining[k]!, seen)));
      }
      return current;
    }
    for (const star of facts.starImports) {
      if (!this.mayBind(star, rest[0]!, new Set())) continue;
      const found = this.resolve(`${star}.${rest.join('.')}`, seen);
      if (found.length > 0) return found;
    }
    return [];
  }

  /**
   * Whether `module` can bind `name`: itself, through its own star imports, or as
   * a submodule. A package like asyncio star-imports twenty modules, so most
   * names would otherwise be looked for in every one of them, deeply.
   */
  private mayBind(module: string, name: string, seen: Set<string>): boolean {
    if (seen.has(module)) return false;
    seen.add(module);
    if (this.module(`${module}.${name}`)) return true;
    const entry = this.module(module);
    if (!entry) return false;
    if (!entry.firstNames) {
      const first = (key: string) => key.split('.', 1)[0]!;
      const { facts } = entry;
      entry.firstNames = new Set([
        ...[...entry.functions.keys()].map(first),
        ...[...entry.classes.keys()].map(first),
        ...Object.keys(facts.imports).map(first),
        ...Object.keys(facts.variables).map(first),
      ]);
    }
    if (entry.firstNames.has(name)) return true;
    return entry.facts.starImports.some((star) => this.mayBind(star, name, seen));
  }

  private attrConcrete(c: Concrete, name: string, seen: Set<string>): Concrete[] {
    const colon = c.indexOf(':');
    if (colon < 0) return [];
    const kind = c.slice(0, colon);
    const q = c.slice(colon + 1);
    if (kind === 'module') return this.resolve(`${q}.${name}`, new Set(seen));
    if (kind === 'class' || kind === 'inst') return this.memberOf(q, name, kind === 'inst', new Set());
    if (kind === 'apiinst' || kind === 'api') return libraryApi(`${q}.${name}`);
    return [];
  }

  /** A member of a class or of its instances, looked up along the bases. */
  private memberOf(classQ: string, name: string, onInstance: boolean, visited: Set<string>, origin = classQ): Concrete[] {
    if (visited.has(classQ) || visited.size > MAX_RESOLVE_STEPS) return [];
    visited.add(classQ);
    // (A `self` term names its class without a lookup: the class and its members are read here.)
    this.noteRead(classQ);
    const known = this.classes.get(classQ);
    if (!known) return [];
    const { cls, module } = known;
    const out: Concrete[] = [];
    const method = this.functions.get(`${classQ}.${name}`);
    if (method) out.push(onInstance ? `bound:${method.fn.q}` : `func:${method.fn.q}`);
    const attr = onInstance ? own(cls.attrs, name) : undefined;
    if (attr) out.push(...this.evaluate(attr));
    const classVar = own(module.facts.variables, `${rel(module.facts.module, classQ)}.${name}`);
    if (classVar) out.push(...this.evaluate(classVar));
    if (out.length > 0) return [...new Set(out)];
    for (const base of cls.bases) {
      for (const b of this.evaluate(base)) {
        if (b.startsWith('class:')) out.push(...this.memberOf(b.slice(6), name, onInstance, visited, origin));
        // A project subclass of a library class (`class BotParser(argparse.ArgumentParser)`) inherits its methods' rows.
        else if (b.startsWith('api:')) out.push(...this.libraryMember(b.slice(4), name, onInstance, origin, visited));
      }
    }
    return [...new Set(out)];
  }

  /**
   * What calling the callee raises, when it is a library exit (or an instance
   * of a library class whose `__call__` exits: a click command), unless the
   * call gives the row's `unlessFalse` parameter as False, by keyword
   * (`falseKeywords`) or position (`falsePositions`).
   */
  exitsCalled(callee: Value, falseKeywords: readonly string[] = [], falsePositions: readonly number[] = []): string[] {
    const out: string[] = [];
    for (const c of this.evaluate(callee)) {
      let q: string;
      if (c.startsWith('api:')) q = c.slice(4);
      else if (c.startsWith('apiinst:')) q = `${c.slice(8)}.__call__`;
      else continue;
      const effect = apiEffect(q);
      if (effect?.kind !== 'exits' || out.includes(effect.raises)) continue;
      if (effect.unlessFalse && (falseKeywords.includes(effect.unlessFalse.keyword) || falsePositions.includes(effect.unlessFalse.position))) continue;
      out.push(effect.raises);
    }
    return out;
  }

  /**
   * The event loop libraries a module imports (see the event-loop-library rows):
   * `trio` alone says its coroutines run on trio's or anyio's loop, not asyncio's.
   */
  eventLoopsImported(facts: ModuleFacts): Set<string> {
    const loops = new Set<string>();
    for (const name in facts.imports) {
      const target = facts.imports[name]!;
      const effect = apiEffect(target.split('.', 1)[0]!);
      if (effect?.kind === 'event-loop-library') loops.add(effect.loop);
    }
    return loops;
  }

  /**
   * A library class's method as a member of the project class `origin` that
   * inherits it: its row, or, for a method that exits only through other
   * methods of the instance (argparse's parse_args through error() and
   * exit()), those methods as `origin` has them, overridden or not.
   */
  private libraryMember(libraryClass: string, name: string, onInstance: boolean, origin: string, visited: Set<string>): Concrete[] {
    const q = `${libraryClass}.${name}`;
    const effect = apiEffect(q);
    if (!onInstance || effect?.kind !== 'exits' || !effect.through) return libraryApi(q);
    const out = new Set<Concrete>();
    // The methods already followed (`#class.method`, not a class name) end a cycle of them; the class walk starts afresh.
    const followed = [...visited].filter((k) => k.startsWith('#'));
    for (const method of effect.through) {
      const key = `#${origin}.${method}`;
      if (followed.includes(key)) continue;
      for (const c of this.memberOf(origin, method, true, new Set([...followed, key]), origin)) out.add(c);
    }
    return [...out];
  }

  functionsCalled(callee: Value): FunctionFacts[] {
    return this.calledFunctions(callee, false) ?? [];
  }

  onlyFunctionsCalled(callee: Value): FunctionFacts[] | null {
    return this.calledFunctions(callee, true);
  }

  /** The project functions a callee may be; with `only`, null as soon as it may be anything else (or nothing is known). */
  private calledFunctions(callee: Value, only: boolean): FunctionFacts[] | null {
    const out: FunctionFacts[] = [];
    const concretes = this.evaluate(callee);
    if (only && concretes.length === 0) return null;
    for (const c of concretes) {
      let fn: IndexedFunction | undefined;
      if (c.startsWith('func:') || c.startsWith('bound:')) {
        const q = c.slice(c.indexOf(':') + 1);
        this.noteRead(q);
        fn = this.functions.get(q);
      }
      if (fn) out.push(fn.fn);
      else if (only) return null;
    }
    return out;
  }
}
