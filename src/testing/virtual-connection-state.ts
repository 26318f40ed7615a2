/**
 * The shapes of a `VirtualConnection`: its states, what it needs from its host, how it is made.
 *
 * @module
 */
import type { IConnectionOwner } from '../interfaces.ts';
import type { Clock } from '../task/index.ts';
import type { IPv4Address, IPv6Address } from '../transports/address.ts';
import type { ConnectionState } from '../transports/tcp/connection-config.ts';

/**
 * Where a connection end is — the real `Connection`'s states, the same type
 * (see `ConnectionState`: `'open'`, `'readClosed'`, `'writeClosed'`, `'halfClosed'`,
 * `'disconnecting'`, `'closing'`, `'closed'`). On a virtual network `'closing'` ends on the next
 * clock step.
 */
export type VirtualConnectionState = ConnectionState;

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

export { halfCloseable } from '../transports/tcp/connection-config.ts';
