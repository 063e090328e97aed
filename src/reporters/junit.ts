/**
 * `--format junit`: JUnit XML, which CI systems (GitLab, Jenkins, Azure)
 * show as test results. As Ruff writes it: one `<testsuite>` per file with
 * findings, one failing `<testcase>` per finding, named `pyhang.CODE`, with
 * the message and its place; a run with no findings is one passing test case,
 * so the report is never empty.
 */
import { displayPath } from '../project/display-path.js';
import type { Reporter } from './types.js';
import { startOf } from './places.js';

export const junit: Reporter = (files, options) => {
  const suites: string[] = [];
  let total = 0;
  for (const file of files) {
    if (file.messages.length === 0) continue;
    const shown = displayPath(file.path, options.cwd);
    const cases = file.messages.map((message) => {
      const start = startOf(message);
      const code = String(message.ruleId ?? 'pyhang');
      const where = `${shown}:${start.line}:${start.column}`;
      return (
        `    <testcase name="${attribute(`pyhang.${code}`)}" classname="${attribute(shown)}" file="${attribute(shown)}" line="${start.line}">\n` +
        `      <failure message="${attribute(message.reason)}" type="${attribute(code)}">${text(`${where}: ${message.reason}`)}</failure>\n` +
        '    </testcase>'
      );
    });
    total += cases.length;
    suites.push(`  <testsuite name="${attribute(shown)}" tests="${cases.length}" failures="${cases.length}" errors="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  if (suites.length === 0) {
    suites.push('  <testsuite name="pyhang" tests="1" failures="0" errors="0">\n    <testcase name="No findings" classname="pyhang"/>\n  </testsuite>');
  }
  const tests = Math.max(total, 1);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="pyhang" tests="${tests}" failures="${total}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
};

/**
 * Characters XML 1.0 cannot hold at all (C0 controls other than tab and the
 * line ends, lone surrogates, U+FFFE/U+FFFF): a file name may contain them, so
 * they are drawn as U+FFFD rather than making the document unreadable.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attribute(value: string): string {
  // Line ends and tabs in an attribute would be normalised to spaces by a parser: keep them as references.
  return text(value).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
