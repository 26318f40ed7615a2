/**
 * The callback runner of {@link Deferred}: it runs a Deferred's chain as far as it can go.
 * Iterative, as Twisted's `_runCallbacks`: when a Deferred returned by a callback fires, its
 * waiting Deferred is pushed on an explicit stack instead of being resumed by a nested call, so
 * chains of any length and depth run in constant stack. `chainDeferred` links are followed the
 * same way (a trampoline: Twisted recurses there, and ~2,000 links overflowed the stack): the
 * target is fired in this loop rather than by a nested `callback()`.
 *
 * @internal
 * @module
 */
import { Failure } from '../failure.ts';
import { uninspectableReturn } from '../validate.ts';
import { captureStack, DebugInfo, noteStackOverflow, reportStackOverflow, watch } from './debug-info.ts';
// A cycle, on purpose: Deferred calls the runner, and the runner reads Deferreds. Neither module
// uses the other's bindings while it loads, only when a chain runs.
import { Deferred } from './deferred.ts';

/** A callback as stored: the result first, then the extra arguments given at registration. */
type StoredFn = (result: unknown, ...args: unknown[]) => unknown;

/** Marks the slot of a Deferred waiting on this one (Twisted's `_CONTINUE`). */
export const CONTINUE: unique symbol = Symbol('continue');

/**
 * The callback chain is one flat array of 4-slot records — callback, errback, callback arguments,
 * errback arguments — so `addCallback` allocates nothing beyond what the caller passed. A `null`
 * function passes the result through unchanged; `CONTINUE` hands it to the Deferred in the
 * argument slot.
 */
export const SLOTS = 4;

/**
 * The failure an `await`/`asPromise` consumer saw, by the Deferred it awaited: that Deferred is
 * not reported for it. Kept per Deferred, not per Failure: one Failure handed to several
 * Deferreds (an errback fanning it out to waiters) is handled only where it was awaited.
 */
export const awaitedFailures = new WeakMap<Deferred<unknown>, Failure>();

