#!/usr/bin/env node
/**
 * Builds pyhang's native parse (parse.c, see binding.gyp) with node-gyp, as
 * part of `npm run build`. It is only faster: without it pyhang parses with
 * web-tree-sitter (WebAssembly), with the same results. So where there is no C
 * compiler it is skipped without a word (a machine without one is a supported
 * install, not a problem), and where the build fails it warns and exits 0. It
 * is built again only when its sources or the grammar package changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const addon = path.join(here, 'build', 'Release', 'pyhang_parse.node');
const stampFile = path.join(here, 'build', 'pyhang-stamp.json');
const require = createRequire(import.meta.url);

function warn(why) {
  process.stderr.write(`pyhang: the native parser was not built (${why}); pyhang still works, parsing more slowly with WebAssembly\n`);
  process.exit(0);
}

/** Whether a program is on the PATH (node-gyp needs make and a C compiler; without them it can only fail, slowly). */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

/** The vendored runtime's files, hashed (a changed runtime must rebuild). */
function vendorHash() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(entry.name).update(fs.readFileSync(file));
    }
  };
  walk(path.join(here, 'vendor'));
  return hash.digest('hex');
}

/** What the addon is built from: our sources, the vendored runtime and the grammar package whose C sources it compiles. */
function stamp() {
  const json = require.resolve('tree-sitter-python/package.json');
  const grammar = ['tree-sitter-python', JSON.parse(fs.readFileSync(json, 'utf8')).version, path.dirname(json)];
  const sources = ['parse.c', 'word-summary.c', 'binding.gyp'].map((file) => [file, fs.readFileSync(path.join(here, file), 'utf8')]);
  return JSON.stringify({ node: process.versions.napi, platform: process.platform, arch: process.arch, grammar, vendor: vendorHash(), sources });
}

if (process.env.PYHANG_NATIVE_BUILD === '0') process.exit(0);
if (process.platform !== 'win32' && !(onPath('make') && (onPath('cc') || onPath('gcc') || onPath('clang')))) process.exit(0);

let wanted;
try {
  wanted = stamp();
} catch (error) {
  warn(`tree-sitter-python not found: ${error.message}`);
}
if (fs.existsSync(addon) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === wanted) process.exit(0);

/** node-gyp: the one npm runs scripts with, else one on the PATH, else the one bundled with npm. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) return [process.execPath, process.env.npm_config_node_gyp];
  const bundled = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (fs.existsSync(bundled)) return [process.execPath, bundled];
  return ['node-gyp'];
}

const [command, ...prefix] = nodeGyp();
// All cores: the grammar's parser.c is most of the build.
const args = [...prefix, 'rebuild', '--jobs=max'];
// Node's own headers when they are installed beside it (no download needed).
const prefixDir = path.join(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefixDir, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefixDir}`);
}
const result = spawnSync(command, args, { cwd: here, encoding: 'utf8' });
if (result.error || result.status !== 0 || !fs.existsSync(addon)) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  if (output) process.stderr.write(`${output}\n`);
  warn(result.error ? result.error.message : `node-gyp exited with ${result.status}`);
}
fs.writeFileSync(stampFile, wanted);
