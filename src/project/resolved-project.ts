/**
 * What the project index answers about names and values once resolved across
 * modules, as the parts of the model built on it (exception flow, coroutine
 * runs, demand loading) read it. The index implements it; the parts never see
 * its module table or memo tables.
 */
import type { ClassFacts, FunctionFacts, ModuleFacts } from '../python/facts.js';
import type { Value } from '../python/values.js';

/**
 * What a value resolves to: `fut` | `seq` | `map` | `func:q` | `class:q` | `inst:q` | `module:q` | `bound:q`
 * (a method `q` bound to an instance) | `obj:name` (an object the library rows name, see LibraryObject)
 * | `newfut:at` (a future made by hand at `at`, see values.ts) | `api:q` (a library API the rows know,
 * see src/library/) | `apiinst:q` (an instance of such a library class).
 */
export type Concrete = string;

/** Steps a resolution may take (names, bases) before it gives up: deep enough for real code, bounded for cycles. */
export const MAX_RESOLVE_STEPS = 64;

export interface IndexedFunction {
  fn: FunctionFacts;
  /** The file of the module that defines it. */
  path: string;
}

export interface ResolvedProject {
  /** Everything the value may be, over the modules indexed so far. */
  evaluate(value: Value): Concrete[];
  /** What a qualified name is bound to in the project. */
  resolve(q: string, seen: Set<string>): Concrete[];
  /** The functions (and bound methods) a callee may be. */
  functionsCalled(callee: Value): FunctionFacts[];
  /** The same when the callee can only be project functions (and bound methods); null when it may be anything else, or nothing is known. */
  onlyFunctionsCalled(callee: Value): FunctionFacts[] | null;
  /** The exception classes of the library exits (see src/library/) a callee may be. */
  exitsCalled(callee: Value, falseKeywords?: readonly string[], falsePositions?: readonly number[]): string[];
  /** An indexed function by qualified name. */
  functionAt(q: string): IndexedFunction | undefined;
  /** An indexed class by qualified name. */
  classAt(q: string): ClassFacts | undefined;
  /** Every indexed function, in indexing order. */
  allFunctions(): Iterable<IndexedFunction>;
  /** Facts of the modules rules look at, in indexing order. */
  targetModules(): ModuleFacts[];
  /** Facts of every indexed module (targets and those loaded to resolve names), in indexing order. */
  allModules(): ModuleFacts[];
}
