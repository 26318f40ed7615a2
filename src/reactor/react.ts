/**
 * `react`: run a main function under the reactor and exit with its outcome (Twisted's
 * `task.react`). It lives beside the reactor because it needs the process-wide one; `task` is
 * below `reactor` in the module order.
 *
 * @module
 */
import { maybeDeferred } from '../defer/shortcuts.ts';
import { ReactorNotRunning, SystemExit } from '../errors.ts';
import { Failure } from '../failure.ts';
import { err } from '../log/log.ts';
import type { Reactor } from './reactor.ts';

/**
 * Runs `main(reactor, ...argv)` and the reactor; when the Deferred or Promise `main` returns
 * settles, stops the reactor and, once shutdown is complete, ends the process:
 *
 * - exit code 0 when it succeeded;
 * - the error's `exitCode` when it failed with `SystemExit` (Python's `sys.exit(n)`);
 * - 1 for any other failure, which is logged (printed to stderr unless logging was redirected).
 *
 * If something else stops the reactor first, the process exits when shutdown completes, with
 * code 0 unless `main` had already failed. This is the one place twisted-ts calls
 * `process.exit`: like Twisted's `react`, it never returns.
 *
 * @example
 * import { react, deferLater } from 'twisted-ts';
 *
 * react(async (reactor, name: string) => {
 *   await deferLater(reactor, 1);
 *   console.log(`hello ${name}`);
 * }, ['world']);
 *
 * @param _reactor - the reactor to use (tests); the process-wide one by default.
 */
export function react<A extends unknown[]>(
  main: (reactor: Reactor, ...argv: A) => unknown,
  argv: A = [] as unknown as A,
  _reactor: Reactor = defaultReactor(),
): Promise<never> {
  let exitCode = 0;
  let stopping = false;
  _reactor.addSystemEventTrigger('before', 'shutdown', () => {
    stopping = true;
  });
  const finish = (result: unknown, stopReactor: boolean): void => {
    if (stopReactor) {
      try {
        _reactor.stop();
      } catch (e) {
        if (!(e instanceof ReactorNotRunning)) throw e;
      }
    }
    if (result instanceof Failure) {
      if (result.value instanceof SystemExit) {
        exitCode = result.value.exitCode;
      } else {
        err(result, 'main function encountered error');
        exitCode = 1;
      }
    }
  };
  // maybeDeferred rather than Twisted's ensureDeferred: a synchronous main (returning a value or
  // throwing) is accepted too, and counts as settled at once.
  maybeDeferred(main, _reactor, ...argv).addBoth((result: unknown) => {
    if (stopping) finish(result, false);
    else _reactor.callWhenRunning(finish, result, true);
    return undefined;
  });
  return _reactor.run().then(() => process.exit(exitCode));
}

let processReactor: Reactor | undefined;

/** @internal Set by the reactor module when it creates the process-wide reactor. */
export function setProcessReactor(reactor: Reactor): void {
  processReactor = reactor;
}

function defaultReactor(): Reactor {
  if (processReactor === undefined) throw new Error('The process-wide reactor was not created');
  return processReactor;
}
