/**
 * Code frames for `--format full`: source lines with a line-number gutter and
 * the reported range underlined, as Ruff draws them:
 *
 *     |
 *   6 | fut = asyncio.run_coroutine_threadsafe(work(), loop)
 *   7 | print(fut.result())
 *     |          ^^^^^^^^^ HANG001
 *   8 | print(fut.result(timeout=5))
 *     |
 *
 * Columns arrive as code points (converted to offsets by positions.ts); what
 * matters here is where a code point lands on a terminal: a tab advances to the
 * next tab stop, a combining mark takes no cell, an East Asian wide character
 * or an emoji takes two, and control characters are drawn as visible symbols
 * (a source file must not be able to send escape sequences to the terminal).
 */
import { LineIndex } from '../python/positions.js';
import type { LineColumn } from './places.js';
import { noPaint, visibleControl, type Paint } from './terminal-text.js';

const TAB_SIZE = 4;
/** A range longer than this shows its first and last lines around a `...`. */
const MAX_RANGE_LINES = 6;

export interface FrameOptions {
  /** Lines shown before and after the range. */
  context: number;
  /** Printed after the underline (the code). */
  label?: string;
  /** Colours for a terminal: the gutter, and the underline in the finding's severity. */
  paint?: Paint;
  severity?: 'error' | 'warning';
}

interface LaidOutLine {
  /** The line as drawn. */
  display: string;
  /** Terminal column (0-based) at which each code point starts; one extra entry for the end of the line. */
  cells: number[];
}

export function codeFrame(text: string, start: LineColumn, end: LineColumn, options: FrameOptions): string[] {
  const index = new LineIndex(text);
  const lastLine = index.lineCount;
  const from = clampPoint(start, lastLine);
  let to = clampPoint(end, lastLine);
  if (to.line < from.line || (to.line === from.line && to.column < from.column)) to = from;
  // A range that ends at the very start of a line ends, as drawn, at the end of the line before.
  if (to.line > from.line && to.column === 1) {
    const previous = to.line - 1;
    to = { line: previous, column: Array.from(index.lineText(previous - 1)).length + 1 };
  }

  let first = Math.max(1, from.line - options.context);
  let last = Math.min(lastLine, to.line + options.context);
  // Blank context lines at the edges add nothing.
  while (first < from.line && index.lineText(first - 1).trim() === '') first++;
  while (last > to.line && index.lineText(last - 1).trim() === '') last--;

  const shown: (number | null)[] = [];
  for (let line = first; line <= last; line++) {
    const inRange = line >= from.line && line <= to.line;
    const rangeLength = to.line - from.line + 1;
    if (inRange && rangeLength > MAX_RANGE_LINES && line > from.line + 2 && line < to.line - 1) {
      if (shown[shown.length - 1] !== null) shown.push(null);
      continue;
    }
    shown.push(line);
  }

  const paint = options.paint ?? noPaint;
  const width = String(last).length;
  const gutter = paint('gutter', `${' '.repeat(width)} |`);
  const out: string[] = [gutter];
  for (const line of shown) {
    if (line === null) {
      out.push(paint('gutter', `${'.'.repeat(Math.min(3, width + 1)).padStart(width)} |`));
      continue;
    }
    const lineText = index.lineText(line - 1);
    const laid = layOut(lineText);
    out.push(`${paint('gutter', `${String(line).padStart(width)} |`)}${laid.display === '' ? '' : ` ${laid.display}`}`);
    if (line < from.line || line > to.line) continue;
    const count = laid.cells.length - 1;
    const startCp = line === from.line ? Math.min(from.column - 1, count) : Math.min(firstNonBlank(lineText), count);
    const endCp = line === to.line ? Math.min(to.column - 1, count) : count;
    const startCell = laid.cells[startCp]!;
    const endCell = laid.cells[Math.max(endCp, startCp)]!;
    const carets = '^'.repeat(Math.max(1, endCell - startCell));
    const label = line === to.line && options.label ? ` ${options.label}` : '';
    out.push(`${gutter} ${' '.repeat(startCell)}${paint(options.severity ?? 'error', `${carets}${label}`)}`);
  }
  out.push(gutter);
  return out;
}

function clampPoint(point: LineColumn, lastLine: number): LineColumn {
  return { line: Math.max(1, Math.min(point.line, lastLine)), column: Math.max(1, point.column) };
}

/** The first code point of a line that is not blank (where an underline of a middle line starts). */
function firstNonBlank(line: string): number {
  const index = Array.from(line).findIndex((char) => !/\s/u.test(char));
  return index === -1 ? 0 : index;
}

/** Draws a line for the terminal and records the cell each code point starts at. */
export function layOut(line: string): LaidOutLine {
  let display = '';
  const cells: number[] = [];
  let cell = 0;
  for (const char of line) {
    cells.push(cell);
    const code = char.codePointAt(0)!;
    if (code === 9) {
      const width = TAB_SIZE - (cell % TAB_SIZE);
      display += ' '.repeat(width);
      cell += width;
      continue;
    }
    const drawn = visibleControl(code) ?? char;
    display += drawn;
    cell += cellWidth(drawn.codePointAt(0)!);
  }
  cells.push(cell);
  return { display, cells };
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff]$/u;

/** Terminal cells a code point takes: 0, 1 or 2 (East Asian Wide and Fullwidth, and emoji). */
export function cellWidth(code: number): number {
  if (ZERO_WIDTH.test(String.fromCodePoint(code))) return 0;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x231a && code <= 0x231b) ||
    (code >= 0x2329 && code <= 0x232a) ||
    (code >= 0x23e9 && code <= 0x23ec) ||
    (code >= 0x25fd && code <= 0x25fe) ||
    (code >= 0x2614 && code <= 0x2615) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xa960 && code <= 0xa97f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe10 && code <= 0xfe19) ||
    (code >= 0xfe30 && code <= 0xfe6f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x1fa70 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}
