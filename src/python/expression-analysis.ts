/**
 * The module walk's expressions (see module-analysis.ts): their abstract
 * values, awaits, annotations, comprehensions, and the evaluation of a call
 * itself (its callee and arguments), which hands the call to what it does to
 * the facts (call-effects.ts) and to the callables it holds or is given
 * (callable-values.ts).
 */
import type { SyntaxNode } from './parser.js';
import { record } from './facts.js';
import { apiEffect, callsArgument, methodEffect } from '../library/index.js';
import { buildScope, targetNames } from './scopes.js';
import { NOTHING, instanceOf, libraryObject, attrOf, callOf, collectionOf, elemOf, itemOf, mappingOf, symbol, union, singleSymbol, type Value } from './values.js';
import { MAX_DEPTH, cloneState, doneGuards, guardKey, markDone, writableDone, type Ctx, type State } from './flow-state.js';
import { unwrapParens, ownInterpolations } from './expression-shapes.js';
import { callArgs, NO_KEYWORDS, type CallSite } from './call-sites.js';
import { CallableAnalyzer, qualifiedPrefix } from './callable-values.js';
import { NO_EXTRACTORS } from './extractors.js';
import { walkSteps } from './analyzer-base.js';

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

/** Expressions and the evaluation of calls: their abstract values (what a call does: call-effects.ts, callable-values.ts). */
export abstract class ExpressionAnalyzer extends CallableAnalyzer {  /** Evaluates without recording facts (for re-reading a name already evaluated). */
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
        for (const key of guards.pos) writableDone(thenState).add(key);
        const elseState = cloneState(state);
        for (const key of guards.neg) writableDone(elseState).add(key);
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
        for (const key of op === 'and' ? guards.pos : guards.neg) writableDone(guarded).add(key);
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
        for (const key of doneGuards(cond).pos) writableDone(inner).add(key);
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
}
