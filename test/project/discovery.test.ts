/**
 * Discovery's hint to threads that start early (see ThreadsAhead): each plain
 * Python file a walk finds is told as it is found, under its directory's
 * settings, while the list discovery returns stays what decides the run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverFiles } from '../../src/project/files.js';
import { defaultSettings, type Settings } from '../../src/config/settings.js';

describe('discoverFiles onFound', () => {
  it('tells each walked Python file with its directory settings, and returns the same list as without it', (t) => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-discovery-')));
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    for (const file of ['app/__init__.py', 'app/main.py', 'app/stubs.pyi', 'app/notes.txt', 'lib/util.py', 'build/gen.py']) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), 'VALUE = 1\n');
    }
    // A link to a file inside the roots is linted under one of its paths, which only the whole walk can choose.
    fs.symlinkSync(path.join(root, 'lib/util.py'), path.join(root, 'app/alias.py'));
    const settingsByDir = new Map<string, Settings>();
    const settings = {
      settingsForDirectory(dir: string): Settings {
        let found = settingsByDir.get(dir);
        if (!found) {
          found = { ...defaultSettings(root), exclude: ['build'], maxFileSize: dir.length };
          settingsByDir.set(dir, found);
        }
        return found;
      },
    };
    const told: [string, Settings][] = [];
    const withHint = discoverFiles(['.'], { cwd: root, settings, onFound: (file, s) => told.push([file, s]) });
    const without = discoverFiles(['.'], { cwd: root, settings });
    assert.deepEqual(withHint, without);
    assert.deepEqual(
      told.map(([file]) => path.relative(root, file)).sort(),
      ['app/__init__.py', 'app/main.py', 'app/stubs.pyi', 'lib/util.py'],
    );
    for (const [file, s] of told) assert.equal(s, settings.settingsForDirectory(path.dirname(file)));
  });
});
