/**
 * tree-sitter with the Python grammar, and the syntax tree the analysis walks.
 *
 * Two parsers give the same trees. pyhang's native parse (src/native/parse.c,
 * built at install time where there is a C compiler) hands over the whole tree
 * as one array of numbers; it is the faster one. web-tree-sitter, tree-sitter
 * compiled to WebAssembly with the `tree-sitter-python.wasm` the grammar
 * package ships, needs no compiler and runs everywhere Node does; it parses
 * where the native parse was not built (or PYHANG_NATIVE_PARSE=0 turns it off),
 * and for an editor's document, which is re-parsed incrementally from its last
 * tree. Either way the tree is copied once into plain JavaScript nodes that
 * offer the small part of the SyntaxNode API the analysis uses: every read on
 * a parser's own node crosses into native or WebAssembly code.
 */
import { createRequire } from 'node:module';
import type { Edit, Point, Tree, Parser as WasmParser } from 'web-tree-sitter';
import { LineIndex, lspPositionAt, type LspPosition } from './positions.js';
import { keptText } from './facts.js';

/** Shared by every leaf, so a leaf costs no array of its own. */
const NO_CHILDREN: SyntaxNode[] = Object.freeze([]) as unknown as SyntaxNode[];

const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;
/** The flags' bits; above them, a reused node's pending shift (see moveBy). */
const FLAG_BITS = 3;
const FLAG_MASK = (1 << FLAG_BITS) - 1;
/** A pending shift kept in the flags stays within this (a small integer with the flags); past it, it is passed on at once. */
const MAX_PENDING = 1 << 27;

/**
 * A file of tens of megabytes has tens of millions of nodes, so a node is kept
 * small: its three flags share one number (with the shift still owed to its
 * descendants when an incremental copy moved it: see moveBy), and its children array is exactly
 * as long as needed (leaves share one empty array). A node of a native parse
 * makes its children only when they are first read (see FlatTree), and
 * `release` lets them go again: the module walk releases each top-level
 * statement once it is walked, so a big file never has its whole tree in
 * memory at once.
 */
export class SyntaxNode {
  readonly type: string;
  // Position, text, parent and field are written again only when an incremental
  // copy reuses this node in the next tree of the same document (see copyTree).
  startIndex: number;
  endIndex: number;
  /** The field this node fills in its parent (`function`, `arguments`, …). */
  fieldName: string | null;
  parent: SyntaxNode | null;
  /** Unique within one parse. */
  readonly id: number;
  /** Set once by copyTree; for a node of a native parse, null until first read (see FlatTree). */
  private kids: SyntaxNode[] | null = NO_CHILDREN;
  private flags: number;
  private named: SyntaxNode[] | undefined;
  /** @internal The text, shared by every node of one copy (an incremental copy of the next version of the document swaps it), and the native parse its nodes are read from. */
  readonly doc: { text: string; flat?: FlatTree };

  constructor(
    doc: { text: string; flat?: FlatTree },
    id: number,
    type: string,
    startIndex: number,
    endIndex: number,
    isNamed: boolean,
    isMissing: boolean,
    fieldName: string | null,
    parent: SyntaxNode | null,
  ) {
    this.doc = doc;
    this.id = id;
    this.type = type;
    this.startIndex = startIndex;
    this.endIndex = endIndex;
    this.flags = (isNamed ? NAMED : 0) | (isMissing ? MISSING : 0);
    this.fieldName = fieldName;
    this.parent = parent;
  }

  get isNamed(): boolean {
    return (this.flags & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.flags & MISSING) !== 0;
  }

  get hasError(): boolean {
    return (this.flags & HAS_ERROR) !== 0;
  }

  set hasError(value: boolean) {
    this.flags = value ? this.flags | HAS_ERROR : this.flags & ~HAS_ERROR;
  }

  get text(): string {
    const text = this.doc.text.slice(this.startIndex, this.endIndex);
    // An identifier's text is what facts keep of the source (names of functions, attributes, parameters,
    // keywords) until the run ends: one copy of each (see keptText), rather than a view of the whole file's text.
    return this.type === 'identifier' && text.length >= 13 ? keptText(text) : text;
  }

