/**
 * Passing one connection attempt's outcome to the Deferred an endpoint returned.
 *
 * @internal
 */
import type { Deferred } from '../defer/deferred.ts';
import type { Failure } from '../failure.ts';
import type { IProtocol } from '../interfaces.ts';

/**
 * Fires `to` with what `from` fires with, unless `to` already has a result (it was cancelled):
 * a protocol that connected after all is then disconnected, as nobody will use it.
 */
export function forward(from: Deferred<IProtocol>, to: Deferred<IProtocol>): void {
  from.addCallbacks(
    (protocol: IProtocol) => {
      if (!to.called) to.callback(protocol);
      else (protocol as { transport?: { loseConnection?: () => void } }).transport?.loseConnection?.();
      return undefined;
    },
    (failure: Failure) => {
      if (!to.called) to.errback(failure);
      return undefined;
    },
  );
}
