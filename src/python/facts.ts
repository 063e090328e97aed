/**
 * What one module boils down to after it is parsed and analysed: plain,
 * JSON-serialisable facts. The syntax tree and the text are dropped once these
 * exist (they are what the cache stores and what worker threads send back).
 * Rules read facts; the project index resolves their symbolic values.
 */
import type { Point } from './positions.js';
import type { Value } from './values.js';
import type { ExtractedFact } from './extractors.js';
import type { NoqaDirective } from './noqa.js';

/**
 * The shape of ModuleFacts (and of the values in them), as cached: bump it
 * whenever that shape or its meaning changes, so that no cache made before
 * is read as facts of the new shape (see src/engine/cache-key.ts).
 */
export const FACTS_SCHEMA_VERSION = 11;

/**
 * Reads a record of facts by key. Records are keyed by Python names, and
 * `constructor` or `__proto__` are valid Python names: never let a lookup reach
 * Object.prototype (facts may also come back from JSON, with a prototype).
 */
export function own<T>(record: Record<string, T>, key: string | number): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** An empty record with no prototype, for facts keyed by Python names. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Makes plain data (objects, arrays) as small as it can be kept, in place, and
 * returns it:
 * - every string becomes the one copy `table` keeps of it (and keeps no other
 *   string alive, see detached). Keys need no such care: the engine keeps one
 *   copy of each property name;
 * - every array becomes a copy of its exact length. An array filled by `push`
 *   has room for 17 items after the first: most arrays of facts hold one or
 *   two, and that room was 17 MB of the standard library run's facts.
 * An array met twice (facts share values) stays shared.
 */
export function compactData<T>(data: T, table: Map<string, string>): T {
  const copies = new Map<unknown[], unknown[]>();
  const compactArray = (array: unknown[]): unknown[] => {
    let copy = copies.get(array);
    if (!copy) {
      copy = array.slice();
      copies.set(array, copy);
      copies.set(copy, copy);
      stack.push(copy);
    }
    return copy;
  };
  const stack: unknown[] = [];
  const root = Array.isArray(data) ? (compactArray(data) as T) : data;
  if (!Array.isArray(data)) stack.push(data);
  while (stack.length > 0) {
    const value = stack.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (typeof item === 'string') value[i] = intern(item, table);
        else if (Array.isArray(item)) value[i] = compactArray(item);
        else if (item !== null && typeof item === 'object') stack.push(item);
      }
    } else {
      for (const key in value) {
        const item = value[key];
        if (typeof item === 'string') value[key] = intern(item, table);
        else if (Array.isArray(item)) value[key] = compactArray(item);
        else if (item !== null && typeof item === 'object') stack.push(item);
      }
    }
  }
  return root;
}

function intern(text: string, table: Map<string, string>): string {
  const known = table.get(text);
  if (known !== undefined) return known;
  const kept = detached(text);
  table.set(kept, kept);
  return kept;
}

/**
 * A string equal to `text` that keeps no other string alive. Names and call
 * texts in facts made in this thread are slices of the module's source, and
 * the engine keeps a slice (of 13 characters or more) as a view of the whole
 * string: one name kept would keep the whole file's text. Slicing a fresh
 * concatenation makes the engine copy the text into a string of its own.
 */
