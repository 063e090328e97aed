/**
 * What the module walk knows at a point of the code: the context (which
 * function, coroutine, class and handlers enclose it) and the flow-sensitive
 * state (local names' values, futures known done), with how states merge
 * where paths join and what `done()` checks imply.
 */
import type { SyntaxNode } from './parser.js';
import type { Scope } from './scopes.js';
import type { FunctionFacts, Loc } from './facts.js';
import { union, type Value } from './values.js';
import { unwrapParens } from './expression-shapes.js';

/**
 * How deep the walk goes into nested expressions (and assignment targets), and
 * into nested blocks: past these it gives up on what is deeper and records
 * where (ModuleFacts.notAnalysed), rather than overflow the JavaScript stack.
 * Both are well under what the stack holds (calls `f(f(…))` overflowed
 * between 600 and 800 levels); blocks get more, because `a.b().c()…`-style
 * chains do not count (see evalSpine) and CPython stops at 100 indents anyway.
 */
export const MAX_DEPTH = 400;
export const MAX_STATEMENT_DEPTH = 600;

/** How deep doneGuards looks into a condition (its own bound: every operator of a chain asks again). */
const MAX_GUARD_DEPTH = 400;

export interface Ctx {
  scope: Scope;
  /** The function whose facts this code contributes to (null at module level, in class bodies and lambdas). */
  fn: FunctionFacts | null;
  /** Name of the `async def` whose body this is directly. */
  coroutine: string | null;
  /** The class, for code inside a method (`self` refers to its instances). */
  classQ: string | null;
  classRel: string | null;
  selfName: string | null;
  doneCallback: boolean;
  /** Exception classes caught, without re-raising, around the current point. */
  caught: string[];
  loopDepth: number;
  /** The loops of this function (or module level) around the current point, innermost last. */
  loops: LoopFrame[];
}

/**
 * A loop being walked, and what its ways out show about futures (see
 * ModuleFacts.doneLoops): each `break` of its own, each `return` and `raise`
 * in it and, for a `while`, its condition turning false.
 */
export interface LoopFrame {
  kind: 'while' | 'for';
  /** Futures known done where the loop starts: a way out shows nothing by them. */
  entry: ReadonlySet<string>;
  /** How many ways out were met (only while recording: a loop's first pass only carries values). */
  exits: number;
  /** Whether some way out is reached with no future newly known done (a deadline, a counter, a flag). */
  open: boolean;
  /** The futures the ways out showed done. */
  futures: Value;
  /**
   * For a loop that ends only by its `break`s (`while True:`, `for _ in
   * itertools.count():`): the state at each `break`, which is all that flows
   * past the loop (`while True: if fut.done(): break` leaves fut done).
   */
  breaks?: State[];
}

/**
 * The handlers and loops around code that has none (each function body, class
 * body and lambda starts so): shared, as nothing changes a context's lists in
 * place (a handler or loop entered makes a new context with a longer list).
 */
export const NO_CAUGHT: string[] = Object.freeze([]) as unknown as string[];
export const NO_LOOPS: LoopFrame[] = Object.freeze([]) as unknown as LoopFrame[];

/**
 * Where a local name may have been set to None: `x = None` (`loc`: the name), or
 * a parameter whose default is None (`param`). A Loc, not a line number: facts'
 * positions are their Locs, which a replayed body moves (body-memo.ts).
 */
export interface NoneSource {
  loc: Loc;
  param: boolean;
}

/** No name set to None (shared: a state's `none` map is replaced, never changed). */
export const NO_NONE: ReadonlyMap<string, NoneSource> = new Map();

export interface State {
  /** Local names' values. Shared between a state and its clones until one of them writes (see writableVars): read it freely, write through writableVars. */
  vars: Map<string, Value>;
  /** Whether `vars` may be shared with another state (see cloneState). */
  sharedVars?: boolean;
  /** Local names that may hold None on some path to here, and where it was set; replaced on change, so clones share it. */
  none: ReadonlyMap<string, NoneSource>;
  /** Texts of futures known to be done on this path (`if fut.done():`). Shared like `vars`: read it freely, write through writableDone. */
  done: Set<string>;
  /** Whether `done` may be shared with another state (see cloneState). */
  sharedDone?: boolean;
  dead: boolean;
}

