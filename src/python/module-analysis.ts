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
 *
 * The walk is one object split by what it visits: analyzer-base.ts (the facts
 * being built, name lookup and binding), statement-analysis.ts,
 * call-effects.ts (what calls do to the facts: the library rows of
 * src/library/, escapes, call facts), callable-values.ts (lambdas, partials,
 * bound methods, callables handed to APIs), expression-analysis.ts
 * (expressions, and evaluating a call), and this file (the module, definitions, re-analysis of an edited document).
 * What the model knows is generic Python plus the library rows; rules
 * (rules/) decide what is a hazard.
 */
import { parsePython, type ParseState, type SyntaxNode } from './parser.js';
import { buildScope, parameterNames, type ScopeEvent } from './scopes.js';
import { noqaDirective } from './noqa.js';
import type { LineIndex } from './positions.js';
import { forgetKeptTexts, noItems, own, record } from './facts.js';
import type { ClassFacts, FunctionFacts, Loc, ModuleFacts } from './facts.js';
import { NOTHING, callOf, definedSymbol, paramOf, singleSymbol, symbol, union, type Value, resetSymbols } from './values.js';
import { recoverFromSyntaxErrors } from './syntax-recovery.js';
import { forgetGuardKeys, newState, NO_CAUGHT, NO_LOOPS, NO_NONE, type Ctx, type NoneSource, type State } from './flow-state.js';
import { compact, unwrapParens } from './expression-shapes.js';
import { callArgs } from './call-sites.js';
import { bodyMemos, scopeMemos, contextId, factLists, lastContexts, relocated, sameMap, sameSet, type BodyEffects, type EffectLog } from './body-memo.js';
import type { ModuleInfo } from './analyzer-base.js';
import { ExpressionAnalyzer } from './expression-analysis.js';
import { apiEffect, apisDoing, methodsDoing } from '../library/index.js';
import { NO_EXTRACTORS, type ExtractorTable } from './extractors.js';

/** The method names of decorators that replace a function with a library instance (`command`, `group`: see decorates-into). */
const DECORATOR_METHODS: ReadonlySet<string> = new Set(apisDoing('decorates-into').map(([name]) => name.slice(name.lastIndexOf('.') + 1)));

export type { ModuleInfo } from './analyzer-base.js';

/** The methods that register a done-callback, with where the callback goes (library rows). */
const DONE_CALLBACK_METHODS = methodsDoing('registers-done-callback');

/** Definitions that open a scope of their own inside a function. */
const NO_ANNOTATIONS: ReadonlyMap<string, Value> = new Map();

const NESTED_SCOPES: ReadonlySet<string> = new Set(['function_definition', 'class_definition']);

const NO_NODES: readonly SyntaxNode[] = [];

/**
 * `parseState`: an editor document's last parse, for incremental re-parsing and
 * re-analysis (see ParseState, BodyEffects). `parsed`: the text's native parse,
 * made already (see parseFlat).
 */
export function analyzeModule(
  text: string,
  info: ModuleInfo,
  parseState?: ParseState,
  parsed?: Int32Array,
  extractors: ExtractorTable = NO_EXTRACTORS,
): ModuleFacts {
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
  // The rest of a file with a syntax error is analysed as well as the grammar allows (see syntax-recovery.ts).
  const recovered = root.hasError ? recoverFromSyntaxErrors(text, root, (blanked) => parsePython(blanked)) : null;
  resetSymbols();
  forgetGuardKeys();
  forgetKeptTexts();
  const analyzer = new ModuleAnalyzer(
    recovered?.text ?? text,
    info,
    extractors,
    recovered ? null : memo,
    recovered ? undefined : scopeMemo,
    parseState?.lines ?? undefined,
  );
  analyzer.run(recovered?.root ?? root, recovered?.text ?? text);
  // The error is reported where it is in the file as it is (columns on a blanked line may differ).
  if (recovered) analyzer.facts.syntaxError = new ModuleAnalyzer(text, info, extractors).firstSyntaxError(root);
  resetSymbols();
  forgetGuardKeys();
  forgetKeptTexts();
  return analyzer.facts;
}

class ModuleAnalyzer extends ExpressionAnalyzer {
  /** Recorded bodies of module-level definitions, for a document analysed again (null: none kept). */
  private readonly memo: WeakMap<SyntaxNode, BodyEffects> | null;

