/**
 * Import statements to bindings, and the canonical names of the APIs pyhang
 * knows. `import asyncio as aio` binds `aio` → `asyncio`; `from asyncio import
 * tasks` binds `tasks` → `asyncio.tasks`; `from .bridge import call` in
 * `pkg.mod` binds `call` → `pkg.bridge.call`.
 */
import type { SyntaxNode } from './parser.js';

export interface ImportBinding {
  /** The local name bound. */
  name: string;
  /** The qualified name it refers to. */
  target: string;
}

/** The package a relative import of `level` dots starts from. */
export function relativeBase(module: string, isPackage: boolean, level: number): string | null {
  const parts = module.split('.');
  if (!isPackage) parts.pop();
  for (let i = 1; i < level; i++) {
    if (parts.length === 0) return null;
    parts.pop();
  }
  return parts.join('.');
}

function dotted(node: SyntaxNode | null): string {
  return node ? node.text.replace(/\s+/g, '') : '';
}

/** Bindings made by an `import_statement` or `import_from_statement`; `*` targets are returned as stars. */
export function importBindings(
  node: SyntaxNode,
  module: string,
  isPackage: boolean,
): { bindings: ImportBinding[]; stars: string[] } {
  const bindings: ImportBinding[] = [];
  const stars: string[] = [];
  if (node.type === 'import_statement') {
    for (const item of node.childrenForFieldName('name')) {
      if (item.type === 'aliased_import') {
        const target = dotted(item.childForFieldName('name'));
        const alias = item.childForFieldName('alias')?.text;
        if (alias) bindings.push({ name: alias, target });
      } else {
        // `import a.b.c` binds `a` to the package `a`.
        const first = dotted(item).split('.')[0]!;
        bindings.push({ name: first, target: first });
      }
    }
    return { bindings, stars };
  }
  if (node.type !== 'import_from_statement') return { bindings, stars };
  const source = node.childForFieldName('module_name');
  let base: string | null;
  if (source?.type === 'relative_import') {
    const prefix = source.namedChildren.find((c) => c.type === 'import_prefix')?.text ?? '.';
    const rest = dotted(source.namedChildren.find((c) => c.type === 'dotted_name') ?? null);
    const root = relativeBase(module, isPackage, prefix.length);
    if (root === null) return { bindings, stars };
    base = [root, rest].filter(Boolean).join('.');
  } else {
    base = dotted(source);
  }
  if (node.namedChildren.some((c) => c.type === 'wildcard_import')) {
    stars.push(base);
    return { bindings, stars };
  }
  for (const item of node.childrenForFieldName('name')) {
    if (item.type === 'aliased_import') {
      const name = dotted(item.childForFieldName('name'));
      const alias = item.childForFieldName('alias')?.text ?? name;
      bindings.push({ name: alias, target: base ? `${base}.${name}` : name });
    } else {
      const name = dotted(item);
      bindings.push({ name, target: base ? `${base}.${name}` : name });
    }
  }
  return { bindings, stars };
}

/** Python's builtin names: an unbound name that is one of these is the builtin, not a star-import. */
export const BUILTIN_NAMES = new Set(
  (
    'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex ' +
    'delattr dict dir divmod enumerate eval exec filter float format frozenset getattr globals hasattr hash help ' +
    'hex id input int isinstance issubclass iter len list locals map max memoryview min next object oct open ord ' +
    'pow print property range repr reversed round set setattr slice sorted staticmethod str sum super tuple type ' +
    'vars zip __import__ exit quit copyright credits license __name__ __file__ __doc__ __spec__ __loader__ __package__ ' +
    'BaseException BaseExceptionGroup Exception ExceptionGroup SystemExit KeyboardInterrupt GeneratorExit ' +
    'ArithmeticError AssertionError AttributeError BufferError EOFError ImportError ModuleNotFoundError LookupError ' +
    'IndexError KeyError MemoryError NameError NotImplementedError OSError OverflowError RecursionError ' +
    'ReferenceError RuntimeError StopIteration StopAsyncIteration SyntaxError SystemError TypeError ValueError ' +
    'ZeroDivisionError TimeoutError ConnectionError None True False NotImplemented Ellipsis'
  ).split(' '),
);
