/**
 * What the module walk knows at a point of the code: the context (which
 * function, coroutine, class and handlers enclose it) and the flow-sensitive
 * state (local names' values, futures known done), with how states merge
 * where paths join and what `done()` checks imply.
 */
import type { SyntaxNode } from './parser.js';
import type { Scope } from './scopes.js';
import type { FunctionFacts } from './facts.js';
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
}

export interface State {
  vars: Map<string, Value>;
  /** Texts of futures known to be done on this path (`if fut.done():`). */
  done: Set<string>;
  dead: boolean;
}

export function cloneState(state: State): State {
  return { vars: new Map(state.vars), done: new Set(state.done), dead: state.dead };
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
  return { vars, done, dead: false };
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

/** Text used to match a future across `fut.done()` guards: whitespace-insensitive. */
export function guardKey(node: SyntaxNode): string {
  if (node.endIndex - node.startIndex > MAX_GUARD_TEXT) return `\u0000${node.startIndex}:${node.endIndex}`;
  return node.text.replace(/\s+/g, '');
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
    }
    return out;
  }
  if (node.type === 'not_operator') {
    const inner = doneGuards(node.childForFieldName('argument'), depth + 1);
    return { pos: inner.neg, neg: inner.pos };
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
