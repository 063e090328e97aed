/**
 * A syntax tree as text, for tests that compare two parses of the same file
 * (an incremental parse against a fresh one, the native parse against the
 * binding's).
 */
import assert from 'node:assert/strict';
import type { SyntaxNode } from '../../src/python/parser.js';

/**
 * Everything the analysis reads of a tree, as one string per node: its place,
 * type, text, field, flags and named children, and whether its parent link
 * points at the node it is a child of. Ids must be unique within the tree.
 */
export function shape(root: SyntaxNode): string[] {
  const out: string[] = [];
  const ids = new Set<number>();
  const stack: [SyntaxNode, number, SyntaxNode | null][] = [[root, 0, null]];
  while (stack.length > 0) {
    const [node, depth, parent] = stack.pop()!;
    assert.ok(!ids.has(node.id), `id ${node.id} is used twice`);
    ids.add(node.id);
    out.push(
      `${depth} ${node.type} ${node.startIndex}-${node.endIndex} ${JSON.stringify(node.text)} ${node.fieldName ?? ''} ` +
        `${node.isNamed} ${node.isMissing} ${node.hasError} ${node.namedChildCount} ${node.parent === parent}`,
    );
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i]!, depth + 1, node]);
  }
  return out;
}