  get children(): SyntaxNode[] {
    if (this.flags >> FLAG_BITS !== 0) this.passShiftOn();
    return this.kids ?? this.expand();
  }

  /**
   * Moves this node by `delta` (an incremental copy reusing it after an edit
   * that changed the length of the text before it: see copyTree). Its own
   * offsets move now; its descendants' when its children are next read
   * (children, namedChildren): a reused definition whose body is replayed
   * (see BodyEffects) is never read below its top, and moving every node
   * after the edit on each keystroke that adds or removes a character took
   * longer than parsing.
   */
  moveBy(delta: number): void {
    this.startIndex += delta;
    this.endIndex += delta;
    if (this.kids === null || this.kids.length === 0) return;
    const pending = (this.flags >> FLAG_BITS) + delta;
    if (pending > -MAX_PENDING && pending < MAX_PENDING) {
      this.flags = (this.flags & FLAG_MASK) | (pending << FLAG_BITS);
    } else {
      this.passShiftOn();
      for (const child of this.kids) child.moveBy(delta);
    }
  }

  /** Moves the children by the shift this node owes them (see moveBy). */
  private passShiftOn(): void {
    const pending = this.flags >> FLAG_BITS;
    this.flags &= FLAG_MASK;
    const kids = this.kids!;
    for (let i = 0; i < kids.length; i++) kids[i]!.moveBy(pending);
  }

  set children(value: SyntaxNode[]) {
    this.kids = value;
    this.named = undefined;
  }

  private expand(): SyntaxNode[] {
    const kids = this.doc.flat!.childrenOf(this, this.named);
    this.kids = kids;
    return kids;
  }

  /**
   * Whether all the children are made. A node of a native parse makes its
   * named children first (namedChildren, childForFieldName of a named child):
   * the unnamed ones, punctuation and keywords, were four in ten of the nodes
   * made, and most are never read. They are made with the rest when
   * `children` is first read, the named ones kept (one node per child).
   */
  get childrenMade(): boolean {
    return this.kids !== null;
  }

  /**
   * Lets this node's descendants go (a node of a native parse only: they are
   * made again, the same, if read again; ids are the parse's node indices).
   * Nothing that outlives the walk of a statement keeps its nodes.
   */
  release(): void {
    if (this.doc.flat?.hasChildren(this.id)) {
      this.kids = null;
      this.named = undefined;
    }
  }

  /**
   * The text of the child filling `field`, or null: for a node of a native
   * parse whose children are not made, read from the parse without making
   * them (the module's scope reads each top-level definition's name, and its
   * subtree is let go before the walk makes it again; see buildScope).
   */
  fieldText(field: string): string | null {
    if (this.kids === null) {
      const at = this.doc.flat!.fieldChild(this.id, field);
      return at < 0 ? null : this.doc.flat!.text(this.doc.text, at);
    }
    return this.childForFieldName(field)?.text ?? null;
  }

  /**
   * Whether the child filling `field` holds (or is) a node of one of the types;
   * false when there is no such child. For a node of a native parse whose
   * children are not made, read from the parse without making them.
   */
  fieldHasType(field: string, types: ReadonlySet<string>): boolean {
    if (this.kids === null) {
      const flat = this.doc.flat!;
      const at = flat.fieldChild(this.id, field);
      return at >= 0 && flat.subtreeHasType(at, types);
    }
    const child = this.childForFieldName(field);
    return !!child && (types.has(child.type) || child.hasDescendantOfType(types));
  }

  get namedChildren(): SyntaxNode[] {
    // (The named children are among the children: they are moved with them.)
    if (this.flags >> FLAG_BITS !== 0) this.passShiftOn();
    if (!this.named && this.kids === null) this.named = this.doc.flat!.namedChildrenOf(this);
    if (!this.named) {
      // When every child is named (a block, an argument list of names), the children array serves as is:
      // no second array per node. Neither is ever changed in place.
      const children = this.children;
      let all = true;
      for (let i = 0; i < children.length; i++) {
        if (!children[i]!.isNamed) {
          all = false;
          break;
        }
      }
      this.named = all ? children : children.filter((c) => c.isNamed);
    }
    return this.named;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get childCount(): number {
    return this.children.length;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    if (this.kids === null) {
      // Children not all made (see childrenMade): a named child is found among the named ones.
      const at = this.doc.flat!.fieldChild(this.id, name);
      if (at < 0) return null;
      const among = this.doc.flat!.isNamed(at) ? this.namedChildren : this.children;
      for (let i = 0; i < among.length; i++) if (among[i]!.id === at) return among[i]!;
      return null;
    }
    // (An indexed loop: the analysis calls this on most nodes it visits, and an iterator is an allocation each time.)
    const children = this.children;
    for (let i = 0; i < children.length; i++) if (children[i]!.fieldName === name) return children[i]!;
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.fieldName === name);
  }

