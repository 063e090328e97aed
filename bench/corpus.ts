/**
 * The benchmark's corpus: every `.py` file under the Python standard library
 * directory (site-packages included), found the way `grep -r --include='*.py'`
 * finds them, so every row reads the same files. Also builds the larger corpus
 * for the linearity row.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Corpus {
  root: string;
  /** Absolute paths, sorted. */
  files: string[];
  bytes: number;
}

/** `sysconfig.get_paths()["stdlib"]` of the `python3` on PATH. */
export function stdlibDirectory(): string {
  const output = execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' });
  return output.trim();
}

/**
 * Regular `.py` files below `root`. Symbolic links are skipped, files and
 * directories alike, as `grep -r` skips those it meets while recursing.
 */
export function listPythonFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.py')) files.push(full);
    }
  };
  walk(root);
  return files.sort();
}

export function loadCorpus(root: string): Corpus {
  const files = listPythonFiles(root);
  let bytes = 0;
  for (const file of files) bytes += fs.statSync(file).size;
  return { root, files, bytes };
}

/**
 * `copies` copies of the corpus side by side under `target` (`copy-00/`,
 * `copy-01/`, ...), each keeping the corpus's relative layout, so module names
 * repeat across copies as in a monorepo with vendored code. Files are hard
 * links when the file system allows it (no extra disk, no symbolic links for
 * the walk to skip), else real copies. Returns which of the two it made.
 */
export function replicateCorpus(corpus: Corpus, target: string, copies: number): 'hard links' | 'copies' {
  let mode: 'hard links' | 'copies' = 'hard links';
  for (let copy = 0; copy < copies; copy++) {
    const top = path.join(target, `copy-${String(copy).padStart(2, '0')}`);
    const made = new Set<string>();
    for (const file of corpus.files) {
      const destination = path.join(top, path.relative(corpus.root, file));
      const dir = path.dirname(destination);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      if (mode === 'hard links') {
        try {
          fs.linkSync(file, destination);
          continue;
        } catch {
          // Another file system, or links not permitted: copy from here on.
          mode = 'copies';
        }
      }
      fs.copyFileSync(file, destination);
    }
  }
  return mode;
}
