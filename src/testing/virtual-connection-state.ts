/**
 * The shapes of a `VirtualConnection`: its states, what it needs from its host, how it is made.
 *
 * @module
 */
import type { IConnectionOwner, IProtocol } from '../interfaces.ts';
import type { Clock } from '../task/index.ts';
import type { IPv4Address, IPv6Address } from '../transports/address.ts';

/**
 * Where a connection end is — the real `Connection`'s states:
 *
 * - `'open'`: reading and writing.
 * - `'readClosed'`: the peer sent everything and the protocol, a half-close one, was told
 *   (`readConnectionLost`); writing goes on.
 * - `'writeClosed'`: `loseWriteConnection()`: the FIN follows the data still to send; reading
 *   goes on.
 * - `'halfClosed'`: both; the connection closes (`ConnectionDone`) once both are done.
 * - `'disconnecting'`: `loseConnection()` (or a FIN to a protocol that does not half-close): the
 *   data still to send goes out (a registered producer may still write until it unregisters),
 *   then the connection closes. What arrives is discarded.
 * - `'closing'`: aborted, failed or shut down; the protocol is told on the next clock step.
 * - `'closed'`: `connectionLost` was delivered; every method is a no-op.
 */
export type VirtualConnectionState =
  'open' | 'readClosed' | 'writeClosed' | 'halfClosed' | 'disconnecting' | 'closing' | 'closed';

/** What a connection end needs from its host: a clock, and the registry shutdown ends it from. */
export interface ConnectionHost extends IConnectionOwner {
  /** The network's clock. */
  readonly clock: Clock;
}

/** How a connection end came to be. */
export interface ConnectionEndOptions {
  /** The host the end lives on. */
  readonly host: ConnectionHost;
  /** This end's address. */
  readonly local: IPv4Address | IPv6Address;
  /** The other end's address. */
  readonly remote: IPv4Address | IPv6Address;
  /** Runs once the end has closed (frees a client's local port number). */
  readonly onClosed?: () => void;
}

/** Whether `p` handles half-close (Twisted's `IHalfCloseableProtocol`: both methods defined). */
export const halfCloseable = (
  p: IProtocol,
): p is IProtocol & { readConnectionLost(): unknown; writeConnectionLost(): unknown } =>
  typeof (p as { readConnectionLost?: unknown }).readConnectionLost === 'function' &&
  typeof (p as { writeConnectionLost?: unknown }).writeConnectionLost === 'function';
