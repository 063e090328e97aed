/** The module walk's statements (see module-analysis.ts). */
import type { SyntaxNode } from './parser.js';
import { importBindings } from './imports.js';
import { apiEffect, methodEffect, LOOP_STOPPING_EXCEPTIONS } from '../library/index.js';
import { hasHandlingCallback, ignoresItsFuture, moduleOf, onlyAssignmentOfDroppedFuture } from './done-callbacks.js';
import { targetNames } from './scopes.js';
import { addToFunction } from './facts.js';
import { NOTHING, collectionOf, elemOf, itemOf, mappingOf, symbol, union, singleSymbol, type Term, type Value } from './values.js';
import { MAX_STATEMENT_DEPTH, adoptVars, adoptDone, writableDone, writableVars, markDone, wrapsKey, allDoneKey, cloneState, mergeStates, doneGuards, guardedExpression, noneGuards, dropNone, guardKey, type Ctx, type LoopFrame, type State } from './flow-state.js';
import { compact, unwrapParens } from './expression-shapes.js';
import { callArgs } from './call-sites.js';
import { AnalyzerBase, walkSteps } from './analyzer-base.js';
import { drainedName, drainsOnlyDone } from './drained-collections.js';

/** Loops nested deeper than this get one pass instead of two (the first pass only carries values around the loop). */
const MAX_LOOP_PREPASS_DEPTH = 2;

/**
 * The state after a loop: the loop skipped or run (`state`, `after`), or for a
 * loop that ends only by `break` (see LoopFrame.breaks) the states at its
 * breaks. A loop with no break seen keeps the general merge: a way out the
 * walk missed must not make what follows unreachable.
 */
function pastLoop(frame: LoopFrame, state: State, after: State): State {
  if (frame.breaks && frame.breaks.length > 0) return mergeStates(frame.breaks);
  return mergeStates([state, after]);
}

/** `while True:`, `while 1:`: a condition that never turns false, so it is no way out of the loop. */
function alwaysTrue(cond: SyntaxNode): boolean {
  const node = unwrapParens(cond);
  return node.type === 'true' || (node.type === 'integer' && !/^0+$|^0[xob]0+$/i.test(node.text.replace(/_/g, '')));
}

/** Marks a name bound to the done set of concurrent.futures.wait (a key of it: rebinding the name forgets it). */
const DONE_SET = '[done-set]';

/**
 * Marks a name bound to the not-done set of concurrent.futures.wait(fs), with
 * the id of `fs`'s node: once it is empty, every future of `fs` is done.
 */
const PENDING_SET = '[pending-set]';

/** `not pending`, `len(pending) == 0`, `not len(pending)`: the name tested empty, else null. */
function testedEmpty(cond: SyntaxNode | null): string | null {
  const node = cond ? unwrapParens(cond) : null;
  if (!node) return null;
  if (node.type === 'not_operator') {
    const inner = unwrapParens(node.childForFieldName('argument')!);
    if (inner.type === 'identifier') return inner.text;
    const sized = inner.type === 'call' && inner.childForFieldName('function')?.text === 'len' ? inner.childForFieldName('arguments')?.namedChildren : null;
    return sized?.length === 1 && sized[0]!.type === 'identifier' ? sized[0]!.text : null;
  }
  if (node.type === 'comparison_operator' && node.namedChildCount === 2 && node.children.slice(1, -1).map((c) => c.text).join(' ') === '==') {
    const [left, right] = node.namedChildren.map((c) => unwrapParens(c));
    const sized = left!.type === 'call' && left!.childForFieldName('function')?.text === 'len' ? left!.childForFieldName('arguments')?.namedChildren : null;
    if (right!.type === 'integer' && right!.text === '0' && sized?.length === 1 && sized[0]!.type === 'identifier') return sized[0]!.text;
  }
  return null;
}

/** `fut in done` where `done` is such a set: the futures known done when the condition is true. */
function doneMembers(cond: SyntaxNode | null, state: State): string[] {
  const node = cond ? unwrapParens(cond) : null;
  if (node?.type !== 'comparison_operator' || node.namedChildCount !== 2) return [];
  const [member, set] = node.namedChildren;
  if (node.children.slice(1, -1).map((c) => c.type).join(' ') !== 'in') return [];
  if (set!.type !== 'identifier' || !state.done.has(`${set!.text}${DONE_SET}`)) return [];
  return [guardKey(member!)];
}

