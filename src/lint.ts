/**
 * The one core lint function. Every front end (CLI, language server, pre-commit
 * hook through the CLI) calls `lint`; none re-implements analysis.
 *
 * Flow: decode → parse → per-module facts (tree and text dropped) → project
 * index over all facts → rules → VFileMessages, sorted.
 */
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import { decodeSource } from './decode.js';
import { analyzeModule } from './module-analysis.js';
import { ProjectIndex } from './project-index.js';
import { moduleNameFor } from './module-names.js';
import type { ModuleFacts, Loc, Fix } from './facts.js';
import { severityFor, type Settings, type Severity } from './settings.js';
import { rules } from '../rules/index.js';
import { formatMessage, docsUrl, type RelatedLocation, type RuleReport } from './rule.js';
import { isSuppressed } from './noqa.js';

export interface SourceFile {
  /** Path shown in output; also used to find the module name and the settings. */
  path: string;
  /** Decoded text (editors, stdin). */
  text?: string;
  /** Raw bytes (files on disk): decoded here with PEP 263 and BOM rules. */
  bytes?: Uint8Array;
}

export interface LintOptions {
  /** Settings for a file (from the pyproject.toml that governs it, plus CLI flags). */
  settingsFor: (path: string) => Settings;
  /** Only these paths get messages; the others only feed the project index. Default: all sources. */
  report?: (path: string) => boolean;
  /** Facts computed earlier (the cache, the server), keyed by path; used instead of re-analysing. */
  knownFacts?: (path: string, text: string) => ModuleFacts | undefined;
  /** Told about facts computed here, so a cache can keep them. */
  onFacts?: (path: string, text: string, facts: ModuleFacts) => void;
}

/** Extra data pyhang puts on each VFileMessage, beside vfile's own fields. */
export interface PyhangMessageData {
  ruleName?: string;
  /** Which of the rule's message templates was used (as in ESLint's results). */
  messageId?: string;
  related?: RelatedLocation[];
  fix?: Fix;
}

export type PyhangMessage = VFileMessage & PyhangMessageData;

/** Codes of messages that are about the file itself rather than a rule. */
export const FILE_PROBLEM_CODES = ['syntax-error', 'decode-error', 'file-too-large'] as const;

/** Decodes and analyses one source into facts, or a message explaining why it could not. */
export function factsFor(
  source: SourceFile,
  settings: Settings,
): { facts: ModuleFacts | null; text: string | null; problem: { code: string; reason: string } | null } {
  let text = source.text;
  if (text === undefined) {
    const bytes = source.bytes ?? new Uint8Array();
    if (bytes.length > settings.maxFileSize) {
      return {
        facts: null,
        text: null,
        problem: {
          code: 'file-too-large',
          reason: `File skipped: ${bytes.length} bytes is over the limit of ${settings.maxFileSize} (max-file-size)`,
        },
      };
    }
    const decoded = decodeSource(bytes);
    if ('error' in decoded) return { facts: null, text: null, problem: { code: 'decode-error', reason: decoded.error } };
    text = decoded.text;
  } else if (text.length > settings.maxFileSize) {
    return {
      facts: null,
      text: null,
      problem: {
        code: 'file-too-large',
        reason: `File skipped: ${text.length} characters is over the limit of ${settings.maxFileSize} (max-file-size)`,
      },
    };
  }
  const { module, isPackage } = moduleNameFor(source.path);
  const facts = analyzeModule(text, { path: source.path, module, isPackage });
  return { facts, text, problem: null };
}

export function lint(sources: SourceFile[], options: LintOptions): VFile[] {
  const wanted = options.report ?? (() => true);
  const allFacts: ModuleFacts[] = [];
  const files: VFile[] = [];
  const factsByPath = new Map<string, ModuleFacts>();

  for (const source of sources) {
    const settings = options.settingsFor(source.path);
    let facts: ModuleFacts | null = null;
    let problem: { code: string; reason: string } | null = null;
    const known = source.text !== undefined ? options.knownFacts?.(source.path, source.text) : undefined;
    if (known) facts = known;
    else {
      const result = factsFor(source, settings);
      facts = result.facts;
      problem = result.problem;
      if (facts && result.text !== null) options.onFacts?.(source.path, result.text, facts);
    }
    if (facts) {
      allFacts.push(facts);
      factsByPath.set(source.path, facts);
    }
    if (wanted(source.path)) {
      const file = new VFile({ path: source.path });
      if (problem) addFileProblem(file, settings, problem.code, problem.reason, null);
      files.push(file);
    }
  }

  const project = new ProjectIndex(allFacts);
  for (const file of files) {
    const facts = factsByPath.get(file.path);
    if (!facts) continue;
    runRules(file, facts, project, options.settingsFor(file.path));
  }
  for (const file of files) sortMessages(file);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return files;
}

