#!/usr/bin/env node
/**
 * `npm install`'s prepare step (also run by pre-commit's npm install and npm
 * pack, and by a git-URL install): compiles what the CLI needs
 * (tsconfig.build.json) and, at the same time, the native parse
 * (src/native/build.mjs, skipped without a compiler). They are independent and
 * each mostly one process on one core, so on 2 cores running them side by
 * side takes the time of the longer one. A failure of the TypeScript build
 * fails the install; the native build never does.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`prepare: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

const [typescript] = await Promise.all([run([tsc, '-p', 'tsconfig.build.json']), run([path.join('src', 'native', 'build.mjs')])]);
process.exit(typescript);
