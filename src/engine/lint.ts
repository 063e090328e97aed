/**
 * The one core lint function. Every front end (the CLI for files, stdin and
 * `--fix` through lint-files.ts, the language server, the pre-commit hook
 * through the CLI) calls `lint`; none re-implements analysis. What differs
 * between them is only what they hand it: a store of earlier analyses (on disk
 * for the CLI, in memory for the server, see analysis-store.ts) and worker
 * threads (the CLI's), both optional and both used by one run
 * (analysis-run.ts) in one way.
 *
 * Flow: decode → parse → per-module facts (tree and text dropped) → project
 * index over all facts → rules → VFileMessages, sorted.
 */
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import fs from 'node:fs';
import { decodeSource } from '../python/decode.js';
import { FileTriggers, needsFullDecode, type NameSearch } from '../project/prefilter.js';
import { wordSummary } from '../project/word-summary.js';
import { analyzeModule } from '../python/module-analysis.js';
import { parseFlat, ParserUnavailableError, type ParseState } from '../python/parser.js';
import { ProjectIndex, type ProjectLoader } from '../project/project-index.js';
import { moduleNameFor } from '../project/module-names.js';
import { own, type ModuleFacts, type Loc, type Fix } from '../python/facts.js';
import { severityFor, type Settings, type Severity } from '../config/settings.js';
import { rules as registry } from '../../rules/index.js';
import { formatMessage, docsUrl, resolveRuleOptions, type DirectiveUse, type ModuleView, type ReachingNames, type RelatedLocation, type Rule, type RuleReport } from './rule.js';
import type { Value } from '../python/values.js';
import { extractorTable, type ExtractorTable, type FactKind } from '../python/extractors.js';
import { namesCode, suppressingDirective } from '../python/noqa.js';
import { MAX_DEPTH, MAX_STATEMENT_DEPTH } from '../python/flow-state.js';
import { displayPath } from '../project/display-path.js';
import { openRegularFile, NOT_REGULAR_FILE } from '../project/regular-file.js';
import type { AnalysisStore } from './analysis-store.js';
import { AnalysisRun, type LintThreads } from './analysis-run.js';

export type { AnalysisStore, AnalysisPhase } from './analysis-store.js';
export type { LintThreads } from './analysis-run.js';

export interface SourceFile {
  /** Path shown in output; also used to find the module name and the settings. */
  path: string;
  /** Decoded text (editors, stdin). */
  text?: string;
  /** An editor document's last parse, so that tree-sitter re-parses only around the edit (with `text`). */
  parseState?: ParseState;
  /** Raw bytes: decoded here with PEP 263 and BOM rules. With neither text nor bytes, the file is read when needed. */
  bytes?: Uint8Array;
  /** The decoded text and its native parse, made by a worker thread (see parseFlat): analysed without reading or parsing again. */
  parsed?: { text: string; tree: Int32Array };
  /** The module name to analyse it as (lint() makes names unique across the sources); derived from the path if absent. */
  module?: { module: string; isPackage: boolean };
}

/** What analysing one source gave: its facts, "skipped by the pre-filter", or a per-file problem. */
export type Analysis =
  | { kind: 'facts'; facts: ModuleFacts }
  /**
   * `words`: the word summary of a file on disk, made as its first look read it
   * (see word-summary.ts): name searches ask it before reading the file again.
   */
  | { kind: 'skipped'; words?: string }
  | { kind: 'problem'; code: FileProblemCode; reason: string };

export interface LintOptions {
  /** Settings for a file (from the pyproject.toml that governs it, plus CLI flags). */
  settingsFor: (path: string) => Settings;
  /**
   * The rules to run, in this order. Default: the registry (rules/index.ts).
   * A rule set is an input like the sources: a rule written elsewhere (a test,
   * later a plugin) registers by being passed here.
   */
  rules?: readonly Rule[];
  /**
   * Analyses kept from earlier runs, and where this run's are kept: the CLI's
   * cache on disk, the language server's memory (see analysis-store.ts).
   * Default: none, everything is analysed.
   */
  store?: AnalysisStore;
  /** Worker threads that analyse and search files on disk (see LintThreads). Default: this thread alone. */
  threads?: LintThreads;
  /** Only these paths get messages; the others only feed the project index. Default: all sources. */
  report?: (path: string) => boolean;
  /** How paths are written inside message texts. Default: relative to the working directory when below it. */
  displayPath?: (path: string) => string;
  /**
   * Parse up front only files that mention what hazards start from, and the rest
   * on demand (default). False parses every file: the exhaustive mode the
   * pre-filter must agree with.
   */
  prefilter?: boolean;
  /**
   * Called with each reported file as soon as its messages are final, in the
   * order lint() returns the files (by path), so that a front end can print
   * findings while later files are still checked (see lint()).
   */
  onFile?: (file: VFile) => void;
  /** Called as first looks finish: how many of the run's sources have had theirs, of how many. */
  onProgress?: (looked: number, total: number) => void;
  /**
   * What a front end that lints the same project over and over (the language
   * server, per edit) keeps between runs: the project index, reused when only
   * the sources given as text (the open documents) changed (see LintSession).
   * Default: none, every run makes a new index.
   */
  session?: LintSession;
}

