/**
 * Stress: a 50 MB file analysed with max-file-size raised. About a minute and
 * gigabytes of memory, so it is not part of `npm test`: run it with
 * `npm run test:stress` (the numbers are in the report of the hardening
 * issue, not in assertions). test/hardening/size-and-depth.test.ts has the
 * rest of the size and depth cases.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { check, findings, makeProject, removeProject, timed, writeLargeFile } from '../test/hardening/helpers.js';

describe('size (stress)', () => {
  it(
    'a 50 MB file with max-file-size = 60000000 is analysed without crashing',
    (t) => {
      const root = makeProject({ 'pyproject.toml': '[tool.pyhang]\nmax-file-size = 60000000\n' });
      t.after(() => removeProject(root));
      const waitLine = writeLargeFile(path.join(root, 'huge.py'), 50_000_000);
      const { ms, value: result } = timed(() => check(['--format', 'compact'], root));
      t.diagnostic(`50 MB analysed in ${Math.round(ms)} ms`);
      assert.equal(result.stderr, '');
      assert.deepEqual(findings(result.stdout), [`huge.py:${waitLine} HANG001`]);
    },
  );
});
