/**
 * Rule-owned facts: a rule may declare extractors for the calls it cares
 * about, keyed by what the callee resolves to (ESLint's selectors, over
 * qualified names instead of syntax): `concurrent.futures.wait` for a function
 * or class, `.result` for a method of that name on any receiver. The module
 * walk calls them as it meets such calls, with a view of the call in the
 * model's terms, and keeps what they return (plain JSON data) in the
 * module's facts under the rule's code. The data is cached, crosses threads
 * and is replayed by the language server like every other fact, and the rule's
 * check reads it back (RuleContext.extracted). No model file changes for it.
 */
import type { Loc } from './facts.js';
import type { Value } from './values.js';

/** An argument of an extracted call. */
export interface ExtractedArgument {
  value: Value;
  loc: Loc;
  /** The literal `None` (parentheses aside). */
  isNone: boolean;
}

/** What an extractor sees of a call: its place and its arguments, in the model's terms. */
export interface CallView {
  /** The key the extractor was found by: a qualified name, or `.method`. */
  readonly key: string;
  readonly loc: Loc;
  /** The call's source text, shortened for messages. */
  readonly text: string;
  /** For a method call, the receiver's value and text. */
  readonly receiver: { value: Value; text: string } | null;
  /** The `async def` whose body holds the call directly, else null. */
  readonly coroutine: string | null;
  /** Qualified name of the function whose body holds the call, else null (module level, class bodies, lambdas). */
  readonly inFunction: string | null;
  /** The argument passed at `position` or as `keyword`, if any. */
  argument(position: number, keyword?: string): ExtractedArgument | undefined;
  /** Whether `receiver` is known to be done here (a `done()` check or a bounded wait before, or a done-callback). */
  readonly receiverKnownDone: boolean;
}

/** Returns the data to keep for the call, or undefined to keep nothing. */
export type CallExtractor = (call: CallView) => unknown;

/** A rule's extractors, by key (a qualified name, or `.method`). */
export interface Extractors {
  calls?: Readonly<Record<string, CallExtractor>>;
}

/** Data a rule's extractor kept, in the module's facts. */
export interface ExtractedFact {
  /** The code of the rule that declared the extractor. */
  rule: string;
  data: unknown;
}

/** Every extractor of a set of rules, by key. */
export type ExtractorTable = ReadonlyMap<string, readonly { rule: string; extract: CallExtractor }[]>;

export const NO_EXTRACTORS: ExtractorTable = new Map();

export function extractorTable(owners: readonly { code: string; extractors: Extractors | undefined }[]): ExtractorTable {
  const table = new Map<string, { rule: string; extract: CallExtractor }[]>();
  for (const { code, extractors } of owners) {
    for (const [key, extract] of Object.entries(extractors?.calls ?? {})) {
      const list = table.get(key) ?? [];
      list.push({ rule: code, extract });
      table.set(key, list);
    }
  }
  return table.size > 0 ? table : NO_EXTRACTORS;
}
