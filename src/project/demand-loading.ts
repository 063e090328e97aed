/**
 * Demand loading: which modules of the project the index loads, and when.
 *
 * lint() first analyses only the files the pre-filter lets through; the others
 * are loaded here when an answer depends on them: along call chains from
 * coroutines (exception flow) and through the re-exports and star imports that
 * rules' values resolve through (the load gate). It also finds the interesting
 * names: lint() loads the files that mention them, as they may hold findings.
 */
import type { ModuleFacts } from '../python/facts.js';
import type { Value } from '../python/values.js';
import type { CoroutineRuns } from './coroutine-runs.js';
import type { CallChainLoader, ExceptionFlow } from './exception-flow.js';
import { wordsPattern, type NameSearch } from './prefilter.js';
import type { ResolvedProject } from './resolved-project.js';

/** Rounds of loading modules together before the call walk; each round reaches one call further. */
const MAX_LOAD_ROUNDS = 32;

/** How the index reaches modules it has not been given (all optional: without them it knows only what it holds). */
export interface ProjectLoader {
  /**
   * The values the rules will ask about in a target module's facts (see
   * Rule.asks): evaluated while loading is allowed, before any rule runs.
   */
  questions?: (facts: ModuleFacts) => Iterable<Value>;
  /**
   * Names through which the rules' hazards can reach a module not analysed
   * yet (see Rule.reachedThrough), asked once the call chains are loaded:
   * `called` ones matter where they are called, `named` ones at any mention.
   */
  names?: () => Iterable<{ called: Iterable<string>; named: Iterable<string> }>;
  /** Loads a module of the project that is not indexed yet (demand-driven analysis), or says there is none. */
  load?: (module: string) => ModuleFacts | null;
  /** Whether the project has a module of that name that is not indexed yet (so an answer may change). */
  loadable?: (module: string) => boolean;
  /** Whether a module not indexed yet names any of a search's names (a cheap look before loading it). */
  mentions?: (module: string, search: NameSearch) => boolean;
  /** Loads several modules at once (in parallel), each answer as `load` would give it. */
  loadMany?: (modules: string[]) => (ModuleFacts | null)[];
}

export interface InterestingNames {
  /** Functions, coroutines and classes: what matters is where they are called (`name(`). */
  called: Set<string>;
  /** Attributes and variables holding futures: any mention. */
  named: Set<string>;
}

/** What demand loading asks of the index besides resolution: to index a loaded module, and whether one is. */
export interface LoadingIndex extends ResolvedProject {
  add(facts: ModuleFacts, target: boolean): void;
  hasModule(name: string): boolean;
}

export class DemandLoading implements CallChainLoader {
  /** Loads a module of the project that is not indexed yet (demand-driven analysis), or says there is none. */
  private load!: ((module: string) => ModuleFacts | null) | null;
  /** Whether the project has a module of that name that is not indexed yet (so an answer may change). */
  private loadable!: (module: string) => boolean;
  /** Whether a module not indexed yet names any of a search's names (a cheap look before loading it). */
  private mentions!: ((module: string, search: NameSearch) => boolean) | null;
  /** Loads several modules at once (in parallel), each answer as `load` would give it. */
  private loadMany!: ((modules: string[]) => (ModuleFacts | null)[]) | null;
  /** The values rules ask about in a target module (see ProjectLoader.questions). */
  private questions!: (facts: ModuleFacts) => Iterable<Value>;
  /** The names rules' hazards can reach other modules through (see ProjectLoader.names). */
  private names!: () => Iterable<{ called: Iterable<string>; named: Iterable<string> }>;
  private readonly triedLoading = new Set<string>();
  /** Target modules whose rule questions have been asked once while loading (see loadWhatRulesAsk). */
  private readonly asked = new Set<string>();
  /** interestingNames' answer while no module is added. */
  private namesCache: InterestingNames | null = null;
  /** Whether namesCache was found without a miss (so it outlives the indexing of a module that is not a target). */
  private namesStable = false;

