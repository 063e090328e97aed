/**
 * Text from outside (file names, source quoted in messages, keys of a
 * configuration file) on its way to a terminal or a CI log. A control
 * character there is an instruction to whatever reads the output: a newline
 * starts a line that GitHub Actions runs as a workflow command (`::error ...`),
 * ESC starts a terminal escape sequence (clear the screen, set the title,
 * rewrite what is shown), a carriage return overwrites the line. So in every
 * format meant for people, each C0 control (tab and newline included), DEL
 * and each C1 control is drawn as a visible symbol: the Unicode "control
 * pictures" (U+2400 ...) for C0 and DEL, U+FFFD for C1. Machine formats (JSON,
 * SARIF) keep the text exact: their own escaping makes it safe.
 */
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import type { PyhangMessageData } from '../engine/lint.js';
import type { Reporter, ReporterOptions, StreamingReporter } from './types.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/gu;

/** How a human format marks a part of its output (Ruff's colours for its full output). */
export type Style = 'path' | 'error' | 'warning' | 'gutter' | 'label' | 'fixable';

const SGR: Record<Style, string> = {
  path: '1', // bold
  error: '1;31', // bold red
  warning: '1;33', // bold yellow
  gutter: '1;34', // bold blue
  label: '1;36', // bold cyan
  fixable: '36', // cyan
};

/** Colours text for a terminal, or leaves it as it is; the text must already be escaped (it is wrapped, not read). */
export type Paint = (style: Style, text: string) => string;

export const noPaint: Paint = (_style, text) => text;
export const ansiPaint: Paint = (style, text) => (text === '' ? text : `\u001b[${SGR[style]}m${text}\u001b[0m`);

/** A control character as a visible symbol, or null for any other code point. */
export function visibleControl(code: number): string | null {
  if (code < 0x20) return String.fromCodePoint(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  if (code >= 0x80 && code < 0xa0) return '\ufffd';
  return null;
}

/** `text` with every control character drawn visibly (see the module comment); other text is unchanged. */
export function escapeControlCharacters(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROLS, (char) => visibleControl(char.codePointAt(0)!)!);
}

/**
 * A reporter for people: it is handed copies of the files and messages whose
 * paths and texts are escaped, so no format can forget one. Source lines it
 * asks for are looked up under the original paths (code frames draw controls
 * visibly themselves).
 */
export function forPeople(report: Reporter): Reporter {
  return (files, options) => {
    const escaping = escaper(options);
    return report(files.map(escaping.file), escaping.options);
  };
}

/** The same for a format printed file by file (see ReportStream). */
export function streamForPeople(stream: StreamingReporter): StreamingReporter {
  return (options) => {
    const escaping = escaper(options);
    const started = stream(escaping.options);
    return { file: (file) => started.file(escaping.file(file)), end: (files) => started.end(files.map(escaping.file)) };
  };
}

/** Escaped copies of files, and the options to report them with (see forPeople). */
function escaper(options: ReporterOptions): { file: (file: VFile) => VFile; options: ReporterOptions } {
  const originals = new Map<string, string>();
  const escapePath = (file: string): string => {
    const shown = escapeControlCharacters(file);
    if (shown !== file) originals.set(shown, file);
    return shown;
  };
  const sourceText = options.sourceText;
  return {
    file: (file) => {
      const copy = new VFile({ path: escapePath(file.path) });
      copy.messages = file.messages.map((message) => escapeMessage(message, escapePath));
      return copy;
    },
    options: {
      ...options,
      // Paths are shown relative to the working directory, so it is escaped as they are.
      cwd: escapeControlCharacters(options.cwd),
      sourceText: sourceText && ((file) => sourceText(originals.get(file) ?? file)),
    },
  };
}

function escapeMessage(message: VFileMessage, escapePath: (file: string) => string): VFileMessage {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(message) as object) as VFileMessage & PyhangMessageData, message);
  const { related, fix } = message as VFileMessage & PyhangMessageData;
  copy.reason = escapeControlCharacters(message.reason);
  copy.message = escapeControlCharacters(message.message);
  if (typeof message.file === 'string') copy.file = escapePath(message.file);
  if (typeof message.ruleId === 'string') copy.ruleId = escapeControlCharacters(message.ruleId);
  if (typeof message.note === 'string') copy.note = escapeControlCharacters(message.note);
  if (related) copy.related = related.map((step) => ({ ...step, path: escapePath(step.path), message: escapeControlCharacters(step.message) }));
  if (fix) copy.fix = { ...fix, description: escapeControlCharacters(fix.description) };
  return copy;
}
