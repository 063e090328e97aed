/**
 * Done-callbacks that ignore their future, read from the syntax: a future
 * whose only use is such a callback (`fut.add_done_callback(lambda _: None)`)
 * is dropped as surely as a future never stored, since nothing ever asks it
 * for its outcome.
 */
import type { SyntaxNode } from './parser.js';
import { parameterNames } from './scopes.js';
import { unwrapParens } from './expression-shapes.js';

/** The methods whose outcome a callback asks for: a body that names one may read its future. */
const READS_OUTCOME = new Set(['result', 'exception']);

/** Whether `body` names any of `names`, or any method that reads a future's outcome. */
function mentions(body: SyntaxNode, names: readonly string[]): boolean {
  for (const id of body.descendantsOfType('identifier')) {
    if (names.includes(id.text) || READS_OUTCOME.has(id.text)) return true;
  }
  return body.type === 'identifier' && (names.includes(body.text) || READS_OUTCOME.has(body.text));
}

/**
 * Whether the callback never looks at the future it is given, nor at the one
 * named `future` (a closure over it): a lambda or a function of this module
 * (`def on_done(_): event.set()`) whose body names neither its parameters,
 * nor `future`, nor `result`/`exception`. Anything else (a method, a partial,
 * a function of another module) may look: not known to ignore it.
 */
export function ignoresItsFuture(callback: SyntaxNode, future: string | null, root: SyntaxNode): boolean {
  const node = unwrapParens(callback);
  let params: SyntaxNode | null;
  let body: SyntaxNode | null;
  if (node.type === 'lambda') {
    params = node.childForFieldName('parameters');
    body = node.childForFieldName('body');
  } else if (node.type === 'identifier') {
    const defs = root.descendantsOfType('function_definition').filter((d) => d.childForFieldName('name')?.text === node.text);
    if (defs.length !== 1) return false;
    params = defs[0]!.childForFieldName('parameters');
    body = defs[0]!.childForFieldName('body');
  } else return false;
  if (!body) return false;
  const names = parameterNames(params);
  if (future !== null) names.push(future);
  return !mentions(body, names);
}

/** The module a node is in. */
export function moduleOf(node: SyntaxNode): SyntaxNode {
  let root = node;
  while (root.parent) root = root.parent;
  return root;
}

/** The function body (or module) a node belongs to: where a local name of it is read. */
function enclosingScope(node: SyntaxNode): SyntaxNode {
  let scope = node;
  for (let p = node.parent; p; p = p.parent) {
    scope = p;
    if (p.type === 'function_definition') return p.childForFieldName('body') ?? p;
  }
  return scope;
}

/** For a mention of a name as `name.method(...)` (`fut.add_done_callback(cb)`): that call, whose method the caller checks; else null. */
function registrationOn(id: SyntaxNode): SyntaxNode | null {
  const parent = id.parent;
  const call = parent?.type === 'attribute' && parent.childForFieldName('object')?.id === id.id ? parent.parent : null;
  return call?.type === 'call' ? call : null;
}

/**
 * For `name.add_done_callback(...)`: the one call whose value `name` is
 * assigned, when every other mention of `name` in its function (or module)
 * is the receiver of a done-callback registration that `isDropping` says
 * ignores the future. Null when the name is read anywhere else (returned,
 * stored, waited on, passed on) or assigned more than once.
 */
export function onlyAssignmentOfDroppedFuture(name: SyntaxNode, isDropping: (registration: SyntaxNode) => boolean): SyntaxNode | null {
  const scope = enclosingScope(name);
  let assigned: SyntaxNode | null = null;
  for (const id of scope.descendantsOfType('identifier')) {
    if (id.text !== name.text) continue;
    const parent = id.parent;
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === id.id) {
      const right = parent.childForFieldName('right');
      if (assigned || !right || unwrapParens(right).type !== 'call') return null;
      assigned = unwrapParens(right);
      continue;
    }
    const registration = registrationOn(id);
    if (registration && isDropping(registration)) continue;
    return null;
  }
  return assigned;
}

/**
 * For `return name`: whether `name` is, somewhere in its function, the
 * receiver of a done-callback registration that `handles` says may read the
 * future (`fut.add_done_callback(log_failure)`): whoever drops what the
 * function returns does not drop the future's outcome.
 */
export function hasHandlingCallback(name: SyntaxNode, handles: (registration: SyntaxNode) => boolean): boolean {
  for (const id of enclosingScope(name).descendantsOfType('identifier')) {
    if (id.text !== name.text) continue;
    const registration = registrationOn(id);
    if (registration && handles(registration)) return true;
  }
  return false;
}
