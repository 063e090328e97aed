/**
 * Whether two versions of a module's facts are the same but for their
 * positions (Locs): what ProjectIndex.replace asks before it drops the answers
 * that read an open document. Most keystrokes change no fact (a comment, a
 * string, a number the model does not follow, a line moved down), and with
 * the same facts every answer the index gave is what a new index would give:
 * its answers are texts (Concrete) and hold no Loc.
 *
 * The walk replays an untouched definition's facts (body-memo.ts): the very
 * objects unless an edit above moved them, else copies with new Locs, so most
 * items compare by identity and the rest as JSON without their Locs. A
 * position held in any other shape (a hand-made future's `module:line:column`
 * in a term) is compared as text: an answer naming it does not outlive a
 * shift of its line.
 *
 * Only this fast path is kept. Tracking which top-level names each answer read
 * (so that an edit of one function keeps the answers about the others) was
 * built and measured in stop 21: most answers over a real module pass through
 * a cycle cut, which reads the whole module, so a fact-changing edit dropped
 * nearly everything anyway, and the tracking made such passes 20-40% slower.
 */
import type { Loc, ModuleFacts } from '../python/facts.js';
import { isLoc } from '../python/body-memo.js';

/** Each fact object's text without its positions, made once. */
const textsOf = new WeakMap<object, string>();

/** Leaves the Locs out of a fact's text. */
function withoutLocs(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { start, end } = value as { start?: { offset?: unknown }; end?: { offset?: unknown } };
    if (typeof start?.offset === 'number' && typeof end?.offset === 'number') return undefined;
  }
  return value;
}

function textOf(object: unknown): unknown {
  if (object === null || typeof object !== 'object') return object;
  let text = textsOf.get(object);
  if (text === undefined) textsOf.set(object, (text = JSON.stringify(object, withoutLocs)));
  return text;
}

/**
 * Each fact of an index's facts (see movePositions) that its positions were
 * last moved to match, with the fact they match: the same again next time,
 * when the same new fact comes back (a definition replayed without moving),
 * and then there is nothing to compare or move.
 */
const matched = new WeakMap<object, object>();

function sameItem(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && typeof a === 'object' && matched.get(a) === b) || textOf(a) === textOf(b);
}

/** Whether two records bind the same names, in the same order, to the same facts but for their positions. */
function sameRecord(x: Record<string, unknown>, y: Record<string, unknown>): boolean {
  const names = Object.keys(x);
  const others = Object.keys(y);
  if (names.length !== others.length) return false;
  for (let i = 0; i < names.length; i++) {
    if (names[i] !== others[i] || !sameItem(x[names[i]!], y[names[i]!])) return false;
  }
  return true;
}

/** Whether two versions of a module's facts are the same but for their positions (each list item by item). */
export function sameFactsButPositions(before: ModuleFacts, after: ModuleFacts): boolean {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!sameItem(x[i], y[i])) return false;
    } else if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) {
      // (Records by name, such as variables and imports: the same names in the same order, each fact compared.)
      if (!sameRecord(x as Record<string, unknown>, y as Record<string, unknown>)) return false;
    } else if (!sameItem(x, y)) return false;
  }
  return true;
}

/**
 * Moves the positions of `before` to those of `after`, facts that are the same
 * but for their positions (sameFactsButPositions): each Loc of `before` is
 * given, in place, the start and end of the Loc in the same place of `after`.
 * Whatever holds a Loc of `before` (the index's derived parts, a rule's cache,
 * a chain step) then reads the new position, so an edit that changes no fact
 * keeps every answer and every derived part of the index as it is (see
 * ProjectIndex.replace). False, with nothing moved, when a Loc of `before`
 * stands for two places of `after` (two facts shared one Loc, and the edit
 * moved them apart): the caller then takes `after` as new facts.
 */
export function movePositions(before: ModuleFacts, after: ModuleFacts): boolean {
  const moves = new Map<Loc, Loc>();
  const pairs: [object, object][] = [];
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  // Each fact of each list or record, paired with the one in its place.
  for (const key of Object.keys(a)) {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
      if (x !== y) return false;
      continue;
    }
    const xs = Object.values(x);
    const ys = Object.values(y);
    if (xs.length !== ys.length) return false;
    for (let i = 0; i < xs.length; i++) {
      const item = xs[i];
      const other = ys[i];
      if (item === other || (item !== null && typeof item === 'object' && matched.get(item) === other)) continue;
      if (!pairLocs(item, other, moves)) return false;
      if (item !== null && typeof item === 'object') pairs.push([item, other as object]);
    }
  }
  for (const [from, to] of moves) {
    from.start = to.start;
    from.end = to.end;
  }
  for (const [item, other] of pairs) matched.set(item, other);
  return true;
}

/** Pairs the Locs of two facts of the same shape, where they differ; false when the shapes differ or a Loc has two places. */
function pairLocs(x: unknown, y: unknown, moves: Map<Loc, Loc>): boolean {
  if (x === y) return true;
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!pairLocs(x[i], y[i], moves)) return false;
    return true;
  }
  if (isLoc(x)) {
    if (!isLoc(y)) return false;
    if (samePlace(x, y)) return true;
    const known = moves.get(x);
    if (known) return samePlace(known, y);
    moves.set(x, y);
    return true;
  }
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    const other = b[key];
    // (Equal scalars, as sameFactsButPositions found; the shapes are the same.)
    if (a[key] !== other && !pairLocs(a[key], other, moves)) return false;
  }
  return true;
}

function samePlace(a: Loc, b: Loc): boolean {
  return (
    a.start.offset === b.start.offset &&
    a.end.offset === b.end.offset &&
    a.start.line === b.start.line &&
    a.start.column === b.start.column &&
    a.end.line === b.end.line &&
    a.end.column === b.end.column
  );
}