/**
 * A copy of the state. The names' values are copied on write: the two share
 * one map until either writes (see writableVars). A branch copies the state at
 * every `if`, `try` and loop, and most branches bind few names or none, where
 * copying every name of a long function (or of a module) each time cost the
 * most.
 */
export function cloneState(state: State): State {
  state.sharedVars = true;
  state.sharedDone = true;
  return { vars: state.vars, sharedVars: true, none: state.none, done: state.done, sharedDone: true, dead: state.dead };
}

/**
 * No future known done: what a new state starts with (each function body,
 * class body and module), shared until one is (see writableDone). Never
 * written to: a Set cannot be frozen, so every write goes through writableDone.
 */
const NO_DONE: Set<string> = new Set();

/** A new state: no names bound yet, none known done. */
export function newState(none: ReadonlyMap<string, NoneSource> = NO_NONE): State {
  return { vars: new Map(), none, done: NO_DONE, sharedDone: true, dead: false };
}

/** The state's done keys, its own to change (copied first if shared, see cloneState). */
export function writableDone(state: State): Set<string> {
  if (state.sharedDone) {
    state.done = new Set(state.done);
    state.sharedDone = false;
  }
  return state.done;
}

/** Takes `from`'s done keys into `state` (where paths join): shared from then on, as after cloneState. */
export function adoptDone(state: State, from: State): void {
  state.done = from.done;
  state.sharedDone = true;
  from.sharedDone = true;
}

/** The state's names' values, its own to change (copied first if shared, see cloneState). */
export function writableVars(state: State): Map<string, Value> {
  if (state.sharedVars) {
    state.vars = new Map(state.vars);
    state.sharedVars = false;
  }
  return state.vars;
}

/** Takes `from`'s names' values into `state` (where paths join): shared from then on, as after cloneState. */
export function adoptVars(state: State, from: State): void {
  state.vars = from.vars;
  state.sharedVars = true;
  from.sharedVars = true;
}

export function mergeStates(states: State[]): State {
  const live = states.filter((s) => !s.dead);
  if (live.length === 0) {
    const merged = cloneState(states[0]!);
    merged.dead = true;
    return merged;
  }
  if (live.length === 1) return cloneState(live[0]!);
  const vars = new Map<string, Value>();
  for (const s of live) {
    for (const [name, value] of s.vars) vars.set(name, vars.has(name) ? union(vars.get(name)!, value) : value);
  }
  const done = new Set([...live[0]!.done].filter((d) => live.every((s) => s.done.has(d))));
  // None on any path is None on some path to here.
  let none = live[0]!.none;
  for (const s of live) {
    if (s.none === none || s.none.size === 0) continue;
    const merged = new Map(none);
    for (const [name, source] of s.none) if (!merged.has(name)) merged.set(name, source);
    none = merged;
  }
  return { vars, none, done, dead: false };
}

/**
 * Expressions longer than this match no other in `fut.done()` guards: no real
 * future is named by such a text, and keying every level of a chain ten
 * thousand calls long by its whole text would be quadratic.
 */
const MAX_GUARD_TEXT = 10_000;

