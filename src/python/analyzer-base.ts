/** The shared part of the walk that turns one module's syntax tree into its facts (see module-analysis.ts). */
import { LineIndex } from './positions.js';
import type { SyntaxNode } from './parser.js';
import { importBindings, BUILTIN_NAMES } from './imports.js';
import type { Scope } from './scopes.js';
import { own, record } from './facts.js';
import type { ClassFacts, CoroutineUse, Loc, ModuleFacts } from './facts.js';
import type { ExtractorTable } from './extractors.js';
import { NOTHING, symbol, builtinSymbol, union, mayBeProjectCallee, type Term, type Value } from './values.js';
import { guardKey, writableDone, writableVars, type Ctx, type State } from './flow-state.js';
import { compact } from './expression-shapes.js';
import type { EffectLog } from './body-memo.js';

export interface ModuleInfo {
  path: string;
  module: string;
  isPackage: boolean;
}

/**
 * How many expressions and statements the walk has evaluated in this thread,
 * re-evaluations included (a loop's second pass, a function walked again for
 * a call). Tests read it to show that the walk's work grows in proportion to
 * its input: a count says what a time bound says without flaking on a busy
 * machine.
 */
export const walkSteps = { count: 0 };

/**
 * The module walk's shared part: the facts being built, positions, name
 * lookup and binding, and recording facts. The walk itself is split by what
 * it visits: StatementAnalyzer (statements), ExpressionAnalyzer (expressions
 * and calls), ModuleAnalyzer (the module, definitions, re-analysis).
 */
/** How many Locs `loc` keeps for sharing, by a hash of their offsets (a power of two; see loc). */
const SHARED_LOCS = 4096;
const LOC_HASH_BITS = 12;

export abstract class AnalyzerBase {
  readonly facts: ModuleFacts;

  protected readonly lines: LineIndex;

  /**
   * Recent Locs, in a table of SHARED_LOCS slots indexed by a hash of their
   * start and end (one Loc per slot, the latest; see loc), with those offsets.
   */
  private readonly locs: (Loc | undefined)[] = new Array<Loc | undefined>(SHARED_LOCS);
  private readonly locStarts = new Int32Array(SHARED_LOCS).fill(-1);
  private readonly locEnds = new Int32Array(SHARED_LOCS);

  protected readonly info: ModuleInfo;

  protected recording = true;

  /** Nesting of the expressions and of the blocks being walked (see MAX_DEPTH). */
  protected depth = 0;

  protected statementDepth = 0;

  /** Names of functions passed to `add_done_callback` anywhere in the module. */
  protected readonly callbackNames = new Set<string>();

  /** Lambdas passed to `add_done_callback` directly. */
  protected readonly callbackLambdas = new Set<number>();

  protected readonly classes = new Map<string, ClassFacts>();

  /** Set while evaluating a call that is an argument or an assigned value: its use is recorded by the consumer. */
  protected suppressUse = false;

  protected moduleScope: Scope | null = null;

  /** While a body is recorded: its writes into the module's records. */
  protected log: EffectLog | null = null;

  /**
   * The module's variables while the walk adds to them, written to
   * `facts.variables` (in the same order) by finishVariables: a Map takes a
   * name as it is, where each new key of a record is hashed into the engine's
   * table of property names, which a file of 400,000 definitions felt.
   */
  protected readonly variables = new Map<string, Value>();

  constructor(
    text: string,
    info: ModuleInfo,
    /** The extractors of the rules that run, by key (see extractors.ts). */
    protected readonly extractors: ExtractorTable,
    /** The text's line index, when one is made already (an edited document's: see ParseState.lines). */
    lines?: LineIndex,
  ) {
    this.lines = lines?.text === text ? lines : new LineIndex(text);
    this.info = info;
    this.facts = {
      path: info.path,
      module: info.module,
      isPackage: info.isPackage,
      variables: record(),
      imports: record(),
      functions: [],
      classes: [],
      discards: [],
      coroutineUses: [],
      loopCallbacks: [],
      doneLoops: [],
      calls: [],
      starImports: [],
      noqa: [],
      extracted: [],
      syntaxError: null,
      notAnalysed: [],
    };
  }

  // The walk's other parts (statement-analysis.ts, call-effects.ts, callable-values.ts, expression-analysis.ts,
  // module-analysis.ts) call each other through these.
  protected abstract visitStatement(node: SyntaxNode, ctx: Ctx, state: State): void;
  protected abstract evalExpr(node: SyntaxNode, ctx: Ctx, state: State): Value;
  protected abstract quietEval(node: SyntaxNode, ctx: Ctx, state: State): Value;
  protected abstract evalAll(nodes: SyntaxNode[], ctx: Ctx, state: State): void;
  protected abstract annotatedInstance(annotation: SyntaxNode | null, ctx: Ctx, state: State): Value;
  protected abstract calleeValue(call: SyntaxNode, ctx: Ctx, state: State, record?: boolean): Value;
  protected abstract defineFunction(node: SyntaxNode, decorators: SyntaxNode[], ctx: Ctx, state: State): void;
  protected abstract defineClass(node: SyntaxNode, ctx: Ctx, state: State): void;

