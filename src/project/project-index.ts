/**
 * The project index: every linted module's facts, resolved against each other.
 *
 * It answers what rules ask: is this value a run_coroutine_threadsafe future?
 * may this function raise SystemExit / KeyboardInterrupt, and through which
 * chain of calls? is this coroutine submitted to a loop in another thread, or
 * only run from the main thread? Qualified names are resolved through module
 * facts (functions, classes, variables, imports, `__init__` re-exports, star
 * imports); cycles are cut by visited sets, so import cycles and recursion end.
 */
import { own, type ClassFacts, type CoroutineUse, type EscapeFact, type FunctionFacts, type Loc, type ModuleFacts } from '../python/facts.js';
import type { Term, Value } from '../python/values.js';
import { wordsPattern, type NameSearch } from './prefilter.js';

/**
 * What a value resolves to: `fut` | `seq` | `map` | `func:q` | `class:q` | `inst:q` | `module:q` | `bound:q`
 * (a method `q` bound to an instance).
 */
type Concrete = string;

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

export interface Submission {
  path: string;
  loc: Loc;
}

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

interface Witness {
  escape: EscapeFact;
  path: string;
  /** The function called at `escape`, through which the exception comes; undefined for a direct raise. */
  callee?: string;
}

const MAX_RESOLVE_STEPS = 64;
/** Rounds of loading modules together before the call walk; each round reaches one call further. */
const MAX_LOAD_ROUNDS = 32;

/** How the index reaches modules it has not been given (all optional: without them it knows only what it holds). */
export interface ProjectLoader {
  /**
   * The values the rules will ask about in a target module's facts (see
   * Rule.asks): evaluated while loading is allowed, before any rule runs.
   */
  questions?: (facts: ModuleFacts) => Iterable<Value>;
  /** Loads a module of the project that is not indexed yet (demand-driven analysis), or says there is none. */
  load?: (module: string) => ModuleFacts | null;
  /** Whether the project has a module of that name that is not indexed yet (so an answer may change). */
  loadable?: (module: string) => boolean;
  /** Whether a module not indexed yet names any of a search's names (a cheap look before loading it). */
  mentions?: (module: string, search: NameSearch) => boolean;
  /** Loads several modules at once (in parallel), each answer as `load` would give it. */
  loadMany?: (modules: string[]) => (ModuleFacts | null)[];
}

const MAX_CHAIN = 100_000;

/** The name a callee term calls by (`f` in `pkg.f` or `x.f`); empty when it has none, and then anything may match. */
function lastName(term: Term): string {
  if (term.k === 'sym') return term.q.slice(term.q.lastIndexOf('.') + 1);
  if (term.k === 'attr') return term.n;
  return '';
}

/** JSON of a term, computed once per term object (terms are never mutated). */
const termKeys = new WeakMap<Term, string>();
function keyOf(term: Term): string {
  let key = termKeys.get(term);
  if (key === undefined) {
    key = JSON.stringify(term);
    termKeys.set(term, key);
  }
  return key;
}

function rel(module: string, q: string): string {
  return q.startsWith(`${module}.`) ? q.slice(module.length + 1) : q;
}

export class ProjectIndex {
  private readonly modules = new Map<string, ModuleEntry>();
  private readonly functions = new Map<string, { fn: FunctionFacts; path: string }>();
  private readonly classes = new Map<string, { cls: ClassFacts; module: ModuleEntry }>();
  /**
   * Answers that cannot change as modules are added: found without passing over
   * a module of the project that is not indexed yet (while loading, none is
   * passed over unless the load gate turned it away).
   */
  private readonly memoStable = new Map<string, Concrete[]>();
  /** Answers that asked for a module not indexed yet: dropped when a module is added. */
  private readonly memoIndexed = new Map<string, Concrete[]>();
  /** For answers in memoIndexed found while noting wanted modules: the modules they wanted. */
  private readonly memoWanted = new Map<string, string[]>();
  /** Count of questions for a module of the project that is not indexed (in value questions, which never load). */
  private misses = 0;
  private readonly inProgress = new Set<string>();
  private raisesCache: Map<string, Map<string, Witness>> | null = null;
  private submissionsCache: Map<string, Submission> | null = null;
  private usesByCallee: Map<string, CoroutineUse[]> | null = null;
  private readonly mainOnlyCache = new Map<string, boolean>();
  /** interestingNames' answer while no module is added. */
  private namesCache: { called: Set<string>; named: Set<string> } | null = null;
  /** Whether namesCache was found without a miss (so it outlives the indexing of a module that is not a target). */
  private namesStable = false;

