/**
 * What `lint()` asks of a store of analyses, whatever keeps them: the CLI's
 * on disk (disk-store.ts, over analysis-cache.ts, kept between runs) and the
 * language server's in memory (memory-store.ts, kept between passes). A front
 * end picks one and hands it to lint() (LintOptions.store); lint() alone
 * decides when to ask and what to keep, so both front ends take one path
 * through the engine.
 *
 * An analysis depends on a file's content, its module name and the size limit
 * (see analyzeSource), never on the rules' settings: a store answers only for
 * a file as it is now, under the module name and limit it is asked with.
 *
 * What lint() asks and tells (never about a source given as text: an editor's
 * buffer is a moving target):
 * - `firstLook`: asked once per source not given with its content, when the
 *   run is pre-filtered (only pre-filtered first looks are kept);
 * - `demandLoad`: asked when a source the pre-filter skipped is needed after
 *   all (to follow a call into it, or because it names what was found);
 * - `keep`: told every analysis lint() made, or had worker threads make, with
 *   its phase (a store keeps what it can use: the CLI's no exhaustive first
 *   look, the next run being pre-filtered).
 */
import type { Analysis, SourceFile } from './lint.js';
import type { MentionIndex } from '../project/prefilter.js';

/**
 * Which look at a source an analysis is: its first, pre-filtered (`initial`)
 * or not (`exhaustive`, `--no-prefilter`: no skipped verdict, so not what a
 * pre-filtered run would have found), or a full one of a skipped source
 * (`demand`).
 */
export type AnalysisPhase = 'initial' | 'exhaustive' | 'demand';

export interface AnalysisStore {
  /** An earlier first look at the source, if it is of the source as it is now. */
  firstLook(source: SourceFile): Analysis | undefined;
  /** An earlier full analysis of a source the pre-filter skipped, if it is of the source as it is now. */
  demandLoad(source: SourceFile): Analysis | undefined;
  /** An analysis made now, for later runs. A store may decline (an unreadable file, content it cannot key). */
  keep(source: SourceFile, analysis: Analysis, phase: AnalysisPhase): void;
  /**
   * The words of files on disk the pre-filter skipped, each of the file as it
   * is now: they answer name searches without reading those files (and then no
   * search goes to worker threads).
   */
  readonly mentions?: MentionIndex;
}
