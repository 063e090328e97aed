/**
 * `while pending:` loops that drain a collection of futures: the loop ends
 * when the collection is empty, and its body takes futures out of it only
 * once they are done, so its condition turning false shows every future it
 * held done (see ModuleFacts.doneLoops). Read from the syntax of the loop's
 * body, flow-insensitively: any other way the body empties the collection
 * (`pop()`, `clear()`, a removal not under a `done()` check, another value
 * assigned) makes the loop end without its futures done, and so no drain.
 *
 * Ways of taking out only done futures, as written in real code:
 * - `pending.remove(f)` / `pending.discard(f)` under `if f.done():`, after
 *   `if not f.done(): continue`, or in `for f in <done futures>:`;
 * - `pending = [f for f in pending if not f.done()]` (a set or list comprehension);
 * - `pending -= <done futures>`, `pending = pending - <done futures>`,
 *   `pending.difference_update(<done futures>)`;
 * - `done, pending = concurrent.futures.wait(pending, timeout=...)`.
 * Done futures: a comprehension filtered by `x.done()`, the first target of
 * such a `wait`, or a name the body binds to one of those.
 */
import type { SyntaxNode } from './parser.js';
import { doneGuards, guardKey } from './flow-state.js';
import { unwrapParens } from './expression-shapes.js';

/** Methods that take elements out of a collection some other way than by value (or all at once). */
const EMPTYING_METHODS: ReadonlySet<string> = new Set(['pop', 'popleft', 'popitem', 'clear', 'intersection_update', 'symmetric_difference_update']);
const COMPREHENSIONS: ReadonlySet<string> = new Set(['list_comprehension', 'set_comprehension', 'generator_expression']);
const NESTED_SCOPES: ReadonlySet<string> = new Set(['function_definition', 'lambda', 'class_definition']);
const TUPLE_TARGETS: ReadonlySet<string> = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list']);

/** `pending` in `while pending:`, `while len(pending):`, `while len(pending) > 0:` / `!= 0`; else null. */
export function drainedName(cond: SyntaxNode): string | null {
  const node = unwrapParens(cond);
  if (node.type === 'identifier') return node.text;
  const sized = lenOf(node);
  if (sized) return sized;
  if (node.type === 'comparison_operator' && node.namedChildCount === 2) {
    const op = node.children.slice(1, -1).map((c) => c.text).join(' ');
    const right = unwrapParens(node.namedChild(1)!);
    if ((op === '>' || op === '!=') && right.type === 'integer' && right.text === '0') return lenOf(unwrapParens(node.namedChild(0)!));
  }
  return null;
}

function lenOf(node: SyntaxNode): string | null {
  if (node.type !== 'call' || node.childForFieldName('function')?.text !== 'len') return null;
  const args = node.childForFieldName('arguments')?.namedChildren ?? [];
  return args.length === 1 && args[0]!.type === 'identifier' ? args[0]!.text : null;
}

/** The body's nodes, not descending into nested functions, lambdas or classes (their code runs elsewhere). */
function* nodesOf(body: SyntaxNode): Generator<SyntaxNode> {
  const stack = [...body.namedChildren].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    yield node;
    if (NESTED_SCOPES.has(node.type)) continue;
    for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
  }
}

/** `x.done()` filters of a comprehension over its own element: `[f for f in fs if f.done()]` (negated: `if not f.done()`). */
function filteredByDone(node: SyntaxNode, negated: boolean): boolean {
  const comp = unwrapParens(node);
  if (!COMPREHENSIONS.has(comp.type)) return false;
  const clauses = comp.namedChildren.filter((c) => c.type === 'for_in_clause');
  const element = clauses.length === 1 ? clauses[0]!.childForFieldName('left') : null;
  if (element?.type !== 'identifier') return false;
  for (const clause of comp.namedChildren) {
    if (clause.type !== 'if_clause') continue;
    const guards = doneGuards(clause.namedChild(0));
    if ((negated ? guards.neg : guards.pos).includes(element.text)) return true;
  }
  return false;
}

/**
 * Whether the loop body only takes done futures out of `name` and does take
 * some out: `isWait(call)` says whether a call is concurrent.futures.wait.
 */