  /** Loads a module of the project that is not indexed yet (demand-driven analysis), or says there is none. */
  private readonly load: ((module: string) => ModuleFacts | null) | null;
  /** Whether the project has a module of that name that is not indexed yet (so an answer may change). */
  private readonly loadable: (module: string) => boolean;
  private readonly triedLoading = new Set<string>();
  /** Target modules whose rule questions have been asked once while loading (see loadWhatRulesAsk). */
  private readonly asked = new Set<string>();

  /** Whether a module not indexed yet names any of a search's names (a cheap look before loading it). */
  private readonly mentions: ((module: string, search: NameSearch) => boolean) | null;
  /** While set, questions asked while loading load only the modules it admits (see loadWhatRulesAsk). */
  private loadGate: ((module: string, lookup: readonly string[]) => boolean) | null = null;
  /**
   * The attribute names still to be looked up after the value being evaluated
   * (`core`, `submit` while `pkg.m3` is: see the load gate).
   */
  private chainTail: readonly string[] = [];
  /** The values rules ask about in a target module (see ProjectLoader.questions). */
  private readonly questions: (facts: ModuleFacts) => Iterable<Value>;
  /** Loads several modules at once (in parallel), each answer as `load` would give it. */
  private readonly loadMany: ((modules: string[]) => (ModuleFacts | null)[]) | null;
  /** While set, modules that a question wanted but could not load are noted here (see raises). */
  private wanted: Set<string> | null = null;

  constructor(all: readonly ModuleFacts[], loader: ProjectLoader = {}) {
    const { load, loadable, mentions, loadMany, questions } = loader;
    this.questions = questions ?? (() => []);
    this.load = load ?? null;
    this.loadable = loadable ?? (() => load !== undefined);
    this.mentions = mentions ?? null;
    this.loadMany = loadMany ?? null;
    for (const facts of all) this.add(facts);
  }

  /** Indexes a module's facts. Two files with one module name (scripts in different folders): the first one wins. */
  add(facts: ModuleFacts, target = true): void {
    const existing = this.modules.get(facts.module);
    if (existing) {
      if (target && !existing.target && existing.facts.path === facts.path) {
        existing.target = true;
        // Resolution does not depend on which modules are targets: only the derived answers change.
        this.resetDerived();
      }
      return;
    }
    const entry: ModuleEntry = { facts, target, functions: new Map(), classes: new Map() };
    for (const fn of facts.functions) {
      entry.functions.set(rel(facts.module, fn.q), fn);
      this.functions.set(fn.q, { fn, path: facts.path });
    }
    for (const cls of facts.classes) {
      entry.classes.set(rel(facts.module, cls.q), cls);
      this.classes.set(cls.q, { cls, module: entry });
    }
    this.modules.set(facts.module, entry);
    // Answers that asked for this module are dropped. A module that is not a target only answers
    // resolution (it cannot hold a future, a finding or a coroutine use): the rest stays valid.
    // A new target changes the questions, so they start over.
    this.memoIndexed.clear();
    this.memoWanted.clear();
    if (!this.namesStable) this.namesCache = null;
    if (target) this.resetDerived();
  }

  /** What was computed over the modules known so far is recomputed on the next question. */
  private resetDerived(): void {
    this.namesCache = null;
    this.raisesCache = null;
    this.submissionsCache = null;
    this.usesByCallee = null;
    this.mainOnlyCache.clear();
  }

  /** Whether rules look at the module this file was indexed as. */
  isTarget(facts: ModuleFacts): boolean {
    const entry = this.modules.get(facts.module);
    return !!entry && entry.target && entry.facts.path === facts.path;
  }

