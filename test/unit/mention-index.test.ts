/**
 * The language server's index of the words of skipped files on disk: it stands
 * in for reading each file again at every pass, so its answer must be exactly
 * the one NameSearch.inBytes gives on the file's bytes, or "cannot tell".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MentionIndex, wordsPattern } from '../../src/project/prefilter.js';
import { random, randomNames, randomText } from './name-search-texts.js';

describe('MentionIndex', () => {
  it('answers every search exactly as reading the file would, or says it cannot tell', () => {
    const next = random(20261202);
    const index = new MentionIndex();
    const files = new Map<string, Uint8Array>();
    for (let round = 0; round < 300; round++) {
      // Files come, change and go, as on disk.
      for (let i = 0; i < 5; i++) {
        const path = `/project/m${Math.floor(next() * 40)}.py`;
        if (next() < 0.15) {
          index.delete(path);
          files.delete(path);
        } else {
          const text = randomText(next);
          // Mostly UTF-8; sometimes the same text as latin-1 bytes, as a file with a coding cookie has.
          const bytes = next() < 0.8 ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
          index.set(path, bytes);
          files.set(path, bytes);
        }
      }
      for (let s = 0; s < 4; s++) {
        const search = wordsPattern(randomNames(next), randomNames(next), { starImports: next() < 0.3 });
        if (!search) continue;
        const matcher = index.matcher(search);
        for (const [path, bytes] of files) {
          const answer = matcher(path);
          const expected = search.inBytes(bytes);
          if (answer === null) {
            // Only a name outside ASCII, in a file outside ASCII, needs the file itself.
            assert.ok(search.hasUnicodeNames && !Buffer.from(bytes).every((b) => b < 0x80), `${path}: no answer for ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`);
          } else {
            assert.equal(answer, expected, `${path}: ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`);
          }
        }
        assert.equal(matcher('/project/not-indexed.py'), null);
      }
    }
  });

  it('finds called names only where a call follows, and any mention of a named one', () => {
    const index = new MentionIndex();
    index.set('/p/calls.py', Buffer.from('from helpers import submit\nsubmit (coro(), loop)\n'));
    index.set('/p/mentions.py', Buffer.from('callback = submit\n'));
    index.set('/p/prefix.py', Buffer.from('submit_all(coro())\n'));
    index.set('/p/star.py', Buffer.from('from helpers import *\n'));
    const called = index.matcher(wordsPattern(['submit'])!);
    assert.deepEqual(['/p/calls.py', '/p/mentions.py', '/p/prefix.py', '/p/star.py'].map(called), [true, false, false, false]);
    const named = index.matcher(wordsPattern([], ['submit'], { starImports: true })!);
    assert.deepEqual(['/p/calls.py', '/p/mentions.py', '/p/prefix.py', '/p/star.py'].map(named), [true, true, false, true]);
  });

  it('forgets a file set again, deleted, or not retained', () => {
    const index = new MentionIndex();
    index.set('/p/a.py', Buffer.from('submit()\n'));
    index.set('/p/b.py', Buffer.from('submit()\n'));
    index.set('/p/a.py', Buffer.from('other()\n'));
    const search = wordsPattern(['submit'])!;
    assert.equal(index.matcher(search)('/p/a.py'), false);
    index.retainOnly(new Set(['/p/a.py']));
    assert.equal(index.matcher(search)('/p/b.py'), null);
    // Many changes of one file: stale entries are compacted away and answers stay right.
    for (let i = 0; i < 1000; i++) index.set('/p/a.py', Buffer.from(i % 2 ? 'submit()\n' : 'other()\n'));
    assert.equal(index.matcher(search)('/p/a.py'), true);
  });
});
