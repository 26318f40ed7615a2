/**
 * The checks of a UDP port's `write`, `writeSequence` and `connect`, and the coded errors a port
 * throws, in one place: the real `UdpPort` and the testing fakes (`src/testing/checks.ts`) both
 * use them, so a fake refuses exactly what the port refuses, with the same message.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import { InvalidAddressError } from '../../errors.ts';
import type { AddressTuple, IDatagramProtocol } from '../../interfaces.ts';
import { invalidArgType, ipFamily, validatePort } from '../../validate.ts';

/** `host:port`, with brackets around IPv6 hosts. */
export function formatAddr(addr: AddressTuple): string {
  return addr[0].includes(':') ? `[${addr[0]}]:${addr[1]}` : `${addr[0]}:${addr[1]}`;
}

/** The protocol's `logPrefix()`, or its class name for a protocol without one (as Twisted's `_getLogPrefix`). */
export function protocolLogPrefix(protocol: IDatagramProtocol): string {
  if (typeof protocol.logPrefix === 'function') {
    const prefix = protocol.logPrefix();
    if (typeof prefix === 'string') return prefix;
  }
  return (protocol as object).constructor?.name ?? 'DatagramProtocol';
}

/** The error of a method that needs a listening port, once the port is stopping or stopped. */
export function notRunning(what: string): Error & { code: string } {
  return Object.assign(new Error(`${what}: the port is not listening (it was stopped)`), {
    code: 'ERR_SOCKET_DGRAM_NOT_RUNNING',
  });
}

/** Node's own `AbortError` shape: name `AbortError`, code `ABORT_ERR`, the reason as `cause`. */
export function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/** The error of `write` for a datagram that is not a Buffer or Uint8Array. */
export function notADatagram(datagram: unknown): TypeError {
  return invalidArgType('datagram', 'an instance of Buffer or Uint8Array', datagram);
}

/** The error of an unconnected `write` whose `addr` is not a tuple. */
export function notAnAddressTuple(addr: unknown): TypeError {
  return invalidArgType('addr', 'a [host, port] tuple (this port is not connected)', addr);
}

/**
 * Checks the host of an unconnected write on a port of `family` and returns where the datagram
 * goes: the host itself, or `'255.255.255.255'` for `'<broadcast>'` (Python's socket module
 * spells the limited broadcast address so; Twisted accepts it). Only IP literals of the port's
 * family: a host name or the other family throws `InvalidAddressError`.
 */
export function writeDestination(host: unknown, family: 4 | 6): string {
  if (typeof host !== 'string') throw invalidArgType('addr[0]', 'of type string', host);
  const destination = host === '<broadcast>' ? '255.255.255.255' : host;
  const hostFamily = ipFamily(destination);
  if (hostFamily === 0) {
    throw new InvalidAddressError(
      host,
      `write() only accepts IP addresses, not host names: ${inspect(host)} (resolve it first, e.g. with reactor.resolve)`,
    );
  }
  if (hostFamily === 4 && family === 6) {
    throw new InvalidAddressError(
      host,
      `IPv6 port write() called with IPv4 or broadcast address ${inspect(host)}`,
    );
  }
  if (hostFamily === 6 && family === 4) {
    throw new InvalidAddressError(host, `IPv4 port write() called with IPv6 address ${inspect(host)}`);
  }
  return destination;
}

/** Checks the port of an unconnected write's `addr`: an integer 1–65535. */
export function checkWritePort(port: unknown): asserts port is number {
  // The common case in one test; validatePort builds the precise error otherwise.
  if (typeof port !== 'number' || !(port >= 1 && port <= 65535) || port % 1 !== 0) {
    validatePort(port, 'addr[1]', false);
  }
}

/** The error of a write on a port connected to `peer` whose `addr` is another address. */
export function notTheConnectedAddr(addr: unknown, peer: AddressTuple): TypeError & { code: string } {
  return Object.assign(
    new TypeError(
      `The argument "addr" is invalid. This port is connected to ${formatAddr(peer)}; write() takes no address ` +
        `or exactly that one. Received ${inspect(addr)}`,
    ),
    { code: 'ERR_INVALID_ARG_VALUE' },
  );
}

/** The error for connecting a port that is already connected to `peer` (as given to `connect`). */
export function alreadyConnected(peer: AddressTuple): Error & { code: string } {
  return Object.assign(
    new Error(
      `already connected to ${formatAddr(peer)}; reconnecting is not supported (as in Twisted): listen on a new port instead`,
    ),
    { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' },
  );
}

/**
 * Checks the arguments of `connect(host, port)` on a port of `family`: an IP literal of that
 * family (`InvalidAddressError` otherwise: Twisted's connected UDP does no DNS) and a port 1–65535.
 */
export function checkConnectAddress(host: unknown, port: unknown, family: 4 | 6): asserts host is string {
  if (typeof host !== 'string') throw invalidArgType('host', 'of type string', host);
  const hostFamily = ipFamily(host);
  if (hostFamily === 0) {
    throw new InvalidAddressError(
      host,
      `connect() only accepts IP addresses, not host names: ${inspect(host)}`,
    );
  }
  if ((hostFamily === 6) !== (family === 6)) {
    throw new InvalidAddressError(
      host,
      `${family === 6 ? 'IPv6' : 'IPv4'} port connect() called with IPv${hostFamily} address ${inspect(host)}`,
    );
  }
  validatePort(port, 'port', false);
}

// Why a send failed, for the log line (the OS code alone rarely says what to do).
const sendHints: Record<string, string> = {
  EACCES: 'sending to a broadcast address needs setBroadcastAllowed(true)',
  EMSGSIZE: 'the datagram is larger than the path MTU allows',
  ENETUNREACH: 'no route to that network',
  EHOSTUNREACH: 'no route to that host',
  ENOBUFS: 'the send buffer is full',
  EADDRNOTAVAIL: 'the address is not reachable from this interface',
};

/**
 * The log line of a send the OS refused later: `Sending a datagram from <port> to <destination>
 * failed: <code> (<hint>)`.
 */
export function sendFailedMessage(port: string, destination: string, code: string | undefined): string {
  const hint = code !== undefined ? sendHints[code] : undefined;
  return (
    `Sending a datagram from ${port} to ${destination} failed` +
    `${code !== undefined ? `: ${code}` : ''}${hint !== undefined ? ` (${hint})` : ''}`
  );
}
