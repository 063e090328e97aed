/**
 * `# noqa` suppression comments, as flake8 and Ruff read them: `# noqa` alone
 * silences every finding on its line; `# noqa: HANG001, HANG003` silences those
 * codes (a prefix such as `HANG` counts too, as in Ruff).
 */

const NOQA = /#\s*noqa(?::\s*([A-Za-z]+[0-9]*(?:[\s,]+[A-Za-z]+[0-9]*)*))?/i;

/** Codes named by a noqa comment (`[]` for a bare `# noqa`), or null when `comment` is no noqa directive. */
export function parseNoqa(comment: string): string[] | null {
  const m = NOQA.exec(comment);
  if (!m) return null;
  if (!m[1]) return [];
  return m[1]
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
}

export function isSuppressed(noqa: Record<number, string[]>, line: number, code: string): boolean {
  const codes = Object.prototype.hasOwnProperty.call(noqa, line) ? noqa[line] : undefined;
  if (!codes) return false;
  return codes.length === 0 || codes.some((c) => code.startsWith(c));
}
