/**
 * The contract every rule keeps with the rest of the repository, in the spirit
 * of ESLint's `Makefile.js checkRuleFiles`: a registered rule has a module, a
 * docs page with Ruff's sections, a RuleTester file and a finding in
 * `examples/`; nothing is documented or tested that is not registered; and the
 * generated rule tables are what `npm run docs` would write. Adding a rule
 * means satisfying this file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { rules } from '../../rules/index.js';
import { generatedTables, withGenerated } from '../../scripts/rule-tables.js';
import { repoRoot, runPyhang } from '../cli/run-pyhang.js';

const codes = rules.map((rule) => rule.meta.code);

/** The sections of a rule page, in order: Ruff's, plus how to configure and silence the rule. */
const PAGE_SECTIONS = ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety', 'Options', 'Suppression', 'References'];

function read(relative: string): string {
  return fs.readFileSync(path.join(repoRoot, relative), 'utf8');
}

/** The codes named by the files in a folder whose names end in `suffix`. */
function codesIn(folder: string, suffix: string): string[] {
  return fs
    .readdirSync(path.join(repoRoot, folder))
    .filter((name) => name.endsWith(suffix) && name !== `index${suffix}`)
    .map((name) => name.slice(0, -suffix.length));
}

/** A page's `## ` headings, outside fenced code (a Python comment could start with `##`). */
function sections(page: string): string[] {
  let fenced = false;
  const headings: string[] = [];
  for (const line of page.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced && line.startsWith('## ')) headings.push(line.slice(3).trim());
  }
  return headings;
}

describe('the rule registry', () => {
  it('has unique codes of the form HANG000 and unique kebab-case names', () => {
    for (const { meta } of rules) {
      assert.match(meta.code, /^HANG\d{3}$/, `code ${meta.code}`);
      assert.match(meta.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `name of ${meta.code}: ${meta.name}`);
    }
    assert.equal(new Set(codes).size, codes.length, `codes are unique: ${codes.join(', ')}`);
    const names = rules.map((rule) => rule.meta.name);
    assert.equal(new Set(names).size, names.length, `names are unique: ${names.join(', ')}`);
  });

  it('registers every rule module under rules/, each under its own code', () => {
    assert.deepEqual(codesIn('rules', '.ts').sort(), [...codes].sort(), 'rules/*.ts and rules/index.ts list the same rules');
  });
});

describe('each registered rule', () => {
  for (const { meta } of rules) {
    describe(meta.code, () => {
      it(`has docs/rules/${meta.code}.md with its title, metadata line and the rule page sections`, () => {
        const file = `docs/rules/${meta.code}.md`;
        assert.ok(fs.existsSync(path.join(repoRoot, file)), `${file} is missing`);
        const page = read(file);
        const lines = page.split('\n');
        assert.equal(lines[0], `# ${meta.code}: ${meta.name}`, `${file}: title`);
        assert.ok(lines[2]!.startsWith(`Default severity: **${meta.defaultSeverity}**`), `${file}: line 3 states the default severity: ${lines[2]}`);
        assert.ok(lines[2]!.includes(meta.fix ? `Fix: **${meta.fix}**` : 'Fix: none'), `${file}: line 3 states the fix safety: ${lines[2]}`);
        const found = sections(page);
        assert.deepEqual(
          found.filter((heading) => PAGE_SECTIONS.includes(heading)),
          PAGE_SECTIONS,
          `${file} has the sections ${PAGE_SECTIONS.map((s) => `"## ${s}"`).join(', ')}, in that order; it has: ${found.join(', ')}`,
        );
      });

      it(`has test/rules/${meta.code}.test.ts, a RuleTester of it`, () => {
        const file = `test/rules/${meta.code}.test.ts`;
        assert.ok(fs.existsSync(path.join(repoRoot, file)), `${file} is missing`);
        assert.ok(read(file).includes(`ruleTester('${meta.code}'`), `${file} calls ruleTester('${meta.code}', ...)`);
      });
    });
  }
});

describe('nothing unregistered', () => {
  it('has a docs page', () => {
    const unknown = codesIn('docs/rules', '.md').filter((code) => !codes.includes(code));
    assert.deepEqual(unknown, [], 'docs/rules/ pages for codes the registry does not have');
  });

  it('has a rule test file', () => {
    const unknown = codesIn('test/rules', '.test.ts').filter((code) => !codes.includes(code));
    assert.deepEqual(unknown, [], 'test/rules/ files for codes the registry does not have');
  });
});

describe('the generated rule tables', () => {
  for (const { file, render } of generatedTables) {
    it(`${file} holds what the registry generates`, () => {
      const text = read(file);
      assert.equal(text, withGenerated(text, render(rules), file), `${file}'s rules table is out of date: run \`npm run docs\``);
    });
  }
});

describe('examples/', () => {
  it('shows every registered rule firing, through the built binary', () => {
    const result = runPyhang(['check', '--format', 'json', 'examples/'], { cwd: repoRoot });
    assert.equal(result.status, 1, result.stderr);
    const reported = new Set((JSON.parse(result.stdout) as { messages: { ruleId: string }[] }[]).flatMap((file) => file.messages.map((m) => m.ruleId)));
    assert.deepEqual(
      codes.filter((code) => !reported.has(code)),
      [],
      'registered rules that no file under examples/ triggers',
    );
  });
});