/**
 * The project index of a session's last run, kept for the next one. A run
 * reuses it when nothing but the sources given as text changed: the same rules,
 * the same other sources with the same first looks (the store's analyses, by
 * identity: a file changed on disk gets a new one), the files the last run
 * loaded still as the store has them, and each text source again a module with
 * facts, under the same name. Those modules are volatile in the index
 * (ProjectIndex.replace): their new facts replace the old, and every answer
 * that read them is dropped, while the answers about the other files stay.
 * Otherwise the run makes a new index, and keeps that one.
 *
 * The front end clears it when anything else a run depends on changes: the
 * settings, the roots, the files found.
 */
export class LintSession {
  private kept: KeptRun | null = null;

  /** Forgets the kept index: the next run makes a new one. */
  clear(): void {
    this.kept = null;
  }

  /** @internal The kept index, made ready for `run` (see the class), or null when a new one is needed. */
  resume(run: AnalysisRun, sources: readonly SourceFile[], rules: readonly Rule[], prefilter: boolean, loader: ProjectLoader): ProjectIndex | null {
    const kept = this.kept;
    // Whatever happens below, the index is this run's now, or none is kept.
    this.kept = null;
    if (!kept || kept.rules !== rules || kept.prefilter !== prefilter) return null;
    const texts: [string, ModuleFacts][] = [];
    let looks = 0;
    // An open document the pre-filter skipped is looked at anew every run: with the same text, it is the same look.
    const skippedText = run.skippedTexts();
    const sameSkippedText = (path: string) => skippedText.has(path) && kept.skippedTexts.get(path) === skippedText.get(path);
    for (const [path, analysis] of run.analyses) {
      const open = kept.texts.get(path);
      if (open === undefined) {
        if (kept.firstLooks.get(path) !== analysis && !(analysis.kind === 'skipped' && sameSkippedText(path))) return null;
        looks++;
      } else {
        if (analysis.kind !== 'facts' || analysis.facts.module !== open) return null;
        texts.push([path, analysis.facts]);
      }
    }
    if (looks !== kept.firstLooks.size || texts.length !== kept.texts.size) return null;
    // (Every text source is one of the kept index's volatile modules, checked above, or skipped with the same text.)
    if (!sources.every((source) => source.text === undefined || kept.texts.has(source.path) || sameSkippedText(source.path))) return null;
    if (!run.adoptLoads(kept.loads, sameSkippedText)) return null;
    for (const [path, facts] of texts) {
      const held = kept.project.replace(facts);
      if (!held) return null;
      // Rules read the facts the index holds: the old ones, with their positions moved, when only those changed.
      if (held !== facts) run.analyses.set(path, { kind: 'facts', facts: held });
    }
    kept.project.useLoader(loader);
    return kept.project;
  }

  /** @internal Keeps a run's index for the next run. */
  keep(run: AnalysisRun, firstLooks: Map<string, Analysis>, project: ProjectIndex, rules: readonly Rule[], prefilter: boolean): void {
    const texts = new Map(run.textModules);
    for (const path of texts.keys()) firstLooks.delete(path);
    this.kept = { project, rules, prefilter, firstLooks, texts, skippedTexts: run.skippedTexts(), loads: run.loads() };
  }
}

interface KeptRun {
  project: ProjectIndex;
  rules: readonly Rule[];
  prefilter: boolean;
  /** Each source's first look, by path, but the text sources'. */
  firstLooks: Map<string, Analysis>;
  /** The text sources' module names, by path (each is a target of the index: its first look found facts). */
  texts: Map<string, string>;
  /** The text of each text source the pre-filter skipped, by path. */
  skippedTexts: Map<string, string>;
  /** What the run's loads made (AnalysisRun.loads). */
  loads: Map<string, Analysis>;
}

