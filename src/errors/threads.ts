/**
 * The errors of the thread pool (`deferToThread`, `ThreadPool`).
 *
 * @module
 */
import { TwistedError } from './base.ts';

/**
 * A job was given to a `ThreadPool` that is stopping or stopped (after `stop()`, or once the
 * reactor's shutdown stopped its pool). Twisted's pool drops such work silently; twisted-ts
 * says so: `callInThread` throws it, `deferToThread` errbacks with it.
 */
export class ThreadPoolStopped extends TwistedError {
  override readonly code = 'ERR_THREAD_POOL_STOPPED';
}
