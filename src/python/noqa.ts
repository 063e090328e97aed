/**
 * `# noqa` suppression comments, as flake8 and Ruff read them: `# noqa` alone
 * silences every finding on its line; `# noqa: HANG001, HANG003` silences those
 * codes, and a code prefix with digits (`HANG00`) the codes it starts. Codes
 * are uppercase letters followed by digits; the list ends at the first word
 * that is not one, so `# noqa: HANG001 the timeout is set by the caller`
 * suppresses HANG001 only.
 */

const NOQA = /#\s*[nN][oO][qQ][aA]\b(:?)/;
const CODE = /^[A-Z]+[0-9]+$/;

/** Codes named by a noqa comment (`[]` for a bare `# noqa`), or null when `comment` is no noqa directive. */
export function parseNoqa(comment: string): string[] | null {
  const m = NOQA.exec(comment);
  if (!m) return null;
  if (!m[1]) return [];
  const codes: string[] = [];
  for (const word of comment.slice(m.index + m[0].length).split(/[\s,]+/)) {
    if (word === '') continue;
    if (!CODE.test(word)) break;
    codes.push(word);
  }
  // `# noqa:` followed by no code at all is treated as a bare noqa, as flake8 does.
  return codes;
}

export function isSuppressed(noqa: Record<number, string[]>, line: number, code: string): boolean {
  const codes = Object.prototype.hasOwnProperty.call(noqa, line) ? noqa[line] : undefined;
  if (!codes) return false;
  return codes.length === 0 || codes.some((c) => code.startsWith(c));
}
