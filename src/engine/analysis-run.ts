/**
 * One lint() run's analyses: the first look at every source, then the files
 * the pre-filter skipped, loaded on demand, and the rounds that load the
 * files naming what the analysis found. This is the only place that asks the
 * run's store (analysis-store.ts) and its worker threads (LintThreads) for
 * anything, so every front end takes the same path: the CLI gives an on-disk
 * store and threads, the language server an in-memory store, stdin, `--fix`
 * and tests neither.
 */
import type { ModuleFacts } from '../python/facts.js';
import { wordsPattern, type NameSearch } from '../project/prefilter.js';
import { mayMention } from '../project/word-summary.js';
import type { ProjectIndex, ProjectLoader } from '../project/project-index.js';
import { uniqueModuleNames } from '../project/module-names.js';
import type { AnalysisPhase, AnalysisStore } from './analysis-store.js';
import type { Analysis, SourceFile } from './lint.js';

/**
 * Worker threads for a run (the CLI's pool): many files on disk analysed or
 * searched at once. Each method's answer may leave files out (a worker that
 * failed): those are done in the calling thread.
 */
export interface LintThreads {
  /** Below this many first looks at files on disk, threads cost more than they save: the run uses none. */
  readonly minFiles: number;
  /** First looks, each as analyzeSource(source, settings, prefilter) would give it; `onLooked` is called as each one arrives. */
  firstLooks(sources: readonly SourceFile[], prefilter: boolean, onLooked?: () => void): Map<string, Analysis>;
  /** Full analyses of skipped files (demand loads), each as analyzeSource(source, settings, false) would give it. */
  demandLoads(sources: readonly SourceFile[]): Map<string, Analysis>;
  /** Which of the files name any of the names (`called` ones followed by `(`): fileMentions' answer by path. */
  search(paths: string[], called: string[], named: string[]): Map<string, boolean>;
  /**
   * The run asks nothing more of the threads (its project is settled; the rules
   * load nothing): they may let their memory go now. A later run starts them again.
   */
  release?(): void;
}

/** What the run needs from lint.ts (passed in rather than imported: lint.ts imports this file). */
export interface RunDeps {
  store?: AnalysisStore;
  threads?: LintThreads;
  prefilter: boolean;
  /** analyzeSource under the source's settings and the run's plan. */
  analyze: (source: SourceFile, prefilter: boolean) => Analysis;
  /** Whether a file on disk names any of a search's names (fileMentions). */
  fileMentions: (path: string, search: NameSearch) => boolean;
  /** Told how many sources have had their first look, of how many (LintOptions.onProgress). */
  onProgress?: (looked: number, total: number) => void;
}

/** Rounds of loading files that name what the analysis found; each round can only add files, so few are needed. */
const MAX_NAME_ROUNDS = 32;

/** A skipped file's analysis once its words are let go (see forgetWords). */
const SKIPPED: Analysis = Object.freeze({ kind: 'skipped' });

const onDisk = (source: SourceFile): boolean => source.text === undefined && source.bytes === undefined;

export class AnalysisRun {
  /** Each source's analysis, by path: its first look, replaced by a demand load's when it had one. */
  readonly analyses = new Map<string, Analysis>();
  /** Facts of the first looks that found some: the project index starts from them. */
  readonly initial: ModuleFacts[] = [];
  /** Files the pre-filter skipped, for demand loading. Only paths (and texts or bytes given by the caller) are kept. */
  readonly deferred: SourceFile[] = [];
  private readonly deferredByModule = new Map<string, SourceFile>();
  /** The run's threads: the given ones when its first looks are enough for them (see LintThreads.minFiles). */
  private threads: LintThreads | undefined;
  /**
   * The sources given as text (an editor's documents) whose first look found
   * facts: their module names, by path. A session's index may replace those
   * modules in a later run (see LintSession).
   */
  readonly textModules = new Map<string, string>();
  private readonly matchers = new WeakMap<NameSearch, (path: string) => boolean | null>();

