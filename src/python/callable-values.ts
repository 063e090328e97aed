/**
 * The module walk's calls, part two: callables as values. Lambdas (their
 * facts, and those run in place), callables handed to an API that calls them
 * (a thread's target, `map`'s function, `play(after=...)`) with the arguments
 * it passes, `functools.partial`, and bound methods a rule's extractors read,
 * taken as values (`waiter = fut.result`, `self._wait = fut.result`) and
 * called later; the extractors themselves run from here. Kept apart because
 * these follow a callable from where it is made to where it is called, which
 * neither the expressions nor the library effects need to know.
 */
import type { SyntaxNode } from './parser.js';
import { noItems, own, record, type FunctionFacts } from './facts.js';
import { apiEffect, type CallsArgument } from '../library/index.js';
import { buildScope, parameterNames } from './scopes.js';
import { NOTHING, paramOf, attrOf, boundMethodOf, callOf, elemOf, symbol, union, singleSymbol, mayBeProjectCallee, type Term, type Value } from './values.js';
import { cloneState, dropNone, NO_CAUGHT, writableVars, guardKey, type Ctx, type State } from './flow-state.js';
import { compact, unwrapParens } from './expression-shapes.js';
import { callArgs, argOf, argNodeOf, NO_KEYWORDS, type CallArgs, type CallSite } from './call-sites.js';
import { CallEffectsAnalyzer } from './call-effects.js';
import { NO_EXTRACTORS, type CallView, type ExtractedArgument } from './extractors.js';

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
 * The call of a callable handed to an API, with the arguments the API passes
 * (see passedArguments): the fields a spread of `passed` and the others made,
 * in the same order, written out: the spreads took 0.3 s of the walk of the
 * 18 MB bench file, which calls `map(f, xs)` in many of its functions.
 */
function passedCall(passed: Pick<CallSite, 'args' | 'argValues' | 'keywordValues'>, node: SyntaxNode, fnNode: SyntaxNode, callee: Value, receiver: Value): CallSite {
  return { args: passed.args, argValues: passed.argValues, keywordValues: passed.keywordValues, node, fnNode, callee, receiver };
}

/** A bound method called later (see callBoundMethods): its receiver's node where it was taken, and the callee's text here. */
interface BoundCall {
  object: SyntaxNode;
  via: string;
}

/**
 * Qualified names longer than this are not extended by an attribute: no module
 * has such a name, and `a.b.c…` ten thousand names long would otherwise make a
 * name per prefix, quadratic in time and memory.
 */
const MAX_QUALIFIED_NAME = 1_000;

/** The qualified name an attribute of `value` extends, if it is one symbol of reasonable length. */
export function qualifiedPrefix(value: Value): string | null {
  const q = singleSymbol(value);
  return q !== null && q.length <= MAX_QUALIFIED_NAME ? q : null;
}

/** Callables as values (see the file's comment), on top of what calls do to the facts. */
export abstract class CallableAnalyzer extends CallEffectsAnalyzer {
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
      ? { q: known.q, name: '<lambda>', isAsync: false, loc: this.nodeLoc(node), params, returns: NOTHING, submitsParams: noItems(), runsParams: noItems(), forwards: noItems(), escapes: noItems() }
      : null;
    if (fn) {
      known.fn = fn;
      this.facts.functions.push(fn);
    }
    const scope = buildScope('lambda', ctx.scope, ctx.scope.rel, null, params);
    const inner = cloneState(state);
    // What each parameter holds is what its callers pass, as for a def (`map(lambda f: f.result(), futs)` passes each future).
    const vars = writableVars(inner);
    params.forEach((p, i) => vars.set(p, paramOf(known!.q, i)));
    // A lambda's parameter shadows an enclosing name that may be None.
    dropNone(inner, params);
    const lambdaCtx: Ctx = {
      ...ctx,
      scope,
      // A lambda is only defined here: what it calls is not called by the enclosing function, but by the lambda.
      fn,
      coroutine: this.inlineLambdas.has(node.id) ? ctx.coroutine : null,
      doneCallback: ctx.doneCallback || this.callbackLambdas.has(node.id),
      caught: NO_CAUGHT,
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
  protected readonly inlineLambdas = new Set<number>();

  /**
   * A callable handed to an API that calls it (see CallsArgument): that is a
   * call of the callable, with the arguments the API passes. A bound method
   * written out (`threading.Thread(target=fut.result)`) is a call of that
   * method on its receiver, for the rules' extractors, at the argument; any
   * other callable (a function, a lambda, a bound method of the project) gets
   * a call fact, so its parameters receive what is passed.
   */
  protected callArgument(calls: CallsArgument, call: CallSite, ctx: Ctx, state: State): void {
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
      this.callBoundMethods(callable, passedCall(passed, callableNode, callableNode, callable, NOTHING), calledCtx, state, calledByText(call.fnNode));
    }
    this.recordCall(passedCall(passed, call.node, call.fnNode, callable, NOTHING), ctx);
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
  protected noteResultDropped(callableNode: SyntaxNode, callable: Value, ctx: Ctx, state: State): void {
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
  protected attributeValue(obj: SyntaxNode | null, ov: Value, name: string): Value {
    const q = qualifiedPrefix(ov);
    if (q) return symbol(`${q}.${name}`);
    // A method a rule's extractors read, taken without calling it (`waiter = fut.result`): called later, it is that call.
    if (obj && this.extractors.has(`.${name}`)) return this.boundMethod(ov, name, obj);
    return attrOf(ov, name);
  }

  /** Whether boundMethod has made any yet (see callBoundMethods). */
  private madeBoundMethods = false;

  /** `o.n` taken as a value, a method the rules' extractors read: the bound method, which a later call calls on `o`. */
  private boundMethod(o: Value, n: string, object: SyntaxNode, partial?: CallSite): Value {
    this.madeBoundMethods = true;
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
  protected callBoundMethods(callee: Value, call: CallSite, ctx: Ctx, state: State, calledBy: string | null): void {
    // Most modules take no bound wait as a value: then no call can call one, and nothing is looked up per call.
    if (!this.madeBoundMethods) return;
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
      if (term.k === 'sym' && term.q.startsWith(this.modulePrefix)) held = this.variables.get(term.q.slice(this.modulePrefix.length));
      else if (term.k === 'attr' && ctx.classRel && term.o.length === 1 && term.o[0]!.k === 'self' && term.o[0]!.c === ctx.classQ) {
        const cls = this.classes.get(ctx.classRel);
        held = cls ? own(cls.attrs, term.n) : undefined;
      }
      if (held && held.length > 0) out = [...(out ?? value), ...held];
    }
    return out ?? value;
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
  protected bindArguments(position: number, call: CallSite, ctx: Ctx): Value {
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
}
