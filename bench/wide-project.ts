/**
 * A project N times the corpus whose import graph is really N times larger:
 * each copy is its own top-level package (`wide_00`, `wide_01`, ...), and its
 * absolute imports of the corpus's own modules are rewritten to stay inside
 * the copy (`import email.utils` → `from wide_03 import email`, `from json
 * import loads` → `from wide_03.json import loads`), so no two copies share a
 * module name and cross-module resolution has N times the modules to search.
 *
 * Imports of the modules library knowledge names (`asyncio`, `sys`,
 * `concurrent`, ... from src/library/apis.ts) are left alone: the rules know
 * those APIs by their qualified names, and each copy must keep its hazards
 * for the run to do the same work N times.
 *
 * Every directory of a copy becomes a package (an empty `__init__.py` where
 * there was none; names that are not identifiers, such as `site-packages`,
 * get `_` for the rest), so every file has a distinct dotted name. Edits keep
 * each statement on its line (several statements join with `; `), so line
 * numbers are unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LIBRARY, METHODS } from '../src/library/apis.js';
import { parsePython, type SyntaxNode } from '../src/python/parser.js';
import type { Corpus } from './corpus.js';

/** Top-level module names the library rows name: their imports stay as they are. */
function libraryRoots(): Set<string> {
  const roots = new Set<string>(['builtins']);
  for (const api of LIBRARY) for (const name of api.names) roots.add(name.split('.')[0]!);
  for (const name of Object.keys(METHODS)) if (!name.startsWith('.')) roots.add(name.split('.')[0]!);
  return roots;
}

function identifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Where each top-level name of the corpus lives inside a copy, relative to the copy's package ('' for the copy itself). */
function topLevelHomes(corpus: Corpus): Map<string, string> {
  const homes = new Map<string, string>();
  for (const file of corpus.files) {
    const relative = path.relative(corpus.root, file).split(path.sep);
    // The first directory that is not a package is a source root: its children are top-level names there.
    let rootDepth = 0;
    for (let depth = 0; depth < relative.length - 1; depth++) {
      const dir = path.join(corpus.root, ...relative.slice(0, depth + 1));
      if (!fs.existsSync(path.join(dir, '__init__.py'))) rootDepth = depth + 1;
      else break;
    }
    const top = relative[rootDepth]!.replace(/\.py$/, '');
    const home = relative.slice(0, rootDepth).map(identifier).join('.');
    // The corpus root's own modules win over a source root below it (the standard library over site-packages).
    const known = homes.get(top);
    if (known === undefined || home.split('.').length < known.split('.').length) homes.set(top, home);
  }
  return homes;
}

interface Edit {
  start: number;
  end: number;
  /** The replacement, with `\0` where the copy's package name goes. */
  text: string;
}

function dottedSegments(node: SyntaxNode): string[] {
  return node.doc.text.slice(node.startIndex, node.endIndex).split('.').map((segment) => segment.trim());
}

