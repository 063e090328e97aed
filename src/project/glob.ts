/**
 * Glob matching for `exclude`, `extend-exclude`, `--exclude` and
 * `per-file-ignores`, in bounded time.
 *
 * picomatch turns a glob into a backtracking regular expression, where each
 * `*` multiplies the positions to try: `*a*a*a*a*a*a*a*a*a*a*a*b` took 13 s on
 * a 40-character name and minutes on 50, for every file of the walk. So the
 * globs people write (literals, `\` escapes, `*`, `?`, and `**` as a whole path
 * segment, with `{a,b}` alternatives expanded first) are matched here, with the
 * classic wildcard algorithm: a mismatch goes back only to the last `*` (or,
 * across segments, the last `**`), never to earlier ones, so a match costs at
 * most the product of the pattern's and the path's lengths. The results are
 * picomatch's (`dot: true`) on every path pyhang matches (no `.` or `..`
 * segments, no empty ones), which test/unit/glob.test.ts checks.
 *
 * Globs with brackets or extended globs (`[a-z]`, `@(a|b)`, `!(x)`) still go
 * to picomatch; there, more than MAX_PICOMATCH_WILDCARDS wildcards is refused
 * when the configuration is read (globProblem), so no glob can take long.
 */
import picomatch from 'picomatch';

export type GlobMatcher = (path: string) => boolean;

/** Wildcards (`*`, `?`) a glob matched by picomatch may have: with 3, a 255-character name takes 1 ms; with 4, 0.19 s. */
export const MAX_PICOMATCH_WILDCARDS = 3;
/** Alternatives `{a,b}` may expand to, in all, before a glob counts as too complex. */
const MAX_ALTERNATIVES = 64;

/** A path segment's pattern: literal characters, `?` (one character) and `*` (any run), as one array of tokens. */
type Segment = (string | typeof ANY_ONE | typeof ANY_RUN)[];
const ANY_ONE = 1;
const ANY_RUN = 2;
/** A whole segment `**`: any number of path segments, none included. */
const GLOBSTAR = 3;
type Pattern = (Segment | typeof GLOBSTAR)[];

/** Matchers made so far: per-file-ignores asks for the same globs for every finding. */
const compiled = new Map<string, GlobMatcher>();

/** A matcher for `glob` against `/`-separated paths (picomatch's semantics with `dot: true`). */
export function compileGlob(glob: string): GlobMatcher {
  let matcher = compiled.get(glob);
  if (!matcher) {
    // picomatch reads a leading `./` as nothing.
    const patterns = simplePatterns(glob.startsWith('./') ? glob.slice(2) : glob);
    matcher = patterns ? (path) => path !== '' && patterns.some((pattern) => matchPath(pattern, path.split('/'))) : picomatch(glob, { dot: true });
    compiled.set(glob, matcher);
  }
  return matcher;
}

/**
 * Why `glob` cannot be used (too costly to match), or null. Checked when a
 * configuration or a flag is read, so that the error names where it came from.
 */
export function globProblem(glob: string): string | null {
  if (simplePatterns(glob)) return null;
  const wildcards = (glob.match(/(?<!\\)[*?]+/g) ?? []).length;
  if (wildcards <= MAX_PICOMATCH_WILDCARDS) return null;
  return `the glob '${glob}' has ${wildcards} wildcards together with brackets or extended globs (at most ${MAX_PICOMATCH_WILDCARDS}); write it as several simpler globs`;
}

/** The glob as patterns for matchPath (one per `{a,b}` alternative), or null when it needs picomatch. */
function simplePatterns(glob: string): Pattern[] | null {
  const alternatives = expandBraces(glob);
  if (!alternatives) return null;
  const patterns: Pattern[] = [];
  for (const alternative of alternatives) {
    const pattern = parsePattern(alternative);
    if (!pattern) return null;
    patterns.push(pattern);
  }
  return patterns;
}

/**
 * `{a,b}c` → `ac`, `bc` (nested too), or null when the braces are unbalanced
 * or expand to more than MAX_ALTERNATIVES globs (`budget` counts them across
 * the recursion): picomatch then decides.
 */