export function runRules(file: VFile, facts: ModuleFacts, project: ProjectIndex, settings: Settings): void {
  if (facts.syntaxError) {
    addFileProblem(file, settings, 'syntax-error', facts.syntaxError.message, facts.syntaxError.loc);
  }
  for (const rule of rules) {
    const configured = severityFor(settings, file.path, rule.meta.code, rule.meta.defaultSeverity);
    if (configured === null) continue;
    rule.check({
      facts,
      project,
      options: { fixTimeout: settings.fixTimeout },
      report(report: RuleReport) {
        if (isSuppressed(facts.noqa, report.loc.start.line, rule.meta.code)) return;
        // A rule may escalate (HANG002 when the coroutine is submitted); a user's explicit setting still wins.
        const explicit = settings.severity[rule.meta.code];
        const severity: Severity = explicit && explicit !== 'off' ? explicit : (report.severity ?? configured);
        const reason = formatMessage(rule.meta.messages[report.messageId] ?? report.messageId, report.data);
        addMessage(file, reason, report.loc, rule.meta.code, severity, {
          ruleName: rule.meta.name,
          messageId: report.messageId,
          related: report.related,
          fix: report.fix,
        });
      },
    });
  }
}

function addFileProblem(file: VFile, settings: Settings, code: string, reason: string, loc: Loc | null): void {
  const override = settings.severity[code];
  if (override === 'off') return;
  // Warnings by default: tree-sitter's recovery is not CPython's parser (it rejects a few valid
  // constructs, such as a dedent inside parentheses), and pyhang is nobody's syntax checker.
  const severity: Severity = override ?? 'warning';
  const where = loc ?? { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  addMessage(file, reason, where, code, severity, {});
}

function addMessage(
  file: VFile,
  reason: string,
  loc: Loc,
  code: string,
  severity: Severity,
  data: PyhangMessageData,
): void {
  const message = file.message(reason, {
    place: { start: { ...loc.start }, end: { ...loc.end } },
    ruleId: code,
    source: 'pyhang',
  }) as PyhangMessage;
  message.fatal = severity === 'error' ? true : false;
  if (/^HANG\d+$/.test(code)) message.url = docsUrl(code);
  if (data.ruleName) message.ruleName = data.ruleName;
  if (data.messageId) message.messageId = data.messageId;
  if (data.related && data.related.length > 0) message.related = data.related;
  if (data.fix) message.fix = data.fix;
}

function sortMessages(file: VFile): void {
  file.messages.sort((a, b) => {
    const la = a.place && 'start' in a.place ? a.place.start : a.place;
    const lb = b.place && 'start' in b.place ? b.place.start : b.place;
    return (
      (la?.line ?? 0) - (lb?.line ?? 0) ||
      (la?.column ?? 0) - (lb?.column ?? 0) ||
      String(a.ruleId).localeCompare(String(b.ruleId)) ||
      a.reason.localeCompare(b.reason)
    );
  });
}

/**
 * Whether a message fails the run (exit code 1): every rule finding, and a
 * per-file problem (syntax-error, decode-error, file-too-large) only when its
 * severity is configured as error.
 */
export function failsRun(message: VFileMessage): boolean {
  const code = String(message.ruleId ?? '');
  if ((FILE_PROBLEM_CODES as readonly string[]).includes(code)) return message.fatal === true;
  return true;
}

/** Messages of a file with their severity as a word; reporters use this rather than reading `fatal`. */
export function severityOf(message: VFileMessage): Severity | 'info' {
  return message.fatal === true ? 'error' : message.fatal === false ? 'warning' : 'info';
}
