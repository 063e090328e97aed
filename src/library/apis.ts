/**
 * Library knowledge, as data: what the APIs the analysis understands do, in
 * the model's terms. The model (src/python/) reads these rows to know which
 * calls create threadsafe futures, wait on futures, exit the process, run
 * coroutines as entry points, suppress exceptions or build collections;
 * rules read the model's facts, never these names. Teaching pyhang another
 * API (an exit in argparse, an entry point in uvloop) is a row here.
 *
 * Each row names every qualified name the API is reachable under (the
 * public name and the module it is defined in), and, where its behaviour
 * depends on the Python version, which versions the row describes.
 */

/** Where an argument is passed: its position, or its keyword. */
export interface Param {
  position: number;
  keyword: string;
}

/** What calling a function does, as far as the model is concerned. */
export type ApiEffect =
  /** Schedules `coroutine` on a loop in another thread and returns a threadsafe future for its outcome. */
  | { kind: 'submits-coroutine'; coroutine: Param }
  /** Blocks until the futures in `futures` complete, or `timeout` seconds pass (no timeout, or None: no bound). */
  | { kind: 'waits-on-futures'; wait: 'wait' | 'as_completed'; futures: Param; timeout: Param }
  /**
   * Returns an awaitable that completes when `future` does (asyncio.wrap_future):
   * once an `await` of it returns, `future` is done.
   */
  | { kind: 'wraps-future'; future: Param }
  /** Runs `coroutine` to completion on a new event loop in this thread (an entry point). */
  | { kind: 'runs-coroutine'; coroutine: Param }
  /** A class whose instances' `run(coroutine)` is an entry point (asyncio.Runner). */
  | { kind: 'coroutine-runner' }
  /** Raises `raises` (the exits: sys.exit, the site module's exit and quit). */
  | { kind: 'exits'; raises: string }
  /** A context manager that swallows the exception classes passed to it. */
  | { kind: 'suppresses-exceptions' }
  /**
   * Returns a callable that calls `callable` with the arguments given here
   * first (functools.partial): calling it is calling `callable`, and what is
   * bound here is passed to it.
   */
  | { kind: 'binds-arguments'; callable: Param }
  /** Returns a collection of its first argument's elements (list, tuple, sorted, ...). */
  | { kind: 'collects' }
  /** Returns an element of its first argument (next). */
  | { kind: 'takes-element' }
  /** Yields (index, element) pairs of its first argument. */
  | { kind: 'enumerates' }
  /** Yields tuples of its arguments' elements, position by position. */
  | { kind: 'zips' };

export interface LibraryApi {
  /** Every qualified name the API is reachable under. */
  names: readonly string[];
  does: ApiEffect;
  /** Python versions the row describes, when not every supported one. */
  python?: string;
}

const coroutineAt0: Param = { position: 0, keyword: 'coro' };

export const ASYNCIO: readonly LibraryApi[] = [
  { names: ['asyncio.run_coroutine_threadsafe', 'asyncio.tasks.run_coroutine_threadsafe'], does: { kind: 'submits-coroutine', coroutine: coroutineAt0 } },
  { names: ['asyncio.wrap_future', 'asyncio.futures.wrap_future'], does: { kind: 'wraps-future', future: { position: 0, keyword: 'future' } } },
  { names: ['asyncio.run', 'asyncio.runners.run'], does: { kind: 'runs-coroutine', coroutine: { position: 0, keyword: 'main' } } },
  { names: ['asyncio.Runner', 'asyncio.runners.Runner'], does: { kind: 'coroutine-runner' }, python: '>=3.11' },
];

export const CONCURRENT_FUTURES: readonly LibraryApi[] = [
  {
    names: ['concurrent.futures.wait', 'concurrent.futures._base.wait'],
    does: { kind: 'waits-on-futures', wait: 'wait', futures: { position: 0, keyword: 'fs' }, timeout: { position: 1, keyword: 'timeout' } },
  },
  {
    names: ['concurrent.futures.as_completed', 'concurrent.futures._base.as_completed'],
    does: { kind: 'waits-on-futures', wait: 'as_completed', futures: { position: 0, keyword: 'fs' }, timeout: { position: 1, keyword: 'timeout' } },
  },
];

export const SYS: readonly LibraryApi[] = [
  // `exit` and `quit` are the site module's Quitter objects: calling one raises SystemExit as sys.exit does.
  { names: ['sys.exit', 'builtins.exit', 'builtins.quit'], does: { kind: 'exits', raises: 'builtins.SystemExit' } },
];