  /** Whether a child has the type (for a node of a native parse, read from the parse if its children are not all made). */
  hasChildOfType(type: string): boolean {
    if (this.kids === null) return this.doc.flat!.childHasType(this.id, type);
    const children = this.kids;
    for (let i = 0; i < children.length; i++) if (children[i]!.type === type) return true;
    return false;
  }

  /** Whether a descendant has one of the types (stops at the first). */
  hasDescendantOfType(types: ReadonlySet<string>): boolean {
    return this.walkDescendants((node) => types.has(node.type));
  }

  /** Descendants of a type, in document order. */
  descendantsOfType(type: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    this.walkDescendants((node) => {
      if (node.type === type) out.push(node);
      return false;
    });
    return out;
  }

  /**
   * Visits the descendants in document order until `visit` returns true, and
   * says whether it did (iterative: deep trees do not overflow the stack).
   */
  private walkDescendants(visit: (node: SyntaxNode) => boolean): boolean {
    const stack: SyntaxNode[] = [];
    for (let i = this.children.length - 1; i >= 0; i--) stack.push(this.children[i]!);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (visit(node)) return true;
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
    return false;
  }
}

/** web-tree-sitter's parser once loaded (see loadWasmParser), or why it could not be. */
let wasm: WasmParser | null = null;
let wasmFailure: string | null = null;
let wasmLoading: Promise<void> | null = null;

/**
 * Loads web-tree-sitter and the Python grammar's WebAssembly (asynchronous, so
 * done once before parsing: when this module is first imported where there is
 * no native parse, and by the language server, whose documents it parses). A
 * failure is kept, not thrown: each file parsed then gets it as an internal
 * error (see parserUnavailable).
 */
export function loadWasmParser(): Promise<void> {
  wasmLoading ??= (async () => {
    try {
      const load = createRequire(import.meta.url);
      const { Parser, Language } = await import('web-tree-sitter');
      await Parser.init();
      const language = await Language.load(process.env['PYHANG_WASM_GRAMMAR'] ?? load.resolve('tree-sitter-python/tree-sitter-python.wasm'));
      const parser = new Parser();
      parser.setLanguage(language);
      wasm = parser;
    } catch (error) {
      wasmFailure = error instanceof Error ? error.message : String(error);
    }
  })();
  return wasmLoading;
}

/** No parser could be loaded (a broken install): each file then fails as an internal error, exit 2, never a pass. */
export class ParserUnavailableError extends Error {}

function wasmParser(): WasmParser {
  if (wasm) return wasm;
  throw new ParserUnavailableError(wasmFailure ?? 'the WebAssembly parser was not loaded (await loadWasmParser() before parsing)');
}

/** Parses with web-tree-sitter; the caller owns the tree and deletes it (the language server keeps it for incremental edits). */
export function parseWasm(text: string, previous?: Tree): Tree {
  return parseInput(parserInput(text), previous);
}

/**
 * Python reads a lone CR as a line end (universal newlines); tree-sitter's scanner takes it for
 * blank space and runs the lines together. Replacing it by LF keeps every offset.
 */
