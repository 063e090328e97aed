/**
 * Pathological Python: nesting thousands of levels deep, in every construct
 * whose analysis recurses. Each text is the hazard's head, then the deep
 * construct, then a line waiting on the future (HANG001), so a test can tell
 * whether the analysis survived the construct and still looked past it.
 */
import { HAZARD_HEAD } from './helpers.js';

export interface DeepInput {
  name: string;
  text: string;
  /** 1-based line of the final `fut.result()`. */
  waitLine: number;
  /**
   * A left-deep chain (`a + a + …`, `a.a.a…`, `a = a = …`) or a nested target:
   * analysed whole, however long (long chains occur in generated code). Other
   * nesting this deep is analysed down to the walk's bound, and the file is
   * reported as not fully checked.
   */
  chain: boolean;
  /** 1-based line of a wait at the bottom of the chain, where a depth-bounded walk would not look. */
  innerWaitLine?: number;
}

function make(name: string, body: string, chain = false): DeepInput {
  const text = `${HAZARD_HEAD}${body}\nfut.result()\n`;
  const input: DeepInput = { name, text, waitLine: text.split('\n').length - 1, chain };
  if (body.startsWith('x = fut.result()')) input.innerWaitLine = HAZARD_HEAD.split('\n').length;
  return input;
}

/** Lines nested by indentation, one space a level (tab-free, so the text stays small). */
function indented(levels: number, header: (i: number) => string): string {
  const lines: string[] = [];
  for (let i = 0; i < levels; i++) lines.push(`${' '.repeat(i)}${header(i)}`);
  lines.push(`${' '.repeat(levels)}pass`);
  return lines.join('\n');
}

export function deepExpressions(n: number): DeepInput[] {
  return [
    make('parentheses', `x = ${'('.repeat(n)}1${')'.repeat(n)}`),
    make('lists', `x = ${'['.repeat(n)}1${']'.repeat(n)}`),
    make('dicts', `x = ${'{1: '.repeat(n)}1${'}'.repeat(n)}`),
    make('calls f(f(f(...)))', `x = ${'f('.repeat(n)}1${')'.repeat(n)}`),
    // Another future: once `.result(timeout=1)` returns, its future is done, and `fut` must stay not done for the last line's finding.
    make('calls of futures .result().result()…', `fut2 = asyncio.run_coroutine_threadsafe(work(), loop)\nx = fut2${'.result(timeout=1)'.repeat(n)}`, true),
    make('attribute chain a.a.a…result()', `a${'.a'.repeat(n)}.result()`, true),
    make('subscripts a[0][0]…', `x = a${'[0]'.repeat(n)}`, true),
    make('unary minus', `x = ${'-'.repeat(n)}1`),
    make('not not not…', `x = ${'not '.repeat(n)}1`),
    make('lambda: lambda: …', `x = ${'lambda: '.repeat(n)}1`),
    make('await await …', `async def g():\n    x = ${'await '.repeat(n)}y`),
    make('a + a + … (left-deep)', `x = 1${' + 1'.repeat(n)}`, true),
    make('comparison chain', `x = 1${' < 1'.repeat(n)}`, true),
    make('fut.done() and … (left-deep)', `if ${Array(n).fill('fut.done()').join(' and ')}:\n    pass`, true),
    make('conditional expressions', `x = ${'1 if c else '.repeat(n)}1`),
    make('walrus', `x = ${'(y := '.repeat(n)}1${')'.repeat(n)}`),
    make('nested tuple target', `${'('.repeat(n)}a${',)'.repeat(n)} = 1`, true),
    make('parenthesised target', `${'('.repeat(n)}a${')'.repeat(n)} = 1`, true),
    make('comprehensions', `x = ${'[y for y in '.repeat(n)}z${']'.repeat(n)}`),
    make("f-strings f'{f'{…}'}'", `x = ${"f'{".repeat(n)}1${"}'".repeat(n)}`),
    make('string concatenation', `x = ${"'a' ".repeat(n)}`, true),
    make('chained assignment a = a = … = 1', `${'a = '.repeat(n)}1`, true),
    make('hazard at the start of a + a + … (left-deep)', `x = fut.result()${' + a'.repeat(n)}`, true),
    make('hazard at the start of a method chain fut.result().m().m()…', `x = fut.result()${'.m()'.repeat(n)}`, true),
    make('hazard at the start of x and x and …', `x = fut.result()${' and a'.repeat(n)}`, true),
  ];
}

export function deepStatements(levels: number): DeepInput[] {
  return [
    make('if blocks', indented(levels, () => 'if x:')),
    make('for loops', indented(levels, () => 'for i in x:')),
    make('while loops', indented(levels, () => 'while x:')),
    make('with blocks', indented(levels, () => 'with x:')),
    make('functions', indented(levels, (i) => `def f${i}():`)),
    make('coroutines', indented(levels, (i) => `async def f${i}():`)),
    make('classes', indented(levels, (i) => `class C${i}:`)),
  ];
}
