/**
 * The module walk's calls, part one: what a call does to the facts. The
 * library rows' effects (src/library/: submitting, running, exiting,
 * scheduling callbacks, collecting), the escapes through which SystemExit /
 * KeyboardInterrupt may leave a function, the call facts that let the project
 * index follow arguments into parameters, and what a call the rows do not
 * know returns. Kept apart from the expressions (expression-analysis.ts) and
 * the callables (callable-values.ts) because it is the one place library
 * knowledge turns into facts.
 */
import type { SyntaxNode } from './parser.js';
import { addToFunction, keptText, record, type EscapeFact, type FunctionFacts, type LoopCallbackFact } from './facts.js';
import { apiEffect, type ApiEffect, type MethodEffect } from '../library/index.js';
import { FUTURE, NOTHING, libraryObject, mayBeLibraryObject, callOf, collectionOf, elemOf, itemOf, submittedToLoop, union, valuesOf, singleSymbol, mayBeProjectCallee, type Value } from './values.js';
import { guardKey, writableDone, type Ctx, type State } from './flow-state.js';
import { compact, unwrapParens } from './expression-shapes.js';
import { argOf, argNodeOf, NO_KEYWORDS, type CallSite } from './call-sites.js';
import { StatementAnalyzer } from './statement-analysis.js';

/** The keywords of a recorded call that passes none (see recordCall); frozen, as facts are never changed once made. */
const NO_KEYWORD_VALUES: Record<string, Value> = Object.freeze(record<Value>());

/** Whether an argument's value may be data a parameter's reader cares about (see recordCall). */
function mayBePassedData(value: Value): boolean {
  return value.some((t) => t.k !== 'sym' && t.k !== 'self' && t.k !== 'param');
}

/**
 * Whether an argument's value may be a callable of the project (a function, a
 * lambda, a partial of one, a bound method): the callee may hand it to an
 * event loop (`def defer(fn, *args): loop.call_soon_threadsafe(fn, *args)`).
 */
function mayBePassedCallable(value: Value): boolean {
  return value.some((t) => t.k === 'sym' && !t.q.startsWith('builtins.'));
}

