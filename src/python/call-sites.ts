/** A call's arguments, by position and keyword, and where a library API's parameter is passed. */
import type { SyntaxNode } from './parser.js';
import type { Param } from '../library/index.js';
import type { Value } from './values.js';

export interface CallArgs {
  positional: SyntaxNode[];
  /** Shared and empty for a call without keyword arguments (most calls): never written to but here. */
  keywords: ReadonlyMap<string, SyntaxNode>;
  splat: boolean;
}

export const NO_KEYWORDS: ReadonlyMap<string, never> = new Map<string, never>();

/** A call being evaluated: its nodes and its arguments' values. */
export interface CallSite {
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

export function argOf(call: CallSite, param: Param): Value | undefined {
  return call.argValues[param.position] ?? call.keywordValues.get(param.keyword);
}

export function argNodeOf(call: CallSite, param: Param): SyntaxNode | undefined {
  return call.args.positional[param.position] ?? call.args.keywords.get(param.keyword);
}

export function callArgs(call: SyntaxNode): CallArgs {
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
