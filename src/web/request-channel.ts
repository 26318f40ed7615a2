/**
 * What an `HTTPRequest` needs of the connection it came on (Twisted's `HTTPChannel` as a request
 * sees it), and the reason a request gets when that connection closes first.
 *
 * @module
 */
import { ConnectionDone, ConnectionLost } from '../errors/stream.ts';
import { Failure } from '../failure.ts';
import type { ITransport, StreamAddress } from '../interfaces.ts';
import type { Site } from './site.ts';

/** What a request needs from the connection it came on (the `HTTPChannel`). */
export interface RequestChannel {
  /** The site serving the connection. */
  readonly site: Site;
  /** The connection's transport, when it has one (a `Site` connection always does). */
  readonly transport: ITransport | undefined;
  /** The client's address. */
  getPeer(): StreamAddress;
  /** The server's address. */
  getHost(): StreamAddress;
  /** Whether the connection is TLS. */
  isSecure(): boolean;
  /** Closes the connection once what was written has been sent. */
  loseConnection(): void;
}

/**
 * The reason a connection that closed before the response finished gives its requests: a
 * `ConnectionLost` holding the socket's error, or a clean `ConnectionDone`.
 */
export function connectionLostReason(socketError: Error | undefined): Failure {
  return new Failure(
    socketError ? new ConnectionLost(undefined, { osError: socketError }) : new ConnectionDone(),
  );
}