/** The text of a plain string literal that is an identifier (`"exit"`), else null: the name `getattr` reads. */
function constantName(node: SyntaxNode | undefined): string | null {
  if (node?.type !== 'string') return null;
  const parts = node.namedChildren;
  if (parts.length !== 3 || parts[1]!.type !== 'string_content' || !/^[rRuU]?["']+$/.test(parts[0]!.text)) return null;
  const text = parts[1]!.text;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : null;
}

/** What calls do to the facts (see the file's comment); callables and expressions build on it. */
export abstract class CallEffectsAnalyzer extends StatementAnalyzer {
  // Defined with the callables (callable-values.ts), which the library effects hand some calls to.
  /** `object.name`, where the object's node is `obj` and its value `ov`. */
  protected abstract attributeValue(obj: SyntaxNode | null, ov: Value, name: string): Value;
  /** What `functools.partial(f, ...)` makes, `f` at `position`. */
  protected abstract bindArguments(position: number, call: CallSite, ctx: Ctx): Value;
  /** A callable handed to an API that drops what it returns. */
  protected abstract noteResultDropped(callableNode: SyntaxNode, callable: Value, ctx: Ctx, state: State): void;

  /** What a call the library rows do not know does: it may be a project function (a wrapper returning a future, a helper that exits). */
  protected anyCall(call: CallSite, ctx: Ctx, suppressUse: boolean): Value {
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
  protected newFuture(node: SyntaxNode): Value {
    const { start } = this.nodeLoc(node);
    return [{ k: 'newfut', at: `${this.info.module}:${start.line}:${start.column}` }];
  }

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
      text: keptText(`${compact(call.fnNode.text)}()`),
      value: callee,
      caught: ctx.caught,
    };
    if (raises) escape.raises = raises;
    else {
      // (Most calls pass no keyword: no arrays made for them.)
      if (call.args.keywords.size > 0) {
        const falseKeywords = [...call.args.keywords].filter(([, node]) => unwrapParens(node).type === 'false').map(([name]) => name);
        if (falseKeywords.length > 0) escape.falseKeywords = falseKeywords;
      }
      // (A loop, not flatMap: this runs for every call in a function, and almost none passes False.)
      if (!call.args.splat) {
        const positional = call.args.positional;
        for (let i = 0; i < positional.length; i++) {
          if (unwrapParens(positional[i]!).type === 'false') (escape.falsePositions ??= []).push(i);
        }
      }
    }
    addToFunction(ctx.fn, 'escapes', escape);
  }

  /**
   * A parameter of the current function passed straight to run_coroutine_threadsafe
   * (`submits`) or to an entry point (`runs`): the function is a wrapper that does so.
   */
  protected noteParamPassed(arg: SyntaxNode | undefined, ctx: Ctx, what: 'submits' | 'runs'): void {
    if (!ctx.fn || arg?.type !== 'identifier') return;
    const index = ctx.fn.params.indexOf(arg.text);
    if (index < 0) return;
    const key = what === 'submits' ? 'submitsParams' : 'runsParams';
    if (!ctx.fn[key].includes(index)) addToFunction(ctx.fn, key, index);
  }

  /**
   * Parameters of the current function passed on, unchanged, to another call
   * (`return self.submit(coro)`): if that callee submits or runs them, so does
   * this function (a wrapper of a wrapper).
   */
  protected noteParamsForwarded(call: CallSite, ctx: Ctx): void {
    const fn = ctx.fn;
    if (!fn || !this.recording || fn.params.length === 0) return;
    // (Loops, with no closure or object per argument: this runs for every call in a function with parameters.)
    const positional = call.args.positional;
    for (let i = 0; i < positional.length; i++) {
      const param = forwardedParam(fn, positional[i]!);
      if (param >= 0) addToFunction(fn, 'forwards', { param, callee: call.callee, argIndex: i });
    }
    if (call.args.keywords.size === 0) return;
    for (const [name, node] of call.args.keywords) {
      const param = forwardedParam(fn, node);
      if (param >= 0) addToFunction(fn, 'forwards', { param, callee: call.callee, argName: name });
    }
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
    // Kept until the run ends, for every such call: most pass no keyword (one shared empty record, where a
    // record of its own took 160 bytes), and the argument values were filled by push (room for 17 kept).
    let keywords = NO_KEYWORD_VALUES;
    if (call.keywordValues.size > 0) {
      keywords = record<Value>();
      for (const [name, v] of call.keywordValues) keywords[name] = v;
    }
    this.facts.calls.push({
      callee: call.callee,
      loc: this.nodeLoc(call.node),
      inFunction: ctx.fn?.q ?? null,
      args: call.argValues.length > 0 ? call.argValues.slice() : call.argValues,
      keywords,
      unpacks: call.args.splat,
      ...(data ? {} : { callablesOnly: true as const }),
    });
  }

  /**
   * What a call of a library API (see src/library/) does to the facts and
   * what it returns; null when it returns what any call returns.
   */
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

  /** What a call of a method known by name (see src/library/) does; null when it is any other call. */
  protected applyMethod(effect: MethodEffect, call: CallSite, ctx: Ctx, state: State, suppressUse: boolean): Value | null {
    const { node, fnNode, receiver, argValues } = call;
    const object = fnNode.childForFieldName('object')!;
    switch (effect.kind) {
      case 'waits-on-receiver': {
        // Once `fut.result(timeout=...)` has returned, `fut` is done on this path. (An unbounded wait that
        // returned leaves it done too, but each such wait stays a finding of its own: users count them.)
        const timeout = argNodeOf(call, effect.timeout);
        if (timeout && unwrapParens(timeout).type !== 'none') writableDone(state).add(guardKey(object));
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

/** The index of the function's parameter an argument passes on unchanged (the argument is its name), or -1. */
function forwardedParam(fn: FunctionFacts, node: SyntaxNode): number {
  const inner = unwrapParens(node);
  return inner.type === 'identifier' ? fn.params.indexOf(inner.text) : -1;
}
