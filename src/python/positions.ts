/**
 * Positions have one home: this module.
 *
 * Offsets are JavaScript string indices (UTF-16 code units), which is also what
 * tree-sitter's Node binding reports as `startIndex` for a string input. From an
 * offset we derive:
 * - 1-based line and 1-based column in Unicode code points (CLI, ESLint JSON,
 *   SARIF with `columnKind: "unicodeCodePoints"`), and
 * - 0-based line and 0-based character in UTF-16 code units (LSP).
 * Lines end at `\r\n`, `\n` or a lone `\r`, as Python's tokenizer has them.
 */

export interface Point {
  /** 1-based line. */
  line: number;
  /** 1-based column, in code points. */
  column: number;
  /** Offset in UTF-16 code units from the start of the text. */
  offset: number;
}

export interface Span {
  start: Point;
  end: Point;
}

export interface LspPosition {
  line: number;
  character: number;
}

const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/;

export class LineIndex {
  readonly text: string;
  /** Offsets at which each line starts (an Int32Array when moved along an edit: see afterEdit). */
  private readonly starts: ArrayLike<number>;

  /** Whether the text has a surrogate pair at all (most have none, and then no line needs looking at: see pairsOn). */
  private readonly hasPairs: boolean;

  /** `known`: the line starts and pairs, worked out already (see afterEdit). */
  constructor(text: string, known?: { starts: ArrayLike<number>; hasPairs: boolean }) {
    this.text = text;
    this.starts = known?.starts ?? lineStarts(text, text.length);
    this.hasPairs = known?.hasPairs ?? SURROGATE_PAIR.test(text);
  }

  /**
   * The index of `text`, which is this index's text with `start`..`oldEnd`
   * replaced by what is now `start`..`newEnd` (an editor's edit): the same as
   * `new LineIndex(text)`, made from this one by scanning only the edited
   * part. A 5,000-line document is edited line by line, and scanning it all
   * (and allocating its line starts anew) on every edit cost more than the edit.
   */
  afterEdit(text: string, start: number, oldEnd: number, newEnd: number): LineIndex {
    const old = this.starts;
    const delta = newEnd - oldEnd;
    // A line starts at p when a terminator ends there: it depends on the code units at p - 1 and p (a CR
    // followed by a LF ends no line). Starts before `start` read only the unchanged prefix; starts after
    // `oldEnd` + 1 only the unchanged suffix, moved by delta; those between are looked for in the new text.
    let before = 1;
    while (before < old.length && old[before]! < start) before++;
    let after = before;
    while (after < old.length && old[after]! <= oldEnd) after++;
    const between = lineBreaks(text, Math.max(start, 1), Math.min(newEnd, text.length));
    // (One array of the exact length: a 5,000-line document's starts pushed one by one were four times that.)
    const starts = new Int32Array(before + between.length + old.length - after);
    for (let i = 0; i < before; i++) starts[i] = old[i]!;
    starts.set(between, before);
    for (let i = after, at = before + between.length; i < old.length; i++, at++) starts[at] = old[i]! + delta;
    // Pairs: only the edited part (and a pair it may have made with a neighbour) can have brought one.
    const hasPairs = this.hasPairs ? SURROGATE_PAIR.test(text) : SURROGATE_PAIR.test(text.slice(Math.max(0, start - 1), newEnd + 1));
    return new LineIndex(text, { starts, hasPairs });
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The line the last lookup found: the walk asks about offsets in order, mostly on that line or the next. */
  private lastLine = 0;

  /** 0-based line containing `offset`. */
  lineOf(offset: number): number {
    const starts = this.starts;
    // (Line starts strictly increase: the line is the last one starting at or before the offset.)
    const last = this.lastLine;
    if (starts[last]! <= offset) {
      if (last + 1 >= starts.length || starts[last + 1]! > offset) return last;
      if (last + 2 >= starts.length || starts[last + 2]! > offset) {
        this.lastLine = last + 1;
        return last + 1;
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return lo;
  }

  lineStart(line0: number): number {
    return this.starts[line0] ?? this.text.length;
  }

  /** The text of a 0-based line without its terminator. */
  lineText(line0: number): string {
    const start = this.lineStart(line0);
    let end = line0 + 1 < this.starts.length ? this.starts[line0 + 1]! : this.text.length;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }

  point(offset: number): Point {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line0 = this.lineOf(clamped);
    const start = this.starts[line0]!;
    // Code units, less one per surrogate pair wholly before the offset (as countCodePoints counts).
    let column = clamped - start;
    const pairs = this.hasPairs ? this.pairsOn(line0) : null;
    if (pairs) column -= countBelow(pairs, clamped - 1);
    return { line: line0 + 1, column: column + 1, offset: clamped };
  }

  /**
   * Offsets of the surrogate pairs on each line asked about (null: none), found
   * once per line: counting code points from the line's start for every point
   * was quadratic on a long line (a million-element list on one line).
   */
  private readonly pairs = new Map<number, number[] | null>();

  private pairsOn(line0: number): number[] | null {
    let pairs = this.pairs.get(line0);
    if (pairs === undefined) {
      pairs = null;
      const end = line0 + 1 < this.starts.length ? this.starts[line0 + 1]! : this.text.length;
      for (let i = this.starts[line0]!; i + 1 < end; i++) {
        const code = this.text.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdbff) {
          const next = this.text.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) (pairs ??= []).push(i++);
        }
      }
      this.pairs.set(line0, pairs);
    }
    return pairs;
  }

  span(startOffset: number, endOffset: number): Span {
    return { start: this.point(startOffset), end: this.point(endOffset) };
  }

  lsp(offset: number): LspPosition {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line0 = this.lineOf(clamped);
    return { line: line0, character: clamped - this.starts[line0]! };
  }

  /** Inverse of `lsp`: an LSP position to an offset (clamped to the line). */
  offsetOfLsp(position: LspPosition): number {
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line]!;
    const lineEnd = start + this.lineText(position.line).length;
    return Math.min(start + position.character, lineEnd);
  }

