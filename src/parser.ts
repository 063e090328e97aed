/**
 * tree-sitter with the Python grammar, and the syntax tree the analysis walks.
 *
 * Every property read on a node of tree-sitter's Node binding crosses into
 * native code and allocates a wrapper; walking a tree that way cost several
 * times the parse itself. So a file's tree is copied once, with one TreeCursor
 * pass, into plain JavaScript nodes that offer the small part of the SyntaxNode
 * API the analysis uses. The native tree is released right after.
 */
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';

export class SyntaxNode {
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  /** The field this node fills in its parent (`function`, `arguments`, …). */
  readonly fieldName: string | null;
  readonly parent: SyntaxNode | null;
  /** Unique within one parse. */
  readonly id: number;
  readonly children: SyntaxNode[] = [];
  hasError = false;
  private named: SyntaxNode[] | undefined;
  private readonly source: string;

  constructor(
    source: string,
    id: number,
    type: string,
    startIndex: number,
    endIndex: number,
    isNamed: boolean,
    isMissing: boolean,
    fieldName: string | null,
    parent: SyntaxNode | null,
  ) {
    this.source = source;
    this.id = id;
    this.type = type;
    this.startIndex = startIndex;
    this.endIndex = endIndex;
    this.isNamed = isNamed;
    this.isMissing = isMissing;
    this.fieldName = fieldName;
    this.parent = parent;
  }

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    if (!this.named) this.named = this.children.filter((c) => c.isNamed);
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
    for (const c of this.children) if (c.fieldName === name) return c;
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.fieldName === name);
  }

  /** Descendants of a type, in document order (iterative: deep trees do not overflow the stack). */
  descendantsOfType(type: string): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [...this.children].reverse();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === type) out.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
    return out;
  }
}

let parser: Parser | null = null;

function nativeParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

/** Parses with tree-sitter; the caller owns the native tree (the language server keeps it for incremental edits). */
export function parseNative(text: string, previous?: Parser.Tree): Parser.Tree {
  // The binding reads the string in chunks; a larger buffer means fewer crossings into native code.
  return nativeParser().parse(text, previous, { bufferSize: Math.min(Math.max(text.length + 1, 1024), 1 << 24) });
}

/** Copies a native tree into plain nodes with one cursor walk. */
export function copyTree(tree: Parser.Tree, text: string): SyntaxNode {
  const cursor = tree.walk();
  let nextId = 0;
  const root = new SyntaxNode(text, nextId++, cursor.nodeType, cursor.startIndex, cursor.endIndex, true, false, null, null);
  const stack: SyntaxNode[] = [root];
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const parent = stack[stack.length - 1]!;
      const node = new SyntaxNode(
        text,
        nextId++,
        cursor.nodeType,
        cursor.startIndex,
        cursor.endIndex,
        cursor.nodeIsNamed,
        cursor.nodeIsMissing,
        cursor.currentFieldName ?? null,
        parent,
      );
      parent.children.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
        stack.pop();
        if (stack.length === 0) {
          done = true;
          break;
        }
      }
      if (done || stack.length === 0) break;
    }
  }
  markErrors(root);
  return root;
}

/** `hasError` bottom-up: a node has an error if it is one, is missing, or holds one. */
function markErrors(root: SyntaxNode): void {
  const order: SyntaxNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order.push(node);
    for (const child of node.children) stack.push(child);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (node.type === 'ERROR' || node.isMissing) node.hasError = true;
    if (node.hasError && node.parent) node.parent.hasError = true;
  }
}

export function parsePython(text: string): SyntaxNode {
  const tree = parseNative(text);
  return copyTree(tree, text);
}
