/**
 * The bookkeeping behind "Unhandled error in Deferred": Twisted's `DebugInfo`.
 *
 * A Deferred whose callback chain ends on a `Failure` gets a `DebugInfo` holding that failure
 * and registered with a `FinalizationRegistry`. When the Deferred is garbage-collected while the
 * failure is still there (no errback consumed it), the failure is logged — or at the exit of
 * the process, if that comes first. The registry holds the
 * `DebugInfo`, never the Deferred: a held value that referenced the Deferred would keep it alive
 * forever and the report would never come.
 *
 * @internal
 */
import type { Failure } from '../failure.ts';
import { err } from '../log/log.ts';

/** What twisted-ts logs as `why` for a failure nobody handled. */
export const UNHANDLED_WHY = 'Unhandled error in Deferred:';

/** Per-Deferred debugging state, allocated only when needed (a failure, or `Deferred.debug`). */
export class DebugInfo {
  /** The failure the chain currently ends on; `undefined` once something consumed it. */
  failResult: Failure | undefined = undefined;
  /** Where the Deferred was created (only with `Deferred.debug`). */
  creator: string | undefined = undefined;
  /** Where it was first fired (only with `Deferred.debug`). */
  invoker: string | undefined = undefined;
  /** Whether this object is in the registry already (register once, never unregister). */
  registered = false;

  /** The creation and first-firing stacks, in Twisted's ` C:` / ` I:` format; '' without debug. */
  tracebacks(): string {
    let info = '';
    if (this.creator !== undefined) info += ` C: Deferred was created:\n C:${indent(this.creator, ' C:')}\n`;
    if (this.invoker !== undefined) info += ` I: First Invoker was:\n I:${indent(this.invoker, ' I:')}\n`;
    return info;
  }
}

function indent(stack: string, prefix: string): string {
  return stack.trimEnd().replaceAll('\n', `\n${prefix}`);
}

/**
 * Reports a failure left on a Deferred, once: when the Deferred is collected, or at the exit of
 * the process, whichever comes first (clearing `failResult` is what makes the other path
 * silent). Exported for the unit test only.
 */
export function reportUnhandled(info: DebugInfo): void {
  live.delete(info);
  const failure = info.failResult;
  if (failure === undefined) return;
  info.failResult = undefined;
  const debug = info.tracebacks();
  err(failure, debug === '' ? UNHANDLED_WHY : `${UNHANDLED_WHY}\n(debug: ${debug})`);
}

const registry = new FinalizationRegistry<DebugInfo>(reportUnhandled);

/**
 * The bookkeeping of every watched Deferred not yet collected, in the order they first failed.
 * It holds the `DebugInfo`s, never the Deferreds, so it keeps nothing alive that the registry
 * would wait for; the registry's callback takes each one out.
 */
const live = new Set<DebugInfo>();
let exitHookInstalled = false;

/**
 * At exit, reports the failures still unhandled: CPython reports a dropped failed Deferred at
 * once, but V8 collects when it likes, and a short script would otherwise end before any
 * collection and report nothing. Runs in the `exit` event, so it cannot change the exit code.
 */
function reportAtExit(): void {
  for (const info of live) reportUnhandled(info);
}

/**
 * Makes sure `info` is reported if its Deferred is collected, or the process exits, while it
 * still holds a failure.
 */
export function watch(owner: object, info: DebugInfo): void {
  if (info.registered) return;
  info.registered = true;
  registry.register(owner, info);
  live.add(info);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', reportAtExit);
  }
}

/** The current stack without the frames of twisted-ts's own bookkeeping. */
export function captureStack(skip: number): string {
  const stack = new Error().stack ?? '';
  // Line 0 is "Error"; the next `skip` lines are frames inside defer/.
  return stack
    .split('\n')
    .slice(1 + skip)
    .join('\n');
}

/**
 * The first stack overflow that ended up in a Deferred since the outermost callback runner
 * began. A stack overflow is a bug of the machinery or of recursive callbacks, not an error the
 * chain's owner expects: left to the garbage collector it could stay unreported for ever (or
 * leave a lock held with nobody told), so it is logged as soon as the stack has unwound.
 */
let pendingOverflow: Failure | undefined;
/** V8's message for a stack overflow. */
const OVERFLOW_MESSAGE = 'Maximum call stack size exceeded';
const reportedOverflows = new WeakSet<Error>();

/** What twisted-ts logs as `why` for a stack overflow caught in a Deferred callback chain. */
export const STACK_OVERFLOW_WHY =
  'Stack overflow in a Deferred callback chain (reported at once; the failure also goes on down its chain):';

/**
 * Notes `failure` if it is a stack overflow (V8's `RangeError`) to report once the runners have
 * unwound. Cheap, and calls nothing: it runs where the stack is nearly exhausted.
 */
export function noteStackOverflow(failure: Failure): void {
  if (pendingOverflow !== undefined || !(failure.value instanceof RangeError)) return;
  if (failure.value.message === OVERFLOW_MESSAGE) pendingOverflow = failure;
}

/** Called by the outermost callback runner as it returns: logs a noted stack overflow. */
export function reportStackOverflow(): void {
  const failure = pendingOverflow;
  if (failure === undefined) return;
  pendingOverflow = undefined;
  const error = failure.value;
  if (reportedOverflows.has(error)) return;
  reportedOverflows.add(error);
  err(failure, STACK_OVERFLOW_WHY);
}