/** Runs the chain of `d`, and of the Deferreds waiting on it, as far as they can go. */
export function runCallbacks(d: Deferred<unknown>): void {
  if (d._running) return; // a callback of ours added another one: the loop below runs it
  // `current` is the top of Twisted's chain stack; `waitingBelow` holds the rest, allocated only
  // when a chained Deferred is resumed, so the common case allocates nothing.
  let current = d;
  let waitingBelow: unknown[] | undefined;
  runnerDepth++;
  try {
    for (;;) {
      // Paused: nothing further up this stack can get a result until it is unpaused; go back
      // to the Deferred below (if any), which was waiting for its own remaining callbacks.
      if (current._paused === 0) {
        let finished = true;
        const chain = current._chain;
        while (current._next < chain.length) {
          const i = current._next;
          current._next = i + SLOTS;
          const failed = current._result instanceof Failure;
          const fn = failed ? chain[i + 1] : chain[i];
          const args = (failed ? chain[i + 3] : chain[i + 2]) as unknown[] | undefined;
          chain[i] = chain[i + 1] = chain[i + 2] = chain[i + 3] = undefined;
          if (fn === null) continue; // pass-through half of addCallback/addErrback

          if (fn === CONTINUE) {
            // Hand our result to the Deferred that waits on us, and forget it ourselves.
            const waiting = args as unknown as Deferred<unknown>;
            waiting._result = current._result;
            current._result = undefined;
            if (current._info !== undefined) current._info.failResult = undefined;
            waiting._paused--;
            (waitingBelow ??= []).push(current); // come back for its remaining callbacks afterwards
            current = waiting;
            finished = false;
            break;
          }

          if (args !== undefined && (fn === chainCallback || fn === chainErrback)) {
            const target = (args as unknown[])[0] as Deferred<unknown>;
            // A target already fired (AlreadyCalledError, or a late call eaten after a cancel)
            // or paused does not run its chain now: the plain call below cannot recurse.
            if (!target._called && target._paused === 0) {
              target._called = true;
              target._result = current._result;
              if (Deferred.debug) {
                target._info ??= new DebugInfo();
                target._info.invoker = captureStack(2);
              }
              current._result = undefined; // chainDeferred leaves undefined behind
              if (current._info !== undefined) current._info.failResult = undefined;
              // As if chainCallback were still on the stack: a callback added to `current`
              // meanwhile waits until the target's chain is done, then runs in this loop.
              current._running = true;
              (waitingBelow ??= []).push(current, CHAINED);
              current = target;
              finished = false;
              break;
            }
          }

          current._running = true;
          try {
            current._result =
              args === undefined
                ? (fn as StoredFn)(current._result)
                : (fn as StoredFn)(current._result, ...args);
          } catch (e) {
            current._result = new Failure(e);
            continue;
          } finally {
            current._running = false;
          }

          const returned = current._result;
          if (returned === null || (typeof returned !== 'object' && typeof returned !== 'function')) continue;
          let inner: Deferred<unknown>;
          try {
            if (returned instanceof Promise) inner = current._result = Deferred.fromPromise(returned);
            else if (returned instanceof Deferred) inner = returned as Deferred<unknown>;
            else continue;
          } catch (e) {
            // A revoked Proxy (or one whose trap throws) returned by the callback: it cannot be
            // told from a Deferred or a Failure, so the chain fails here, as if it had thrown.
            current._result = new Failure(uninspectableReturn('A Deferred callback', e));
            continue;
          }
          if (inner === current) {
            // Twisted only warns and then waits forever; a chain waiting on itself is a bug, say so.
            current._result = new Failure(
              new TypeError(
                'A callback returned the Deferred it was attached to; the chain cannot wait on itself',
              ),
            );
            continue;
          }
          if (!inner._called || inner._result instanceof Deferred || inner._paused > 0) {
            // No result yet: pause and wait. `inner` is not running its callbacks (it has no
            // result), so appending to its chain directly is safe.
            current._paused++;
            inner._chain.push(CONTINUE, CONTINUE, current, current);
            break;
          }
          // It has a result already: take it and go on.
          current._result = inner._result;
          inner._result = undefined;
          if (inner._info !== undefined) inner._info.failResult = undefined;
        }

        if (!finished) continue;
        if (current._next === chain.length) {
          chain.length = 0;
          current._next = 0;
        }
        const result = current._result;
        if (result instanceof Failure && awaitedFailures.get(current) !== result) {
          // Format the stack now (Twisted's cleanFailure): V8 keeps the frames' receivers —
          // this very Deferred among them — until then, which would keep it from being collected.
          void result.value.stack;
          noteStackOverflow(result);
          const info = (current._info ??= new DebugInfo());
          info.failResult = result;
          watch(current, info);
        } else if (current._info !== undefined) {
          current._info.failResult = undefined;
        }
      }
      if (waitingBelow === undefined || waitingBelow.length === 0) return;
      current = resumeBelow(waitingBelow);
    }
  } finally {
    // Only an internal error leaves Deferreds suspended here; they must not stay "running".
    while (waitingBelow !== undefined && waitingBelow.length > 0) resumeBelow(waitingBelow);
    if (--runnerDepth === 0) reportStackOverflow();
  }
}

/**
 * Marks, in the runner's stack, a Deferred suspended while the target of its `chainDeferred`
 * runs (its `_running` flag is set until it resumes).
 */
const CHAINED: unique symbol = Symbol('chained');

/** Pops the Deferred to resume from the runner's stack, ending its suspension if it had one. */
function resumeBelow(waitingBelow: unknown[]): Deferred<unknown> {
  const top = waitingBelow.pop();
  if (top !== CHAINED) return top as Deferred<unknown>;
  const suspended = waitingBelow.pop() as Deferred<unknown>;
  suspended._running = false;
  return suspended;
}

/** How many callback runners are on the stack (they nest when a callback fires another Deferred). */
let runnerDepth = 0;

/** `chainDeferred`'s callback: fires `d` with the result (followed in the runner's loop instead). */
export function chainCallback(result: unknown, d: Deferred<unknown>): undefined {
  d.callback(result);
  return undefined;
}

/** `chainDeferred`'s errback: fires `d` with the failure (followed in the runner's loop instead). */
export function chainErrback(failure: Failure, d: Deferred<unknown>): undefined {
  d.errback(failure);
  return undefined;
}