  /** Facts of the modules rules look at. */
  private targets(): ModuleEntry[] {
    return [...this.modules.values()].filter((entry) => entry.target);
  }

  get moduleCount(): number {
    return this.modules.size;
  }

  /** Every indexed module's facts. */
  get allFacts(): ModuleFacts[] {
    return [...this.modules.values()].map((entry) => entry.facts);
  }

  /**
   * Loading is allowed only while walking the call graph for SystemExit chains
   * (a helper may sit in a module that mentions nothing of interest); value
   * questions never need it.
   */
  private loading = false;

  /** A module by name, loaded if allowed; `lookup`: the names to be looked up in it, then after it (for the load gate). */
  private module(name: string, lookup: readonly string[] = []): ModuleEntry | undefined {
    const known = this.modules.get(name);
    if (known || this.triedLoading.has(name)) return known;
    if (!this.loading || !this.load || (this.loadGate && !this.loadGate(name, lookup))) {
      if (this.loadable(name)) {
        this.misses++;
        this.wanted?.add(name);
      }
      return known;
    }
    this.triedLoading.add(name);
    const facts = this.load(name);
    if (!facts) return undefined;
    this.add(facts, false);
    return this.modules.get(name);
  }

  // ---- demand-driven analysis -------------------------------------------------------------

  /**
   * Loads what the rules' answers depend on before any rule runs: the modules
   * along call chains from coroutines (the only questions that load; value
   * questions never need a module that is not a target).
   */
  settle(): void {
    this.loadWhatRulesAsk();
    this.raises();
  }

  /**
   * Rules ask about values in target modules' facts (Rule.asks: the waits,
   * discards and coroutine call sites they look at), and they never load a
   * module to answer. So these values are evaluated once
   * here, while loading is allowed, and the modules they resolve through are
   * loaded first: a package re-exporting a wrapper from a submodule (`from
   * .bridge import submit`, `from .bridge import *`) mentions neither asyncio
   * nor a call of it, yet the answer depends on it. Only modules that name an
   * interesting name (or star-import) can matter, so only those are loaded;
   * answers that passed over another one stay open to change (memoIndexed).
   */
  private loadWhatRulesAsk(): void {
    // With nothing to load (every module indexed), there is nothing to do before the rules ask.
    if (!this.load) return;
    const pending = this.targets().filter((entry) => !this.asked.has(entry.facts.module));
    if (pending.length === 0) return;
    // (The names are found first: finding them walks calls, loading modules in batches.)
    const { called, named } = this.interestingNames();
    const search = wordsPattern([], [...called, ...named], { starImports: true })!;
    const interesting = new Set([...called, ...named]);
    /** Each search's answer per module, asked once (it reads the file). */
    const answers = new Map<NameSearch, Map<string, boolean>>();
    const mentions = (module: string, by: NameSearch): boolean => {
      let known = answers.get(by);
      if (!known) answers.set(by, (known = new Map()));
      let answer = known.get(module);
      if (answer === undefined) known.set(module, (answer = this.mentions!(module, by)));
      return answer;
    };
    const byName = new Map<string, NameSearch | null>();
    const gate = (module: string, lookup: readonly string[]): boolean => {
      if (!this.mentions) return true;
      if (mentions(module, search)) return true;
      // A module naming none of them can still be a step towards one: `pkg.m3.core.submit` goes through
      // `m3`, which only binds `core` (`from . import core`). It must name that first name, and a later one must matter.
      if (lookup.length < 2 || !lookup.slice(1).some((name) => interesting.has(name))) return false;
      const first = lookup[0]!;
      if (!byName.has(first)) byName.set(first, wordsPattern([], [first]));
      const firstSearch = byName.get(first)!;
      return firstSearch !== null && mentions(module, firstSearch);
    };
    this.loading = true;
    this.loadGate = gate;
    try {
      for (const { facts } of pending) {
        this.asked.add(facts.module);
        for (const value of this.questions(facts)) this.evaluate(value);
      }
    } finally {
      this.loading = false;
      this.loadGate = null;
    }
  }

  private carriesFutures(value: Value): boolean {
    if (value.length === 0) return false;
    const concrete = this.evaluate(value);
    return concrete.includes('fut') || concrete.includes('seq') || concrete.includes('map');
  }

