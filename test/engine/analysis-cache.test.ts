/**
 * The cache file read and written entry by entry (analysis-cache.ts): what one
 * run writes the next reads back as it was; a file cut short anywhere or with
 * a damaged line keeps its good entries and answers nothing wrong; an old or
 * foreign file starts empty. (End to end, through `pyhang check`, in
 * test/cli/cache.test.ts.)
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AnalysisCache, type FileStamp } from '../../src/engine/analysis-cache.js';
import { analyzeSource, type Analysis } from '../../src/engine/lint.js';
import { defaultSettings } from '../../src/config/settings.js';
import { makeProject, removeProject } from '../cli/run-pyhang.js';
import { CACHE_FILE } from './cache-file.js';

const KEY = 'test-key';

const FILES: Record<string, string | Uint8Array> = {
  'service.py': 'import asyncio\nfrom helper import step\n\n\nasync def handle(msg):\n    step(msg)\n',
  'helper.py': 'import sys\n\n\ndef step(code):\n    sys.exit(code)\n',
  'waits.py':
    'import asyncio, threading\nloop = asyncio.new_event_loop()\nthreading.Thread(target=loop.run_forever, daemon=True).start()\n' +
    'async def work():\n    return 1\nfut = asyncio.run_coroutine_threadsafe(work(), loop)\nfut.result()\n',
  'plain.py': 'x = 1\n',
  // Not UTF-8 and no coding line: a decode error, the problem a first look can give.
  'broken.py': Buffer.concat([Buffer.from('import asyncio\nx = "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]),
  'ünïcode.py': '# “quoted” — 日本語\nimport asyncio\nasync def f():\n    await asyncio.sleep(1)\n',
};

interface Recorded {
  file: string;
  stamp: FileStamp;
  initial: Analysis;
  demand?: Analysis;
}

/** Each file's first look (pre-filtered) and, for the skipped ones, a full analysis, as a run would keep them. */
function analyses(root: string): Recorded[] {
  const settings = defaultSettings(root);
  return Object.keys(FILES).map((name, i) => {
    const file = path.join(root, name);
    const module = { module: path.basename(name, '.py'), isPackage: false };
    const stamp: FileStamp = { mtimeMs: 1_700_000_000_000.25 + i, size: Buffer.from(FILES[name]!).length, module: module.module, maxFileSize: settings.maxFileSize };
    const initial = analyzeSource({ path: file, module }, settings, true);
    const demand = initial.kind === 'skipped' ? analyzeSource({ path: file, module }, settings, false) : undefined;
    return { file, stamp, initial, demand };
  });
}

function fill(dir: string, recorded: Recorded[]): void {
  const cache = AnalysisCache.open(dir, KEY);
  for (const { file, stamp, initial, demand } of recorded) {
    cache.record(file, stamp, 'initial', initial);
    if (demand) cache.record(file, stamp, 'demand', demand);
  }
  cache.save();
  cache.close();
}

/** A project of FILES with its cache filled (removed after the test): where the cache is, and what it holds. */
function filledProject(t: TestContext): { dir: string; file: string; recorded: Recorded[] } {
  const root = makeProject(FILES);
  t.after(() => removeProject(root));
  const dir = path.join(root, '.pyhang_cache');
  const recorded = analyses(root);
  fill(dir, recorded);
  return { dir, file: path.join(dir, CACHE_FILE), recorded };
}

/** What the cache kept of an analysis: a skipped verdict without its word summary, the rest as JSON has it. */
function asKept(analysis: Analysis): unknown {
  return analysis.kind === 'skipped' ? { kind: 'skipped' } : JSON.parse(JSON.stringify(analysis));
}

/** Every answer the cache in `dir` gives, checked against what was recorded: each is the recorded one or none. */
function answers(dir: string, recorded: Recorded[]): string[] {
  const cache = AnalysisCache.open(dir, KEY);
  try {
    const answered: string[] = [];
    for (const { file, stamp, initial, demand } of recorded) {
      for (const [phase, expected, got] of [
        ['initial', initial, cache.initial(file, stamp)],
        ['demand', demand, cache.demand(file, stamp)],
      ] as const) {
        if (got === undefined) continue;
        assert.ok(expected, `${path.basename(file)}: a ${phase} answer that was never recorded`);
        assert.deepEqual(got, asKept(expected), `${path.basename(file)} ${phase}`);
        answered.push(`${path.basename(file)} ${phase}`);
      }
    }
    return answered;
  } finally {
    cache.close();
  }
}

function allAnswers(recorded: Recorded[]): string[] {
  return recorded.flatMap(({ file, demand }) => [`${path.basename(file)} initial`, ...(demand ? [`${path.basename(file)} demand`] : [])]);
}