  /**
   * One call is often recorded several times (a discard, a coroutine use, an
   * escape): they share one Loc object, which structured cloning keeps shared,
   * so facts cost less memory here, in transit and in the main thread.
   */
  protected loc(start: number, end: number): Loc {
    // The facts that share a Loc are recorded while one call is walked, so a table of the recent ones shares
    // as well as one of all. A fixed table of slots by hash costs no growing map of millions of entries, and
    // no key (a number past 2³¹ or a string) made for each lookup, which a file of a million locs felt.
    const slot = (Math.imul(start, 0x9e3779b1) ^ Math.imul(end, 0x85ebca6b)) >>> (32 - LOC_HASH_BITS);
    if (this.locStarts[slot] === start && this.locEnds[slot] === end) return this.locs[slot]!;
    const loc = this.lines.span(start, end);
    this.locs[slot] = loc;
    this.locStarts[slot] = start;
    this.locEnds[slot] = end;
    return loc;
  }

  protected nodeLoc(node: SyntaxNode): Loc {
    return this.loc(node.startIndex, node.endIndex);
  }

  /** Records that the walk gives up on a node nested past MAX_DEPTH: a hazard in it would be missed, so the file's check is incomplete. */
  protected notAnalysed(node: SyntaxNode): void {
    const { start } = this.nodeLoc(node);
    this.facts.notAnalysed.push({ start, end: start });
  }

  protected resolveImport(node: SyntaxNode): { name: string; target: string }[] {
    return importBindings(node, this.info.module, this.info.isPackage).bindings;
  }

  /** resolveImport as a function of its own, made once: buildScope takes it for every body. */
  protected readonly importResolver = (node: SyntaxNode): { name: string; target: string }[] => this.resolveImport(node);

  protected q(rel: string): string {
    return rel ? `${this.info.module}.${rel}` : this.info.module;
  }

  protected relOf(scope: Scope, name: string): string {
    return scope.rel ? `${scope.rel}.${name}` : name;
  }

  /** The value a name has at this point. */
  protected lookup(name: string, ctx: Ctx, state: State): Value {
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
  protected moduleName(name: string): Value {
    return this.symbolIn(this.moduleScope!, name);
  }

  protected symbolIn(scope: Scope, name: string): Value {
    if (scope === this.moduleScope) {
      // (A name of the module read from a function: by the name as it is, without making and hashing the
      // dotted text each time, which a file of 400,000 small functions felt.)
      const known = this.moduleSymbols.get(name);
      if (known !== undefined) return known;
    }
    const target = scope.importsOnly.get(name);
    if (target) return symbol(target);
    if (scope.kind === 'module' && !scope.bound.has(name)) {
      if (this.facts.starImports.length > 0 && !BUILTIN_NAMES.has(name)) return symbol(this.q(name));
      return builtinSymbol(name);
    }
    const value = symbol(this.q(this.relOf(scope, name)));
    // (Only names the module binds, other than by an import only: their value does not depend on where the walk is.)
    if (scope === this.moduleScope) this.moduleSymbols.set(name, value);
    return value;
  }

  /** symbolIn's answers for the names the module scope binds (see symbolIn): the same values as `symbol`'s table. */
  private readonly moduleSymbols = new Map<string, Value>();

  protected addVariable(rel: string, value: Value): void {
    if (value.length === 0) return;
    this.log?.variables.push([rel, value]);
    const existing = this.variables.get(rel);
    this.variables.set(rel, existing ? union(existing, value) : value);
  }

  /** Writes the variables the walk found into the facts (see variables). */
  protected finishVariables(): void {
    const variables = this.facts.variables;
    // (forEach: a for-of over the entries makes an array for each, and a big module has a million of them.)
    this.variables.forEach((value, rel) => {
      variables[rel] = value;
    });
  }

  protected assignName(name: string, value: Value, ctx: Ctx, state: State): void {
    let scope: Scope | null = ctx.scope;
    while (scope && (scope.kind === 'lambda' || scope.kind === 'comprehension') && !scope.bound.has(name)) {
      scope = scope.parent;
    }
    if (!scope) return;
    if (scope.globals.has(name)) this.addVariable(name, value);
    else {
      writableVars(state).set(name, value);
      // A function's locals are read from elsewhere only by the functions and classes nested in it
      // (closures); keeping them for every function would bloat the facts for nothing.
      const readElsewhere = scope.kind === 'module' || scope.kind === 'class' || (scope.kind === 'function' && this.hasNestedScopes(scope));
      if (readElsewhere) this.addVariable(this.relOf(scope, name), value);
    }
    // (Most states have nothing done: no copy of an empty set for each assignment.)
    if (state.done.size > 0) {
      for (const key of [...state.done]) if (key === name || key.startsWith(`${name}.`) || key.startsWith(`${name}[`)) writableDone(state).delete(key);
    }
    if (state.none.has(name)) {
      const none = new Map(state.none);
      none.delete(name);
      state.none = none;
    }
  }

  /** Whether a function scope's body defines nested functions or classes (which may read its locals). */
  protected hasNestedScopes(scope: Scope): boolean {
    return scope.nests === true;
  }

  protected addClassAttr(classRel: string, name: string, value: Value): void {
    if (value.length === 0) return;
    const cls = this.classes.get(classRel);
    if (!cls) return;
    const existing = own(cls.attrs, name);
    cls.attrs[name] = existing ? union(existing, value) : value;
  }

  protected isSelf(node: SyntaxNode | null, ctx: Ctx): boolean {
    return !!node && node.type === 'identifier' && ctx.selfName !== null && node.text === ctx.selfName;
  }

  /** Records a use for each function whose call result is in `value` (`main()` or a name bound to it). */
  protected recordCoroutineUses(
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

  protected recordUse(use: Omit<CoroutineUse, 'loc' | 'inFunction'>, node: SyntaxNode, ctx: Ctx): void {
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
