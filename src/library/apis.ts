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
  /**
   * Schedules `coroutine` on `loop` (in another thread, as meant) and returns a
   * threadsafe future for its outcome.
   */
  | { kind: 'submits-coroutine'; coroutine: Param; loop: Param }
  /** Returns an object the model knows by name (see LibraryObject). */
  | { kind: 'returns-object'; object: LibraryObject }
  /**
   * A class whose subclasses' methods named in `callbacks` are called by an
   * event loop, on its thread (asyncio's protocols: `data_received`, ...).
   */
  | { kind: 'loop-protocol'; callbacks: readonly string[] }
  /** Blocks until the futures in `futures` complete, or `timeout` seconds pass (no timeout, or None: no bound). */
  | { kind: 'waits-on-futures'; wait: 'wait' | 'as_completed'; futures: Param; timeout: Param }
  /**
   * A future class called directly (`concurrent.futures.Future()`): the future
   * it makes is completed only by whoever calls its `set_result` /
   * `set_exception` (executors and asyncio make theirs and complete them).
   */
  | { kind: 'makes-future' }
  /**
   * Completes the future at `future` with another's outcome, once that one is
   * done (asyncio's `_chain_future(source, destination)`, from a done-callback
   * of `source`: on its loop when it is a task).
   */
  | { kind: 'completes-future'; future: Param }
  /**
   * Returns an awaitable that completes when `future` does (asyncio.wrap_future):
   * once an `await` of it returns, `future` is done.
   */
  | { kind: 'wraps-future'; future: Param }
  /**
   * Returns an awaitable over the futures in `futures` (asyncio.wait): awaited,
   * it returns `(done, pending)` once the first completes (`return_when`),
   * `timeout` passes, or, when neither is given, every one is done.
   */
  | { kind: 'awaits-futures'; futures: Param; timeout: Param; returnWhen: Param }
  /** Runs `coroutine` to completion on a new event loop in this thread (an entry point). */
  | { kind: 'runs-coroutine'; coroutine: Param }
  /**
   * Calls the coroutine function `function` and runs the coroutine to completion on
   * a new event loop in this thread (an entry point taking the function: trio.run, anyio.run).
   */
  | { kind: 'runs-coroutine-function'; function: Param }
  /**
   * Returns an awaitable that runs the coroutines passed at `coroutines` (every
   * positional argument when `all`) on the loop that awaits or schedules it:
   * gather, wait_for, shield, ensure_future, create_task (the last two return an
   * asyncio future: `object`). Whoever runs or
   * submits that awaitable runs those coroutines.
   */
  | { kind: 'wraps-coroutines'; coroutines: Param | 'all'; object?: LibraryObject }
  /**
   * A library class whose methods have rows of their own, named `Class.method`:
   * calling it makes an instance on which those rows apply (argparse.ArgumentParser).
   */
  | { kind: 'library-class' }
  /** The modules of an event loop library: a module importing one runs its coroutines on that library's loop. */
  | { kind: 'event-loop-library'; loop: 'asyncio' | 'trio' }
  /** A class whose instances' `run(coroutine)` is an entry point (asyncio.Runner). */
  | { kind: 'coroutine-runner' }
  /**
   * Raises `raises` (the exits: sys.exit, the site module's exit and quit), unless
   * the argument at `unlessFalse` is given as the literal `False` (unittest.main(exit=False)).
   * A method that exits only by calling the instance's methods `through`: on a
   * project subclass, what those methods do decides (`def error(self, m): raise CommandError(m)`).
   */
  | { kind: 'exits'; raises: string; unlessFalse?: Param; through?: readonly string[] }
  /**
   * A decorator, used bare or called (`@click.command`, `@click.command()`,
   * `@cli.command()` as a method row), that replaces the function with an
   * instance of the library class `instance`.
   */
  | { kind: 'decorates-into'; instance: string }
  /** A context manager that swallows the exception classes passed to it. */
  | { kind: 'suppresses-exceptions' }
  /**
   * A context manager that raises whatever its body raises wrapped in a
   * BaseExceptionGroup, SystemExit and KeyboardInterrupt too (anyio's task
   * group, trio's nursery; not asyncio.TaskGroup, which re-raises those two bare).
   */
  | { kind: 'groups-exceptions' }
  /**
   * Returns a callable that calls `callable` with the arguments given here
   * first (functools.partial): calling it is calling `callable`, and what is
   * bound here is passed to it.
   */
  | { kind: 'binds-arguments'; callable: Param }
  /**
   * `getattr(object, name[, default])`: with `name` a constant string
   * (`getattr(sys, "exit")`), what `object.name` is, or `default`.
   */
  | { kind: 'reads-attribute'; object: Param; name: Param; default: Param }
  /** Returns a collection of its first argument's elements (list, tuple, sorted, ...). */
  | { kind: 'collects' }
  /**
   * Returns an iterator that never ends (itertools.count, cycle), unless the
   * argument at `unlessGiven` is passed (itertools.repeat's `times`): a `for`
   * over it ends only by a `break`, a `return` or a raise, as `while True` does.
   */
  | { kind: 'iterates-forever'; unlessGiven?: Param }
  /** Returns an element of its first argument (next). */
  | { kind: 'takes-element' }
  /** Yields (index, element) pairs of its first argument. */
  | { kind: 'enumerates' }
  /** Yields tuples of its arguments' elements, position by position. */
  | { kind: 'zips' };