  // The loading state below is read (and `misses`, `wanted` written) by the index's memo, whose
  // answers are valid only as far as the modules they passed over (see ProjectIndex.memoAnswer).

  /**
   * Loading is allowed only while walking the call graph for SystemExit chains
   * (a helper may sit in a module that mentions nothing of interest); value
   * questions never need it.
   */
  loading = false;
  /** Count of questions for a module of the project that is not indexed (in value questions, which never load). */
  misses = 0;
  /** While set, modules that a question wanted but could not load are noted here (see loadAlongCalls). */
  wanted: Set<string> | null = null;
  /** While set, questions asked while loading load only the modules it admits (see loadWhatRulesAsk). */
  private loadGate: ((module: string, lookup: readonly string[]) => boolean) | null = null;
  /**
   * The attribute names still to be looked up after the value being evaluated
   * (`core`, `submit` while `pkg.m3` is: see the load gate).
   */
  private chainTail: readonly string[] = [];
  /** The names the load gate reads in a lookup's tail (the interesting names), while it decides. */
  private gateNames: ReadonlySet<string> | null = null;
  /** Whether chainTail holds one of gateNames. */
  private tailMatters = false;
  /** Counts the load gates set, so that answers found under one are not taken for another's. */
  gateRound = 0;

  constructor(
    private readonly project: LoadingIndex,
    private readonly flow: ExceptionFlow,
    private readonly runs: CoroutineRuns,
    loader: ProjectLoader,
  ) {
    this.useLoader(loader);
  }

  /** How modules are loaded from now on (see ProjectIndex.useLoader). */
  useLoader(loader: ProjectLoader): void {
    const { load, loadable, mentions, loadMany, questions, names } = loader;
    this.questions = questions ?? (() => []);
    this.names = names ?? (() => []);
    this.load = load ?? null;
    this.loadable = loadable ?? (() => load !== undefined);
    this.mentions = mentions ?? null;
    this.loadMany = loadMany ?? null;
  }

  /** A module not indexed yet is added: interesting names found over a miss may change. */
  moduleAdded(): void {
    if (!this.namesStable) this.namesCache = null;
  }

  /**
   * A target module's facts were replaced (see ProjectIndex.replace): the
   * rules' questions are asked again, every target's, as a new index would ask
   * them: under the load gate of the names found now, which the new facts may
   * change (most answers are in the memo, and found at once).
   */
  replaced(): void {
    this.asked.clear();
  }

  /** What was computed over the modules known so far is recomputed on the next question. */
  reset(): void {
    this.namesCache = null;
  }

  /** Whether loading the module has been tried (it is indexed, or there is none to load). */
  tried(name: string): boolean {
    return this.triedLoading.has(name);
  }

  /**
   * The facts of a module that is not indexed and not tried yet, loaded if
   * loading is allowed and the load gate admits it; `lookup`: the names to be
   * looked up in it, then after it (for the load gate).
   */
  loadModule(name: string, lookup: readonly string[]): ModuleFacts | null {
    if (!this.loading || !this.load || (this.loadGate && !this.loadGate(name, lookup))) {
      if (this.loadable(name)) {
        this.misses++;
        this.wanted?.add(name);
      }
      return null;
    }
    this.triedLoading.add(name);
    return this.load(name);
  }

  /** The names a module's lookup goes on with: `rest` in it, then the chain's tail (only the load gate reads them). */
  lookupAfter(rest: readonly string[]): readonly string[] {
    return this.loadGate ? [...rest, ...this.chainTail] : [];
  }

  /** Runs `compute` with `names` to be looked up after what it evaluates (only the load gate reads them). */
  withTail<T>(names: readonly string[], compute: () => T): T {
    if (!this.loadGate || names.length === 0) return compute();
    const outer = this.chainTail;
    const outerMatters = this.tailMatters;
    this.chainTail = [...names, ...outer];
    this.tailMatters = outerMatters || names.some((name) => this.gateNames!.has(name));
    try {
      return compute();
    } finally {
      this.chainTail = outer;
      this.tailMatters = outerMatters;
    }
  }

