#!/usr/bin/env node
/**
 * Runs node:test on a directory of built tests (npm test, npm run
 * test:integration), showing the spec report, and in CI (CI=true, as CI
 * services set it) fails when any test was skipped or left as a todo: a skip
 * there means something was not checked, and a green run must mean it was.
 * usage: node scripts/run-tests.mjs <dir> [node --test options...]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [dir, ...options] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node scripts/run-tests.mjs <dir> [node --test options...]\n');
  process.exit(2);
}
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const tapFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-tests-')), 'report.tap');
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`];
const result = spawnSync(process.execPath, ['--test', ...reporters, ...options, dir], { stdio: 'inherit' });
let status = result.status ?? 1;
if (ci) {
  const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'utf8') : '';
  const unchecked = tap.split('\n').filter((line) => /^\s*(not )?ok \d+ - .*# (SKIP|TODO)\b/i.test(line));
  if (unchecked.length > 0) {
    process.stderr.write(`\nrun-tests: CI=true and ${unchecked.length} test(s) were skipped or left as todo; in CI that is a failure:\n`);
    for (const line of unchecked) process.stderr.write(`  ${line.trim()}\n`);
    if (status === 0) status = 1;
  }
}
fs.rmSync(path.dirname(tapFile), { recursive: true, force: true });
process.exit(status);
