/**
 * `npm run docs`: rewrites the generated rule tables (scripts/rule-tables.ts)
 * in place, after the build, and says which files changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rules } from '../rules/index.js';
import { generatedTables, withGenerated } from './rule-tables.js';

/** dist/scripts/generate-docs.js → the repository root. */
const root = fileURLToPath(new URL('../..', import.meta.url));

for (const { file, render } of generatedTables) {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, 'utf8');
  const generated = withGenerated(text, render(rules), file);
  if (generated === text) {
    process.stdout.write(`${file}: up to date\n`);
  } else {
    fs.writeFileSync(full, generated);
    process.stdout.write(`${file}: rules table written\n`);
  }
}