describe('the cache file, entry by entry', () => {
  it('reads back what was written, facts, skipped verdicts and problems, and keeps answering after it saves again', (t) => {
    const root = makeProject(FILES);
    t.after(() => removeProject(root));
    const dir = path.join(root, '.pyhang_cache');
    const recorded = analyses(root);
    assert.deepEqual(new Set(recorded.map((r) => r.initial.kind)), new Set(['facts', 'skipped', 'problem']), 'every kind is tried');
    assert.ok(recorded.some((r) => r.demand?.kind === 'facts'), 'and a demand load');
    fill(dir, recorded);
    assert.deepEqual(answers(dir, recorded), allAnswers(recorded));

    // A stamp that differs in anything is no answer.
    const cache = AnalysisCache.open(dir, KEY);
    t.after(() => cache.close());
    const waits = recorded.find((r) => r.file.endsWith('waits.py'))!;
    for (const change of [{ mtimeMs: waits.stamp.mtimeMs + 0.001 }, { size: waits.stamp.size + 1 }, { module: 'other' }, { maxFileSize: 1 }]) {
      assert.equal(cache.initial(waits.file, { ...waits.stamp, ...change }), undefined, JSON.stringify(change));
    }
    assert.equal(AnalysisCache.open(dir, 'another-key').initial(waits.file, waits.stamp), undefined, 'another key starts empty');

    // One file re-analysed, one gone: the others' lines are copied, and the cache still answers from the file it wrote.
    const plain = recorded.find((r) => r.file.endsWith('plain.py'))!;
    const changed = { ...plain.stamp, size: plain.stamp.size + 1 };
    cache.record(plain.file, changed, 'initial', { kind: 'skipped' });
    cache.retainOnly(recorded.filter((r) => !r.file.endsWith('broken.py')).map((r) => r.file));
    cache.save();
    assert.deepEqual(cache.initial(waits.file, waits.stamp), asKept(waits.initial), 'answers after saving');
    assert.deepEqual(cache.initial(plain.file, changed), { kind: 'skipped' });
    const kept = recorded.filter((r) => !r.file.endsWith('broken.py') && r !== plain);
    assert.deepEqual(answers(dir, kept), allAnswers(kept));
    assert.deepEqual(answers(dir, [{ ...plain, stamp: changed }]), ['plain.py initial']);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.gitignore', CACHE_FILE], 'no temporary file is left');
  });

  it('cut short anywhere, it answers nothing wrong, and keeps every entry written whole before the cut', (t) => {
    const { dir, file, recorded } = filledProject(t);
    const whole = fs.readFileSync(file);
    // Where each entry's last line ends: cut there (or later), the entry is whole.
    const lines = whole.toString('utf8').split('\n').slice(0, -1);
    const wholeAt: { at: number; answers: string[] }[] = [];
    let at = 0;
    let answered: string[] = [];
    for (const [i, line] of lines.entries()) {
      at += Buffer.byteLength(line) + 1;
      const next = lines[i + 1];
      if (i > 0 && (next === undefined || next.startsWith('["entry",'))) {
        const [, head] = JSON.parse(lines.slice(0, i + 1).reverse().find((l) => l.startsWith('["entry",'))!) as [string, { file: string; initial: string; demand?: string }];
        answered = [...answered, `${path.basename(head.file)} initial`, ...(head.demand ? [`${path.basename(head.file)} demand`] : [])];
        wholeAt.push({ at, answers: answered });
      }
    }
    // Every cut near a line's end, and every 61st byte in between.
    const ends = new Set(lines.map((_, i) => Buffer.byteLength(lines.slice(0, i + 1).join('\n'))));
    const cuts = [...Array(whole.length + 1).keys()].filter((length) => length % 61 === 0 || [-2, -1, 0, 1, 2].some((d) => ends.has(length + d)));
    for (const length of cuts) {
      fs.writeFileSync(file, whole.subarray(0, length));
      const got = answers(dir, recorded);
      const expected = wholeAt.filter((w) => w.at <= length).at(-1)?.answers ?? [];
      // An entry whose skipped verdict is in its line may answer before its analyses' lines are there.
      assert.ok(expected.every((answer) => got.includes(answer)), `cut at ${length}: ${got.join(', ')}`);
    }
  });

  it('a damaged line in the middle costs that entry only; an old-format or foreign file starts empty', (t) => {
    const { dir, file, recorded } = filledProject(t);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const waitsEntry = lines.findIndex((line) => line.startsWith('["entry",') && line.includes('waits.py'));
    assert.ok(lines[waitsEntry + 1]!.startsWith('["initial",'), 'its facts follow it');
    const others = allAnswers(recorded).filter((answer) => !answer.startsWith('waits.py'));

    const damage = (i: number, line: string) => fs.writeFileSync(file, [...lines.slice(0, i), line, ...lines.slice(i + 1)].join('\n'));
    for (const [what, i, line] of [
      ['bytes of its facts overwritten', waitsEntry + 1, lines[waitsEntry + 1]!.replace('"functions"', '"funct\u0000\u00ff"')],
      ['its facts cut in two by a newline', waitsEntry + 1, lines[waitsEntry + 1]!.replace('"functions"', '"funct\nions"')],
      ['its facts of another shape', waitsEntry + 1, '["initial",{"kind":"facts","facts":null}]'],
      ['its facts as a demand load', waitsEntry + 1, lines[waitsEntry + 1]!.replace('["initial",', '["demand",')],
      ['its entry line garbled', waitsEntry, lines[waitsEntry]!.replace('"size":', '"size":"')],
      ['its entry line and facts run together', waitsEntry, `${lines[waitsEntry]!}${lines[waitsEntry + 1]!}`],
    ] as const) {
      damage(i, line);
      assert.deepEqual(answers(dir, recorded), others, what);
    }

    // The format before version 2 (one JSON document, under this very key), garbage, or nothing: empty.
    fs.writeFileSync(file, JSON.stringify({ key: KEY, entries: {} }));
    assert.deepEqual(answers(dir, recorded), []);
    fs.writeFileSync(file, lines.join('\n').replace('"version":2', '"version":1'));
    assert.deepEqual(answers(dir, recorded), []);
    fs.writeFileSync(file, `${'x'.repeat(1 << 17)}\n${lines.slice(1).join('\n')}`);
    assert.deepEqual(answers(dir, recorded), []);
    fs.writeFileSync(file, '');
    assert.deepEqual(answers(dir, recorded), []);
  });
});
