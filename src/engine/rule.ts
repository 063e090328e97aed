/**
 * What a rule is: metadata (ESLint's `meta`, Ruff's registry entry) and a check
 * that asks the semantic model questions and reports to its context. A rule
 * never prints and never sees a syntax tree: by the time rules run, each file
 * has been reduced to its facts (see facts.ts) and the project index has
 * resolved them across modules.
 */
import type { Severity } from '../config/settings.js';
import type { Loc, ModuleFacts, Fix } from '../python/facts.js';
import type { ProjectIndex } from '../project/project-index.js';
import type { FactKind } from '../python/extractors.js';
import type { Value } from '../python/values.js';
import type { NoqaDirective } from '../python/noqa.js';

export const DOCS_BASE_URL = 'https://github.com/pyhang/pyhang/blob/main/docs/rules/';

export interface RuleMeta<O extends RuleOptionSpecs = RuleOptionSpecs> {
  /** `HANG001`. */
  code: string;
  /** Kebab-case name, `threadsafe-result-without-timeout`. */
  name: string;
  defaultSeverity: Severity;
  /** One line, shown by `pyhang rules` and SARIF's shortDescription. */
  summary: string;
  /** A paragraph: why it matters and what to do (SARIF's help text, LSP hover). */
  help: string;
  /** Message templates keyed by id, with `{placeholders}`. */
  messages: Record<string, string>;
  /** Whether the rule offers a fix, and how safe it is (Ruff's fix safety). */
  fix: 'safe' | 'unsafe' | null;
  /**
   * For an unsafe fix, what applying it may change, in a few words: the editor's
   * code action says it next to the fix (`Pass timeout=30 (unsafe: raises
   * TimeoutError instead of waiting forever)`).
   */
  fixRisk?: string;
  /** What the rule tables in README.md and docs/rules/index.md show beyond the fields above. */
  docs: RuleDocs;
  /**
   * The options it reads, keyed as they are written under `[tool.pyhang]`
   * (`fix-timeout`), with their type and default (ESLint's `meta.schema` and
   * `defaultOptions`): config validation reads these, and the rule gets their
   * values, typed, as `context.options` (`fixTimeout`).
   */
  options?: O;
}

/**
 * Text only the generated rule tables show (`npm run docs`, scripts/rule-tables.ts),
 * kept next to the rule so the tables cannot drift from it. `pyhang rules
 * --format json` leaves it out: its shape is the metadata the tools read.
 */
export interface RuleDocs {
  /** The README's "What it finds" column: the hazard in a reader's words, Markdown. */
  finds: string;
  /** When some findings are more severe than `defaultSeverity`, when: shown after it in parentheses. */
  severityNote?: string;
}

/**
 * One option of a rule: a small schema, as much of JSON Schema as pyhang's
 * options need. `unit` completes the type error's wording ("expected a
 * positive number of seconds").
 */
export type RuleOptionSpec =
  | { type: 'positive number'; default: number; unit?: string; description: string }
  | { type: 'boolean'; default: boolean; description: string };

export type RuleOptionSpecs = Readonly<Record<string, RuleOptionSpec>>;

/** `fix-timeout` → `fixTimeout`: how an option's config key reads in code. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type OptionValue<S extends RuleOptionSpec> = S extends { type: 'boolean' } ? boolean : number;

/** The values a rule's check sees for its declared options (defaults filled in). */
export type RuleOptions<O extends RuleOptionSpecs> = { readonly [K in keyof O & string as CamelCase<K>]: OptionValue<O[K]> };

/** A config key as a property name, as the RuleOptions type spells it. */
function optionProperty(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * A rule's option values for one file: what `[tool.pyhang]` set (`configured`,
 * by config key, validated against the rule's schema), else each option's default.
 */
export function resolveRuleOptions<O extends RuleOptionSpecs>(meta: RuleMeta<O>, configured: Readonly<Record<string, unknown>>): RuleOptions<O> {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(meta.options ?? {})) {
    values[optionProperty(key)] = Object.prototype.hasOwnProperty.call(configured, key) ? configured[key] : spec.default;
  }
  // Config validation checked each configured value against the same schema (src/config/config.ts).
  return values as RuleOptions<O>;
}

export interface RelatedLocation {
  /** Path of the file, as the project index knows it. */
  path: string;
  loc: Loc;
  message: string;
}

