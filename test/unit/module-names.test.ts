import { afterEach, before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { makeProject, removeProject } from '../cli/run-pyhang.js';
import { clearModuleNameCache, moduleNameFor, uniqueModuleNames } from '../../src/project/module-names.js';

describe('module names from paths', () => {
  let root = '';
  const file = (relative: string): string => path.join(root, relative);

  before(() => {
    const files = [
      'pkg/__init__.py',
      'pkg/sub/__init__.py',
      'pkg/sub/mod.py',
      'pkg/data/helper.py',
      'pkg/data/not__init__.py',
      'stubs/typed/__init__.pyi',
      'stubs/typed/core.py',
      'scripts/main.py',
      'tools/deep/main.py',
    ];
    root = makeProject(Object.fromEntries(files.map((relative) => [relative, ''])), 'pyhang-names-');
  });
  after(() => removeProject(root));
  afterEach(() => clearModuleNameCache());

  it('walks up through package directories, as Python imports the file', () => {
    assert.deepEqual(moduleNameFor(file('pkg/sub/mod.py')), { module: 'pkg.sub.mod', isPackage: false });
    assert.deepEqual(moduleNameFor(file('pkg/sub/__init__.py')), { module: 'pkg.sub', isPackage: true });
    assert.deepEqual(moduleNameFor(file('pkg/__init__.py')), { module: 'pkg', isPackage: true });
    // A directory without `__init__.py` is a source root of its own.
    assert.deepEqual(moduleNameFor(file('pkg/data/helper.py')), { module: 'helper', isPackage: false });
    // `__init__.pyi` alone makes a package too.
    assert.deepEqual(moduleNameFor(file('stubs/typed/core.py')), { module: 'typed.core', isPackage: false });
  });

  it('gives the same names whether or not the packages’ __init__ files are among those named', () => {
    const some = [file('pkg/sub/mod.py'), file('stubs/typed/core.py'), file('pkg/data/helper.py')];
    const alone = uniqueModuleNames(some);
    clearModuleNameCache();
    const withInits = uniqueModuleNames([file('pkg/__init__.py'), file('pkg/sub/__init__.py'), ...some]);
    for (const p of some) assert.deepEqual(withInits.get(p), alone.get(p), p);
    assert.equal(alone.get(file('pkg/sub/mod.py'))?.module, 'pkg.sub.mod');
    // A file whose name only ends in `__init__.py` makes no package.
    clearModuleNameCache();
    const lookalike = uniqueModuleNames([file('pkg/data/not__init__.py'), file('pkg/data/helper.py')]);
    assert.equal(lookalike.get(file('pkg/data/helper.py'))?.module, 'helper');
  });

  it('keeps a repeated name for the shallowest file and gives the others names no import reaches', () => {
    const names = uniqueModuleNames([file('tools/deep/main.py'), file('scripts/main.py')]);
    assert.equal(names.get(file('scripts/main.py'))?.module, 'main');
    const other = names.get(file('tools/deep/main.py'))?.module ?? '';
    assert.match(other, /^main\.__path__\./);
    assert.notEqual(other, 'main');
  });

  it('names one file given under two spellings of its path once', () => {
    const plain = file('pkg/sub/mod.py');
    const roundabout = [root, 'pkg', 'data', '..', 'sub', 'mod.py'].join(path.sep);
    const names = uniqueModuleNames([roundabout, plain]);
    assert.equal(names.get(plain)?.module, 'pkg.sub.mod');
    assert.equal(names.get(roundabout)?.module, 'pkg.sub.mod');
  });
});