function parserInput(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

function parseInput(input: string, previous?: Tree): Tree {
  const tree = wasmParser().parse(input, previous);
  // null only for a parse cancelled by a callback or a timeout, neither of which is set.
  if (!tree) throw new Error('the WebAssembly parser returned no tree');
  return tree;
}

/**
 * Names by tree-sitter's numeric ids, filled on first sight: reading an id is one
 * cheap call, while reading a name makes a new string each time. Whether a node
 * is named depends only on its (alias) symbol, so it is kept per id too.
 */
const typeNames: (string | undefined)[] = [];
const typeNamed: boolean[] = [];
const fieldNames: (string | null | undefined)[] = [null];
/** tree-sitter's id for ERROR nodes. */
const ERROR_TYPE_ID = 0xffff;

/**
 * What an incremental copy may take from the document's previous copy: the
 * nodes that tree-sitter reports unchanged. A node of the new tree is taken
 * over, whole, from the old copy when it touches neither the edit nor any range
 * whose structure changed (`Tree.getChangedRanges`), and the old copy has a node
 * of its type at the same depth and (shifted) range.
 */
interface Reuse {
  old: SyntaxNode;
  /** The edit as offsets in the new text (`start`..`newEnd` replaced `start`..`oldEnd`), or null when the input is the same. */
  edit: { start: number; oldEnd: number; newEnd: number } | null;
  /** Ranges of the new tree whose structure changed, as [start, end] offsets. */
  changed: [number, number][];
  /** The first id not used by the old copy (reused nodes keep theirs). */
  firstId: number;
}

/** Subtrees smaller than this are copied again rather than looked up in the old copy. */
const MIN_REUSED_SIZE = 64;

/** The old copy's node that a new node at [start, end], `depth` below the root, would reuse, if the edit and changes spare it. */
function reusable(reuse: Reuse, type: string, start: number, end: number, depth: number): SyntaxNode | null {
  const { edit } = reuse;
  let delta = 0;
  if (edit) {
    if (start <= edit.newEnd && end >= edit.start) return null;
    if (start > edit.newEnd) delta = edit.newEnd - edit.oldEnd;
  }
  for (const [from, to] of reuse.changed) if (start <= to && end >= from) return null;
  const oldStart = start - delta;
  const oldEnd = end - delta;
  let node = reuse.old;
  for (let d = 0; d < depth; d++) {
    // The child holding the range: children are in order and only empty ones share an offset.
    const children = node.children;
    let lo = 0;
    let hi = children.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (children[mid]!.startIndex <= oldStart) lo = mid + 1;
      else hi = mid;
    }
    let found: SyntaxNode | null = null;
    for (let i = lo - 1; i >= 0 && children[i]!.endIndex >= oldStart; i--) {
      if (children[i]!.endIndex >= oldEnd) {
        found = children[i]!;
        break;
      }
    }
    if (!found || found.endIndex < oldEnd) return null;
    node = found;
  }
  return node.type === type && node.startIndex === oldStart && node.endIndex === oldEnd ? node : null;
}

/** `hasError` for a node that is an error, is missing, or holds one, and for every node above it. */
function markHasError(from: SyntaxNode | null): void {
  for (let p = from; p && !p.hasError; p = p.parent) p.hasError = true;
}

/**
 * Copies a native tree into plain nodes with one cursor walk. Each crossing into
 * native code costs, so per node only numbers are read (ids, start, end). With
 * `reuse`, unchanged subtrees are taken from the document's previous copy and
 * not walked at all.
 */
