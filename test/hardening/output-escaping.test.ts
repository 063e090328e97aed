/**
 * Output injection. A file name or a piece of source quoted in a message may
 * hold any character. In the formats people read (stylish, compact, full,
 * github, and pyhang's lines on stderr) control characters are drawn as
 * visible symbols, so a name holding a newline cannot start a line of its own
 * (which GitHub Actions would run as a workflow command: `::error ...`) and
 * an ESC cannot send escape sequences to the terminal. The machine formats
 * (JSON, SARIF) keep every character exactly, escaped as JSON escapes them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, makeProject, removeProject, reportedJson, HAZARD_HEAD } from './helpers.js';

const HUMAN_FORMATS = ['stylish', 'compact', 'full', 'github'];
/** C0 controls but the newline that ends each line, DEL and C1 controls. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;
const noControlInNames = { skip: os.platform() === 'win32' ? 'Windows forbids control characters in file names' : false };

/** A workflow command a hostile name or message would smuggle onto a line of its own. */
const INJECTED = '::error file=victim.py,line=1::pwned';

function assertNoInjection(text: string, what: string): void {
  assert.doesNotMatch(text, CONTROL, `${what} holds a control character: ${JSON.stringify(text)}`);
  for (const line of text.split('\n')) assert.ok(!line.startsWith('::error file=victim'), `${what}: a line starts a workflow command: ${line}`);
}

describe('file names with control characters', () => {
  const name = `evil\n${INJECTED}\u001b[2J\r\u009b31m\u007f.py`;

  it('are drawn visibly in every human format, one finding per github line', noControlInNames, (t) => {
    const root = makeProject({ [name]: `${HAZARD_HEAD}fut.result()\n` });
    t.after(() => removeProject(root));
    for (const format of HUMAN_FORMATS) {
      const result = check(['--format', format], root);
      assert.equal(result.status, 1, `${format}: ${result.stderr}`);
      assertNoInjection(result.stdout, format);
      assertNoInjection(result.stderr, `${format} (stderr)`);
      // (github escapes `:` and `,` in the name further: see below.)
      if (format !== 'github') assert.ok(result.stdout.includes('evil\u240a::error file=victim.py,line=1::pwned\u241b[2J\u240d\ufffd31m\u2421.py'), `${format}:\n${result.stdout}`);
    }
    const diff = check(['--diff', '--unsafe-fixes'], root);
    assertNoInjection(diff.stdout, '--diff');
    // The diff library quotes such a name in its headers as git does (C escapes); the lines themselves stay exact.
    assert.match(diff.stdout, /^\+\+\+ "evil\\n::error file=victim/m);
    const github = check(['--format', 'github'], root).stdout.split('\n').filter(Boolean);
    assert.equal(github.length, 1);
    assert.match(github[0]!, /^::error file=evil\u240a%3A%3Aerror file=victim\.py%2Cline=1%3A%3Apwned\u241b\[2J\u240d\ufffd31m\u2421\.py,line=7,/);
  });

  it('are kept exactly in JSON and SARIF', noControlInNames, (t) => {
    const root = makeProject({ [name]: `${HAZARD_HEAD}fut.result()\n` });
    t.after(() => removeProject(root));
    assert.deepEqual(reportedJson(check(['--format', 'json'], root).stdout, root).map((r) => r.file), [name]);
    const sarif = JSON.parse(check(['--format', 'sarif'], root).stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const uri = sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri;
    assert.equal(decodeURIComponent(uri), name);
  });

  it('are drawn visibly in pyhang\'s own lines on stderr', noControlInNames, (t) => {
    const root = makeProject({ 'ok.py': 'x = 1\n' });
    t.after(() => removeProject(root));
    const missing = check(['--format', 'github', `missing\n${INJECTED}\u001b[2J.py`, 'ok.py'], root);
    assert.equal(missing.status, 2);
    assertNoInjection(missing.stderr, 'path not found');
    assert.equal(missing.stderr, `pyhang: path not found: missing\u240a${INJECTED}\u241b[2J.py\n`);

    fs.writeFileSync(path.join(root, 'pyproject.toml'), `[tool.pyhang]\n"sel\\nect\\u001b[2J" = 1\n`);
    const config = check(['--format', 'github'], root);
    assert.equal(config.status, 2);
    assertNoInjection(config.stderr, 'config error');
    assert.match(config.stderr, /^pyhang: pyproject\.toml: \[tool\.pyhang\] unknown key 'sel\u240aect\u241b\[2J'/);

    const flag = check(['--format', 'github', '--select', `HANG001,X\n${INJECTED}`], root);
    assert.equal(flag.status, 2);
    assertNoInjection(flag.stderr, 'usage error');
  });
});

describe('source text quoted in messages', () => {
  // `.result()` on a call whose argument holds ESC sequences: the message quotes the call.
  const source = `${HAZARD_HEAD}asyncio.run_coroutine_threadsafe(work("\u001b[2J\u001b]0;title\u0007"), loop).result()\n`;

  it('has its control characters drawn visibly in every human format', (t) => {
    const root = makeProject({ 'quoted.py': source });
    t.after(() => removeProject(root));
    for (const format of HUMAN_FORMATS) {
      const result = check(['--format', format], root);
      assert.equal(result.status, 1, format);
      assertNoInjection(result.stdout, format);
      assert.ok(result.stdout.includes('work("\u241b[2J\u241b]0;title\u2407")'), `${format}:\n${result.stdout}`);
    }
  });

  it('is kept exactly in JSON', (t) => {
    const root = makeProject({ 'quoted.py': source });
    t.after(() => removeProject(root));
    const [finding] = reportedJson(check(['--format', 'json'], root).stdout, root);
    assert.ok(finding!.message.includes('work("\u001b[2J\u001b]0;title\u0007")'), finding!.message);
  });
});
