/**
 * The edits made to each open document, from version to version, as offsets
 * into its text: what the analysis process is sent in place of a document's
 * whole text when it holds an earlier version (see lint-process.ts). A
 * 5,000-line document is 200 KB; sending it to the process took about 3 ms of
 * every pass, an edit of one line takes none to speak of.
 *
 * The edits are taken where the server applies them (the TextDocuments
 * configuration below), each measured against the text it applies to, in the
 * order it applies them, so that replaying them gives the same text.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver/node.js';
import { LineIndex } from '../python/positions.js';

/** The UTF-16 code units [start, end) of a text replaced by `text`. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/** One didChange: the changes that make version `to` of `from`. */
interface Step {
  from: number;
  to: number;
  changes: TextChange[];
}

export class EditLog {
  private readonly steps = new Map<string, { steps: Step[]; size: number }>();

  /**
   * Each open document's line index, moved along with its edits (see
   * LineIndex.afterEdit): each pass's diagnostics are placed with it, and
   * indexing a 5,000-line text anew took a good part of publishing them.
   */
  private readonly indexes = new Map<string, LineIndex>();

  /** For `new TextDocuments(...)`: documents as vscode-languageserver-textdocument makes them, their edits recorded. */
  readonly configuration: TextDocumentsConfiguration<TextDocument> = {
    create: (uri, languageId, version, content) => {
      this.steps.delete(uri);
      this.indexes.delete(uri);
      return TextDocument.create(uri, languageId, version, content);
    },
    update: (document, changes, version) => this.update(document, changes, version),
  };

  private update(document: TextDocument, events: readonly TextDocumentContentChangeEvent[], version: number): TextDocument {
    const from = document.version;
    const changes: TextChange[] = [];
    let size = 0;
    for (const event of events) {
      // Offsets are taken before each change is applied: the next one is relative to the text it leaves.
      // (As TextDocument.update tells them apart: a change with a range, else the whole text.)
      if ('range' in event && event.range !== undefined) {
        const a = document.offsetAt(event.range.start);
        const b = document.offsetAt(event.range.end);
        // (A range given end first is taken the other way round, as TextDocument.update takes it.)
        changes.push({ start: Math.min(a, b), end: Math.max(a, b), text: event.text });
      } else {
        changes.push({ start: 0, end: document.getText().length, text: event.text });
      }
      size += event.text.length;
      const before = document.getText();
      TextDocument.update(document, [event], version);
      const { start, end, text } = changes[changes.length - 1]!;
      const index = this.indexes.get(document.uri);
      if (index?.text === before) this.indexes.set(document.uri, index.afterEdit(document.getText(), start, end, start + text.length));
      else this.indexes.delete(document.uri);
    }
    // Versions that do not increase (LSP says they do) would make "the edits since version n" ambiguous:
    // the log starts over, and the next pass sends the text.
    if (!(version > from)) {
      this.steps.delete(document.uri);
      return document;
    }
    let log = this.steps.get(document.uri);
    if (!log) this.steps.set(document.uri, (log = { steps: [], size: 0 }));
    log.steps.push({ from, to: version, changes });
    log.size += size;
    // Edits that add up to more than the text itself are no cheaper to send than the text: forgotten,
    // so the next pass sends the text (the chain from the version the process holds is broken).
    if (log.size > document.getText().length) this.steps.delete(document.uri);
    return document;
  }

  /** The changes that make version `to` of version `from`, in order; undefined when they are not all known. */
  changesSince(uri: string, from: number, to: number): TextChange[] | undefined {
    if (from === to) return [];
    const steps = this.steps.get(uri)?.steps;
    if (!steps) return undefined;
    // (Versions increase along the log and each step starts where the one before ended.)
    const first = steps.findIndex((step) => step.from === from);
    if (first < 0) return undefined;
    const changes: TextChange[] = [];
    for (const step of steps.slice(first)) {
      changes.push(...step.changes);
      if (step.to === to) return changes;
    }
    return undefined;
  }

  /** The analysis process now holds `version` of the document: the edits that led up to it are not needed again. */
  settled(uri: string, version: number): void {
    const log = this.steps.get(uri);
    if (!log) return;
    const last = log.steps.findIndex((step) => step.to === version);
    if (last < 0) return;
    for (const step of log.steps.splice(0, last + 1)) for (const change of step.changes) log.size -= change.text.length;
  }

  /**
   * The line index of an open document's `text`: the one moved along its edits
   * when `text` is its latest, else one made for it (kept when the document has none).
   */
  linesOf(uri: string, text: string): LineIndex {
    const index = this.indexes.get(uri);
    if (index?.text === text) return index;
    const made = new LineIndex(text);
    if (!index) this.indexes.set(uri, made);
    return made;
  }

  /** The document was closed. */
  forget(uri: string): void {
    this.steps.delete(uri);
    this.indexes.delete(uri);
  }
}

/** `text` with `changes` applied in order (the analysis process's side of changesSince). */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  let result = text;
  for (const change of changes) result = result.slice(0, change.start) + change.text + result.slice(change.end);
  return result;
}