export function copyTree(tree: Tree, text: string, reuse?: Reuse): { root: SyntaxNode; nextId: number } {
  const cursor = tree.walk();
  let nextId = reuse?.firstId ?? 0;
  // Reused nodes read their text through the old copy's holder, which now holds the new text.
  const doc = reuse ? reuse.old.doc : { text };
  doc.text = text;
  const root = new SyntaxNode(doc, nextId++, cursor.nodeType, cursor.startIndex, cursor.endIndex, true, false, null, null);
  const stack: SyntaxNode[] = [root];
  // The children of stack[d] are gathered in scratch[d] (reused), then copied at their exact length.
  const scratch: SyntaxNode[][] = [[]];
  const counts: number[] = [0];
  const finish = (): void => {
    const node = stack.pop()!;
    const depth = stack.length;
    const count = counts[depth]!;
    if (count > 0) node.children = scratch[depth]!.slice(0, count);
    counts[depth] = 0;
  };
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const depth = stack.length - 1;
      const typeId = cursor.nodeTypeId;
      let type = typeNames[typeId];
      if (type === undefined) {
        type = cursor.nodeType;
        typeNames[typeId] = type;
        typeNamed[typeId] = cursor.nodeIsNamed;
      }
      const fieldId = cursor.currentFieldId;
      let field = fieldNames[fieldId];
      if (field === undefined) {
        field = cursor.currentFieldName || null;
        fieldNames[fieldId] = field;
      }
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const old = reuse && end - start >= MIN_REUSED_SIZE ? reusable(reuse, type, start, end, depth + 1) : null;
      let node: SyntaxNode;
      if (old) {
        if (start !== old.startIndex) old.moveBy(start - old.startIndex);
        old.parent = stack[depth]!;
        old.fieldName = field;
        node = old;
        if (old.hasError) markHasError(old.parent);
      } else {
        // Only an empty node can be one the parser made up (MISSING).
        const missing = start === end && cursor.nodeIsMissing;
        node = new SyntaxNode(doc, nextId++, type, start, end, typeNamed[typeId]!, missing, field, stack[depth]!);
        // `hasError`: a node has an error if it is one, is missing, or holds one.
        if (missing || typeId === ERROR_TYPE_ID) markHasError(node);
      }
      scratch[depth]![counts[depth]!++] = node;
      if (!old && cursor.gotoFirstChild()) {
        stack.push(node);
        if (scratch.length < stack.length) {
          scratch.push([]);
          counts.push(0);
        }
        continue;
      }
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
        finish();
        if (stack.length === 0) {
          done = true;
          break;
        }
      }
      if (done || stack.length === 0) break;
    }
  }
  while (stack.length > 0) finish();
  // WebAssembly memory is not garbage collected.
  cursor.delete();
  if (root.type === 'ERROR') root.hasError = true;
  return { root, nextId };
}

/**
 * What an editor's document keeps between parses so that tree-sitter re-parses
 * only around an edit (incremental parsing): the last tree and the text it is of.
 */
export class ParseState {
  /** web-tree-sitter's tree, in WebAssembly memory: replaced trees are deleted (see parsePython, dispose). */
  tree: Tree | null = null;
  input = '';
  /**
   * Whether the tree may be reused: only a tree without syntax errors is. Error
   * recovery depends on what is reused, so re-parsing from a tree with errors
   * can give another tree than a fresh parse (the CLI's) does.
   */
  reusable = false;
  /** The last tree's plain copy (see copyTree), whose unchanged subtrees the next copy takes over. */
  root: SyntaxNode | null = null;
  /** The first node id the last copy left unused. */
  nextId = 0;
  /**
   * The last text's line index (see LineIndex.afterEdit), for the analysis
   * and for the positions of the next edit; null when it is to be made anew.
   */
  lines: LineIndex | null = null;

  /** Frees the tree (a closed document's state). */
  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.root = null;
    this.lines = null;
    this.reusable = false;
  }
}

/** pyhang's native parse (src/native/parse.c): the same tree-sitter and grammar, the whole tree in one array. */
interface NativeParse {
  /**
   * Per node, in document order: symbol | named << 16 | missing << 17, field id, start, end, number of children.
   * A text of at least twice `sliceChars` (default 65,536) characters is parsed in slices of about that many,
   * cut before top-level definitions, into the same tree as a whole parse (see parse_sliced in parse.c), by up to
   * `threads` threads at once (default 1, at most 4: see parse_flat in parse.c), the same array whatever their number.
   */
  parseFlat(text: string, sliceChars?: number, threads?: number): Int32Array;
  language(): { types: string[]; fields: (string | null)[] };
  /** A file's word summary (src/native/word-summary.c; see src/project/word-summary.ts). Absent from an addon built before it. */
  wordSummary?(bytes: Uint8Array): string;
}

const FLAT_WORDS = 5;
const FLAT_NAMED = 1 << 16;
const FLAT_MISSING = 1 << 17;

let native: { parse: NativeParse; types: string[]; fields: (string | null)[] } | null | undefined;