export function drainsOnlyDone(body: SyntaxNode, name: string, isWait: (call: SyntaxNode) => boolean): boolean {
  const nodes = [...nodesOf(body)];
  // Names the body binds to done futures: `done = [f for f in pending if f.done()]`, `done, pending = wait(...)`.
  const doneNames = new Set<string>();
  for (const node of nodes) {
    if (node.type !== 'assignment') continue;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) continue;
    if (left.type === 'identifier' && filteredByDone(right, false)) doneNames.add(left.text);
    if (TUPLE_TARGETS.has(left.type) && unwrapParens(right).type === 'call' && isWait(unwrapParens(right))) {
      const first = left.namedChildren[0];
      if (first?.type === 'identifier') doneNames.add(first.text);
    }
  }
  const isDone = (node: SyntaxNode | null | undefined): boolean => {
    if (!node) return false;
    const inner = unwrapParens(node);
    if (inner.type === 'identifier') return doneNames.has(inner.text);
    if (filteredByDone(inner, false)) return true;
    // `list(done)`, `set(done)`, `tuple(done)`.
    const fn = inner.type === 'call' ? inner.childForFieldName('function')?.text : undefined;
    const args = inner.childForFieldName('arguments')?.namedChildren ?? [];
    return (fn === 'list' || fn === 'set' || fn === 'tuple') && args.length === 1 && isDone(args[0]);
  };
  let drains = 0;
  for (const node of nodes) {
    if (node.type === 'call') {
      const fn = node.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('object')?.text !== name) continue;
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const arg = node.childForFieldName('arguments')?.namedChildren[0];
      if (method === 'remove' || method === 'discard') {
        if (!arg || !removedWhenDone(node, arg, body, isDone)) return false;
        drains++;
      } else if (method === 'difference_update') {
        if (!isDone(arg)) return false;
        drains++;
      } else if (EMPTYING_METHODS.has(method)) {
        return false;
      }
    } else if (node.type === 'augmented_assignment') {
      if (node.childForFieldName('left')?.text !== name) continue;
      const op = node.childForFieldName('operator')?.text;
      if (op === '-=' && isDone(node.childForFieldName('right'))) drains++;
      // `+=`, `|=` only add futures; any other change of it empties it some other way.
      else if (op !== '+=' && op !== '|=') return false;
    } else if (node.type === 'assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) continue;
      if (left.type === 'identifier' && left.text === name) {
        const value = unwrapParens(right);
        const minus =
          value.type === 'binary_operator' &&
          value.childForFieldName('operator')?.text === '-' &&
          value.childForFieldName('left')?.text === name &&
          isDone(value.childForFieldName('right'));
        if (!filteredByDone(value, true) && !minus) return false;
        drains++;
      } else if (TUPLE_TARGETS.has(left.type) && left.namedChildren.some((t) => t.text === name)) {
        const call = unwrapParens(right);
        if (left.namedChildren[1]?.text !== name || call.type !== 'call' || !isWait(call)) return false;
        drains++;
      }
    } else if (node.type === 'delete_statement' && node.text.includes(name)) {
      return false;
    }
  }
  return drains > 0;
}

/**
 * Whether `pending.remove(arg)` runs only once `arg` is done: under an `if`
 * checking `arg.done()`, after `if not arg.done(): continue` in a block around
 * it, or in a `for arg in <done futures>:` loop.
 */
function removedWhenDone(call: SyntaxNode, arg: SyntaxNode, body: SyntaxNode, isDone: (node: SyntaxNode | null) => boolean): boolean {
  const key = guardKey(arg);
  let child = call;
  for (let node = call.parent; node && node.id !== body.id; child = node, node = node.parent) {
    if ((node.type === 'if_statement' || node.type === 'elif_clause') && node.childForFieldName('consequence')?.id === child.id) {
      if (doneGuards(node.childForFieldName('condition')).pos.includes(key)) return true;
    }
    if (node.type === 'else_clause' && node.parent?.type === 'if_statement') {
      if (doneGuards(node.parent.childForFieldName('condition')).neg.includes(key)) return true;
    }
    if (node.type === 'for_statement' && node.childForFieldName('body')?.id === child.id) {
      if (node.childForFieldName('left')?.text === arg.text && isDone(node.childForFieldName('right'))) return true;
    }
    if (node.type === 'block') {
      // `if not f.done(): continue` before it in the same block.
      for (const sibling of node.namedChildren) {
        if (sibling.startIndex >= child.startIndex) break;
        if (sibling.type !== 'if_statement' || sibling.namedChildren.some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) continue;
        const consequence = sibling.childForFieldName('consequence');
        const skips = consequence?.namedChildCount === 1 && consequence.namedChild(0)!.type === 'continue_statement';
        if (skips && doneGuards(sibling.childForFieldName('condition')).neg.includes(key)) return true;
      }
    }
  }
  return false;
}