  /**
   * Whether the load gate is set and decides now as it would with no names
   * after the value being evaluated: the gate reads the names after a module's
   * first one only for an interesting name among them, and the tail holds none.
   * An answer found then is the same wherever it is asked under this gate.
   */
  gateIsNeutral(): boolean {
    return this.loadGate !== null && !this.tailMatters;
  }

  /** Runs `walk` with loading allowed, after loading together, round by round, what `probe` asks for. */
  loadAlongCalls(probe: () => void, walk: () => void): void {
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
          probe();
        } finally {
          this.wanted = null;
          this.loading = wasLoading;
        }
        const names = [...wanted].filter((name) => !this.project.hasModule(name) && !this.triedLoading.has(name));
        if (names.length === 0) break;
        for (const name of names) this.triedLoading.add(name);
        for (const facts of this.loadMany(names)) if (facts) this.project.add(facts, false);
      }
    }
    const wasLoading = this.loading;
    this.loading = true;
    try {
      walk();
    } finally {
      this.loading = wasLoading;
    }
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
   * answers that passed over another one stay open to change (ProjectIndex.memoIndexed).
   */
  loadWhatRulesAsk(): void {
    // With nothing to load (every module indexed), there is nothing to do before the rules ask.
    if (!this.load) return;
    const pending = this.project.targetModules().filter((facts) => !this.asked.has(facts.module));
    if (pending.length === 0) return;
    // (The names are found first: finding them walks calls, loading modules in batches.)
    const { called, named } = this.interestingNames();
    const gate = this.gateFor([...called, ...named]);
    this.loading = true;
    this.loadGate = gate;
    this.gateNames = new Set([...called, ...named]);
    this.gateRound++;
    try {
      for (const facts of pending) {
        this.asked.add(facts.module);
        for (const value of this.questions(facts)) this.project.evaluate(value);
      }
    } finally {
      this.loading = false;
      this.loadGate = null;
      this.gateNames = null;
    }
  }

  /** The load gate while rules' values are evaluated: it admits modules that name an interesting name, or lead to one. */
  private gateFor(words: string[]): (module: string, lookup: readonly string[]) => boolean {
    const search = wordsPattern([], words, { starImports: true })!;
    const interesting = new Set(words);
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
    return (module: string, lookup: readonly string[]): boolean => {
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
  }

  /**
   * Names through which a hazard can reach a file that is not analysed yet:
   * what the rules name (Rule.reachedThrough: wrappers returning or submitting
   * threadsafe futures, attributes holding them, coroutines that may let
   * SystemExit escape and their callers), and the names target modules import
   * them under. A file that mentions none of them cannot change any finding.
   */
  interestingNames(): InterestingNames {
    if (!this.namesCache) {
      const missesBefore = this.misses;
      this.namesCache = this.findInterestingNames();
      // Found without asking for a module not indexed yet: indexing one cannot change them (see ProjectIndex.add).
      this.namesStable = this.misses === missesBefore;
    }
    return this.namesCache;
  }

  private findInterestingNames(): InterestingNames {
    // The call walk loads the modules along call chains first, so the values the rules evaluate are over them.
    this.flow.settle();
    /** Functions, coroutines and classes: what matters is where they are called (`name(`). */
    const names = new Set<string>();
    /** Attributes and variables holding what a rule tracks: any mention. */
    const held = new Set<string>();
    for (const { called, named } of this.names()) {
      for (const name of called) names.add(name);
      for (const name of named) held.add(name);
    }
    // And every name a target module imports them under.
    for (const facts of this.project.targetModules()) {
      for (const [alias, target] of Object.entries(facts.imports)) {
        const last = target.slice(target.lastIndexOf('.') + 1);
        if (alias.includes('.')) continue;
        if (names.has(last)) names.add(alias);
        if (held.has(last)) held.add(alias);
      }
    }
    return { called: names, named: held };
  }

}
