/**
 * HANG100's comment trigger, as the pre-filter applies it: a file is analysed
 * up front for its `# noqa` comments only when one names a HANG code. Other
 * tools' suppressions (`# noqa: E501`, a bare `# noqa`) are everywhere in real
 * code; analysing every file that has one made a check of the standard library
 * with site-packages three times slower (69 s CPU instead of 23 s).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileTriggers } from '../../src/project/prefilter.js';
import { HANG100 } from '../../rules/HANG100.js';

// With a code trigger beside it, as every real rule set has (no text here mentions it).
const triggers = new FileTriggers(['run_coroutine_threadsafe'], HANG100.commentTriggers ?? []);
const matches = (text: string) => [triggers.inBytes(Buffer.from(text, 'utf8')), triggers.inText(text)];

describe("HANG100's comment trigger", () => {
  it('matches a noqa directive naming a HANG code, in any case and place in its list', () => {
    for (const text of [
      'x = 1  # noqa: HANG001\n',
      'x = 1  # noqa: E501, HANG001\n',
      'x = 1  # NOQA:hang003\n',
      '# pyhang: noqa: HANG004\n',
      'x = 1  # noqa: HANG999 a typo HANG100 reports\n',
    ]) {
      assert.deepEqual(matches(text), [true, true], text);
    }
  });

  it('leaves files whose noqa comments are other tools\' alone, even with "hang" elsewhere', () => {
    for (const text of ['x = 1  # noqa: E501\n', 'import os  # noqa\n', 'x = 1  # noqa: E501\nchange = 2  # no hang here\n', 'def hang(): pass\n']) {
      assert.deepEqual(matches(text), [false, false], text);
    }
  });
});
