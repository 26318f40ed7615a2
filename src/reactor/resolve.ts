/**
 * Name resolution for the reactor (Twisted's `reactor.resolve`, over `node:dns`'s `lookup`).
 *
 * @internal
 * @module
 */
import { lookup, type LookupAddress } from 'node:dns';
import { Deferred } from '../defer/deferred.ts';
import { DNSLookupError, TimeoutError } from '../errors.ts';
import type { IReactorTime } from '../interfaces.ts';
import { ipFamily, validateDelay, validateString } from '../validate.ts';

/** The default time limit of `resolve`, Twisted's (1 + 3 + 11 + 45 s). */
export const DEFAULT_RESOLVE_TIMEOUT = 60;

/**
 * Resolves a host name to an IP address (an IPv4 one when there is one, as Twisted's
 * `gethostbyname`-based resolver gives, else IPv6). An IP literal answers at once; `''` gives
 * `'0.0.0.0'`, as in Twisted. Errbacks with `DNSLookupError`, or `TimeoutError` after `timeout`
 * seconds of `time`. Cancelling the Deferred abandons the lookup.
 */
export function resolveName(time: IReactorTime, name: string, timeout: number): Deferred<string> {
  validateString(name, 'name');
  validateDelay(timeout, 'timeout');
  let done = false;
  // The canceller can only run while the lookup is pending, once `timer` exists.
  const d = new Deferred<string>(() => {
    done = true;
    if (timer.active()) timer.cancel();
  });
  if (name === '') {
    d.callback('0.0.0.0');
    return d;
  }
  if (ipFamily(name) !== 0) {
    d.callback(name);
    return d;
  }
  if (name.includes('\0')) {
    // No host name holds a NUL byte. Node 24's node:dns throws on one, Node 22's passes it to
    // getaddrinfo (which may cut it there and resolve the prefix): refuse it here, the same on both.
    d.errback(
      new DNSLookupError(`Could not resolve ${JSON.stringify(name)}: a host name cannot contain a NUL byte`),
    );
    return d;
  }
  const timer = time.callLater(timeout, () => {
    if (done) return;
    done = true;
    d.errback(new TimeoutError(`Resolving ${JSON.stringify(name)} took longer than ${timeout} s.`));
  });
  const answered = (error: NodeJS.ErrnoException | null, addresses: readonly LookupAddress[]): void => {
    if (done) return;
    done = true;
    if (timer.active()) timer.cancel();
    if (error || addresses.length === 0) {
      const reason = error ? `${error.code ?? ''} ${error.message}`.trim() : 'no address';
      d.errback(new DNSLookupError(`Could not resolve ${JSON.stringify(name)}: ${reason}`, { cause: error }));
      return;
    }
    d.callback((addresses.find((a) => a.family === 4) ?? addresses[0]).address);
  };
  try {
    lookup(name, { all: true }, answered);
  } catch (e) {
    // node:dns refuses some names at once (a NUL byte: ERR_INVALID_ARG_VALUE). As Twisted's
    // resolver does for any name it cannot resolve, the Deferred fails; nothing is thrown.
    answered(e as NodeJS.ErrnoException, []);
  }
  return d;
}