/** The edits that move a file's imports of corpus modules into its copy; `\0` stands for the copy's package. */
function importEdits(text: string, homes: Map<string, string>, keep: Set<string>): Edit[] {
  const edits: Edit[] = [];
  const prefixOf = (top: string): string | null => {
    if (keep.has(top)) return null;
    const home = homes.get(top);
    return home === undefined ? null : home ? `\0.${home}` : '\0';
  };
  const visit = (node: SyntaxNode): void => {
    if (node.hasError) return;
    if (node.type === 'import_statement') {
      const parts: string[] = [];
      let changed = false;
      for (const child of node.children) {
        if (child.type !== 'dotted_name' && child.type !== 'aliased_import') continue;
        const nameNode = child.type === 'aliased_import' ? child.children.find((c) => c.type === 'dotted_name')! : child;
        const alias = child.type === 'aliased_import' ? child.children.find((c) => c.fieldName === 'alias') : undefined;
        const segments = dottedSegments(nameNode);
        const prefix = prefixOf(segments[0]!);
        const aliasText = alias ? text.slice(alias.startIndex, alias.endIndex) : undefined;
        if (prefix === null) {
          parts.push(`import ${segments.join('.')}${aliasText ? ` as ${aliasText}` : ''}`);
          continue;
        }
        changed = true;
        if (!aliasText) parts.push(`from ${prefix} import ${segments[0]}`);
        else parts.push(`from ${[prefix, ...segments.slice(0, -1)].join('.')} import ${segments.at(-1)} as ${aliasText}`);
      }
      if (changed) edits.push({ start: node.startIndex, end: node.endIndex, text: parts.join('; ') });
      return;
    }
    if (node.type === 'import_from_statement') {
      const module = node.children.find((c) => c.fieldName === 'module_name');
      if (module?.type !== 'dotted_name') return;
      const segments = dottedSegments(module);
      const prefix = prefixOf(segments[0]!);
      if (prefix !== null) edits.push({ start: module.startIndex, end: module.endIndex, text: [prefix, ...segments].join('.') });
      return;
    }
    for (const child of node.children) visit(child);
  };
  visit(parsePython(text));
  return edits;
}

function applyEdits(text: string, edits: Edit[], copyPackage: string): string {
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.text.replaceAll('\0', copyPackage);
    at = edit.end;
  }
  return out + text.slice(at);
}

export interface WideProject {
  root: string;
  files: number;
  bytes: number;
  /** Files whose imports were rewritten. */
  rewritten: number;
}

/** Writes `copies` copies of `corpus` under `target` as packages `wide_00`, ... with imports kept inside each copy. */
export function makeWideProject(corpus: Corpus, target: string, copies: number): WideProject {
  const homes = topLevelHomes(corpus);
  const keep = libraryRoots();
  let files = 0;
  let bytes = 0;
  let rewritten = 0;
  const corpusFiles = new Set(corpus.files.map((file) => path.relative(corpus.root, file).split(path.sep).map((part, i, all) => (i < all.length - 1 ? identifier(part) : part)).join(path.sep)));
  // A copy's own __init__.py is written when its turn comes; an empty one must not stand in for it.
  const corpusHas = (inCopy: string): boolean => corpusFiles.has(inCopy.split(path.sep).slice(1).join(path.sep));
  const packages = Array.from({ length: copies }, (_, copy) => `wide_${String(copy).padStart(2, '0')}`);
  const madeDirs = new Set<string>();
  const makePackageDir = (dir: string): void => {
    if (madeDirs.has(dir)) return;
    makePackageDir(path.dirname(dir));
    if (path.relative(target, dir) === '') return;
    fs.mkdirSync(dir, { recursive: true });
    const init = path.join(dir, '__init__.py');
    if (!fs.existsSync(init) && !corpusHas(path.relative(target, init))) {
      fs.writeFileSync(init, '');
      files++;
    }
    madeDirs.add(dir);
  };
  madeDirs.add(target);
  fs.mkdirSync(target, { recursive: true });
  for (const file of corpus.files) {
    const bytesIn = fs.readFileSync(file);
    const text = bytesIn.toString('utf8');
    // Only text that survives decoding unchanged is edited; anything else (another encoding) is copied as it is.
    const editable = Buffer.from(text, 'utf8').equals(bytesIn);
    const edits = editable ? importEdits(text, homes, keep) : [];
    if (edits.length > 0) rewritten++;
    const relative = path.relative(corpus.root, file).split(path.sep).map((part, i, all) => (i < all.length - 1 ? identifier(part) : part));
    for (const copyPackage of packages) {
      const destination = path.join(target, copyPackage, ...relative);
      makePackageDir(path.dirname(destination));
      const out = edits.length > 0 ? applyEdits(text, edits, copyPackage) : bytesIn;
      fs.writeFileSync(destination, out);
      files++;
      bytes += typeof out === 'string' ? Buffer.byteLength(out) : out.length;
    }
  }
  return { root: target, files, bytes, rewritten };
}
