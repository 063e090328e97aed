/**
 * Random Python-ish texts and name searches, for the tests that hold a
 * stand-in for reading a file (MentionIndex, word summaries) to the answer
 * NameSearch.inBytes gives on the file's bytes.
 */

/** A small deterministic generator (xorshift), so a failure can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Names searched for: ASCII and not, long, short, one that is a keyword, and `_`. */
const NAMES = ['submit', 'submit_all', 'run', 'LOOP', 'fut', 'import', 'x1', 'a_very_long_name_indeed', 'envoyé', 'café', '_'];
/** Pieces of text, with what sits around names: blanks before `(` (NBSP is latin-1 0xA0), dots, `import *`, quotes. */
const PIECES = [
  ...NAMES,
  '(',
  ' (',
  '\t(',
  '\u00a0(',
  '\u000b(',
  ' ',
  '\n',
  '.',
  '_',
  'from m import *',
  'import  \t*',
  'import\n*',
  '# é',
  '😀',
  '0',
  'sub',
  'mit',
  '"',
  '\\',
];

/** Up to 13 pieces joined. */
export function randomText(next: () => number): string {
  let text = '';
  const length = Math.floor(next() * 14);
  for (let i = 0; i < length; i++) text += PIECES[Math.floor(next() * PIECES.length)]!;
  return text;
}

/** Some of the names, each with a chance of 0.3. */
export function randomNames(next: () => number): string[] {
  return NAMES.filter(() => next() < 0.3);
}
