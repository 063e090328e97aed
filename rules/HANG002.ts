import path from 'node:path';
import type { Rule, RelatedLocation, ReachingNames } from '../src/engine/rule.js';
import type { ProjectIndex } from '../src/project/project-index.js';


/**
 * HANG002 coroutine-raises-base-exit.
 *
 * asyncio's Task catches every exception into the task except SystemExit and
 * KeyboardInterrupt, which it re-raises out of `loop.run_forever()`. The loop
 * stops, so the done-callback that would complete a run_coroutine_threadsafe
 * future never runs and the thread waiting on that future hangs.
 */
export const HANG002: Rule = {
  meta: {
    code: 'HANG002',
    name: 'coroutine-raises-base-exit',
    defaultSeverity: 'warning',
    summary: 'SystemExit or KeyboardInterrupt can escape a coroutine and stop its event loop',
    help:
      "asyncio's Task re-raises SystemExit and KeyboardInterrupt out of the event loop instead of storing them in the task, " +
      'so the loop stops and any run_coroutine_threadsafe future waiting on it is never completed. ' +
      'Catch them inside the coroutine, or raise an ordinary exception and let the caller decide to exit.',
    messages: {
      escapes: '`{exception}` can escape coroutine `{name}()`{how}: its event loop stops',
      escapesSubmitted: '`{exception}` can escape `{name}()`{how}: {site} hangs',
    },
    fix: null,
    docs: {
      finds: 'coroutines from which `SystemExit` / `KeyboardInterrupt` can escape: `raise`, `sys.exit()`, `exit()`, `quit()`, argparse parsing, `unittest.main()`, or through helpers and lambdas, across modules',
      severityNote: 'error when the coroutine is submitted with run_coroutine_threadsafe',
    },
  },
  // Where its hazards start: coroutines, and asyncio's entry points that decide whether an escape is reported.
  triggers: ['async def', 'asyncio'],
  // How coroutines are run decides the severity and the entry-point exemption: where they are submitted or run.
  *asks({ facts }) {
    for (const use of facts.coroutineUses) {
      if (use.how === 'call') continue;
      yield use.callee;
      if (use.wrapper) yield use.wrapper;
    }
    // A wrapper of a wrapper: where its parameters are passed on decides whether it submits them.
    for (const fn of facts.functions) for (const forward of fn.forwards) yield forward.callee;
  },
  reachedThrough: escapingCoroutineNames,
  check(context) {
    const { project, facts } = context;
    // A module that imports trio or anyio and never asyncio runs its coroutines on their loops,
    // where SystemExit propagates out of trio.run / anyio.run to its caller, as asyncio.run's does.
    const loops = project.eventLoopsImported(facts);
    const otherLoopOnly = loops.size > 0 && !loops.has('asyncio');
    for (const fn of facts.functions) {
      if (!fn.isAsync) continue;
      const escapes = project.escapingBaseExits(fn);
      if (escapes.length === 0) continue;
      if (project.onlyRunByEntryPoints(fn.q)) continue;
      const submission = project.submittedToOtherLoop(fn.q);
      if (otherLoopOnly && !submission) continue;
      for (const escape of escapes) {
        const [first, ...rest] = escape.chain;
        // Through a helper: the call in the coroutine and where the exit is finally raised, by file name and
        // line; every step is a related location. A direct raise needs no words: the finding points at it.
        const last = rest[rest.length - 1];
        const how = last ? ` via \`${first!.text}\` (${path.basename(context.display(last.path))}:${last.loc.start.line})` : '';
        const related: RelatedLocation[] = escape.chain.slice(1).map((step, i) => ({
          path: step.path,
          loc: step.loc,
          // Each step's own line: what it calls (the helper on that line), or, last, where the exception is raised.
          message: i === escape.chain.length - 2 ? `raises ${escape.exception} here` : `calls ${step.text}`,
        }));
        if (submission) {
          related.push({ path: submission.path, loc: submission.loc, message: `${fn.name}() is submitted to an event loop in another thread here` });
        }
        context.report({
          messageId: submission ? 'escapesSubmitted' : 'escapes',
          data: {
            exception: escape.exception,
            name: fn.name,
            how,
            site: submission ? `${path.basename(context.display(submission.path))}:${submission.loc.start.line}` : '',
          },
          loc: first!.loc,
          severity: submission ? 'error' : undefined,
          related,
        });
      }
    }
  },
};

/**
 * Coroutines from which SystemExit / KeyboardInterrupt may escape, and the
 * coroutines that call them, transitively: where they are called (in a file
 * not analysed yet) decides the severity and the entry-point exemption.
 */
function escapingCoroutineNames(project: ProjectIndex): ReachingNames {
  const coroutines = new Set<string>();
  for (const facts of project.targetModules()) {
    for (const fn of facts.functions) if (fn.isAsync && project.escapingBaseExits(fn).length > 0) coroutines.add(fn.q);
  }
  const queue = [...coroutines];
  for (let i = 0; i < queue.length; i++) {
    for (const use of project.coroutineUsesOf(queue[i]!)) {
      const caller = use.inFunction ? project.functionAt(use.inFunction)?.fn : undefined;
      if (caller?.isAsync && !coroutines.has(caller.q)) {
        coroutines.add(caller.q);
        queue.push(caller.q);
      }
    }
  }
  const called = new Set<string>();
  for (const q of coroutines) if (!project.isNestedFunction(q)) called.add(q.slice(q.lastIndexOf('.') + 1));
  return { called, named: [] };
}