/** The native parse, or null when it was not built (or PYHANG_NATIVE_PARSE=0 turns it off). */
function nativeParse(): typeof native {
  if (native === undefined) {
    native = null;
    if (process.env['PYHANG_NATIVE_PARSE'] !== '0') {
      try {
        const parse = createRequire(import.meta.url)('../../../src/native/build/Release/pyhang_parse.node') as NativeParse;
        const language = parse.language();
        // Every id a node may have, ERROR's 0xffff too, in one array without holes: an array with one
        // element set past its end is kept as a dictionary, and each node made read its type from it.
        const types = new Array<string>(ERROR_TYPE_ID + 1).fill('');
        language.types.forEach((type, id) => {
          types[id] = type;
        });
        types[ERROR_TYPE_ID] = 'ERROR';
        native = { parse, types, fields: language.fields };
      } catch {
        // Not built (see src/native/build.mjs): web-tree-sitter does the same, more slowly.
      }
    }
  }
  return native;
}

// Where there is no native parse, every file is parsed with web-tree-sitter, whose loading is asynchronous:
// done here, once per thread, before anything can parse.
if (nativeParse() === null) await loadWasmParser();

/** Whether files are parsed by pyhang's native parse rather than with web-tree-sitter (tests and the bench ask). */
export function usesNativeParse(): boolean {
  return nativeParse() !== null;
}

/** The addon's word summary (see src/project/word-summary.ts), or null where it is not built or turned off. */
export function nativeWordSummary(): ((bytes: Uint8Array) => string) | null {
  const addon = nativeParse()?.parse;
  return typeof addon?.wordSummary === 'function' ? addon.wordSummary.bind(addon) : null;
}

/**
 * A file's parse as the native parse gives it (see NativeParse), or null where
 * the addon was not built. Worker threads parse with it and hand the array over
 * (transferred, not copied); `parsePython(text, undefined, words)` builds the tree.
 * `sliceChars`: the slices a large text is parsed in (tests make them small);
 * `threads`: how many threads parse them (tests vary it).
 */
export function parseFlat(text: string, sliceChars?: number, threads?: number): Int32Array | null {
  const flat = nativeParse();
  return flat ? flat.parse.parseFlat(parserInput(text), sliceChars, threads) : null;
}

/** Per set of types asked about (see FlatTree.subtreeHasType): a flag per type id of the native parse. */
const typeFlags = new WeakMap<ReadonlySet<string>, Uint8Array>();

/**
 * A native parse's array (see NativeParse) as a tree whose nodes are made when
 * first read: a node's children from the array, at the node's index (its id),
 * each child's subtree skipped with `next`. One pass over the array works out
 * where each subtree ends and which hold an error.
 */
class FlatTree {
  /** Per node: the index just after its subtree (its next sibling, or its parent's next). */
  private readonly next: Int32Array;
  /** Per node: 1 when it is an ERROR or MISSING node or holds one (`hasError`). */
  private readonly errors: Uint8Array;

  constructor(
    private readonly words: Int32Array,
    private readonly types: string[],
    private readonly fields: (string | null)[],
  ) {
    const count = words.length / FLAT_WORDS;
    const next = new Int32Array(count);
    const errors = new Uint8Array(count);
    // The open nodes and how many children each still awaits.
    const open: number[] = [];
    const awaited: number[] = [];
    let top = -1;
    for (let i = 0; i < count; i++) {
      while (top >= 0 && awaited[top] === 0) {
        const closed = open[top--]!;
        next[closed] = i;
        if (errors[closed] && top >= 0) errors[open[top]!] = 1;
      }
      if (top >= 0) awaited[top]!--;
      const at = i * FLAT_WORDS;
      const head = words[at]!;
      if ((head & FLAT_MISSING) !== 0 || (head & 0xffff) === ERROR_TYPE_ID) errors[i] = 1;
      const children = words[at + 4]!;
      if (children > 0) {
        top++;
        open[top] = i;
        awaited[top] = children;
      } else {
        next[i] = i + 1;
        if (errors[i] && top >= 0) errors[open[top]!] = 1;
      }
    }
    while (top >= 0) {
      const closed = open[top--]!;
      next[closed] = count;
      if (errors[closed] && top >= 0) errors[open[top]!] = 1;
    }
    this.next = next;
    this.errors = errors;
  }