/**
 * Objects library calls return that the model tells apart:
 * - `running-loop`: the event loop running the calling thread.
 *   `asyncio.get_running_loop()` returns it or raises; `asyncio.get_event_loop()`
 *   returns it whenever one is running in the thread (else the thread's
 *   default loop), so on a loop's thread both are that loop;
 * - `asyncio-future`: an asyncio Future or Task, whose done-callbacks the
 *   loop runs with `call_soon` (unlike a concurrent.futures.Future's, which run
 *   in whichever thread completes it);
 * - `running-loop-future`: a run_coroutine_threadsafe future whose target is
 *   the `running-loop` of the thread that submitted it.
 */
export type LibraryObject = 'running-loop' | 'asyncio-future' | 'running-loop-future';

export interface LibraryApi {
  /** Every qualified name the API is reachable under. */
  names: readonly string[];
  does: ApiEffect;
  /** Python versions the row describes, when not every supported one. */
  python?: string;
}

const coroutineAt0: Param = { position: 0, keyword: 'coro' };

/** asyncio's protocol callbacks, as the transports of CPython 3.11 call them (asyncio/protocols.py). */
const PROTOCOL_CALLBACKS: readonly string[] = [
  'connection_made',
  'connection_lost',
  'pause_writing',
  'resume_writing',
  'data_received',
  'eof_received',
  'get_buffer',
  'buffer_updated',
  'datagram_received',
  'error_received',
  'pipe_data_received',
  'pipe_connection_lost',
  'process_exited',
];

