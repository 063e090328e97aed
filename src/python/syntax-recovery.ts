/**
 * Recovery from syntax errors the grammar cannot recover from well. When
 * tree-sitter meets code it cannot parse, its error recovery can swallow much
 * more than the bad statement: the standard library's test/test_compile.py
 * (valid Python) comes back wrapped whole in one ERROR node, losing the
 * classes after line 1335, and an `async` before an error can end up in the
 * ERROR node, leaving the next coroutine a plain function. So the statement
 * holding the first error is blanked out (with its block, if it has one) and
 * the text parsed again, until it parses or no further progress is made (a
 * block of more than 200 lines is not blanked: the error may not be its own). The
 * blanked text keeps every line and every offset of the original, so what is
 * found in the rest of the file is where it is in the file.
 */
import type { SyntaxNode } from './parser.js';

/** Statements blanked at most, per file: a file of another language is not worth more parses. */
const MAX_BLANKED = 20;

/** Lines of a block blanked at most with the statement that opens it. */
const MAX_BLANKED_BLOCK = 200;

interface Line {
  start: number;
  /** End of the line's text, before its line break. */
  end: number;
  indent: number;
  /** Whether a logical line (a statement) starts here: not blank, not a comment, not inside brackets, a string or a continuation. */
  startsStatement: boolean;
  /** Whether the logical line starting here ends, outside any comment, with `:` (a compound statement's header). */
  opensBlock: boolean;
  /** The last physical line of the logical line starting here. */
  last: number;
  /** Whether the logical line starting here ends (its brackets and strings close before the end of the file). */
  closed: boolean;
}

/** Splits the text into physical lines, and marks where logical lines start, as Python's tokenizer would. */
function scanLines(text: string): Line[] {
  const lines: Line[] = [];
  let depth = 0;
  let quote = '';
  let continued = false;
  let logical = -1;
  let lastSignificant = '';
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const textEnd = end > pos && text[end - 1] === '\r' ? end - 1 : end;
    let indent = 0;
    while (pos + indent < textEnd && (text[pos + indent] === ' ' || text[pos + indent] === '\t')) indent++;
    const blank = pos + indent === textEnd || text[pos + indent] === '#';
    const startsStatement = depth === 0 && quote === '' && !continued && !blank;
    const line: Line = { start: pos, end: textEnd, indent, startsStatement, opensBlock: false, last: lines.length, closed: false };
    if (startsStatement) {
      logical = lines.length;
      lastSignificant = '';
    }
    lines.push(line);
    continued = false;
    for (let i = pos + indent; i < textEnd; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (text.startsWith(quote, i)) {
          i += quote.length - 1;
          quote = '';
        }
        continue;
      }
      if (c === '#') break;
      if (c === '"' || c === "'") {
        quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
        i += quote.length - 1;
      } else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
      else if (c === '\\' && i === textEnd - 1) continued = true;
      if (c !== ' ' && c !== '\t' && c !== '\\') lastSignificant = c;
    }
    // A one-quote string does not go past its line.
    if (quote.length === 1) quote = '';
    if (logical >= 0) {
      lines[logical]!.last = lines.length - 1;
      lines[logical]!.opensBlock = depth === 0 && quote === '' && lastSignificant === ':';
      lines[logical]!.closed = depth === 0 && quote === '' && !continued;
    }
    pos = end + 1;
  }
  return lines;
}

/**
 * The text with the statement holding line `line` (0-based) blanked: its
 * logical line, and its block if it opens one, become spaces, and a `0` (a
 * statement that does nothing) stands at its indentation, so that the block
 * around it is not left empty. Null if there is nothing to blank.
 */
export function blankStatementAt(text: string, line: number): string | null {
  const lines = scanLines(text);
  let first = Math.min(line, lines.length - 1);
  while (first > 0 && !lines[first]!.startsStatement) first--;
  const head = lines[first];
  // A bracket or string left open runs to the end of the file: blanking it would blank the rest.
  if (!head || !head.startsStatement || !head.closed) return null;
  let last = head.last;
  if (head.opensBlock) {
    for (let i = last + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.startsStatement && l.indent <= head.indent) break;
      last = i;
    }
  }
  // A large block is worth more than a clean parse without it (a file nested past the parser's depth errs on line 1).
  if (last - first > MAX_BLANKED_BLOCK) return null;
  let out = text.slice(0, head.start + head.indent) + '0';
  for (let i = head.start + head.indent + 1; i < lines[last]!.end; i++) {
    const c = text[i]!;
    out += c === '\n' || c === '\r' ? c : ' ';
  }
  return out + text.slice(lines[last]!.end);
}

/** Where the first syntax error starts, in document order: the innermost ERROR or MISSING node (as module-analysis.ts reports it). */
export function firstErrorOffset(root: SyntaxNode): number | null {
  let node = root;
  for (;;) {
    if (node.isMissing) return node.startIndex;
    const child = node.children.find((c) => c.hasError);
    if (child) {
      node = child;
      continue;
    }
    return node.type === 'ERROR' ? node.startIndex : null;
  }
}

/** The 0-based line holding `offset`. */
function lineAt(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * A tree of the file with the statements that hold syntax errors blanked
 * (see above), and the text it was parsed from; null when blanking does not
 * give a better tree than the original.
 */
export function recoverFromSyntaxErrors(text: string, root: SyntaxNode, parse: (text: string) => SyntaxNode): { root: SyntaxNode; text: string } | null {
  let current = { root, text };
  const first = firstErrorOffset(root);
  let errorLine = first === null ? null : lineAt(text, first);
  for (let blanked = 0; errorLine !== null && blanked < MAX_BLANKED; blanked++) {
    const next = blankStatementAt(current.text, errorLine);
    if (next === null || next === current.text) break;
    const nextRoot = parse(next);
    const offset = nextRoot.hasError ? firstErrorOffset(nextRoot) : null;
    const nextLine = offset === null ? null : lineAt(next, offset);
    // An error that does not move past the one blanked: the statement was not the cause; keep what was.
    if (nextLine !== null && nextLine <= errorLine) break;
    current = { root: nextRoot, text: next };
    errorLine = nextLine;
  }
  return current.root === root ? null : current;
}
