/**
 * `# noqa` suppression comments, as flake8 and Ruff read them: `# noqa` alone
 * silences every finding on its line; `# noqa: HANG001, HANG003` silences those
 * codes, and a code prefix with digits (`HANG00`) the codes it starts. Codes
 * are letters followed by digits, in any case (`hang001` is HANG001, as in
 * Ruff); the list ends at the first word that is not one, so
 * `# noqa: HANG001 the timeout is set by the caller` suppresses HANG001 only,
 * and what follows is the reason given (ESLint's "justification").
 *
 * `# pyhang: noqa` and `# pyhang: noqa: HANG001` on a line of their own are
 * file directives (Ruff's `# ruff: noqa`): they silence everything, or those
 * codes, in the whole file.
 */
import type { LineIndex, Point } from './positions.js';

const NOQA = /#\s*noqa\b(:?)/i;
/** A file directive: the whole comment, so it cannot hide inside another one. */
const FILE_NOQA = /^#\s*pyhang\s*:\s*noqa\b(:?)/i;
const CODE = /^[A-Za-z]+[0-9]+$/;

/** A noqa comment read from one comment's text: offsets are into that text. */
export interface ParsedNoqa {
  scope: 'line' | 'file';
  /** Codes named, upper-cased; `[]` for a bare directive. */
  codes: string[];
  /** Where the directive starts (its `#`). */
  start: number;
  /** Where its code list starts and ends (both at the directive's end when it names none). */
  listStart: number;
  end: number;
  /** The text after the codes: why the finding is suppressed. */
  justification: string;
}

/** Codes named by a noqa comment (`[]` for a bare `# noqa`), or null when `comment` is no noqa directive. */
export function parseNoqa(comment: string): string[] | null {
  return parseNoqaComment(comment)?.codes ?? null;
}

