/**
 * What an analysis (and a last run's messages) read back from the cache must look like. The cache is a
 * file anyone can edit (or damage): an entry of the wrong shape would drop a
 * file's hazards (a `skipped` that is not one) or abort the run (facts a rule
 * or the project index cannot read), so each entry is checked when it is read,
 * and one that fails is treated as missing: the file is analysed again.
 *
 * The check is of the shapes in facts.ts and values.ts, all the way down; the
 * data of extracted facts belongs to the rules' extractors and is checked only
 * to be present. (The cache key already covers the facts schema: this guards
 * against the file, not against an older pyhang.)
 */
import { FILE_PROBLEM_CODES, type Analysis } from './lint.js';

type Check = (value: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString: Check = (value) => typeof value === 'string';
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isBoolean: Check = (value) => typeof value === 'boolean';
const isStringOrNull: Check = (value) => value === null || typeof value === 'string';
const arrayOf =
  (item: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(item);
const recordOf =
  (item: Check): Check =>
  (value) =>
    isObject(value) && Object.values(value).every(item);
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value);
/** An object with (at least) these fields, each passing its check. */
const shape =
  (fields: Record<string, Check>): Check =>
  (value) =>
    isObject(value) && Object.entries(fields).every(([name, check]) => check(value[name]));

const isPoint = shape({ line: isNumber, column: isNumber, offset: isNumber });
const isLoc = shape({ start: isPoint, end: isPoint });

/** A Value: an array of terms (values.ts), nested as deep as terms nest (a few levels; cut off at 6 when made). */
function isValue(value: unknown, depth = 0): boolean {
  return Array.isArray(value) && depth < 32 && value.every((term) => isTerm(term, depth + 1));
}

function isTerm(term: unknown, depth: number): boolean {
  if (!isObject(term)) return false;
  switch (term['k']) {
    case 'fut':
    case 'seq':
    case 'map':
      return true;
    case 'sym':
      return isString(term['q']);
    case 'self':
      return isString(term['c']);
    case 'obj':
      return isString(term['t']);
    case 'newfut':
      return isString(term['at']);
    case 'param':
      return isString(term['f']) && isNumber(term['i']);
    case 'call':
      return isValue(term['f'], depth);
    case 'inst':
      return isValue(term['c'], depth);
    case 'attr':
      return isValue(term['o'], depth) && isString(term['n']);
    case 'elem':
    case 'item':
    case 'vals':
      return isValue(term['o'], depth);
    case 'coll':
    case 'mapv':
      return isValue(term['e'], depth);
    case 'onloop':
      return isValue(term['l'], depth);
    default:
      return false;
  }
}

const value: Check = (v) => isValue(v);

const isEscape = shape({
  via: (v) => v === 'raise' || v === 'exit' || v === 'call',
  loc: isLoc,
  text: isString,
  value,
  raises: optional(isString),
  caught: arrayOf(isString),
  falseKeywords: optional(arrayOf(isString)),
  falsePositions: optional(arrayOf(isNumber)),
});

const isFunction = shape({
  q: isString,
  name: isString,
  isAsync: isBoolean,
  loc: isLoc,
  params: arrayOf(isString),
  returns: value,
  returnsHandled: optional(isBoolean),
  submitsParams: arrayOf(isNumber),
  runsParams: arrayOf(isNumber),
  forwards: arrayOf(shape({ param: isNumber, callee: value, argIndex: optional(isNumber), argName: optional(isString) })),
  escapes: arrayOf(isEscape),
});

const isClass = shape({ q: isString, name: isString, loc: isLoc, bases: arrayOf(value), attrs: recordOf(value) });

const isDiscard = shape({ value, loc: isLoc, calleeText: isString });

const isCoroutineUse = shape({
  callee: value,
  how: (v) => v === 'submitted' || v === 'wrapper-arg' || v === 'main-run' || v === 'call',
  loc: isLoc,
  inFunction: isStringOrNull,
  wrapper: optional(value),
  argIndex: optional(isNumber),
  argName: optional(isString),
});

const isLoopCallback = shape({
  api: isString,
  callable: value,
  exits: optional(isString),
  future: optional(value),
  loc: isLoc,
  callableLoc: isLoc,
  callableText: isString,
  callbackArgsLoc: isLoc,
  receiverText: isStringOrNull,
});

const isCall = shape({
  callee: value,
  loc: isLoc,
  inFunction: isStringOrNull,
  args: arrayOf(value),
  keywords: recordOf(value),
  unpacks: isBoolean,
  callablesOnly: optional((v) => v === true),
});

const isSpan = shape({ start: isNumber, end: isNumber });

const isNoqaDirective = shape({
  scope: (v) => v === 'line' || v === 'file',
  line: isNumber,
  codes: arrayOf(isString),
  loc: isLoc,
  list: isSpan,
  removal: isSpan,
  justification: isString,
});

const isModuleFacts = shape({
  path: isString,
  module: isString,
  isPackage: isBoolean,
  variables: recordOf(value),
  imports: recordOf(isString),
  functions: arrayOf(isFunction),
  classes: arrayOf(isClass),
  discards: arrayOf(isDiscard),
  coroutineUses: arrayOf(isCoroutineUse),
  loopCallbacks: arrayOf(isLoopCallback),
  doneLoops: arrayOf(shape({ loc: isLoc, text: isString, futures: value })),
  calls: arrayOf(isCall),
  starImports: arrayOf(isString),
  noqa: arrayOf(isNoqaDirective),
  extracted: arrayOf(shape({ kind: isString, data: (data) => data !== undefined })),
  syntaxError: (v) => v === null || shape({ loc: isLoc, message: isString })(v),
  notAnalysed: arrayOf(isLoc),
});

/** Whether a value read from the cache is an Analysis pyhang can use as it is. */
export function isCachedAnalysis(analysis: unknown): analysis is Analysis {
  if (!isObject(analysis)) return false;
  switch (analysis['kind']) {
    case 'skipped':
      return true;
    case 'problem':
      return (FILE_PROBLEM_CODES as readonly unknown[]).includes(analysis['code']) && isString(analysis['reason']);
    case 'facts':
      return isModuleFacts(analysis['facts']);
    default:
      return false;
  }
}

/** A message as the last run saved it (lint-files.ts): the fields reporters read, with their types. */
const isSavedPoint = shape({ line: isNumber, column: isNumber, offset: optional(isNumber) });
const isSavedMessage = shape({
  reason: isString,
  ruleId: isString,
  source: isString,
  place: shape({ start: isSavedPoint, end: isSavedPoint }),
  fatal: optional(isBoolean),
  url: optional(isString),
  ruleName: optional(isString),
  messageId: optional(isString),
  related: optional(arrayOf(shape({ path: isString, loc: isLoc, message: isString }))),
  fix: optional(shape({ description: isString, edits: arrayOf(shape({ start: isNumber, end: isNumber, text: isString })) })),
  suppressions: optional(arrayOf(shape({ kind: (v) => v === 'directive', justification: isString }))),
});

/** Whether a last run read back from the cache is one pyhang can print as it is (anyone can edit the file). */
export const isSavedRun: Check = arrayOf(shape({ path: isString, messages: arrayOf(isSavedMessage), suppressed: optional(arrayOf(isSavedMessage)) }));
