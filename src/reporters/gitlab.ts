/**
 * `--format gitlab`: GitLab's Code Quality report (a JSON array of issues in
 * the CodeClimate subset GitLab reads), for `artifacts: reports:
 * codequality`. Each issue has `description`, `check_name` (the code),
 * `fingerprint`, `severity` (error → `major`, warning → `minor`) and a
 * `location` with the path relative to the working directory (the repository
 * root in CI) and the start and end positions.
 *
 * GitLab tells new findings from fixed ones by the fingerprint, so it must not
 * change when unrelated lines move: it hashes the path, the code and the
 * message, plus how many identical findings came before in the file (as Ruff
 * does), never the line number.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { severityOf } from '../engine/lint.js';
import type { Reporter } from './types.js';
import { startOf, endOf } from './places.js';

export const gitlab: Reporter = (files, options) => {
  const issues: unknown[] = [];
  for (const file of files) {
    const relative = path.relative(options.cwd, path.resolve(options.cwd, file.path)).split(path.sep).join('/');
    const seen = new Map<string, number>();
    for (const message of file.messages) {
      const code = String(message.ruleId ?? 'pyhang');
      const identity = JSON.stringify([relative, code, message.reason]);
      const occurrence = seen.get(identity) ?? 0;
      seen.set(identity, occurrence + 1);
      const start = startOf(message);
      const end = endOf(message) ?? start;
      issues.push({
        description: `${code} ${message.reason}`,
        check_name: code,
        fingerprint: crypto.createHash('sha256').update(`${identity}\0${occurrence}`).digest('hex').slice(0, 32),
        severity: severityOf(message) === 'error' ? 'major' : 'minor',
        location: {
          path: relative,
          positions: { begin: { line: start.line, column: start.column }, end: { line: end.line, column: end.column } },
        },
      });
    }
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
};
