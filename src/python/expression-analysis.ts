/** The module walk's expressions (see module-analysis.ts). */
import type { SyntaxNode } from './parser.js';
import { own, record, type EscapeFact, type FunctionFacts, type LoopCallbackFact } from './facts.js';
import { apiEffect, callsArgument, methodEffect, type ApiEffect, type CallsArgument, type MethodEffect } from '../library/index.js';
import { buildScope, parameterNames, targetNames } from './scopes.js';
import { FUTURE, NOTHING, paramOf, instanceOf, libraryObject, mayBeLibraryObject, attrOf, boundMethodOf, callOf, collectionOf, elemOf, itemOf, mappingOf, submittedToLoop, symbol, union, valuesOf, singleSymbol, mayBeProjectCallee, type Term, type Value } from './values.js';
import { MAX_DEPTH, cloneState, doneGuards, dropNone, guardKey, markDone, type Ctx, type State } from './flow-state.js';
import { compact, unwrapParens, ownInterpolations } from './expression-shapes.js';
import { callArgs, argOf, argNodeOf, NO_KEYWORDS, type CallArgs, type CallSite } from './call-sites.js';
import { StatementAnalyzer } from './statement-analysis.js';
import { NO_EXTRACTORS, type CallView, type ExtractedArgument } from './extractors.js';
import { walkSteps } from './analyzer-base.js';

/** Whether an argument's value may be data a parameter's reader cares about (see recordCall). */
function mayBePassedData(value: Value): boolean {
  return value.some((t) => t.k !== 'sym' && t.k !== 'self' && t.k !== 'param');
}

/**
 * An instance of the class an annotation names, when it may be a class of the
 * project or a library class with rows: builtins (`str`, `int`) and typing's
 * names (`Any`) never are, and every call on a parameter annotated with one
 * would otherwise become a call fact, an escape and a name to resolve.
 */
function annotatedClass(value: Value): Value {
  const q = singleSymbol(value);
  if (q === null || /^(builtins|typing|typing_extensions|collections\.abc)\./.test(q)) return NOTHING;
  return instanceOf(value);
}

/** Whether the qualified name is a library class the rows know (`concurrent.futures.Future`, `argparse.ArgumentParser`). */
function isLibraryClass(q: string | null): boolean {
  const kind = apiEffect(q)?.kind;
  return kind === 'makes-future' || kind === 'library-class';
}

/** How messages name an API called with a callable: `threading.Thread`, `pool.submit`, or for a longer callee its method (`run_in_executor`). */
function calledByText(fnNode: SyntaxNode): string {
  const text = compact(fnNode.text);
  if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(text) && text.length <= 32) return text;
  return fnNode.type === 'attribute' ? (fnNode.childForFieldName('attribute')?.text ?? text) : text;
}

/**
 * Whether an argument's value may be a callable of the project (a function, a
 * lambda, a partial of one, a bound method): the callee may hand it to an
 * event loop (`def defer(fn, *args): loop.call_soon_threadsafe(fn, *args)`).
 */
function mayBePassedCallable(value: Value): boolean {
  return value.some((t) => t.k === 'sym' && !t.q.startsWith('builtins.'));
}

/** A bound method called later (see callBoundMethods): its receiver's node where it was taken, and the callee's text here. */
interface BoundCall {
  object: SyntaxNode;
  via: string;
}

/** Left spines shorter than this are evaluated recursively, as any expression (see evalSpine). */
const MIN_EARLY_SPINE = 32;

/**
 * The child whose evaluation begins a node's, with nothing before it: the left
 * operand, the object of an attribute or of a method call, a called expression.
 * Null for any other node, and for a spine child that is not itself a spine node.
 */
function spineChild(node: SyntaxNode): SyntaxNode | null {
  let child: SyntaxNode | null = null;
  switch (node.type) {
    case 'binary_operator':
    case 'boolean_operator':
      child = node.childForFieldName('left');
      break;
    case 'attribute':
      child = node.childForFieldName('object');
      break;
    case 'subscript':
      child = node.childForFieldName('value');
      break;
    case 'call': {
      const fn = node.childForFieldName('function');
      child = fn?.type === 'attribute' ? fn.childForFieldName('object') : fn;
      break;
    }
    default:
      return null;
  }
  return child;
}

/**
 * Qualified names longer than this are not extended by an attribute: no module
 * has such a name, and `a.b.c…` ten thousand names long would otherwise make a
 * name per prefix, quadratic in time and memory.
 */
const MAX_QUALIFIED_NAME = 1_000;

/** The qualified name an attribute of `value` extends, if it is one symbol of reasonable length. */
function qualifiedPrefix(value: Value): string | null {
  const q = singleSymbol(value);
  return q !== null && q.length <= MAX_QUALIFIED_NAME ? q : null;
}