/** Extra data pyhang puts on each VFileMessage, beside vfile's own fields. */
export interface PyhangMessageData {
  ruleName?: string;
  /** Which of the rule's message templates was used (as in ESLint's results). */
  messageId?: string;
  related?: RelatedLocation[];
  fix?: Fix;
  /** On a suppressed message: what suppressed it (ESLint's `suppressions`). */
  suppressions?: Suppression[];
}

export type PyhangMessage = VFileMessage & PyhangMessageData;

/** What silenced a finding, as ESLint's results say it: a directive, and the reason written after its codes. */
export interface Suppression {
  kind: 'directive';
  justification: string;
}

/** The findings `# noqa` directives silenced in a file (ESLint's `suppressedMessages`), sorted like its messages. */
export function suppressedMessagesOf(file: VFile): PyhangMessage[] {
  return (file.data['suppressedMessages'] as PyhangMessage[] | undefined) ?? [];
}

/** Codes of messages that are about the file itself rather than a rule. */
export const FILE_PROBLEM_CODES = ['syntax-error', 'decode-error', 'file-too-large', 'io-error', 'internal-error'] as const;
export type FileProblemCode = (typeof FILE_PROBLEM_CODES)[number];

function problem(code: FileProblemCode, reason: string): Analysis {
  return { kind: 'problem', code, reason };
}

/** Bytes of a buffer shared by every read below: most files are read only to be searched, then dropped. */
const SHARED_READ_BYTES = 1 << 20;
let sharedRead: Buffer | null = null;

/**
 * A source's bytes, or why they cannot be had: a file too large for `maxSize`
 * is refused before it is read. A file that fits is read into one buffer shared
 * by all reads, so its bytes are valid only until the next read: callers search
 * or decode them at once, and keep nothing but what they make of them.
 */
function readSource(source: SourceFile, maxSize = Infinity): Uint8Array | Analysis {
  if (source.bytes) return source.bytes;
  let fd: number;
  let size: number;
  try {
    // A named pipe or a device swapped in for the file is refused, never waited on.
    ({ fd, stat: { size } } = openRegularFile(source.path));
  } catch (error) {
    return readProblem(error);
  }
  try {
    if (size > maxSize) return tooLarge(size, 'bytes', maxSize);
    sharedRead ??= Buffer.allocUnsafe(SHARED_READ_BYTES);
    let buffer = size < sharedRead.length ? sharedRead : Buffer.allocUnsafe(size + 1);
    let length = 0;
    // Until the end of the file, whatever its size said (it may be growing).
    for (;;) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxSize) return tooLarge(length, 'bytes', maxSize);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    return readProblem(error);
  } finally {
    fs.closeSync(fd);
  }
}

function readProblem(error: unknown): Analysis {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'it no longer exists' : code === 'EISDIR' ? 'it is a directory' : code === NOT_REGULAR_FILE ? 'it is not a regular file' : (code ?? String(error));
  return problem('io-error', `File could not be read: ${why}`);
}

function tooLarge(size: number, unit: 'bytes' | 'characters', limit: number): Analysis {
  return problem('file-too-large', `File skipped: ${size} ${unit} is over the limit of ${limit} (max-file-size)`);
}

/**
 * What a set of rules asks of each file's analysis: the pre-filter's triggers
 * (every rule's) and the extractors to run during the walk. Made once per set.
 */
export interface AnalysisPlan {
  triggers: FileTriggers;
  extractors: ExtractorTable;
}

const plans = new WeakMap<readonly Rule[], AnalysisPlan>();

export function planOf(ruleSet: readonly Rule[] = registry): AnalysisPlan {
  let plan = plans.get(ruleSet);
  if (!plan) {
    plan = {
      triggers: new FileTriggers(
        [...new Set(ruleSet.flatMap((rule) => rule.triggers))],
        [...new Set(ruleSet.flatMap((rule) => rule.commentTriggers ?? []))],
      ),
      extractors: extractorTable(ruleSet.flatMap((rule) => rule.facts ?? [])),
    };
    plans.set(ruleSet, plan);
  }
  return plan;
}

