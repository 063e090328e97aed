/** Small facts about expressions' syntax: their text for messages, parentheses, f-string parts. */
import type { SyntaxNode } from './parser.js';
import { keptText } from './facts.js';

export const TEXT_LIMIT = 60;

/** compact() reads this much of a text first: enough for TEXT_LIMIT characters unless it is mostly whitespace. */
const COMPACT_PREFIX = 4_096;

export function compact(text: string): string {
  // Facts keep these texts (a call's, a raise's) until the run ends: one copy of each (see keptText), none
  // keeping the whole file's text alive (most are the node's text as it is, a slice of the file's).
  // A call ten thousand calls long is quoted at every level: its whole text each time would be quadratic.
  if (text.length > COMPACT_PREFIX) {
    const head = text.slice(0, COMPACT_PREFIX).replace(/\s+/g, ' ').trimStart();
    if (head.length > TEXT_LIMIT) return keptText(`${head.slice(0, TEXT_LIMIT - 1)}…`);
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return keptText(flat.length > TEXT_LIMIT ? `${flat.slice(0, TEXT_LIMIT - 1)}…` : flat);
}

export function unwrapParens(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.type === 'parenthesized_expression' && current.namedChildCount === 1) current = current.namedChild(0)!;
  return current;
}

/** The `{…}` parts of a string that are its own, not those of f-strings nested in them. */
export function ownInterpolations(string: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [...string.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'interpolation') out.push(node);
    else for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}
