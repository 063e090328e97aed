/**
 * The two analysis stores lint() takes (see analysis-store.ts): the language
 * server's in memory answers for unchanged files without reading them again
 * and reads a changed one, and the findings stay those of a run without any
 * store; the CLI's on disk never answers for a source given with its bytes
 * (stdin, `--fix`), whose content may not be the file's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lint, type Analysis, type AnalysisPhase, type SourceFile } from '../../src/engine/lint.js';
import { MemoryAnalysisStore } from '../../src/engine/memory-store.js';
import { DiskAnalysisStore, FileStamps } from '../../src/engine/disk-store.js';
import { uniqueModuleNames } from '../../src/project/module-names.js';
import { defaultSettings } from '../../src/config/settings.js';
import { makeProject, removeProject } from '../cli/run-pyhang.js';

/** A coroutine that may exit through a helper in a file the pre-filter skips (so it is loaded on demand). */
const FILES = {
  'service.py': 'import asyncio\nfrom helper import step\n\n\nasync def handle(msg):\n    step(msg)\n',
  'helper.py': 'import sys\n\n\ndef step(code):\n    sys.exit(code)\n',
  'plain.py': 'x = 1\n',
};

/** A memory store that also notes what lint() tells it to keep. */
class RecordingStore extends MemoryAnalysisStore {
  readonly kept: string[] = [];
  override keep(source: SourceFile, analysis: Analysis, phase: AnalysisPhase): void {
    this.kept.push(`${path.basename(source.path)} ${phase} ${analysis.kind}`);
    super.keep(source, analysis, phase);
  }
}

function findings(files: ReturnType<typeof lint>): string[] {
  return files.flatMap((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.line} ${m.ruleId}`));
}

describe('the in-memory analysis store (the language server)', () => {
  it('answers for unchanged files without reading them, reads a changed one, and finds what a run without a store finds', (t) => {
    const root = makeProject(FILES);
    t.after(() => removeProject(root));
    const files = Object.keys(FILES).map((name) => path.join(root, name));
    const settingsFor = () => defaultSettings(root);
    // Checked against the disk at every pass, as a client that does not watch files would need.
    const store = new RecordingStore({ recheckAfterMs: 0 });
    const pass = () => {
      store.kept.length = 0;
      store.beginPass(() => settingsFor().maxFileSize);
      const sources = files.map((file) => store.sourceFor(file)!);
      const read = sources.filter((source) => source.bytes !== undefined).map((source) => path.basename(source.path));
      return { read, found: findings(lint(sources, { settingsFor, store })) };
    };
    const fresh = () => findings(lint(files.map((file) => ({ path: file })), { settingsFor }));

    const first = pass();
    assert.deepEqual(first.read, ['service.py', 'helper.py', 'plain.py']);
    assert.ok(first.found.includes('service.py:6 HANG002'), first.found.join('\n'));
    assert.deepEqual(first.found, fresh());
    assert.ok(store.kept.includes('helper.py demand facts'), store.kept.join('\n'));

    const second = pass();
    assert.deepEqual(second.read, [], 'nothing unchanged is read again');
    assert.deepEqual(store.kept, [], 'nothing is analysed again, the demand load included');
    assert.deepEqual(second.found, first.found);

    fs.writeFileSync(path.join(root, 'plain.py'), 'x = 1\ny = 2\n');
    const third = pass();
    assert.deepEqual(third.read, ['plain.py']);
    assert.deepEqual(store.kept, ['plain.py initial skipped']);
    assert.deepEqual(third.found, fresh());
  });
});

describe('the on-disk analysis store (the CLI)', () => {
  it('keeps and answers for files on disk, never for a source given with its bytes', (t) => {
    const root = makeProject({ 'service.py': FILES['service.py'] });
    t.after(() => removeProject(root));
    const file = path.join(root, 'service.py');
    const names = uniqueModuleNames([file]);
    const store = DiskAnalysisStore.open(path.join(root, '.pyhang_cache'), 'test-key', new FileStamps(names, () => defaultSettings(root)));
    const onDisk: SourceFile = { path: file, module: names.get(file) };
    const inMemory: SourceFile = { ...onDisk, bytes: Buffer.from('x = 1\n') };
    const analysis: Analysis = { kind: 'skipped' };
    store.keep(inMemory, analysis, 'initial');
    assert.equal(store.firstLook(onDisk), undefined, 'bytes in memory are not kept as the file');
    store.keep(onDisk, analysis, 'initial');
    assert.deepEqual(store.firstLook(onDisk), analysis);
    assert.equal(store.firstLook(inMemory), undefined);
    store.keep(onDisk, { kind: 'facts', facts: {} as never }, 'exhaustive');
    assert.deepEqual(store.firstLook(onDisk), analysis, 'an exhaustive first look does not replace the pre-filtered one');
  });
});
