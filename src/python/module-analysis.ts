/**
 * One module's syntax tree to its facts (facts.ts).
 *
 * A small abstract interpreter walks each function body in order, keeping a
 * flow-sensitive environment of local names (so `fut = executor.submit(f)`
 * after `fut = run_coroutine_threadsafe(...)` forgets the threadsafe future),
 * and records what rules ask about: waits on futures, discarded futures, points
 * where SystemExit/KeyboardInterrupt may escape, and how coroutines are used.
 * Anything decided elsewhere (a wrapper in another module, an attribute set in
 * another method) stays symbolic for the project index to resolve.
 *
 * Recursion over expressions and statements is bounded by MAX_DEPTH: past it a
 * subtree is skipped rather than risking a stack overflow on absurd nesting.
 */
import { LineIndex } from './positions.js';
import { parsePython, type ParseState, type SyntaxNode } from './parser.js';
import { importBindings, BUILTIN_NAMES } from './imports.js';
import { apiEffect, methodEffect, type ApiEffect, type MethodEffect, type Param } from '../library/index.js';
import { buildScope, parameterNames, targetNames, type Scope, type ScopeEvent } from './scopes.js';
import { parseNoqa } from './noqa.js';
import { own, record } from './facts.js';
import type {
  ClassFacts,
  CoroutineUse,
  DiscardFact,
  FunctionFacts,
  Loc,
  ModuleFacts,
  WaitFact,
  TimeoutArgument,
} from './facts.js';
import {
  FUTURE,
  NOTHING,
  attrOf,
  callOf,
  collectionOf,
  elemOf,
  itemOf,
  mappingOf,
  symbol,
  union,
  valuesOf,
  type Term,
  type Value,
  resetSymbols,
} from './values.js';

export interface ModuleInfo {
  path: string;
  module: string;
  isPackage: boolean;
}

const MAX_DEPTH = 400;
/** Loops nested deeper than this get one pass instead of two (the first pass only carries values around the loop). */
const MAX_LOOP_PREPASS_DEPTH = 2;
const TEXT_LIMIT = 60;
/** Definitions that open a scope of their own inside a function. */
const NESTED_SCOPES: ReadonlySet<string> = new Set(['function_definition', 'class_definition']);

interface Ctx {
  scope: Scope;
  /** The function whose facts this code contributes to (null at module level, in class bodies and lambdas). */
  fn: FunctionFacts | null;
  /** Name of the `async def` whose body this is directly. */
  coroutine: string | null;
  /** The class, for code inside a method (`self` refers to its instances). */
  classQ: string | null;
  classRel: string | null;
  selfName: string | null;
  doneCallback: boolean;
  /** Exception classes caught, without re-raising, around the current point. */
  caught: string[];
  loopDepth: number;
}

interface State {
  vars: Map<string, Value>;
  /** Texts of futures known to be done on this path (`if fut.done():`). */
  done: Set<string>;
  dead: boolean;
}

function cloneState(state: State): State {
  return { vars: new Map(state.vars), done: new Set(state.done), dead: state.dead };
}

function mergeStates(states: State[]): State {
  const live = states.filter((s) => !s.dead);
  if (live.length === 0) {
    const merged = cloneState(states[0]!);
    merged.dead = true;
    return merged;
  }
  if (live.length === 1) return cloneState(live[0]!);
  const vars = new Map<string, Value>();
  for (const s of live) {
    for (const [name, value] of s.vars) vars.set(name, vars.has(name) ? union(vars.get(name)!, value) : value);
  }
  const done = new Set([...live[0]!.done].filter((d) => live.every((s) => s.done.has(d))));
  return { vars, done, dead: false };
}

function compact(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > TEXT_LIMIT ? `${flat.slice(0, TEXT_LIMIT - 1)}…` : flat;
}

/** Text used to match a future across `fut.done()` guards: whitespace-insensitive. */
function guardKey(node: SyntaxNode): string {
  return node.text.replace(/\s+/g, '');
}

function singleSymbol(value: Value): string | null {
  return value.length === 1 && value[0]!.k === 'sym' ? value[0]!.q : null;
}

/** A callee that might be a function of the project (not a builtin): worth a call-site record. */
function mayBeProjectCallee(value: Value): boolean {
  return value.some((t) => t.k !== 'sym' || !t.q.startsWith('builtins.'));
}

function unwrapParens(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.type === 'parenthesized_expression' && current.namedChildCount === 1) current = current.namedChild(0)!;
  return current;
}

interface CallArgs {
  positional: SyntaxNode[];
  /** Shared and empty for a call without keyword arguments (most calls): never written to but here. */
  keywords: ReadonlyMap<string, SyntaxNode>;
  splat: boolean;
}

const NO_KEYWORDS: ReadonlyMap<string, never> = new Map<string, never>();

/** A call being evaluated: its nodes and its arguments' values. */
interface CallSite {
  node: SyntaxNode;
  /** The callee expression. */
  fnNode: SyntaxNode;
  callee: Value;
  /** For `x.m(...)`, the value of `x`. */
  receiver: Value;
  args: CallArgs;
  argValues: Value[];
  keywordValues: ReadonlyMap<string, Value>;
}

function argOf(call: CallSite, param: Param): Value | undefined {
  return call.argValues[param.position] ?? call.keywordValues.get(param.keyword);
}

function argNodeOf(call: CallSite, param: Param): SyntaxNode | undefined {
  return call.args.positional[param.position] ?? call.args.keywords.get(param.keyword);
}

/** Targets and values that `a, b = x, y` binds element by element. */
const TARGET_SHAPES: ReadonlySet<string> = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list']);
const VALUE_SHAPES: ReadonlySet<string> = new Set(['expression_list', 'tuple', 'list']);

function callArgs(call: SyntaxNode): CallArgs {
  const args: CallArgs = { positional: [], keywords: NO_KEYWORDS, splat: false };
  const list = call.childForFieldName('arguments');
  if (!list) return args;
  if (list.type === 'generator_expression') {
    args.positional.push(list);
    return args;
  }
  for (const arg of list.namedChildren) {
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) {
        if (args.keywords === NO_KEYWORDS) args.keywords = new Map();
        (args.keywords as Map<string, SyntaxNode>).set(name, value);
      }
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      args.splat = true;
    } else if (arg.type !== 'comment') {
      args.positional.push(arg);
    }
  }
  return args;
}

/**
 * Futures whose `.done()` is implied true when `cond` is true (`pos`) or when it is false (`neg`).
 * Past MAX_DEPTH nested operators nothing more is implied (a long `a and b and …` chain nests to the left).
 */
function doneGuards(cond: SyntaxNode | null, depth = 0): { pos: string[]; neg: string[] } {
  const out = { pos: [] as string[], neg: [] as string[] };
  if (!cond || depth > MAX_DEPTH) return out;
  const node = unwrapParens(cond);
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'done') {
      const obj = fn.childForFieldName('object');
      if (obj) out.pos.push(guardKey(obj));
    }
    return out;
  }
  if (node.type === 'not_operator') {
    const inner = doneGuards(node.childForFieldName('argument'), depth + 1);
    return { pos: inner.neg, neg: inner.pos };
  }
  if (node.type === 'boolean_operator') {
    const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
    const left = doneGuards(node.childForFieldName('left'), depth + 1);
    const right = doneGuards(node.childForFieldName('right'), depth + 1);
    // `a and b` true ⇒ both true; `a or b` false ⇒ both false.
    if (op === 'and') out.pos.push(...left.pos, ...right.pos);
    if (op === 'or') out.neg.push(...left.neg, ...right.neg);
  }
  return out;
}

/** The `{…}` parts of a string that are its own, not those of f-strings nested in them. */
function ownInterpolations(string: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [...string.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'interpolation') out.push(node);
    else for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out;
}

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
interface BodyEffects {
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
function factLists(facts: ModuleFacts): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  for (const key of Object.keys(facts)) {
    const value = (facts as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) out.push([key, value]);
  }
  return out;
}

/** Whether a fact value is a Loc (a range with offsets): what replay moves. */
function isLoc(value: object): value is Loc {
  const { start, end } = value as Partial<Loc>;
  return typeof start?.offset === 'number' && typeof end?.offset === 'number' && Object.keys(value).length === 2;
}

/**
 * A copy of recorded facts with every Loc in them replaced by `place(loc)`:
 * facts are plain data, and their positions are the Locs they hold.
 */
