/**
 * What a cached answer depends on besides the files and the settings: the code
 * that produced it. A cache (analysis-cache.ts, and lint-files.ts's last run)
 * made by other code must never answer, so its key covers
 * - pyhang's version;
 * - pyhang's own built code: a hash of the JavaScript under dist/src and
 *   dist/rules, so a rebuilt rule or analysis (a local build, a pre-commit rev
 *   bump that kept the version) starts a fresh cache;
 * - the facts schema (FACTS_SCHEMA_VERSION), for a change of shape the build
 *   hash could miss (a cache read by a build that does not ship its sources);
 * - the rule set, when it is not the registry (whose code the build hash
 *   covers): each rule's metadata and its check's source.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FACTS_SCHEMA_VERSION } from '../python/facts.js';
import { rules as registry } from '../../rules/index.js';
import type { Rule } from './rule.js';

/** The built directories whose code makes an answer: this file is dist/src/engine/cache-key.js. */
const BUILT_DIRS = [fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(new URL('../../rules', import.meta.url))];

let builtCodeHash: string | null = null;

/**
 * A hash of pyhang's built JavaScript (dist/src and dist/rules: 52 files,
 * 0.39 MB), made once per process when a cache is first opened, not at
 * start-up (the language server and `--no-cache` runs never need it). It took
 * 8-22 ms of CPU (8-50 ms wall) on this machine, 2 cores at a load average
 * of 7 from other builds; listing and reading the files is most of it, sha256
 * about 1 ms. A warm run of the standard library takes about a second, so this
 * is within its noise.
 */
export function builtCode(): string {
  if (builtCodeHash !== null) return builtCodeHash;
  const hash = crypto.createHash('sha256');
  for (const dir of BUILT_DIRS) {
    for (const file of jsFiles(dir)) {
      hash.update(`${path.relative(dir, file)}\0`);
      try {
        hash.update(fs.readFileSync(file));
      } catch {
        // Unreadable: the key still differs from a build where it could be read.
        hash.update('unreadable');
      }
      hash.update('\0');
    }
  }
  builtCodeHash = hash.digest('hex');
  return builtCodeHash;
}

/** The `.js` files under `dir`, sorted so that the hash does not depend on the order the disk lists them in. */
function jsFiles(dir: string): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...jsFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.js')) found.push(full);
  }
  return found.sort();
}

/**
 * What a rule set other than the registry brings to the key: what each rule
 * declares (code, name, severity, messages, options, fix safety: its whole
 * meta), its triggers (which files are analysed), the kinds of facts it keeps
 * with their extractors' sources (what the cached facts hold), what it asks
 * and its check. The registry brings nothing: it is part of the built code.
 */
function ruleSetKey(rules: readonly Rule[]): unknown {
  if (rules === registry) return 'registry';
  return rules.map((rule) => ({
    meta: rule.meta,
    triggers: rule.triggers,
    commentTriggers: rule.commentTriggers ?? [],
    facts: (rule.facts ?? []).map((kind) => [kind.id, Object.entries(kind.calls).map(([key, extract]) => [key, String(extract)])]),
    asks: rule.asks ? String(rule.asks) : null,
    check: String(rule.check),
    checkSuppressions: rule.checkSuppressions ? String(rule.checkSuppressions) : null,
  }));
}

/** The key a cache's answers belong to (see the top of this file). */
export function cacheKey(version: string, rules: readonly Rule[] = registry): string {
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify([version, FACTS_SCHEMA_VERSION, builtCode(), ruleSetKey(rules)]));
  return `${version}+${hash.digest('hex').slice(0, 32)}`;
}
