/**
 * `--format sarif`: the log validates against the official SARIF 2.1.0 schema
 * (the copy shipped in @microsoft/jest-sarif), its rule table is the rule
 * registry plus the file problem codes, and HANG002's chain across modules
 * becomes relatedLocations.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { rules } from '../../rules/index.js';
import { docsUrl } from '../../src/engine/rule.js';
import { allRules, repoRoot, runPyhang, tempProject, removeProject, hazardSource } from './helpers.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/**
 * The schema is draft-04; ajv 8 speaks draft-06 and later, which read it the
 * same once its draft-04 `id` and `$schema` are dropped. One of its patterns is
 * not valid under the `u` flag, hence `unicodeRegExp: false`. Formats (`uri`,
 * `uri-reference`, `date-time`) are checked with ajv-formats, not skipped.
 */
function sarifValidator() {
  const file = path.join(repoRoot, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete schema['id'];
  delete schema['$schema'];
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
const validate = sarifValidator();

function assertValid(log: unknown): void {
  const ok = validate(log);
  assert.ok(ok, `SARIF log does not validate:\n${JSON.stringify(validate.errors, null, 2)}`);
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: Record<string, any>[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    columnKind: string;
    results: Record<string, any>[];
  }[];
}

function sarifOf(cwd: string, args: string[] = []): { log: SarifLog; status: number | null; stderr: string } {
  const result = runPyhang(['check', '--format', 'sarif', ...args], { cwd });
  return { log: JSON.parse(result.stdout) as SarifLog, status: result.status, stderr: result.stderr };
}

const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('--format sarif', () => {
  const { log, status } = sarifOf(allRules);
  const run = log.runs[0]!;

  it('validates against the official SARIF 2.1.0 schema (every rule, a cross-module chain, a syntax error)', () => {
    assert.equal(status, 1);
    assertValid(log);
    const codes = new Set(run.results.map((result) => result.ruleId));
    for (const rule of rules) assert.ok(codes.has(rule.meta.code), `the fixture has no ${rule.meta.code} result`);
    assert.ok(codes.has('syntax-error'));
  });

  it('names the schema, the version and the tool', () => {
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(run.tool.driver.name, 'pyhang');
    assert.equal(run.tool.driver.version, version);
    assert.equal(run.tool.driver.informationUri, 'https://github.com/pyhang/pyhang');
    assert.equal(run.columnKind, 'unicodeCodePoints');
    assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: `${pathToFileURL(allRules).href}/` } });
  });

  it('generates the rule table from the rule metadata, then the file problem codes', () => {
    const table = run.tool.driver.rules;
    assert.deepEqual(
      table.map((rule) => rule['id']),
      [...rules.map((rule) => rule.meta.code), 'syntax-error', 'decode-error', 'file-too-large', 'io-error', 'internal-error'],
    );
    for (const [index, { meta }] of rules.entries()) {
      assert.deepEqual(table[index], {
        id: meta.code,
        name: meta.name,
        shortDescription: { text: meta.summary },
        fullDescription: { text: meta.help },
        help: { text: meta.help, markdown: `${meta.help}\n\n[${meta.code} ${meta.name}](${docsUrl(meta.code)})` },
        helpUri: docsUrl(meta.code),
        defaultConfiguration: { level: meta.defaultSeverity },
      });
    }
    assert.equal(table.find((rule) => rule['id'] === 'syntax-error')!['defaultConfiguration'].level, 'warning');
  });

  it('points each result at its rule and gives its level, message and region', () => {
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result['ruleIndex']]!['id'], result['ruleId']);
    }
    const hang001 = run.results.find((result) => result['ruleId'] === 'HANG001')!;
    assert.equal(hang001['level'], 'error');
    assert.match(hang001['message'].text, /^`future\.result\(\)` can block forever without a timeout/);
    assert.deepEqual(hang001['locations'], [
      {
        physicalLocation: {
          artifactLocation: { uri: 'pkg/client.py', uriBaseId: '%SRCROOT%' },
          region: { startLine: 10, startColumn: 18, endLine: 10, endColumn: 27 },
        },
      },
    ]);
    assert.equal(run.results.find((result) => result['ruleId'] === 'HANG004')!['level'], 'warning');
    const syntax = run.results.find((result) => result['ruleId'] === 'syntax-error')!;
    assert.equal(syntax['level'], 'warning');
    assert.equal(syntax['locations'][0].physicalLocation.artifactLocation.uri, 'broken.py');
    assert.equal(syntax['locations'][0].physicalLocation.region.startLine, 4);
  });

  it('turns the HANG002 chain into relatedLocations with ids and messages, linked from the message', () => {
    const hang002 = run.results.find((result) => result['ruleId'] === 'HANG002')!;
    assert.equal(hang002['level'], 'error', 'escalated: the coroutine is submitted to another thread');
    assert.equal(hang002['locations'][0].physicalLocation.artifactLocation.uri, 'pkg/handlers.py');
    assert.deepEqual(hang002['relatedLocations'], [
      {
        id: 1,
        message: { text: 'raises SystemExit here' },
        physicalLocation: {
          artifactLocation: { uri: 'pkg/bridge.py', uriBaseId: '%SRCROOT%' },
          region: { startLine: 12, startColumn: 5, endLine: 12, endColumn: 16 },
        },
      },
      {
        id: 2,
        message: { text: 'handle() is submitted to an event loop in another thread here' },
        physicalLocation: {
          artifactLocation: { uri: 'pkg/client.py', uriBaseId: '%SRCROOT%' },
          region: { startLine: 9, startColumn: 14, endLine: 9, endColumn: 65 },
        },
      },
    ]);
    assert.match(hang002['message'].text, / \(steps: \[raises SystemExit here\]\(1\), \[handle\(\) is submitted to an event loop in another thread here\]\(2\)\)$/);
  });

  it('is valid with no results, and exits 0', () => {
    const root = tempProject({ 'ok.py': 'print("fine")\n' });
    try {
      const clean = sarifOf(root);
      assert.equal(clean.status, 0);
      assertValid(clean.log);
      assert.deepEqual(clean.log.runs[0]!.results, []);
    } finally {
      removeProject(root);
    }
  });

  it('percent-encodes paths into URIs, and uses file:// URIs outside the working directory', () => {
    const root = tempProject({ 'my dir/ünï #1.py': hazardSource(), 'inside/x.py': '' });
    try {
      const inside = sarifOf(root);
      assertValid(inside.log);
      assert.equal(inside.log.runs[0]!.results[0]!['locations'][0].physicalLocation.artifactLocation.uri, 'my%20dir/%C3%BCn%C3%AF%20%231.py');
      const outside = sarifOf(path.join(root, 'inside'), ['..']);
      assertValid(outside.log);
      assert.deepEqual(outside.log.runs[0]!.results[0]!['locations'][0].physicalLocation.artifactLocation, {
        uri: pathToFileURL(path.join(root, 'my dir', 'ünï #1.py')).href,
      });
    } finally {
      removeProject(root);
    }
  });

  it('counts columns in code points', () => {
    const root = tempProject({ 'wide.py': hazardSource('print("日本語 🐍", ') .replace('fut.result()\n', 'fut.result())\n') });
    try {
      const { log: wide } = sarifOf(root);
      assertValid(wide);
      // `print("日本語 🐍", fut` is 18 code points (🐍 is two UTF-16 units but one code point).
      assert.deepEqual(wide.runs[0]!.results[0]!['locations'][0].physicalLocation.region, {
        startLine: 6,
        startColumn: 19,
        endLine: 6,
        endColumn: 28,
      });
    } finally {
      removeProject(root);
    }
  });
});
