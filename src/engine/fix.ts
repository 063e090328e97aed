/**
 * Applying fixes: pure functions from a file's text (or bytes) and the fixes its
 * messages carry to the fixed text (or bytes). Nothing here reads or writes
 * files; `pyhang check --fix` (src/cli/apply-fixes.ts) does that.
 *
 * Fix safety is Ruff's: a safe fix keeps the program's meaning and is applied
 * by `--fix`; an unsafe one may change behaviour (HANG001's `timeout=N` turns a
 * wait that could hang into a `TimeoutError`) and needs `--unsafe-fixes`. The
 * safety is the rule's (its `meta.fix`), read from the rule set the messages
 * came from (the registry unless lint() was given another, see LintOptions.rules).
 */
import type { VFileMessage } from 'vfile-message';
import type { Fix } from '../python/facts.js';
import type { PyhangMessage } from './lint.js';
import { rules as registry } from '../../rules/index.js';
import type { Rule } from './rule.js';

export type Edit = Fix['edits'][number];

/** Which fixes a run applies: safe ones always, unsafe ones with `--unsafe-fixes`. */
export interface FixSelection {
  /** Fixes to apply, in message order. */
  applicable: Fix[];
  /** Unsafe fixes left out because `--unsafe-fixes` was not given (Ruff's "hidden fixes"). */
  hidden: number;
}

/** The safety of a message's fix, or null when it has none (or its rule is unknown). */
export function fixSafety(message: VFileMessage, rules: readonly Rule[] = registry): 'safe' | 'unsafe' | null {
  const { fix } = message as PyhangMessage;
  if (!fix || fix.edits.length === 0) return null;
  const code = String(message.ruleId ?? '');
  return rules.find((rule) => rule.meta.code === code)?.meta.fix ?? null;
}

/** What an unsafe fix of a message may change (its rule's `meta.fixRisk`), for a code action's title. */
export function fixRisk(message: VFileMessage, rules: readonly Rule[] = registry): string | undefined {
  const code = String(message.ruleId ?? '');
  return rules.find((rule) => rule.meta.code === code)?.meta.fixRisk;
}

/** Whether a message's fix would be applied under these options (Ruff's `[*]`). */
export function isFixApplicable(message: VFileMessage, unsafeFixes: boolean, rules: readonly Rule[] = registry): boolean {
  const safety = fixSafety(message, rules);
  return safety === 'safe' || (safety === 'unsafe' && unsafeFixes);
}

export function selectFixes(messages: readonly VFileMessage[], unsafeFixes: boolean, rules: readonly Rule[] = registry): FixSelection {
  const applicable: Fix[] = [];
  let hidden = 0;
  for (const message of messages) {
    const safety = fixSafety(message, rules);
    if (safety === null) continue;
    if (safety === 'safe' || unsafeFixes) applicable.push((message as PyhangMessage).fix!);
    else hidden++;
  }
  return { applicable, hidden };
}

export interface AppliedFixes {
  text: string;
  /** How many fixes were applied whole. */
  applied: number;
  /** Fixes left out because they overlap one applied before them, or have an edit outside the text. */
  skipped: number;
}

/**
 * Applies fixes to a text. A fix is applied whole or not at all. Fixes are taken
 * in the order of their first edit; one whose edits overlap an edit already
 * taken (or each other) is skipped, as Ruff skips it: a later run, on the fixed
 * text, can still apply it. Two insertions at the same offset overlap (their
 * order would be a guess); an insertion at the boundary of a replacement does
 * not. Edits are then applied from the back, so earlier offsets stay valid.
 */