/** The text of a plain string literal that is an identifier (`"exit"`), else null: the name `getattr` reads. */
function constantName(node: SyntaxNode | undefined): string | null {
  if (node?.type !== 'string') return null;
  const parts = node.namedChildren;
  if (parts.length !== 3 || parts[1]!.type !== 'string_content' || !/^[rRuU]?["']+$/.test(parts[0]!.text)) return null;
  const text = parts[1]!.text;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : null;
}

/** Expressions and calls: their abstract values, and what calls of library APIs do (see src/library/). */
export abstract class ExpressionAnalyzer extends StatementAnalyzer {
  /** Evaluates without recording facts (for re-reading a name already evaluated). */
  protected quietEval(node: SyntaxNode, ctx: Ctx, state: State): Value {
    const saved = this.recording;
    this.recording = false;
    try {
      return this.evalExpr(node, ctx, state);
    } finally {
      this.recording = saved;
    }
  }

  protected evalExpr(node: SyntaxNode, ctx: Ctx, state: State): Value {
    if (this.evaluatedEarly.size > 0) {
      const early = this.evaluatedEarly.get(node);
      if (early !== undefined) {
        this.evaluatedEarly.delete(node);
        return early;
      }
    }
    if (this.depth > MAX_DEPTH) {
      this.notAnalysed(node);
      return NOTHING;
    }
    this.depth++;
    try {
      let spine: SyntaxNode[] | null = null;
      for (let n = spineChild(node); n && spineChild(n); n = spineChild(n)) (spine ??= []).push(n);
      if (spine && spine.length >= MIN_EARLY_SPINE) return this.evalSpine(node, spine, ctx, state);
      return this.evalInner(node, ctx, state);
    } finally {
      this.depth--;
    }
  }

  /** Values of nodes evaluated ahead of their parents (see evalSpine), each taken once by the parent's evalExpr. */
  private readonly evaluatedEarly = new Map<SyntaxNode, Value>();

  /**
   * A long left spine (`a + b + … + z`, `x and y and …`, `builder.m().m()…`,
   * `a.b.c…`, `f()()…`) nests one level per operator, to the left: recursion
   * would need a stack frame per level and give up past MAX_DEPTH. Each of
   * these nodes starts its evaluation with its spine child, before anything
   * else happens, so the spine is evaluated bottom-up, each value kept for its
   * parent to take instead of recursing: the same effects, in the same order.
   */
  private evalSpine(node: SyntaxNode, spine: SyntaxNode[], ctx: Ctx, state: State): Value {
    const suppress = this.suppressUse;
    try {
      for (let i = spine.length - 1; i >= 0; i--) {
        // Each spine node is evaluated as its parent would: no use suppressed (see evalInner).
        this.suppressUse = false;
        this.evaluatedEarly.set(spine[i]!, this.evalInner(spine[i]!, ctx, state));
      }
      this.suppressUse = suppress;
      return this.evalInner(node, ctx, state);
    } finally {
      // A parent that did not take its child's value must not leave it for a later walk of the same node (a loop's second pass).
      for (const n of spine) this.evaluatedEarly.delete(n);
    }
  }

  protected evalAll(nodes: SyntaxNode[], ctx: Ctx, state: State): void {
    for (const n of nodes) this.evalExpr(n, ctx, state);
  }

  // One case per kind of expression, each a few lines: kept as one switch so the dispatch reads in one place.
  protected evalInner(node: SyntaxNode, ctx: Ctx, state: State): Value {
    walkSteps.count++;
    const suppress = this.suppressUse;
    this.suppressUse = false;
    switch (node.type) {
      case 'identifier':
        return this.lookup(node.text, ctx, state);
      case 'attribute': {
        const obj = node.childForFieldName('object');
        const name = node.childForFieldName('attribute')?.text ?? '';
        const ov = obj ? this.evalExpr(obj, ctx, state) : NOTHING;
        return this.attributeValue(obj, ov, name);
      }
      case 'call':
        return this.evalCall(node, ctx, state, suppress);
      case 'await':
        // Awaiting yields the outcome, not a concurrent future.
        this.evalAll(node.namedChildren, ctx, state);
        this.awaited(node.namedChild(0), ctx, state);
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
        return this.visitLambda(node, ctx, state);
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

  /**
   * An await that returned, on this path: `await asyncio.wrap_future(fut)`
   * makes `fut` done (see the 'wraps-future' rows); `await asyncio.wait(fs)`
   * with neither a timeout nor return_when, every future written out in `fs`;
   * `await asyncio.wait_for(w, 5)`, `gather(w1, w2)`, `shield(w)`, the
   * awaitables they wrap (each returns only once those are done): a wrapped
   * threadsafe future (`asyncio.wrap_future(fut)`, or a local holding it) is done.
   */
  private awaited(node: SyntaxNode | null, ctx: Ctx, state: State): void {
    const call = node ? unwrapParens(node) : null;
    if (call?.type !== 'call') return;
    const api = apiEffect(singleSymbol(this.calleeValue(call, ctx, state, false)));
    const args = callArgs(call);
    const at = (param: { position: number; keyword: string }): SyntaxNode | undefined => args.positional[param.position] ?? args.keywords.get(param.keyword);
    if (api?.kind === 'wraps-future') {
      const future = at(api.future);
      if (future) markDone(state, guardKey(unwrapParens(future)));
    } else if (api?.kind === 'awaits-futures') {
      const fs = at(api.futures);
      if (!fs || at(api.timeout) || at(api.returnWhen) || args.splat) return;
      const literal = unwrapParens(fs);
      if (literal.type === 'list' || literal.type === 'set' || literal.type === 'tuple') for (const e of literal.namedChildren) this.markAwaitedDone(e, ctx, state);
    } else if (api?.kind === 'wraps-coroutines' && api.coroutines !== 'all' && !api.object) {
      const wrapped = at(api.coroutines);
      if (wrapped) this.markAwaitedDone(wrapped, ctx, state);
    } else if (api?.kind === 'wraps-coroutines' && api.coroutines === 'all') {
      for (const wrapped of args.positional) this.markAwaitedDone(wrapped, ctx, state);
    }
  }

  /** An awaitable known complete: `asyncio.wrap_future(fut)` makes `fut` done, a local (`w`) itself and what it wraps. */
  private markAwaitedDone(node: SyntaxNode, ctx: Ctx, state: State): void {
    const inner = unwrapParens(node);
    if (inner.type === 'call') this.awaited(inner, ctx, state);
    else if (inner.type === 'identifier') markDone(state, guardKey(inner));
  }

  /** Lambdas met in this module, by node: each one's qualified name, and its facts once recorded. */
  private readonly lambdas = new Map<number, { q: string; fn: FunctionFacts | null }>();
  /** How many lambdas each scope holds so far, to name the next one. */
  private readonly lambdaCounts = new Map<string, number>();

  /**
   * A lambda is a function without a name: its value is that function (so
   * `bail = lambda c: sys.exit(c); bail(3)` and `(lambda: sys.exit(2))()` call
   * it), and what its body calls or raises is its own, not the enclosing
   * function's. It is named `<lambda>`, `<lambda2>`, … in the order of its
   * scope (an order an edit elsewhere does not change, see body-memo.ts).
   */
  protected visitLambda(node: SyntaxNode, ctx: Ctx, state: State): Value {
    const paramsNode = node.childForFieldName('parameters');
    const params = parameterNames(paramsNode);
    for (const p of paramsNode?.namedChildren ?? []) {
      const def = p.childForFieldName('value');
      if (def) this.evalExpr(def, ctx, state);
    }
    let known = this.lambdas.get(node.id);
    if (!known) {
      const count = (this.lambdaCounts.get(ctx.scope.rel) ?? 0) + 1;
      this.lambdaCounts.set(ctx.scope.rel, count);
      known = { q: this.q(this.relOf(ctx.scope, count === 1 ? '<lambda>' : `<lambda${count}>`)), fn: null };
      this.lambdas.set(node.id, known);
    }
    // Recorded once, the first time the walk records here (a loop's body is walked twice).
    const record = this.recording && !known.fn;
    const fn: FunctionFacts | null = record
      ? { q: known.q, name: '<lambda>', isAsync: false, loc: this.nodeLoc(node), params, returns: NOTHING, submitsParams: [], runsParams: [], forwards: [], escapes: [] }
      : null;
    if (fn) {
      known.fn = fn;
      this.facts.functions.push(fn);
    }
    const scope = buildScope('lambda', ctx.scope, ctx.scope.rel, null, params);
    const inner = cloneState(state);
    // What each parameter holds is what its callers pass, as for a def (`map(lambda f: f.result(), futs)` passes each future).
    params.forEach((p, i) => inner.vars.set(p, paramOf(known!.q, i)));
    // A lambda's parameter shadows an enclosing name that may be None.
    dropNone(inner, params);
    const lambdaCtx: Ctx = {
      ...ctx,
      scope,
      // A lambda is only defined here: what it calls is not called by the enclosing function, but by the lambda.
      fn,
      coroutine: this.inlineLambdas.has(node.id) ? ctx.coroutine : null,
      doneCallback: ctx.doneCallback || this.callbackLambdas.has(node.id),
      caught: [],
    };
    const body = node.childForFieldName('body');
    if (body) {
      const saved = this.recording;
      // Walked again (not recording its facts twice): only its value matters.
      if (!fn) this.recording = false;
      try {
        const returns = this.evalExpr(body, lambdaCtx, inner);
        if (fn) fn.returns = returns;
      } finally {
        this.recording = saved;
      }
    }
    return symbol(known.q);
  }

  /** Lambdas a library API calls in this thread before it returns (see CallsArgument): they run in the enclosing coroutine. */
  private readonly inlineLambdas = new Set<number>();

  /**
   * A callable handed to an API that calls it (see CallsArgument): that is a
   * call of the callable, with the arguments the API passes. A bound method
   * written out (`threading.Thread(target=fut.result)`) is a call of that
   * method on its receiver, for the rules' extractors, at the argument; any
   * other callable (a function, a lambda, a bound method of the project) gets
   * a call fact, so its parameters receive what is passed.
   */
  private callArgument(calls: CallsArgument, call: CallSite, ctx: Ctx, state: State): void {
    if (!this.recording) return;
    const callableNode = argNodeOf(call, calls.callable);
    if (!callableNode) return;
    const callable = argOf(call, calls.callable) ?? NOTHING;
    const passed = this.passedArguments(calls, call, ctx, state);
    const attr = unwrapParens(callableNode);
    const method = attr.type === 'attribute' ? (attr.childForFieldName('attribute')?.text ?? null) : null;
    // Called in another thread: not in this coroutine.
    const calledCtx = calls.thread === 'this' ? ctx : { ...ctx, coroutine: null };
    if (method !== null && this.extractors !== NO_EXTRACTORS) {
      let receiver = this.quietEval(attr.childForFieldName('object')!, ctx, state);
      let given = passed;
      // A method of a library class itself (`map(concurrent.futures.Future.result, futs)`): the API passes the instance first.
      if (isLibraryClass(singleSymbol(receiver))) {
        receiver = passed.argValues[0] ?? NOTHING;
        given = { ...passed, args: { ...passed.args, positional: passed.args.positional.slice(1) }, argValues: passed.argValues.slice(1) };
      }
      this.runExtractors({ ...given, node: attr, fnNode: attr, callee: callable, receiver }, method, calledCtx, state, calledByText(call.fnNode));
    }
    // A bound method held by a name, an attribute or a partial (`Thread(target=waiter)`, `target=self._wait`): reported at the argument.
    if (this.extractors !== NO_EXTRACTORS && (method === null || !this.extractors.has(`.${method}`))) {
      this.callBoundMethods(callable, { ...passed, node: callableNode, fnNode: callableNode, callee: callable, receiver: NOTHING }, calledCtx, state, calledByText(call.fnNode));
    }
    this.recordCall({ ...passed, node: call.node, fnNode: call.fnNode, callee: callable, receiver: NOTHING }, ctx);
    if (calls.ignoresResult) this.noteResultDropped(callableNode, callable, ctx, state);
  }

  /** Callables whose result was noted dropped (a loop's body is walked twice). */
  private readonly droppedResults = new Set<number>();

  /**
   * A callable handed to an API that drops what it returns (a thread's target,
   * `after=`, a loop callback). A lambda: the call its body makes is a
   * discarded value, as if written as a statement (`after=lambda e:
   * run_coroutine_threadsafe(...)`). A named function, a bound method or a
   * partial (`after=self.on_done`, `Thread(target=partial(run_coroutine_threadsafe,
   * job(), loop))`): what calling it returns is discarded, at the argument.
   */
  private noteResultDropped(callableNode: SyntaxNode, callable: Value, ctx: Ctx, state: State): void {
    const lambda = unwrapParens(callableNode);
    if (this.droppedResults.has(lambda.id)) return;
    if (lambda.type !== 'lambda') {
      const returns = mayBeProjectCallee(callable) ? callOf(callable) : NOTHING;
      if (returns.length === 0) return;
      this.droppedResults.add(lambda.id);
      this.facts.discards.push({ value: returns, loc: this.nodeLoc(lambda), calleeText: this.callableText(lambda, ctx, state) });
      return;
    }
    const body = lambda.childForFieldName('body');
    const made = body ? unwrapParens(body) : null;
    const returns = this.lambdas.get(lambda.id)?.fn?.returns;
    if (made?.type !== 'call' || !returns || returns.length === 0) return;
    this.droppedResults.add(lambda.id);
    this.facts.discards.push({ value: returns, loc: this.nodeLoc(made), calleeText: compact(made.childForFieldName('function')?.text ?? made.text) });
  }

  /** How messages name a callable passed as a value: a partial by what it calls (`asyncio.run_coroutine_threadsafe`). */
  private callableText(node: SyntaxNode, ctx: Ctx, state: State): string {
    if (node.type === 'call') {
      const api = apiEffect(singleSymbol(this.calleeValue(node, ctx, state, false)));
      const inner = api?.kind === 'binds-arguments' ? callArgs(node).positional[api.callable.position] : undefined;
      if (inner) return compact(inner.text);
    }
    return compact(node.text);
  }

  /** The arguments an API passes to the callable it calls (see CallsArgument), as a call's arguments. */
  private passedArguments(calls: CallsArgument, call: CallSite, ctx: Ctx, state: State): Pick<CallSite, 'args' | 'argValues' | 'keywordValues'> {
    const { passes, callable } = calls;
    const args: CallArgs = { positional: [], keywords: NO_KEYWORDS, splat: call.args.splat };
    const argValues: Value[] = [];
    let keywordValues: ReadonlyMap<string, Value> = NO_KEYWORDS;
    if (passes === 'its-own') {
      // Values of the API's own: nothing known.
    } else if (passes === 'following' || passes === 'following-positional') {
      const from = call.args.positional[callable.position] ? callable.position + 1 : 0;
      args.positional = call.args.positional.slice(from);
      argValues.push(...call.argValues.slice(from));
      if (passes === 'following' && call.args.keywords.size > 0) {
        const keywords = new Map(call.args.keywords);
        const values = new Map(call.keywordValues);
        keywords.delete(callable.keyword);
        values.delete(callable.keyword);
        args.keywords = keywords;
        keywordValues = values;
      }
    } else if ('elementsFrom' in passes) {
      // Elements have no node of their own: their values only.
      for (const v of call.argValues.slice(passes.elementsFrom)) argValues.push(elemOf(v));
    } else {
      const tuple = argNodeOf(call, passes.args);
      const dict = argNodeOf(call, passes.kwargs);
      const elements = tuple ? unwrapParens(tuple) : null;
      if (elements && (elements.type === 'tuple' || elements.type === 'list')) {
        for (const e of elements.namedChildren) {
          if (e.type === 'comment') continue;
          if (e.type === 'list_splat') args.splat = true;
          else {
            args.positional.push(e);
            argValues.push(this.quietEval(e, ctx, state));
          }
        }
      } else if (elements) args.splat = true;
      const pairs = dict ? unwrapParens(dict) : null;
      if (pairs?.type === 'dictionary') {
        const keywords = new Map<string, SyntaxNode>();
        const values = new Map<string, Value>();
        for (const pair of pairs.namedChildren) {
          const key = pair.type === 'pair' ? pair.childForFieldName('key') : null;
          const value = pair.childForFieldName('value');
          const name = key?.type === 'string' ? /^['"]([A-Za-z_][A-Za-z0-9_]*)['"]$/.exec(key.text)?.[1] : undefined;
          if (name && value) {
            keywords.set(name, value);
            values.set(name, this.quietEval(value, ctx, state));
          } else if (pair.type !== 'comment') args.splat = true;
        }
        args.keywords = keywords;
        keywordValues = values;
      } else if (pairs && pairs.type !== 'none') args.splat = true;
    }
    return { args, argValues, keywordValues };
  }

  /**
   * The instance a type annotation says a name holds (`bot: Bot`,
   * `client: "Client"`, `Optional[Client]`, `Client | None`): an `inst` of
   * each class it names, which the project index keeps only where the name is
   * a class. Containers (`list[Client]`) and callables say nothing of the name.
   */
  protected annotatedInstance(annotation: SyntaxNode | null, ctx: Ctx, state: State): Value {
    const node = annotation?.type === 'type' ? annotation.namedChild(0) : annotation;
    if (!node) return NOTHING;
    const inner = unwrapParens(node);
    switch (inner.type) {
      case 'identifier':
      case 'attribute':
        return annotatedClass(this.quietEval(inner, ctx, state));
      case 'binary_operator': {
        if (inner.childForFieldName('operator')?.text !== '|') return NOTHING;
        return union(this.annotatedInstance(inner.childForFieldName('left'), ctx, state), this.annotatedInstance(inner.childForFieldName('right'), ctx, state));
      }
      case 'subscript':
      case 'generic_type': {
        const wrapper = (inner.childForFieldName('value') ?? inner.namedChild(0))?.text.replace(/^(typing|typing_extensions)\./, '');
        const args = inner.type === 'subscript' ? inner.childrenForFieldName('subscript') : (inner.namedChild(1)?.namedChildren ?? []);
        if (wrapper === 'Optional' || wrapper === 'Final' || wrapper === 'ClassVar' || wrapper === 'Annotated') return args[0] ? this.annotatedInstance(args[0], ctx, state) : NOTHING;
        if (wrapper === 'Union') return union(NOTHING, ...args.map((a) => this.annotatedInstance(a, ctx, state)));
        return NOTHING;
      }
      case 'string':
        return this.annotatedText(/^[rRuU]?(['"])(.*)\1$/s.exec(inner.text)?.[2] ?? '', ctx, state);
      default:
        return NOTHING;
    }
  }

  /** A string annotation (a forward reference): dotted names, `Optional[...]`, `Union[...]` and `|` of them. */
  private annotatedText(text: string, ctx: Ctx, state: State): Value {
    const trimmed = text.trim();
    const wrapped = /^(?:typing\.)?(Optional|Final|ClassVar|Union)\[(.*)\]$/s.exec(trimmed);
    const parts = wrapped ? wrapped[2]!.split(',') : trimmed.split('|');
    if (!wrapped && parts.length === 1) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(trimmed)) return NOTHING;
      const [first, ...rest] = trimmed.split('.');
      let value = this.lookup(first!, ctx, state);
      for (const name of rest) {
        const q = qualifiedPrefix(value);
        value = q ? symbol(`${q}.${name}`) : attrOf(value, name);
      }
      return annotatedClass(value);
    }
    // Optional[X] and Final[X] name one class; Union and `|` each of theirs (nested brackets: nothing).
    if (parts.some((p) => /[[\]]/.test(p))) return NOTHING;
    return union(NOTHING, ...parts.map((p) => this.annotatedText(p, ctx, state)));
  }

  /** A dict: iterating it yields its keys (`{fut: name}` is a collection of futures), indexing yields its values. */
  protected mappingOf(keys: Value, values: Value): Value {
    return union(NOTHING, mappingOf(values), keys.length > 0 ? collectionOf(keys) : NOTHING);
  }

  protected evalComprehension(node: SyntaxNode, ctx: Ctx, state: State, keysOut?: Value[]): Value {
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

  /**
   * Bound methods made in this module (see boundMethod), by term: the
   * receiver's node where the method was taken, and the `functools.partial`
   * call that binds arguments to it, if one does. Terms are never mutated, so
   * a term met again (through a local, a partial) is the same bound method.
   */
  private readonly boundMethods = new WeakMap<Term, { object: SyntaxNode; partial?: CallSite }>();

  /** `pkg.mod.`: what the qualified names of this module's own bindings start with. */
  private modulePrefixMemo: string | null = null;

  private get modulePrefix(): string {
    return (this.modulePrefixMemo ??= `${this.info.module}.`);
  }

  /** `object.name`, where the object's node is `obj` and its value `ov` (also `getattr(obj, "name")`). */
  private attributeValue(obj: SyntaxNode | null, ov: Value, name: string): Value {
    const q = qualifiedPrefix(ov);
    if (q) return symbol(`${q}.${name}`);
    // A method a rule's extractors read, taken without calling it (`waiter = fut.result`): called later, it is that call.
    if (obj && this.extractors.has(`.${name}`)) return this.boundMethod(ov, name, obj);
    return attrOf(ov, name);
  }

  /** `o.n` taken as a value, a method the rules' extractors read: the bound method, which a later call calls on `o`. */
  private boundMethod(o: Value, n: string, object: SyntaxNode, partial?: CallSite): Value {
    const value = boundMethodOf(o, n);
    for (const term of value) this.boundMethods.set(term, partial ? { object, partial } : { object });
    return value;
  }

  /**
   * A call of bound methods a value holds (`waiter()` after `waiter =
   * fut.result`, a `functools.partial(fut.result, timeout=None)` called
   * later, or one handed to an API that calls it: `calledBy`): for the rules'
   * extractors, that method called on its receiver, with what a partial
   * bound first and then this call's arguments.
   */
  private callBoundMethods(callee: Value, call: CallSite, ctx: Ctx, state: State, calledBy: string | null): void {
    for (const term of this.heldHere(callee, ctx)) {
      if (term.k !== 'attr' || !this.extractors.has(`.${term.n}`)) continue;
      const known = this.boundMethods.get(term);
      if (!known) continue;
      const { partial } = known;
      const site: CallSite = partial
        ? {
            ...call,
            args: {
              positional: [...partial.args.positional.slice(1), ...call.args.positional],
              keywords: new Map([...partial.args.keywords, ...call.args.keywords]),
              splat: partial.args.splat || call.args.splat,
            },
            argValues: [...partial.argValues.slice(1), ...call.argValues],
            keywordValues: new Map([...partial.keywordValues, ...call.keywordValues]),
          }
        : call;
      this.runExtractors({ ...site, receiver: term.o }, term.n, ctx, state, calledBy, { object: known.object, via: compact(call.fnNode.text) });
    }
  }

  /**
   * The terms of `value`, and for a module-level name of this module or an
   * attribute of `self` (the class being walked), what it holds so far here
   * (`WAIT = FUT.result` above, `self._wait = fut.result` in a method walked
   * before): a bound method stored there is called where the name is.
   */
  private heldHere(value: Value, ctx: Ctx): Value {
    let out: Value | null = null;
    for (const term of value) {
      let held: Value | undefined;
      if (term.k === 'sym' && term.q.startsWith(this.modulePrefix)) held = own(this.facts.variables, term.q.slice(this.modulePrefix.length));
      else if (term.k === 'attr' && ctx.classRel && term.o.length === 1 && term.o[0]!.k === 'self' && term.o[0]!.c === ctx.classQ) {
        const cls = this.classes.get(ctx.classRel);
        held = cls ? own(cls.attrs, term.n) : undefined;
      }
      if (held && held.length > 0) out = [...(out ?? value), ...held];
    }
    return out ?? value;
  }

  /** The callee's value; for `x.m(...)` also returns the receiver's. */
  protected calleeValue(call: SyntaxNode, ctx: Ctx, state: State, record = true): Value {
    const fn = call.childForFieldName('function');
    if (!fn) return NOTHING;
    return record ? this.evalExpr(fn, ctx, state) : this.quietEval(fn, ctx, state);
  }

  protected evalCall(node: SyntaxNode, ctx: Ctx, state: State, suppressUse: boolean): Value {
    const fnNode = node.childForFieldName('function');
    if (!fnNode) return NOTHING;
    let receiver: Value = NOTHING;
    let method: string | null = null;
    let callee: Value;
    if (fnNode.type === 'attribute') {
      const obj = fnNode.childForFieldName('object')!;
      method = fnNode.childForFieldName('attribute')?.text ?? null;
      receiver = this.evalExpr(obj, ctx, state);
      const q = qualifiedPrefix(receiver);
      callee = q ? symbol(`${q}.${method}`) : attrOf(receiver, method ?? '');
    } else {
      callee = this.evalExpr(fnNode, ctx, state);
    }
    const args = callArgs(node);
    const calls = callsArgument(singleSymbol(callee), method);
    if (calls?.thread === 'this') {
      // A lambda called in this thread before the call returns (`map(lambda f: ..., futs)`) runs in this coroutine.
      const callable = args.positional[calls.callable.position] ?? args.keywords.get(calls.callable.keyword);
      if (callable && unwrapParens(callable).type === 'lambda') this.inlineLambdas.add(unwrapParens(callable).id);
    }
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
    if (this.extractors !== NO_EXTRACTORS && this.recording) {
      this.runExtractors(call, method, ctx, state);
      // (A method no extractor reads may be an attribute holding a bound method: `self._wait()`.)
      if (method === null || !this.extractors.has(`.${method}`)) this.callBoundMethods(callee, call, ctx, state, null);
    }
    if (calls) this.callArgument(calls, call, ctx, state);

    const api = apiEffect(singleSymbol(callee));
    if (api) {
      const known = this.applyApi(api, call, ctx, state, suppressUse);
      if (known) return known;
    }
    const effect = method ? methodEffect(method) : undefined;
    if (effect) {
      const known = this.applyMethod(effect, call, ctx, state, suppressUse);
      if (known) return known;
    }
    // `ctx.run(asyncio.run_coroutine_threadsafe, coro, loop)` returns what the callable returns, called with the rest
    // (after the rows above: `Runner.run(coro)` is an entry point, not this).
    if (calls?.returnsResult && call.args.positional[calls.callable.position]) {
      return union(callOf(this.bindArguments(calls.callable.position, call, ctx)), this.anyCall(call, ctx, suppressUse));
    }
    // An object the library rows name rides along with what the call returns otherwise
    // (the call is still any other call: `self.create_task` may be a method of the project).
    const object = api?.kind === 'returns-object' ? api.object : effect?.kind === 'returns-object' ? effect.object : null;
    if (object) return union(this.anyCall(call, ctx, suppressUse), libraryObject(object));
    if (api?.kind === 'makes-future') return union(this.newFuture(call.node), this.anyCall(call, ctx, suppressUse));
    return this.anyCall(call, ctx, suppressUse);
  }

  /** What a call the library rows do not know does: it may be a project function (a wrapper returning a future, a helper that exits). */
  private anyCall(call: CallSite, ctx: Ctx, suppressUse: boolean): Value {
    const { node, callee, argValues, keywordValues } = call;
    if (mayBeProjectCallee(callee)) {
      this.recordCall(call, ctx);
      this.recordCallEscape(call, ctx, callee);
      if (!suppressUse) this.recordUse({ callee, how: 'call' }, node, ctx);
      argValues.forEach((v, i) => this.recordCoroutineUses(v, 'wrapper-arg', node, ctx, { wrapper: callee, argIndex: i }));
      if (keywordValues.size > 0) {
        for (const [name, v] of keywordValues) this.recordCoroutineUses(v, 'wrapper-arg', node, ctx, { wrapper: callee, argName: name });
      }
      this.noteParamsForwarded(call, ctx);
    }
    return callOf(callee);
  }

  /** The future a `Future()` call makes, named by where it is made (see values.ts). */
  private newFuture(node: SyntaxNode): Value {
    const { start } = this.nodeLoc(node);
    return [{ k: 'newfut', at: `${this.info.module}:${start.line}:${start.column}` }];
  }

  /**
   * What a call of a library API (see src/library/) does to the facts and
   * what it returns; null when it returns what any call returns.
   */
  /**
   * A call through which SystemExit / KeyboardInterrupt may leave the current
   * function: an exit (`raises` given: what it raises) or a call of `callee`,
   * which the exception flow follows.
   */
  protected recordCallEscape(call: CallSite, ctx: Ctx, callee: Value, raises?: string): void {
    if (!ctx.fn || !this.recording) return;
    const escape: EscapeFact = {
      via: raises ? 'exit' : 'call',
      loc: this.nodeLoc(call.node),
      text: `${compact(call.fnNode.text)}()`,
      value: callee,
      caught: ctx.caught,
    };
    if (raises) escape.raises = raises;
    else {
      const falseKeywords = [...call.args.keywords].filter(([, node]) => unwrapParens(node).type === 'false').map(([name]) => name);
      if (falseKeywords.length > 0) escape.falseKeywords = falseKeywords;
      const falsePositions = call.args.splat ? [] : call.args.positional.flatMap((node, i) => (unwrapParens(node).type === 'false' ? [i] : []));
      if (falsePositions.length > 0) escape.falsePositions = falsePositions;
    }
    ctx.fn.escapes.push(escape);
  }

  /**
   * A parameter of the current function passed straight to run_coroutine_threadsafe
   * (`submits`) or to an entry point (`runs`): the function is a wrapper that does so.
   */
  protected noteParamPassed(arg: SyntaxNode | undefined, ctx: Ctx, what: 'submits' | 'runs'): void {
    if (!ctx.fn || arg?.type !== 'identifier') return;
    const index = ctx.fn.params.indexOf(arg.text);
    if (index < 0) return;
    const list = what === 'submits' ? ctx.fn.submitsParams : ctx.fn.runsParams;
    if (!list.includes(index)) list.push(index);
  }

  /**
   * Parameters of the current function passed on, unchanged, to another call
   * (`return self.submit(coro)`): if that callee submits or runs them, so does
   * this function (a wrapper of a wrapper).
   */
  protected noteParamsForwarded(call: CallSite, ctx: Ctx): void {
    const fn = ctx.fn;
    if (!fn || !this.recording || fn.params.length === 0) return;
    const forward = (node: SyntaxNode, at: { argIndex?: number; argName?: string }): void => {
      const inner = unwrapParens(node);
      if (inner.type !== 'identifier') return;
      const param = fn.params.indexOf(inner.text);
      if (param >= 0) fn.forwards.push({ param, callee: call.callee, ...at });
    };
    call.args.positional.forEach((node, i) => forward(node, { argIndex: i }));
    for (const [name, node] of call.args.keywords) forward(node, { argName: name });
  }

  /** A call passing a value the model knows to something that may be a project function (see CallFact). */
  protected recordCall(call: CallSite, ctx: Ctx): void {
    if (!this.recording || !call.callee.some((t) => t.k === 'sym' || t.k === 'attr')) return;
    // Only values that can be a future another function waits on: a parameter passed on, `self` or a
    // module-level name are passed by most calls, and would make a fact of nearly every call.
    let data = call.argValues.some(mayBePassedData);
    for (const v of call.keywordValues.values()) data ||= mayBePassedData(v);
    let callables = !data && call.argValues.some(mayBePassedCallable);
    for (const v of call.keywordValues.values()) callables ||= !data && mayBePassedCallable(v);
    if (!data && !callables) return;
    const keywords = record<Value>();
    for (const [name, v] of call.keywordValues) keywords[name] = v;
    this.facts.calls.push({
      callee: call.callee,
      loc: this.nodeLoc(call.node),
      inFunction: ctx.fn?.q ?? null,
      args: call.argValues,
      keywords,
      unpacks: call.args.splat,
      ...(data ? {} : { callablesOnly: true as const }),
    });
  }

  /** Runs the extractors of the rules' fact kinds keyed by what this call's callee resolves to (see extractors.ts). */
  protected runExtractors(call: CallSite, method: string | null, ctx: Ctx, state: State, calledBy: string | null = null, bound?: BoundCall): void {
    // A bound method handed to an API is called by it: only its method's extractors apply (its value is no function's name).
    const q = calledBy === null && !bound ? singleSymbol(call.callee) : null;
    for (const key of [q, method === null ? null : `.${method}`]) {
      const extractors = key === null ? undefined : this.extractors.get(key);
      if (!extractors) continue;
      const view = this.callView(key!, call, ctx, state, calledBy, bound);
      for (const { kind, extract } of extractors) {
        let data: unknown;
        try {
          data = extract(view);
        } catch (error) {
          throw new Error(`the extractor of ${kind} facts for \`${key}\` failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (data !== undefined) this.facts.extracted.push({ kind, data });
      }
    }
  }

  private callView(key: string, call: CallSite, ctx: Ctx, state: State, calledBy: string | null, bound?: BoundCall): CallView {
    const { node, fnNode, args } = call;
    const object = bound ? bound.object : fnNode.type === 'attribute' ? fnNode.childForFieldName('object') : null;
    const argument = (node: SyntaxNode, value: Value): ExtractedArgument => ({
      value,
      loc: this.nodeLoc(unwrapParens(node)),
      text: compact(node.text),
      isNone: unwrapParens(node).type === 'none',
      knownDone: state.done.has(guardKey(node)),
      noneFrom: node.type === 'identifier' ? (state.none.get(node.text) ?? null) : null,
    });
    let methodLoc = null;
    // A bound method called through a name or a partial: the whole call is where it is called.
    if (bound) methodLoc = this.nodeLoc(node);
    else if (object) {
      const dot = fnNode.children.find((c) => c.type === '.');
      methodLoc = this.loc(dot ? dot.startIndex : fnNode.childForFieldName('attribute')!.startIndex, node.endIndex);
    }
    const list = node.childForFieldName('arguments');
    return {
      key,
      loc: this.nodeLoc(node),
      text: compact(node.text),
      receiver: object ? argument(object, call.receiver) : null,
      methodLoc,
      argumentList: list?.type === 'argument_list' ? { loc: this.nodeLoc(list), count: list.namedChildCount } : null,
      coroutine: ctx.coroutine,
      inFunction: ctx.fn?.q ?? null,
      inDoneCallback: ctx.doneCallback,
      calledBy,
      boundAs: bound?.via ?? null,
      unpacks: args.splat,
      argument: (position, keyword) => {
        const node = args.positional[position] ?? (keyword === undefined ? undefined : args.keywords.get(keyword));
        if (!node) return undefined;
        return argument(node, call.argValues[position] ?? (keyword === undefined ? undefined : call.keywordValues.get(keyword)) ?? NOTHING);
      },
    };
  }

  protected applyApi(api: ApiEffect, call: CallSite, ctx: Ctx, state: State, suppressUse: boolean): Value | null {
    const { node, fnNode, argValues } = call;
    switch (api.kind) {
      case 'submits-coroutine': {
        this.recordCoroutineUses(argOf(call, api.coroutine) ?? NOTHING, 'submitted', node, ctx);
        this.noteParamPassed(argNodeOf(call, api.coroutine), ctx, 'submits');
        // Submitted to the loop running this very thread (`asyncio.get_event_loop()`, directly or through a local).
        const loop = argOf(call, api.loop) ?? NOTHING;
        if (mayBeLibraryObject(loop, 'running-loop')) return union(FUTURE, libraryObject('running-loop-future'));
        // A loop known only to the project (`self._loop`, a parameter): it says, once resolved.
        return union(FUTURE, submittedToLoop(loop));
      }
      case 'waits-on-futures':
        // What is waited on, and how, is a fact of the rules that care (rules/shared/future-waits.ts).
        return NOTHING;
      case 'runs-coroutine':
        this.recordCoroutineUses(argOf(call, api.coroutine) ?? NOTHING, 'main-run', node, ctx);
        this.noteParamPassed(argNodeOf(call, api.coroutine), ctx, 'runs');
        return NOTHING;
      case 'runs-coroutine-function': {
        // trio.run(main): the function itself is passed; the entry point calls it.
        const fn = argOf(call, api.function) ?? NOTHING;
        if (mayBeProjectCallee(fn)) this.recordUse({ callee: fn, how: 'main-run' }, node, ctx);
        return NOTHING;
      }
      case 'wraps-coroutines': {
        // The awaitable runs the coroutines wherever it is awaited, run or submitted: it stands for them.
        let wrapped: Value = NOTHING;
        if (api.coroutines === 'all') for (const v of argValues) wrapped = union(wrapped, v);
        else wrapped = argOf(call, api.coroutines) ?? NOTHING;
        if (!suppressUse) this.recordCoroutineUses(wrapped, 'call', node, ctx);
        return api.object ? union(wrapped, libraryObject(api.object)) : wrapped;
      }
      case 'exits': {
        // unittest.main(exit=False) returns instead of exiting.
        const unless = api.unlessFalse ? argNodeOf(call, api.unlessFalse) : undefined;
        if (unless && unwrapParens(unless).type === 'false') return NOTHING;
        this.recordCallEscape(call, ctx, NOTHING, api.raises);
        return NOTHING;
      }
      case 'binds-arguments':
        return this.bindArguments(api.callable.position, call, ctx);
      case 'reads-attribute': {
        const obj = argNodeOf(call, api.object);
        const name = constantName(argNodeOf(call, api.name));
        if (!obj || name === null) return null;
        const value = this.attributeValue(unwrapParens(obj), argOf(call, api.object) ?? NOTHING, name);
        return union(value, argOf(call, api.default) ?? NOTHING);
      }
      case 'collects':
        return argValues[0] ? collectionOf(elemOf(argValues[0])) : NOTHING;
      case 'takes-element':
        return argValues[0] ? elemOf(argValues[0]) : NOTHING;
      case 'coroutine-runner':
        return callOf(call.callee);
      case 'completes-future':
        // What it completes is a fact of the rules that care (rules/shared/future-completions.ts).
        return null;
      case 'iterates-forever':
        // What a `for` over it is, the statement walk reads (see visitFor).
        return null;
      case 'makes-future':
        // Still any other call (its class's methods resolve on what it returns), plus the future it makes: see callValue.
        return null;
      default:
        return null;
    }
  }

  /**
   * `functools.partial(f, *bound, **kw)`: a callable value that calls `f`.
   * Its value is `f`'s, so a later call of it is read as a call of `f`: it
   * returns what `f` returns and a library row of `f` applies to it (a partial
   * of run_coroutine_threadsafe submits and returns a threadsafe future). The
   * arguments bound here are passed to `f` when it is called: they are used
   * here as arguments of `f` (a coroutine bound to a partial of
   * run_coroutine_threadsafe is submitted). A partial that binds positional
   * arguments shifts the positions of the later call's arguments, which that
   * call does not know: an argument it passes positionally is read one
   * position early (keywords are exact).
   */
  private bindArguments(position: number, call: CallSite, ctx: Ctx): Value {
    let callable = call.argValues[position] ?? NOTHING;
    // A partial of a bound method (`partial(fut.result, timeout=None)`): a bound method whose later calls pass these first.
    const bounds = callable.map((t) => this.boundMethods.get(t));
    if (position === 0 && bounds.some((b) => b !== undefined)) {
      callable = union(...callable.map((t, i) => (t.k === 'attr' && bounds[i] ? this.boundMethod(t.o, t.n, bounds[i]!.object, call) : [t])));
    }
    const bound: CallSite = {
      ...call,
      callee: callable,
      args: { ...call.args, positional: call.args.positional.slice(position + 1) },
      argValues: call.argValues.slice(position + 1),
    };
    const api = apiEffect(singleSymbol(callable));
    if (api?.kind === 'submits-coroutine') {
      this.recordCoroutineUses(argOf(bound, api.coroutine) ?? NOTHING, 'submitted', call.node, ctx);
    } else if (!api && mayBeProjectCallee(callable)) {
      // What a parameter of `f` receives: the bound arguments are its first ones.
      this.recordCall(bound, ctx);
      bound.argValues.forEach((v, i) => this.recordCoroutineUses(v, 'wrapper-arg', call.node, ctx, { wrapper: callable, argIndex: i }));
      for (const [name, v] of bound.keywordValues) this.recordCoroutineUses(v, 'wrapper-arg', call.node, ctx, { wrapper: callable, argName: name });
    }
    return callable;
  }

  /** What a call of a method known by name (see src/library/) does; null when it is any other call. */
  protected applyMethod(effect: MethodEffect, call: CallSite, ctx: Ctx, state: State, suppressUse: boolean): Value | null {
    const { node, fnNode, receiver, argValues } = call;
    const object = fnNode.childForFieldName('object')!;
    switch (effect.kind) {
      case 'waits-on-receiver': {
        // Once `fut.result(timeout=...)` has returned, `fut` is done on this path. (An unbounded wait that
        // returned leaves it done too, but each such wait stays a finding of its own: users count them.)
        const timeout = argNodeOf(call, effect.timeout);
        if (timeout && unwrapParens(timeout).type !== 'none') state.done.add(guardKey(object));
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
        this.noteParamPassed(argNodeOf(call, effect.coroutine), ctx, 'runs');
        return NOTHING;
      case 'runner-runs':
        if (!receiver.some((t) => t.k === 'call' && apiEffect(singleSymbol(t.f))?.kind === 'coroutine-runner')) return null;
        this.recordCoroutineUses(argOf(call, effect.coroutine) ?? NOTHING, 'main-run', node, ctx);
        this.noteParamPassed(argNodeOf(call, effect.coroutine), ctx, 'runs');
        return NOTHING;
      case 'wraps-coroutine': {
        const wrapped = argOf(call, effect.coroutine) ?? NOTHING;
        if (!suppressUse) this.recordCoroutineUses(wrapped, 'call', node, ctx);
        return effect.object ? union(wrapped, libraryObject(effect.object)) : wrapped;
      }
      case 'registers-done-callback':
        // Read by the module's pre-pass too (which functions are done-callbacks); as a call, it is any other call.
        this.recordLoopCallback(call, effect.callback, object, receiver, ctx, state);
        return null;
      case 'schedules-callback':
        this.recordLoopCallback(call, effect.callback, object, null, ctx, state);
        return null;
      case 'returns-object':
        return null;
      case 'completes-receiver':
      case 'schedules-callback':
        // What is completed, and what runs on a loop, are facts of the rules that care (see rules/shared/).
        return null;
    }
  }

  /** A callable handed to an event loop (`future`: for a done-callback, the future it waits on). */
  private recordLoopCallback(call: CallSite, position: number, object: SyntaxNode, future: Value | null, ctx: Ctx, state: State): void {
    if (!this.recording) return;
    const callableNode = call.args.positional[position];
    if (!callableNode) return;
    const callable = call.argValues[position] ?? NOTHING;
    const fact: LoopCallbackFact = {
      api: call.fnNode.childForFieldName('attribute')?.text ?? '',
      callable,
      loc: this.nodeLoc(call.node),
      callableLoc: this.nodeLoc(callableNode),
      callableText: compact(callableNode.text),
      callbackArgsLoc: this.loc(callableNode.startIndex, call.args.positional[call.args.positional.length - 1]!.endIndex),
      receiverText: /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(object.text) ? object.text : null,
    };
    const exit = apiEffect(singleSymbol(callable));
    if (exit?.kind === 'exits') fact.exits = exit.raises;
    // A loop and a future drop what their callbacks return.
    this.noteResultDropped(callableNode, callable, ctx, state);
    if (future) fact.future = future;
    this.facts.loopCallbacks.push(fact);
    // `loop.call_soon(cb, *args)` calls `cb(*args)`: what cb's parameters receive. (A done-callback gets the
    // future, after what a partial of it binds: not recorded.)
    if (!future && mayBeProjectCallee(callable)) {
      const positional = call.args.positional.slice(position + 1);
      this.recordCall({ ...call, callee: callable, args: { ...call.args, positional, keywords: new Map() }, argValues: call.argValues.slice(position + 1), keywordValues: NO_KEYWORDS }, ctx);
    }
  }

  protected addToCollection(target: SyntaxNode, added: Value, ctx: Ctx, state: State): void {
    if (added.length === 0) return;
    if (target.type === 'identifier') {
      this.assignName(target.text, union(this.lookup(target.text, ctx, state), added), ctx, state);
    } else if (target.type === 'attribute' && this.isSelf(target.childForFieldName('object'), ctx) && ctx.classRel) {
      this.addClassAttr(ctx.classRel, target.childForFieldName('attribute')!.text, added);
    }
  }
}
