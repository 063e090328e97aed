/**
 * Abstract values: what an expression may evaluate to, as far as pyhang cares.
 *
 * A value is a union (array) of terms. Constant terms say "a
 * run_coroutine_threadsafe future" (`fut`), "a collection of them" (`seq`) or
 * "a mapping whose values are such futures" (`map`); `newfut` is a future
 * made by hand, with the place it was made. Symbolic terms stand for
 * things another function, class or module decides (the return value of a
 * wrapper defined elsewhere, an attribute set in another method); the project
 * index resolves them once every module's facts are known. Terms are plain
 * JSON so facts can cross worker threads and live in the cache.
 */

export type Term =
  | { k: 'fut' }
  | { k: 'seq' }
  | { k: 'map' }
  /** The value bound to a qualified name: a function, class, module, module-level variable or a local of an enclosing function. */
  | { k: 'sym'; q: string }
  /** What calling `f` returns. */
  | { k: 'call'; f: Value }
  /**
   * An instance of the class `c` names, as a type annotation says
   * (`bot: Bot`, `self.client: Optional[Client]`): nothing when `c` is not a class.
   */
  | { k: 'inst'; c: Value }
  /** Attribute `n` of `o`. */
  | { k: 'attr'; o: Value; n: string }
  /** An element obtained by iterating `o`. */
  | { k: 'elem'; o: Value }
  /** `o[...]`. */
  | { k: 'item'; o: Value }
  /** `o.values()`. */
  | { k: 'vals'; o: Value }
  /** A collection whose elements are `e` (a list of wrapper results, say). */
  | { k: 'coll'; e: Value }
  /** A mapping whose values are `e` (a dict of wrapper results); iterating it yields keys. */
  | { k: 'mapv'; e: Value }
  /** An instance of the class the current method belongs to (`self`). */
  | { k: 'self'; c: string }
  /**
   * An object a library call returns that the model knows by name (see
   * LibraryObject in src/library/apis.ts: the running event loop, an asyncio
   * task). It rides along with what the call returns otherwise.
   */
  | { k: 'obj'; t: string }
  /**
   * A future made by calling its class (`concurrent.futures.Future()`), not
   * handed out by an executor or asyncio: only code that calls its
   * `set_result` / `set_exception` completes it. `at` names the call that made
   * it (`module:line:column`), so that two such futures are told apart.
   */
  | { k: 'newfut'; at: string }
  /**
   * What run_coroutine_threadsafe adds to its future when the loop it is
   * given (`l`) is not known where it is called (`self._loop`, a parameter):
   * the `running-loop-future` object once `l` resolves to the running loop.
   */
  | { k: 'onloop'; l: Value }
  /**
   * What is passed for parameter `i` of function `f` (qualified name) at its
   * call sites in the project (data only: callables passed as arguments are
   * not followed, see ProjectIndex).
   */
  | { k: 'param'; f: string; i: number };

export type Value = Term[];

export const NOTHING: Value = [];
export const FUTURE: Value = [{ k: 'fut' }];
export const FUTURE_SEQ: Value = [{ k: 'seq' }];
export const FUTURE_MAP: Value = [{ k: 'map' }];

/** Keeps values small: unions deduplicate, and deeply nested terms are cut off (an unknown value is a safe answer). */
const MAX_TERMS = 16;
const MAX_DEPTH = 6;

/** Each term's key, made once: values share terms, and a term is compared many times (unions fold element by element). */
const termKeys = new WeakMap<Term, string>();

function termKey(term: Term): string {
  let key = termKeys.get(term);
  if (key === undefined) {
    key = JSON.stringify(term);
    termKeys.set(term, key);
  }
  return key;
}

function depth(value: Value): number {
  let max = 0;
  for (const term of value) {
    let d = 0;
    if (term.k === 'call') d = depth(term.f);
    else if (term.k === 'inst') d = depth(term.c);
    else if (term.k === 'attr' || term.k === 'elem' || term.k === 'item' || term.k === 'vals') d = depth(term.o);
    else if (term.k === 'coll' || term.k === 'mapv') d = depth(term.e);
    else if (term.k === 'onloop') d = depth(term.l);
    max = Math.max(max, d + 1);
  }
  return max;
}

