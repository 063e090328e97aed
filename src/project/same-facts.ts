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
import type { ModuleFacts } from '../python/facts.js';

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

function sameItem(a: unknown, b: unknown): boolean {
  return a === b || textOf(a) === textOf(b);
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
