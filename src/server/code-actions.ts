/**
 * Code actions for pyhang's diagnostics:
 * - for every finding, "Suppress HANGxxx with `# noqa: HANGxxx`", which appends
 *   the comment to the finding's first line (the line `# noqa` is read from), or
 *   adds the code to a `# noqa: ...` list already there;
 * - for a finding whose message carries a fix (HANG001's `timeout=`), that fix,
 *   labelled unsafe because it changes behaviour: the call raises TimeoutError
 *   instead of waiting forever. It is offered only while the document is still
 *   the text that was linted, since its edits are offsets into that text.
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
}

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
        fixes.push({
          title: `${finding.fix.description} (unsafe: raises TimeoutError instead of waiting forever)`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: workspaceEdit(current, edits, options),
        });
      }
    }
  }
  // Fixes first: they resolve the hazard, suppressions only hide it.
  return [...fixes, ...actions];
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
