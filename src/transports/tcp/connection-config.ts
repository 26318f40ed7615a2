/**
 * What a `Connection` is made from and the states it goes through, apart from the class.
 *
 * @module
 */
import type net from 'node:net';
import { ConnectionLost } from '../../errors.ts';
import type { Failure } from '../../failure.ts';
import type { IConnectionOwner, IProtocol, StreamAddress } from '../../interfaces.ts';
import { closeReason } from './close-reason.ts';

/** The default reason for a socket error: `ConnectionLost` carrying it, without a stack of its own. */
export function lostReason(error: Error): Error {
  return closeReason(ConnectionLost, undefined, { osError: error }).value;
}

/**
 * Where a connection is in its life. Each public method says what it does in each state.
 *
 * - `'open'`: reading and writing.
 * - `'readClosed'`: the peer sent everything (FIN) and the protocol, a half-close one, was told
 *   (`readConnectionLost`); writing goes on.
 * - `'writeClosed'`: `loseWriteConnection()`: FIN goes out once the buffer is sent; reading goes on.
 * - `'halfClosed'`: both of the above; the socket closes once both are done.
 * - `'disconnecting'`: `loseConnection()`: the buffer is being sent (and a registered producer
 *   may still write until it unregisters); then the socket closes. What arrives is discarded.
 * - `'closing'`: the socket is being destroyed (abort, error, shutdown, a callback that threw);
 *   the protocol is told on `'close'`.
 * - `'closed'`: `connectionLost` was delivered. Every method is a no-op.
 */
export type ConnectionState =
  'open' | 'readClosed' | 'writeClosed' | 'halfClosed' | 'disconnecting' | 'closing' | 'closed';

/** How a {@link Connection} is made (by a port or a connector). @internal */
export interface ConnectionConfig<A extends StreamAddress> {
  /** The connected socket. */
  readonly socket: net.Socket;
  /** The protocol to drive. */
  readonly protocol: IProtocol;
  /** Whose registry the connection is in while open (the reactor). */
  readonly owner: IConnectionOwner;
  /** This end's address (asked for when `getHost()` is first called: most connections never do). */
  readonly host: () => A;
  /** The other end's address. */
  readonly peer: A;
  /** The log prefix (`Echo,3,127.0.0.1` on a server, `Echo,client` on a client). */
  readonly logPrefix: string;
  /** Whether `abortConnection()` can send a reset (TCP) or only close (UNIX). */
  readonly tcp: boolean;
  /** Which end this is: accepted by a port (`'server'`) or made by a connector (`'client'`); TLS needs it. */
  readonly side: 'server' | 'client';
  /** Told after the protocol's `connectionLost` (a connector tells its factory). */
  readonly onLost?: (reason: Failure) => void;
  /**
   * The reason for an error the socket reported (the TLS seam: a TLS socket's handshake and
   * certificate errors become `TLSError`s). Default: `ConnectionLost` with the OS error.
   */
  readonly errorReason?: (error: Error) => Error;
}

/** Whether `p` handles half-closed connections (Twisted's `IHalfCloseableProtocol`): it defines both methods. */
export const halfCloseable = (
  p: IProtocol,
): p is IProtocol & { readConnectionLost(): unknown; writeConnectionLost(): unknown } =>
  typeof (p as { readConnectionLost?: unknown }).readConnectionLost === 'function' &&
  typeof (p as { writeConnectionLost?: unknown }).writeConnectionLost === 'function';
