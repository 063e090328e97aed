/**
 * What must hold for every input the fuzzer makes, checked against the core
 * function `lint()` directly (no CLI, no workers, no cache):
 *
 * 1. no exception escapes;
 * 2. an answer comes within a gross time bound (a hang detector, not a benchmark);
 * 3. the same input gives the same messages twice (deterministic), and the
 *    pre-filter changes no rule finding;
 * 4. every message has a place inside its file's text, and line endings (LF,
 *    CRLF, lone CR) change no finding;
 * 5. applying HANG001's fixes (UTF-16 offsets in the decoded text, applied back
 *    to front) gives text that parses when the input parsed, and linting and
 *    fixing that text again changes nothing (idempotent);
 * 6. no `internal-error` message: pyhang failed on a file and did not check it
 *    (the CLI exits 2 for it; a fuzz input must never cause one);
 * 7. hazards planted in mutated or generated files (mutations.ts) are found
 *    when the file parses and the plant is still a top-level statement: a
 *    mutation elsewhere must not make pyhang miss them silently.
 *
 * `checked` in the outcome names the properties that applied to an input, so
 * a run can say how often each was checked (line endings, fixes and planted
 * hazards only apply to some inputs).
 */
import type { VFile } from 'vfile';
import { isInternalError, lint, type PyhangMessage, type SourceFile } from '../../src/engine/lint.js';
import { decodeSource } from '../../src/python/decode.js';
import { parsePython } from '../../src/python/parser.js';
import { LineIndex } from '../../src/python/positions.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import type { Fix } from '../../src/python/facts.js';
import { PLANTED_LINE, type FuzzFile } from './mutations.js';

/** Fail only on something gross: the largest seeds lint in well under a second. */
export const TIME_BOUND_MS = 5_000;

/** Files live under a directory that does not exist, so nothing on disk can leak in. */
const ROOT = '/pyhang-fuzz-virtual';

const settings: Settings = { ...defaultSettings(ROOT), maxFileSize: 10 * 1024 * 1024 };
/** Exhaustive: every file is parsed and analysed, whatever the pre-filter would say. */
const options = { settingsFor: () => settings, prefilter: false };
/** What users run: files that cannot hold a hazard are skipped until something needs them. */
const prefiltered = { settingsFor: () => settings, prefilter: true };

export interface Outcome {
  /** Wall time of the first lint, in milliseconds. */
  ms: number;
  /** Why a property failed, or null. */
  failure: string | null;
  /** Rule findings on the input, and how many carried a HANG001 fix (to see what a run covered). */
  findings?: number;
  fixes?: number;
  /** The properties checked on this input (see the list above), for the run's counts. */
  checked: string[];
}

/** The property names `checked` holds, in the order a run prints them. */
export const CORE_PROPERTIES = [
  'no exception',
  'time bound',
  'no internal-error',
  'deterministic',
  'pre-filter changes no finding',
  'places inside the text',
  'line endings change no finding',
  'fixes keep the syntax and are idempotent',
  'planted hazards found',
  'generated hazards found',
] as const;

function pathOf(index: number, count: number): string {
  return count === 1 ? `${ROOT}/input.py` : `${ROOT}/mod${index}.py`;
}

/**
 * One file is linted from its bytes (so decoding is fuzzed too). Several are
 * linted from their decoded texts, as an editor passes them: the core keeps
 * the texts of files it defers, but not their bytes.
 */
function sourcesFor(files: readonly FuzzFile[]): SourceFile[] {
  if (files.length === 1) {
    const file = files[0]!;
    return [file.text !== undefined ? { path: pathOf(0, 1), text: file.text } : { path: pathOf(0, 1), bytes: file.bytes }];
  }
  return files.map((file, index) => {
    if (file.text !== undefined) return { path: pathOf(index, files.length), text: file.text };
    const decoded = decodeSource(file.bytes);
    const path = pathOf(index, files.length);
    return 'text' in decoded ? { path, text: decoded.text } : { path, bytes: file.bytes };
  });
}

