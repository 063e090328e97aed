/**
 * Whether two versions of a module's facts are the same but for their
 * positions (Locs), and if so the old ones' positions moved to the new: what
 * ProjectIndex.replace asks before it drops the answers that read an open
 * document. Most keystrokes change no fact (a comment, a string, a number the
 * model does not follow, a line moved down), and with the same facts every
 * answer the index gave is what a new index would give: its answers are texts
 * (Concrete) and hold no Loc; what it derived holds the old facts, whose Locs
 * then say where each fact now is.
 *
 * The walk replays an untouched definition's facts (body-memo.ts): the very
 * objects unless an edit above moved them, else copies with new Locs, so most
 * items compare by identity and the rest as data, key by key. A position held
 * in any other shape (a hand-made future's `module:line:column` in a term) is
 * compared as data: an answer naming it does not outlive a shift of its line.
 *
 * Only this fast path is kept. Tracking which top-level names each answer read
 * (so that an edit of one function keeps the answers about the others) was
 * built and measured in stop 21: most answers over a real module pass through
 * a cycle cut, which reads the whole module, so a fact-changing edit dropped
 * nearly everything anyway, and the tracking made such passes 20-40% slower.
 */
import type { Loc, ModuleFacts } from '../python/facts.js';
import { isLoc } from '../python/body-memo.js';

/**
 * Each fact of an index's facts whose positions were last moved to match
 * another's, with that fact: the same again when the same new fact comes back
 * (a definition replayed without moving), and then there is nothing to compare
 * or move.
 */
const matched = new WeakMap<object, object>();

/**
 * Whether `after` holds the same facts as `before` but for their positions,
 * each list item by item and each record name by name in the same order; if
 * so, each position of `before` is given, in place, the start and end of the
 * one in the same place of `after`. Whatever holds a position of `before` (the
 * index's derived parts, a rule's cache, a chain step) then reads the new one,
 * so an edit that changes no fact keeps the index as it is (see
 * ProjectIndex.replace). False, with nothing moved, when the facts differ or a
 * position of `before` stands for two places of `after` (two facts shared one
 * Loc, and the edit moved them apart): the caller then takes `after` as new facts.
 */
export function movePositions(before: ModuleFacts, after: ModuleFacts): boolean {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  const moves = new Map<Loc, Loc>();
  const pairs: [object, object][] = [];
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || Array.isArray(x) !== Array.isArray(y)) return false;
    // A list item by item, a record (variables, imports) name by name in the same order.
    const xs = Array.isArray(x) ? x : Object.values(x);
    const ys = Array.isArray(y) ? y : Object.values(y);
    if (xs.length !== ys.length) return false;
    if (!Array.isArray(x)) {
      const names = Object.keys(x);
      const others = Object.keys(y);
      for (let i = 0; i < names.length; i++) if (names[i] !== others[i]) return false;
    }
    for (let i = 0; i < xs.length; i++) {
      const item: unknown = xs[i];
      const other: unknown = ys[i];
      if (item === other) continue;
      if (item !== null && typeof item === 'object') {
        if (matched.get(item) === other) continue;
        pairs.push([item, other as object]);
      }
      if (!pair(item, other, moves)) return false;
    }
  }
  for (const [from, to] of moves) {
    from.start = to.start;
    from.end = to.end;
  }
  for (const [item, other] of pairs) matched.set(item, other);
  return true;
}

/**
 * Whether two fact values are the same but for their positions, noting each
 * pair of Locs that differ. A Loc is what replay moves (body-memo.ts isLoc):
 * any other shape holding a position is compared as data, so an edit that
 * moves it is not taken for one that changes no fact.
 */
function pair(x: unknown, y: unknown, moves: Map<Loc, Loc>): boolean {
  if (x === y) return true;
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!pair(x[i], y[i], moves)) return false;
    return true;
  }
  if (Array.isArray(y)) return false;
  if (isLoc(x) || isLoc(y)) {
    if (!isLoc(x) || !isLoc(y)) return false;
    if (samePlace(x, y)) return true;
    const known = moves.get(x);
    if (known) return samePlace(known, y);
    moves.set(x, y);
    return true;
  }
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!pair(a[key], b[key], moves)) return false;
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