  /**
   * A function defined inside another function: no other module can call it by
   * its name, so its name is no reason to look at other files (test suites are
   * full of local coroutines called `f`).
   */
  private isLocalFunction(q: string): boolean {
    return this.functions.has(q.slice(0, q.lastIndexOf('.')));
  }

  /**
   * Names through which a hazard can reach a file that is not analysed yet:
   * wrappers returning or submitting threadsafe futures (and their classes),
   * attributes and module variables holding such futures, coroutines that may
   * let SystemExit escape together with the coroutines that call them (their
   * call sites decide severity and the main-thread exemption), and import
   * aliases of all of these. A file that mentions none of them cannot change
   * any finding.
   */
  interestingNames(): { called: Set<string>; named: Set<string> } {
    if (!this.namesCache) {
      const missesBefore = this.misses;
      this.namesCache = this.findInterestingNames();
      // Found without asking for a module not indexed yet: indexing one cannot change them (see add).
      this.namesStable = this.misses === missesBefore;
    }
    return this.namesCache;
  }

  private findInterestingNames(): { called: Set<string>; named: Set<string> } {
    // The call walk loads the modules along call chains first, so the values below are evaluated over them.
    this.raises();
    /** Functions, coroutines and classes: what matters is where they are called (`name(`). */
    const names = new Set<string>();
    /** Attributes and variables holding futures: any mention. */
    const held = new Set<string>();
    const coroutines = new Set<string>();
    const targets = this.targets();
    for (const { facts } of targets) {
      for (const fn of facts.functions) {
        if (fn.isAsync) {
          if (this.baseExitEscapes(fn).length > 0) coroutines.add(fn.q);
          continue;
        }
        if ((fn.submitsParams.length > 0 || this.carriesFutures(fn.returns)) && !this.isLocalFunction(fn.q)) {
          names.add(fn.name);
          const owner = fn.q.slice(0, fn.q.lastIndexOf('.'));
          const cls = this.classes.get(owner)?.cls;
          if (cls) names.add(cls.name);
        }
      }
      for (const cls of facts.classes) {
        for (const [attr, value] of Object.entries(cls.attrs)) if (this.carriesFutures(value)) held.add(attr);
      }
      for (const [name, value] of Object.entries(facts.variables)) {
        if (!name.includes('.') && this.carriesFutures(value)) held.add(name);
      }
    }
    // Callers of the coroutines that may be reported, transitively: their call sites matter too.
    const queue = [...coroutines];
    for (let i = 0; i < queue.length; i++) {
      for (const use of this.uses().get(queue[i]!) ?? []) {
        const caller = use.inFunction ? this.functions.get(use.inFunction)?.fn : undefined;
        if (caller?.isAsync && !coroutines.has(caller.q)) {
          coroutines.add(caller.q);
          queue.push(caller.q);
        }
      }
    }
    for (const q of coroutines) if (!this.isLocalFunction(q)) names.add(q.slice(q.lastIndexOf('.') + 1));
    for (const entry of targets) {
      for (const [alias, target] of Object.entries(entry.facts.imports)) {
        const last = target.slice(target.lastIndexOf('.') + 1);
        if (alias.includes('.')) continue;
        if (names.has(last)) names.add(alias);
        if (held.has(last)) held.add(alias);
      }
    }
    return { called: names, named: held };
  }

  // ---- values ------------------------------------------------------------------------

  isFuture(value: Value): boolean {
    return value.length > 0 && this.evaluate(value).includes('fut');
  }

  /** Whether iterating the value yields run_coroutine_threadsafe futures (the `fs` of wait / as_completed). */
  holdsFutures(value: Value): boolean {
    return value.length > 0 && this.evaluate(value).includes('seq');
  }

  evaluate(value: Value): Concrete[] {
    const out = new Set<Concrete>();
    for (const term of value) for (const c of this.evalTerm(term)) out.add(c);
    return [...out];
  }

