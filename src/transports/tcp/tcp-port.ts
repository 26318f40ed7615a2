/**
 * `TcpPort`: a listening TCP port (Twisted's `tcp.Port`).
 *
 * @module
 */
import type { IPv4Address, IPv6Address } from '../address.ts';
import { StreamPort } from './stream-port.ts';

/**
 * A listening TCP port, as `reactor.listenTCP` returns it: bound when it is returned
 * (`getHost()` gives the real port), accepting until `stopListening()`.
 *
 * @example
 * const port = reactor.listenTCP(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
 * console.log(port.getHost().port);
 * await port.stopListening();
 */
export class TcpPort extends StreamPort<IPv4Address | IPv6Address> {}
