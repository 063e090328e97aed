/**
 * Dotted module names from file paths, the way Python would import them: walk
 * up while the directory is a package (has `__init__.py`); the first directory
 * that is not one is the source root. `pkg/bridge.py` → `pkg.bridge`,
 * `pkg/__init__.py` → `pkg`. Results are memoised per directory.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The files that make a directory a package. */
const PACKAGE_FILES = ['__init__.py', '__init__.pyi'];

const packageDirCache = new Map<string, boolean>();
/** Module names by path as given; they follow from the package directories, so both are forgotten together. */
const moduleNameCache = new Map<string, { module: string; isPackage: boolean }>();

function isPackageDir(dir: string): boolean {
  let known = packageDirCache.get(dir);
  if (known === undefined) {
    known = PACKAGE_FILES.some((name) => fs.existsSync(path.join(dir, name)));
    packageDirCache.set(dir, known);
  }
  return known;
}

/** Forget cached package directories (the server calls this when files are created or deleted). */
export function clearModuleNameCache(): void {
  packageDirCache.clear();
  packageNameCache.clear();
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
  const module = [packageName(path.dirname(absolute)), isPackage ? '' : base].filter(Boolean).join('.') || base;
  return { module: sanitize(module), isPackage };
}

/** Dotted names of package directories ('' for a directory that is not a package): files share their directory's. */
const packageNameCache = new Map<string, string>();

/** The dotted name a directory is imported as: its name after its parent's while both are packages, '' where it is none. */
function packageName(dir: string): string {
  let known = packageNameCache.get(dir);
  if (known === undefined) {
    const parent = path.dirname(dir);
    known = isPackageDir(dir) ? [parent === dir ? '' : packageName(parent), path.basename(dir)].filter(Boolean).join('.') : '';
    packageNameCache.set(dir, known);
  }
  return known;
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
  // A directory whose `__init__.py` is among the files is a package: no need to ask the file system.
  for (const p of paths) {
    if (PACKAGE_FILES.includes(path.basename(p))) packageDirCache.set(path.dirname(path.resolve(p)), true);
  }
  const byName = new Map<string, { path: string; module: string; isPackage: boolean }[]>();
  for (const p of paths) {
    const entry = { path: p, ...moduleNameFor(p) };
    const list = byName.get(entry.module);
    if (list) list.push(entry);
    else byName.set(entry.module, [entry]);
  }
  const result = new Map<string, { module: string; isPackage: boolean }>();
  for (const [name, list] of byName) {
    // Most names belong to one file.
    if (list.length === 1) {
      result.set(list[0]!.path, { module: name, isPackage: list[0]!.isPackage });
      continue;
    }
    // The same file given twice (under two spellings of its path) is one file.
    const files = new Map<string, { resolved: string; isPackage: boolean; given: string[] }>();
    for (const entry of list) {
      const resolved = path.resolve(entry.path);
      const file = files.get(resolved);
      if (file) file.given.push(entry.path);
      else files.set(resolved, { resolved, isPackage: entry.isPackage, given: [entry.path] });
    }
    const unique = [...files.values()];
    unique.sort((a, b) => {
      const da = a.resolved.split(path.sep).length;
      const db = b.resolved.split(path.sep).length;
      // (By the spelling given last, as before.)
      const pa = a.given[a.given.length - 1]!;
      const pb = b.given[b.given.length - 1]!;
      return da - db || (pa < pb ? -1 : pa > pb ? 1 : 0);
    });
    unique.forEach((file, i) => {
      const module = i === 0 ? name : `${name}.__path__.${sanitize(file.resolved.replace(/\.pyi?$/, '')).replace(/[./\\]+/g, '_')}`;
      for (const given of file.given) result.set(given, { module, isPackage: file.isPackage });
    });
  }
  return result;
}