function detached(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

/** The texts keptText made for the module being analysed, each by itself. */
const keptTexts = new Map<string, string>();

/**
 * A text taken from a module's source to keep in its facts (a name, a call's
 * text): one copy of it per module, which keeps no other string alive (see
 * detached). Facts live until the run ends, and the same texts recur in them
 * (`self.assertEqual()` at thousands of calls of one test module); without
 * this, on the standard library with site-packages, each kept its own copy and
 * the longer ones their whole file's text (20 MB of texts). Texts shorter than
 * 13 characters are copies already, and left as they are.
 */
export function keptText(text: string): string {
  return text.length < 13 ? text : intern(text, keptTexts);
}

/** Forgets the texts kept so far (analyzeModule calls it before and after each module). */
export function forgetKeptTexts(): void {
  keptTexts.clear();
}

/**
 * The list every function's `submitsParams`, `runsParams`, `forwards` and
 * `escapes` start as: most functions add nothing to them, and four empty
 * arrays for each of 400,000 functions in one file were garbage the collector
 * copied twice. Frozen, so a push to it throws instead of writing into every
 * function's list: add through addToFunction, which makes the function's own
 * list on the first item.
 */
const NO_ITEMS: readonly never[] = Object.freeze([]);

/** The lists of a FunctionFacts that start shared and empty (see NO_ITEMS). */
type FunctionList = 'submitsParams' | 'runsParams' | 'forwards' | 'escapes';

/** An empty list of a new FunctionFacts (see NO_ITEMS). */
export function noItems<T>(): T[] {
  return NO_ITEMS as unknown as T[];
}

/** Adds an item to one of the function's lists (see NO_ITEMS). */
export function addToFunction<K extends FunctionList>(fn: FunctionFacts, key: K, item: FunctionFacts[K][number]): void {
  const list = fn[key] as unknown[];
  if (list === (NO_ITEMS as unknown)) (fn as unknown as Record<K, unknown[]>)[key] = [item];
  else list.push(item);
}

export interface Loc {
  start: Point;
  end: Point;
}

/** A text edit, in UTF-16 offsets of the file's decoded text. */
export interface Fix {
  description: string;
  edits: { start: number; end: number; text: string }[];
}

/** An expression statement whose value is a call: `asyncio.run_coroutine_threadsafe(...)` dropped on the floor. */
export interface DiscardFact {
  value: Value;
  loc: Loc;
  calleeText: string;
}

/** A point through which SystemExit / KeyboardInterrupt may leave a function. */
export interface EscapeFact {
  via: 'raise' | 'exit' | 'call';
  loc: Loc;
  /** `sys.exit()`, `raise SystemExit`, `die()`: how the step is named in messages. */
  text: string;
  /** For `raise`: the raised class or instance. For `call`: the callee. */
  value: Value;
  /** For `exit`: the exception class that call raises (`builtins.SystemExit`). */
  raises?: string;
  /** Qualified names of exception classes caught around this point without re-raising. */
  caught: string[];
  /** For `call`: the keywords given as the literal False (`cli(standalone_mode=False)`), which some exits return on. */
  falseKeywords?: string[];
  /**
   * For `call`: the positions of arguments given as the literal False
   * (`cli.main(args, "bot", None, False)`), read as such only for a call that
   * unpacks no `*args` (positions are exact then).
   */
  falsePositions?: number[];
}

/**
 * A callable handed to an event loop, which calls it on its own thread:
 * `loop.call_soon(cb)`, `loop.add_signal_handler(sig, cb)`,
 * `task.add_done_callback(cb)` (see the `schedules-callback` and
 * `registers-done-callback` method rows).
 */
export interface LoopCallbackFact {
  /** The method that hands it over: `call_soon_threadsafe`, `add_signal_handler`, `add_done_callback`. */
  api: string;
  /** The callable passed. */
  callable: Value;
  /** When the callable is a library exit passed itself (`sys.exit`): the exception class calling it raises. */
  exits?: string;
  /**
   * For `add_done_callback`: the future it is called on. Only an asyncio
   * future's loop runs its callbacks; a concurrent one runs them in whichever
   * thread completes it, so the index evaluates this to know.
   */
  future?: Value;
  /** The whole call. */
  loc: Loc;
  /** The callable argument, and its source text. */
  callableLoc: Loc;
  callableText: string;
  /** From the callable to the end of the last argument (what a fix replacing the callback rewrites). */
  callbackArgsLoc: Loc;
  /** The receiver's source text when it is a name or a chain of attributes (`loop`, `self._loop`), else null. */
  receiverText: string | null;
}

/** How a coroutine function is used at one call site. */
export interface CoroutineUse {
  /** The called function. */
  callee: Value;
  /**
   * - `submitted`: passed to run_coroutine_threadsafe here;
   * - `wrapper-arg`: passed as argument `argIndex` to a call of `wrapper`, which may submit it;
   * - `main-run`: passed to asyncio.run / loop.run_until_complete / asyncio.Runner().run;
   * - `call`: any other call, inside function `inFunction` (null at module level).
   */
  how: 'submitted' | 'wrapper-arg' | 'main-run' | 'call';
  loc: Loc;
  inFunction: string | null;
  wrapper?: Value;
  argIndex?: number;
  argName?: string;
}

/**
 * A `while` loop that ends only once futures are done: each way out of it
 * (its condition turning false, a `break`, a `return`, a `raise`) is reached
 * only where a `done()` check, or a bounded wait that returned, shows one of
 * `futures` complete: `while not fut.done(): time.sleep(0.1)`,
 * `while not all(f.done() for f in futs)`, `while True: if fut.done(): break`,
 * a retry loop around `fut.result(timeout=1)`, `while pending:` over a
 * collection the body takes only done futures out of (see
 * drained-collections.ts). A `for` over an iterator that never ends
 * (`itertools.count()`) is read as `while True`. A loop with another way out
 * (a deadline, a counter, a flag, an exception raised) is none.
 */
export interface DoneLoopFact {
  /** From `while` to the end of its condition (from `for` to the end of its iterable). */
  loc: Loc;
  /** That header's text, shortened for messages (`while not fut.done()`, `for _ in itertools.count()`). */
  text: string;
  /** The futures its ways out show done. */
  futures: Value;
}

/** A parameter passed on to a call: parameter `param` is argument `argIndex` (or `argName`) of `callee`. */
export interface ParamForward {
  param: number;
  callee: Value;
  argIndex?: number;
  argName?: string;
}

/**
 * A call of something that may be a function or class of the project, with
 * the values of its arguments: recorded where some argument's value is known
 * to the model (a future, a name, a call), so that what a parameter receives
 * can be found at its callers (a `param` value).
 */
export interface CallFact {
  callee: Value;
  loc: Loc;
  /** Qualified name of the function whose body holds the call (null at module level). */
  inFunction: string | null;
  /** Values of the positional arguments, in order (empty where nothing is known). */
  args: Value[];
  /** Values of the keyword arguments, by name (each keyword written out). */
  keywords: Record<string, Value>;
  /** Whether the call unpacks arguments (`*args`, `**kwargs`). */
  unpacks: boolean;
  /**
   * Recorded only for the names it passes (`defer(loop, shutdown)`, a
   * closure's variable): no constant future, so the names through which
   * futures reach other files are not looked for among such calls (most calls
   * pass a module-level name, and resolving each would load modules).
   */
  callablesOnly?: true;
}

export interface FunctionFacts {
  /** Qualified name: `pkg.mod.func`, `pkg.mod.Class.method`, `pkg.mod.outer.inner`. */
  q: string;
  name: string;
  isAsync: boolean;
  /** Range of the function's name. */
  loc: Loc;
  params: string[];
  /** What it returns (union over its `return` statements). */
  returns: Value;
  /**
   * True when every `return` that returns a value returns a name on which a
   * done-callback that may read the future's outcome is registered in the
   * function (`fut.add_done_callback(log_failure); return fut`): a caller that
   * drops what it returns leaves the outcome to that callback. A callback
   * known to ignore its future (`lambda _: None`) does not count.
   */
  returnsHandled?: boolean;
  /** Parameters it passes as the coroutine to run_coroutine_threadsafe: this makes it a submitting wrapper. */
  submitsParams: number[];
  /** Parameters it passes as the coroutine to an entry point (asyncio.run, run_until_complete): a running wrapper. */
  runsParams: number[];
  /** Parameters it passes on unchanged to other calls, which may submit or run them in turn. */
  forwards: ParamForward[];
  escapes: EscapeFact[];
}

export interface ClassFacts {
  q: string;
  name: string;
  loc: Loc;
  bases: Value[];
  /** Attributes assigned on instances (`self.x = ...` in methods) and in the class body. */
  attrs: Record<string, Value>;
}

export interface ModuleFacts {
  /** Path as given to the linter (used for messages and related locations). */
  path: string;
  /** Dotted module name (`pkg.bridge`), derived from the path and `__init__.py` files. */
  module: string;
  isPackage: boolean;
  /** Module-level and nested bindings other than functions and classes: name (relative to the module) → value. */
  variables: Record<string, Value>;
  /** Import bindings: name (relative to the module) → qualified name it refers to. */
  imports: Record<string, string>;
  functions: FunctionFacts[];
  classes: ClassFacts[];
  discards: DiscardFact[];
  coroutineUses: CoroutineUse[];
  /** Callables handed to an event loop to call on its thread. */
  loopCallbacks: LoopCallbackFact[];
  doneLoops: DoneLoopFact[];
  /** Calls passing values the model knows (see CallFact). */
  calls: CallFact[];
  /** Modules imported with `from m import *`, in order. */
  starImports: string[];
  /** `# noqa` and `# pyhang: noqa` directives, in the order they are written. */
  noqa: NoqaDirective[];
  /** What rules' extractors kept from this module's calls (see extractors.ts). */
  extracted: ExtractedFact[];
  /** The first syntax error, if tree-sitter had to recover. */
  syntaxError: { loc: Loc; message: string } | null;
  /**
   * Code the walk did not analyse: each node nested deeper than MAX_DEPTH
   * (see flow-state.ts), where the walk gave up on it and what it holds. A list,
   * so that a replayed body brings its own back (see body-memo.ts).
   */
  notAnalysed: Loc[];
}
