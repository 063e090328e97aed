/**
 * `--format sarif`: a SARIF 2.1.0 log, what GitHub code scanning and other CI
 * dashboards read (github/codeql-action/upload-sarif).
 *
 * - The rule table is generated from the rule registry (code, kebab-case name,
 *   summary, help, docs URL, default level), followed by the file problem codes
 *   (`syntax-error`, `decode-error`, `file-too-large`, `io-error`). Those are
 *   reported as results too, not as tool notifications: they are about a place
 *   in a file (a syntax error has a line), and a result is what code scanning
 *   shows next to the code.
 * - Paths are URIs relative to the working directory under `%SRCROOT%`, whose
 *   absolute `file://` URI is in `originalUriBaseIds`; a file outside the
 *   working directory gets an absolute `file://` URI.
 * - Columns are 1-based code points (`columnKind: "unicodeCodePoints"`); an end
 *   column is the column just past the range, as SARIF defines `endColumn`.
 * - HANG002's chain (the message's related locations) becomes
 *   `relatedLocations`, each with an id and a message, and the result's message
 *   links each step (`[calls die()](1)`), which code scanning shows as links.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { VFileMessage } from 'vfile-message';
import { severityOf, type PyhangMessage } from '../engine/lint.js';
import { rules } from '../../rules/index.js';
import { DOCS_BASE_URL, docsUrl, type RelatedLocation } from '../engine/rule.js';
import type { Reporter } from './types.js';
import { startOf, endOf, type LineColumn } from './places.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The repository's home page, from where the rule docs live. */
export const INFORMATION_URI = DOCS_BASE_URL.replace(/\/blob\/.*$/, '');
const SRCROOT = '%SRCROOT%';

/** The per-file problems: not rules, but reported like findings, so described like rules. */
const FILE_PROBLEMS: { id: string; summary: string; help: string; level?: 'error' }[] = [
  {
    id: 'syntax-error',
    summary: 'The file has a syntax error',
    help:
      'pyhang parses with tree-sitter, which recovers from syntax errors, and checks what it recovered; findings near the error may be missing. ' +
      'A warning unless [tool.pyhang.severity] makes it an error.',
  },
  {
    id: 'decode-error',
    summary: 'The file could not be decoded, so it was not checked',
    help:
      'The file is not valid UTF-8 and has no PEP 263 coding cookie naming its encoding, names an unknown encoding, or holds NUL bytes. ' +
      'Add a coding cookie or re-encode the file as UTF-8.',
  },
  {
    id: 'file-too-large',
    summary: 'The file is larger than max-file-size, so it was not checked',
    help: 'Raise max-file-size in [tool.pyhang] to check it, or exclude it.',
  },
  {
    id: 'io-error',
    summary: 'The file could not be read',
    help: 'The file disappeared or could not be opened while pyhang ran.',
  },
  {
    id: 'internal-error',
    summary: 'pyhang, or one of its rules, failed on this file, so it was not fully checked',
    help:
      'A bug in pyhang: the other files (and the other rules on this file) were still checked. Always an error, and the run ends with exit code 2. ' +
      'Please report it with the file (or a reduced copy).',
    level: 'error',
  },
];

interface ReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: 'error' | 'warning' };
}

export function sarifRules(): ReportingDescriptor[] {
  const fromRegistry = rules.map(
    ({ meta }): ReportingDescriptor => ({
      id: meta.code,
      name: meta.name,
      shortDescription: { text: meta.summary },
      fullDescription: { text: meta.help },
      help: { text: meta.help, markdown: `${meta.help}\n\n[${meta.code} ${meta.name}](${docsUrl(meta.code)})` },
      helpUri: docsUrl(meta.code),
      defaultConfiguration: { level: meta.defaultSeverity },
    }),
  );
  const problems = FILE_PROBLEMS.map(
    (problem): ReportingDescriptor => ({
      id: problem.id,
      name: problem.id,
      shortDescription: { text: problem.summary },
      fullDescription: { text: problem.help },
      help: { text: problem.help, markdown: problem.help },
      helpUri: `${INFORMATION_URI}#configuration`,
      defaultConfiguration: { level: problem.level ?? 'warning' },
    }),
  );
  return [...fromRegistry, ...problems];
}

export const sarif: Reporter = (files, options) => {
  const table = sarifRules();
  const indexOf = new Map(table.map((rule, index) => [rule.id, index]));
  const cwd = path.resolve(options.cwd);
  const results = files.flatMap((file) =>
    file.messages.map((message) => toResult(message, file.path, indexOf, cwd)),
  );
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pyhang',
            ...(options.version ? { version: options.version, semanticVersion: options.version } : {}),
            informationUri: INFORMATION_URI,
            rules: table,
          },
        },
        // SARIF wants a base URI to end with a slash.
        originalUriBaseIds: { [SRCROOT]: { uri: withTrailingSlash(pathToFileURL(cwd).href) } },
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

function toResult(message: VFileMessage, filePath: string, indexOf: Map<string, number>, cwd: string): object {
  const ruleId = String(message.ruleId ?? '');
  const related = (message as PyhangMessage).related ?? [];
  const result: Record<string, unknown> = {
    ruleId,
    ...(indexOf.has(ruleId) ? { ruleIndex: indexOf.get(ruleId) } : {}),
    level: severityOf(message) === 'error' ? 'error' : severityOf(message) === 'warning' ? 'warning' : 'note',
    message: { text: related.length > 0 ? withStepLinks(message.reason, related) : message.reason },
    locations: [{ physicalLocation: physicalLocation(filePath, startOf(message), endOf(message), cwd) }],
  };
  if (related.length > 0) {
    result['relatedLocations'] = related.map((step, i) => ({
      id: i + 1,
      message: { text: step.message },
      physicalLocation: physicalLocation(step.path, step.loc.start, step.loc.end, cwd),
    }));
  }
  return result;
}

/**
 * Appends a link to each related location (SARIF §3.11.6 embedded links,
 * `[text](id)`). A message with links must escape its literal brackets.
 */
function withStepLinks(reason: string, related: RelatedLocation[]): string {
  const links = related.map((step, i) => `[${escapeBrackets(step.message)}](${i + 1})`);
  return `${escapeBrackets(reason)} (steps: ${links.join(', ')})`;
}

function escapeBrackets(text: string): string {
  return text.replace(/[[\]\\]/g, (c) => `\\${c}`);
}

function physicalLocation(filePath: string, start: LineColumn, end: LineColumn | undefined, cwd: string): object {
  return { artifactLocation: artifactLocation(filePath, cwd), region: region(start, end ?? start) };
}

function region(start: LineColumn, end: LineColumn): object {
  // A range that ends before it starts would not validate; it cannot come from the core, but never emit one.
  const ordered = end.line > start.line || (end.line === start.line && end.column >= start.column);
  const last = ordered ? end : start;
  return { startLine: start.line, startColumn: start.column, endLine: last.line, endColumn: last.column };
}

/** A path as a URI relative to `%SRCROOT%` (the working directory), or an absolute `file://` URI outside it. */
export function artifactLocation(filePath: string, cwd: string): { uri: string; uriBaseId?: string } {
  const absolute = path.resolve(cwd, filePath);
  const relative = path.relative(cwd, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { uri: pathToFileURL(absolute).href };
  }
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function withTrailingSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}
