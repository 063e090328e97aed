/**
 * src/project/glob.ts: the globs people write are matched as picomatch
 * (`dot: true`) matches them, in time bounded by the pattern's and the path's
 * lengths; the rest are left to picomatch, with a bound on their wildcards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { compileGlob, globProblem } from '../../src/project/glob.js';

/** Paths as pyhang matches them: `/`-separated, no empty, `.` or `..` segments (one leading empty segment for absolute ones). */
const segment = fc.stringMatching(/^[ab.x_😀-]{1,6}$/).filter((s) => s !== '.' && s !== '..');
const pathArb = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 5 })).map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);
const globSegment = fc.oneof(
  { weight: 1, arbitrary: fc.constant('**') },
  { weight: 6, arbitrary: fc.stringMatching(/^(?:[ab.x_-]|\*|\?|\\\*|\{a,b\}|\{x,\*\.a\}){1,5}$/) },
);
const globArb = fc.tuple(fc.boolean(), fc.array(globSegment, { minLength: 1, maxLength: 4 })).map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);

describe('glob matching', () => {
  it('agrees with picomatch on the globs it matches itself', () => {
    fc.assert(
      fc.property(globArb, fc.array(pathArb, { minLength: 1, maxLength: 8 }), (glob, paths) => {
        if (/\*\*[^/]|[^/]\*\*/.test(glob)) return; // `**` inside a segment is left to picomatch
        const ours = compileGlob(glob);
        const theirs = picomatch(glob, { dot: true });
        for (const path of paths) assert.equal(ours(path), theirs(path), `${JSON.stringify(glob)} on ${JSON.stringify(path)}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the usual exclude globs as picomatch does', () => {
    const cases: [string, string, boolean][] = [
      ['.venv', '.venv', true],
      ['*.py', 'a.py', true],
      ['*.py', 'dir/a.py', false],
      ['build/**', 'build', true],
      ['build/**', 'build/x/y.py', true],
      ['**/tests/*.py', 'tests/a.py', true],
      ['**/tests/*.py', 'a/b/tests/c.py', true],
      ['src/**/gen_*.py', 'src/gen_a.py', true],
      ['x/**/*', 'x', false],
      ['{build,dist}/**', 'dist/a.py', true],
      ['/home/u\\(1\\)/x/*.py', '/home/u(1)/x/a.py', true],
      ['a?b', 'a😀b', false],
      ['[ab].py', 'a.py', true],
      ['@(a|b).py', 'b.py', true],
    ];
    for (const [glob, path, expected] of cases) {
      assert.equal(compileGlob(glob)(path), expected, `${glob} on ${path}`);
      assert.equal(picomatch(glob, { dot: true })(path), expected, `picomatch: ${glob} on ${path}`);
    }
  });

  it('matches a glob of many stars on a long name at once, where picomatch backtracks for minutes', () => {
    const glob = '*a*a*a*a*a*a*a*a*a*a*a*b';
    const name = 'a'.repeat(5000);
    assert.equal(compileGlob(glob)(name), false);
    assert.equal(compileGlob(`**/${glob}/**`)(`${name}/${name}/${name}b/x`), true);
    assert.equal(compileGlob(`{x,${glob}}`)(name), false);
  });

  it('refuses many wildcards only in globs it leaves to picomatch', () => {
    assert.equal(globProblem('*a*a*a*a*a*a*a*a*a*a*a*b'), null);
    assert.equal(globProblem('[ab]*x*'), null);
    assert.match(globProblem('[ab]*a*a*a*b') ?? '', /4 wildcards together with brackets or extended globs \(at most 3\)/);
    assert.match(globProblem('@(a|b)*a*a*a*b') ?? '', /at most 3/);
    assert.match(globProblem(`${'{a,b}'.repeat(10)}*a*a*a*b`) ?? '', /at most 3/, 'braces that expand to more than 64 globs');
  });
});
