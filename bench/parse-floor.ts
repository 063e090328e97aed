/**
 * The parse floor, run as its own process so its time and memory are its own:
 * what any design that parses whole files must spend to find what pyhang
 * finds. It walks the corpus and, on as many threads as `pyhang check` uses by
 * default, reads every file, runs pyhang's pre-filter on it, and parses with
 * pyhang's parse (the native one where it was built) the files pyhang analysed:
 * those the pre-filter lets through and those loaded on demand, each through
 * the core's parseSource, as a check does before it analyses. It analyses
 * nothing. Prints how much it parsed.
 *
 * Usage: node dist/bench/parse-floor.js DIR ANALYSED.json
 * (ANALYSED.json: a JSON array of the paths pyhang analysed, see bench.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { listPythonFiles } from './corpus.js';
import { parseSource } from '../src/engine/lint.js';
import { decodeSource } from '../src/python/decode.js';
import { parsePython } from '../src/python/parser.js';
import { defaultSettings } from '../src/config/settings.js';

interface Share {
  root: string;
  files: string[];
  analysed: string[];
}

interface Parsed {
  files: number;
  bytes: number;
}

/**
 * Reads, pre-filters and parses each file as `pyhang check` does before its
 * analysis (parseSource), the listed files without the pre-filter.
 */
function parseShare({ root, files, analysed }: Share): Parsed {
  const wanted = new Set(analysed);
  const settings = defaultSettings(root);
  const out: Parsed = { files: 0, bytes: 0 };
  for (const file of files) {
    const done = parseSource({ path: file }, settings, !wanted.has(file));
    // Skipped by the pre-filter, or a problem with the file (decoding, size): nothing to parse.
    if (done && 'kind' in done) continue;
    let text: string;
    if (done) text = done.text;
    else {
      // Without the native parse (not built), parseSource leaves the parse to the analysis: the binding parses here.
      const decoded = decodeSource(fs.readFileSync(file));
      if ('error' in decoded) continue;
      text = decoded.text;
      parsePython(text);
    }
    out.files++;
    out.bytes += Buffer.byteLength(text);
  }
  return out;
}

if (isMainThread) {
  const [root, list] = process.argv.slice(2);
  if (!root || !list) {
    process.stderr.write('usage: parse-floor.js DIR ANALYSED.json\n');
    process.exit(2);
  }
  const analysed = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
  const files = listPythonFiles(root);
  const threads = os.availableParallelism();
  // Every thread takes every n-th file, so that each gets a like share of the large ones.
  const shares: Share[] = Array.from({ length: threads }, (_, t) => ({ root, files: files.filter((_, i) => i % threads === t), analysed }));
  const workers = shares.slice(1).map(
    (share) =>
      new Promise<Parsed>((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: share });
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  const results = [parseShare(shares[0]!), ...(await Promise.all(workers))];
  const total = results.reduce((sum, r) => ({ files: sum.files + r.files, bytes: sum.bytes + r.bytes }), { files: 0, bytes: 0 });
  process.stdout.write(`${JSON.stringify({ files: files.length, threads, parsed: total.files, parsedBytes: total.bytes })}\n`);
} else {
  parentPort!.postMessage(parseShare(workerData as Share));
}