  constructor(private readonly deps: RunDeps) {}

  /** The first look at every source (once per path): the store's, the threads', or made here. */
  lookAt(sources: readonly SourceFile[]): void {
    const { store, prefilter } = this.deps;
    const names = uniqueModuleNames(sources.map((s) => s.path));
    const unique: { source: SourceFile; known: Analysis | undefined }[] = [];
    const toThreads: SourceFile[] = [];
    const seen = new Set<string>();
    for (const given of sources) {
      if (seen.has(given.path)) continue;
      seen.add(given.path);
      // (Object.assign, not a spread with an added key: V8 makes that a slow copy, which thousands of sources feel.)
      const source: SourceFile = Object.assign({}, given);
      source.module = names.get(given.path);
      // Only pre-filtered first looks are kept; one made under another module name (a duplicate appeared or went away) is redone.
      let known = prefilter && source.text === undefined ? store?.firstLook(source) : undefined;
      if (known?.kind === 'facts' && known.facts.module !== source.module!.module) known = undefined;
      if (!known && onDisk(source)) toThreads.push(source);
      unique.push({ source, known });
    }
    const threads = this.deps.threads;
    this.threads = threads && toThreads.length >= threads.minFiles ? threads : undefined;
    const progress = this.deps.onProgress;
    // The store's answers count as looked at from the start; the others as each one is made.
    let looked = unique.length - toThreads.length;
    const onLooked = progress && (() => progress(++looked, unique.length));
    progress?.(looked, unique.length);
    const threaded = this.threads ? this.threads.firstLooks(toThreads, prefilter, onLooked) : new Map<string, Analysis>();
    const phase = prefilter ? 'initial' : 'exhaustive';
    for (const source of toThreads) {
      const analysis = threaded.get(source.path);
      if (analysis) this.keep(source, analysis, phase);
    }
    for (const { source, known } of unique) {
      let analysis = known ?? threaded.get(source.path);
      if (!analysis) {
        analysis = this.analyze(source, prefilter, phase);
        // (Sources in memory are not in toThreads, and the store's were counted: only these are new.)
        if (onDisk(source)) onLooked?.();
      }
      this.analyses.set(source.path, analysis);
      if (analysis.kind === 'facts') {
        this.initial.push(analysis.facts);
        if (source.text !== undefined) this.textModules.set(source.path, analysis.facts.module);
      } else if (analysis.kind === 'skipped') this.defer(source);
    }
  }

  /**
   * Lets go of the skipped files' word summaries (about 9 MB on the standard
   * library with site-packages): only name searches read them, and a settled
   * project makes none. (Not in a session: the next run compares first looks.)
   */
  forgetWords(): void {
    for (const [path, analysis] of this.analyses) {
      if (analysis.kind === 'skipped' && analysis.words !== undefined) this.analyses.set(path, SKIPPED);
    }
  }

  /**
   * The analyses this run's loads made of skipped sources (demand loads, name
   * rounds), by path: what a project index kept for the next run holds of them
   * (see LintSession).
   */
  loads(): Map<string, Analysis> {
    const out = new Map<string, Analysis>();
    for (const source of this.deferred) {
      const analysis = this.analyses.get(source.path);
      if (analysis && analysis.kind !== 'skipped') out.set(source.path, analysis);
    }
    return out;
  }

  /** The text of each source given as text (an open document) that the pre-filter skipped, by path. */
  skippedTexts(): Map<string, string> {
    const out = new Map<string, string>();
    for (const source of this.deferred) if (source.text !== undefined) out.set(source.path, source.text);
    return out;
  }