/** The noqa directive in a comment's text (from its `#` to the end of the line), or null. */
export function parseNoqaComment(comment: string): ParsedNoqa | null {
  const file = FILE_NOQA.exec(comment);
  const m = file ?? NOQA.exec(comment);
  if (!m) return null;
  const scope = file ? 'file' : 'line';
  const afterKeyword = m.index + m[0].length;
  if (!m[1]) return { scope, codes: [], start: m.index, listStart: afterKeyword, end: afterKeyword, justification: comment.slice(afterKeyword).trim() };
  const codes: string[] = [];
  const word = /[^\s,]+/g;
  word.lastIndex = afterKeyword;
  let listStart = afterKeyword;
  let end = afterKeyword;
  for (let w = word.exec(comment); w; w = word.exec(comment)) {
    if (!CODE.test(w[0])) break;
    if (codes.length === 0) listStart = w.index;
    codes.push(w[0].toUpperCase());
    end = w.index + w[0].length;
  }
  // `# noqa:` followed by no code at all is treated as a bare noqa, as flake8 does.
  // The reason is the text after the codes, up to another comment that may follow (`# noqa: X  # type: ignore`).
  const reason = comment.slice(end).replace(/^[\s,]+/, '');
  return { scope, codes, start: m.index, listStart, end, justification: (reason.startsWith('#') ? '' : reason.replace(/\s#.*$/, '')).trim() };
}

/** Where something is in the text: offsets (for edits) and the point a report starts at. */
export interface NoqaSpan {
  start: number;
  end: number;
}

/** One noqa directive of a module, as facts keep it. */
export interface NoqaDirective {
  scope: 'line' | 'file';
  /** 1-based line it is written on: the line it silences, for a line directive. */
  line: number;
  codes: string[];
  /** The directive, from its `#` to its last code: what HANG100 reports. */
  loc: { start: Point; end: Point };
  /** Its code list, to rewrite when only some codes are used. */
  list: NoqaSpan;
  /** The text that removing the directive deletes (with the blanks before it, or its whole line when it is alone there). */
  removal: NoqaSpan;
  justification: string;
}

/** The directives of one comment node (`start`, `end`: its offsets in the module text), or null. */
export function noqaDirective(index: LineIndex, comment: string, start: number, end: number): NoqaDirective | null {
  const parsed = parseNoqaComment(comment);
  if (!parsed) return null;
  const text = index.text;
  const line0 = index.lineOf(start);
  const lineStart = index.lineStart(line0);
  const aloneOnLine = text.slice(lineStart, start).trim() === '';
  // A file directive counts only on a line of its own, as Ruff's `# ruff: noqa` does.
  if (parsed.scope === 'file' && !aloneOnLine) return null;
  const from = start + parsed.start;
  const to = start + parsed.end;
  let removal: NoqaSpan;
  if (comment.slice(parsed.end).trim() !== '' && !(parsed.scope === 'file')) {
    // A reason follows: keep the comment and it, drop the directive's words (`# noqa: HANG001 why` → `# why`).
    let after = to;
    while (after < end && /[\s,]/.test(text[after]!)) after++;
    const keyword = from + comment.slice(parsed.start).search(/noqa/i);
    // Another comment follows (`# noqa: HANG001  # why`): it stays, the directive and the blanks after it go.
    if (text[after] === '#') removal = { start: from, end: after };
    else removal = { start: parsed.start === 0 ? keyword : from, end: parsed.start === 0 ? after : to };
  } else if (aloneOnLine && parsed.start === 0) {
    // The comment is the whole line: the line goes, terminator included.
    let lineEnd = end;
    if (text[lineEnd] === '\r') lineEnd++;
    if (text[lineEnd] === '\n') lineEnd++;
    removal = { start: lineStart, end: lineEnd };
  } else {
    let before = from;
    while (before > lineStart && (text[before - 1] === ' ' || text[before - 1] === '\t')) before--;
    removal = { start: before, end };
  }
  return {
    scope: parsed.scope,
    line: line0 + 1,
    codes: parsed.codes,
    loc: { start: index.point(from), end: index.point(to) },
    list: { start: start + parsed.listStart, end: to },
    removal,
    justification: parsed.justification,
  };
}

/** Whether `selector` (a code or a code prefix with digits, as written in a directive) names `code`. */
export function namesCode(selector: string, code: string): boolean {
  return code.startsWith(selector);
}

/**
 * The directive that silences `code` reported on `line`, or undefined: a line
 * directive on that line, else a file directive.
 */
export function suppressingDirective(directives: readonly NoqaDirective[], line: number, code: string): NoqaDirective | undefined {
  const silences = (directive: NoqaDirective) => directive.codes.length === 0 || directive.codes.some((c) => namesCode(c, code));
  return (
    directives.find((directive) => directive.scope === 'line' && directive.line === line && silences(directive)) ??
    directives.find((directive) => directive.scope === 'file' && silences(directive))
  );
}

/** Whether `code` reported on `line` is silenced. */
export function isSuppressed(directives: readonly NoqaDirective[], line: number, code: string): boolean {
  return suppressingDirective(directives, line, code) !== undefined;
}

/**
 * The edit that makes the 0-based line `line0` of `index` silence `codes`:
 * the codes added to a `# noqa: ...` list already there, or `  # noqa: CODES`
 * appended; null when the line already silences them all. The server's quick
 * fix and `--add-noqa` both write through this.
 */
export function noqaInsertion(index: LineIndex, line0: number, codes: readonly string[]): { start: number; end: number; text: string } | null {
  if (line0 >= index.lineCount) return null;
  const lineStart = index.lineStart(line0);
  const text = index.lineText(line0);
  const parsed = parseNoqaComment(text);
  // A bare `# noqa` already silences the whole line.
  if (parsed && parsed.scope === 'line' && parsed.codes.length === 0) return null;
  const listed = parsed && parsed.scope === 'line' ? parsed.codes : [];
  const missing = [...new Set(codes.map((code) => code.toUpperCase()))].filter((code) => !listed.some((c) => namesCode(c, code)));
  if (missing.length === 0) return null;
  if (listed.length > 0) {
    const at = lineStart + parsed!.end;
    return { start: at, end: at, text: `, ${missing.join(', ')}` };
  }
  const end = lineStart + text.length;
  // Two spaces before an inline comment, as PEP 8 (and Ruff's noqa fix) have it.
  const separator = text.trim() === '' ? '' : text.endsWith('  ') ? '' : text.endsWith(' ') ? ' ' : '  ';
  return { start: end, end, text: `${separator}# noqa: ${missing.join(', ')}` };
}