  /** The node at index `i` (its children made when first read). */
  node(doc: { text: string; flat?: FlatTree }, i: number, parent: SyntaxNode | null): SyntaxNode {
    const words = this.words;
    const at = i * FLAT_WORDS;
    const head = words[at]!;
    const node = new SyntaxNode(
      doc,
      i,
      this.types[head & 0xffff]!,
      words[at + 2]!,
      words[at + 3]!,
      parent === null || (head & FLAT_NAMED) !== 0,
      parent !== null && (head & FLAT_MISSING) !== 0,
      parent === null ? null : (this.fields[words[at + 1]!] ?? null),
      parent,
    );
    if (words[at + 4]! > 0) node.release();
    if (this.errors[i]) node.hasError = true;
    return node;
  }

  hasChildren(i: number): boolean {
    return this.words[i * FLAT_WORDS + 4]! > 0;
  }

  /** The index of node `i`'s child filling the field of that name, or -1 (no node made). */
  fieldChild(i: number, field: string): number {
    const words = this.words;
    const count = words[i * FLAT_WORDS + 4]!;
    for (let k = 0, c = i + 1; k < count; k++, c = this.next[c]!) {
      if (this.fields[words[c * FLAT_WORDS + 1]!] === field) return c;
    }
    return -1;
  }

  /** Node `i`'s text (no node made). */
  text(text: string, i: number): string {
    return text.slice(this.words[i * FLAT_WORDS + 2]!, this.words[i * FLAT_WORDS + 3]!);
  }

  /** Whether node `i` or a node in its subtree has one of the types (no node made). */
  subtreeHasType(i: number, types: ReadonlySet<string>): boolean {
    // (One table per set for every parse: the grammar's types are the same for all.)
    let flags = typeFlags.get(types);
    if (!flags) {
      const made = new Uint8Array(0x10000);
      this.types.forEach((name, id) => {
        if (name !== '' && types.has(name)) made[id] = 1;
      });
      flags = made;
      typeFlags.set(types, flags);
    }
    const words = this.words;
    for (let k = i, end = this.next[i]!; k < end; k++) if (flags[words[k * FLAT_WORDS]! & 0xffff]) return true;
    return false;
  }

  /** The node's children, in order; `named`: its named children made already, which are taken as they are. */
  childrenOf(node: SyntaxNode, named: SyntaxNode[] | undefined): SyntaxNode[] {
    const count = this.words[node.id * FLAT_WORDS + 4]!;
    // All named: the named children are the children (one array, as namedChildren has it).
    if (named && named.length === count) return named;
    const children = new Array<SyntaxNode>(count);
    for (let k = 0, n = 0, i = node.id + 1; k < count; k++, i = this.next[i]!) {
      children[k] = named && this.isNamed(i) ? named[n++]! : this.node(node.doc, i, node);
    }
    return children;
  }

  /** The node's named children, in order (its unnamed ones not made). */
  namedChildrenOf(node: SyntaxNode): SyntaxNode[] {
    const words = this.words;
    const count = words[node.id * FLAT_WORDS + 4]!;
    let namedCount = 0;
    for (let k = 0, i = node.id + 1; k < count; k++, i = this.next[i]!) if (this.isNamed(i)) namedCount++;
    const named = new Array<SyntaxNode>(namedCount);
    for (let k = 0, n = 0, i = node.id + 1; k < count; k++, i = this.next[i]!) if (this.isNamed(i)) named[n++] = this.node(node.doc, i, node);
    return named;
  }

  /** Whether node `i` is named (the root always is, see node). */
  isNamed(i: number): boolean {
    return i === 0 || (this.words[i * FLAT_WORDS]! & FLAT_NAMED) !== 0;
  }

  /** Whether one of node `i`'s children has the type (no node made). */
  childHasType(i: number, type: string): boolean {
    const count = this.words[i * FLAT_WORDS + 4]!;
    for (let k = 0, c = i + 1; k < count; k++, c = this.next[c]!) if (this.types[this.words[c * FLAT_WORDS]! & 0xffff] === type) return true;
    return false;
  }
}

/** The root of the native parse's array (see NativeParse, FlatTree). */
function fromFlat(text: string, words: Int32Array, parse: NonNullable<typeof native>): SyntaxNode {
  const flat = new FlatTree(words, parse.types, parse.fields);
  return flat.node({ text, flat }, 0, null);
}

/**
 * Parses `text`; with a state, reuses the state's last tree for the unchanged
 * parts and keeps the new one. `words`: the text's native parse, made already
 * (parseFlat, in a worker thread).
 */