/** The collection's node in `while len(pending):` / `while len(pending) > 0:` (see drainedName). */
function drainedNode(cond: SyntaxNode): SyntaxNode | null {
  let node = unwrapParens(cond);
  if (node.type === 'comparison_operator') node = unwrapParens(node.namedChild(0)!);
  return node.type === 'call' ? (node.childForFieldName('arguments')?.namedChildren[0] ?? null) : null;
}

/** Targets and values that `a, b = x, y` binds element by element. */
const TARGET_SHAPES: ReadonlySet<string> = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list']);
const VALUE_SHAPES: ReadonlySet<string> = new Set(['expression_list', 'tuple', 'list']);

/** Statements: bindings, control flow and its merges, exception handlers, imports, raises. */
export abstract class StatementAnalyzer extends AnalyzerBase {
  protected visitBlock(block: SyntaxNode | null, ctx: Ctx, state: State): void {
    if (!block) return;
    for (const stmt of block.namedChildren) this.visitStatement(stmt, ctx, state);
  }

  protected visitStatement(node: SyntaxNode, ctx: Ctx, state: State): void {
    if (this.statementDepth > MAX_STATEMENT_DEPTH) {
      this.notAnalysed(node);
      return;
    }
    this.statementDepth++;
    try {
      this.visitStatementInner(node, ctx, state);
    } finally {
      this.statementDepth--;
    }
  }

