/**
 * How a path is shown to people (stylish and compact output, error lines): relative
 * to the working directory when it lies below it, as Ruff and ESLint show it,
 * else absolute. Machine formats (ESLint JSON, SARIF) keep absolute paths.
 */
import path from 'node:path';

export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  if (relative === '') return file;
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
