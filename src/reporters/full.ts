/**
 * `--format full`: each finding as Ruff's full output shows it, a header line
 * `path:line:col: CODE message` and a code frame with the range underlined;
 * then, for HANG002, each step of the chain as a note with its own short frame,
 * the rule's help (why it matters, what to do), and the fix's description. A summary ends the output:
 *
 *   hazard.py:7:10: HANG001 `fut.result()` can block forever without a timeout
 *     |
 *   5 |     return 1
 *   6 | fut = asyncio.run_coroutine_threadsafe(work(), loop)
 *   7 | print(fut.result())
 *     |          ^^^^^^^^^ HANG001
 *   8 | print(fut.result(timeout=5))
 *     |
 *     = help: A future returned by asyncio.run_coroutine_threadsafe() is completed …
 *     = help: Pass timeout=30 (unsafe fix)
 *
 *   Found 1 error.
 *   No fixes available (1 hidden fix can be enabled with the --unsafe-fixes option).
 *
 * With `--color` (by default when stdout is a terminal) it is coloured as Ruff
 * colours it: the path bold, the code and the underline red (yellow for a
 * warning), the gutter blue, `help:` and `note:` cyan.
 *
 * Source lines come from `options.sourceText` (the texts the CLI read); a file
 * whose text is not available gets the header only.
 */
import { displayPath } from '../project/display-path.js';
import { FILE_PROBLEM_CODES, severityOf, type PyhangMessage } from '../engine/lint.js';
import { fixSafety, isFixApplicable } from '../engine/fix.js';
import type { Reporter } from './types.js';
import { startOf, endOf } from './places.js';
import { codeFrame } from './code-frame.js';
import { ansiPaint, noPaint } from './terminal-text.js';
import { ruleByCode } from '../../rules/index.js';
import { fixAvailability, plural } from './fix-summary.js';

/** Lines of context around a finding; related locations show their own lines only. */
const CONTEXT_LINES = 2;

export const full: Reporter = (files, options) => {
  const unsafeFixes = options.unsafeFixes ?? false;
  const paint = options.color ? ansiPaint : noPaint;
  const note = (kind: 'note' | 'help'): string => `${paint('gutter', '=')} ${paint('label', `${kind}:`)}`;
  const blocks: string[] = [];
  let errors = 0;
  let warnings = 0;
  let applicable = 0;
  let hidden = 0;
  const texts = new Map<string, string | undefined>();
  const textOf = (file: string): string | undefined => {
    if (!texts.has(file)) texts.set(file, options.sourceText?.(file));
    return texts.get(file);
  };

  for (const file of files) {
    const shown = displayPath(file.path, options.cwd);
    for (const message of file.messages) {
      if (severityOf(message) === 'error') errors++;
      else warnings++;
      const fixable = isFixApplicable(message, unsafeFixes);
      if (fixable) applicable++;
      else if (fixSafety(message) === 'unsafe') hidden++;

      const start = startOf(message);
      const end = endOf(message) ?? start;
      const code = String(message.ruleId ?? '');
      const severity = severityOf(message) === 'error' ? 'error' : 'warning';
      const lines = [
        `${paint('path', shown)}:${start.line}:${start.column}: ${paint(severity, code)} ${fixable ? `${paint('fixable', '[*]')} ` : ''}${message.reason}`,
      ];
      // Problems about the whole file (it could not be read or decoded, or is too large) have no place to show.
      const hasPlace = !(FILE_PROBLEM_CODES as readonly string[]).includes(code) || code === 'syntax-error';
      const text = hasPlace ? textOf(file.path) : undefined;
      if (text !== undefined) lines.push(...codeFrame(text, start, end, { context: CONTEXT_LINES, label: code, paint, severity }));

      const { related, fix } = message as PyhangMessage;
      for (const step of related ?? []) {
        lines.push(`  ${note('note')} ${displayPath(step.path, options.cwd)}:${step.loc.start.line}:${step.loc.start.column}: ${step.message}`);
        const stepText = textOf(step.path);
        if (stepText !== undefined) lines.push(...codeFrame(stepText, step.loc.start, step.loc.end, { context: 0, paint, severity }));
      }
      // The rule's reason and advice, which the one-sentence message leaves out (Ruff's `help:`).
      const help = ruleByCode(code)?.meta.help;
      if (help) lines.push(`  ${note('help')} ${help}`);
      if (fix) lines.push(`  ${note('help')} ${fix.description}${fixSafety(message) === 'unsafe' ? ' (unsafe fix)' : ''}`);
      blocks.push(lines.join('\n'));
    }
  }
  if (blocks.length === 0) return '';

  const found = [errors > 0 || warnings === 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(' and ');
  const summary = [`Found ${found}.`, fixAvailability(applicable, hidden, unsafeFixes)].filter(Boolean);
  return `${blocks.join('\n\n')}\n\n${summary.join('\n')}\n`;
};
