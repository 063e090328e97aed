/**
 * Dotted module names from file paths, the way Python would import them: walk
 * up while the directory is a package (has `__init__.py`); the first directory
 * that is not one is the source root. `pkg/bridge.py` → `pkg.bridge`,
 * `pkg/__init__.py` → `pkg`. Results are memoised per directory.
 */
import fs from 'node:fs';
import path from 'node:path';

const packageDirCache = new Map<string, boolean>();

function isPackageDir(dir: string): boolean {
  let known = packageDirCache.get(dir);
  if (known === undefined) {
    known = fs.existsSync(path.join(dir, '__init__.py')) || fs.existsSync(path.join(dir, '__init__.pyi'));
    packageDirCache.set(dir, known);
  }
  return known;
}

/** Forget cached package directories (the server calls this when files are created or deleted). */
export function clearModuleNameCache(): void {
  packageDirCache.clear();
}

export function moduleNameFor(filePath: string): { module: string; isPackage: boolean } {
  const absolute = path.resolve(filePath);
  const base = path.basename(absolute).replace(/\.pyi?$/, '');
  const isPackage = base === '__init__';
  const parts: string[] = isPackage ? [] : [base];
  let dir = path.dirname(absolute);
  for (let guard = 0; guard < 256 && isPackageDir(dir); guard++) {
    parts.unshift(path.basename(dir));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const module = parts.filter(Boolean).join('.') || base;
  return { module: sanitize(module), isPackage };
}

function sanitize(module: string): string {
  // A name Python could not import (`my-script.py`) still needs a stable key.
  return module.replace(/[^\w.]/g, '_');
}