export interface RuleReport {
  messageId: string;
  data?: Record<string, string | number>;
  loc: Loc;
  /** Overrides the configured severity for this finding (HANG002 escalates to error). */
  severity?: Severity;
  related?: RelatedLocation[];
  fix?: Fix;
}

/** Names that make a file worth analysing: `called` where they are called (`name(`), `named` at any mention. */
export interface ReachingNames {
  called: Iterable<string>;
  named: Iterable<string>;
}

/** One module as rules read it: the model's facts, and what the fact kinds' extractors kept. */
export interface ModuleView {
  readonly facts: ModuleFacts;
  /** What a kind's extractors kept in this module (see Rule.facts), in the order the calls were met. */
  extracted<T>(kind: FactKind<T>): T[];
}

export interface RuleContext<Options = Readonly<Record<string, unknown>>> extends ModuleView {
  readonly project: ProjectIndex;
  /** The values of the options the rule declares in its meta, for this file (see RuleMeta.options). */
  readonly options: Options;
  /** How a path is written inside a message (relative to the working directory or workspace). */
  display(path: string): string;
  report(report: RuleReport): void;
}

export interface Rule<O extends RuleOptionSpecs = RuleOptionSpecs> {
  meta: RuleMeta<O>;
  /**
   * Words and phrases whose mention in a file's code makes it worth analysing
   * up front for this rule (the pre-filter reads the union of the rules that
   * run; see FileTriggers). Files that mention none are analysed only when the
   * analysis reaches them. A phrase of several words (`async def`) allows any
   * blanks between them.
   */
  triggers: readonly string[];
  /**
   * Patterns (regular expression sources, matched in any case, within a line)
   * whose match anywhere in a file, comments included, makes it worth analysing
   * up front: HANG100 reads `# noqa: HANG…` comments, which the code-only
   * `triggers` never see. Each starts with a literal word, which a native
   * search looks for first. Keep them narrow: a file they match is parsed and
   * joins the cross-module analysis (`noqa` alone matched every file with a
   * flake8 suppression, and made a check of the standard library with
   * site-packages three times slower).
   */
  commentTriggers?: readonly string[];
  /**
   * The kinds of facts the rule keeps from the calls it cares about (see
   * src/python/extractors.ts; rules using one kind share its facts); its check
   * reads them back with `context.extracted(kind)`.
   */
  facts?: readonly FactKind[];
  /**
   * The values in a target module's facts that the check will evaluate (what
   * it waits on, discards, runs). The engine evaluates them before any rule
   * runs, while the project index may still load the modules they resolve
   * through (rules never load a module themselves).
   */
  asks?(module: ModuleView): Iterable<Value>;
  /**
   * Names through which the rule's hazards can reach a file that is not
   * analysed yet (a wrapper defined here and called there, a coroutine whose
   * callers decide the severity). The engine adds their import aliases and
   * analyses the skipped files that name them. Rules sharing a function share
   * its answer.
   */
  reachedThrough?(project: ProjectIndex): ReachingNames;
  check(context: RuleContext<RuleOptions<O>>): void;
  /**
   * Runs on a file after every other rule has reported, with the file's noqa
   * directives and what each one silenced (Ruff checks RUF100 in the same
   * place, after all other diagnostics). What it reports is silenced by
   * directives as any finding is.
   */
  checkSuppressions?(context: SuppressionContext): void;
}

/** One noqa directive of a file and what it silenced in this run. */
export interface DirectiveUse {
  directive: NoqaDirective;
  /** The codes (or prefixes) of the directive that silenced at least one finding; for a bare directive, `''` when it did. */
  used: ReadonlySet<string>;
}

export interface SuppressionContext {
  readonly directives: readonly DirectiveUse[];
  /** Whether a code or prefix names a rule pyhang has (enabled or not). */
  isKnownCode(code: string): boolean;
  /** Whether the rule a code or prefix names ran on this file: an unused directive for a rule that did not run proves nothing. */
  isEnabled(code: string): boolean;
  report(report: RuleReport): void;
}

/**
 * A rule with its options typed from its meta (typescript-eslint's
 * `createRule`): `check` sees `context.options.fixTimeout` as a number when the
 * meta declares `fix-timeout` as a positive number.
 */
export function defineRule<const O extends RuleOptionSpecs = Record<never, RuleOptionSpec>>(rule: Rule<O>): Rule<O> {
  return rule;
}

export function docsUrl(code: string): string {
  return `${DOCS_BASE_URL}${code}.md`;
}

/** Fills `{name}` placeholders. */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}
