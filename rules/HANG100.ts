import type { Rule } from '../src/engine/rule.js';
import type { Fix } from '../src/python/facts.js';

/**
 * HANG100 unused-noqa (Ruff's RUF100).
 *
 * A `# noqa: HANG001` that silences nothing is a promise the code no longer
 * keeps: it hides the next finding on that line, which no one reviewed. One
 * naming a code pyhang does not have (`# noqa: HANG01`, a typo) silences
 * nothing it was meant to.
 *
 * Only what is pyhang's own is judged: codes that start with `HANG`, and
 * `# pyhang: noqa` file directives. A bare `# noqa` and codes of other tools
 * (`E501`) are shared with flake8 and Ruff, and a code of a rule that did not
 * run on the file (ignored, not selected) proves nothing either way.
 */
export const HANG100: Rule = {
  meta: {
    code: 'HANG100',
    name: 'unused-noqa',
    defaultSeverity: 'warning',
    summary: 'A `# noqa` directive that silences nothing, or names an unknown code',
    help:
      'Remove the directive, or the codes in it that silence nothing: a stale suppression hides the next finding on its line. ' +
      'A code pyhang does not have is most likely a typo of one it has.',
    messages: {
      unused: 'Unused `{directive}` directive ({details})',
    },
    fix: 'safe',
    docs: {
      finds: '`# noqa: HANG…` and `# pyhang: noqa: HANG…` directives that silence nothing, or name a code pyhang does not have',
    },
  },
  triggers: [],
  // Its findings are in comments, which the code-only triggers never see: a directive naming a HANG code
  // (`# noqa: E501, HANG001`, `# pyhang: noqa: hang004`); a bare `# noqa` or other tools' codes are not its own.
  commentTriggers: ['noqa[^\\r\\n]*hang'],
  check() {
    // Nothing to read from the facts: what a directive silenced is known only after the other rules ran.
  },
  checkSuppressions(context) {
    for (const { directive, used } of context.directives) {
      const ours = directive.codes.filter((code) => code.startsWith('HANG') && !'HANG100'.startsWith(code));
      const unknown = ours.filter((code) => !context.isKnownCode(code));
      const unused = ours.filter((code) => context.isKnownCode(code) && context.isEnabled(code) && !used.has(code));
      if (unknown.length === 0 && unused.length === 0) continue;
      const stale = new Set([...unknown, ...unused]);
      const kept = directive.codes.filter((code) => !stale.has(code));
      const details = [unused.length > 0 ? `unused: ${quoted(unused)}` : '', unknown.length > 0 ? `unknown: ${quoted(unknown)}` : '']
        .filter(Boolean)
        .join('; ');
      const fix: Fix =
        kept.length === 0
          ? { description: 'Remove the unused `noqa` directive', edits: [{ ...directive.removal, text: '' }] }
          : { description: `Remove ${quoted([...stale])} from the directive`, edits: [{ ...directive.list, text: kept.join(', ') }] };
      context.report({
        messageId: 'unused',
        data: { directive: directive.scope === 'file' ? 'pyhang: noqa' : 'noqa', details },
        loc: { start: directive.loc.start, end: directive.loc.end },
        fix,
      });
    }
  },
};

function quoted(codes: readonly string[]): string {
  return codes.map((code) => `\`${code}\``).join(', ');
}