export function union(...values: Value[]): Value {
  if (values.length === 1) return values[0]!;
  // Most unions add nothing to one of the values (the others are empty, or the same value): it is the answer.
  let only: Value | undefined;
  let several = false;
  for (const value of values) {
    if (value.length === 0 || value === only) continue;
    if (only !== undefined) {
      several = true;
      break;
    }
    only = value;
  }
  if (!several) return only ?? [];
  if (values.length === 2) {
    // Two single terms (a parameter and what is stored into it, a call's value and an object it carries): equal
    // when they are one object, different when their kinds are (their keys could not be equal): no key made.
    const a = values[0]!;
    const b = values[1]!;
    if (a.length === 1 && b.length === 1) {
      if (a[0] === b[0]) return [a[0]!];
      if (a[0]!.k !== b[0]!.k) return [a[0]!, b[0]!];
    }
  }
  // The first MAX_TERMS distinct terms, in order: once they are found, what follows is cut off anyway.
  // (A literal of a million calls folds each element into a full union: it stops here after the first.)
  const seen = new Map<string, Term>();
  for (const value of values) {
    for (const term of value) {
      const key = termKey(term);
      if (!seen.has(key)) {
        seen.set(key, term);
        if (seen.size === MAX_TERMS) return [...seen.values()];
      }
    }
  }
  return [...seen.values()];
}

export function sameValue(a: Value, b: Value): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(termKey));
  return b.every((t) => keys.has(termKey(t)));
}

/**
 * The terms of `value` that pass `keep`: `value` itself when all do (values
 * are never mutated, so they share it), else a list of its own at its length.
 * These lists end up inside terms kept in facts until the run ends, and
 * `filter` fills its answer by push, which keeps room for 17 terms: on the
 * standard library with site-packages, 13 MB of such room.
 */
function termsWhere(value: Value, keep: (t: Term) => boolean): Value {
  return value.every(keep) ? value : value.filter(keep).slice();
}

function derive(value: Value, make: (v: Value) => Term): Value {
  if (value.length === 0 || depth(value) >= MAX_DEPTH) return NOTHING;
  return [make(value)];
}

/** The `onloop` term of a future submitted to `loop`, where the loop may be resolved later (see Term). */
export function submittedToLoop(loop: Value): Value {
  return derive(termsWhere(loop, (t) => !isConstant(t) && !isContainer(t) && t.k !== 'obj'), (l) => ({ k: 'onloop', l }));
}

/** A parameter's value (see Term). */
export function paramOf(f: string, i: number): Value {
  return [{ k: 'param', f, i }];
}

/**
 * Terms whose attributes and calls are not followed: a parameter's value is
 * data passed in (a future, a collection of them); `param.method()` is not
 * resolved through the callers (it would make a call fact of nearly every
 * call on a parameter, for nothing a rule asks).
 */
function notFollowed(t: Term): boolean {
  if (t.k === 'param') return true;
  if (t.k === 'elem' || t.k === 'item' || t.k === 'vals') return t.o.length > 0 && t.o.every(notFollowed);
  return false;
}

/** The value of calling `f`, simplified where the answer is already known. */
export function callOf(f: Value): Value {
  return derive(termsWhere(f, (t) => !notFollowed(t)), (v) => ({ k: 'call', f: v }));
}

/** An instance of the class `c` names, if it names one (see Term). */
export function instanceOf(c: Value): Value {
  return derive(c, (v) => ({ k: 'inst', c: v }));
}

export function attrOf(o: Value, n: string): Value {
  const symbolic = termsWhere(o, (t) => !isConstant(t) && !isContainer(t) && !notFollowed(t));
  return derive(symbolic, (v) => ({ k: 'attr', o: v, n }));
}

/**
 * `o.n` taken as a value and not called (`waiter = fut.result`): attribute `n`
 * of all of `o`, constant terms too (the receiver a later call of it calls
 * the method on). The index reads it as any attribute.
 */
export function boundMethodOf(o: Value, n: string): Value {
  return derive(o, (v) => ({ k: 'attr', o: v, n }));
}

const isConstant = (t: Term): boolean => t.k === 'fut' || t.k === 'seq' || t.k === 'map';
/** Terms whose element or value is known here, without the project index. */
const isContainer = (t: Term): boolean => t.k === 'coll' || t.k === 'mapv';

/** Iterating: a collection of futures yields futures; a mapping yields its keys (nothing of interest). */
export function elemOf(o: Value): Value {
  const out: Value[] = [];
  if (o.some((t) => t.k === 'seq')) out.push(FUTURE);
  for (const t of o) if (t.k === 'coll') out.push(t.e);
  const symbolic = termsWhere(o, (t) => !isConstant(t) && !isContainer(t));
  out.push(derive(symbolic, (v) => ({ k: 'elem', o: v })));
  return union(...out);
}