/**
 * Analyses one source: size limit, decoding, the pre-filter, then parsing into
 * facts. Pure apart from reading the file; worker threads run exactly this.
 */
export function analyzeSource(source: SourceFile, settings: Settings, prefilter: boolean, plan = planOf()): Analysis {
  try {
    return analyzeSourceUnguarded(source, settings, prefilter, plan);
  } catch (error) {
    // One file must never stop the run: report it and go on with the others.
    const why = error instanceof Error ? error.message : String(error);
    if (error instanceof ParserUnavailableError) return problem('internal-error', `File not checked: pyhang's parser could not be loaded (${why})`);
    return problem('internal-error', `pyhang failed on this file and did not check it (${why}); please report this`);
  }
}

function analyzeSourceUnguarded(source: SourceFile, settings: Settings, prefilter: boolean, plan: AnalysisPlan): Analysis {
  const { module, isPackage } = source.module ?? moduleNameFor(source.path);
  const info = { path: source.path, module, isPackage };
  if (source.parsed) return { kind: 'facts', facts: analyzeModule(source.parsed.text, info, undefined, source.parsed.tree, plan.extractors) };
  const settled = settleWithoutParsing(source, settings, prefilter, plan.triggers);
  if ('kind' in settled) return settled;
  return { kind: 'facts', facts: analyzeModule(settled.text, info, source.parseState, undefined, plan.extractors) };
}

/**
 * analyzeSource's part that needs no analysis: reading, decoding, the
 * pre-filter and the native parse. It gives the analysis when that part
 * settles it (skipped, or a problem with the file), else the text and its parse
 * for analyzeSource to finish (`parsed`), or null when there is no native parse
 * (or it failed): analyzeSource then does it all. Worker threads run this
 * where the analysis is left to the main thread (see worker-pool.ts).
 */
export function parseSource(
  source: SourceFile,
  settings: Settings,
  prefilter: boolean,
  plan = planOf(),
): Analysis | { text: string; tree: Int32Array } | null {
  try {
    const settled = settleWithoutParsing(source, settings, prefilter, plan.triggers);
    if ('kind' in settled) return settled;
    const tree = parseFlat(settled.text);
    return tree ? { text: settled.text, tree } : null;
  } catch {
    return null;
  }
}

/** A source's analysis when no parse is needed to know it, else its text to parse. */
function settleWithoutParsing(source: SourceFile, settings: Settings, prefilter: boolean, triggers: FileTriggers): Analysis | { text: string } {
  if (source.text !== undefined) {
    if (source.text.length > settings.maxFileSize) return tooLarge(source.text.length, 'characters', settings.maxFileSize);
    if (prefilter && !triggers.inText(source.text)) return { kind: 'skipped' };
    return { text: source.text };
  }
  // An oversized file is refused before it is read (Node cannot read more than 2 GiB at once anyway).
  const bytes = readSource(source, settings.maxFileSize);
  if (!(bytes instanceof Uint8Array)) return bytes;
  if (bytes.length > settings.maxFileSize) return tooLarge(bytes.length, 'bytes', settings.maxFileSize);
  // Decoding problems are reported for every file, relevant or not; the check on raw bytes is cheap.
  const fullDecode = !prefilter || needsFullDecode(bytes);
  if (!fullDecode && !triggers.inBytes(bytes)) return skipped(source, bytes);
  const decoded = decodeSource(bytes);
  if ('error' in decoded) return problem('decode-error', decoded.error);
  if (prefilter && !triggers.inBytes(bytes) && !triggers.inText(decoded.text)) return skipped(source, bytes);
  return { text: decoded.text };
}

/**
 * A skipped file's analysis: a file on disk keeps the summary of its words, so
 * that name searches need not read it again (bytes given by the caller are kept, and searched as they are).
 */
function skipped(source: SourceFile, bytes: Uint8Array): Analysis {
  const words = source.bytes === undefined ? wordSummary(bytes) : undefined;
  return words === undefined ? { kind: 'skipped' } : { kind: 'skipped', words };
}

/**
 * Whether a file on disk names any of `search`'s names (`called` ones followed
 * by `(`); true when it cannot be read, so that loading it reports why.
 */
export function fileMentions(path: string, search: NameSearch): boolean {
  const bytes = readSource({ path });
  return !(bytes instanceof Uint8Array) || search.inBytes(bytes);
}