export const ASYNCIO: readonly LibraryApi[] = [
  {
    names: ['asyncio.run_coroutine_threadsafe', 'asyncio.tasks.run_coroutine_threadsafe'],
    does: { kind: 'submits-coroutine', coroutine: coroutineAt0, loop: { position: 1, keyword: 'loop' } },
  },
  {
    names: ['asyncio.get_running_loop', 'asyncio.events.get_running_loop', 'asyncio.get_event_loop', 'asyncio.events.get_event_loop'],
    does: { kind: 'returns-object', object: 'running-loop' },
  },
  {
    names: [
      'asyncio.Future',
      'asyncio.futures.Future',
      'asyncio.Task',
      'asyncio.tasks.Task',
    ],
    does: { kind: 'returns-object', object: 'asyncio-future' },
  },
  {
    names: [
      'asyncio.BaseProtocol',
      'asyncio.protocols.BaseProtocol',
      'asyncio.Protocol',
      'asyncio.protocols.Protocol',
      'asyncio.BufferedProtocol',
      'asyncio.protocols.BufferedProtocol',
      'asyncio.DatagramProtocol',
      'asyncio.protocols.DatagramProtocol',
      'asyncio.SubprocessProtocol',
      'asyncio.protocols.SubprocessProtocol',
    ],
    does: { kind: 'loop-protocol', callbacks: PROTOCOL_CALLBACKS },
  },
  // wait(fs, *, timeout=None, return_when=ALL_COMPLETED): both keyword-only.
  {
    names: ['asyncio.wait', 'asyncio.tasks.wait'],
    does: { kind: 'awaits-futures', futures: { position: 0, keyword: 'fs' }, timeout: { position: -1, keyword: 'timeout' }, returnWhen: { position: -1, keyword: 'return_when' } },
  },
  { names: ['asyncio.wrap_future', 'asyncio.futures.wrap_future'], does: { kind: 'wraps-future', future: { position: 0, keyword: 'future' } } },
  { names: ['asyncio.run', 'asyncio.runners.run'], does: { kind: 'runs-coroutine', coroutine: { position: 0, keyword: 'main' } } },
  { names: ['asyncio.Runner', 'asyncio.runners.Runner'], does: { kind: 'coroutine-runner' }, python: '>=3.11' },
  { names: ['asyncio.gather', 'asyncio.tasks.gather'], does: { kind: 'wraps-coroutines', coroutines: 'all' } },
  { names: ['asyncio.wait_for', 'asyncio.tasks.wait_for'], does: { kind: 'wraps-coroutines', coroutines: { position: 0, keyword: 'fut' } } },
  { names: ['asyncio.shield', 'asyncio.tasks.shield'], does: { kind: 'wraps-coroutines', coroutines: { position: 0, keyword: 'arg' } } },
  {
    names: ['asyncio.ensure_future', 'asyncio.tasks.ensure_future'],
    does: { kind: 'wraps-coroutines', coroutines: { position: 0, keyword: 'coro_or_future' }, object: 'asyncio-future' },
  },
  { names: ['asyncio.create_task', 'asyncio.tasks.create_task'], does: { kind: 'wraps-coroutines', coroutines: coroutineAt0, object: 'asyncio-future' } },
  { names: ['asyncio'], does: { kind: 'event-loop-library', loop: 'asyncio' } },
];

