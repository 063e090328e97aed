/**
 * `checked 12,345 / 100,000 files…` on stderr while a long check runs, so a
 * person at a terminal sees that it is working and how far it got. Rewritten
 * in place (`\r`, then erase to the end of the line), and erased before
 * anything else is printed and at the end, so no output is interleaved with it.
 *
 * Only for a person watching: never when stderr is not a terminal (a pipe, a
 * file, an editor), never in CI (`CI` set: logs keep every `\r` as text), never
 * with `--quiet` or `--no-progress`, and only once the run has taken 2 s (a
 * short run would only flicker). The run is synchronous (lint() blocks this
 * thread), so the line is drawn from the run's own progress calls, not from a
 * timer.
 */
import type { CliIo } from './io.js';

/** A run shorter than this shows no progress line. */
const SHOW_AFTER_MS = 2_000;
/** The line is redrawn at most this often: terminals are slow to draw, and 100,000 updates would cost. */
const REDRAW_MS = 100;

const ERASE_LINE = '\r\u001B[K';

export class ProgressLine {
  private readonly startedAt = Date.now();
  private lastDrawn = 0;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly enabled: boolean,
    private readonly showAfterMs = SHOW_AFTER_MS,
  ) {}

  /**
   * The progress line of a check run with these flags, in this environment:
   * one that never draws unless stderr is a terminal, outside CI, without
   * `--quiet` or `--no-progress`. (`PYHANG_PROGRESS_AFTER_MS`, for tests, says
   * after how long it is drawn: a test cannot count on a run taking 2 s.)
   */
  static forCheck(io: CliIo, flags: { quiet: boolean; progress?: boolean }): ProgressLine {
    const ci = io.env['CI'];
    const enabled = io.stderrIsTty === true && (ci === undefined || ci === '') && !flags.quiet && flags.progress !== false;
    const after = Number(io.env['PYHANG_PROGRESS_AFTER_MS']);
    return new ProgressLine(io, enabled, io.env['PYHANG_PROGRESS_AFTER_MS'] && Number.isFinite(after) ? after : SHOW_AFTER_MS);
  }

  /** Says how many of the files have been checked (drawn only when due, see the module comment). */
  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.startedAt < this.showAfterMs || now - this.lastDrawn < REDRAW_MS) return;
    this.lastDrawn = now;
    this.shown = true;
    this.io.stderr(`${ERASE_LINE}checked ${count(done)} / ${count(total)} files…`);
  }

  /** Erases the line, if it is shown (before other output, and at the end). */
  clear(): void {
    if (!this.shown) return;
    this.shown = false;
    this.io.stderr(ERASE_LINE);
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
