/**
 * The project index's memo keys: one number per question, a term (by its
 * shape: equal terms of different facts share answers), a name bound (`sym`,
 * by its qualified name) and a name resolved (ProjectIndex.resolve). A number
 * is looked up and compared at once, where JSON keys were made for every term
 * object (13 MB of text on the standard library with site-packages), then
 * hashed and compared character by character at every lookup.
 *
 * A key says only which question it is, never its answer, so indexes share
 * one set of keys: the language server makes an index per pass, and each
 * pass finds the keys of the unchanged files' terms (the same objects, kept by
 * its analysis store) without making their shapes again (building shape texts
 * was a tenth of a pass, and most of its garbage). Each index keeps its own
 * answers by these keys.
 */
import type { Term, Value } from '../python/values.js';

/**
 * Keys a set makes before indexes made later take a fresh one: an editor's
 * session makes keys for each version of its open documents' terms, and they
 * must not pile up without end. (About a tenth of this is made by a check of the
 * standard library with site-packages.)
 */
const MAX_KEYS = 2_000_000;

export class MemoKeys {
  private static current: MemoKeys | null = null;

  /** The keys for a new index: the shared set, unless it is full (indexes made before keep theirs). */
  static forNewIndex(): MemoKeys {
    if (!MemoKeys.current || MemoKeys.current.size >= MAX_KEYS) MemoKeys.current = new MemoKeys();
    return MemoKeys.current;
  }

  /** How many keys were made: every key is below it. */
  size = 0;
  private readonly byShape = new Map<string, number>();
  private readonly bySymbol = new Map<string, number>();
  private readonly byResolved = new Map<string, number>();
  /** Each term object's key, found once (terms are never mutated). */
  private readonly ofTerm = new WeakMap<Term, number>();

  /** The key of resolving the qualified name `q`. */
  resolved(q: string): number {
    let key = this.byResolved.get(q);
    if (key === undefined) this.byResolved.set(q, (key = this.size++));
    return key;
  }

  /**
   * The key of a term object (found once per object): by its qualified name
   * for a `sym`, else by its shape: its kind, the keys of the values it holds
   * and its other fields, so that two terms have one key exactly when they are
   * equal, and the text made for it is short whatever the nesting.
   */
  term(term: Term): number {
    let key = this.ofTerm.get(term);
    if (key !== undefined) return key;
    if (term.k === 'sym') {
      key = this.bySymbol.get(term.q);
      if (key === undefined) this.bySymbol.set(term.q, (key = this.size++));
    } else {
      const shape = this.shapeOf(term);
      key = this.byShape.get(shape);
      if (key === undefined) this.byShape.set(shape, (key = this.size++));
    }
    this.ofTerm.set(term, key);
    return key;
  }

  /** A term's shape (see term): held values as their terms' keys in parentheses, free text last. */
  private shapeOf(term: Exclude<Term, { k: 'sym' }>): string {
    switch (term.k) {
      case 'fut':
      case 'seq':
      case 'map':
        return term.k;
      case 'call':
        return `call(${this.ofValue(term.f)})`;
      case 'inst':
        return `inst(${this.ofValue(term.c)})`;
      case 'attr':
        return `attr(${this.ofValue(term.o)})${term.n}`;
      case 'elem':
      case 'item':
      case 'vals':
        return `${term.k}(${this.ofValue(term.o)})`;
      case 'coll':
      case 'mapv':
        return `${term.k}(${this.ofValue(term.e)})`;
      case 'onloop':
        return `onloop(${this.ofValue(term.l)})`;
      case 'self':
        return `self ${term.c}`;
      case 'obj':
        return `obj ${term.t}`;
      case 'newfut':
        return `newfut ${term.at}`;
      case 'param':
        return `param ${term.i} ${term.f}`;
      default:
        return `json ${JSON.stringify(term)}`;
    }
  }

  /** The keys of a value's terms, in order. */
  private ofValue(value: Value): string {
    if (value.length === 1) return String(this.term(value[0]!));
    let out = '';
    for (let i = 0; i < value.length; i++) out += i === 0 ? this.term(value[i]!) : `,${this.term(value[i]!)}`;
    return out;
  }
}