  private evalTerm(term: Term): Concrete[] {
    switch (term.k) {
      case 'fut':
      case 'seq':
      case 'map':
        return [term.k];
      case 'self':
        return [`inst:${term.c}`];
      case 'sym':
        return this.memoized(`s:${term.q}`, () => this.resolve(term.q, new Set()));
      default:
        break;
    }
    return this.memoized(keyOf(term), () => {
      switch (term.k) {
        case 'call':
          return this.evaluate(term.f).flatMap((c) => this.callConcrete(c));
        case 'attr':
          return this.withTail([term.n], () => this.evaluate(term.o)).flatMap((c) => this.attrConcrete(c, term.n, new Set()));
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
        default:
          return [];
      }
    });
  }

  /** Runs `compute` with `names` to be looked up after what it evaluates (only the load gate reads them). */
  private withTail<T>(names: readonly string[], compute: () => T): T {
    if (!this.loadGate || names.length === 0) return compute();
    const outer = this.chainTail;
    this.chainTail = [...names, ...outer];
    try {
      return compute();
    } finally {
      this.chainTail = outer;
    }
  }

  /** Memoises per term; a term met again while being evaluated (recursion) contributes nothing on that path. */
  private memoized(key: string, compute: () => Concrete[]): Concrete[] {
    const stable = this.memoStable.get(key);
    if (stable) return stable;
    if (!this.loading) {
      const indexed = this.memoIndexed.get(key);
      // A walk noting wanted modules needs each answer's missing modules: an answer that did not note them is redone.
      const noted = this.wanted ? this.memoWanted.get(key) : undefined;
      if (indexed && (!this.wanted || noted)) {
        this.misses++;
        if (noted) for (const name of noted) this.wanted!.add(name);
        return indexed;
      }
    }
    // Answers found while loading is allowed may differ (a module appears), so each mode keeps its own.
    const progress = this.loading ? `L${key}` : `N${key}`;
    if (this.inProgress.has(progress)) return [];
    this.inProgress.add(progress);
    const missesBefore = this.misses;
    const outerWanted = this.wanted;
    const wanted = outerWanted ? new Set<string>() : null;
    this.wanted = wanted;
    try {
      const result = compute();
      // While loading, only a module the load gate turned away is missed.
      if (this.misses === missesBefore) {
        this.memoStable.set(key, result);
      } else {
        this.memoIndexed.set(key, result);
        if (wanted) this.memoWanted.set(key, [...wanted]);
        else this.memoWanted.delete(key);
      }
      return result;
    } finally {
      this.inProgress.delete(progress);
      this.wanted = outerWanted;
      if (outerWanted && wanted) for (const name of wanted) outerWanted.add(name);
    }
  }

  private callConcrete(c: Concrete): Concrete[] {
    if (c.startsWith('func:') || c.startsWith('bound:')) {
      const fn = this.functions.get(c.slice(c.indexOf(':') + 1))?.fn;
      // Calling an `async def` makes a coroutine object, never a future.
      return fn && !fn.isAsync ? this.evaluate(fn.returns) : [];
    }
    if (c.startsWith('class:')) return [`inst:${c.slice(6)}`];
    return [];
  }

  /** Resolves a qualified name to what it is bound to in the project (memoised; cycles end in nothing). */
  resolve(q: string, seen: Set<string>): Concrete[] {
    if (seen.size > MAX_RESOLVE_STEPS) return [];
    return this.memoized(`r:${q}`, () => this.resolveUncached(q, seen));
  }

  private resolveUncached(q: string, seen: Set<string>): Concrete[] {
    if (seen.has(q)) return [];
    seen.add(q);
    if (q.startsWith('builtins.')) {
      // Builtin exception classes matter (SystemExit, KeyboardInterrupt, BaseException); nothing else does.
      const name = q.slice(9);
      return /^[A-Z]/.test(name) && !name.includes('.') ? [`class:${q}`] : [];
    }
    const parts = q.split('.');
    for (let i = parts.length; i >= 1; i--) {
      const rest = parts.slice(i);
      const entry = this.module(parts.slice(0, i).join('.'), this.loadGate ? [...rest, ...this.chainTail] : []);
      if (!entry) continue;
      if (rest.length === 0) return [`module:${entry.facts.module}`];
      // The longest module wins, as in Python (importing `pkg.mod` makes it `pkg`'s attribute `mod`):
      // looking for `mod.rest` in `pkg` too would only reach the same module again, by every way `pkg` can.
      return this.resolveIn(entry, rest, seen);
    }
    return [];
  }

