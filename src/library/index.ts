/** Lookups over the library rows (apis.ts), by qualified name and by method name. */
import { LIBRARY, METHODS, type ApiEffect, type MethodEffect } from './apis.js';

export type { ApiEffect, MethodEffect, Param, LibraryApi } from './apis.js';

const byName = new Map<string, ApiEffect>();
for (const row of LIBRARY) for (const name of row.names) byName.set(name, row.does);

/** What calling the function or class of that qualified name does, if the library rows know it. */
export function apiEffect(qualifiedName: string | null): ApiEffect | undefined {
  return qualifiedName === null ? undefined : byName.get(qualifiedName);
}

/** What calling a method of that name does, if the library rows know it. */
export function methodEffect(name: string | null): MethodEffect | undefined {
  return name !== null && Object.prototype.hasOwnProperty.call(METHODS, name) ? METHODS[name] : undefined;
}
