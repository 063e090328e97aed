/** Lookups over the library rows (apis.ts), by qualified name and by method name. */
import { CALLING_APIS, CALLING_METHODS, LIBRARY, METHODS, type ApiEffect, type CallsArgument, type MethodEffect } from './apis.js';

export type { ApiEffect, CallsArgument, MethodEffect, Param, LibraryApi, LibraryObject } from './apis.js';
export { LOOP_STOPPING_EXCEPTIONS } from './apis.js';

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

/** The qualified names of every function the rows say does `kind`, with what the row says. */
export function apisDoing<K extends ApiEffect['kind']>(kind: K): [string, Extract<ApiEffect, { kind: K }>][] {
  const out: [string, Extract<ApiEffect, { kind: K }>][] = [];
  for (const row of LIBRARY) {
    if (row.does.kind === kind) for (const name of row.names) out.push([name, row.does as Extract<ApiEffect, { kind: K }>]);
  }
  return out;
}

/** The names of every method the rows say does `kind`, with what the row says. */
export function methodsDoing<K extends MethodEffect['kind']>(kind: K): [string, Extract<MethodEffect, { kind: K }>][] {
  return Object.entries(METHODS).filter((entry): entry is [string, Extract<MethodEffect, { kind: K }>] => entry[1].kind === kind);
}

const callingByName = new Map<string, CallsArgument>();
for (const row of CALLING_APIS) for (const name of row.names) callingByName.set(name, row.calls);

/** The callable the function or class of that qualified name (else the method of that name) calls, and what it passes it. */
export function callsArgument(qualifiedName: string | null, method: string | null): CallsArgument | undefined {
  if (qualifiedName !== null) {
    const row = callingByName.get(qualifiedName);
    if (row) return row;
  }
  return method !== null && Object.prototype.hasOwnProperty.call(CALLING_METHODS, method) ? CALLING_METHODS[method] : undefined;
}