  private resolveIn(entry: ModuleEntry, rest: string[], seen: Set<string>): Concrete[] {
    const { facts } = entry;
    for (let j = rest.length; j >= 1; j--) {
      const name = rest.slice(0, j).join('.');
      const remaining = rest.slice(j);
      const base: Concrete[] = [];
      const fn = entry.functions.get(name);
      if (fn) base.push(`func:${fn.q}`);
      const cls = entry.classes.get(name);
      if (cls) base.push(`class:${cls.q}`);
      const target = own(facts.imports, name);
      if (target !== undefined) base.push(...this.withTail(remaining, () => this.resolve(target, seen)));
      const variable = own(facts.variables, name);
      if (variable) base.push(...this.withTail(remaining, () => this.evaluate(variable)));
      if (base.length === 0) continue;
      let current = [...new Set(base)];
      for (let k = 0; k < remaining.length; k++) {
        current = this.withTail(remaining.slice(k + 1), () => current.flatMap((c) => this.attrConcrete(c, remaining[k]!, seen)));
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
    return [];
  }

  /** A member of a class or of its instances, looked up along the bases. */
  private memberOf(classQ: string, name: string, onInstance: boolean, visited: Set<string>): Concrete[] {
    if (visited.has(classQ) || visited.size > MAX_RESOLVE_STEPS) return [];
    visited.add(classQ);
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
        if (b.startsWith('class:')) out.push(...this.memberOf(b.slice(6), name, onInstance, visited));
      }
    }
    return [...new Set(out)];
  }

  functionsCalled(callee: Value): FunctionFacts[] {
    const out: FunctionFacts[] = [];
    for (const c of this.evaluate(callee)) {
      if (!c.startsWith('func:') && !c.startsWith('bound:')) continue;
      const fn = this.functions.get(c.slice(c.indexOf(':') + 1));
      if (fn) out.push(fn.fn);
    }
    return out;
  }

  // ---- SystemExit / KeyboardInterrupt ----------------------------------------------------

  /** The base classes of a class, transitively, itself included (builtins end the walk). */
  private ancestors(classQ: string, visited = new Set<string>()): Set<string> {
    if (visited.has(classQ) || visited.size > MAX_RESOLVE_STEPS) return visited;
    visited.add(classQ);
    if (classQ === 'builtins.SystemExit' || classQ === 'builtins.KeyboardInterrupt') {
      visited.add('builtins.BaseException');
      return visited;
    }
    const known = this.classes.get(classQ);
    if (!known) return visited;
    for (const base of known.cls.bases) {
      for (const b of this.evaluate(base)) if (b.startsWith('class:')) this.ancestors(b.slice(6), visited);
    }
    return visited;
  }

  /** Whether instances of the class are SystemExit or KeyboardInterrupt. */
  private isBaseExit(classQ: string): boolean {
    const all = this.ancestors(classQ);
    return all.has('builtins.SystemExit') || all.has('builtins.KeyboardInterrupt');
  }

  private isCaught(classQ: string, caught: readonly string[]): boolean {
    if (caught.length === 0) return false;
    const all = this.ancestors(classQ);
    for (const name of caught) {
      if (all.has(name)) return true;
      for (const c of this.resolve(name, new Set())) if (c.startsWith('class:') && all.has(c.slice(6))) return true;
    }
    return false;
  }

  /** Classes a raise/exit escape raises that are SystemExit or KeyboardInterrupt. */
  private raisedBy(escape: EscapeFact): string[] {
    if (escape.via === 'exit') return escape.raises ? [escape.raises] : [];
    if (escape.via !== 'raise') return [];
    const out = new Set<string>();
    for (const c of this.evaluate(escape.value)) {
      if (c.startsWith('class:') || c.startsWith('inst:')) {
        const q = c.slice(c.indexOf(':') + 1);
        if (this.isBaseExit(q)) out.add(q);
      }
    }
    return [...out];
  }