function distinct(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

/**
 * The expression each key was last made from, in the module being analysed:
 * a loop's way out names the futures it shows done by their keys, and the
 * loop's fact needs their values (see StatementAnalyzer.loopExit).
 */
const keyedNodes = new Map<string, SyntaxNode>();

/** Text used to match a future across `fut.done()` guards: whitespace-insensitive. */
export function guardKey(node: SyntaxNode): string {
  const key = node.endIndex - node.startIndex > MAX_GUARD_TEXT ? `\u0000${node.startIndex}:${node.endIndex}` : node.text.replace(/\s+/g, '');
  keyedNodes.set(key, node);
  return key;
}

/** Marks, in a state's done keys, that the local `name` wraps the future of key `future` (`w = asyncio.wrap_future(fut)`). */
export function wrapsKey(name: string, future: string): string {
  // Starts with `name[`: rebinding `name` forgets it (see assignName); no expression's key has this shape.
  return `${name}[wraps]${future}`;
}

/** Marks the future of `key` known done on this path, and the futures the local it names wraps (see wrapsKey). */
export function markDone(state: State, key: string): void {
  const done = writableDone(state);
  done.add(key);
  const prefix = `${key}[wraps]`;
  for (const k of [...done]) if (k.startsWith(prefix)) done.add(k.slice(prefix.length));
}

/**
 * The key for "every element of `node` is done" (`all(f.done() for f in futs)`),
 * or "one of them is" (`any(...)`): such a key never equals a future's own key
 * (no expression starts with `*` or `?`), so it makes no future known done.
 */
function elementsKey(node: SyntaxNode, mark: '*' | '?'): string {
  const key = `${mark}${guardKey(node)}`;
  keyedNodes.set(key, node);
  return key;
}

/** The key for "every element of `node` is done" (a drained `while pending:` loop that ended, see doneLoops). */
export function allDoneKey(node: SyntaxNode): string {
  return elementsKey(node, '*');
}

/** The expression a key was made from, and whether the key stands for its elements; undefined if unknown. */
export function guardedExpression(key: string): { node: SyntaxNode; elements: boolean } | undefined {
  const node = keyedNodes.get(key);
  return node ? { node, elements: key.startsWith('*') || key.startsWith('?') } : undefined;
}

/** Forgets the keys of the last module (analyzeModule calls it before and after each module). */
export function forgetGuardKeys(): void {
  keyedNodes.clear();
}

/**
 * `futs` in `all(f.done() for f in futs)` and `any(not f.done() for f in futs)`:
 * the iterable whose elements are checked, and whether the check is negated; else null.
 */
function doneOverElements(call: SyntaxNode): { iterable: SyntaxNode; negated: boolean } | null {
  const args = call.childForFieldName('arguments');
  const generator = args?.type === 'generator_expression' ? args : args?.namedChildCount === 1 ? args.namedChild(0) : null;
  if (generator?.type !== 'generator_expression') return null;
  const clauses = generator.namedChildren.filter((c) => c.type === 'for_in_clause');
  let body = generator.childForFieldName('body');
  if (clauses.length !== 1 || !body) return null;
  let negated = false;
  if (unwrapParens(body).type === 'not_operator') {
    negated = true;
    body = unwrapParens(body).childForFieldName('argument');
  }
  if (!body || unwrapParens(body).type !== 'call') return null;
  const fn = unwrapParens(body).childForFieldName('function');
  const element = clauses[0]!.childForFieldName('left');
  const iterable = clauses[0]!.childForFieldName('right');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'done' || element?.type !== 'identifier' || !iterable) return null;
  if (fn.childForFieldName('object')?.text !== element.text) return null;
  return { iterable, negated };
}

/**
 * Futures whose `.done()` is implied true when `cond` is true (`pos`) or when it is false (`neg`).
 * Past MAX_GUARD_DEPTH nested operators nothing more is implied (a long `a and b and …` chain nests to the
 * left): fewer futures known done, never a hazard missed.
 */