/** Other event loops. uvloop.run is asyncio.run on uvloop's loop; trio and anyio run a coroutine function. */
export const OTHER_LOOPS: readonly LibraryApi[] = [
  { names: ['uvloop.run'], does: { kind: 'runs-coroutine', coroutine: { position: 0, keyword: 'main' } } },
  // trio.run(async_fn, *args): under trio, SystemExit propagates out of trio.run to its caller.
  { names: ['trio.run'], does: { kind: 'runs-coroutine-function', function: { position: 0, keyword: 'async_fn' } } },
  // anyio.run(func, *args, backend='asyncio'): an entry point on whichever backend.
  { names: ['anyio.run'], does: { kind: 'runs-coroutine-function', function: { position: 0, keyword: 'func' } } },
  { names: ['trio', 'anyio'], does: { kind: 'event-loop-library', loop: 'trio' } },
  // Run with anyio 4.15.1 (asyncio backend) and trio 0.34.0: `raise KeyboardInterrupt` / `SystemExit(3)` in the
  // body comes out as BaseExceptionGroup([...]). An exception of a child task is not wrapped by anyio on asyncio.
  { names: ['anyio.create_task_group', 'trio.open_nursery'], does: { kind: 'groups-exceptions' } },
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

export const CONCURRENT_FUTURES_CLASSES: readonly LibraryApi[] = [
  { names: ['concurrent.futures.Future', 'concurrent.futures._base.Future'], does: { kind: 'makes-future' } },
  // Private, but what hand-written run_coroutine_threadsafe variants call (the asyncio REPL does).
  { names: ['asyncio.futures._chain_future'], does: { kind: 'completes-future', future: { position: 1, keyword: 'destination' } } },
];

export const SYS: readonly LibraryApi[] = [
  // `exit` and `quit` are the site module's Quitter objects: calling one raises SystemExit as sys.exit does.
  { names: ['sys.exit', 'builtins.exit', 'builtins.quit'], does: { kind: 'exits', raises: 'builtins.SystemExit' } },
];

/**
 * argparse, as run on CPython 3.11.7: parse_args, parse_known_args,
 * parse_intermixed_args and parse_known_intermixed_args raise SystemExit(0) on
 * `--help` and SystemExit(2) on a missing required argument or (parse_args)
 * an unknown one, even with exit_on_error=False (which only turns a bad value
 * into ArgumentError); error() raises SystemExit(2), exit(n) SystemExit(n).
 */
export const ARGPARSE: readonly LibraryApi[] = [
  { names: ['argparse.ArgumentParser'], does: { kind: 'library-class' } },
  {
    // They exit through self.error() (bad or missing arguments) and self.exit() (--help, --version).
    names: [
      'argparse.ArgumentParser.parse_args',
      'argparse.ArgumentParser.parse_known_args',
      'argparse.ArgumentParser.parse_intermixed_args',
      'argparse.ArgumentParser.parse_known_intermixed_args',
    ],
    does: { kind: 'exits', raises: 'builtins.SystemExit', through: ['error', 'exit'] },
  },
  { names: ['argparse.ArgumentParser.error'], does: { kind: 'exits', raises: 'builtins.SystemExit', through: ['exit'] } },
  { names: ['argparse.ArgumentParser.exit'], does: { kind: 'exits', raises: 'builtins.SystemExit' } },
];

/**
 * unittest.main is the class TestProgram: making one runs the tests, then
 * raises SystemExit unless exit=False (its sixth parameter), as run on CPython 3.11.7.
 */
export const UNITTEST: readonly LibraryApi[] = [
  {
    names: ['unittest.main', 'unittest.TestProgram', 'unittest.main.main', 'unittest.main.TestProgram'],
    does: { kind: 'exits', raises: 'builtins.SystemExit', unlessFalse: { position: 5, keyword: 'exit' } },
  },
];

/**
 * click 8.4.0, as run on CPython 3.11.7: a command or group is called (or its
 * main() is) in standalone mode by default, which ends in sys.exit() on
 * success (SystemExit(0)), on bad input (2) and on click.Abort (1);
 * standalone_mode=False (main's fourth parameter) returns, or raises
 * ClickException. click.Abort and click.exceptions.Exit (`ctx.exit()`) are
 * RuntimeErrors: raised in a coroutine, they do not stop its loop (no rows).
 */
const standalone: Param = { position: 3, keyword: 'standalone_mode' };
export const CLICK: readonly LibraryApi[] = [
  { names: ['click.Command', 'click.core.Command', 'click.Group', 'click.core.Group'], does: { kind: 'library-class' } },
  {
    names: ['__call__', 'main'].flatMap((m) => ['click.Command', 'click.core.Command', 'click.Group', 'click.core.Group'].map((c) => `${c}.${m}`)),
    does: { kind: 'exits', raises: 'builtins.SystemExit', unlessFalse: standalone },
  },
  { names: ['click.command', 'click.decorators.command', 'click.Group.command', 'click.core.Group.command'], does: { kind: 'decorates-into', instance: 'click.Command' } },
  { names: ['click.group', 'click.decorators.group', 'click.Group.group', 'click.core.Group.group'], does: { kind: 'decorates-into', instance: 'click.Group' } },
];

/**
 * typer 0.27.1, read in its source (typer/main.py, typer/core.py; typer is
 * not installed here, so not run): `Typer.__call__(*args, **kwargs)` returns
 * `get_command(self)(*args, **kwargs)`, calling the click command it builds,
 * whose `main()` (typer's `_main`) runs in standalone mode by default and
 * ends in `sys.exit()`: on success (`ctx.exit()` then `sys.exit(0)`), on bad
 * input, on `Abort` and on Ctrl-C (130). `standalone_mode=False` (main's
 * fourth parameter, passed through) returns. `@app.command()` returns the
 * function itself (no decorates-into row). `typer.Exit` is click's `Exit`, a
 * RuntimeError: no row.
 */
export const TYPER: readonly LibraryApi[] = [
  { names: ['typer.Typer', 'typer.main.Typer'], does: { kind: 'library-class' } },
  { names: ['typer.Typer.__call__', 'typer.main.Typer.__call__'], does: { kind: 'exits', raises: 'builtins.SystemExit', unlessFalse: standalone } },
];

/** signal.default_int_handler(signum, frame), Python's SIGINT handler, raises KeyboardInterrupt when called. */
export const SIGNAL: readonly LibraryApi[] = [
  { names: ['signal.default_int_handler', '_signal.default_int_handler'], does: { kind: 'exits', raises: 'builtins.KeyboardInterrupt' } },
];

export const CONTEXTLIB: readonly LibraryApi[] = [{ names: ['contextlib.suppress'], does: { kind: 'suppresses-exceptions' } }];

export const FUNCTOOLS: readonly LibraryApi[] = [
  // `func` is positional-only (`partial(func, /, *args, **keywords)`): a keyword `func=` is bound for the callable, so no keyword names it here.
  { names: ['functools.partial'], does: { kind: 'binds-arguments', callable: { position: 0, keyword: '' } } },
];

/** As documented and run on CPython 3.11.7: count() and cycle() of a non-empty iterable never stop; repeat(x) only with times. */
export const ITERTOOLS: readonly LibraryApi[] = [
  { names: ['itertools.count', 'itertools.cycle'], does: { kind: 'iterates-forever' } },
  { names: ['itertools.repeat'], does: { kind: 'iterates-forever', unlessGiven: { position: 1, keyword: 'times' } } },
];

export const BUILTINS: readonly LibraryApi[] = [
  // getattr(object, name, default, /): positional only.
  { names: ['builtins.getattr'], does: { kind: 'reads-attribute', object: { position: 0, keyword: '' }, name: { position: 1, keyword: '' }, default: { position: 2, keyword: '' } } },
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
  /** `loop.create_task(coroutine)`, `task_group.create_task(coroutine)`: runs it on the receiver's loop (see wraps-coroutines). */
  | { kind: 'wraps-coroutine'; coroutine: Param; object?: LibraryObject }
  /** `Runner.run(coroutine)`: an entry point when the receiver is a coroutine-runner instance. */
  | { kind: 'runner-runs'; coroutine: Param }
  /**
   * `fut.add_done_callback(fn)`: `fn` runs once the future is complete (so a
   * `result()` in it returns at once), on any kind of future; on an asyncio
   * future (see LibraryObject) the loop runs it, as it runs `call_soon`'s.
   */
  | { kind: 'registers-done-callback'; callback: number }
  /**
   * `loop.call_soon(callback, *args)` and the like: the event loop calls
   * `callback` on its own thread, from a Handle (asyncio/events.py), whose
   * `_run` lets SystemExit and KeyboardInterrupt out of `run_forever()` (and
   * runs it only if the loop still runs then).
   */
  | { kind: 'schedules-callback'; callback: number }
  /**
   * `fut.set_result(x)`, `fut.set_exception(e)`, `fut.cancel()`: completes the
   * receiver, a future, and wakes every thread waiting on it.
   */
  | { kind: 'completes-receiver' }
  /** Returns an object the model knows by name, whatever the receiver (`loop.create_task(...)`). */
  | { kind: 'returns-object'; object: LibraryObject };

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
  create_task: { kind: 'wraps-coroutine', coroutine: coroutineAt0, object: 'asyncio-future' },
  add_done_callback: { kind: 'registers-done-callback', callback: 0 },
  call_soon: { kind: 'schedules-callback', callback: 0 },
  call_soon_threadsafe: { kind: 'schedules-callback', callback: 0 },
  call_later: { kind: 'schedules-callback', callback: 1 },
  call_at: { kind: 'schedules-callback', callback: 1 },
  add_signal_handler: { kind: 'schedules-callback', callback: 1 },
  add_reader: { kind: 'schedules-callback', callback: 1 },
  add_writer: { kind: 'schedules-callback', callback: 1 },
  create_future: { kind: 'returns-object', object: 'asyncio-future' },
  set_result: { kind: 'completes-receiver' },
  set_exception: { kind: 'completes-receiver' },
  cancel: { kind: 'completes-receiver' },
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

/**
 * A callable an API calls for the caller, and the arguments it passes: the
 * arguments that follow it in the call (`executor.submit(fn, *args, **kw)`;
 * only positional ones for `loop.run_in_executor(executor, func, *args)`), a
 * tuple and a dict given at `args` and `kwargs` (threading.Thread), or each
 * element of the iterables from position `elementsFrom` on (map, filter,
 * sorted's key). `thread` says where the callable runs: in the calling thread
 * before the caller goes on (`this`: map's results are consumed there), or
 * in another (`other`: a thread, an executor's worker). An API that passes
 * values of its own (`play(source, after=...)` passes an error or None)
 * passes `its-own`. `ignoresResult`: what the callable returns is dropped
 * (a thread's target, a completion callback), so a future it returns is lost.
 */
export interface CallsArgument {
  callable: Param;
  passes: 'following' | 'following-positional' | 'its-own' | { args: Param; kwargs: Param } | { elementsFrom: number };
  thread: 'this' | 'other';
  ignoresResult?: true;
  /** The call returns what the callable returns (`Context.run`): calling it with a library function is calling that function. */
  returnsResult?: true;
}

/** Functions and classes that call a callable they are given (see CallsArgument), as CPython 3.11 defines them. */
export const CALLING_APIS: readonly { names: readonly string[]; calls: CallsArgument }[] = [
  // Thread(group=None, target=None, name=None, args=(), kwargs=None): run() calls target(*args, **kwargs).
  {
    names: ['threading.Thread'],
    calls: {
      callable: { position: 1, keyword: 'target' },
      passes: { args: { position: 3, keyword: 'args' }, kwargs: { position: 4, keyword: 'kwargs' } },
      thread: 'other',
      ignoresResult: true,
    },
  },
  // Timer(interval, function, args=None, kwargs=None).
  {
    names: ['threading.Timer'],
    calls: {
      callable: { position: 1, keyword: 'function' },
      passes: { args: { position: 2, keyword: 'args' }, kwargs: { position: 3, keyword: 'kwargs' } },
      thread: 'other',
      ignoresResult: true,
    },
  },
  { names: ['asyncio.to_thread', 'asyncio.threads.to_thread'], calls: { callable: { position: 0, keyword: 'func' }, passes: 'following', thread: 'other' } },
  { names: ['builtins.map', 'builtins.filter'], calls: { callable: { position: 0, keyword: '' }, passes: { elementsFrom: 1 }, thread: 'this' } },
  // `key` is keyword-only: no position names it.
  { names: ['builtins.sorted', 'builtins.min', 'builtins.max'], calls: { callable: { position: -1, keyword: 'key' }, passes: { elementsFrom: 0 }, thread: 'this' } },
];

/**
 * Methods that call a callable they are given, whatever the receiver (see
 * METHODS: the receiver's class is rarely known): an executor's `submit` and
 * `map`, `loop.run_in_executor`, `contextvars.Context.run`.
 */
export const CALLING_METHODS: Readonly<Record<string, CallsArgument>> = {
  submit: { callable: { position: 0, keyword: 'fn' }, passes: 'following', thread: 'other' },
  map: { callable: { position: 0, keyword: 'fn' }, passes: { elementsFrom: 1 }, thread: 'other' },
  run_in_executor: { callable: { position: 1, keyword: 'func' }, passes: 'following-positional', thread: 'other' },
  // Context.run(callable, *args, **kwargs) calls it in this thread (Runner.run(coro) passes a coroutine: nothing is called).
  run: { callable: { position: 0, keyword: '' }, passes: 'following', thread: 'this', returnsResult: true },
  // discord.py's VoiceClient.play(source, *, after=None): its audio thread calls after(error) and drops what it returns
  // (the voice idiom `after=lambda e: asyncio.run_coroutine_threadsafe(...)` loses the future).
  play: { callable: { position: -1, keyword: 'after' }, passes: 'its-own', thread: 'other', ignoresResult: true },
};

/** Every library's rows. */
export const LIBRARY: readonly LibraryApi[] = [
  ...ASYNCIO,
  ...OTHER_LOOPS,
  ...CONCURRENT_FUTURES,
  ...CONCURRENT_FUTURES_CLASSES,
  ...SYS,
  ...ARGPARSE,
  ...UNITTEST,
  ...SIGNAL,
  ...CLICK,
  ...TYPER,
  ...CONTEXTLIB,
  ...FUNCTOOLS,
  ...ITERTOOLS,
  ...BUILTINS,
];
