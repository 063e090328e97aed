/**
 * Code actions for pyhang's diagnostics:
 * - for every finding, "Suppress HANGxxx with `# noqa: HANGxxx`", which appends
 *   the comment to the finding's first line (the line `# noqa` is read from), or
 *   adds the code to a `# noqa: ...` list already there;
 * - for a finding whose message carries a fix (HANG001's `timeout=`), that fix,
 *   labelled unsafe because it changes behaviour: the call raises TimeoutError
 *   instead of waiting forever. It is offered only while the document is still
 *   the text that was linted, since its edits are offsets into that text;
 * - `source.fixAll.pyhang` (ESLint's `source.fixAll.eslint`, Ruff's
 *   `source.fixAll.ruff`): every safe fix of the document at once, as
 *   `pyhang check --fix` applies them, for "fix on save". Unsafe fixes stay
 *   single code actions: a save must not change what the program does.
 */
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node.js';
import { LineIndex } from '../python/positions.js';
import { noqaInsertion } from '../python/noqa.js';
import { applyFixes } from '../engine/fix.js';
import { DIAGNOSTIC_SOURCE, type Finding } from './diagnostics.js';

/** The findings published for one document, and the text they were computed from. */
export interface LintedDocument {
  uri: string;
  version: number;
  text: string;
  findings: Finding[];
}

/** The document as the editor holds it when the code action is asked for. */
export interface CurrentDocument {
  uri: string;
  version: number;
  text: string;
}

export interface CodeActionOptions {
  /** Whether the client applies `documentChanges` (versioned edits) rather than only `changes`. */
  documentChanges: boolean;
  /** The kinds the client asked for (`context.only`); all kinds when absent. */
  only?: readonly string[];
}

/** The kind of the fix-all action; a client asking for `source` or `source.fixAll` gets it too. */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.pyhang`;

export function codeActionsFor(
  current: CurrentDocument,
  linted: LintedDocument | undefined,
  range: Range,
  contextDiagnostics: readonly Diagnostic[],
  options: CodeActionOptions,
): CodeAction[] {
  const ours = contextDiagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE && typeof diagnostic.code === 'string');
  // Some clients send no diagnostics in the context at all; then the published findings under the range stand in.
  const diagnostics =
    contextDiagnostics.length > 0 || !linted || linted.version !== current.version
      ? ours
      : linted.findings.map((finding) => finding.diagnostic).filter((diagnostic) => overlaps(diagnostic.range, range));

  const index = new LineIndex(current.text);
  const actions: CodeAction[] = [];
  const fixes: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const code = String(diagnostic.code);
    if (!/^HANG\d+$/.test(code)) continue;
    const noqa = noqaEdit(index, diagnostic.range.start.line, code);
    if (noqa) {
      actions.push({
        title: `Suppress ${code} with \`# noqa: ${code}\``,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit(current, [noqa], options),
      });
    }
    if (linted && linted.version === current.version && linted.text === current.text) {
      const finding = findingFor(linted.findings, diagnostic);
      if (finding?.fix) {
        const lintedIndex = new LineIndex(linted.text);
        const edits = finding.fix.edits.map((edit) => ({
          range: { start: lintedIndex.lsp(edit.start), end: lintedIndex.lsp(edit.end) },
          newText: edit.text,
        }));
        const title = finding.fixSafety === 'safe' ? finding.fix.description : `${finding.fix.description} (unsafe: ${finding.fixRisk ?? 'may change behaviour'})`;
        fixes.push({
          title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: workspaceEdit(current, edits, options),
        });
      }
    }
  }
  const fixAll = wants(options.only, FIX_ALL_KIND) ? fixAllAction(current, linted, options) : null;
  const quickFixes = wants(options.only, CodeActionKind.QuickFix) ? [...fixes, ...actions] : [];
  // Fixes first: they resolve the hazard, suppressions only hide it.
  return fixAll ? [...quickFixes, fixAll] : quickFixes;
}

/** Whether `context.only` admits a kind: LSP kinds are hierarchical, `source` admits `source.fixAll.pyhang`. */
export function wants(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((asked) => kind === asked || kind.startsWith(`${asked}.`));
}

/**
 * Every safe fix of the document, as one edit over the span they change (so
 * the editor keeps the cursor and folds outside it), or null when there is
 * none or the document changed since it was linted.
 */
function fixAllAction(current: CurrentDocument, linted: LintedDocument | undefined, options: CodeActionOptions): CodeAction | null {
  if (!linted || linted.version !== current.version || linted.text !== current.text) return null;
  const safe = linted.findings.filter((finding) => finding.fix && finding.fixSafety === 'safe');
  if (safe.length === 0) return null;
  const fixed = applyFixes(linted.text, safe.map((finding) => finding.fix!)).text;
  if (fixed === linted.text) return null;
  return {
    title: 'pyhang: fix all auto-fixable problems',
    kind: FIX_ALL_KIND,
    diagnostics: safe.map((finding) => finding.diagnostic),
    edit: workspaceEdit(current, [changedSpan(new LineIndex(linted.text), linted.text, fixed)], options),
  };
}

/** One edit turning `before` into `after`: the span between their common prefix and common suffix. */
function changedSpan(index: LineIndex, before: string, after: string): TextEdit {
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  // Never split a surrogate pair: LSP positions may not point inside one.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (end > 0 && isHighSurrogate(before.charCodeAt(before.length - end - 1))) end--;
  return {
    range: { start: index.lsp(start), end: index.lsp(before.length - end) },
    newText: after.slice(start, after.length - end),
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The edit that silences `code` on a 0-based line, or null when that line already does (src/python/noqa.ts writes it). */
export function noqaEdit(index: LineIndex, line0: number, code: string): TextEdit | null {
  const edit = noqaInsertion(index, line0, [code]);
  if (!edit) return null;
  return { range: { start: index.lsp(edit.start), end: index.lsp(edit.end) }, newText: edit.text };
}

function workspaceEdit(document: CurrentDocument, edits: TextEdit[], options: CodeActionOptions): WorkspaceEdit {
  if (options.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] };
  }
  return { changes: { [document.uri]: edits } };
}

/**
 * The published finding a client's diagnostic stands for. Clients echo diagnostics
 * back, not always verbatim: Neovim 0.7 turns the range's `character` into a byte
 * column, so on a line with non-ASCII text only the line still matches. The code
 * and range identify a finding; failing that, the code and line do when one
 * finding alone has them.
 */
function findingFor(findings: readonly Finding[], diagnostic: Diagnostic): Finding | undefined {
  const exact = findings.find((finding) => finding.diagnostic.code === diagnostic.code && sameRange(finding.diagnostic.range, diagnostic.range));
  if (exact) return exact;
  const onLine = findings.filter(
    (finding) => finding.diagnostic.code === diagnostic.code && finding.diagnostic.range.start.line === diagnostic.range.start.line,
  );
  return onLine.length === 1 ? onLine[0] : undefined;
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function overlaps(a: Range, b: Range): boolean {
  return !(before(a.end, b.start) || before(b.end, a.start));
}

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}
