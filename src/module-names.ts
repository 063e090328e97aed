/**
 * Dotted module names from file paths, the way Python would import them: walk
 * up while the directory is a package (has `__init__.py`); the first directory
 * that is not one is the source root. `pkg/bridge.py` → `pkg.bridge`,
 * `pkg/__init__.py` → `pkg`. Results are memoised per directory.
 */
import fs from 'node:fs';
import path from 'node:path';

const packageDirCache = new Map<string, boolean>();
/** Module names by path as given; they follow from the package directories, so both are forgotten together. */
const moduleNameCache = new Map<string, { module: string; isPackage: boolean }>();

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
  moduleNameCache.clear();
  lastUnique = null;
}

export function moduleNameFor(filePath: string): { module: string; isPackage: boolean } {
  let known = moduleNameCache.get(filePath);
  if (!known) {
    known = findModuleName(filePath);
    moduleNameCache.set(filePath, known);
  }
  return { ...known };
}

function findModuleName(filePath: string): { module: string; isPackage: boolean } {
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

/**
 * Module names for a set of files, unique across the set. Scripts in different
 * folders (`tools/main.py`, `scripts/main.py`) would both be `main`; Python
 * imports only one of them, so the one nearest the root (then the first by
 * path) keeps the importable name and the others get a name derived from their
 * path, which no import can reach but which keeps their symbols apart.
 */
export function uniqueModuleNames(paths: readonly string[]): ReadonlyMap<string, { module: string; isPackage: boolean }> {
  // The language server asks again for the same files at every pass.
  if (lastUnique && lastUnique.paths.length === paths.length && lastUnique.paths.every((p, i) => p === paths[i])) return lastUnique.names;
  const names = findUniqueModuleNames(paths);
  lastUnique = { paths: [...paths], names };
  return names;
}

/** The last answer of uniqueModuleNames (its names follow from the cached package directories, so they are forgotten together). */
let lastUnique: { paths: readonly string[]; names: ReadonlyMap<string, { module: string; isPackage: boolean }> } | null = null;

function findUniqueModuleNames(paths: readonly string[]): Map<string, { module: string; isPackage: boolean }> {
  const named = paths.map((p) => ({ path: p, ...moduleNameFor(p) }));
  const byName = new Map<string, typeof named>();
  for (const entry of named) {
    const list = byName.get(entry.module) ?? [];
    list.push(entry);
    byName.set(entry.module, list);
  }
  const result = new Map<string, { module: string; isPackage: boolean }>();
  for (const [name, list] of byName) {
    const unique = [...new Map(list.map((e) => [path.resolve(e.path), e])).values()];
    unique.sort((a, b) => {
      const da = path.resolve(a.path).split(path.sep).length;
      const db = path.resolve(b.path).split(path.sep).length;
      return da - db || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    });
    unique.forEach((entry, i) => {
      const module = i === 0 ? name : `${name}.__path__.${sanitize(path.resolve(entry.path).replace(/\.pyi?$/, '')).replace(/[./\\]+/g, '_')}`;
      for (const e of list) if (path.resolve(e.path) === path.resolve(entry.path)) result.set(e.path, { module, isPackage: entry.isPackage });
    });
  }
  return result;
}