  /** Whether the module is a stub file (PEP 484): its functions are read for their signatures only. */
  private readonly isStub: boolean;

  /** What the bodies depend on outside themselves (see BodyEffects), computed on first use: without and with a star import before. */
  private memoContexts: [number, number] | null = null;

  constructor(
    text: string,
    info: ModuleInfo,
    extractors: ExtractorTable,
    memo: WeakMap<SyntaxNode, BodyEffects> | null = null,
    /** What each top-level statement binds, kept for a document analysed again (see buildScope). */
    private readonly scopeMemo?: WeakMap<SyntaxNode, ScopeEvent[]>,
    lines?: LineIndex,
  ) {
    super(text, info, extractors, lines);
    this.memo = memo;
    this.isStub = info.path.endsWith('.pyi');
  }

  run(root: SyntaxNode, text: string): void {
    // Both pre-passes look for rare words; most files skip them.
    if (/noqa/i.test(text)) this.collectComments(root);
    if (DONE_CALLBACK_METHODS.some(([name]) => text.includes(name))) this.collectDoneCallbacks(root);
    if (root.hasError) this.facts.syntaxError = this.firstSyntaxError(root);
    const scope = buildScope('module', null, '', root, [], this.importResolver, this.scopeMemo, true);
    this.moduleScope = scope;
    const ctx: Ctx = {
      scope,
      fn: null,
      coroutine: null,
      classQ: null,
      classRel: null,
      selfName: null,
      doneCallback: false,
      caught: NO_CAUGHT,
      loopDepth: 0,
      loops: NO_LOOPS,
    };
    // The pre-passes and the scope read parts of every statement: let them go before the walk.
    const statements = root.namedChildren;
    for (const statement of statements) statement.release();
    const state: State = newState();
    for (const statement of statements) {
      this.visitStatement(statement, ctx, state);
      // Nothing the walk keeps holds a node, so the statement's subtree can go: memory stays that of the
      // largest statement, not of the file (see SyntaxNode.release).
      statement.release();
    }
    this.finishVariables();
  }

  private collectComments(root: SyntaxNode): void {
    for (const comment of root.descendantsOfType('comment')) {
      const directive = noqaDirective(this.lines, comment.text, comment.startIndex, comment.endIndex);
      if (directive) this.facts.noqa.push(directive);
    }
  }