  /** Follows calls from the functions on the stack, depth first; `out` collects what raises() needs. */
  private walkCalls(
    stack: { fn: FunctionFacts; path: string }[],
    visited: Set<string>,
    out: {
      reachable: Map<string, { fn: FunctionFacts; path: string }>;
      callers: Map<string, { caller: FunctionFacts; path: string; escape: EscapeFact }[]>;
    } | null,
  ): void {
    while (stack.length > 0) {
      const { fn, path } = stack.pop()!;
      if (visited.has(fn.q)) continue;
      visited.add(fn.q);
      out?.reachable.set(fn.q, { fn, path });
      for (const escape of fn.escapes) {
        if (escape.via !== 'call') continue;
        for (const callee of this.functionsCalled(escape.value)) {
          if (callee.isAsync) continue;
          if (out) {
            const list = out.callers.get(callee.q) ?? [];
            list.push({ caller: fn, path, escape });
            out.callers.set(callee.q, list);
          }
          const known = this.functions.get(callee.q);
          if (known && !visited.has(callee.q)) stack.push(known);
        }
      }
    }
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
    const reachable = new Map<string, { fn: FunctionFacts; path: string }>();
    const callers = new Map<string, { caller: FunctionFacts; path: string; escape: EscapeFact }[]>();
    const stack: { fn: FunctionFacts; path: string }[] = [];
    for (const entry of this.targets()) {
      for (const fn of entry.facts.functions) if (fn.isAsync) stack.push({ fn, path: entry.facts.path });
    }
    const visited = new Set<string>();
    // With a way to load many modules at once (worker threads), walk without loading first, load
    // together every module the walk asked for, and walk again until it asks for none; the walk
    // below then loads nothing (or the odd module one at a time).
    if (this.loadMany) {
      for (let round = 0; round < MAX_LOAD_ROUNDS; round++) {
        const wanted = new Set<string>();
        const wasLoading = this.loading;
        this.wanted = wanted;
        this.loading = false;
        try {
          this.walkCalls([...stack], new Set(), null);
        } finally {
          this.wanted = null;
          this.loading = wasLoading;
        }
        const names = [...wanted].filter((name) => !this.modules.has(name) && !this.triedLoading.has(name));
        if (names.length === 0) break;
        for (const name of names) this.triedLoading.add(name);
        for (const facts of this.loadMany(names)) if (facts) this.add(facts, false);
      }
    }
    const wasLoading = this.loading;
    this.loading = true;
    try {
      this.walkCalls(stack, visited, { reachable, callers });
    } finally {
      this.loading = wasLoading;
    }
    const raises = new Map<string, Map<string, Witness>>();
    const queue: string[] = [];
    for (const { fn, path } of reachable.values()) {
      for (const escape of fn.escapes) {
        if (escape.via === 'call') continue;
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
      const calleeFacts = this.functions.get(callee)?.fn;
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
    this.raisesCache = raises;
    return raises;
  }

  private shortName(classQ: string): string {
    return classQ.slice(classQ.lastIndexOf('.') + 1);
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

  /** Points through which SystemExit / KeyboardInterrupt escape this function, each with its chain. */
  baseExitEscapes(fn: FunctionFacts): BaseExitEscape[] {
    const path = this.functions.get(fn.q)?.path ?? '';
    const out: BaseExitEscape[] = [];
    for (const escape of fn.escapes) {
      const first: ChainStep = { path, loc: escape.loc, text: escape.text };
      if (escape.via !== 'call') {
        const cls = this.raisedBy(escape).find((c) => !this.isCaught(c, escape.caught));
        if (cls) out.push({ exception: this.shortName(cls), chain: [first] });
        continue;
      }
      let found: BaseExitEscape | null = null;
      for (const callee of this.functionsCalled(escape.value)) {
        if (callee.isAsync) continue;
        for (const cls of this.raises().get(callee.q)?.keys() ?? []) {
          if (this.isCaught(cls, escape.caught)) continue;
          found = { exception: this.shortName(cls), chain: [first, ...this.chainBelow(callee.q, cls)] };
          break;
        }
        if (found) break;
      }
      if (found) out.push(found);
    }
    return out;
  }

  // ---- how coroutines are run ------------------------------------------------------------

  private uses(): Map<string, CoroutineUse[]> {
    if (this.usesByCallee) return this.usesByCallee;
    const map = new Map<string, CoroutineUse[]>();
    // A call can reach a coroutine function only under one of their names: check that before resolving anything.
    const coroutineNames = new Set<string>();
    for (const { fn } of this.functions.values()) if (fn.isAsync) coroutineNames.add(fn.name);
    for (const entry of this.targets()) {
      for (const use of entry.facts.coroutineUses) {
        if (!use.callee.some((t) => coroutineNames.has(lastName(t)))) continue;
        for (const fn of this.functionsCalled(use.callee)) {
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
    if (use.how !== 'wrapper-arg' || !use.wrapper) return false;
    for (const c of this.evaluate(use.wrapper)) {
      if (!c.startsWith('func:') && !c.startsWith('bound:')) continue;
      const wrapper = this.functions.get(c.slice(c.indexOf(':') + 1))?.fn;
      if (!wrapper || wrapper.submitsParams.length === 0) continue;
      let index = use.argName !== undefined ? wrapper.params.indexOf(use.argName) : (use.argIndex ?? -1);
      // A bound method's first parameter is the instance.
      if (use.argName === undefined && c.startsWith('bound:')) index += 1;
      if (wrapper.submitsParams.includes(index)) return true;
    }
    return false;
  }

  /**
   * Coroutines that run on a loop in another thread: submitted directly or via a
   * wrapper, and, transitively, the coroutines those await or call.
   */
  submissionOf(fnQ: string): Submission | null {
    if (!this.submissionsCache) {
      const submitted = new Map<string, Submission>();
      const queue: string[] = [];
      const byFunction = new Map<string, CoroutineUse[]>();
      for (const entry of this.targets()) {
        for (const use of entry.facts.coroutineUses) {
          if (use.inFunction) {
            const list = byFunction.get(use.inFunction) ?? [];
            list.push(use);
            byFunction.set(use.inFunction, list);
          }
          if (!this.submits(use)) continue;
          for (const fn of this.functionsCalled(use.callee)) {
            if (!fn.isAsync || submitted.has(fn.q)) continue;
            submitted.set(fn.q, { path: entry.facts.path, loc: use.loc });
            queue.push(fn.q);
          }
        }
      }
      for (let i = 0; i < queue.length; i++) {
        const site = submitted.get(queue[i]!)!;
        for (const use of byFunction.get(queue[i]!) ?? []) {
          if (use.how === 'main-run') continue;
          for (const fn of this.functionsCalled(use.callee)) {
            if (!fn.isAsync || submitted.has(fn.q)) continue;
            submitted.set(fn.q, site);
            queue.push(fn.q);
          }
        }
      }
      this.submissionsCache = submitted;
    }
    return this.submissionsCache.get(fnQ) ?? null;
  }

  /**
   * True when every call site of the coroutine in the project is asyncio.run,
   * loop.run_until_complete or Runner.run, or inside coroutines that are
   * themselves only run that way: the exception then reaches the main thread's
   * caller as intended.
   */
  onlyRunFromMain(fnQ: string, visiting = new Set<string>()): boolean {
    const cached = this.mainOnlyCache.get(fnQ);
    if (cached !== undefined) return cached;
    if (visiting.has(fnQ)) return true;
    visiting.add(fnQ);
    const uses = this.uses().get(fnQ) ?? [];
    let result = uses.length > 0;
    for (const use of uses) {
      if (use.how === 'main-run') continue;
      if (use.how === 'submitted' || this.submits(use)) {
        result = false;
        break;
      }
      const caller = use.inFunction ? this.functions.get(use.inFunction)?.fn : undefined;
      if (caller?.isAsync && this.onlyRunFromMain(caller.q, visiting)) continue;
      result = false;
      break;
    }
    visiting.delete(fnQ);
    if (visiting.size === 0) this.mainOnlyCache.set(fnQ, result);
    return result;
  }
}