export function doneGuards(cond: SyntaxNode | null, depth = 0): { pos: string[]; neg: string[] } {
  const out = { pos: [] as string[], neg: [] as string[] };
  if (!cond || depth > MAX_GUARD_DEPTH) return out;
  const node = unwrapParens(cond);
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'done') {
      const obj = fn.childForFieldName('object');
      if (obj) out.pos.push(guardKey(obj));
    } else if (fn?.type === 'identifier' && (fn.text === 'all' || fn.text === 'any')) {
      const polled = doneOverElements(node);
      // `all(f.done() ...)` true: every one done; `any(not f.done() ...)` false: the same. `any(f.done() ...)`,
      // `all(not f.done() ...)`: one done.
      if (polled?.negated === false) out.pos.push(elementsKey(polled.iterable, fn.text === 'all' ? '*' : '?'));
      if (polled?.negated === true) out.neg.push(elementsKey(polled.iterable, fn.text === 'any' ? '*' : '?'));
    }
    return out;
  }
  if (node.type === 'not_operator') {
    const inner = doneGuards(node.childForFieldName('argument'), depth + 1);
    return { pos: inner.neg, neg: inner.pos };
  }
  if (node.type === 'comparison_operator' && node.namedChildCount === 2) {
    // `fut.done() is False`, `fut.done() == True`, `fut.done() is not True`: the call, or its negation.
    const operator = node.children.slice(1, -1).map((c) => c.text).join(' ');
    const right = unwrapParens(node.namedChild(1)!).type;
    if ((right === 'true' || right === 'false') && ['is', '==', 'is not', '!='].includes(operator)) {
      const inner = doneGuards(node.namedChild(0), depth + 1);
      const same = (right === 'true') === (operator === 'is' || operator === '==');
      return same ? inner : { pos: inner.neg, neg: inner.pos };
    }
  }
  if (node.type === 'boolean_operator') {
    const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
    const left = doneGuards(node.childForFieldName('left'), depth + 1);
    const right = doneGuards(node.childForFieldName('right'), depth + 1);
    // `a and b` true ⇒ both true; `a or b` false ⇒ both false. Each key once: in `fut.done() and
    // fut.done() and …` the lists grew with every operator (quadratic per condition, and every
    // operator of a chain asks about its left side).
    if (op === 'and') out.pos = distinct(left.pos, right.pos);
    if (op === 'or') out.neg = distinct(left.neg, right.neg);
  }
  return out;
}

/**
 * Local names known not to be None when `cond` is true (`pos`) or false
 * (`neg`): `x is not None`, `x is None`, `x` (None is false), and `not`,
 * `and`, `or` of those. Deeper conditions imply nothing (a timeout kept
 * possibly None: a warning too many, never a hazard missed).
 */
export function noneGuards(cond: SyntaxNode | null, depth = 0): { pos: string[]; neg: string[] } {
  const out = { pos: [] as string[], neg: [] as string[] };
  if (!cond || depth > MAX_GUARD_DEPTH) return out;
  const node = unwrapParens(cond);
  if (node.type === 'identifier') out.pos.push(node.text);
  else if (node.type === 'comparison_operator' && node.namedChildCount === 2) {
    const [left, right] = node.namedChildren;
    const op = node.children.slice(1, -1).map((c) => c.type).join(' ');
    if (left!.type === 'identifier' && unwrapParens(right!).type === 'none') {
      if (op === 'is not' || op === '!=') out.pos.push(left!.text);
      else if (op === 'is' || op === '==') out.neg.push(left!.text);
    }
  } else if (node.type === 'not_operator') {
    const inner = noneGuards(node.childForFieldName('argument'), depth + 1);
    return { pos: inner.neg, neg: inner.pos };
  } else if (node.type === 'boolean_operator') {
    const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
    const left = noneGuards(node.childForFieldName('left'), depth + 1);
    const right = noneGuards(node.childForFieldName('right'), depth + 1);
    if (op === 'and') out.pos = distinct(left.pos, right.pos);
    if (op === 'or') out.neg = distinct(left.neg, right.neg);
  }
  return out;
}

/** Forgets that these names may be None on this path (a guard ruled it out). */
export function dropNone(state: State, names: readonly string[]): void {
  if (names.length === 0 || !names.some((name) => state.none.has(name))) return;
  const none = new Map(state.none);
  for (const name of names) none.delete(name);
  state.none = none;
}
