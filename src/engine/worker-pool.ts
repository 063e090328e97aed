/**
 * Parallel analysis in worker threads, beside the calling thread. Workers that
 * analyse send back results only: facts, a "skipped" verdict or a per-file
 * problem, each as its JSON text (the plain data the disk store keeps), never trees. A worker that only parses (see PoolOptions.finish)
 * sends the native parse of each file to analyse: one array of numbers, whose
 * memory is handed over rather than copied. Such a worker takes first looks
 * from a queue shared with the calling thread (SharedQueue), and can be handed
 * them before the run asks (prefetch).
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import os from 'node:os';
import type { Analysis } from './lint.js';
import { QUEUE_ANALYSED, queueEnds, queueLeft, takeBack, WORKER_FAILED, WORKER_READY, type SharedQueue, type WorkerResult, type WorkerTask } from './analysis-worker.js';
import type { FileTask, SearchTask } from './analysis-task.js';

/** Tasks handed to a worker ahead of its results, so it never waits for this thread. */
const IN_FLIGHT = 4;
/**
 * The same when this thread takes tasks too: it looks at the workers only
 * between its own tasks, and one of those (a large file to parse) can take as
 * long as many of a worker's (most first looks only read and search a file).
 */
const IN_FLIGHT_SHARED = 64;
/**
 * Search tasks (each a slice of many files) handed to a worker ahead when this
 * thread takes tasks too: with more, the worker took every slice at once and
 * this thread waited for it (380 ms of the standard library run's search).
 */
const SEARCHES_IN_FLIGHT_SHARED = 2;
/** Tasks sent to a worker in one message at most (and its results come back in one). */
const BATCH = 16;
/** With this thread taking tasks too, a worker is handed no more bytes of files than this ahead (sizes known for demand loads). */
const BYTES_IN_FLIGHT_SHARED = 256 * 1024;
/**
 * Parses made by workers waiting for this thread to analyse them (see `finish`): beyond this many, workers are fed no more.
 * (Rather than idle, the worker could analyse the next files itself and send their facts: measured, the facts' JSON.parse
 * cost this thread about what the walks saved it, and the process more CPU and memory; see docs/performance.md, #20.)
 */
const PARSED_AHEAD = 8;
/**
 * First looks handed to a worker before the run that needs them (see
 * prefetch), while this thread is busy elsewhere and looks at the workers only
 * now and then: enough that the worker does not run dry between two looks.
 */
const AHEAD_IN_FLIGHT = 512;
/** Parses made ahead (see prefetch) held for their run at most: beyond this many, workers are fed no more until it starts. */
const AHEAD_PARSED = 32;
/**
 * The young generation of a worker that only parses (see PoolOptions.finish),
 * in MB: what it allocates (file texts, word summaries, results' JSON) dies
 * young, and V8's default let its heap grow to about 50 MB once it started
 * early and kept busy (see prefetch, SharedQueue): the run's peak RSS rose by
 * 25-45 MB (standard library with site-packages, --jobs 2). With 8 MB its
 * heap stays near 23 MB, the peak as before, for no more CPU.
 */
const PARSER_YOUNG_GENERATION_MB = 8;
/** A worker that has finished nothing for this long is given up on; its files are analysed in this thread. */
const STALL_MS = 60_000;
/**
 * A worker that has not said it is ready after this long is given up on (its
 * thread could not be made, or hangs while loading); one that could not load
 * the analysis says so at once.
 */
const STARTUP_MS = 10_000;

