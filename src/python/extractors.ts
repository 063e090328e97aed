/**
 * Rule-owned facts: a kind of fact (FactKind) declares extractors for the
 * calls it cares about, keyed by what the callee resolves to (ESLint's
 * selectors, over qualified names instead of syntax): `concurrent.futures.wait`
 * for a function or class, `.result` for a method of that name on any
 * receiver. The module walk calls them as it meets such calls, with a view of
 * the call in the model's terms, and keeps what they return (plain JSON data)
 * in the module's facts under the kind's id. Rules list the kinds they use
 * (Rule.facts); rules that use one kind share its facts, extracted once. The
 * data is cached, crosses threads and is replayed by the language server like
 * every other fact, and a rule's check reads it back (RuleContext.extracted).
 * No model file changes for a new kind.
 */
import type { Loc } from './facts.js';
import type { Value } from './values.js';

/** An argument (or the receiver) of an extracted call. */
export interface ExtractedArgument {
  value: Value;
  loc: Loc;
  /** Its source text, shortened for messages. */
  text: string;
  /** The literal `None` (parentheses aside). */
  isNone: boolean;
  /** Whether it is known to be done here: a `done()` check, or a bounded wait on the same expression, on every path before. */
  knownDone: boolean;
  /**
   * For a local name: where it may have been set to None on some path to here
   * (`x = None` at `loc`, or a parameter whose default is None); else null.
   */
  noneFrom: { loc: Loc; param: boolean } | null;
}

/** What an extractor sees of a call: its place and its arguments, in the model's terms. */
export interface CallView {
  /** The key the extractor was found by: a qualified name, or `.method`. */
  readonly key: string;
  readonly loc: Loc;
  /** The call's source text, shortened for messages. */
  readonly text: string;
  /** For a method call, the receiver. */
  readonly receiver: ExtractedArgument | null;
  /** For a method call, from the `.` before the method's name to the call's end (where such findings are reported). */
  readonly methodLoc: Loc | null;
  /** The parenthesised argument list and how many items it holds (comments included); null for `f(x for x in y)`. */
  readonly argumentList: { loc: Loc; count: number } | null;
  /** The `async def` whose body holds the call directly, else null. */
  readonly coroutine: string | null;
  /** Qualified name of the function whose body holds the call, else null (module level, class bodies, lambdas). */
  readonly inFunction: string | null;
  /** Whether the call is in a function passed to `add_done_callback` (which runs only once its future is done). */
  readonly inDoneCallback: boolean;
  /**
   * For a bound method handed to an API that calls it (`threading.Thread(target=fut.result)`),
   * that API's text: the call is made there, with the arguments the API passes; else null.
   */
  readonly calledBy: string | null;
  /**
   * For a bound method held by a name or a partial and called through it
   * (`waiter = fut.result; waiter()`), the callee's text (`waiter`): the
   * receiver is where the method was taken, the call and its place are here.
   */
  readonly boundAs: string | null;
  /** Whether the call unpacks arguments (`*args`, `**kwargs`): any argument not written out may be in them. */
  readonly unpacks: boolean;
  /** The argument passed at `position` or as `keyword`, if any. */
  argument(position: number, keyword?: string): ExtractedArgument | undefined;
}

/** Returns the data to keep for the call, or undefined to keep nothing. */
export type CallExtractor<T = unknown> = (call: CallView) => T | undefined;

/** A kind of fact kept from calls: its id (unique among kinds), and its extractors by key (a qualified name, or `.method`). */
export interface FactKind<T = unknown> {
  readonly id: string;
  readonly calls: Readonly<Record<string, CallExtractor<T>>>;
}

/** Data a kind's extractor kept, in the module's facts. */
export interface ExtractedFact {
  /** The FactKind's id. */
  kind: string;
  data: unknown;
}

/** Every extractor of a set of fact kinds, by key. */
export type ExtractorTable = ReadonlyMap<string, readonly { kind: string; extract: CallExtractor }[]>;

export const NO_EXTRACTORS: ExtractorTable = new Map();

/** The extractor table of a set of kinds; a kind listed twice (two rules using it) counts once. */
export function extractorTable(kinds: Iterable<FactKind>): ExtractorTable {
  const table = new Map<string, { kind: string; extract: CallExtractor }[]>();
  const seen = new Set<string>();
  for (const kind of kinds) {
    if (seen.has(kind.id)) continue;
    seen.add(kind.id);
    for (const [key, extract] of Object.entries(kind.calls)) {
      const list = table.get(key) ?? [];
      list.push({ kind: kind.id, extract: extract as CallExtractor });
      table.set(key, list);
    }
  }
  return table.size > 0 ? table : NO_EXTRACTORS;
}
