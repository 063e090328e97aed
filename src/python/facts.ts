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
export const FACTS_SCHEMA_VERSION = 4;

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
  /** Parameters it passes as the coroutine to run_coroutine_threadsafe: this makes it a submitting wrapper. */
  submitsParams: number[];
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
