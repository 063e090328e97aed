/**
 * The read floor, run as its own process so its time and memory are its own:
 * find every `.py` file under a directory and read each one whole, which is
 * the least any checker of the corpus has to do. Prints how much it read.
 *
 * Usage: node dist/bench/read-files.js DIR
 */
import fs from 'node:fs';
import { listPythonFiles } from './corpus.js';

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: read-files.js DIR\n');
  process.exit(2);
}
let bytes = 0;
const files = listPythonFiles(root);
for (const file of files) bytes += fs.readFileSync(file).length;
process.stdout.write(`${JSON.stringify({ files: files.length, bytes })}\n`);