  // One case per kind of statement, each a few lines: kept as one switch so the dispatch reads in one place.
  protected visitStatementInner(node: SyntaxNode, ctx: Ctx, state: State): void {
    walkSteps.count++;
    switch (node.type) {
      case 'expression_statement':
        for (const child of node.namedChildren) this.visitExpressionStatement(child, ctx, state);
        return;
      case 'return_statement': {
        const value = node.namedChild(0);
        if (value) {
          const v = this.evalExpr(value, ctx, state);
          if (ctx.fn) {
            ctx.fn.returns = union(ctx.fn.returns, v);
            if (v.length > 0) this.noteReturnHandled(value, ctx);
          }
        }
        this.leaveLoops(ctx.loops, ctx, state);
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
        // A bare `raise` passes on what a call raised: a way out the loop's own code does not choose.
        if (node.namedChildCount > 0) this.leaveLoops(ctx.loops, ctx, state);
        state.dead = true;
        return;
      case 'break_statement':
        if (ctx.loops.length > 0) {
          this.leaveLoops(ctx.loops.slice(-1), ctx, state);
          if (!state.dead) ctx.loops[ctx.loops.length - 1]!.breaks?.push(cloneState(state));
        }
        state.dead = true;
        return;
      case 'continue_statement':
        state.dead = true;
        return;
      case 'import_statement':
      case 'import_from_statement':
        this.visitImport(node, ctx, state);
        return;
      case 'assert_statement': {
        for (const child of node.namedChildren) this.evalExpr(child, ctx, state);
        for (const key of doneGuards(node.namedChild(0)).pos) writableDone(state).add(key);
        return;
      }
      case 'match_statement':
        this.visitMatch(node, ctx, state);
        return;
      case 'delete_statement':
        for (const name of targetNames(node.namedChild(0))) if (state.vars.has(name)) writableVars(state).delete(name);
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

  protected visitExpressionStatement(node: SyntaxNode, ctx: Ctx, state: State): void {
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
    if (call.type !== 'call' || !this.recording) return;
    if (value.length > 0) {
      const fn = call.childForFieldName('function');
      this.facts.discards.push({ value, loc: this.nodeLoc(call), calleeText: compact(fn?.text ?? call.text) });
    }
    // Whatever `fut.add_done_callback(cb)` itself evaluates to (the model may give it a value), the
    // future it registers on may be left to that callback alone.
    this.noteFutureLeftToCallback(call, ctx, state);
  }

  /**
   * `return fut` after `fut.add_done_callback(log_failure)` (see
   * FunctionFacts.returnsHandled): true while every value-carrying `return`
   * of the function is such a name. Only a module that registers a
   * done-callback somewhere can have one.
   */
  private noteReturnHandled(value: SyntaxNode, ctx: Ctx): void {
    const fn = ctx.fn!;
    if (this.callbackNames.size === 0 && this.callbackLambdas.size === 0) return;
    if (fn.returnsHandled === false) return;
    const name = unwrapParens(value);
    const handled = name.type === 'identifier' && hasHandlingCallback(name, (registration) => this.registersHandlingCallback(registration, name.text));
    fn.returnsHandled = handled;
  }

  /** Whether the call registers a done-callback (see src/library/) not known to ignore the future (see done-callbacks.ts). */
  private registersHandlingCallback(registration: SyntaxNode, future: string): boolean {
    const fn = registration.childForFieldName('function');
    if (fn?.type !== 'attribute') return false;
    const registers = methodEffect(fn.childForFieldName('attribute')?.text ?? null);
    if (registers?.kind !== 'registers-done-callback') return false;
    const callback = callArgs(registration).positional[registers.callback];
    return callback !== undefined && !ignoresItsFuture(callback, future, moduleOf(registration));
  }

  /** Calls whose value is left only to done-callbacks that ignore it, each noted once (a loop's body is walked twice). */
  private readonly leftToCallbacks = new Set<number>();

  /**
   * `run_coroutine_threadsafe(...).add_done_callback(lambda _: None)`, or
   * `fut = run_coroutine_threadsafe(...)` whose only other uses are such
   * registrations: the value is dropped, as by an expression statement, at
   * the call that made it (see done-callbacks.ts).
   */
  private noteFutureLeftToCallback(call: SyntaxNode, ctx: Ctx, state: State): void {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') return;
    const registers = methodEffect(fn.childForFieldName('attribute')?.text ?? null);
    if (registers?.kind !== 'registers-done-callback') return;
    const receiver = unwrapParens(fn.childForFieldName('object')!);
    const root = moduleOf(call);
    const ignores = (registration: SyntaxNode, future: string | null): boolean => {
      const callback = callArgs(registration).positional[registers.callback];
      return callback !== undefined && ignoresItsFuture(callback, future, root);
    };
    let made: SyntaxNode | null = null;
    if (receiver.type === 'call') made = ignores(call, null) ? receiver : null;
    else if (receiver.type === 'identifier' && ctx.scope.kind !== 'class') made = onlyAssignmentOfDroppedFuture(receiver, (r) => ignores(r, receiver.text));
    if (!made || this.leftToCallbacks.has(made.id)) return;
    this.leftToCallbacks.add(made.id);
    const value = receiver.type === 'call' ? this.quietEval(receiver, ctx, state) : this.lookup(receiver.text, ctx, state);
    if (value.length === 0) return;
    this.facts.discards.push({ value, loc: this.nodeLoc(made), calleeText: compact(made.childForFieldName('function')?.text ?? made.text) });
  }

  protected visitAssignment(node: SyntaxNode, ctx: Ctx, state: State): Value {
    // `a = b = … = 1` nests each assignment in the right side of the one before: walked as a list,
    // innermost first, as recursion would, but without a stack frame per target (10,000 overflowed).
    const chain: SyntaxNode[] = [node];
    for (let right = node.childForFieldName('right'); right?.type === 'assignment'; right = right.childForFieldName('right')) {
      chain.push(right);
    }
    const innermost = chain[chain.length - 1]!;
    const left = innermost.childForFieldName('left');
    const right = innermost.childForFieldName('right');
    let value: Value = NOTHING;
    // `self.client: Client = make()`, `client: Optional[Client] = None`: the name holds an instance of that class too.
    const annotation = innermost.childForFieldName('type');
    const annotated = annotation ? this.annotatedInstance(annotation, ctx, state) : NOTHING;
    if (!right && left && annotated.length > 0 && (ctx.scope.kind === 'class' || left.type === 'attribute')) {
      // A declaration without a value (`client: Client` in a class body, `self.client: Client`): what the attribute will hold.
      this.bindTarget(left, annotated, ctx, state);
    } else if (!right || (left && this.bindElementwise(left, right, ctx, state))) {
      // Nothing assigned, or bound element by element: the targets outside get no value.
    } else {
      // A call whose result is stored is not "used" here; where the stored value goes decides that.
      this.suppressUse = unwrapParens(right).type === 'call' && left?.type === 'identifier';
      value = this.evalExpr(right, ctx, state);
      if (left) this.bindTarget(left, union(value, annotated), ctx, state);
      this.markDoneSet(left, right, ctx, state);
      // `timeout = None`: a local that may be None on the paths from here (what a wait's timeout may be).
      if (left?.type === 'identifier' && unwrapParens(right).type === 'none') {
        state.none = new Map(state.none).set(left.text, { loc: this.nodeLoc(left), param: false });
      }
    }
    for (let i = chain.length - 2; i >= 0; i--) {
      const target = chain[i]!.childForFieldName('left');
      if (target) this.bindTarget(target, value, ctx, state);
    }
    return value;
  }

  /**
   * `done, pending = concurrent.futures.wait(fs, ...)` (or `await
   * asyncio.wait(fs, ...)`): `done` holds only completed futures, so `if fut
   * in done:` makes `fut` known done (see doneMembers). Marked as a key of
   * `done` itself, which rebinding it forgets. `w = asyncio.wrap_future(fut)`
   * is marked too: `w` done makes `fut` done.
   */
  private markDoneSet(left: SyntaxNode | null, right: SyntaxNode, ctx: Ctx, state: State): void {
    let value = unwrapParens(right);
    // `done, pending = await asyncio.wait(...)`, the same for asyncio's futures.
    if (value.type === 'await' && value.namedChild(0)) value = unwrapParens(value.namedChild(0)!);
    if (value.type !== 'call') return;
    const api = apiEffect(singleSymbol(this.calleeValue(value, ctx, state, false)));
    if (left?.type === 'identifier' && api?.kind === 'wraps-future') {
      // `w = asyncio.wrap_future(fut)`: once `w` is known done, so is `fut` (see markDone).
      const future = callArgs(value).positional[api.future.position] ?? callArgs(value).keywords.get(api.future.keyword);
      if (future) writableDone(state).add(wrapsKey(left.text, guardKey(unwrapParens(future))));
      return;
    }
    if (!left || !TARGET_SHAPES.has(left.type)) return;
    const first = left.namedChildren[0];
    if (first?.type !== 'identifier') return;
    if (!((api?.kind === 'waits-on-futures' && api.wait === 'wait') || api?.kind === 'awaits-futures')) return;
    const call = value;
    writableDone(state).add(`${first.text}${DONE_SET}`);
    // The not-done set holds futures of `fs` (the done set's are done: no wait on them blocks, so it stays valueless).
    const second = left.namedChildren[1];
    const fs = call.childForFieldName('arguments')?.namedChildren.find((a, i) => (i === 0 && a.type !== 'keyword_argument') || (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'fs'));
    const fsNode = fs?.type === 'keyword_argument' ? fs.childForFieldName('value') : fs;
    if (second?.type !== 'identifier' || !fsNode) return;
    this.assignName(second.text, this.quietEval(fsNode, ctx, state), ctx, state);
    this.pendingSets.set(fsNode.id, fsNode);
    writableDone(state).add(`${second.text}${PENDING_SET}${fsNode.id}`);
  }

  /** The `fs` nodes of the not-done sets marked in this module (see PENDING_SET). */
  private readonly pendingSets = new Map<number, SyntaxNode>();

  /** `if not pending:` where `pending` is wait(fs)'s not-done set: every future of `fs` is done. */
  private emptiedPending(cond: SyntaxNode | null, state: State): string[] {
    const name = testedEmpty(cond);
    if (!name) return [];
    const out: string[] = [];
    for (const key of state.done) {
      if (!key.startsWith(`${name}${PENDING_SET}`)) continue;
      const fs = this.pendingSets.get(Number(key.slice(name.length + PENDING_SET.length)));
      if (fs) out.push(allDoneKey(fs));
    }
    return out;
  }

  /** `a, b = x, y`: binds element by element when both sides have the same shape. */
  protected bindElementwise(left: SyntaxNode, right: SyntaxNode, ctx: Ctx, state: State): boolean {
    if (!TARGET_SHAPES.has(left.type) || !VALUE_SHAPES.has(right.type)) return false;
    const targets = left.namedChildren;
    const sources = right.namedChildren;
    if (targets.length !== sources.length || sources.some((s) => s.type === 'list_splat')) return false;
    const evaluated = sources.map((s) => this.evalExpr(s, ctx, state));
    targets.forEach((t, i) => this.bindTarget(t, evaluated[i]!, ctx, state));
    return true;
  }

  /**
   * Binds an assignment's target to a value. `((((a,),),),) = x` nests as deep as
   * the file likes: targets are taken from an explicit stack, in the order
   * recursion would take them (depth first, left to right), not from the JS stack.
   */
  protected bindTarget(root: SyntaxNode, rootValue: Value, ctx: Ctx, state: State): void {
    const pending: [SyntaxNode, Value][] = [[root, rootValue]];
    while (pending.length > 0) {
      const [target, value] = pending.pop()!;
      switch (target.type) {
        case 'identifier':
          this.assignName(target.text, value, ctx, state);
          break;
        case 'attribute': {
          const obj = target.childForFieldName('object');
          const name = target.childForFieldName('attribute')?.text;
          if (obj && name && this.isSelf(obj, ctx) && ctx.classRel) {
            this.addClassAttr(ctx.classRel, name, value);
            const key = `${obj.text}.${name}`;
            for (const k of [...state.done]) if (k === key || k.startsWith(`${key}.`)) writableDone(state).delete(k);
          } else if (obj) this.evalExpr(obj, ctx, state);
          break;
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
          break;
        }
        case 'pattern_list':
        case 'tuple_pattern':
        case 'list_pattern':
        case 'tuple':
        case 'list':
        case 'parenthesized_expression': {
          const element = elemOf(value);
          const children = target.namedChildren;
          for (let i = children.length - 1; i >= 0; i--) {
            const child = children[i]!;
            if (child.type === 'list_splat_pattern' || child.type === 'list_splat') {
              const inner = child.namedChild(0);
              if (inner) pending.push([inner, collectionOf(element)]);
            } else pending.push([child, element]);
          }
          break;
        }
        case 'as_pattern_target': {
          const children = target.namedChildren;
          for (let i = children.length - 1; i >= 0; i--) pending.push([children[i]!, value]);
          break;
        }
        default:
          break;
      }
    }
  }

  protected visitIf(node: SyntaxNode, ctx: Ctx, state: State): void {
    const outcomes: State[] = [];
    let current = state;
    let clause: SyntaxNode | null = node;
    while (clause) {
      const cond = clause.childForFieldName('condition');
      if (cond) this.evalExpr(cond, ctx, current);
      const guards = doneGuards(cond);
      const notNone = noneGuards(cond);
      const thenState = cloneState(current);
      for (const key of guards.pos) writableDone(thenState).add(key);
      for (const key of doneMembers(cond, current)) markDone(thenState, key);
      for (const key of this.emptiedPending(cond, current)) writableDone(thenState).add(key);
      dropNone(thenState, notNone.pos);
      this.visitBlock(clause.childForFieldName('consequence'), ctx, thenState);
      outcomes.push(thenState);
      const elseState = cloneState(current);
      for (const key of guards.neg) writableDone(elseState).add(key);
      dropNone(elseState, notNone.neg);
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
            const altNotNone = noneGuards(altCond);
            const altThen = cloneState(current);
            for (const key of altGuards.pos) writableDone(altThen).add(key);
            dropNone(altThen, altNotNone.pos);
            this.visitBlock(alt.childForFieldName('consequence'), ctx, altThen);
            outcomes.push(altThen);
            const altElse = cloneState(current);
            for (const key of altGuards.neg) writableDone(altElse).add(key);
            dropNone(altElse, altNotNone.neg);
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
    adoptVars(state, merged);
    adoptDone(state, merged);
    state.none = merged.none;
    state.dead = merged.dead;
  }

  /** Runs a loop body: first without recording, to carry values around the loop, then for real. */
  protected runLoopBody(body: SyntaxNode | null, ctx: Ctx, entry: State, bindEach: (s: State) => void): State {
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

  protected visitFor(node: SyntaxNode, ctx: Ctx, state: State): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const forever = !!right && this.iteratesForever(right, ctx, state);
    const bindEach = right && left ? this.iterationBinder(left, right, ctx, state) : () => {};
    // Its own frame, so that a `break` in it is not taken for a way out of a `while` around it.
    const frame: LoopFrame = { kind: 'for', entry: state.done, exits: 0, open: false, futures: NOTHING, ...(forever ? { breaks: [] } : {}) };
    const after = this.runLoopBody(node.childForFieldName('body'), { ...ctx, loops: [...ctx.loops, frame] }, state, bindEach);
    // `for _ in itertools.count():` ends only by its breaks, returns and raises, as `while True:` does.
    if (forever && this.recording && !frame.open && frame.exits > 0 && frame.futures.length > 0) {
      this.facts.doneLoops.push({ loc: this.loc(node.startIndex, right!.endIndex), text: compact(`for ${left?.text ?? '_'} in ${right!.text}`), futures: frame.futures });
    }
    const merged = pastLoop(frame, state, after);
    const alternative = node.childForFieldName('alternative');
    if (alternative) this.visitBlock(alternative.childForFieldName('body'), ctx, merged);
    adoptVars(state, merged);
    adoptDone(state, merged);
    state.none = merged.none;
  }

  /** `itertools.count()`, `cycle(xs)`, `repeat(x)`: an iterable that never ends (see the iterates-forever rows). */
  private iteratesForever(right: SyntaxNode, ctx: Ctx, state: State): boolean {
    const call = unwrapParens(right);
    if (call.type !== 'call') return false;
    const api = apiEffect(singleSymbol(this.calleeValue(call, ctx, state, false)));
    if (api?.kind !== 'iterates-forever') return false;
    if (!api.unlessGiven) return true;
    const args = callArgs(call);
    return !args.positional[api.unlessGiven.position] && !args.keywords.has(api.unlessGiven.keyword);
  }

  /** Whether the call is concurrent.futures.wait (as the rows name it). */
  private isFuturesWait(call: SyntaxNode, ctx: Ctx, state: State): boolean {
    const api = apiEffect(singleSymbol(this.calleeValue(call, ctx, state, false)));
    return api?.kind === 'waits-on-futures' && api.wait === 'wait';
  }

  /**
   * Evaluates a loop's iterable once and returns how to bind its target:
   * `for f in futs`, `for i, f in enumerate(futs)`, `for a, b in zip(xs, futs)`,
   * `for k, f in mapping.items()`.
   */
  protected iterationBinder(left: SyntaxNode, right: SyntaxNode, ctx: Ctx, state: State): (s: State) => void {
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

  protected visitWhile(node: SyntaxNode, ctx: Ctx, state: State): void {
    const cond = node.childForFieldName('condition');
    if (cond) this.evalExpr(cond, ctx, state);
    const guards = doneGuards(cond);
    const forever = !!cond && alwaysTrue(cond);
    const frame: LoopFrame = { kind: 'while', entry: new Set(state.done), exits: 0, open: false, futures: NOTHING, ...(forever ? { breaks: [] } : {}) };
    const after = this.runLoopBody(node.childForFieldName('body'), { ...ctx, loops: [...ctx.loops, frame] }, state, (s) => {
      for (const key of guards.pos) writableDone(s).add(key);
    });
    const merged = pastLoop(frame, state, after);
    // The loop ends when its condition is false: `while not fut.done(): ...` leaves fut done.
    for (const key of guards.neg) writableDone(merged).add(key);
    if (this.recording && cond && !alwaysTrue(cond)) {
      const exit = cloneState(merged);
      exit.done = new Set(guards.neg);
      exit.sharedDone = false;
      // `while pending:` whose body takes futures out only once done: when it ends, every one is done.
      const drained = drainedName(cond);
      const body = node.childForFieldName('body');
      if (drained && body && drainsOnlyDone(body, drained, (call) => this.isFuturesWait(call, ctx, merged))) {
        writableDone(exit).add(allDoneKey(unwrapParens(cond).type === 'identifier' ? cond : drainedNode(cond)!));
      }
      this.leaveLoops([frame], ctx, exit);
    }
    if (this.recording && cond && !frame.open && frame.exits > 0 && frame.futures.length > 0) {
      this.facts.doneLoops.push({ loc: this.loc(node.startIndex, cond.endIndex), text: compact(`while ${cond.text}`), futures: frame.futures });
    }
    const alternative = node.childForFieldName('alternative');
    if (alternative) this.visitBlock(alternative.childForFieldName('body'), ctx, merged);
    adoptVars(state, merged);
    adoptDone(state, merged);
    state.none = merged.none;
  }

  /**
   * A way out of each of `frames` here (a `break` leaves the innermost, a
   * `return` or `raise` every one): records the futures newly known done on
   * this path, or that the way out shows none (see ModuleFacts.doneLoops).
   */
  protected leaveLoops(frames: readonly LoopFrame[], ctx: Ctx, state: State): void {
    if (!this.recording || state.dead) return;
    for (const frame of frames) {
      frame.exits++;
      if (frame.open) continue;
      const shown: Value[] = [];
      for (const key of state.done) {
        if (frame.entry.has(key)) continue;
        const guarded = guardedExpression(key);
        if (!guarded) continue;
        const value = this.quietEval(guarded.node, ctx, state);
        shown.push(guarded.elements ? elemOf(value) : value);
      }
      if (shown.length === 0) frame.open = true;
      else frame.futures = union(frame.futures, ...shown);
    }
  }

  /** Exception classes a handler catches, or null when it re-raises what it caught. */
  protected handlerCatches(handler: SyntaxNode, ctx: Ctx, state: State): string[] | null {
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
  protected reRaises(block: SyntaxNode, alias: string | null): boolean {
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

  protected visitTry(node: SyntaxNode, ctx: Ctx, state: State): void {
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
      const hs = mergeStates([entry, { ...cloneState(body), dead: false }]);
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
      const fin = mergeStates([entry, { ...cloneState(merged), dead: false }]);
      const wasDead = merged.dead;
      this.visitBlock(finallyClause.namedChildren.find((c) => c.type === 'block') ?? null, ctx, fin);
      adoptVars(merged, fin);
      merged.none = fin.none;
      merged.dead = wasDead || fin.dead;
    }
    adoptVars(state, merged);
    adoptDone(state, merged);
    state.none = merged.none;
    state.dead = merged.dead;
  }

  protected visitWith(node: SyntaxNode, ctx: Ctx, state: State): void {
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
        const effect = apiEffect(singleSymbol(callee))?.kind;
        if (effect === 'suppresses-exceptions') {
          for (const arg of callArgs(inner).positional) {
            const q = singleSymbol(this.quietEval(arg, ctx, state));
            if (q) caught.push(q);
          }
        }
        // What its body raises comes out wrapped in a BaseExceptionGroup: a handler of that, around it, catches everything.
        if (effect === 'groups-exceptions' && ctx.caught.includes('builtins.BaseExceptionGroup')) caught.push('builtins.BaseException');
      }
      if (value.type === 'as_pattern') {
        const alias = value.childForFieldName('alias');
        if (alias) this.bindTarget(alias, v, ctx, state);
      }
    }
    this.visitBlock(node.childForFieldName('body'), caught.length ? { ...ctx, caught: [...ctx.caught, ...caught] } : ctx, state);
  }

  protected visitMatch(node: SyntaxNode, ctx: Ctx, state: State): void {
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
    adoptVars(state, merged);
    adoptDone(state, merged);
    state.none = merged.none;
  }

  protected visitImport(node: SyntaxNode, ctx: Ctx, state: State): void {
    const { bindings, stars } = importBindings(node, this.info.module, this.info.isPackage);
    for (const { name, target } of bindings) {
      writableVars(state).set(name, symbol(target));
      const rel = this.relOf(ctx.scope, name);
      this.facts.imports[rel] = target;
      this.log?.imports.push([rel, target]);
    }
    if (ctx.scope.kind === 'module') this.facts.starImports.push(...stars);
  }

  protected visitRaise(node: SyntaxNode, ctx: Ctx, state: State): void {
    const raised = node.namedChild(0);
    if (!raised) return;
    for (const child of node.namedChildren) if (child !== raised) this.evalExpr(child, ctx, state);
    const value = this.evalExpr(raised, ctx, state);
    if (!ctx.fn || !this.recording) return;
    // Only classes (or instances of classes) known by name can be SystemExit or a subclass of it:
    // named where raised, or held by a local (`err = SystemExit(5); raise err`).
    const inner = unwrapParens(raised);
    const classNode = inner.type === 'call' ? inner.childForFieldName('function') : inner;
    if (!classNode || (classNode.type !== 'identifier' && classNode.type !== 'attribute')) return;
    const q = singleSymbol(this.quietEval(classNode, ctx, state));
    if (q ? q.startsWith('builtins.') && !LOOP_STOPPING_EXCEPTIONS.includes(q) : !value.some(mayBeRaisedBaseExit)) return;
    addToFunction(ctx.fn, 'escapes', {
      via: 'raise',
      loc: this.nodeLoc(node),
      text: compact(node.text),
      value,
      caught: ctx.caught,
    });
  }
}

/** Whether a term a local holds may be a SystemExit / KeyboardInterrupt class or instance: a name, or a call of one, not a builtin other than those. */
function mayBeRaisedBaseExit(term: Term): boolean {
  if (term.k === 'call') return term.f.some(mayBeRaisedBaseExit);
  if (term.k !== 'sym') return term.k === 'attr' || term.k === 'self';
  return !term.q.startsWith('builtins.') || LOOP_STOPPING_EXCEPTIONS.includes(term.q);
}
