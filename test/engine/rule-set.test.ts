/**
 * The rule set is an input of the engine (LintOptions.rules): a rule written
 * here registers and reports by being passed in, with no edit anywhere else; a
 * rule that throws is contained to one internal-error message on its file; and
 * a rule's options come from its meta.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lint, isInternalError, failsRun, severityOf, type PyhangMessage } from '../../src/engine/lint.js';
import { defineRule, resolveRuleOptions, type Rule } from '../../src/engine/rule.js';
import { fixSafety } from '../../src/engine/fix.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';
import { validateTable, ConfigError } from '../../src/config/config.js';
import { rules } from '../../rules/index.js';
import { HANG001 } from '../../rules/HANG001.js';
import { coroutineWaits, throwingRule, waitInCoroutine, waitsInCoroutine } from './test-rules.js';
import { Workspace } from '../../src/server/workspace.js';
import { FileLocator, toFindings } from '../../src/server/diagnostics.js';
import { LineIndex } from '../../src/python/positions.js';
import { loadWasmParser } from '../../src/python/parser.js';

// The Workspace parses documents incrementally with web-tree-sitter, which the server loads first.
await loadWasmParser();

const settings = defaultSettings('/virtual');


function lintText(text: string, options: { rules?: readonly Rule[]; settings?: Settings } = {}) {
  const files = lint([{ path: '/virtual/app.py', text }], { settingsFor: () => options.settings ?? settings, rules: options.rules });
  return files[0]!.messages as PyhangMessage[];
}

const summary = (messages: PyhangMessage[]) => messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`);

describe('a rule written outside rules/ (LintOptions.rules)', () => {
  it('registers and reports by being passed in, beside the registry, and only where it applies', () => {
    const messages = lintText(waitsInCoroutine, { rules: [...rules, waitInCoroutine] });
    // The sync caller's bounded wait() is fine; its .result() is HANG001's; the coroutine's wait() is the new rule's.
    assert.deepEqual(summary(messages), ['8:5 TEST901', '12:12 HANG001']);
    const finding = messages[0]!;
    assert.equal(finding.reason, '`wait()` inside coroutine `handler` blocks its event loop while it waits; await asyncio.wrap_future() instead');
    assert.equal(finding.ruleName, 'threadsafe-wait-in-coroutine');
    assert.equal(finding.messageId, 'blocking');
    assert.equal(severityOf(finding), 'warning');
  });

  it('the rule set replaces the registry: alone, only it runs; by default, only the registry does', () => {
    assert.deepEqual(summary(lintText(waitsInCoroutine, { rules: [waitInCoroutine] })), ['8:5 TEST901']);
    assert.deepEqual(summary(lintText(waitsInCoroutine)), ['12:12 HANG001']);
  });

  it('is configured like a registry rule: ignore and severity apply to its code', () => {
    const ignoring = { ...settings, ignore: ['TEST901'] };
    assert.deepEqual(summary(lintText(waitsInCoroutine, { rules: [waitInCoroutine], settings: ignoring })), []);
    const erroring = { ...settings, severity: { TEST901: 'error' as const } };
    assert.equal(severityOf(lintText(waitsInCoroutine, { rules: [waitInCoroutine], settings: erroring })[0]!), 'error');
  });

  it('its fix safety is read from the rule set it ran in', () => {
    const fixing = defineRule({
      meta: { ...waitInCoroutine.meta, code: 'TEST902', fix: 'safe' },
      triggers: waitInCoroutine.triggers,
      facts: [coroutineWaits],
      check(context) {
        for (const wait of context.extracted(coroutineWaits)) {
          context.report({ messageId: 'blocking', data: {}, loc: wait.loc, fix: { description: 'nothing', edits: [{ start: 0, end: 0, text: '' }] } });
        }
      },
    });
    const [message] = lintText(waitsInCoroutine, { rules: [fixing] });
    assert.equal(fixSafety(message!, [fixing]), 'safe');
    assert.equal(fixSafety(message!), null, 'the registry does not know TEST902');
  });
});

describe('a rule that throws', () => {
  it('becomes one internal-error message naming the rule, on that file; the other rules still report there', () => {
    const messages = lintText(waitsInCoroutine, { rules: [waitInCoroutine, throwingRule('TEST999'), HANG001] });
    assert.deepEqual(summary(messages), ['1:1 internal-error', '8:5 TEST901', '12:12 HANG001']);
    const [problem] = messages;
    assert.equal(
      problem!.reason,
      "Rule TEST999 (always-throws) failed on this file and did not finish checking it (Cannot read properties of undefined (reading 'loc')); please report this",
    );
    assert.equal(problem!.file, '/virtual/app.py');
    assert.ok(isInternalError(problem!));
    assert.equal(severityOf(problem!), 'error', 'an internal error is always an error');
    assert.ok(failsRun(problem!));
  });

  it('keeps what it reported before it threw, and other files are checked as usual', () => {
    const halfway: Rule = {
      meta: { ...waitInCoroutine.meta, code: 'TEST903', name: 'reports-then-throws' },
      triggers: waitInCoroutine.triggers,
      facts: [coroutineWaits],
      check(context) {
        waitInCoroutine.check(context as never);
        if (context.extracted(coroutineWaits).length > 0) throw new Error('boom');
      },
    };
    const files = lint(
      [
        { path: '/virtual/app.py', text: waitsInCoroutine },
        { path: '/virtual/quiet.py', text: 'x = 1\n' },
      ],
      { settingsFor: () => settings, rules: [halfway, HANG001] },
    );
    assert.deepEqual(
      files.map((file) => summary(file.messages as PyhangMessage[])),
      [['1:1 internal-error', '8:5 TEST903', '12:12 HANG001'], []],
    );
    assert.match(files[0]!.messages[0]!.reason, /^Rule TEST903 \(reports-then-throws\) failed on this file .*\(boom\); please report this$/);
  });

  it('cannot be silenced: a severity setting for internal-error does not turn it off or down', () => {
    assert.throws(
      () => validateTable({ severity: { 'internal-error': 'off' } }, 'pyproject.toml'),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message === 'pyproject.toml: [tool.pyhang] severity.internal-error: internal-error is always an error (the file was not fully checked, so the run fails with exit code 2), got "off"',
    );
    assert.deepEqual(validateTable({ severity: { 'internal-error': 'error' } }, 'pyproject.toml'), { severity: { 'internal-error': 'error' } });
    // Settings made in code (not through the config file) cannot lower it either.
    const lowered = { ...settings, severity: { 'internal-error': 'off' as const } };
    const messages = lintText(waitsInCoroutine, { rules: [throwingRule('TEST999')], settings: lowered });
    assert.deepEqual(summary(messages), ['1:1 internal-error']);
    assert.equal(severityOf(messages[0]!), 'error');
  });
});

describe('the language server', () => {
  it('shows a throwing rule as an error diagnostic on the document, beside the other rules\' findings', () => {
    const workspace = new Workspace({ rules: [throwingRule('TEST999'), waitInCoroutine, HANG001] });
    const document = { uri: 'file:///virtual/app.py', path: '/virtual/app.py', version: 1, text: waitsInCoroutine };
    const pass = workspace.lintDocuments([document]);
    const [result] = pass.documents;
    assert.ok(result!.messages, `the document was dropped: ${String(result!.error)}`);
    const findings = toFindings(result!.messages, new LineIndex(document.text), new FileLocator([document]));
    assert.deepEqual(
      findings.map(({ diagnostic }) => [diagnostic.code, diagnostic.severity, diagnostic.range.start.line]),
      [
        ['internal-error', 1, 0],
        ['TEST901', 2, 7],
        ['HANG001', 1, 11],
      ],
    );
    assert.match(findings[0]!.diagnostic.message, /^Rule TEST999 \(always-throws\) failed on this file/);
  });
});

describe("a rule's options live in its meta", () => {
  it("HANG001 declares fix-timeout with its schema, and config validation reads it from there", () => {
    assert.deepEqual(HANG001.meta.options?.['fix-timeout'], {
      type: 'positive number',
      unit: 'seconds',
      default: 30,
      description: "Seconds written by HANG001's fix (`.result(timeout=N)`).",
    });
    assert.deepEqual(validateTable({ 'fix-timeout': 2.5 }, 'pyproject.toml'), { ruleOptions: { 'fix-timeout': 2.5 } });
    for (const [value, got] of [['30', '"30"'], [0, '0'], [-1, '-1'], [true, 'true']] as const) {
      assert.throws(
        () => validateTable({ 'fix-timeout': value }, 'pyproject.toml'),
        (error: unknown) =>
          error instanceof ConfigError && error.message === `pyproject.toml: [tool.pyhang] fix-timeout: expected a positive number of seconds, got ${got}`,
      );
    }
    assert.throws(
      () => validateTable({ 'fix-timout': 3 }, 'pyproject.toml'),
      (error: unknown) => error instanceof ConfigError && error.message === "pyproject.toml: [tool.pyhang] unknown key 'fix-timout' (did you mean 'fix-timeout'?)",
    );
  });

  it('the rule gets its typed options in context.options: the default, or the configured value', () => {
    assert.deepEqual(resolveRuleOptions(HANG001.meta, {}), { fixTimeout: 30 });
    assert.deepEqual(resolveRuleOptions(HANG001.meta, { 'fix-timeout': 7 }), { fixTimeout: 7 });
    assert.deepEqual(resolveRuleOptions(waitInCoroutine.meta, { 'fix-timeout': 7 }), {}, 'only the options it declares');

    const seen: unknown[] = [];
    const reading = defineRule({
      meta: {
        ...waitInCoroutine.meta,
        code: 'TEST904',
        options: {
          'max-waits': { type: 'positive number', default: 3, description: 'How many waits are fine.' },
          'also-sync': { type: 'boolean', default: false, description: 'Report outside coroutines too.' },
        },
      },
      triggers: [],
      check(context) {
        // Typed: a number and a boolean (this would not compile with a misspelt property).
        const limit: number = context.options.maxWaits;
        const alsoSync: boolean = context.options.alsoSync;
        seen.push([limit, alsoSync]);
      },
    });
    lintText(waitsInCoroutine, { rules: [reading] });
    lintText(waitsInCoroutine, { rules: [reading], settings: { ...settings, ruleOptions: { 'max-waits': 5, 'also-sync': true } } });
    assert.deepEqual(seen, [
      [3, false],
      [5, true],
    ]);
  });

  it('HANG001 writes the configured fix-timeout into its fix', () => {
    const text = `${waitsInCoroutine}`;
    const fixOf = (ruleOptions: Record<string, unknown>) =>
      lintText(text, { settings: { ...settings, ruleOptions } }).find((m) => m.ruleId === 'HANG001')!.fix!.edits[0]!.text;
    assert.equal(fixOf({}), 'timeout=30');
    assert.equal(fixOf({ 'fix-timeout': 2.5 }), 'timeout=2.5');
  });
});