export const CONTEXTLIB: readonly LibraryApi[] = [{ names: ['contextlib.suppress'], does: { kind: 'suppresses-exceptions' } }];

export const FUNCTOOLS: readonly LibraryApi[] = [
  // `func` is positional-only (`partial(func, /, *args, **keywords)`): a keyword `func=` is bound for the callable, so no keyword names it here.
  { names: ['functools.partial'], does: { kind: 'binds-arguments', callable: { position: 0, keyword: '' } } },
];

export const BUILTINS: readonly LibraryApi[] = [
  {
    names: ['builtins.list', 'builtins.tuple', 'builtins.set', 'builtins.frozenset', 'builtins.sorted', 'builtins.reversed', 'builtins.iter'],
    does: { kind: 'collects' },
  },
  { names: ['builtins.next'], does: { kind: 'takes-element' } },
  { names: ['builtins.enumerate'], does: { kind: 'enumerates' } },
  { names: ['builtins.zip'], does: { kind: 'zips' } },
];

/**
 * What calling a method of that name does, whatever the receiver: the model
 * rarely knows a receiver's class, so these are matched by name (rules then
 * ask what the receiver holds, e.g. a threadsafe future).
 */
export type MethodEffect =
  /** `Future.result(timeout)` / `Future.exception(timeout)`: blocks until the future completes. */
  | { kind: 'waits-on-receiver'; timeout: Param }
  /** Stores its argument at `element` in the receiver (list.append, set.add, queue.put, list.insert). */
  | { kind: 'adds-element'; element: number }
  /** Stores the elements of its first argument in the receiver (list.extend, dict.update). */
  | { kind: 'adds-elements' }
  /** The receiver's values (dict.values). */
  | { kind: 'mapping-values' }
  /** One of the receiver's items (dict.get, list.pop, queue.get_nowait). */
  | { kind: 'takes-item' }
  /** A copy of the receiver. */
  | { kind: 'copies' }
  /** `loop.run_until_complete(coroutine)`: an entry point. */
  | { kind: 'runs-coroutine'; coroutine: Param }
  /** `Runner.run(coroutine)`: an entry point when the receiver is a coroutine-runner instance. */
  | { kind: 'runner-runs'; coroutine: Param }
  /**
   * `fut.add_done_callback(fn)`: `fn` runs once the future is complete (so a
   * `result()` in it returns at once), on any kind of future.
   */
  | { kind: 'registers-done-callback'; callback: number };

const timeoutAt0: Param = { position: 0, keyword: 'timeout' };

export const METHODS: Readonly<Record<string, MethodEffect>> = {
  result: { kind: 'waits-on-receiver', timeout: timeoutAt0 },
  exception: { kind: 'waits-on-receiver', timeout: timeoutAt0 },
  append: { kind: 'adds-element', element: 0 },
  add: { kind: 'adds-element', element: 0 },
  appendleft: { kind: 'adds-element', element: 0 },
  put: { kind: 'adds-element', element: 0 },
  put_nowait: { kind: 'adds-element', element: 0 },
  insert: { kind: 'adds-element', element: 1 },
  extend: { kind: 'adds-elements' },
  update: { kind: 'adds-elements' },
  values: { kind: 'mapping-values' },
  get: { kind: 'takes-item' },
  pop: { kind: 'takes-item' },
  popleft: { kind: 'takes-item' },
  setdefault: { kind: 'takes-item' },
  get_nowait: { kind: 'takes-item' },
  copy: { kind: 'copies' },
  run_until_complete: { kind: 'runs-coroutine', coroutine: { position: 0, keyword: 'future' } },
  run: { kind: 'runner-runs', coroutine: coroutineAt0 },
  add_done_callback: { kind: 'registers-done-callback', callback: 0 },
};

/**
 * The exceptions asyncio re-raises out of `run_forever()`, stopping the
 * loop: a Task's step stores them in the task and raises them again
 * (Task.__step), and a loop callback's Handle lets them through
 * (Handle._run); every other exception stays in the task or goes to the
 * loop's exception handler. As read in CPython 3.11's asyncio/tasks.py and
 * asyncio/events.py.
 */
export const LOOP_STOPPING_EXCEPTIONS: readonly string[] = ['builtins.SystemExit', 'builtins.KeyboardInterrupt'];

/** Every library's rows. */
export const LIBRARY: readonly LibraryApi[] = [...ASYNCIO, ...CONCURRENT_FUTURES, ...SYS, ...CONTEXTLIB, ...FUNCTOOLS, ...BUILTINS];