  /**
   * Takes on the loads an earlier run made (see loads), for an index kept from
   * it: each must be a skipped source of this run that the store still gives the
   * same analysis of (the file is unchanged), or a text source with the same
   * text (`sameText`). False, and nothing taken, when one is not.
   */
  adoptLoads(loads: ReadonlyMap<string, Analysis>, sameText: (path: string) => boolean): boolean {
    if (loads.size === 0) return true;
    const byPath = new Map(this.deferred.map((source) => [source.path, source]));
    for (const [path, analysis] of loads) {
      const source = byPath.get(path);
      if (!source || this.analyses.get(path)?.kind !== 'skipped') return false;
      if (analysis.kind === 'facts' && analysis.facts.module !== source.module?.module) return false;
      if (source.text !== undefined ? !sameText(path) : this.deps.store?.demandLoad(source) !== analysis) return false;
    }
    for (const [path, analysis] of loads) this.analyses.set(path, analysis);
    return true;
  }

  private defer(source: SourceFile): void {
    // Paths are enough for files on disk; text and bytes given by the caller (editor, stdin, --fix) are kept.
    const kept: SourceFile = { path: source.path, module: source.module };
    if (source.text !== undefined) kept.text = source.text;
    if (source.parseState) kept.parseState = source.parseState;
    if (source.bytes !== undefined) kept.bytes = source.bytes;
    this.deferred.push(kept);
    const module = source.module!.module;
    if (!this.deferredByModule.has(module)) this.deferredByModule.set(module, kept);
  }

  private analyze(source: SourceFile, prefilter: boolean, phase: AnalysisPhase): Analysis {
    const analysis = this.deps.analyze(source, prefilter);
    this.keep(source, analysis, phase);
    return analysis;
  }

  /** Tells the store of an analysis made now (never of an editor's text). */
  private keep(source: SourceFile, analysis: Analysis, phase: AnalysisPhase): void {
    if (source.text === undefined) this.deps.store?.keep(source, analysis, phase);
  }

  /**
   * How the project index loads skipped files; `rules` says what the rules
   * ask (Rule.asks) and which names reach other files (Rule.reachedThrough).
   */
  loader(rules: Pick<ProjectLoader, 'questions' | 'names'>): ProjectLoader {
    return {
      ...rules,
      load: (module) => {
        const source = this.deferredByModule.get(module);
        return source ? this.loadDeferred(source) : null;
      },
      loadable: (module) => this.deferredByModule.has(module),
      mentions: (module, search) => {
        const source = this.deferredByModule.get(module);
        return !source || this.analyses.get(source.path)?.kind !== 'skipped' || this.mentions(source, search);
      },
      loadMany: this.threads ? (modules) => this.loadSources(modules.map((module) => this.deferredByModule.get(module))) : undefined,
    };
  }

  /**
   * Whether a skipped source names any of a search's names; true when it cannot be read (loading it says why).
   * A file whose word summary rules the names out is not read again.
   */
  private mentions(source: SourceFile, search: NameSearch): boolean {
    if (source.text !== undefined) return search.inText(source.text);
    if (this.ruledOut(source, search)) return false;
    const index = this.deps.store?.mentions;
    if (index) {
      let matcher = this.matchers.get(search);
      if (!matcher) {
        matcher = index.matcher(search);
        this.matchers.set(search, matcher);
      }
      const known = matcher(source.path);
      if (known !== null) return known;
    }
    if (source.bytes === undefined) return this.deps.fileMentions(source.path, search);
    return search.inBytes(source.bytes);
  }

  /** Whether the word summary of a skipped source, made at its first look, says it names none of a search's names. */
  private ruledOut(source: SourceFile, search: NameSearch): boolean {
    const analysis = this.analyses.get(source.path);
    return analysis?.kind === 'skipped' && analysis.words !== undefined && !mayMention(analysis.words, search);
  }

  /** The store's full analysis of a skipped source, if it was made under the same module name. */
  private storedDemandLoad(source: SourceFile): Analysis | undefined {
    if (source.text !== undefined) return undefined;
    const stored = this.deps.store?.demandLoad(source);
    return stored?.kind === 'facts' && stored.facts.module === source.module?.module ? stored : undefined;
  }

