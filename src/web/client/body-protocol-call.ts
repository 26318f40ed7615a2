/**
 * Calling a response body protocol's methods the way Twisted's `Response` does: a throw — or a
 * rejection of the Promise an `async` method returns — is logged and handed to `onFailure`
 * (which abandons the body and tells the protocol), never left to escape as an uncaught error.
 *
 * @module
 */
import { Logger } from '../../logger/logger.ts';
import type { IBodyProtocol } from '../iweb.ts';

const log = new Logger('twisted-ts.web.client');

/** What to do when a protocol method failed: `method` names it, `err` is what it threw. */
export type BodyProtocolFailure = (method: keyof IBodyProtocol, err: unknown) => void;

/**
 * Calls `protocol[method](arg)`; returns false when it threw (after logging it and calling
 * `onFailure`), true otherwise (a later rejection is handled the same way).
 */
export function callBodyProtocol(
  protocol: IBodyProtocol,
  method: keyof IBodyProtocol,
  arg: unknown,
  onFailure: BodyProtocolFailure,
): boolean {
  const failed = (err: unknown) => {
    log.failure(`Error in a response body protocol's ${method}`, err);
    onFailure(method, err);
  };
  try {
    const result: unknown = (protocol[method] as (a: unknown) => unknown).call(protocol, arg);
    if (result instanceof Promise) result.catch(failed);
    return true;
  } catch (err) {
    failed(err);
    return false;
  }
}