function expandBraces(glob: string, budget = { left: MAX_ALTERNATIVES }): string[] | null {
  let open = -1;
  let depth = 0;
  const commas: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === '\\') {
      i++;
    } else if (char === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (char === ',' && depth === 1) {
      commas.push(i);
    } else if (char === '}') {
      // A `}` without its `{`, or `{a}` without alternatives: picomatch has its own reading of those.
      if (depth === 0 || (depth === 1 && commas.length === 0)) return null;
      if (--depth > 0) continue;
      const head = glob.slice(0, open);
      const tail = glob.slice(i + 1);
      const bounds = [open, ...commas, i];
      const results: string[] = [];
      for (let k = 0; k + 1 < bounds.length; k++) {
        const expanded = expandBraces(`${head}${glob.slice(bounds[k]! + 1, bounds[k + 1])}${tail}`, budget);
        if (!expanded) return null;
        results.push(...expanded);
      }
      return results;
    }
  }
  if (depth !== 0 || --budget.left < 0) return null;
  return [glob];
}

/** Characters that mean more than themselves to picomatch outside the subset handled here. */
const SPECIAL = new Set(['[', ']', '(', ')', '|', '{', '}', '+', '@', '!']);

function parsePattern(glob: string): Pattern | null {
  const pattern: Pattern = [];
  // `**/**` is one `**`.
  const parts = splitSegments(glob).filter((part, i, all) => part !== '**' || all[i - 1] !== '**');
  // A final `/**` after a segment ending in `*` takes at least one segment in picomatch (`a*/**` does not match `ab`; `a/**` matches `a`).
  const last = parts.length - 1;
  if (last > 0 && parts[last] === '**' && parts[last - 1] !== '**' && /(?<!\\)\*$/.test(parts[last - 1] ?? '')) parts.splice(last, 0, '*');
  // So does `/**` at the start of an absolute glob (`/**/a` does not match `/a`).
  if (parts[0] === '' && parts[1] === '**') parts.splice(1, 0, '*');
  for (const part of parts) {
    if (part === null) return null;
    if (part === '**') {
      pattern.push(GLOBSTAR);
      continue;
    }
    const segment: Segment = [];
    for (let i = 0; i < part.length; i++) {
      const char = part[i]!;
      if (char === '\\') {
        // An escape at the very end means a literal backslash to picomatch; leave it to it.
        if (i + 1 >= part.length) return null;
        segment.push(part[++i]!);
      } else if (char === '*') {
        // `**` inside a segment crosses `/` in picomatch: leave it to it.
        if (part[i + 1] === '*') return null;
        segment.push(ANY_RUN);
      } else if (char === '?') {
        segment.push(ANY_ONE);
      } else if (SPECIAL.has(char)) {
        return null;
      } else {
        segment.push(char);
      }
    }
    pattern.push(segment);
  }
  return pattern;
}

/** The glob's segments, split at `/` outside escapes (null: an escaped `/`, left to picomatch). */
function splitSegments(glob: string): (string | null)[] {
  const parts: (string | null)[] = [];
  let start = 0;
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '\\') {
      if (glob[i + 1] === '/') return [null];
      i++;
    } else if (glob[i] === '/') {
      parts.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(glob.slice(start));
  return parts;
}

/**
 * Whether the segments match: `**` stands for any run of whole segments, each
 * other pattern segment for exactly one.
 */
function matchPath(pattern: Pattern, segments: readonly string[]): boolean {
  return matchWildcards(pattern, segments, (token) => token === GLOBSTAR, (token, segment) => token !== GLOBSTAR && matchSegment(token, segment));
}

/** Within a segment: `*` any run of characters, `?` one, the rest itself. UTF-16 units, as picomatch's regular expressions count. */
function matchSegment(segment: Segment, text: string): boolean {
  return matchWildcards(segment, text, (token) => token === ANY_RUN, (token, char) => token === ANY_ONE || token === char);
}

/**
 * The classic wildcard algorithm, for segments within a path and characters
 * within a segment: a star token takes any run of items, another token one
 * item it `fits`. On a mismatch only the last star takes one more item (what
 * an earlier star could take, the later one can too), so the cost is at most
 * the product of the two lengths.
 */
function matchWildcards<Token, Item>(tokens: readonly Token[], items: ArrayLike<Item>, isStar: (token: Token) => boolean, fits: (token: Token, item: Item) => boolean): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < items.length) {
    if (p < tokens.length && isStar(tokens[p]!)) {
      starP = p++;
      starI = i;
    } else if (p < tokens.length && fits(tokens[p]!, items[i]!)) {
      p++;
      i++;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (p < tokens.length && isStar(tokens[p]!)) p++;
  return p === tokens.length;
}