  /** Inverse of `point`: a 1-based line and code-point column to an offset. */
  offsetOfPoint(line: number, column: number): number {
    const line0 = Math.max(0, Math.min(line - 1, this.starts.length - 1));
    let offset = this.starts[line0]!;
    const lineEnd = offset + this.lineText(line0).length;
    for (let c = 1; c < column && offset < lineEnd; c++) {
      const code = this.text.charCodeAt(offset);
      offset += code >= 0xd800 && code <= 0xdbff && offset + 1 < lineEnd ? 2 : 1;
    }
    return offset;
  }
}

/**
 * `new LineIndex(text).lsp(offset)` for a single lookup: scans only the text
 * before the offset, with the same line ends, instead of indexing all of it.
 */
export function lspPositionAt(text: string, offset: number): LspPosition {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const starts = lineStarts(text, clamped);
  return { line: starts.length - 1, character: clamped - starts[starts.length - 1]! };
}

/**
 * Offsets at which lines start, up to `end`: 0, then after each `\r\n`, `\n`
 * or lone `\r` whose whole terminator comes before `end` (an offset between the
 * `\r` and `\n` of a CRLF is still on the line before).
 */
function lineStarts(text: string, end: number): number[] {
  return lineBreaks(text, 1, end, [0]);
}

/**
 * The offsets from `from` to `to` (both included) at which a line starts: just
 * after a `\r\n`, a `\n` or a lone `\r`, as Python's tokenizer ends lines;
 * appended to `out`.
 */
function lineBreaks(text: string, from: number, to: number, out: number[] = []): number[] {
  // A terminator ending at `from` began at most two code units before it.
  const begin = Math.max(0, from - 2);
  const cr = text.indexOf('\r', begin);
  if (cr < 0 || cr >= to) {
    // No carriage return in the range (most texts): a native search for each line feed.
    for (let i = text.indexOf('\n', Math.max(0, from - 1)); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) out.push(i + 1);
    return out;
  }
  const breaks = /\r\n?|\n/g;
  breaks.lastIndex = begin;
  for (let match = breaks.exec(text); match && match.index + match[0].length <= to; match = breaks.exec(text)) {
    const at = match.index + match[0].length;
    if (at >= from) out.push(at);
  }
  return out;
}

/** How many of the sorted numbers are below `limit`. */
function countBelow(sorted: readonly number[], limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Code points between two UTF-16 offsets (a surrogate pair counts once). */
export function countCodePoints(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < to) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