  /**
   * A done-callback runs only once its future is complete, so `.result()` inside
   * it returns at once. Collect what is passed to the methods that register one
   * (`add_done_callback`, see src/library/): a name, a method, a lambda, or the
   * function inside `functools.partial`.
   */
  private collectDoneCallbacks(root: SyntaxNode): void {
    for (const call of root.descendantsOfType('call')) {
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute') continue;
      const method = fn.childForFieldName('attribute')?.text;
      const registers = DONE_CALLBACK_METHODS.find(([name]) => name === method)?.[1];
      if (!registers) continue;
      let arg: SyntaxNode | undefined = callArgs(call).positional[registers.callback];
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
  firstSyntaxError(root: SyntaxNode): { loc: Loc; message: string } | null {
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

  protected defineFunction(node: SyntaxNode, decorators: SyntaxNode[], ctx: Ctx, state: State): void {
    const nameNode = node.childForFieldName('name');
    if (!nameNode) return;
    const name = nameNode.text;
    const rel = this.relOf(ctx.scope, name);
    const q = this.q(rel);
    const paramsNode = node.childForFieldName('parameters');
    const params = paramsNode ? paramsNode.namedChildren : NO_NODES;
    for (let i = 0; i < params.length; i++) {
      const def = params[i]!.childForFieldName('value');
      if (def) this.evalExpr(def, ctx, state);
    }
    // `@click.command()`: the name holds what the decorator makes (see the decorates-into rows), not the function.
    const instance = this.decoratedInto(decorators, ctx, state);
    this.assignName(name, instance ? callOf(symbol(instance)) : union(definedSymbol(q), this.decoratedByImported(decorators, ctx, state)), ctx, state);
    if (!this.recording) return;
    // (No closure made where no body is memoized: the CLI's case, for every function.)
    if (this.memoizes(ctx)) this.memoizedBody(node, () => this.functionBody(node, nameNode, paramsNode, name, rel, q, decorators, ctx));
    else this.functionBody(node, nameNode, paramsNode, name, rel, q, decorators, ctx);
  }

  /**
   * The library class a decorator replaces the function with
   * (`@click.command()`, `@click.group`, `@cli.command()` on a group made so
   * in this module), if one does; else null.
   */
  private decoratedInto(decorators: SyntaxNode[], ctx: Ctx, state: State): string | null {
    for (const decorator of decorators) {
      const expr = decorator.namedChild(0) ? unwrapParens(decorator.namedChild(0)!) : null;
      const base = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      if (!base) continue;
      const effect = apiEffect(singleSymbol(this.quietEval(base, ctx, state)));
      if (effect?.kind === 'decorates-into') return effect.instance;
      if (base.type !== 'attribute') continue;
      // `@cli.command()`: a method row of the class `cli` is an instance of.
      const method = base.childForFieldName('attribute')?.text ?? '';
      for (const term of this.quietEval(base.childForFieldName('object')!, ctx, state)) {
        const cls = term.k === 'call' ? singleSymbol(term.f) : null;
        const row = cls ? apiEffect(`${cls}.${method}`) : undefined;
        if (row?.kind === 'decorates-into') return row.instance;
      }
    }
    return null;
  }

  /**
   * `@cli.command()` where `cli` is not made in this module (a group imported
   * from another one): what the decorator makes is known only once `cli` is
   * resolved, so the name may also hold what calling `cli.command` makes (the
   * index reads the decorates-into rows). Only for methods some row names (a
   * decorator of another name keeps the function alone).
   */
  private decoratedByImported(decorators: SyntaxNode[], ctx: Ctx, state: State): Value {
    let out: Value = NOTHING;
    for (const decorator of decorators) {
      const expr = decorator.namedChild(0) ? unwrapParens(decorator.namedChild(0)!) : null;
      const base = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      if (base?.type !== 'attribute' || !DECORATOR_METHODS.has(base.childForFieldName('attribute')?.text ?? '')) continue;
      out = union(out, callOf(this.quietEval(base, ctx, state)));
    }
    return out;
  }

  /** What each annotated parameter's annotation says it holds (see annotatedInstance), read in the scope defining the function. */
  private parameterAnnotations(paramsNode: SyntaxNode | null, ctx: Ctx): ReadonlyMap<string, Value> {
    // (Most functions annotate nothing: they share one empty map.)
    if (!paramsNode?.namedChildren.some((p) => p.type === 'typed_parameter' || p.type === 'typed_default_parameter')) return NO_ANNOTATIONS;
    const out = new Map<string, Value>();
    for (const p of paramsNode.namedChildren) {
      if (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') continue;
      // (`*args: Bot` holds a tuple of them: only plain parameters.)
      const name = p.type === 'typed_default_parameter' ? p.childForFieldName('name') : p.namedChildren.find((c) => c.type === 'identifier');
      if (!name) continue;
      const value = this.annotatedInstance(p.childForFieldName('type'), ctx, newState());
      if (value.length > 0) out.set(name.text, value);
    }
    return out;
  }

  /** A function's facts from its body (what does not depend on the state where it is defined). */
  protected functionBody(
    node: SyntaxNode,
    nameNode: SyntaxNode,
    paramsNode: SyntaxNode | null,
    name: string,
    rel: string,
    q: string,
    decorators: SyntaxNode[],
    ctx: Ctx,
  ): void {
    const isAsync = node.hasChildOfType('async');
    const params = parameterNames(paramsNode);
    const isStatic = decorators.length > 0 && decorators.some((d) => /staticmethod$/.test(d.text));
    const isMethod = ctx.scope.kind === 'class';
    const selfName = isMethod && !isStatic && params.length > 0 ? params[0]! : null;
    const fn: FunctionFacts = {
      q,
      name,
      isAsync,
      // (Not through loc's map of shared Locs: no other fact is at a definition's name.)
      loc: this.lines.span(nameNode.startIndex, nameNode.endIndex),
      params,
      returns: NOTHING,
      submitsParams: noItems(),
      runsParams: noItems(),
      forwards: noItems(),
      escapes: noItems(),
    };
    this.facts.functions.push(fn);
    // A stub (`.pyi`) holds signatures only: its bodies are `...`, never run, so there is nothing in them to walk.
    if (this.isStub) return;
    const body = node.childForFieldName('body');
    const scope = buildScope('function', ctx.scope, rel, body, params, this.importResolver);
    // buildScope saw the nested definitions, unless a syntax error put one where it does not look (in a lambda).
    if (body?.hasError) scope.nests = body.hasDescendantOfType(NESTED_SCOPES);
    const inner: State = newState(this.noneDefaults(paramsNode));
    // What each parameter holds is what its callers pass (a `param` value, resolved by the project index),
    // and an instance of the class its annotation names (`bot: Bot`): its methods are that class's.
    const annotations = this.parameterAnnotations(paramsNode, ctx);
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      inner.vars.set(p, annotations.has(p) ? union(paramOf(q, i), annotations.get(p)!) : paramOf(q, i));
    }
    let classQ = ctx.classQ;
    let classRel = ctx.classRel;
    let self = ctx.selfName;
    if (isMethod) {
      // (The class body's context names the class: classBody made both from the same `rel`.)
      classQ = ctx.classQ ?? this.q(ctx.scope.rel);
      classRel = ctx.scope.rel;
      self = selfName;
      if (selfName) {
        const selfValue = this.selfValue(classQ);
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
      caught: NO_CAUGHT,
      loopDepth: 0,
      loops: NO_LOOPS,
    };
    const savedSuppress = this.suppressUse;
    this.suppressUse = false;
    this.visitBlock(body, fnCtx, inner);
    this.suppressUse = savedSuppress;
    // Nothing adds to them once the body is walked: an array filled by push keeps room for 17 items, most of these
    // hold one, and a file of 400,000 functions kept tens of megabytes of that room. Keep them at their length.
    if (fn.forwards.length > 0) fn.forwards = fn.forwards.slice();
    if (fn.escapes.length > 0) fn.escapes = fn.escapes.slice();
    if (fn.submitsParams.length > 0) fn.submitsParams = fn.submitsParams.slice();
    if (fn.runsParams.length > 0) fn.runsParams = fn.runsParams.slice();
  }

  /** The last class's `self` value (see selfValue). */
  private lastSelf: Value = NOTHING;

  /**
   * What `self` holds in a method of the class: one value for the methods of
   * one class, which come one after another (values are never changed), where
   * one made per method was garbage or facts the collector copied.
   */
  private selfValue(classQ: string): Value {
    const last = this.lastSelf[0];
    if (last?.k === 'self' && last.c === classQ) return this.lastSelf;
    this.lastSelf = [{ k: 'self', c: classQ }];
    return this.lastSelf;
  }

  /** Parameters whose default is None: None on the paths where a caller leaves them out. */
  private noneDefaults(paramsNode: SyntaxNode | null): ReadonlyMap<string, NoneSource> {
    let none = NO_NONE;
    for (const p of paramsNode?.namedChildren ?? []) {
      if (p.type !== 'default_parameter' && p.type !== 'typed_default_parameter') continue;
      const name = p.childForFieldName('name');
      const value = p.childForFieldName('value');
      if (!name || !value || unwrapParens(value).type !== 'none') continue;
      if (none === NO_NONE) none = new Map();
      (none as Map<string, NoneSource>).set(name.text, { loc: this.nodeLoc(name), param: true });
    }
    return none;
  }

  protected defineClass(node: SyntaxNode, ctx: Ctx, state: State): void {
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
    this.assignName(name, definedSymbol(q), ctx, state);
    if (!this.recording) return;
    if (this.memoizes(ctx)) this.memoizedBody(node, () => this.classBody(node, nameNode, name, rel, q, bases, ctx));
    else this.classBody(node, nameNode, name, rel, q, bases, ctx);
  }

  /** A class's facts from its body (its bases are evaluated where it is defined). */
  protected classBody(node: SyntaxNode, nameNode: SyntaxNode, name: string, rel: string, q: string, bases: Value[], ctx: Ctx): void {
    // (Bases were filled by push: kept at their length, as a function's lists are.)
    const cls: ClassFacts = { q, name, loc: this.lines.span(nameNode.startIndex, nameNode.endIndex), bases: bases.length > 0 ? bases.slice() : bases, attrs: record() };
    this.facts.classes.push(cls);
    this.classes.set(rel, cls);
    const body = node.childForFieldName('body');
    const scope = buildScope('class', ctx.scope, rel, body, [], this.importResolver);
    const classCtx: Ctx = {
      scope,
      fn: null,
      coroutine: null,
      classQ: q,
      classRel: rel,
      selfName: null,
      doneCallback: false,
      caught: NO_CAUGHT,
      loopDepth: 0,
      loops: NO_LOOPS,
    };
    this.visitBlock(body, classCtx, newState());
  }

  /** Whether a definition's body here is memoized (see memoizedBody): a module-level one, in a document analysed again. */
  private memoizes(ctx: Ctx): boolean {
    return this.memo !== null && ctx.scope === this.moduleScope && !this.suppressUse && !this.log;
  }

  /**
   * Runs `analyze` (the body of a module-level function or class) or, for a
   * definition the last analysis of this document recorded under the same
   * context, replays what it added (see BodyEffects).
   */
  private memoizedBody(node: SyntaxNode, analyze: () => void): void {
    const memo = this.memo!;
    const context = this.bodyContexts()[this.facts.starImports.length > 0 ? 1 : 0];
    const at = this.lines.point(node.startIndex);
    const known = memo.get(node);
    if (known && known.context === context) {
      memo.set(node, this.replay(known, node.startIndex, at.line, at.column));
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
    memo.set(node, { context, start: node.startIndex, line: at.line, column: at.column, lists: added, log });
  }

  /** The module-wide facts a module-level body reads: the module, its bindings, the done-callbacks, and whether a star import comes first. */
  private bodyContexts(): [number, number] {
    if (this.memoContexts === null) {
      const scope = this.moduleScope!;
      const { module, isPackage } = this.info;
      // (Not the done-callback lambdas: a lambda is one only as the argument of an add_done_callback call,
      // so in the same body; and a reused body keeps its nodes' ids (see copyTree).)
      const names = [scope.bound, scope.globals, this.callbackNames];
      // Most edits change none of these: the last analysis's numbers serve, without making the text again.
      const last = lastContexts.get(this.memo!);
      if (
        last &&
        last.module === module &&
        last.isPackage === isPackage &&
        sameMap(last.importsOnly, scope.importsOnly) &&
        last.names.every((set, i) => sameSet(set, names[i]!))
      ) {
        this.memoContexts = last.ids;
      } else {
        const [bound, globals, callbackNames] = names.map((set) => [...set].sort());
        const context = JSON.stringify([module, isPackage, bound, [...scope.importsOnly].sort(), globals, callbackNames]);
        this.memoContexts = [contextId(`${context} no star import`), contextId(`${context} star import`)];
        const ids = this.memoContexts;
        // (The sets themselves: nothing changes them once the walk has begun, and the module scope's come back whole
        // from buildScope when no statement binds anything new.)
        lastContexts.set(this.memo!, { module, isPackage, importsOnly: scope.importsOnly, names, ids });
      }
    }
    return this.memoContexts;
  }

  /**
   * Adds recorded effects to the facts, moved to where the definition now
   * starts; returns them as recorded now (the same record when the definition
   * did not move: most of them, on most edits, and nothing is copied then).
   */
  private replay(known: BodyEffects, start: number, line: number, column: number): BodyEffects {
    const delta = start - known.start;
    const moved = delta !== 0 || line !== known.line || column !== known.column;
    const lists = moved ? relocated(known.lists, (loc) => this.loc(loc.start.offset + delta, loc.end.offset + delta)) : known.lists;
    const facts = this.facts as unknown as Record<string, unknown[]>;
    // (this.classes is read only while a class's own body is analysed, so replayed classes need not be in it.)
    // (for-in and an indexed loop: this runs for every definition of the document on every edit, and
    // Object.keys and a spread each made an array.)
    for (const key in lists) {
      const items = lists[key]!;
      const list = facts[key]!;
      for (let i = 0; i < items.length; i++) list.push(items[i]);
    }
    const { variables, imports } = known.log;
    for (let i = 0; i < variables.length; i++) this.addVariable(variables[i]![0], variables[i]![1]);
    for (let i = 0; i < imports.length; i++) this.facts.imports[imports[i]![0]] = imports[i]![1];
    return moved ? { ...known, start, line, column, lists } : known;
  }
}
