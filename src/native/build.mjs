#!/usr/bin/env node
/**
 * Builds pyhang's native parse (parse.c, see binding.gyp) with node-gyp, as
 * part of `npm run build`. It is only faster: when it cannot be built (no C
 * compiler, no node-gyp), pyhang parses through the tree-sitter binding, so
 * this warns and exits 0. It is built again only when its sources or the
 * tree-sitter packages changed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const addon = path.join(here, 'build', 'Release', 'pyhang_parse.node');
const stampFile = path.join(here, 'build', 'pyhang-stamp.json');
const require = createRequire(import.meta.url);

function warn(why) {
  process.stderr.write(`pyhang: the native parser was not built (${why}); pyhang still works, parsing more slowly through the tree-sitter binding\n`);
  process.exit(0);
}

/** What the addon is built from: our sources and the packages whose C sources it compiles. */
function stamp() {
  const packages = ['tree-sitter', 'tree-sitter-python'].map((name) => {
    const json = require.resolve(`${name}/package.json`);
    return [name, JSON.parse(fs.readFileSync(json, 'utf8')).version, path.dirname(json)];
  });
  const sources = ['parse.c', 'binding.gyp'].map((file) => [file, fs.readFileSync(path.join(here, file), 'utf8')]);
  return JSON.stringify({ node: process.versions.napi, platform: process.platform, arch: process.arch, packages, sources });
}

let wanted;
try {
  wanted = stamp();
} catch (error) {
  warn(`tree-sitter packages not found: ${error.message}`);
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
const args = [...prefix, 'rebuild'];
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
