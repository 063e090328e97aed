/**
 * `--format github`: one GitHub Actions workflow command per finding, with
 * GitHub's escaping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeData, escapeProperty } from '../../src/reporters/github.js';
import { allRules, runPyhang, tempProject, removeProject, hazardSource } from './helpers.js';

describe('--format github', () => {
  it('prints one workflow command per finding: errors as ::error, warnings as ::warning', () => {
    const result = runPyhang(['check', '--format', 'github'], { cwd: allRules });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, '');
    const lines = result.stdout.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.deepEqual(
      lines.map((line) => `${line.slice(0, line.indexOf('::', 2))}::…`),
      [
        '::warning file=broken.py,line=4,col=7,endLine=4,endColumn=7,title=syntax-error::…',
        '::error file=pkg/client.py,line=10,col=18,endLine=10,endColumn=27,title=HANG001::…',
        '::warning file=pkg/client.py,line=14,col=5,endLine=14,endColumn=56,title=HANG004::…',
        '::error file=pkg/handlers.py,line=7,col=9,endLine=7,endColumn=29,title=HANG002::…',
        '::error file=pkg/loop_hooks.py,line=11,col=83,endLine=11,endColumn=101,title=HANG005::…',
        '::error file=pkg/loop_hooks.py,line=19,col=5,endLine=19,endColumn=54,title=HANG006::…',
        '::error file=pkg/relay.py,line=10,col=18,endLine=10,endColumn=36,title=HANG003::…',
      '::warning file=pkg/settings.py,line=1,col=14,endLine=1,endColumn=29,title=HANG100::…',
        '::error file=pkg/waiting.py,line=13,col=18,endLine=13,endColumn=27,title=HANG007::…',
        '::error file=pkg/waiting.py,line=18,col=5,endLine=18,endColumn=28,title=HANG008::…',
      ],
    );
    assert.equal(
      lines[1],
      '::error file=pkg/client.py,line=10,col=18,endLine=10,endColumn=27,title=HANG001::`future.result()` can block forever without a timeout',
    );
  });

  it('escapes `%`, CR and LF in the message, and also `:` and `,` in properties', () => {
    assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('dir:x/a,b%.py'), 'dir%3Ax/a%2Cb%25.py');
  });

  it('escapes a file name with `,`, `:` and `%`', () => {
    const root = tempProject({ 'a,b:c%d.py': hazardSource() });
    try {
      const result = runPyhang(['check', '--format', 'github'], { cwd: root });
      assert.equal(result.status, 1);
      const [line, ...rest] = result.stdout.trimEnd().split('\n');
      assert.deepEqual(rest, [], 'one finding, one line');
      assert.match(line!, /^::error file=a%2Cb%3Ac%25d\.py,line=6,col=4,endLine=6,endColumn=13,title=HANG001::`fut\.result\(\)` can block forever/);
    } finally {
      removeProject(root);
    }
  });

  it('prints nothing for a clean project', () => {
    const root = tempProject({ 'ok.py': 'x = 1\n' });
    try {
      const result = runPyhang(['check', '--format', 'github'], { cwd: root });
      assert.equal(result.status, 0);
      assert.equal(result.stdout, '');
    } finally {
      removeProject(root);
    }
  });
});
