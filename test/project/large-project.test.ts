/**
 * Issue 3's acceptance case: a generated 2,000-file project in which a
 * coroutine reaches sys.exit() through a 200-step chain of sync calls across
 * 200 modules. HANG002 must name the whole chain, step by step.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint, type PyhangMessage } from '../../src/engine/lint.js';
import { defaultSettings } from '../../src/config/settings.js';

const STEPS = 200;
const FILES = 2000;

function buildProject(root: string): void {
  const pkg = path.join(root, 'big');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, '__init__.py'), '');
  for (let i = 0; i < STEPS; i++) {
    const body =
      i === STEPS - 1
        ? 'import sys\n\n\ndef step(code):\n    print("giving up")\n    sys.exit(code)\n'
        : `from big.chain${i + 1} import step as next_step\n\n\ndef step(code):\n    return next_step(code + 1)\n`;
    fs.writeFileSync(path.join(pkg, `chain${i}.py`), body);
  }
  fs.writeFileSync(
    path.join(pkg, 'service.py'),
    'import asyncio\nfrom .chain0 import step\n\nLOOP = asyncio.new_event_loop()\n\n\nasync def handle(msg):\n    if not msg:\n        step(0)\n    return msg\n\n\ndef submit(msg):\n    return asyncio.run_coroutine_threadsafe(handle(msg), LOOP).result(timeout=10)\n',
  );
  // Filler: ordinary modules, some async, none of which can exit.
  for (let i = STEPS + 2; i < FILES; i++) {
    const text =
      i % 3 === 0
        ? `import asyncio\n\n\nasync def task${i}(x):\n    await asyncio.sleep(0)\n    return helper${i}(x)\n\n\ndef helper${i}(x):\n    return x * ${i}\n`
        : `class Model${i}:\n    def __init__(self):\n        self.value = ${i}\n\n    def compute(self):\n        return [self.value for _ in range(3)]\n`;
    fs.writeFileSync(path.join(pkg, `filler${i}.py`), text);
  }
}

describe('a 2,000-file project with a 200-step cross-module chain to sys.exit()', () => {
  let root = '';
  let messages: (PyhangMessage & { path: string })[] = [];

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pyhang-big-'));
    buildProject(root);
    const files = fs.readdirSync(path.join(root, 'big')).map((name) => path.join(root, 'big', name));
    assert.equal(files.length, FILES);
    const result = lint(
      files.map((file) => ({ path: file, bytes: fs.readFileSync(file) })),
      { settingsFor: () => defaultSettings(root) },
    );
    messages = result.flatMap((file) => file.messages.map((m) => Object.assign(m as PyhangMessage, { path: file.path })));
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports HANG002 once, at the call in the coroutine, as an error because it is submitted', () => {
    const hang002 = messages.filter((m) => m.ruleId === 'HANG002');
    assert.equal(hang002.length, 1, hang002.map((m) => `${m.path}:${m.line} ${m.reason}`).join('\n'));
    const [finding] = hang002;
    assert.equal(path.basename(finding!.path), 'service.py');
    assert.equal(finding!.line, 9);
    assert.equal(finding!.column, 9);
    assert.equal(finding!.fatal, true, 'submitted with run_coroutine_threadsafe, so an error');
    // The message names the first call and where the exit is raised, at the end of the 200 steps.
    assert.match(finding!.reason, /via `step\(\)` \(chain199\.py:6\)/);
  });

  it('attaches every step of the chain, in order, ending at sys.exit()', () => {
    const finding = messages.find((m) => m.ruleId === 'HANG002')!;
    const related = finding.related ?? [];
    // One step per chain module, then the submission site.
    assert.equal(related.length, STEPS + 1);
    for (let i = 0; i < STEPS; i++) {
      assert.equal(path.basename(related[i]!.path), `chain${i}.py`, `step ${i}`);
      assert.equal(related[i]!.loc.start.line, i === STEPS - 1 ? 6 : 5, `step ${i}`);
    }
    assert.match(related[STEPS - 1]!.message, /raises SystemExit here/);
    assert.equal(path.basename(related[STEPS]!.path), 'service.py');
    assert.equal(related[STEPS]!.loc.start.line, 14);
  });

  it('reports nothing in the filler modules', () => {
    assert.deepEqual(
      messages.filter((m) => path.basename(m.path).startsWith('filler')).map((m) => `${m.path}:${m.line} ${m.ruleId}`),
      [],
    );
  });
});