export function applyFixes(text: string, fixes: readonly Fix[]): AppliedFixes {
  const ordered = fixes
    .map((fix, index) => ({ fix, index, edits: [...fix.edits].sort(byRange) }))
    .filter((entry) => entry.edits.length > 0)
    .sort((a, b) => byRange(a.edits[0]!, b.edits[0]!) || a.index - b.index);
  const taken: Edit[] = [];
  let applied = 0;
  let skipped = 0;
  for (const { edits } of ordered) {
    const valid = edits.every((edit) => isWithin(edit, text));
    const clashes = edits.some((edit, i) => edits.slice(0, i).some((other) => overlaps(edit, other)));
    if (!valid || clashes || edits.some((edit) => taken.some((other) => overlaps(edit, other)))) {
      skipped++;
      continue;
    }
    taken.push(...edits);
    applied++;
  }
  taken.sort(byRange);
  let result = text;
  for (let i = taken.length - 1; i >= 0; i--) {
    const edit = taken[i]!;
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return { text: result, applied, skipped };
}

function byRange(a: Edit, b: Edit): number {
  return a.start - b.start || a.end - b.end;
}

function isWithin(edit: Edit, text: string): boolean {
  return (
    Number.isInteger(edit.start) &&
    Number.isInteger(edit.end) &&
    edit.start >= 0 &&
    edit.start <= edit.end &&
    edit.end <= text.length &&
    !splitsPair(text, edit.start) &&
    !splitsPair(text, edit.end)
  );
}

/** Whether an offset falls between the two halves of a surrogate pair (or of a CRLF). */
function splitsPair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  const before = text.charCodeAt(offset - 1);
  const after = text.charCodeAt(offset);
  const surrogates = before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
  return surrogates || (before === 13 && after === 10);
}

function overlaps(a: Edit, b: Edit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}

/**
 * How a fixed text goes back to bytes, so that every byte outside the edits is
 * the byte that was read: the file's encoding (as src/decode.ts decoded it) and
 * whether it began with a UTF-8 byte order mark.
 */
export interface SourceEncoding {
  encoding: string;
  bom: boolean;
}

export type EncodeResult = { bytes: Uint8Array } | { error: string };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Encodes a text in a file's encoding. UTF-8 (with its BOM when the file had
 * one) and latin-1 only: both map each character to bytes on its own, so an
 * edit changes no byte outside itself. Other encodings are refused rather than
 * written back wrongly: Node has no encoder for them.
 */
export function encodeSource(text: string, { encoding, bom }: SourceEncoding): EncodeResult {
  if (encoding === 'utf-8') {
    const body = new TextEncoder().encode(text);
    if (!bom) return { bytes: body };
    const bytes = new Uint8Array(body.length + 3);
    bytes.set(UTF8_BOM, 0);
    bytes.set(body, 3);
    return { bytes };
  }
  if (encoding === 'latin-1') {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) {
        return { error: `the fixed text has a character (U+${code.toString(16).toUpperCase().padStart(4, '0')}) that latin-1 cannot encode` };
      }
      bytes[i] = code;
    }
    return { bytes };
  }
  return { error: `its encoding '${encoding}' cannot be written back byte for byte (only UTF-8 and latin-1 can)` };
}

/**
 * Encodes a fixed text, after checking that encoding the original text gives
 * back exactly the bytes that were read. When it does not (a decoder that
 * drops or normalises something, such as a second BOM), writing would change
 * bytes the fixes never touched, so the fix is refused instead.
 */
export function encodeFixed(original: { bytes: Uint8Array; text: string }, fixed: string, encoding: SourceEncoding): EncodeResult {
  const roundTrip = encodeSource(original.text, encoding);
  if ('error' in roundTrip) return roundTrip;
  if (!sameBytes(roundTrip.bytes, original.bytes)) {
    return { error: 'its bytes do not survive decoding and encoding unchanged, so writing it could change more than the fixes' };
  }
  return encodeSource(fixed, encoding);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export type FixOutcome =
  | { kind: 'fixed'; text: string; bytes: Uint8Array; applied: number }
  | { kind: 'unchanged' }
  | { kind: 'refused'; reason: string };

/**
 * One file, one round: applies the fixes to its text, then guards what would be
 * written. A fix must never turn a file that parses into one that does not
 * (compared with the file as it was read, `original`, whatever earlier rounds
 * did), and the result must encode back byte for byte outside the edits.
 * `hasSyntaxError` is injected, so the guard can be tested with a parser that
 * fails on demand; the CLI passes tree-sitter's verdict.
 */
export function fixSource(
  source: { bytes: Uint8Array; text: string; encoding: SourceEncoding; original: string },
  fixes: readonly Fix[],
  hasSyntaxError: (text: string) => boolean,
): FixOutcome {
  const result = applyFixes(source.text, fixes);
  if (result.applied === 0 || result.text === source.text) return { kind: 'unchanged' };
  if (hasSyntaxError(result.text) && !hasSyntaxError(source.original)) {
    return { kind: 'refused', reason: 'the fixed code would not parse' };
  }
  const encoded = encodeFixed(source, result.text, source.encoding);
  if ('error' in encoded) return { kind: 'refused', reason: encoded.error };
  return { kind: 'fixed', text: result.text, bytes: encoded.bytes, applied: result.applied };
}
