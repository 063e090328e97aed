/**
 * Scopes and the names bound in them, as Python decides at compile time: a
 * name assigned anywhere in a function body is local to the whole function
 * (unless declared `global`/`nonlocal`); class bodies do not enclose the
 * methods defined in them; comprehensions and lambdas have scopes of their own,
 * but a walrus inside a comprehension binds in the enclosing function.
 */
import type { SyntaxNode } from './parser.js';

export type ScopeKind = 'module' | 'class' | 'function' | 'lambda' | 'comprehension';

/** Shared by the scopes that bind nothing of the kind (most): nothing changes a scope once it is built. */
const NO_NAMES: ReadonlySet<string> = new Set();
const NO_IMPORTS: ReadonlyMap<string, string> = new Map();

export interface Scope {
  kind: ScopeKind;
  parent: Scope | null;
  /** Dotted path relative to the module: '' for the module, `C`, `C.method`, `outer.inner`. */
  rel: string;
  /** Names bound in this scope. */
  bound: Set<string>;
  /** Names bound in this scope only by imports, with their targets. */
  importsOnly: ReadonlyMap<string, string>;
  globals: ReadonlySet<string>;
  nonlocals: ReadonlySet<string>;
  /** Whether the body defines functions or classes (which may read a function's locals), as far as buildScope sees. */
  nests?: boolean;
}

const COMPREHENSIONS = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

const TARGET_GROUPS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'list_splat',
  'as_pattern_target',
]);

/** Identifiers a target pattern binds (`a`, `a, (b, *c)`, not `a.b` or `a[0]`), in order; iterative, as targets can nest deeply. */
export function targetNames(node: SyntaxNode | null, out: string[] = []): string[] {
  const stack: SyntaxNode[] = node ? [node] : [];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current.type === 'identifier') out.push(current.text);
    else if (TARGET_GROUPS.has(current.type)) {
      const children = current.namedChildren;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return out;
}

/** Parameter names of a `parameters` / `lambda_parameters` node, in order. */
export function parameterNames(params: SyntaxNode | null): string[] {
  const names: string[] = [];
  if (!params) return names;
  // (Empty names are left out as they come: no second array for every function.)
  for (const p of params.namedChildren) {
    let name = '';
    switch (p.type) {
      case 'identifier':
        name = p.text;
        break;
      case 'default_parameter':
      case 'typed_default_parameter':
        name = p.childForFieldName('name')?.text ?? '';
        break;
      case 'typed_parameter': {
        const inner = p.namedChildren.find((c) => c.type === 'identifier' || c.type.endsWith('splat_pattern'));
        name = inner ? inner.text.replace(/^\*+/, '') : '';
        break;
      }
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
        name = p.text.replace(/^\*+/, '');
        break;
      default:
        break;
    }
    if (name) names.push(name);
  }
  // Kept in the function's facts: a list filled by push keeps room for 17 items (see termsWhere in
  // values.ts), which 400,000 functions of one file and the standard library's facts both felt.
  return names.length > 0 ? names.slice() : names;
}

/**
 * One thing a statement does to the names of the scope it is in, in order (see
 * buildScope); `defines` (no name): it defines a function or class, nested in
 * the scope (see Scope.nests).
 */
export type ScopeEvent = readonly ['bind' | 'global' | 'nonlocal' | 'defines', string] | readonly ['import', string, string];

/**
 * Builds the scope for a body: collects every name bound directly in it
 * (iteratively, without descending into nested functions, classes or lambdas,
 * whose own names are bound here). With `memo`, what each statement of the
 * body binds is kept by statement node: an edited document's unchanged
 * statements keep their nodes (see copyTree), so only the edited ones are
 * walked again. With `release`, each statement's subtree is let go once its
 * events are read (see SyntaxNode.release): the module's statements, which
 * the walk then visits one at a time, so that a big file's tree is never
 * made whole and kept until the walk (the collector paid for copying it).
 */
export function buildScope(
  kind: ScopeKind,
  parent: Scope | null,
  rel: string,
  body: SyntaxNode | null,
  params: string[] = [],
  resolveImport: (node: SyntaxNode) => { name: string; target: string }[] = () => [],
  memo?: WeakMap<SyntaxNode, ScopeEvent[]>,
  release = false,
): Scope {
  if (!body) return { kind, parent, rel, bound: new Set(params), importsOnly: NO_IMPORTS, globals: NO_NAMES, nonlocals: NO_NAMES, nests: false };
  const bound = new Set(params);
  let globals: Set<string> | null = null;
  let nonlocals: Set<string> | null = null;
  // Names bound otherwise than by an import, and the imports, made only once the body has an import.
  let otherBindings: Set<string> | null = null;
  let imports: Map<string, string> | null = null;
  let nests = false;
  const apply = (kind: ScopeEvent[0], name: string, target?: string): void => {
    switch (kind) {
      case 'bind':
        bound.add(name);
        otherBindings?.add(name);
        break;
      case 'import':
        if (!imports) {
          imports = new Map();
          otherBindings = new Set(params);
          for (const other of bound) otherBindings.add(other);
        }
        bound.add(name);
        imports.set(name, target!);
        break;
      case 'global':
        (globals ??= new Set()).add(name);
        break;
      case 'nonlocal':
        (nonlocals ??= new Set()).add(name);
        break;
      case 'defines':
        nests = true;
        break;
    }
  };
  const finish = (): Scope => {
    let importsOnly: Map<string, string> | null = null;
    if (imports) {
      for (const [name, target] of imports as Map<string, string>) if (!otherBindings!.has(name)) (importsOnly ??= new Map()).set(name, target);
    }
    if (globals) for (const name of globals as Set<string>) bound.delete(name);
    if (nonlocals) for (const name of nonlocals as Set<string>) bound.delete(name);
    return { kind, parent, rel, bound, importsOnly: importsOnly ?? NO_IMPORTS, globals: globals ?? NO_NAMES, nonlocals: nonlocals ?? NO_NAMES, nests };
  };
  if (!memo) {
    for (const statement of body.namedChildren) {
      // (No memo, no list: each statement's events go straight into the scope.)
      statementEvents(statement, resolveImport, apply);
      if (release) statement.release();
    }
    return finish();
  }
  const all: ScopeEvent[][] = [];
  for (const statement of body.namedChildren) {
    let events = memo.get(statement);
    if (!events) {
      const made: ScopeEvent[] = [];
      statementEvents(statement, resolveImport, (kind, name, target) => made.push(kind === 'import' ? [kind, name, target!] : [kind, name]));
      events = made;
      memo.set(statement, events);
    }
    all.push(events);
    if (release) statement.release();
  }
  // The same events in the same order make the same scope: an edit that binds nothing new (most edits) keeps the
  // last pass's names, and a 5,000-line module's thousand names are not gathered again. (Nothing changes a scope's
  // sets once it is made.)
  const last = lastScopes.get(memo);
  if (last && sameNames(last.params, params) && last.events.length === all.length && last.events.every((events, i) => sameEvents(events, all[i]!))) {
    return { ...last.scope, kind, parent, rel };
  }
  for (const events of all) for (const event of events) apply(event[0], event[1], event[2]);
  const scope = finish();
  lastScopes.set(memo, { events: all, params: [...params], scope });
  return scope;
}