/**
 * Lints the sources: the first look at each, the project index over what was
 * found (loading skipped files on demand), then the rules on each reported
 * source. Messages come back per file, sorted; files in path order.
 *
 * A file's messages are final only once the whole project is settled: a
 * caller anywhere can make a finding in it (HANG005, HANG006), a chain can run
 * through any module (HANG002), and the name searches can load any skipped
 * file in any round. Once settled, the index never changes (rules never load
 * a module, see DemandLoading.loadWhatRulesAsk), so the rules run file by file
 * in path order and each file goes to `onFile` as soon as they are done with it.
 */
export function lint(sources: SourceFile[], options: LintOptions): VFile[] {
  const wanted = options.report ?? (() => true);
  const ruleSet = options.rules ?? registry;
  const plan = planOf(ruleSet);
  const run = new AnalysisRun({
    store: options.store,
    threads: options.threads,
    prefilter: options.prefilter ?? true,
    analyze: (source, prefilter) => analyzeSource(source, options.settingsFor(source.path), prefilter, plan),
    fileMentions,
    onProgress: options.onProgress,
  });
  run.lookAt(sources);
  // Only skipped files can be loaded: with none, the index is told it has nothing to load.
  const asked = { questions: questionsOf(ruleSet), names: () => reachingNames(ruleSet, project) };
  const loader = run.deferred.length > 0 ? run.loader(asked) : {};
  const { session } = options;
  const prefilter = options.prefilter ?? true;
  const firstLooks = session ? new Map(run.analyses) : null;
  const project: ProjectIndex =
    session?.resume(run, sources, ruleSet, prefilter, loader) ??
    // In a session, the text sources' modules may be replaced by the next run's (see LintSession).
    new ProjectIndex(run.initial, loader, session ? run.textModules.values() : []);
  run.loadNamingFiles(project);
  project.settle();
  // Settled: nothing loads or searches files from here on (see below), and the run's memory peaks while the
  // rules run (and, on disk, while the store is written): what only loading and searching needed goes now.
  options.threads?.release?.();
  if (!session) run.forgetWords();
  session?.keep(run, firstLooks!, project, ruleSet, prefilter);

  const cwd = process.cwd();
  const display = options.displayPath ?? ((p: string) => displayPath(p, cwd));
  const paths = [...new Set(sources.map((source) => source.path).filter((path) => wanted(path)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: VFile[] = [];
  for (const path of paths) {
    const file = new VFile({ path });
    const analysis = run.analyses.get(path);
    const settings = options.settingsFor(path);
    if (analysis?.kind === 'problem') addFileProblem(file, settings, analysis.code, analysis.reason, null);
    // A module parsed only to follow a call into it cannot hold a finding (see ProjectIndex): like a skipped file.
    else if (analysis?.kind === 'facts' && project.isTarget(analysis.facts)) runRules(file, analysis.facts, project, settings, display, options.rules);
    sortMessages(file);
    files.push(file);
    options.onFile?.(file);
  }
  return files;
}

/** Each module's view for rules, made once (its extracted facts grouped by kind on first use). */
const views = new WeakMap<ModuleFacts, ModuleView>();

export function moduleView(facts: ModuleFacts): ModuleView {
  let view = views.get(facts);
  if (!view) {
    let byKind: Map<string, unknown[]> | null = null;
    view = {
      facts,
      extracted: <T>(kind: FactKind<T>): T[] => {
        if (!byKind) {
          byKind = new Map();
          for (const fact of facts.extracted) {
            const list = byKind.get(fact.kind) ?? [];
            list.push(fact.data);
            byKind.set(fact.kind, list);
          }
        }
        return (byKind.get(kind.id) ?? []) as T[];
      },
    };
    views.set(facts, view);
  }
  return view;
}

/** The values the rules ask about in a module's facts (Rule.asks), for the project index to settle first. */
function questionsOf(ruleSet: readonly Rule[]): (facts: ModuleFacts) => Iterable<Value> {
  const asking = ruleSet.filter((rule) => rule.asks);
  return function* questions(facts) {
    const view = moduleView(facts);
    for (const rule of asking) yield* rule.asks!(view);
  };
}

/** The names each rule's hazards reach other files through (Rule.reachedThrough); a function shared by rules is asked once. */
function reachingNames(ruleSet: readonly Rule[], project: ProjectIndex): ReachingNames[] {
  const asked = new Set<(project: ProjectIndex) => ReachingNames>();
  for (const rule of ruleSet) if (rule.reachedThrough) asked.add(rule.reachedThrough);
  return [...asked].map((names) => names(project));
}

export function runRules(
  file: VFile,
  facts: ModuleFacts,
  project: ProjectIndex,
  settings: Settings,
  display: (path: string) => string = (p) => p,
  rules: readonly Rule[] = registry,
): void {
  if (facts.syntaxError) {
    addFileProblem(file, settings, 'syntax-error', facts.syntaxError.message, facts.syntaxError.loc);
  }
  if (facts.notAnalysed.length > 0) addFileProblem(file, settings, 'internal-error', notAnalysedReason(facts.notAnalysed), facts.notAnalysed[0]!);
  const view = moduleView(facts);
  const uses: DirectiveUse[] = facts.noqa.map((directive) => ({ directive, used: new Set<string>() }));
  const suppressed: PyhangMessage[] = [];
  // A finding a directive silences becomes a suppressed message, and the directive is marked used (for HANG100).
  const suppress = (line: number, code: string, message: () => PyhangMessage): boolean => {
    const directive = suppressingDirective(facts.noqa, line, code);
    if (!directive) return false;
    const use = uses.find((u) => u.directive === directive)!;
    (use.used as Set<string>).add(directive.codes.find((c) => namesCode(c, code)) ?? '');
    const silenced = message();
    silenced.suppressions = [{ kind: 'directive', justification: directive.justification }];
    suppressed.push(silenced);
    return true;
  };
  const ran: Rule[] = [];
  for (const rule of rules) {
    const configured = severityFor(settings, file.path, rule.meta.code, rule.meta.defaultSeverity);
    if (configured === null) continue;
    ran.push(rule);
    try {
      checkWithRule(rule, file, view, project, settings, configured, display, suppress);
    } catch (error) {
      // One rule's bug must not cost the other rules' findings, nor other files' (as ESLint
      // attributes a crashing rule to the rule and the file). What the rule reported before it
      // threw, and what earlier rules reported, stay.
      const why = error instanceof Error ? error.message : String(error);
      const reason = `Rule ${rule.meta.code} (${rule.meta.name}) failed on this file and did not finish checking it (${why}); please report this`;
      addFileProblem(file, settings, 'internal-error', reason, null);
    }
  }
  // After every other rule: what the directives silenced is known now (Ruff's RUF100 runs here too).
  for (const rule of ran) {
    if (!rule.checkSuppressions || uses.length === 0) continue;
    const configured = severityFor(settings, file.path, rule.meta.code, rule.meta.defaultSeverity)!;
    try {
      rule.checkSuppressions({
        directives: uses,
        isKnownCode: (selector) => rules.some((r) => namesCode(selector, r.meta.code)),
        isEnabled: (selector) => ran.some((r) => namesCode(selector, r.meta.code)),
        report: reporter(rule, file, settings, configured, suppress),
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      addFileProblem(file, settings, 'internal-error', `Rule ${rule.meta.code} (${rule.meta.name}) failed on this file and did not finish checking it (${why}); please report this`, null);
    }
  }
  if (suppressed.length > 0) {
    sortMessageList(suppressed);
    file.data['suppressedMessages'] = suppressed;
  }
}

/**
 * Why a file was not fully checked: code nested past the walk's depth bound
 * (MAX_DEPTH) was skipped, and a hazard in it would go unreported. Not a bug to
 * report but a limit, so the message names where, and the run still fails.
 */
function notAnalysedReason(places: readonly Loc[]): string {
  const lines = [...new Set(places.map((loc) => loc.start.line))].sort((a, b) => a - b);
  const where = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ` and ${lines.length - 5} more` : ''}`;
  return `pyhang did not check all of this file: code nested deeper than ${MAX_DEPTH} levels (or blocks deeper than ${MAX_STATEMENT_DEPTH}) at ${where} was not analysed, and a hazard in it would not be reported`;
}

type Suppress = (line: number, code: string, message: () => PyhangMessage) => boolean;

/** Runs one enabled rule on one file, turning what it reports into messages. */
function checkWithRule(
  rule: Rule,
  file: VFile,
  view: ModuleView,
  project: ProjectIndex,
  settings: Settings,
  configured: Severity,
  display: (path: string) => string,
  suppress: Suppress,
): void {
  const { facts } = view;
  rule.check({
    facts,
    extracted: view.extracted,
    project,
    options: resolveRuleOptions(rule.meta, settings.ruleOptions),
    display,
    report: reporter(rule, file, settings, configured, suppress),
  });
}

/** How a rule's reports become the file's messages, or its suppressed messages. */
function reporter(rule: Rule, file: VFile, settings: Settings, configured: Severity, suppress: Suppress): (report: RuleReport) => void {
  return (report) => {
    // A rule may escalate (HANG002 when the coroutine is submitted); a user's explicit setting still wins.
    const explicit = own(settings.severity, rule.meta.code);
    const severity: Severity = explicit && explicit !== 'off' ? explicit : (report.severity ?? configured);
    const reason = formatMessage(rule.meta.messages[report.messageId] ?? report.messageId, report.data);
    const data: PyhangMessageData = { ruleName: rule.meta.name, messageId: report.messageId, related: report.related, fix: report.fix };
    const make = () => addMessage(file, reason, report.loc, rule.meta.code, severity, data);
    // Made, then taken back off the file's list: a suppressed message has every field a reported one has.
    if (suppress(report.loc.start.line, rule.meta.code, () => (make(), file.messages.pop() as PyhangMessage))) return;
    make();
  };
}

function addFileProblem(file: VFile, settings: Settings, code: string, reason: string, loc: Loc | null): void {
  // A file pyhang could not fully check is never quiet (see isInternalError): always an error.
  const override = code === 'internal-error' ? 'error' : own(settings.severity, code);
  if (override === 'off') return;
  // Warnings by default: tree-sitter's recovery is not CPython's parser (it rejects a few valid
  // constructs, such as a dedent inside parentheses), and pyhang is nobody's syntax checker.
  const severity: Severity = override ?? 'warning';
  const where = loc ?? { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  addMessage(file, reason, where, code, severity, {});
}

function addMessage(
  file: VFile,
  reason: string,
  loc: Loc,
  code: string,
  severity: Severity,
  data: PyhangMessageData,
): PyhangMessage {
  const message = file.message(reason, {
    place: { start: { ...loc.start }, end: { ...loc.end } },
    ruleId: code,
    source: 'pyhang',
  }) as PyhangMessage;
  message.fatal = severity === 'error' ? true : false;
  if (/^HANG\d+$/.test(code)) message.url = docsUrl(code);
  if (data.ruleName) message.ruleName = data.ruleName;
  if (data.messageId) message.messageId = data.messageId;
  if (data.related && data.related.length > 0) message.related = data.related;
  if (data.fix) message.fix = data.fix;
  return message;
}

function sortMessages(file: VFile): void {
  sortMessageList(file.messages);
}

function sortMessageList(messages: VFileMessage[]): void {
  messages.sort((a, b) => {
    const la = a.place && 'start' in a.place ? a.place.start : a.place;
    const lb = b.place && 'start' in b.place ? b.place.start : b.place;
    return (
      (la?.line ?? 0) - (lb?.line ?? 0) ||
      (la?.column ?? 0) - (lb?.column ?? 0) ||
      String(a.ruleId).localeCompare(String(b.ruleId)) ||
      a.reason.localeCompare(b.reason)
    );
  });
}

/**
 * Whether a message fails the run (exit code 1): every rule finding, and a
 * per-file problem (syntax-error, decode-error, file-too-large) only when its
 * severity is configured as error. An internal error always fails it, and
 * harder (see isInternalError).
 */
export function failsRun(message: VFileMessage): boolean {
  const code = String(message.ruleId ?? '');
  if ((FILE_PROBLEM_CODES as readonly string[]).includes(code)) return message.fatal === true;
  return true;
}

/**
 * Whether a message says pyhang failed on its file (its analysis, or one rule
 * on it): the file was not fully checked, so the run cannot pass. Such a
 * message is always an error, its severity cannot be configured, and it ends
 * the run with exit code 2 (ESLint's `fatal: true`), after everything else is
 * reported: a CI step must never go green having checked less than it says.
 */
export function isInternalError(message: VFileMessage): boolean {
  return message.ruleId === 'internal-error';
}

/** Messages of a file with their severity as a word; reporters use this rather than reading `fatal`. */
export function severityOf(message: VFileMessage): Severity | 'info' {
  return message.fatal === true ? 'error' : message.fatal === false ? 'warning' : 'info';
}