/** Everything a message tells, in a comparable form. */
function describe(files: readonly VFile[]): string {
  return JSON.stringify(
    files.map((file) => ({
      path: file.path,
      messages: file.messages.map((m) => {
        const message = m as PyhangMessage;
        return [m.ruleId, m.line, m.column, m.place, m.reason, m.fatal, message.fix ?? null, message.related ?? null];
      }),
    })),
  );
}

/** Rule findings only: the pre-filter skips files that cannot hold one, so it reports no syntax errors for them. */
function describeFindings(files: readonly VFile[]): string {
  return JSON.stringify(
    files.map((file) => file.messages.filter((m) => /^HANG\d+$/.test(String(m.ruleId))).map((m) => [file.path, m.ruleId, m.place, m.reason])),
  );
}

function hang001Fixes(file: VFile): Fix[] {
  const fixes: Fix[] = [];
  for (const m of file.messages) {
    const fix = (m as PyhangMessage).fix;
    if (m.ruleId === 'HANG001' && fix && fix.edits.length > 0) fixes.push(fix);
  }
  return fixes;
}

/** Applies edits back to front; throws when one is out of range, splits a surrogate pair, or overlaps another. */
export function applyEdits(text: string, fixes: readonly Fix[]): string {
  const edits = fixes.flatMap((fix) => fix.edits).sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 0; i < edits.length; i++) {
    const edit = edits[i]!;
    if (!Number.isInteger(edit.start) || !Number.isInteger(edit.end) || edit.start < 0 || edit.start > edit.end || edit.end > text.length) {
      throw new Error(`fix edit out of range: ${JSON.stringify(edit)} in a text of ${text.length} code units`);
    }
    for (const offset of [edit.start, edit.end]) {
      const code = text.charCodeAt(offset);
      if (offset > 0 && code >= 0xdc00 && code <= 0xdfff && text.charCodeAt(offset - 1) >= 0xd800 && text.charCodeAt(offset - 1) <= 0xdbff) {
        throw new Error(`fix edit splits a surrogate pair: ${JSON.stringify(edit)}`);
      }
    }
    const previous = edits[i - 1];
    if (previous && (edit.start < previous.end || (edit.start === edit.end && previous.start === previous.end && edit.start === previous.start))) {
      throw new Error(`fix edits overlap: ${JSON.stringify(previous)} and ${JSON.stringify(edit)}`);
    }
  }
  let result = text;
  for (let i = edits.length - 1; i >= 0; i--) {
    const edit = edits[i]!;
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

/** Every message sits inside its file's text: 1-based lines and code-point columns that exist. */
function checkPlaces(file: VFile, text: string | null): string | null {
  const lines = text === null ? null : new LineIndex(text);
  for (const m of file.messages) {
    const place = m.place && 'start' in m.place ? m.place : m.place ? { start: m.place, end: m.place } : null;
    if (!place) return `message without a place: ${m.ruleId}`;
    for (const point of [place.start, place.end]) {
      if (!Number.isInteger(point.line) || !Number.isInteger(point.column) || point.line < 1 || point.column < 1) {
        return `bad place ${JSON.stringify(place)} for ${m.ruleId}`;
      }
      if (lines) {
        if (point.line > lines.lineCount) return `line ${point.line} past the end (${lines.lineCount} lines) for ${m.ruleId}`;
        const width = [...lines.lineText(point.line - 1)].length;
        if (point.column > width + 1) return `column ${point.column} past the end of line ${point.line} (${width} characters) for ${m.ruleId}`;
      }
    }
    const { start, end } = place;
    if (end.line < start.line || (end.line === start.line && end.column < start.column)) {
      return `place ends before it starts: ${JSON.stringify(place)} for ${m.ruleId}`;
    }
  }
  return null;
}

/**
 * Applies every file's HANG001 fixes, checks the syntax of each fixed file, then
 * lints the fixed project again: its fixes must change nothing.
 */
function fixProperties(sources: readonly SourceFile[], texts: readonly (string | null)[], files: readonly VFile[]): { checked: boolean; failure: string | null } {
  const failure = fixFailure(sources, texts, files);
  return { checked: failure !== NOT_APPLICABLE, failure: failure === NOT_APPLICABLE ? null : failure };
}

const NOT_APPLICABLE = Symbol('not applicable');

function fixFailure(sources: readonly SourceFile[], texts: readonly (string | null)[], files: readonly VFile[]): string | null | typeof NOT_APPLICABLE {
  let changed = false;
  const fixedSources: SourceFile[] = sources.map((source, index) => {
    const text = texts[index];
    const file = files.find((f) => f.path === source.path)!;
    if (text === null || text === undefined) return source;
    const fixes = hang001Fixes(file);
    if (fixes.length === 0) return { path: source.path, text };
    changed = true;
    return { path: source.path, text: applyEdits(text, fixes) };
  });
  if (!changed) return NOT_APPLICABLE;
  for (const [index, source] of fixedSources.entries()) {
    const before = texts[index];
    if (before === null || before === undefined || source.text === before) continue;
    if (!parsePython(before).hasError && parsePython(source.text!).hasError) {
      return `file ${index}: applying HANG001 fixes broke the syntax:\n--- fixed text ---\n${source.text}`;
    }
  }
  const again = lint(fixedSources, options);
  for (const [index, source] of fixedSources.entries()) {
    if (source.text === undefined) continue;
    const file = again.find((f) => f.path === source.path)!;
    const refixed = applyEdits(source.text, hang001Fixes(file));
    if (refixed !== source.text) {
      return `file ${index}: HANG001 fixes are not idempotent:\n--- after one round ---\n${source.text}\n--- after two ---\n${refixed}`;
    }
  }
  return null;
}

/**
 * Line endings do not change what is found: a single file that parses, with
 * findings, its terminators made all LF, all CRLF and all lone CR, gives the
 * same rule findings at the same lines and columns (Python reads all three alike).
 */
function lineEndingProperty(files: readonly VFile[], texts: readonly (string | null)[]): { checked: boolean; failure: string | null } {
  const skipped = { checked: false, failure: null };
  if (files.length !== 1 || texts[0] === null || texts[0] === undefined) return skipped;
  if (!files[0]!.messages.some((m) => /^HANG\d+$/.test(String(m.ruleId)))) return skipped;
  const lf = texts[0].replace(/\r\n?/g, '\n');
  // In broken code tree-sitter's error recovery may take other paths when the bytes differ: only sound code is compared.
  // (tree-sitter also accepts a newline inside a one-line string, but not a CRLF, though Python refuses both.)
  const variants = ['\n', '\r\n', '\r'].map((eol) => lf.replace(/\n/g, eol));
  if (variants.some((variant) => parsePython(variant).hasError)) return skipped;
  const found = (variant: string): string => {
    const [file] = lint([{ path: files[0]!.path, text: variant }], options);
    return JSON.stringify(file!.messages.filter((m) => /^HANG\d+$/.test(String(m.ruleId))).map((m) => [m.ruleId, m.line, m.column, m.reason]));
  };
  const [withLf, withCrlf, withCr] = variants.map(found);
  if (withLf !== withCrlf || withLf !== withCr) {
    return { checked: true, failure: `line endings change the findings:\nLF:   ${withLf}\nCRLF: ${withCrlf}\nCR:   ${withCr}` };
  }
  return { checked: true, failure: null };
}

/**
 * Property 6: an `internal-error` message means pyhang did not check the file.
 */
function internalErrors(files: readonly VFile[]): string | null {
  for (const [index, file] of files.entries()) {
    const error = file.messages.find(isInternalError);
    if (error) return `file ${index}: internal-error: ${error.reason}`;
  }
  return null;
}

/**
 * Property 7: each planted hazard (a top-level function ending in
 * PLANTED_LINE) of a file that parses is reported on that line; a generated
 * file's hazard on its line. Returns null when none applied.
 */
function plantedFound(
  files: readonly FuzzFile[],
  sources: readonly SourceFile[],
  texts: readonly (string | null)[],
  linted: readonly VFile[],
): { checked: string[]; failure: string | null } {
  const checked = new Set<string>();
  for (const [index, input] of files.entries()) {
    const text = texts[index];
    if ((!input.planted && input.mustFindLine === undefined) || text === null || text === undefined) continue;
    const root = parsePython(text);
    if (root.hasError) continue;
    const lines = new LineIndex(text);
    const expected: number[] = [];
    if (input.mustFindLine !== undefined) expected.push(input.mustFindLine);
    if (input.planted) {
      for (const child of root.namedChildren) {
        if (child.type === 'function_definition' && child.text.endsWith(PLANTED_LINE.trim())) expected.push(lines.lineOf(child.endIndex) + 1);
      }
    }
    if (expected.length === 0) continue;
    checked.add(input.planted ? 'planted hazards found' : 'generated hazards found');
    const file = linted.find((f) => f.path === sources[index]!.path)!;
    const reported = new Set(file.messages.filter((m) => m.ruleId === 'HANG001').map((m) => m.line));
    const missed = expected.filter((line) => !reported.has(line));
    if (missed.length > 0) {
      const others = file.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.reason.slice(0, 80)}`).join('\n');
      return { checked: [...checked], failure: `file ${index}: the hazard on line ${missed.join(', ')} is not reported (reported:\n${others})` };
    }
  }
  return { checked: [...checked], failure: null };
}

/** Runs every property on one input; never throws. */
export function checkInput(files: readonly FuzzFile[]): Outcome {
  const sources = sourcesFor(files);
  const checked: string[] = [];
  let ms = 0;
  const fail = (failure: string): Outcome => ({ ms, failure, checked });
  try {
    const started = performance.now();
    const first = lint(sources, options);
    ms = performance.now() - started;
    checked.push('no exception');
    if (ms > TIME_BOUND_MS) return fail(`lint took ${Math.round(ms)} ms (bound: ${TIME_BOUND_MS} ms)`);
    checked.push('time bound');
    if (first.length !== sources.length) return fail(`${sources.length} sources gave ${first.length} files`);
    const internal = internalErrors(first);
    if (internal) return fail(internal);
    checked.push('no internal-error');
    const second = lint(sources, options);
    if (describe(first) !== describe(second)) {
      return fail(`not deterministic:\n${describe(first)}\n${describe(second)}`);
    }
    checked.push('deterministic');
    const filtered = lint(sources, prefiltered);
    if (describeFindings(filtered) !== describeFindings(first)) {
      return fail(`the pre-filter changes the findings:\nexhaustive: ${describeFindings(first)}\npre-filtered: ${describeFindings(filtered)}`);
    }
    checked.push('pre-filter changes no finding');
    const texts = sources.map((source) => {
      if (source.text !== undefined) return source.text;
      const decoded = decodeSource(source.bytes!);
      return 'text' in decoded ? decoded.text : null;
    });
    for (const [index, source] of sources.entries()) {
      const misplaced = checkPlaces(first.find((f) => f.path === source.path)!, texts[index] ?? null);
      if (misplaced) return fail(`file ${index}: ${misplaced}`);
    }
    checked.push('places inside the text');
    const planted = plantedFound(files, sources, texts, first);
    checked.push(...planted.checked);
    if (planted.failure) return fail(planted.failure);
    const endings = lineEndingProperty(first, texts);
    if (endings.failure) return fail(endings.failure);
    if (endings.checked) checked.push('line endings change no finding');
    const broken = fixProperties(sources, texts, first);
    if (broken.failure) return fail(broken.failure);
    if (broken.checked) checked.push('fixes keep the syntax and are idempotent');
    const findings = first.reduce((n, f) => n + f.messages.filter((m) => /^HANG\d+$/.test(String(m.ruleId))).length, 0);
    const fixes = first.reduce((n, f) => n + hang001Fixes(f).length, 0);
    return { ms, failure: null, findings, fixes, checked };
  } catch (error) {
    return fail(`exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

export function describeInput(files: readonly FuzzFile[]): string {
  return files.map((f, i) => `file ${i}: ${f.origin.length > 400 ? `${f.origin.slice(0, 400)}…` : f.origin}`).join('\n');
}