/** The last scope built with each memo (see buildScope): the events it was built from, by statement, and its parameters. */
const lastScopes = new WeakMap<WeakMap<SyntaxNode, ScopeEvent[]>, { events: ScopeEvent[][]; params: string[]; scope: Scope }>();

/** Whether two statements' events are the same (a statement edited without binding anything new has new, equal ones). */
function sameEvents(a: readonly ScopeEvent[], b: readonly ScopeEvent[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2]) return false;
  }
  return true;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * The nodes statementEvents may take a name or an event from: a subtree
 * without one adds nothing to a scope (a definition's parameters and bases
 * mostly; lambdas are in it as their parameters are walked).
 */
const MAY_BIND: ReadonlySet<string> = new Set([
  'function_definition',
  'class_definition',
  'lambda',
  'assignment',
  'augmented_assignment',
  'for_statement',
  'for_in_clause',
  'named_expression',
  'as_pattern_target',
  'global_statement',
  'nonlocal_statement',
  'import_statement',
  'import_from_statement',
  'case_pattern',
  ...COMPREHENSIONS,
]);

/**
 * What one statement of a body binds in the body's scope, in order, and
 * whether it defines a function or class (in a tree without syntax errors
 * these are never inside a lambda or comprehension, which the walk does not
 * enter).
 */
function statementEvents(
  statement: SyntaxNode,
  resolveImport: (node: SyntaxNode) => { name: string; target: string }[],
  emit: (kind: ScopeEvent[0], name: string, target?: string) => void,
): void {
  const stack: SyntaxNode[] = [statement];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'function_definition':
      case 'class_definition': {
        emit('defines', '');
        // (fieldText and fieldHasType read a native parse without making the definition's children: the
        // module's statements are let go after this and made again by the walk.)
        const name = node.fieldText('name');
        if (name) emit('bind', name);
        // Decorators, defaults and bases are evaluated here, bodies are not: only those that may bind are walked.
        if (node.fieldHasType('parameters', MAY_BIND)) stack.push(node.childForFieldName('parameters')!);
        if (node.fieldHasType('superclasses', MAY_BIND)) stack.push(node.childForFieldName('superclasses')!);
        continue;
      }
      case 'lambda': {
        const params = node.childForFieldName('parameters');
        if (params) stack.push(params);
        continue;
      }
      case 'assignment':
      case 'augmented_assignment':
        for (const name of targetNames(node.childForFieldName('left'))) emit('bind', name);
        break;
      case 'for_statement':
      case 'for_in_clause':
        if (node.type === 'for_statement') for (const name of targetNames(node.childForFieldName('left'))) emit('bind', name);
        break;
      case 'named_expression': {
        const name = node.childForFieldName('name')?.text;
        if (name) emit('bind', name);
        break;
      }
      case 'as_pattern_target':
        for (const name of targetNames(node)) emit('bind', name);
        break;
      case 'global_statement':
        for (const id of node.namedChildren) emit('global', id.text);
        continue;
      case 'nonlocal_statement':
        for (const id of node.namedChildren) emit('nonlocal', id.text);
        continue;
      case 'import_statement':
      case 'import_from_statement':
        for (const { name, target } of resolveImport(node)) emit('import', name, target);
        continue;
      case 'case_pattern':
        for (const id of node.descendantsOfType('identifier')) {
          if (id.parent?.type === 'dotted_name' && id.parent.namedChildCount > 1) continue;
          emit('bind', id.text);
        }
        continue;
      case 'except_clause':
      case 'with_item':
        break;
      default:
        break;
    }
    if (COMPREHENSIONS.has(node.type)) {
      // Only walruses escape a comprehension's scope.
      for (const walrus of node.descendantsOfType('named_expression')) {
        const name = walrus.childForFieldName('name')?.text;
        if (name) emit('bind', name);
      }
      continue;
    }
    // Nested functions, classes and lambdas are pushed too: their cases above take only what this scope evaluates.
    // (Read from `children` where they are made: asking for `namedChildren` would make and keep a second array
    // on every node walked. Where they are not, the named ones are all there is to read: see childrenMade.)
    const children = node.childrenMade ? node.children : node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) if (children[i]!.isNamed) stack.push(children[i]!);
  }
}
