/**
 * Lays the built pyhang into `server/` for the .vsix: the files its npm
 * package publishes (`npm pack --dry-run` lists them: bin/, dist/src,
 * dist/rules, the native parser, docs) and its production dependencies as
 * installed at the repository root (`npm ls --omit=dev`), so the extension
 * runs exactly the pyhang of this checkout with nothing fetched at install.
 *
 * The repository must be built first (`npm run build` at its root). The
 * native modules are Node-API, so the editor's Node (VS Code's Electron, or
 * code-server's Node) loads the ones built here; they are built for this
 * platform, which is why `npm run package` makes a linux-x64 .vsix.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const target = path.join(extensionDir, 'server');

function npm(args) {
  return execFileSync('npm', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function fail(message) {
  process.stderr.write(`bundle-server: ${message}\n`);
  process.exit(1);
}

if (!fs.existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) {
  fail(`pyhang is not built: run \`npm run build\` in ${repoRoot} first`);
}

// `--ignore-scripts`: the `prepare` script would rebuild; the build is checked above.
const [pack] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']));
const files = pack.files.map((file) => file.path);
if (!files.includes('bin/pyhang.js')) fail('npm pack lists no bin/pyhang.js');

fs.rmSync(target, { recursive: true, force: true });
for (const file of files) {
  const to = path.join(target, file);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, file), to);
}

// Production dependencies, each package directory once (a nested one comes with its parent).
const installed = npm(['ls', '--omit=dev', '--all', '--parseable'])
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && line !== repoRoot);
const rootModules = path.join(repoRoot, 'node_modules');
const packages = installed
  .map((dir) => path.relative(rootModules, dir))
  .filter((rel) => !rel.startsWith('..'))
  .sort();
const topLevel = packages.filter((rel) => !packages.some((other) => other !== rel && rel.startsWith(`${other}${path.sep}`)));
for (const rel of topLevel) {
  fs.cpSync(path.join(rootModules, rel), path.join(target, 'node_modules', rel), {
    recursive: true,
    dereference: true,
    // The native build's intermediate objects are not loaded at run time.
    filter: (source) => !source.includes(`${path.sep}obj.target`) && !source.endsWith('.a'),
  });
}

process.stdout.write(`bundle-server: ${files.length} files of pyhang ${pack.version} and ${topLevel.length} packages in ${path.relative(process.cwd(), target) || '.'}\n`);
