/**
 * What every stream connection end does around its protocol — the real `Connection` and the
 * testing `VirtualConnection` alike: call a hook in the connection's log context with its
 * failures caught, tell the protocol the connection is lost exactly once, and the questions
 * their one state value answers.
 *
 * @internal
 * @module
 */
import type { Failure } from '../../failure.ts';
import type { IProtocol } from '../../interfaces.ts';
import { callWithContext, err as logErr } from '../../log/log.ts';
import type { ConnectionState } from './connection-config.ts';
import { watchHookResult } from './hook-result.ts';
import type { ProducerSlot } from './producer-slot.ts';

/** What a connection end logs under: its `logPrefix()` as the log `system`. */
export interface HookContext {
  readonly system: string;
}

/**
 * Calls `fn` (a protocol hook) in `context`; a throw, or the rejection of the thenable it
 * returned, goes to `failed(error, hook)` — which logs it and drops the connection (Twisted).
 */
export function callHook(
  context: HookContext,
  hook: string,
  fn: () => unknown,
  failed: (error: unknown, hook: string) => void,
): void {
  let result: unknown;
  try {
    result = callWithContext(context, fn);
  } catch (e) {
    failed(e, hook);
    return;
  }
  if (result !== undefined) watchHookResult(result, (reason) => failed(reason, hook));
}

/**
 * The end of a connection, as the protocol learns it: a registered producer is stopped, then
 * `protocol.connectionLost(reason)` runs; a throw or rejection from either is logged, never
 * thrown.
 */
export function tellConnectionLost(
  context: HookContext,
  producer: ProducerSlot | undefined,
  protocol: IProtocol | undefined,
  reason: Failure,
): void {
  const prefix = context.system;
  try {
    producer?.stop();
  } catch (e) {
    logErr(e, `Error stopping the producer of ${prefix}`, prefix);
  }
  if (protocol === undefined) return;
  const why = `Unhandled error in ${prefix} connectionLost`;
  let result: unknown;
  try {
    result = callWithContext(context, () => protocol.connectionLost(reason));
  } catch (e) {
    logErr(e, why, prefix);
  }
  watchHookResult(result, (e) => logErr(e, why, prefix));
}

/** Whether the connection still reads and may write: not disconnecting, closing or closed. */
export function isOpenish(state: ConnectionState): boolean {
  return state === 'open' || state === 'readClosed' || state === 'writeClosed' || state === 'halfClosed';
}

/** Whether the connection is being destroyed or is gone (`'closing'`, `'closed'`). */
export function isEnding(state: ConnectionState): boolean {
  return state === 'closing' || state === 'closed';
}

/** Whether what arrives goes to the protocol (`'open'`, `'writeClosed'`): not after FIN or `loseConnection()`. */
export function readsData(state: ConnectionState): boolean {
  return state === 'open' || state === 'writeClosed';
}
