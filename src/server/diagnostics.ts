/**
 * VFileMessages (what `lint()` returns) as LSP diagnostics. Ranges are in UTF-16
 * code units, as LSP requires: every message place carries `offset`, a UTF-16
 * offset into the text that was linted, and `LineIndex.lsp` turns it into a
 * position (positions have one home: src/python/positions.ts).
 */
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Position,
  type Range,
} from 'vscode-languageserver/node.js';
import type { Point } from '../python/positions.js';
import { LineIndex } from '../python/positions.js';
import { decodeSource } from '../python/decode.js';
import { readRegularFile } from '../project/regular-file.js';
import { severityOf, type PyhangMessage } from '../engine/lint.js';
import { fixRisk, fixSafety } from '../engine/fix.js';
import type { Fix } from '../python/facts.js';
import type { RelatedLocation } from '../engine/rule.js';

export const DIAGNOSTIC_SOURCE = 'pyhang';

/** A published diagnostic with what code actions need that LSP has no field for. */
export interface Finding {
  diagnostic: Diagnostic;
  /** The finding's fix (HANG001's `timeout=`, HANG100's removal), in UTF-16 offsets of the linted text. */
  fix?: Fix;
  /** Its safety, as `--fix` reads it: only safe fixes go into the fix-all action. */
  fixSafety?: 'safe' | 'unsafe';
  /** For an unsafe fix, what it may change (the rule's `meta.fixRisk`). */
  fixRisk?: string;
}

/**
 * Where a file other than the linted one lives, for `relatedInformation`: its URI
 * and, when its text can be had, a line index over it. Open documents answer from
 * their linted text; other files are read from disk once per pass.
 */
export class FileLocator {
  private readonly known = new Map<string, { uri: string; index: LineIndex | null }>();
  /** The open documents' texts, each indexed when first located (a 5,000-line text takes a millisecond). */
  private readonly texts = new Map<string, { uri: string; text: string }>();

  /** `linesOf`: an open document's line index, where one is kept (see EditLog.linesOf). */
  constructor(
    openDocuments: Iterable<{ path: string; uri: string; text: string }>,
    private readonly linesOf: (uri: string, text: string) => LineIndex = (_uri, text) => new LineIndex(text),
  ) {
    for (const document of openDocuments) this.texts.set(document.path, { uri: document.uri, text: document.text });
  }

  locate(file: string): { uri: string; index: LineIndex | null } {
    let entry = this.known.get(file);
    if (!entry) {
      const open = this.texts.get(file);
      entry = open ? { uri: open.uri, index: this.linesOf(open.uri, open.text) } : { uri: pathToFileURL(file).href, index: readIndex(file) };
      this.known.set(file, entry);
    }
    return entry;
  }
}

function readIndex(file: string): LineIndex | null {
  try {
    const decoded = decodeSource(readRegularFile(file));
    return 'error' in decoded ? null : new LineIndex(decoded.text);
  } catch {
    return null;
  }
}

export function toFindings(messages: readonly PyhangMessage[], index: LineIndex, locator: FileLocator): Finding[] {
  return messages.map((message) => {
    const finding: Finding = { diagnostic: toDiagnostic(message, index, locator) };
    const safety = fixSafety(message);
    if (message.fix && safety) {
      finding.fix = message.fix;
      finding.fixSafety = safety;
      const risk = fixRisk(message);
      if (risk) finding.fixRisk = risk;
    }
    return finding;
  });
}

export function toDiagnostic(message: PyhangMessage, index: LineIndex, locator: FileLocator): Diagnostic {
  const diagnostic: Diagnostic = {
    range: messageRange(message, index),
    severity: toSeverity(message),
    source: DIAGNOSTIC_SOURCE,
    message: message.reason,
  };
  if (message.ruleId) diagnostic.code = message.ruleId;
  if (message.url) diagnostic.codeDescription = { href: message.url };
  if (message.related && message.related.length > 0) {
    diagnostic.relatedInformation = message.related.map((related) => toRelatedInformation(related, locator));
  }
  return diagnostic;
}

function toSeverity(message: PyhangMessage): DiagnosticSeverity {
  const severity = severityOf(message);
  return severity === 'error' ? DiagnosticSeverity.Error : severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

function messageRange(message: PyhangMessage, index: LineIndex): Range {
  const place = message.place;
  if (place && 'start' in place) {
    const start = toPosition(place.start, index);
    return { start, end: place.end ? toPosition(place.end, index) : start };
  }
  if (place) {
    const at = toPosition(place, index);
    return { start: at, end: at };
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

/** A point of a linted file: from its UTF-16 offset, or from line and column when a place has none. */
function toPosition(point: Partial<Point> & { line?: number; column?: number }, index: LineIndex | null): Position {
  if (index && typeof point.offset === 'number') return index.lsp(point.offset);
  if (index && typeof point.line === 'number') {
    return index.lsp(index.offsetOfPoint(point.line, point.column ?? 1));
  }
  // No text to measure against: the code-point column is the best there is (exact for ASCII lines).
  return { line: Math.max(0, (point.line ?? 1) - 1), character: Math.max(0, (point.column ?? 1) - 1) };
}

function toRelatedInformation(related: RelatedLocation, locator: FileLocator): DiagnosticRelatedInformation {
  const { uri, index } = locator.locate(related.path);
  return {
    location: { uri, range: { start: toPosition(related.loc.start, index), end: toPosition(related.loc.end, index) } },
    message: related.message,
  };
}