export function defaultJobs(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

interface PoolWorker {
  worker: Worker;
  port: MessagePort;
  /** Its status slot in `shared`. */
  slot: number;
  startedAt: number;
  alive: boolean;
  /** Tasks handed to it whose results have not arrived, by path. */
  pending: Map<string, WorkerTask>;
  /** The bytes of files of those tasks (where known). */
  pendingBytes: number;
}

export interface PoolOptions {
  /** The module a worker loads to analyse a task (default: analysis-task.js; tests give one that fails). */
  taskModule?: URL;
  /**
   * Runs a task in the calling thread: given, that thread takes tasks from the
   * same queue while the workers run theirs (so `jobs` threads work, this one
   * included), rather than only waiting for them.
   */
  local?: (task: WorkerTask) => WorkerResult;
  /**
   * Given (with `local`): workers only read, pre-filter and parse files (the
   * native parse, see parseFlat), and the files to analyse come back with their
   * parse, transferred without a copy, for this function to analyse in the
   * calling thread. Where the workers are few, this pays (see lint-files.ts).
   */
  finish?: (task: FileTask, parsed: { text: string; tree: Int32Array } | null) => WorkerResult;
}

/**
 * Worker threads that analyse files while the calling thread waits for them:
 * first looks, then the files the analysis needs on demand, in the middle of
 * the synchronous core (`lint()`). The same workers serve both, so the second
 * use finds their code already compiled.
 */
export class AnalysisPool {
  private workers: PoolWorker[] | null = null;
  /** Search tasks made so far (their keys). */
  private searches = 0;
  /** Slot 0 counts results and status changes posted by any worker: this thread sleeps until it moves. Slot i + 1 is worker i's status. */
  private readonly shared: Int32Array;
  /** First looks asked for ahead of their run (see prefetch) and not yet handed to a worker. */
  private ahead: FileTask[] = [];
  private aheadNext = 0;
  /** Whether tasks were sent ahead since the last run (see prefetch). */
  private prefetched = false;
  /** The tasks sent ahead: their results wait here, or in the workers, for the run that asks for the same look. */
  private readonly sentAhead = new WeakSet<WorkerTask>();
  /** Results of tasks sent ahead that arrived before their run, by path, and how many of them are parses. */
  private readonly early = new Map<string, { task: FileTask; result: WorkerResult }>();
  private earlyParsed = 0;

  constructor(
    private readonly jobs: number,
    private readonly options: PoolOptions = {},
  ) {
    this.shared = new Int32Array(new SharedArrayBuffer(4 * (jobs + 1)));
  }

  /**
   * Analyses the files in the workers, handing each the next task as it
   * finishes one, and returns each path's analysis. The tasks of a worker that
   * cannot start go to the others; those of a worker that stalls or dies, and
   * all of them when no worker starts, are left out: the caller analyses them
   * itself. `onResult` is called as each analysis arrives (for a progress line).
   */
  analyze(tasks: readonly FileTask[], onResult?: () => void): Map<string, Analysis> {
    const analyses = new Map<string, Analysis>();
    for (const [path, result] of this.run(tasks, onResult)) {
      if ('analysis' in result) analyses.set(path, result.analysis);
      // Sent as JSON (see encodeResults): JSON.parse shares one copy of every key, where the structured
      // clone made a string of its own at every place and needed a pass of interning (compactData) after it.
      else if ('json' in result) analyses.set(path, JSON.parse(result.json) as Analysis);
    }
    return analyses;
  }

  /**
   * Which of the files name any of the names (`called` ones followed by `(`),
   * searched by the workers in slices; paths of a slice that no worker finished
   * are left out, for the caller to search.
   */
  search(paths: readonly string[], called: string[], named: string[]): Map<string, boolean> {
    const tasks: SearchTask[] = [];
    // Slices large enough that messages cost little, small enough that all threads finish together.
    const threads = this.jobs + (this.options.local ? 1 : 0);
    const slice = Math.max(64, Math.ceil(paths.length / (threads * 8)));
    for (let i = 0; i < paths.length; i += slice) {
      tasks.push({ path: `search ${this.searches++}`, search: { paths: paths.slice(i, i + slice), called, named } });
    }
    const found = new Map<string, boolean>();
    const results = this.run(tasks);
    for (const task of tasks) {
      const result = results.get(task.path);
      if (result && 'matches' in result) task.search.paths.forEach((path, i) => found.set(path, result.matches[i] === true));
    }
    return found;
  }

  /**
   * Hands first looks to the workers before the run that needs them is known
   * in full (while discovery is still finding files): read, pre-filter and
   * parse only (see PoolOptions.finish; without it, the workers are only started), the
   * module name being unknown yet. The next analyze() takes their results for
   * the same files under the same size limit and pre-filter, and the rest are
   * dropped. Each call also collects what the workers finished meanwhile.
   */
  prefetch(tasks: readonly FileTask[]): void {
    // Without `finish`, workers need module names to do anything: they are only started.
    if (!this.options.finish) {
      this.start();
      return;
    }
    this.prefetched = true;
    this.ahead.push(...tasks);
    const workers = this.start();
    for (const w of workers) {
      if (!w.alive) continue;
      this.receive(w, (task, result) => {
        if (!this.sentAhead.has(task)) return;
        this.early.set(task.path, { task: task as FileTask, result });
        if ('parsed' in result) this.earlyParsed++;
      });
      let batch: WorkerTask[] = [];
      while (w.pending.size < AHEAD_IN_FLIGHT && this.aheadNext < this.ahead.length && this.earlyParsed < AHEAD_PARSED) {
        const task = this.ahead[this.aheadNext++]!;
        this.sentAhead.add(task);
        w.pending.set(task.path, task);
        batch.push(task);
        if (batch.length === BATCH) {
          w.port.postMessage(batch);
          batch = [];
        }
      }
      if (batch.length > 0) w.port.postMessage(batch);
    }
  }

  /** Takes a worker's results that have arrived, each with the task it was sent as. */
  private receive(w: PoolWorker, take: (task: WorkerTask, result: WorkerResult) => void): boolean {
    let any = false;
    for (let message = receiveMessageOnPort(w.port); message; message = receiveMessageOnPort(w.port)) {
      for (const result of message.message as WorkerResult[]) {
        const task = w.pending.get(result.path);
        if (!task) continue;
        w.pending.delete(result.path);
        w.pendingBytes -= task.size ?? 0;
        take(task, result);
      }
      any = true;
    }
    return any;
  }

  private run(tasks: readonly WorkerTask[], onResult?: () => void): Map<string, WorkerResult> {
    const results = new Map<string, WorkerResult>();
    const done = (result: WorkerResult) => {
      results.set(result.path, result);
      onResult?.();
    };
    if (tasks.length === 0) return results;
    const workers = this.start();
    const local = this.options.local;
    const finish = local ? this.options.finish : undefined;
    /** Files a worker read and parsed: this thread analyses them, before taking new tasks. */
    const mine: { task: FileTask; parsed: { text: string; tree: Int32Array } | null; queued?: boolean }[] = [];
    /** Takes a worker's result for one of this run's tasks (`queued`: one of the shared queue's, see below). */
    const take = (task: WorkerTask, result: WorkerResult, queued = false) => {
      if ('parsed' in result) {
        if (!('search' in task)) mine.push({ task, parsed: result.parsed, queued });
      } else done(result);
    };
    // Tasks sent ahead (see prefetch) for the same look: their results are taken (or awaited) rather than asked for again.
    const claimed = new Map<string, FileTask>();
    const rest = this.prefetched ? tasks.filter((task) => !this.claim(task, claimed, take)) : tasks;
    // Parses made ahead are already held: they do not keep the workers from being fed (PARSED_AHEAD counts the others).
    let heldAhead = mine.length;
    // Those this run did not claim are no one's.
    this.early.clear();
    this.earlyParsed = 0;
    this.prefetched = false;
    this.ahead = [];
    this.aheadNext = 0;
    // Largest first (sizes are known for demand loads), so no large file is left for last.
    const queue = rest.some((t) => t.size !== undefined) ? [...rest].sort((a, b) => (b.size ?? 0) - (a.size ?? 0)) : [...rest];
    let next = 0;
    const searching = tasks.some((t) => 'search' in t);
    const inFlight = local ? (searching ? SEARCHES_IN_FLIGHT_SHARED : IN_FLIGHT_SHARED) : IN_FLIGHT;
    // Files for one parsing worker: they go to it once, as a queue it takes from the front and this thread from the back
    // (see SharedQueue), so that it never runs dry while this thread analyses a large file. Tasks given back go to
    // `extra`, this thread's.
    const alive = workers.filter((w) => w.alive);
    // (A worker still loading is handed tasks as before: this thread does not count on it.)
    const sharing = finish && !searching && alive.length === 1 && Atomics.load(this.shared, alive[0]!.slot) === WORKER_READY && queue.length > 0 ? alive[0]! : null;
    const control = sharing ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const ends = sharing ? queueEnds(queue.length) : null;
    const extra: WorkerTask[] = [];
    if (sharing) {
      for (const task of queue) {
        sharing.pending.set(task.path, task);
        sharing.pendingBytes += task.size ?? 0;
      }
      sharing.port.postMessage({ queue: queue.map((task) => ({ ...task, parseOnly: true })), ends: ends!, control: control! } satisfies SharedQueue);
    }
    const requeue = (task: WorkerTask) => (control ? extra.push(task) : queue.push(task));
    const moreToTake = () => extra.length > 0 || (ends ? queueLeft(ends) : next < queue.length);
    /** The next task for this thread, if any is left. */
    const nextTask = (): WorkerTask | undefined => {
      if (extra.length > 0) return extra.pop();
      if (!ends) return next < queue.length ? queue[next++] : undefined;
      const i = takeBack(ends);
      if (i < 0) return undefined;
      const task = queue[i]!;
      sharing!.pending.delete(task.path);
      sharing!.pendingBytes -= task.size ?? 0;
      return task;
    };
    /** This run's task for a task a worker was given (one sent ahead stands for the run's task it was claimed by), or undefined for one sent ahead that no task claimed. */
    const ownTask = (sent: WorkerTask): WorkerTask | undefined => (this.sentAhead.has(sent) ? claimed.get(sent.path) : sent);
    const feed = (w: PoolWorker) => {
      if (control) return;
      // Tasks go in batches, one message each (most first looks take less time than a message's round trip).
      let batch: WorkerTask[] = [];
      while (w.alive && w.pending.size < inFlight && next < queue.length && mine.length - heldAhead < PARSED_AHEAD) {
        // One task at least, whatever its size.
        if (local && w.pending.size > 0 && w.pendingBytes + (queue[next]!.size ?? 0) > BYTES_IN_FLIGHT_SHARED) break;
        const task = queue[next++]!;
        w.pending.set(task.path, task);
        w.pendingBytes += task.size ?? 0;
        batch.push(finish && !('search' in task) ? { ...task, parseOnly: true } : task);
        if (batch.length === BATCH) {
          w.port.postMessage(batch);
          batch = [];
        }
      }
      if (batch.length > 0) w.port.postMessage(batch);
    };
    let lastProgress = Date.now();
    for (;;) {
      const seen = Atomics.load(this.shared, 0);
      let busy = false;
      let requeued = false;
      for (const w of workers) {
        if (!w.alive) continue;
        const status = Atomics.load(this.shared, w.slot);
        if (status === WORKER_FAILED || (status !== WORKER_READY && Date.now() - w.startedAt > STARTUP_MS)) {
          // It never took a task: what was handed to it goes back in the queue for the others.
          for (const sent of w.pending.values()) {
            // (Tasks of the shared queue it never took are still there for this thread.)
            if (w === sharing && !this.sentAhead.has(sent)) continue;
            const task = ownTask(sent);
            if (task) requeue(task);
            requeued = true;
          }
          w.pending.clear();
          w.pendingBytes = 0;
          void this.retire(w);
          continue;
        }
        const received = this.receive(w, (sent, result) => {
          if (!this.sentAhead.has(sent)) return take(sent, result, w === sharing);
          // Sent ahead: taken when a task of this run claimed it for the same look; asked for again when for another.
          const task = claimed.get(sent.path);
          if (task && sameLook(sent as FileTask, task)) take(task, result);
          else if (task) requeue(task);
        });
        if (received) lastProgress = Date.now();
        feed(w);
        if (w.pending.size > 0) busy = true;
      }
      // Tasks taken back from a worker that could not start are handed to the others at once.
      if (requeued && workers.some((w) => w.alive)) continue;
      // The workers have all they can take ahead: this thread runs the next task itself.
      if (local && (mine.length > 0 || moreToTake())) {
        const parsed = mine.shift();
        if (parsed) {
          if (heldAhead > 0) heldAhead--;
          done(finish!(parsed.task, parsed.parsed));
          if (parsed.queued) {
            // The worker may be waiting for this thread to take its parses.
            Atomics.add(control!, QUEUE_ANALYSED, 1);
            Atomics.notify(control!, QUEUE_ANALYSED);
          }
        } else {
          const task = nextTask();
          if (task) done(local(task));
        }
        lastProgress = Date.now();
        continue;
      }
      if (!busy) return results;
      if (Date.now() - lastProgress > STALL_MS) {
        for (const w of workers) if (w.pending.size > 0) void this.retire(w);
        return results;
      }
      // Sleep until some worker posts a result or its status (or a second passes, to notice a stall).
      Atomics.wait(this.shared, 0, seen, 1000);
    }
  }

  /**
   * Whether a task was sent ahead for the same look (see prefetch): then its
   * result, arrived or still in a worker, is this task's (`claimed` records
   * the task for the latter), and it is not asked for again.
   */
  private claim(task: WorkerTask, claimed: Map<string, FileTask>, take: (task: WorkerTask, result: WorkerResult) => void): boolean {
    if ('search' in task) return false;
    const early = this.early.get(task.path);
    if (early) {
      this.early.delete(task.path);
      if (!sameLook(early.task, task)) return false;
      take(task, early.result);
      return true;
    }
    for (const w of this.workers ?? []) {
      const sent = w.pending.get(task.path);
      if (sent && this.sentAhead.has(sent) && w.alive) {
        // (Its result is checked against the task's look when it arrives.)
        claimed.set(task.path, task);
        return true;
      }
    }
    return false;
  }

  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = null;
    await Promise.all(workers.map((w) => this.retire(w)));
  }

  private start(): PoolWorker[] {
    if (this.workers) return this.workers;
    const taskModule = (this.options.taskModule ?? new URL('./analysis-task.js', import.meta.url)).href;
    this.workers = Array.from({ length: this.jobs }, (_, i) => {
      const { port1, port2 } = new MessageChannel();
      const slot = i + 1;
      const worker = new Worker(new URL('./analysis-worker.js', import.meta.url), {
        workerData: { port: port2, shared: this.shared, slot, taskModule },
        transferList: [port2],
        ...(this.options.finish ? { resourceLimits: { maxYoungGenerationSizeMb: PARSER_YOUNG_GENERATION_MB } } : {}),
      });
      const entry: PoolWorker = { worker, port: port1, slot, startedAt: Date.now(), alive: true, pending: new Map(), pendingBytes: 0 };
      worker.on('error', () => {
        entry.alive = false;
      });
      // Idle workers must not keep the process alive.
      worker.unref();
      return entry;
    });
    return this.workers;
  }

  private async retire(w: PoolWorker): Promise<void> {
    w.alive = false;
    w.port.close();
    await w.worker.terminate();
  }
}

/** Whether a task sent ahead looks at a file as `task` does: the same size limit and pre-filter (the module name plays no part in a parse). */
function sameLook(ahead: FileTask, task: FileTask): boolean {
  return ahead.maxFileSize === task.maxFileSize && (ahead.prefilter ?? true) === (task.prefilter ?? true);
}