export function itemOf(o: Value): Value {
  const out: Value[] = [];
  if (o.some((t) => t.k === 'seq' || t.k === 'map')) out.push(FUTURE);
  for (const t of o) if (t.k === 'coll' || t.k === 'mapv') out.push(t.e);
  const symbolic = termsWhere(o, (t) => !isConstant(t) && !isContainer(t));
  out.push(derive(symbolic, (v) => ({ k: 'item', o: v })));
  return union(...out);
}

export function valuesOf(o: Value): Value {
  const out: Value[] = [];
  if (o.some((t) => t.k === 'map')) out.push(FUTURE_SEQ);
  for (const t of o) if (t.k === 'mapv') out.push(collectionOf(t.e));
  const symbolic = termsWhere(o, (t) => !isConstant(t) && !isContainer(t));
  out.push(derive(symbolic, (v) => ({ k: 'vals', o: v })));
  return union(...out);
}

/**
 * A collection holding elements of `value`: futures make a `seq`; symbolic
 * elements, and collections of futures (`(name, fut)` tuples in a list), a
 * `coll` of them.
 */
export function collectionOf(value: Value): Value {
  const out: Value[] = [];
  if (value.some((t) => t.k === 'fut')) out.push(FUTURE_SEQ);
  const symbolic = termsWhere(value, (t) => t.k !== 'fut');
  out.push(derive(symbolic, (v) => ({ k: 'coll', e: v })));
  return union(...out);
}

/** A mapping holding values of `value`: futures make a `map`; symbolic values a `mapv`. */
export function mappingOf(value: Value): Value {
  const out: Value[] = [];
  if (value.some((t) => t.k === 'fut')) out.push(FUTURE_MAP);
  const symbolic = termsWhere(value, (t) => !isConstant(t));
  out.push(derive(symbolic, (v) => ({ k: 'mapv', e: v })));
  return union(...out);
}

/**
 * Symbols made while analysing one module, so each name's value is one object
 * however often it is used (values are never mutated).
 */
const symbols = new Map<string, Value>();

/** Forgets the symbols of the last module (analyzeModule calls it first). */
export function resetSymbols(): void {
  symbols.clear();
  builtinSymbols.clear();
}

/** `builtins.<name>` by bare name: a lookup of `int` or `len` then makes and hashes no new dotted text. */
const builtinSymbols = new Map<string, Value>();

/** The same value as `symbol(\`builtins.${name}\`)`. */
export function builtinSymbol(name: string): Value {
  let value = builtinSymbols.get(name);
  if (!value) {
    value = symbol(`builtins.${name}`);
    builtinSymbols.set(name, value);
  }
  return value;
}

export function symbol(q: string): Value {
  let value = symbols.get(q);
  if (!value) {
    value = [{ k: 'sym', q }];
    symbols.set(q, value);
  }
  return value;
}

/**
 * The value `def` or `class` binds its name to: the same as symbol(q), but
 * not kept in the table. A definition is the one place most such names are
 * written out (the module's own code reads them from the state, where this
 * value is), and a file of 400,000 definitions kept a table of them all.
 */
export function definedSymbol(q: string): Value {
  return [{ k: 'sym', q }];
}

const libraryObjects = new Map<string, Value>();

/** The value of an object the library rows know by name (one object per name: values are never mutated). */
export function libraryObject(name: string): Value {
  let value = libraryObjects.get(name);
  if (!value) {
    value = [{ k: 'obj', t: name }];
    libraryObjects.set(name, value);
  }
  return value;
}

/** Whether the value may be the library object of that name, as the walk knows it here (no resolution). */
export function mayBeLibraryObject(value: Value, name: string): boolean {
  return value.some((t) => t.k === 'obj' && t.t === name);
}

export function isEmpty(value: Value): boolean {
  return value.length === 0;
}

export function singleSymbol(value: Value): string | null {
  return value.length === 1 && value[0]!.k === 'sym' ? value[0]!.q : null;
}

/** A callee that might be a function of the project (not a builtin): worth a call-site record. */
export function mayBeProjectCallee(value: Value): boolean {
  return value.some((t) => (t.k !== 'sym' || !t.q.startsWith('builtins.')) && !notFollowed(t));
}
