/**
 * `npm run bench:wide -- TARGET [COPIES] [SOURCE]`: writes the bench's wide
 * project (see wide-project.ts) from SOURCE (default: the standard library of
 * the `python3` on PATH, site-packages included) into TARGET, which must not
 * exist yet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus, stdlibDirectory } from './corpus.js';
import { makeWideProject } from './wide-project.js';

const [target, copiesText = '10', source = stdlibDirectory()] = process.argv.slice(2);
if (!target) {
  console.error('usage: npm run bench:wide -- TARGET [COPIES] [SOURCE]');
  process.exit(2);
}
if (fs.existsSync(target)) {
  console.error(`${target} exists already: give a new directory`);
  process.exit(2);
}
const copies = Number(copiesText);
if (!Number.isInteger(copies) || copies < 1) {
  console.error(`COPIES must be a positive whole number, not ${copiesText}`);
  process.exit(2);
}
const corpus = loadCorpus(source);
const made = makeWideProject(corpus, path.resolve(target), copies);
console.log(
  `${made.root}: ${copies} copies of ${corpus.files.length} files from ${source}, ` +
    `${made.files} files (${(made.bytes / 1e6).toFixed(0)} MB); imports rewritten in ${made.rewritten} files per copy`,
);