export function parsePython(text: string, state?: ParseState, words?: Int32Array): SyntaxNode {
  const flat = state ? null : nativeParse();
  if (flat) return fromFlat(text, words ?? parseFlat(text)!, flat);
  const input = parserInput(text);
  let previous: Tree | undefined;
  let edit: Edit | null = null;
  if (state?.tree && state.reusable) {
    const offsets = editOffsets(state.input, input);
    if (offsets) {
      // The line index moves with the edit when both texts are the parser's input as they are (no lone CR
      // made a LF: the edit's offsets are then the texts' own).
      const before = state.lines?.text === state.input ? state.lines : null;
      const after = before && input === text ? before.afterEdit(text, offsets.start, offsets.oldEnd, offsets.newEnd) : null;
      edit = editAt(state.input, input, offsets, before, after);
      state.lines = after;
    }
    if (edit) state.tree.edit(edit);
    previous = state.tree;
  }
  const tree = parseInput(input, previous);
  let reuse: Reuse | undefined;
  if (state && previous && state.root) {
    reuse = {
      old: state.root,
      edit: edit && { start: edit.startIndex, oldEnd: edit.oldEndIndex, newEnd: edit.newEndIndex },
      changed: tree.getChangedRanges(previous).map((range) => [range.startIndex, range.endIndex]),
      firstId: state.nextId,
    };
  }
  const { root, nextId } = copyTree(tree, text, reuse);
  if (!state) {
    tree.delete();
    return root;
  }
  state.tree?.delete();
  state.tree = tree;
  state.input = input;
  state.reusable = !root.hasError;
  state.root = state.reusable ? root : null;
  state.nextId = nextId;
  if (state.lines?.text !== text) state.lines = new LineIndex(text);
  return root;
}

/** Below this many characters the edit is looked for character by character. */
const CHUNK = 256;

/** The one edit that turns `before` into `after` (their common prefix and suffix kept), or null if they are equal. */
export function editBetween(before: string, after: string): Edit | null {
  const offsets = editOffsets(before, after);
  return offsets && editAt(before, after, offsets, null, null);
}

/** The edit at `offsets` with its points, from the texts' line indexes where they are given (else by scanning the texts). */
function editAt(before: string, after: string, offsets: EditOffsets, beforeLines: LineIndex | null, afterLines: LineIndex | null): Edit {
  const { start, oldEnd, newEnd } = offsets;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointOf(beforeLines ? beforeLines.lsp(start) : lspPositionAt(before, start)),
    oldEndPosition: pointOf(beforeLines ? beforeLines.lsp(oldEnd) : lspPositionAt(before, oldEnd)),
    newEndPosition: pointOf(afterLines ? afterLines.lsp(newEnd) : lspPositionAt(after, newEnd)),
  };
}

interface EditOffsets {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** The offsets of editBetween's edit, or null if the texts are equal. */
function editOffsets(before: string, after: string): EditOffsets | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  // The common prefix, then the common suffix (not overlapping it), by halving the range still in doubt: one native
  // comparison of two slices per step, a few dozen slices for a 200 KB document (chunks of 256 were 1,600 of them).
  let start = 0;
  for (let hi = max; hi - start > CHUNK; ) {
    const mid = (start + hi) >>> 1;
    if (before.slice(start, mid) === after.slice(start, mid)) start = mid;
    else hi = mid;
  }
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let common = 0;
  for (let hi = max - start; hi - common > CHUNK; ) {
    const mid = (common + hi) >>> 1;
    if (before.slice(before.length - mid, before.length - common) === after.slice(after.length - mid, after.length - common)) common = mid;
    else hi = mid;
  }
  let oldEnd = before.length - common;
  let newEnd = after.length - common;
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  // Never split a surrogate pair: tree-sitter reads UTF-16 code points.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (oldEnd < before.length && isLowSurrogate(before.charCodeAt(oldEnd))) {
    oldEnd++;
    newEnd++;
  }
  return { start, oldEnd, newEnd };
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** tree-sitter's point of a position: its row, and its column in UTF-16 code units (web-tree-sitter's unit), as in LSP. */
function pointOf({ line, character }: LspPosition): Point {
  return { row: line, column: character };
}
