/**
 * `UnixPort`: a listening UNIX stream socket (Twisted's `unix.Port`).
 *
 * @module
 */
import type { UNIXAddress } from '../address.ts';
import { StreamPort } from './stream-port.ts';

/**
 * A listening UNIX socket, as `reactor.listenUNIX` returns it: bound when it is returned,
 * accepting until `stopListening()`, which removes the socket file (and the `wantPID` lock).
 *
 * @example
 * const port = reactor.listenUNIX('/tmp/echo.sock', Factory.forProtocol(Echo));
 * console.log(port.getHost().name); // '/tmp/echo.sock'
 */
export class UnixPort extends StreamPort<UNIXAddress> {}