function relocated<T>(data: T, place: (loc: Loc) => Loc): T {
  if (Array.isArray(data)) return data.map((item) => relocated(item, place)) as T;
  if (data === null || typeof data !== 'object') return data;
  if (isLoc(data)) return place(data) as T;
  const copy = Object.create(Object.getPrototypeOf(data)) as Record<string, unknown>;
  for (const key of Object.keys(data)) copy[key] = relocated((data as Record<string, unknown>)[key], place);
  return copy as T;
}

/** Writes a body makes into the module's records (closures, globals, class-level names, imports in functions). */
interface EffectLog {
  variables: [string, Value][];
  imports: [string, string][];
}

/** Each edited document's recorded bodies, by definition node (see BodyEffects). */
const bodyMemos = new WeakMap<ParseState, WeakMap<SyntaxNode, BodyEffects>>();

/**
 * Each edited document's module scope, by top-level statement (see buildScope),
 * under the module name its imports were resolved with.
 */
const scopeMemos = new WeakMap<ParseState, { module: string; memo: WeakMap<SyntaxNode, ScopeEvent[]> }>();

/** A number per context met, so that each definition compares a number rather than a long text. */
const contextIds = new Map<string, number>();

function contextId(context: string): number {
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

/**
 * `parseState`: an editor document's last parse, for incremental re-parsing and
 * re-analysis (see ParseState, BodyEffects). `parsed`: the text's native parse,
 * made already (see parseFlat).
 */
export function analyzeModule(text: string, info: ModuleInfo, parseState?: ParseState, parsed?: Int32Array): ModuleFacts {
  const root = parsePython(text, parseState, parsed);
  let memo: WeakMap<SyntaxNode, BodyEffects> | null = null;
  let scopeMemo: WeakMap<SyntaxNode, ScopeEvent[]> | undefined;
  if (parseState) {
    memo = bodyMemos.get(parseState) ?? new WeakMap();
    bodyMemos.set(parseState, memo);
    // Relative imports resolve against the module's name.
    const module = `${info.module}${info.isPackage ? ' package' : ''}`;
    let scopes = scopeMemos.get(parseState);
    if (scopes?.module !== module) {
      scopes = { module, memo: new WeakMap() };
      scopeMemos.set(parseState, scopes);
    }
    scopeMemo = scopes.memo;
  }
  resetSymbols();
  const analyzer = new ModuleAnalyzer(text, info, memo, scopeMemo);
  analyzer.run(root, text);
  resetSymbols();
  return analyzer.facts;
}

class ModuleAnalyzer {
  readonly facts: ModuleFacts;
  private readonly lines: LineIndex;
  private readonly locs = new Map<string, Loc>();
  private readonly info: ModuleInfo;
  private recording = true;
  private depth = 0;
  /** Names of functions passed to `add_done_callback` anywhere in the module. */
  private readonly callbackNames = new Set<string>();
  /** Lambdas passed to `add_done_callback` directly. */
  private readonly callbackLambdas = new Set<number>();
  private readonly classes = new Map<string, ClassFacts>();
  /** Set while evaluating a call that is an argument or an assigned value: its use is recorded by the consumer. */
  private suppressUse = false;
  private moduleScope: Scope | null = null;
  /** Recorded bodies of module-level definitions, for a document analysed again (null: none kept). */
  private readonly memo: WeakMap<SyntaxNode, BodyEffects> | null;
  /** What the bodies depend on outside themselves (see BodyEffects), computed on first use: without and with a star import before. */
  private memoContexts: [number, number] | null = null;
  /** While a body is recorded: its writes into the module's records. */
  private log: EffectLog | null = null;

  constructor(
    text: string,
    info: ModuleInfo,
    memo: WeakMap<SyntaxNode, BodyEffects> | null = null,
    /** What each top-level statement binds, kept for a document analysed again (see buildScope). */
    private readonly scopeMemo?: WeakMap<SyntaxNode, ScopeEvent[]>,
  ) {
    this.lines = new LineIndex(text);
    this.info = info;
    this.memo = memo;
    this.facts = {
      path: info.path,
      module: info.module,
      isPackage: info.isPackage,
      variables: record(),
      imports: record(),
      functions: [],
      classes: [],
      waits: [],
      discards: [],
      coroutineUses: [],
      starImports: [],
      noqa: record(),
      syntaxError: null,
    };
  }

  run(root: SyntaxNode, text: string): void {
    // Both pre-passes look for rare words; most files skip them.
    if (/noqa/i.test(text)) this.collectComments(root);
    if (text.includes('add_done_callback')) this.collectDoneCallbacks(root);
    if (root.hasError) this.facts.syntaxError = this.firstSyntaxError(root);
    const scope = buildScope('module', null, '', root, [], (node) => this.resolveImport(node), this.scopeMemo);
    this.moduleScope = scope;
    const ctx: Ctx = {
      scope,
      fn: null,
      coroutine: null,
      classQ: null,
      classRel: null,
      selfName: null,
      doneCallback: false,
      caught: [],
      loopDepth: 0,
    };
    this.visitBlock(root, ctx, { vars: new Map(), done: new Set(), dead: false });
  }

  // ---- module-wide pre-passes -------------------------------------------------

  private collectComments(root: SyntaxNode): void {
    for (const comment of root.descendantsOfType('comment')) {
      const codes = parseNoqa(comment.text);
      if (codes === null) continue;
      const line = this.lines.point(comment.startIndex).line;
      this.facts.noqa[line] = [...(own(this.facts.noqa, line) ?? []), ...codes];
      if (codes.length === 0) this.facts.noqa[line] = [];
    }
  }

  /**
   * A done-callback runs only once its future is complete, so `.result()` inside
   * it returns at once. Collect what is passed to `add_done_callback` (a name, a
   * method, a lambda, or the function inside `functools.partial`).
   */
  private collectDoneCallbacks(root: SyntaxNode): void {
    for (const call of root.descendantsOfType('call')) {
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'add_done_callback') continue;
      let arg: SyntaxNode | undefined = callArgs(call).positional[0];
      if (arg?.type === 'call' && /(^|\.)partial$/.test(arg.childForFieldName('function')?.text ?? '')) {
        arg = callArgs(arg).positional[0];
      }
      if (!arg) continue;
      arg = unwrapParens(arg);
      if (arg.type === 'lambda') this.callbackLambdas.add(arg.id);
      else if (arg.type === 'identifier') this.callbackNames.add(arg.text);
      else if (arg.type === 'attribute') this.callbackNames.add(arg.childForFieldName('attribute')?.text ?? '');
    }
  }

  /**
   * The first syntax error in document order, at the innermost ERROR or MISSING
   * node: tree-sitter's recovery can wrap a whole module in an ERROR node, and
   * pointing at line 1 would help nobody.
   */
  private firstSyntaxError(root: SyntaxNode): { loc: Loc; message: string } | null {
    let node = root;
    for (;;) {
      if (node.isMissing) {
        return { loc: this.loc(node.startIndex, node.startIndex), message: `Syntax error: missing \`${node.type}\`` };
      }
      const child = node.children.find((c) => c.hasError);
      if (child) {
        node = child;
        continue;
      }
      if (node.type !== 'ERROR') return null;
      const first = node.children[0];
      const what = first ? compact(first.text).slice(0, 20) : '';
      const end = first ? first.endIndex : node.endIndex;
      return {
        loc: this.loc(node.startIndex, Math.max(node.startIndex, end)),
        message: what ? `Syntax error: unexpected \`${what}\`` : 'Syntax error',
      };
    }
  }

  // ---- helpers -------------------------------------------------------------------

  /**
   * One call is often recorded several times (a discard, a coroutine use, an
   * escape): they share one Loc object, which structured cloning keeps shared,
   * so facts cost less memory here, in transit and in the main thread.
   */
  private loc(start: number, end: number): Loc {
    const key = `${start}:${end}`;
    let loc = this.locs.get(key);
    if (!loc) {
      loc = this.lines.span(start, end);
      this.locs.set(key, loc);
    }
    return loc;
  }

  private nodeLoc(node: SyntaxNode): Loc {
    return this.loc(node.startIndex, node.endIndex);
  }

  private resolveImport(node: SyntaxNode): { name: string; target: string }[] {
    return importBindings(node, this.info.module, this.info.isPackage).bindings;
  }

  private q(rel: string): string {
    return rel ? `${this.info.module}.${rel}` : this.info.module;
  }

  private relOf(scope: Scope, name: string): string {
    return scope.rel ? `${scope.rel}.${name}` : name;
  }

  /** The value a name has at this point. */
  private lookup(name: string, ctx: Ctx, state: State): Value {
    let scope: Scope | null = ctx.scope;
    // Lambdas and comprehensions run on a copy of the enclosing state: their own names and the enclosing ones are in it.
    while (scope && (scope.kind === 'lambda' || scope.kind === 'comprehension')) {
      if (scope.bound.has(name)) return state.vars.get(name) ?? NOTHING;
      scope = scope.parent;
    }
    if (!scope) return NOTHING;
    if (scope.globals.has(name)) return this.moduleName(name);
    if (scope.bound.has(name)) {
      if (state.vars.has(name)) return state.vars.get(name)!;
      return scope.kind === 'module' ? this.symbolIn(scope, name) : NOTHING;
    }
    for (let s = scope.parent; s; s = s.parent) {
      if (s.kind === 'class' || s.kind === 'lambda' || s.kind === 'comprehension') continue;
      if (s.globals.has(name)) return this.moduleName(name);
      if (s.bound.has(name)) return this.symbolIn(s, name);
    }
    return this.moduleName(name);
  }

  /** A name looked up in the module's global namespace (from anywhere in the module). */
  private moduleName(name: string): Value {
    return this.symbolIn(this.moduleScope!, name);
  }

  private symbolIn(scope: Scope, name: string): Value {
    const target = scope.importsOnly.get(name);
    if (target) return symbol(target);
    if (scope.kind === 'module' && !scope.bound.has(name)) {
      if (this.facts.starImports.length > 0 && !BUILTIN_NAMES.has(name)) return symbol(this.q(name));
      return symbol(`builtins.${name}`);
    }
    return symbol(this.q(this.relOf(scope, name)));
  }

  private addVariable(rel: string, value: Value): void {
    if (value.length === 0) return;
    this.log?.variables.push([rel, value]);
    const existing = own(this.facts.variables, rel);
    this.facts.variables[rel] = existing ? union(existing, value) : value;
  }

  private assignName(name: string, value: Value, ctx: Ctx, state: State): void {
    let scope: Scope | null = ctx.scope;
    while (scope && (scope.kind === 'lambda' || scope.kind === 'comprehension') && !scope.bound.has(name)) {
      scope = scope.parent;
    }
    if (!scope) return;
    if (scope.globals.has(name)) this.addVariable(name, value);
    else {
      state.vars.set(name, value);
      // A function's locals are read from elsewhere only by the functions and classes nested in it
      // (closures); keeping them for every function would bloat the facts for nothing.
      const readElsewhere = scope.kind === 'module' || scope.kind === 'class' || (scope.kind === 'function' && this.hasNestedScopes(scope));
      if (readElsewhere) this.addVariable(this.relOf(scope, name), value);
    }
    for (const key of [...state.done]) if (key === name || key.startsWith(`${name}.`) || key.startsWith(`${name}[`)) state.done.delete(key);
  }

  /** Function scopes whose bodies define nested functions or classes (which may read their locals). */
  private readonly nestingScopes = new WeakMap<Scope, boolean>();

  private hasNestedScopes(scope: Scope): boolean {
    return this.nestingScopes.get(scope) ?? false;
  }

  private addClassAttr(classRel: string, name: string, value: Value): void {
    if (value.length === 0) return;
    const cls = this.classes.get(classRel);
    if (!cls) return;
    const existing = own(cls.attrs, name);
    cls.attrs[name] = existing ? union(existing, value) : value;
  }

  private isSelf(node: SyntaxNode | null, ctx: Ctx): boolean {
    return !!node && node.type === 'identifier' && ctx.selfName !== null && node.text === ctx.selfName;
  }

  // ---- statements ----------------------------------------------------------------

  private visitBlock(block: SyntaxNode | null, ctx: Ctx, state: State): void {
    if (!block) return;
    for (const stmt of block.namedChildren) this.visitStatement(stmt, ctx, state);
  }

  private visitStatement(node: SyntaxNode, ctx: Ctx, state: State): void {
    if (this.depth > MAX_DEPTH) return;
    this.depth++;
    try {
      this.visitStatementInner(node, ctx, state);
    } finally {
      this.depth--;
    }
  }

  private visitStatementInner(node: SyntaxNode, ctx: Ctx, state: State): void {
    switch (node.type) {
      case 'expression_statement':
        for (const child of node.namedChildren) this.visitExpressionStatement(child, ctx, state);
        return;
      case 'return_statement': {
        const value = node.namedChild(0);
        if (value) {
          const v = this.evalExpr(value, ctx, state);
          if (ctx.fn) ctx.fn.returns = union(ctx.fn.returns, v);
        }
        state.dead = true;
        return;
      }
      case 'if_statement':
        this.visitIf(node, ctx, state);
        return;
      case 'for_statement':
        this.visitFor(node, ctx, state);
        return;
      case 'while_statement':
        this.visitWhile(node, ctx, state);
        return;
      case 'try_statement':
        this.visitTry(node, ctx, state);
        return;
      case 'with_statement':
        this.visitWith(node, ctx, state);
        return;
      case 'function_definition':
        this.defineFunction(node, [], ctx, state);
        return;
      case 'class_definition':
        this.defineClass(node, ctx, state);
        return;
      case 'decorated_definition': {
        const decorators = node.namedChildren.filter((c) => c.type === 'decorator');
        for (const d of decorators) for (const e of d.namedChildren) this.evalExpr(e, ctx, state);
        const def = node.childForFieldName('definition');
        if (def?.type === 'function_definition') this.defineFunction(def, decorators, ctx, state);
        else if (def?.type === 'class_definition') this.defineClass(def, ctx, state);
        return;
      }
      case 'raise_statement':
        this.visitRaise(node, ctx, state);
        state.dead = true;
        return;
      case 'break_statement':
      case 'continue_statement':
        state.dead = true;
        return;
      case 'import_statement':
      case 'import_from_statement':
        this.visitImport(node, ctx, state);
        return;
      case 'assert_statement': {
        for (const child of node.namedChildren) this.evalExpr(child, ctx, state);
        for (const key of doneGuards(node.namedChild(0)).pos) state.done.add(key);
        return;
      }
      case 'match_statement':
        this.visitMatch(node, ctx, state);
        return;
      case 'delete_statement':
        for (const name of targetNames(node.namedChild(0))) state.vars.delete(name);
        return;
      case 'global_statement':
      case 'nonlocal_statement':
      case 'pass_statement':
      case 'comment':
      case 'future_import_statement':
        return;
      case 'block':
        this.visitBlock(node, ctx, state);
        return;
      default:
        // ERROR nodes and anything unexpected: visit what is inside, statements as statements.
        for (const child of node.namedChildren) {
          if (/_statement$|_definition$|^block$|^ERROR$/.test(child.type)) this.visitStatement(child, ctx, state);
          else this.evalExpr(child, ctx, state);
        }
    }
  }

  private visitExpressionStatement(node: SyntaxNode, ctx: Ctx, state: State): void {
    if (node.type === 'assignment') {
      this.visitAssignment(node, ctx, state);
      return;
    }
    if (node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const value = right ? this.evalExpr(right, ctx, state) : NOTHING;
      if (left?.type === 'identifier') {
        this.assignName(left.text, union(this.lookup(left.text, ctx, state), value), ctx, state);
      } else if (left?.type === 'attribute' && this.isSelf(left.childForFieldName('object'), ctx) && ctx.classRel) {
        this.addClassAttr(ctx.classRel, left.childForFieldName('attribute')!.text, value);
      }
      return;
    }
    const value = this.evalExpr(node, ctx, state);
    const call = unwrapParens(node);
    if (call.type === 'call' && value.length > 0 && this.recording) {
      const fn = call.childForFieldName('function');
      this.facts.discards.push({ value, loc: this.nodeLoc(call), calleeText: compact(fn?.text ?? call.text) });
    }
  }

  private visitAssignment(node: SyntaxNode, ctx: Ctx, state: State): Value {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!right) {
      return NOTHING;
    }
    let value: Value;
    if (right.type === 'assignment') value = this.visitAssignment(right, ctx, state);
    else if (left && this.bindElementwise(left, right, ctx, state)) return NOTHING;
    else {
      // A call whose result is stored is not "used" here; where the stored value goes decides that.
      this.suppressUse = unwrapParens(right).type === 'call' && left?.type === 'identifier';
      value = this.evalExpr(right, ctx, state);
    }
    if (left) this.bindTarget(left, value, ctx, state);
    return value;
  }

  /** `a, b = x, y`: binds element by element when both sides have the same shape. */
  private bindElementwise(left: SyntaxNode, right: SyntaxNode, ctx: Ctx, state: State): boolean {
    if (!TARGET_SHAPES.has(left.type) || !VALUE_SHAPES.has(right.type)) return false;
    const targets = left.namedChildren;
    const sources = right.namedChildren;
    if (targets.length !== sources.length || sources.some((s) => s.type === 'list_splat')) return false;
    const evaluated = sources.map((s) => this.evalExpr(s, ctx, state));
    targets.forEach((t, i) => this.bindTarget(t, evaluated[i]!, ctx, state));
    return true;
  }

  private bindTarget(target: SyntaxNode, value: Value, ctx: Ctx, state: State, nesting = 0): void {
    // `((((a,),),),) = x` nests as deep as the file likes; past MAX_DEPTH the names stay unbound.
    if (nesting > MAX_DEPTH) return;
    switch (target.type) {
      case 'identifier':
        this.assignName(target.text, value, ctx, state);
        return;
      case 'attribute': {
        const obj = target.childForFieldName('object');
        const name = target.childForFieldName('attribute')?.text;
        if (obj && name && this.isSelf(obj, ctx) && ctx.classRel) {
          this.addClassAttr(ctx.classRel, name, value);
          const key = `${obj.text}.${name}`;
          for (const k of [...state.done]) if (k === key || k.startsWith(`${key}.`)) state.done.delete(k);
        } else if (obj) this.evalExpr(obj, ctx, state);
        return;
      }
      case 'subscript': {
        const obj = target.childForFieldName('value');
        for (const sub of target.childrenForFieldName('subscript')) this.evalExpr(sub, ctx, state);
        const stored: Value = mappingOf(value);
        if (obj?.type === 'identifier') {
          this.assignName(obj.text, union(this.lookup(obj.text, ctx, state), stored), ctx, state);
        } else if (obj?.type === 'attribute' && this.isSelf(obj.childForFieldName('object'), ctx) && ctx.classRel) {
          this.addClassAttr(ctx.classRel, obj.childForFieldName('attribute')!.text, stored);
        }
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression': {
        const element = elemOf(value);
        for (const child of target.namedChildren) {
          if (child.type === 'list_splat_pattern' || child.type === 'list_splat') {
            const inner = child.namedChild(0);
            if (inner) this.bindTarget(inner, collectionOf(element), ctx, state, nesting + 1);
          } else this.bindTarget(child, element, ctx, state, nesting + 1);
        }
        return;
      }
      case 'as_pattern_target':
        for (const child of target.namedChildren) this.bindTarget(child, value, ctx, state, nesting + 1);
        return;
      default:
        return;
    }
  }

  private visitIf(node: SyntaxNode, ctx: Ctx, state: State): void {
    const outcomes: State[] = [];
    let current = state;
    let clause: SyntaxNode | null = node;
    while (clause) {
      const cond = clause.childForFieldName('condition');
      if (cond) this.evalExpr(cond, ctx, current);
      const guards = doneGuards(cond);
      const thenState = cloneState(current);
      for (const key of guards.pos) thenState.done.add(key);
      this.visitBlock(clause.childForFieldName('consequence'), ctx, thenState);
      outcomes.push(thenState);
      const elseState = cloneState(current);
      for (const key of guards.neg) elseState.done.add(key);
      current = elseState;
      // The next clause: an elif, an else, or nothing (falling through).
      const alternatives: SyntaxNode[] =
        clause === node ? node.childrenForFieldName('alternative') : [];
      if (clause === node) {
        let fallThrough = true;
        for (const alt of alternatives) {
          if (alt.type === 'elif_clause') {
            const altCond = alt.childForFieldName('condition');
            if (altCond) this.evalExpr(altCond, ctx, current);
            const altGuards = doneGuards(altCond);
            const altThen = cloneState(current);
            for (const key of altGuards.pos) altThen.done.add(key);
            this.visitBlock(alt.childForFieldName('consequence'), ctx, altThen);
            outcomes.push(altThen);
            const altElse = cloneState(current);
            for (const key of altGuards.neg) altElse.done.add(key);
            current = altElse;
          } else if (alt.type === 'else_clause') {
            const elseBody = cloneState(current);
            this.visitBlock(alt.childForFieldName('body'), ctx, elseBody);
            outcomes.push(elseBody);
            fallThrough = false;
          }
        }
        if (fallThrough) outcomes.push(current);
      }
      clause = null;
    }
    const merged = mergeStates(outcomes);
    state.vars = merged.vars;
    state.done = merged.done;
    state.dead = merged.dead;
  }

  /** Runs a loop body: first without recording, to carry values around the loop, then for real. */
  private runLoopBody(body: SyntaxNode | null, ctx: Ctx, entry: State, bindEach: (s: State) => void): State {
    const inner: Ctx = { ...ctx, loopDepth: ctx.loopDepth + 1 };
    let start = cloneState(entry);
    if (ctx.loopDepth < MAX_LOOP_PREPASS_DEPTH && this.recording) {
      this.recording = false;
      const first = cloneState(entry);
      bindEach(first);
      this.visitBlock(body, inner, first);
      this.recording = true;
      first.dead = false;
      start = mergeStates([entry, first]);
    }
    bindEach(start);
    this.visitBlock(body, inner, start);
    start.dead = false;
    return start;
  }

  private visitFor(node: SyntaxNode, ctx: Ctx, state: State): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const bindEach = right && left ? this.iterationBinder(left, right, ctx, state) : () => {};
    const after = this.runLoopBody(node.childForFieldName('body'), ctx, state, bindEach);
    const merged = mergeStates([state, after]);
    const alternative = node.childForFieldName('alternative');
    if (alternative) this.visitBlock(alternative.childForFieldName('body'), ctx, merged);
    state.vars = merged.vars;
    state.done = merged.done;
  }

  /**
   * Evaluates a loop's iterable once and returns how to bind its target:
   * `for f in futs`, `for i, f in enumerate(futs)`, `for a, b in zip(xs, futs)`,
   * `for k, f in mapping.items()`.
   */
  private iterationBinder(left: SyntaxNode, right: SyntaxNode, ctx: Ctx, state: State): (s: State) => void {
    const iterable = unwrapParens(right);
    const parts = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren : null;
    if (iterable.type === 'call' && parts) {
      const fn = iterable.childForFieldName('function')!;
      const args = callArgs(iterable);
      if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'items' && parts.length === 2) {
        const mapping = this.evalExpr(fn.childForFieldName('object')!, ctx, state);
        return (s) => {
          this.bindTarget(parts[0]!, NOTHING, ctx, s);
          this.bindTarget(parts[1]!, itemOf(mapping), ctx, s);
        };
      }
      const api = apiEffect(singleSymbol(this.evalExpr(fn, ctx, state)))?.kind;
      if (api === 'enumerates' && parts.length === 2 && args.positional[0]) {
        const seq = this.evalExpr(args.positional[0], ctx, state);
        return (s) => {
          this.bindTarget(parts[0]!, NOTHING, ctx, s);
          this.bindTarget(parts[1]!, elemOf(seq), ctx, s);
        };
      }
      if (api === 'zips' && parts.length === args.positional.length) {
        const seqs = args.positional.map((a) => this.evalExpr(a, ctx, state));
        return (s) => parts.forEach((p, i) => this.bindTarget(p, elemOf(seqs[i]!), ctx, s));
      }
    }
    const value = this.evalExpr(right, ctx, state);
    return (s) => this.bindTarget(left, elemOf(value), ctx, s);
  }

  private visitWhile(node: SyntaxNode, ctx: Ctx, state: State): void {
    const cond = node.childForFieldName('condition');
    if (cond) this.evalExpr(cond, ctx, state);
    const guards = doneGuards(cond);
    const after = this.runLoopBody(node.childForFieldName('body'), ctx, state, (s) => {
      for (const key of guards.pos) s.done.add(key);
    });
    const merged = mergeStates([state, after]);
    // The loop ends when its condition is false: `while not fut.done(): ...` leaves fut done.
    for (const key of guards.neg) merged.done.add(key);
    const alternative = node.childForFieldName('alternative');
    if (alternative) this.visitBlock(alternative.childForFieldName('body'), ctx, merged);
    state.vars = merged.vars;
    state.done = merged.done;
  }

  /** Exception classes a handler catches, or null when it re-raises what it caught. */
  private handlerCatches(handler: SyntaxNode, ctx: Ctx, state: State): string[] | null {
    const valueNode = handler.childForFieldName('value');
    let typeNode: SyntaxNode | null = valueNode;
    let alias: string | null = null;
    if (valueNode?.type === 'as_pattern') {
      typeNode = valueNode.namedChild(0);
      alias = valueNode.childForFieldName('alias')?.text ?? null;
    }
    const block = handler.namedChildren.find((c) => c.type === 'block') ?? null;
    if (block && this.reRaises(block, alias)) return null;
    if (!typeNode) return ['builtins.BaseException'];
    const elements = unwrapParens(typeNode).type === 'tuple' ? unwrapParens(typeNode).namedChildren : [typeNode];
    const names: string[] = [];
    const saved = this.recording;
    this.recording = false;
    for (const element of elements) {
      const q = singleSymbol(this.evalExpr(element, ctx, state));
      if (q) names.push(q);
    }
    this.recording = saved;
    return names;
  }

  /** Whether a handler's block re-raises: a bare `raise`, or `raise e` of the caught exception. */
  private reRaises(block: SyntaxNode, alias: string | null): boolean {
    for (const raise of block.descendantsOfType('raise_statement')) {
      let nested = false;
      for (let p = raise.parent; p && p.id !== block.id; p = p.parent) {
        if (p.type === 'function_definition' || p.type === 'lambda' || p.type === 'class_definition') nested = true;
      }
      if (nested) continue;
      const raised = raise.namedChild(0);
      if (!raised || (alias && raised.type === 'identifier' && raised.text === alias)) return true;
    }
    return false;
  }

  private visitTry(node: SyntaxNode, ctx: Ctx, state: State): void {
    const handlers = node.namedChildren.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
    const caught: string[] = [];
    for (const handler of handlers) caught.push(...(this.handlerCatches(handler, ctx, state) ?? []));
    const entry = cloneState(state);
    const body = cloneState(state);
    this.visitBlock(node.childForFieldName('body'), { ...ctx, caught: [...ctx.caught, ...caught] }, body);
    const outcomes: State[] = [];
    const elseClause = node.namedChildren.find((c) => c.type === 'else_clause');
    if (elseClause) this.visitBlock(elseClause.childForFieldName('body'), ctx, body);
    outcomes.push(body);
    for (const handler of handlers) {
      const hs = mergeStates([entry, { ...body, dead: false }]);
      const valueNode = handler.childForFieldName('value');
      if (valueNode?.type === 'as_pattern') {
        const alias = valueNode.childForFieldName('alias');
        if (alias) this.bindTarget(alias, NOTHING, ctx, hs);
      }
      this.visitBlock(handler.namedChildren.find((c) => c.type === 'block') ?? null, ctx, hs);
      outcomes.push(hs);
    }
    const merged = mergeStates(outcomes);
    const finallyClause = node.namedChildren.find((c) => c.type === 'finally_clause');
    if (finallyClause) {
      const fin = mergeStates([entry, { ...merged, dead: false }]);
      const wasDead = merged.dead;
      this.visitBlock(finallyClause.namedChildren.find((c) => c.type === 'block') ?? null, ctx, fin);
      merged.vars = fin.vars;
      merged.dead = wasDead || fin.dead;
    }
    state.vars = merged.vars;
    state.done = merged.done;
    state.dead = merged.dead;
  }

  private visitWith(node: SyntaxNode, ctx: Ctx, state: State): void {
    const caught: string[] = [];
    const clause = node.namedChildren.find((c) => c.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      if (item.type !== 'with_item') continue;
      const value = item.childForFieldName('value');
      if (!value) continue;
      const expr = value.type === 'as_pattern' ? value.namedChild(0)! : value;
      const v = this.evalExpr(expr, ctx, state);
      const inner = unwrapParens(expr);
      // `with contextlib.suppress(SystemExit):` catches like an except clause that does not re-raise.
      if (inner.type === 'call') {
        const callee = this.calleeValue(inner, ctx, state, false);
        if (apiEffect(singleSymbol(callee))?.kind === 'suppresses-exceptions') {
          for (const arg of callArgs(inner).positional) {
            const q = singleSymbol(this.quietEval(arg, ctx, state));
            if (q) caught.push(q);
          }
        }
      }
      if (value.type === 'as_pattern') {
        const alias = value.childForFieldName('alias');
        if (alias) this.bindTarget(alias, v, ctx, state);
      }
    }
    this.visitBlock(node.childForFieldName('body'), caught.length ? { ...ctx, caught: [...ctx.caught, ...caught] } : ctx, state);
  }

  private visitMatch(node: SyntaxNode, ctx: Ctx, state: State): void {
    const subject = node.childForFieldName('subject');
    if (subject) this.evalExpr(subject, ctx, state);
    const outcomes: State[] = [cloneState(state)];
    const body = node.childForFieldName('body');
    for (const clause of body?.namedChildren ?? []) {
      if (clause.type !== 'case_clause') continue;
      const branch = cloneState(state);
      this.visitBlock(clause.childForFieldName('consequence'), ctx, branch);
      outcomes.push(branch);
    }
    const merged = mergeStates(outcomes);
    state.vars = merged.vars;
    state.done = merged.done;
  }

  private visitImport(node: SyntaxNode, ctx: Ctx, state: State): void {
    const { bindings, stars } = importBindings(node, this.info.module, this.info.isPackage);
    for (const { name, target } of bindings) {
      state.vars.set(name, symbol(target));
      const rel = this.relOf(ctx.scope, name);
      this.facts.imports[rel] = target;
      this.log?.imports.push([rel, target]);
    }
    if (ctx.scope.kind === 'module') this.facts.starImports.push(...stars);
  }

  private visitRaise(node: SyntaxNode, ctx: Ctx, state: State): void {
    const raised = node.namedChild(0);
    if (!raised) return;
    for (const child of node.namedChildren) if (child !== raised) this.evalExpr(child, ctx, state);
    const value = this.evalExpr(raised, ctx, state);
    if (!ctx.fn || !this.recording) return;
    // Only classes (or instances of classes) known by name can be SystemExit or a subclass of it.
    const inner = unwrapParens(raised);
    const classNode = inner.type === 'call' ? inner.childForFieldName('function') : inner;
    if (!classNode || (classNode.type !== 'identifier' && classNode.type !== 'attribute')) return;
    const q = singleSymbol(this.quietEval(classNode, ctx, state));
    if (!q) return;
    if (q.startsWith('builtins.') && q !== 'builtins.SystemExit' && q !== 'builtins.KeyboardInterrupt') return;
    ctx.fn.escapes.push({
      via: 'raise',
      loc: this.nodeLoc(node),
      text: compact(node.text),
      value,
      caught: ctx.caught,
    });
  }

  private defineFunction(node: SyntaxNode, decorators: SyntaxNode[], ctx: Ctx, state: State): void {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return;
    const name = nameNode.text;
    const rel = this.relOf(ctx.scope, name);
    const q = this.q(rel);
    const paramsNode = node.childForFieldName('parameters');
    for (const p of paramsNode?.namedChildren ?? []) {
      const def = p.childForFieldName('value');
      if (def) this.evalExpr(def, ctx, state);
    }
    this.assignName(name, symbol(q), ctx, state);
    if (!this.recording) return;
    this.memoizedBody(node, ctx, () => this.functionBody(node, nameNode, paramsNode, name, rel, q, decorators, ctx));
  }

  /** A function's facts from its body (what does not depend on the state where it is defined). */
  private functionBody(
    node: SyntaxNode,
    nameNode: SyntaxNode,
    paramsNode: SyntaxNode | null,
    name: string,
    rel: string,
    q: string,
    decorators: SyntaxNode[],
    ctx: Ctx,
  ): void {
    const isAsync = node.children.some((c) => c.type === 'async');
    const params = parameterNames(paramsNode);
    const isStatic = decorators.some((d) => /staticmethod$/.test(d.text));
    const isMethod = ctx.scope.kind === 'class';
    const selfName = isMethod && !isStatic && params.length > 0 ? params[0]! : null;
    const fn: FunctionFacts = {
      q,
      name,
      isAsync,
      loc: this.nodeLoc(nameNode),
      params,
      returns: NOTHING,
      submitsParams: [],
      escapes: [],
    };
    this.facts.functions.push(fn);
    const body = node.childForFieldName('body');
    const scope = buildScope('function', ctx.scope, rel, body, params, (n) => this.resolveImport(n));
    this.nestingScopes.set(scope, !!body && body.hasDescendantOfType(NESTED_SCOPES));
    const inner: State = { vars: new Map(), done: new Set(), dead: false };
    for (const p of params) inner.vars.set(p, NOTHING);
    let classQ = ctx.classQ;
    let classRel = ctx.classRel;
    let self = ctx.selfName;
    if (isMethod) {
      classQ = this.q(ctx.scope.rel);
      classRel = ctx.scope.rel;
      self = selfName;
      if (selfName) {
        const selfValue: Value = [{ k: 'self', c: classQ }];
        inner.vars.set(selfName, selfValue);
        // Nested functions see `self` through the closure.
        if (this.hasNestedScopes(scope)) this.addVariable(`${rel}.${selfName}`, selfValue);
      }
    } else if (ctx.selfName && params.includes(ctx.selfName)) {
      self = null;
    }
    const fnCtx: Ctx = {
      scope,
      fn,
      coroutine: isAsync ? name : null,
      classQ,
      classRel,
      selfName: self,
      doneCallback: this.callbackNames.has(name),
      caught: [],
      loopDepth: 0,
    };
    const savedSuppress = this.suppressUse;
    this.suppressUse = false;
    this.visitBlock(body, fnCtx, inner);
    this.suppressUse = savedSuppress;
  }

  private defineClass(node: SyntaxNode, ctx: Ctx, state: State): void {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return;
    const name = nameNode.text;
    const rel = this.relOf(ctx.scope, name);
    const q = this.q(rel);
    const bases: Value[] = [];
    const superclasses = node.childForFieldName('superclasses');
    for (const arg of superclasses?.namedChildren ?? []) {
      if (arg.type === 'keyword_argument') {
        const v = arg.childForFieldName('value');
        if (v) this.evalExpr(v, ctx, state);
      } else bases.push(this.evalExpr(arg, ctx, state));
    }
    this.assignName(name, symbol(q), ctx, state);
    if (!this.recording) return;
    this.memoizedBody(node, ctx, () => this.classBody(node, nameNode, name, rel, q, bases, ctx));
  }

  /** A class's facts from its body (its bases are evaluated where it is defined). */
  private classBody(node: SyntaxNode, nameNode: SyntaxNode, name: string, rel: string, q: string, bases: Value[], ctx: Ctx): void {
    const cls: ClassFacts = { q, name, loc: this.nodeLoc(nameNode), bases, attrs: record() };
    this.facts.classes.push(cls);
    this.classes.set(rel, cls);
    const body = node.childForFieldName('body');
    const scope = buildScope('class', ctx.scope, rel, body, [], (n) => this.resolveImport(n));
    const classCtx: Ctx = {
      scope,
      fn: null,
      coroutine: null,
      classQ: q,
      classRel: rel,
      selfName: null,
      doneCallback: false,
      caught: [],
      loopDepth: 0,
    };
    this.visitBlock(body, classCtx, { vars: new Map(), done: new Set(), dead: false });
  }

  // ---- re-analysis of an edited document ------------------------------------------

  /**
   * Runs `analyze` (the body of a module-level function or class) or, for a
   * definition the last analysis of this document recorded under the same
   * context, replays what it added (see BodyEffects).
   */
  private memoizedBody(node: SyntaxNode, ctx: Ctx, analyze: () => void): void {
    if (!this.memo || ctx.scope !== this.moduleScope || this.suppressUse || this.log) {
      analyze();
      return;
    }
    const context = this.bodyContexts()[this.facts.starImports.length > 0 ? 1 : 0];
    const at = this.lines.point(node.startIndex);
    const known = this.memo.get(node);
    if (known && known.context === context) {
      this.memo.set(node, this.replay(known, node.startIndex, at.line, at.column));
      return;
    }
    const lists = factLists(this.facts);
    const before = lists.map(([, list]) => list.length);
    const log: EffectLog = { variables: [], imports: [] };
    this.log = log;
    try {
      analyze();
    } finally {
      this.log = null;
    }
    const added: Record<string, unknown[]> = {};
    lists.forEach(([key, list], i) => {
      if (list.length > before[i]!) added[key] = list.slice(before[i]);
    });
    this.memo.set(node, { context, start: node.startIndex, line: at.line, column: at.column, lists: added, log });
  }

  /** The module-wide facts a module-level body reads: the module, its bindings, the done-callbacks, and whether a star import comes first. */
  private bodyContexts(): [number, number] {
    if (this.memoContexts === null) {
      const scope = this.moduleScope!;
      const context = JSON.stringify([
        this.info.module,
        this.info.isPackage,
        [...scope.bound].sort(),
        [...scope.importsOnly].sort(),
        [...scope.globals].sort(),
        [...this.callbackNames].sort(),
        // Not the done-callback lambdas: a lambda is one only as the argument of an add_done_callback call,
        // so in the same body; and a reused body keeps its nodes' ids (see copyTree).
      ]);
      this.memoContexts = [contextId(`${context} no star import`), contextId(`${context} star import`)];
    }
    return this.memoContexts;
  }

  /** Adds recorded effects to the facts, moved to where the definition now starts; returns them as recorded now. */
  private replay(known: BodyEffects, start: number, line: number, column: number): BodyEffects {
    const delta = start - known.start;
    const moved = delta !== 0 || line !== known.line || column !== known.column;
    const lists = moved ? relocated(known.lists, (loc) => this.loc(loc.start.offset + delta, loc.end.offset + delta)) : known.lists;
    const facts = this.facts as unknown as Record<string, unknown[]>;
    // (this.classes is read only while a class's own body is analysed, so replayed classes need not be in it.)
    for (const key of Object.keys(lists)) facts[key]!.push(...lists[key]!);
    for (const [rel, value] of known.log.variables) this.addVariable(rel, value);
    for (const [rel, target] of known.log.imports) this.facts.imports[rel] = target;
    return { ...known, start, line, column, lists };
  }

  // ---- expressions ---------------------------------------------------------------

  /** Evaluates without recording facts (for re-reading a name already evaluated). */
  private quietEval(node: SyntaxNode, ctx: Ctx, state: State): Value {
    const saved = this.recording;
    this.recording = false;
    try {
      return this.evalExpr(node, ctx, state);
    } finally {
      this.recording = saved;
    }
  }

  private evalExpr(node: SyntaxNode, ctx: Ctx, state: State): Value {
    if (this.depth > MAX_DEPTH) return NOTHING;
    this.depth++;
    try {
      return this.evalInner(node, ctx, state);
    } finally {
      this.depth--;
    }
  }

  private evalAll(nodes: SyntaxNode[], ctx: Ctx, state: State): void {
    for (const n of nodes) this.evalExpr(n, ctx, state);
  }

  private evalInner(node: SyntaxNode, ctx: Ctx, state: State): Value {
    const suppress = this.suppressUse;
    this.suppressUse = false;
    switch (node.type) {
      case 'identifier':
        return this.lookup(node.text, ctx, state);
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const name = node.childForFieldName('attribute')?.text ?? '';
        const ov = obj ? this.evalExpr(obj, ctx, state) : NOTHING;
        const q = singleSymbol(ov);
        if (q) return symbol(`${q}.${name}`);
        return attrOf(ov, name);
      }
      case 'call':
        return this.evalCall(node, ctx, state, suppress);
      case 'await':
        // Awaiting yields the outcome, not a concurrent future.
        this.evalAll(node.namedChildren, ctx, state);
        return NOTHING;
      case 'parenthesized_expression': {
        const inner = node.namedChild(0);
        this.suppressUse = suppress;
        return inner ? this.evalExpr(inner, ctx, state) : NOTHING;
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        // Folded one element at a time: spreading a million-element literal into union() overflows the stack.
        let elements: Value = NOTHING;
        for (const child of node.namedChildren) {
          if (child.type === 'list_splat') {
            const inner = child.namedChild(0);
            if (inner) elements = union(elements, elemOf(this.evalExpr(inner, ctx, state)));
          } else elements = union(elements, this.evalExpr(child, ctx, state));
        }
        return collectionOf(elements);
      }
      case 'dictionary': {
        let keys: Value = NOTHING;
        let values: Value = NOTHING;
        for (const child of node.namedChildren) {
          if (child.type === 'pair') {
            const key = child.childForFieldName('key');
            const value = child.childForFieldName('value');
            if (key) keys = union(keys, this.evalExpr(key, ctx, state));
            if (value) values = union(values, this.evalExpr(value, ctx, state));
          } else this.evalExpr(child, ctx, state);
        }
        return this.mappingOf(keys, values);
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
        return collectionOf(this.evalComprehension(node, ctx, state));
      case 'dictionary_comprehension': {
        const keys: Value[] = [];
        const value = this.evalComprehension(node, ctx, state, keys);
        return this.mappingOf(union(NOTHING, ...keys), value);
      }
      case 'conditional_expression': {
        const [a, cond, b] = node.namedChildren;
        if (cond) this.evalExpr(cond, ctx, state);
        const guards = doneGuards(cond ?? null);
        const thenState = cloneState(state);
        for (const key of guards.pos) thenState.done.add(key);
        const elseState = cloneState(state);
        for (const key of guards.neg) elseState.done.add(key);
        return union(a ? this.evalExpr(a, ctx, thenState) : NOTHING, b ? this.evalExpr(b, ctx, elseState) : NOTHING);
      }
      case 'boolean_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const lv = left ? this.evalExpr(left, ctx, state) : NOTHING;
        // `fut.done() and fut.result()`: the right side runs only when the left is true.
        const guarded = cloneState(state);
        const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
        const guards = doneGuards(left);
        for (const key of op === 'and' ? guards.pos : guards.neg) guarded.done.add(key);
        const rv = right ? this.evalExpr(right, ctx, guarded) : NOTHING;
        return union(lv, rv);
      }
      case 'binary_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const lv = left ? this.evalExpr(left, ctx, state) : NOTHING;
        const rv = right ? this.evalExpr(right, ctx, state) : NOTHING;
        // `futs + [fut]` keeps being a collection of futures.
        return node.childForFieldName('operator')?.text === '+' ? union(lv, rv) : NOTHING;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        const v = value ? this.evalExpr(value, ctx, state) : NOTHING;
        if (name) this.assignName(name.text, v, ctx, state);
        return v;
      }
      case 'subscript': {
        const value = node.childForFieldName('value');
        const v = value ? this.evalExpr(value, ctx, state) : NOTHING;
        const subs = node.childrenForFieldName('subscript');
        this.evalAll(subs, ctx, state);
        return subs.length === 1 && subs[0]!.type === 'slice' ? v : itemOf(v);
      }
      case 'lambda':
        this.visitLambda(node, ctx, state);
        return NOTHING;
      case 'assignment':
        return this.visitAssignment(node, ctx, state);
      case 'string':
      case 'concatenated_string':
        // Only this string's own interpolations: a nested f-string's are evaluated with it (else nesting is exponential).
        for (const child of ownInterpolations(node)) {
          for (const e of child.namedChildren) if (e.type !== 'format_specifier' && e.type !== 'type_conversion') this.evalExpr(e, ctx, state);
        }
        return NOTHING;
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'comment':
      case 'ellipsis':
        return NOTHING;
      default:
        for (const child of node.namedChildren) {
          if (/_statement$|_definition$|^block$/.test(child.type)) this.visitStatement(child, ctx, state);
          else this.evalExpr(child, ctx, state);
        }
        return NOTHING;
    }
  }

  private visitLambda(node: SyntaxNode, ctx: Ctx, state: State): void {
    const params = parameterNames(node.childForFieldName('parameters'));
    for (const p of node.childForFieldName('parameters')?.namedChildren ?? []) {
      const def = p.childForFieldName('value');
      if (def) this.evalExpr(def, ctx, state);
    }
    const scope = buildScope('lambda', ctx.scope, ctx.scope.rel, null, params);
    const inner = cloneState(state);
    for (const p of params) inner.vars.set(p, NOTHING);
    const lambdaCtx: Ctx = {
      ...ctx,
      scope,
      // A lambda is only defined here: what it calls is not called by the enclosing function.
      fn: null,
      coroutine: null,
      doneCallback: ctx.doneCallback || this.callbackLambdas.has(node.id),
      caught: [],
    };
    const body = node.childForFieldName('body');
    if (body) this.evalExpr(body, lambdaCtx, inner);
  }

  /** A dict: iterating it yields its keys (`{fut: name}` is a collection of futures), indexing yields its values. */
  private mappingOf(keys: Value, values: Value): Value {
    return union(NOTHING, mappingOf(values), keys.length > 0 ? collectionOf(keys) : NOTHING);
  }

  private evalComprehension(node: SyntaxNode, ctx: Ctx, state: State, keysOut?: Value[]): Value {
    const clauses = node.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const bound: string[] = [];
    for (const c of clauses) if (c.type === 'for_in_clause') targetNames(c.childForFieldName('left'), bound);
    const scope = buildScope('comprehension', ctx.scope, ctx.scope.rel, null, bound);
    const inner = cloneState(state);
    const compCtx: Ctx = { ...ctx, scope };
    for (const clause of clauses) {
      if (clause.type === 'for_in_clause') {
        const left = clause.childForFieldName('left');
        const right = clause.childForFieldName('right');
        if (left && right) this.iterationBinder(left, right, compCtx, inner)(inner);
      } else {
        const cond = clause.namedChild(0);
        if (cond) this.evalExpr(cond, compCtx, inner);
        for (const key of doneGuards(cond).pos) inner.done.add(key);
      }
    }
    const body = node.childForFieldName('body') ?? node.namedChildren.find((c) => !clauses.includes(c)) ?? null;
    if (!body) return NOTHING;
    if (body.type === 'pair') {
      const key = body.childForFieldName('key');
      if (key) keysOut?.push(this.evalExpr(key, compCtx, inner));
      const value = body.childForFieldName('value');
      return value ? this.evalExpr(value, compCtx, inner) : NOTHING;
    }
    return this.evalExpr(body, compCtx, inner);
  }

  /** The callee's value; for `x.m(...)` also returns the receiver's. */
  private calleeValue(call: SyntaxNode, ctx: Ctx, state: State, record = true): Value {
    const fn = call.childForFieldName('function');
    if (!fn) return NOTHING;
    return record ? this.evalExpr(fn, ctx, state) : this.quietEval(fn, ctx, state);
  }

  private evalCall(node: SyntaxNode, ctx: Ctx, state: State, suppressUse: boolean): Value {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return NOTHING;
    let receiver: Value = NOTHING;
    let method: string | null = null;
    let callee: Value;
    if (fnNode.type === 'attribute') {
      const obj = fnNode.childForFieldName('object')!;
      method = fnNode.childForFieldName('attribute')?.text ?? null;
      receiver = this.evalExpr(obj, ctx, state);
      const q = singleSymbol(receiver);
      callee = q ? symbol(`${q}.${method}`) : attrOf(receiver, method ?? '');
    } else {
      callee = this.evalExpr(fnNode, ctx, state);
    }
    const args = callArgs(node);
    // (Filled by push, not made by map: an array literal's kind settles after the first call, so that
    // the engine's optimised code sees one kind of array here, empty or not, and is not thrown away.)
    const argValues: Value[] = [];
    for (const a of args.positional) {
      // A call passed as an argument is used by this call; it records the use below.
      if (unwrapParens(a).type === 'call') this.suppressUse = true;
      argValues.push(this.evalExpr(a, ctx, state));
    }
    // (Most calls have no keyword argument: they share one empty map, and no iterator is made for them.)
    let keywordValues: ReadonlyMap<string, Value> = NO_KEYWORDS;
    if (args.keywords.size > 0) {
      const values = new Map<string, Value>();
      for (const [name, a] of args.keywords) {
        if (unwrapParens(a).type === 'call') this.suppressUse = true;
        values.set(name, this.evalExpr(a, ctx, state));
      }
      keywordValues = values;
    }
    const list = node.childForFieldName('arguments');
    for (const a of list?.namedChildren ?? []) {
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') this.evalAll(a.namedChildren, ctx, state);
    }
    const call: CallSite = { node, fnNode, callee, receiver, args, argValues, keywordValues };

    const api = apiEffect(singleSymbol(callee));
    if (api) {
      const known = this.applyApi(api, call, ctx, state);
      if (known) return known;
    }
    const effect = method ? methodEffect(method) : undefined;
    if (effect) {
      const known = this.applyMethod(effect, call, ctx, state);
      if (known) return known;
    }

    // Any other call: it may be a project function (a wrapper returning a future, a helper that exits).
    if (mayBeProjectCallee(callee)) {
      if (ctx.fn && this.recording) {
        ctx.fn.escapes.push({
          via: 'call',
          loc: this.nodeLoc(node),
          text: `${compact(fnNode.text)}()`,
          value: callee,
          caught: ctx.caught,
        });
      }
      if (!suppressUse) this.recordUse({ callee, how: 'call' }, node, ctx);
      argValues.forEach((v, i) => this.recordCoroutineUses(v, 'wrapper-arg', node, ctx, { wrapper: callee, argIndex: i }));
      if (keywordValues.size > 0) {
        for (const [name, v] of keywordValues) this.recordCoroutineUses(v, 'wrapper-arg', node, ctx, { wrapper: callee, argName: name });
      }
    }
    return callOf(callee);
  }

  /**
   * What a call of a library API (see src/library/) does to the facts and
   * what it returns; null when it returns what any call returns.
   */
  private applyApi(api: ApiEffect, call: CallSite, ctx: Ctx, state: State): Value | null {
    const { node, fnNode, argValues } = call;
    switch (api.kind) {
      case 'submits-coroutine': {
        const coro = argNodeOf(call, api.coroutine);
        this.recordCoroutineUses(argOf(call, api.coroutine) ?? NOTHING, 'submitted', node, ctx);
        if (ctx.fn && coro?.type === 'identifier') {
          const index = ctx.fn.params.indexOf(coro.text);
          if (index >= 0 && !ctx.fn.submitsParams.includes(index)) ctx.fn.submitsParams.push(index);
        }
        return FUTURE;
      }
      case 'waits-on-futures': {
        const timeout = this.timeoutArgument(argNodeOf(call, api.timeout));
        this.recordWait(api.wait, argOf(call, api.futures) ?? NOTHING, argNodeOf(call, api.futures), timeout, node, this.nodeLoc(node), ctx, state);
        return NOTHING;
      }
      case 'runs-coroutine':
        this.recordCoroutineUses(argOf(call, api.coroutine) ?? NOTHING, 'main-run', node, ctx);
        return NOTHING;
      case 'exits':
        if (ctx.fn && this.recording) {
          ctx.fn.escapes.push({
            via: 'exit',
            loc: this.nodeLoc(node),
            text: `${compact(fnNode.text)}()`,
            value: NOTHING,
            raises: api.raises,
            caught: ctx.caught,
          });
        }
        return NOTHING;
      case 'collects':
        return argValues[0] ? collectionOf(elemOf(argValues[0])) : NOTHING;
      case 'takes-element':
        return argValues[0] ? elemOf(argValues[0]) : NOTHING;
      case 'coroutine-runner':
        return callOf(call.callee);
      default:
        return null;
    }
  }

  /** What a call of a method known by name (see src/library/) does; null when it is any other call. */
  private applyMethod(effect: MethodEffect, call: CallSite, ctx: Ctx, state: State): Value | null {
    const { node, fnNode, receiver, argValues } = call;
    const object = fnNode.childForFieldName('object')!;
    switch (effect.kind) {
      case 'waits-on-receiver': {
        const timeout = this.timeoutArgument(argNodeOf(call, effect.timeout));
        const dot = fnNode.children.find((c) => c.type === '.');
        const start = dot ? dot.startIndex : fnNode.childForFieldName('attribute')!.startIndex;
        const kind = fnNode.childForFieldName('attribute')!.text as 'result' | 'exception';
        this.recordWait(kind, receiver, object, timeout, node, this.loc(start, node.endIndex), ctx, state);
        // Once `fut.result(timeout=...)` has returned, `fut` is done on this path.
        if (timeout.given === 'value') state.done.add(guardKey(object));
        return NOTHING;
      }
      case 'adds-element':
        this.addToCollection(object, collectionOf(argValues[effect.element] ?? NOTHING), ctx, state);
        return NOTHING;
      case 'adds-elements':
        this.addToCollection(object, argValues[0] ?? NOTHING, ctx, state);
        return NOTHING;
      case 'mapping-values':
        return valuesOf(receiver);
      case 'takes-item':
        return itemOf(receiver);
      case 'copies':
        return receiver;
      case 'runs-coroutine':
        this.recordCoroutineUses(argOf(call, effect.coroutine) ?? NOTHING, 'main-run', node, ctx);
        return NOTHING;
      case 'runner-runs':
        if (!receiver.some((t) => t.k === 'call' && apiEffect(singleSymbol(t.f))?.kind === 'coroutine-runner')) return null;
        this.recordCoroutineUses(argOf(call, effect.coroutine) ?? NOTHING, 'main-run', node, ctx);
        return NOTHING;
    }
  }

  private timeoutArgument(node: SyntaxNode | undefined): TimeoutArgument {
    if (!node) return { given: 'absent', loc: null };
    const inner = unwrapParens(node);
    return inner.type === 'none' ? { given: 'none', loc: this.nodeLoc(inner) } : { given: 'value', loc: this.nodeLoc(node) };
  }

  private addToCollection(target: SyntaxNode, added: Value, ctx: Ctx, state: State): void {
    if (added.length === 0) return;
    if (target.type === 'identifier') {
      this.assignName(target.text, union(this.lookup(target.text, ctx, state), added), ctx, state);
    } else if (target.type === 'attribute' && this.isSelf(target.childForFieldName('object'), ctx) && ctx.classRel) {
      this.addClassAttr(ctx.classRel, target.childForFieldName('attribute')!.text, added);
    }
  }

  private recordWait(
    kind: WaitFact['kind'],
    target: Value,
    targetNode: SyntaxNode | undefined,
    timeout: TimeoutArgument,
    call: SyntaxNode,
    loc: Loc,
    ctx: Ctx,
    state: State,
  ): void {
    if (!this.recording || target.length === 0) return;
    const key = targetNode ? guardKey(targetNode) : '';
    const knownDone = ctx.doneCallback ? 'done-callback' : key && state.done.has(key) ? 'done-guard' : null;
    const list = call.childForFieldName('arguments');
    this.facts.waits.push({
      kind,
      target,
      timeout,
      coroutine: ctx.coroutine,
      knownDone,
      loc,
      targetText: targetNode ? compact(targetNode.text) : compact(call.text),
      args: list?.type === 'argument_list' ? { loc: this.nodeLoc(list), count: list.namedChildCount } : null,
    });
  }

  /** Records a use for each function whose call result is in `value` (`main()` or a name bound to it). */
  private recordCoroutineUses(
    value: Value,
    how: CoroutineUse['how'],
    node: SyntaxNode,
    ctx: Ctx,
    extra: { wrapper?: Value; argIndex?: number; argName?: string } = {},
  ): void {
    for (const term of value) {
      if (term.k === 'call' && mayBeProjectCallee(term.f)) this.recordUse({ callee: term.f, how, ...extra }, node, ctx);
    }
  }

  private recordUse(use: Omit<CoroutineUse, 'loc' | 'inFunction'>, node: SyntaxNode, ctx: Ctx): void {
    if (!this.recording) return;
    // Only calls of names, methods and attributes can reach a coroutine function of the project.
    if (!use.callee.some((t: Term) => t.k === 'sym' || t.k === 'attr')) return;
    // Spelled out, not spread: objects made by spreading got a hidden class each from the engine
    // (42,000 of them in the standard library run, 17 MB); these share one per set of fields.
    const fact: CoroutineUse = { callee: use.callee, how: use.how, loc: this.nodeLoc(node), inFunction: ctx.fn?.q ?? null };
    if (use.wrapper !== undefined) fact.wrapper = use.wrapper;
    if (use.argIndex !== undefined) fact.argIndex = use.argIndex;
    if (use.argName !== undefined) fact.argName = use.argName;
    this.facts.coroutineUses.push(fact);
  }
}
