/**
 * What the language server keeps between analyses of an edited document:
 * each module-level definition's effects on the facts, replayed when an
 * incremental parse hands back the same definition (see BodyEffects).
 */
import type { ParseState, SyntaxNode } from './parser.js';
import type { ScopeEvent } from './scopes.js';
import type { Loc, ModuleFacts } from './facts.js';
import type { Value } from './values.js';

/**
 * What analysing the body of a function or class defined at module level added
 * to the facts. A document that is edited and analysed again (the language
 * server) keeps these per definition: an incremental parse hands back the very
 * same node for a definition the edit did not touch (see copyTree), and its
 * body is not analysed again but replayed, with its positions moved if the
 * edit shifted it. A body depends on nothing outside it but what `context`
 * names (its module, the module's bindings, the done-callback names, whether a
 * star import comes first), so an entry serves only under the same context.
 */
export interface BodyEffects {
  /** The context's number (see contextIds). */
  context: number;
  /** Where the definition started when this was recorded. */
  start: number;
  line: number;
  column: number;
  /**
   * What the body appended to each list of the module's facts, by the list's
   * key: every list, whatever the facts hold (no list is named here, so a new
   * kind of fact is replayed like the others).
   */
  lists: Record<string, unknown[]>;
  log: EffectLog;
}

/** The module's fact lists, by key (every array-valued entry of the facts). */
export function factLists(facts: ModuleFacts): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  for (const key of Object.keys(facts)) {
    const value = (facts as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) out.push([key, value]);
  }
  return out;
}

/** Whether a fact value is a Loc (a range with offsets): what replay moves. */
export function isLoc(value: object): value is Loc {
  const { start, end } = value as Partial<Loc>;
  return typeof start?.offset === 'number' && typeof end?.offset === 'number' && Object.keys(value).length === 2;
}

/**
 * Recorded facts with every Loc in them replaced by `place(loc)`: facts are
 * plain data, and their positions are the Locs they hold. What holds no Loc
 * is not copied (values, names: most of a body's facts), only the arrays and
 * objects on the way to a Loc; facts are never changed once recorded.
 */
export function relocated<T>(data: T, place: (loc: Loc) => Loc): T {
  if (data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) {
    // A value (an array of terms, values.ts) holds names and values, never a Loc: most of a body's facts are values.
    if (isValue(data)) return data;
    let copy: unknown[] | null = null;
    for (let i = 0; i < data.length; i++) {
      const item: unknown = data[i];
      const moved = relocated(item, place);
      if (copy === null && moved !== item) copy = data.slice(0, i);
      copy?.push(moved);
    }
    return (copy ?? data) as T;
  }
  if (isLoc(data)) return place(data) as T;
  let copy: Record<string, unknown> | null = null;
  const keys = Object.keys(data);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value: unknown = (data as Record<string, unknown>)[key];
    const moved = relocated(value, place);
    if (moved === value) continue;
    copy ??= Object.assign(Object.create(Object.getPrototypeOf(data)) as Record<string, unknown>, data);
    copy[key] = moved;
  }
  return (copy ?? data) as T;
}

/** Whether an array is a value (its items are terms, values.ts: each has its kind in `k`, which no fact has). */
function isValue(data: readonly unknown[]): boolean {
  const first = data[0] as { k?: unknown } | null | undefined;
  return typeof first === 'object' && first !== null && typeof first.k === 'string';
}

/** Writes a body makes into the module's records (closures, globals, class-level names, imports in functions). */
export interface EffectLog {
  variables: [string, Value][];
  imports: [string, string][];
}

/** Each edited document's recorded bodies, by definition node (see BodyEffects). */
export const bodyMemos = new WeakMap<ParseState, WeakMap<SyntaxNode, BodyEffects>>();

/**
 * Each edited document's module scope, by top-level statement (see buildScope),
 * under the module name its imports were resolved with.
 */
export const scopeMemos = new WeakMap<ParseState, { module: string; memo: WeakMap<SyntaxNode, ScopeEvent[]> }>();

/**
 * Each edited document's last body context (see BodyEffects), by its body
 * memo: the module and the names it was made of, and its numbers
 * (without, with a star import before).
 */
export const lastContexts = new WeakMap<
  WeakMap<SyntaxNode, BodyEffects>,
  {
    module: string;
    isPackage: boolean;
    importsOnly: ReadonlyMap<string, string>;
    /** The module's bound names, its globals, the done-callback names. */
    names: ReadonlySet<string>[];
    ids: [number, number];
  }
>();

/** Whether two sets hold the same items (in any order). */
export function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const item of b) if (!a.has(item)) return false;
  return true;
}

/** Whether two maps hold the same entries (in any order). */
export function sameMap<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [key, value] of b) if (a.get(key) !== value || !a.has(key)) return false;
  return true;
}

/** A number per context met, so that each definition compares a number rather than a long text. */
export const contextIds = new Map<string, number>();

export function contextId(context: string): number {
  let id = contextIds.get(context);
  if (id === undefined) {
    // Contexts come and go as a document is edited; a long session must not keep them all.
    if (contextIds.size >= 10_000) contextIds.clear();
    id = nextContextId++;
    contextIds.set(context, id);
  }
  return id;
}

let nextContextId = 0;
