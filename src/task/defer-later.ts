/**
 * `deferLater`: a Deferred that fires after a delay (Twisted's `task.deferLater`).
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import type { IDelayedCall, IReactorTime } from '../interfaces.ts';
import { invalidArgType, readProperty, validateFunction } from '../validate.ts';

/**
 * Calls `fn(...args)` after `delay` seconds on `clock` and gives its result through a Deferred
 * (a Deferred or Promise it returns is waited for; an exception becomes a failure). Without
 * `fn`, the Deferred fires with `undefined`. Cancelling the Deferred before then cancels the
 * delayed call, and the Deferred errbacks with `CancelledError`.
 *
 * @example
 * const d = deferLater(reactor, 2, (who: string) => `hello ${who}`, 'world');
 * d.addCallback(console.log); // "hello world", two seconds later
 */
export function deferLater(clock: IReactorTime, delay: number): Deferred<undefined>;
export function deferLater<R, A extends unknown[]>(
  clock: IReactorTime,
  delay: number,
  fn: (...args: A) => R | Deferred<R> | Promise<R>,
  ...args: A
): Deferred<R>;
export function deferLater<R, A extends unknown[]>(
  clock: IReactorTime,
  delay: number,
  fn?: (...args: A) => R | Deferred<R> | Promise<R>,
  ...args: A
): Deferred<R | undefined> {
  // Read once, and called as read: a getter cannot pass the check and then change.
  const callLater =
    clock !== null && typeof clock === 'object' ? readProperty(clock, 'callLater', 'clock') : undefined;
  if (typeof callLater !== 'function') {
    throw invalidArgType('clock', 'an IReactorTime (an object with callLater())', clock);
  }
  if (fn !== undefined) validateFunction(fn, 'fn');
  // The canceller can only run after this function returned, once `call` exists.
  const d = new Deferred<undefined>(() => call.cancel());
  const result = d.addCallback(() => (fn === undefined ? undefined : fn(...args))) as Deferred<R | undefined>;
  const call = (callLater as (...a: unknown[]) => IDelayedCall).call(clock, delay, () =>
    d.callback(undefined),
  );
  return result;
}