  /** Loads a skipped source (`stored`: the store's demand load of it, already asked for). */
  private loadDeferred(source: SourceFile, stored?: Analysis): ModuleFacts | null {
    if (this.analyses.get(source.path)?.kind !== 'skipped') return null;
    const analysis = stored ?? this.storedDemandLoad(source) ?? this.analyze(source, false, 'demand');
    this.analyses.set(source.path, analysis);
    return analysis.kind === 'facts' ? analysis.facts : null;
  }

  /** Several demand loads at once: files on disk go to the threads, the rest load here. */
  private loadSources(sources: (SourceFile | undefined)[]): (ModuleFacts | null)[] {
    const batch: SourceFile[] = [];
    // The store's answers, read once (the on-disk store reads and parses each when asked).
    const stored = new Map<SourceFile, Analysis>();
    for (const source of sources) {
      if (!source || !onDisk(source)) continue;
      if (this.analyses.get(source.path)?.kind !== 'skipped') continue;
      const known = this.storedDemandLoad(source);
      if (known) stored.set(source, known);
      else batch.push(source);
    }
    const done = batch.length > 1 && this.threads ? this.threads.demandLoads(batch) : new Map<string, Analysis>();
    return sources.map((source) => {
      if (!source) return null;
      const analysis = done.get(source.path);
      if (!analysis) return this.loadDeferred(source, stored.get(source));
      this.analyses.set(source.path, analysis);
      this.keep(source, analysis, 'demand');
      return analysis.kind === 'facts' ? analysis.facts : null;
    });
  }

  /**
   * Loads, round by round, the skipped files that name what the analysis found
   * so far (a wrapper, a future-holding attribute, a coroutine): they may hold
   * findings too, so they become rule targets.
   */
  loadNamingFiles(project: ProjectIndex): void {
    if (this.deferred.length === 0) return;
    const searched = new Set<string>();
    for (let round = 0; round < MAX_NAME_ROUNDS; round++) {
      project.settle();
      const { called, named } = project.interestingNames();
      const freshCalled = [...called].filter((name) => !searched.has(`${name}(`));
      const freshNamed = [...named].filter((name) => !searched.has(name));
      for (const name of freshCalled) searched.add(`${name}(`);
      for (const name of freshNamed) searched.add(name);
      const pattern = wordsPattern(freshCalled, freshNamed);
      if (!pattern) break;
      if (this.loadRound(project, pattern, freshCalled, freshNamed) === 0) break;
    }
  }

  /** One round of loadNamingFiles: loads the files that match, adds them as targets, and says how many. */
  private loadRound(project: ProjectIndex, pattern: NameSearch, called: string[], named: string[]): number {
    const candidates = this.deferred.filter((source) => {
      const known = this.analyses.get(source.path);
      return !(known?.kind === 'problem' || (known?.kind === 'facts' && project.isTarget(known.facts)));
    });
    // Files on disk are searched in worker threads when there are some (unless the store keeps their words); the others, and any they leave out, here.
    // Files whose word summary rules the names out are not searched at all (see mentions).
    const paths = candidates.filter((source) => onDisk(source) && !this.ruledOut(source, pattern)).map((source) => source.path);
    const found = this.deps.store?.mentions ? undefined : this.threads?.search(paths, called, named);
    const hits = candidates.filter((source) => found?.get(source.path) ?? this.mentions(source, pattern));
    this.loadSources(hits.filter((source) => this.analyses.get(source.path)?.kind === 'skipped'));
    // Loaded earlier only to resolve a call, or just now: either way, rules look at them now, in their order.
    let loaded = 0;
    for (const source of hits) {
      const analysis = this.analyses.get(source.path);
      if (analysis?.kind !== 'facts') continue;
      project.add(analysis.facts, true);
      loaded++;
    }
    return loaded;
  }
}
