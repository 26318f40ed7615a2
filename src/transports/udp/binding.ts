/**
 * Binding a UDP port: the socket made through the I/O seam, bound inside the call, and a bind
 * failure turned into `CannotListenError` with an explanation the port's options make likely.
 *
 * @internal
 * @module
 */
import { CannotListenError } from '../../errors.ts';
import { IPv4Address, IPv6Address } from '../address.ts';
import type { UdpSocketFactory, UdpSocketHandlers, UdpSocketIO, UdpSocketSpec } from './socket-io.ts';

/** What {@link bindUdpSocket} needs. */
export interface BindRequest {
  /** How to make the socket. */
  readonly spec: UdpSocketSpec;
  /** The I/O backend. */
  readonly createSocket: UdpSocketFactory;
  /** What the socket reports to. */
  readonly handlers: UdpSocketHandlers;
  /** The interface asked for: `''` (all IPv4 interfaces) or an IP literal. */
  readonly interface: string;
  /** The port asked for (0: any free one). */
  readonly port: number;
  /** An explanation for a bind error that the port's options make likely, else undefined. */
  readonly explain: (error: NodeJS.ErrnoException) => string | undefined;
}

/** A bound socket and its address. */
export interface BoundSocket {
  /** The socket, reading. */
  readonly io: UdpSocketIO;
  /** The address it is bound to, with the real port number. */
  readonly host: IPv4Address | IPv6Address;
}

/**
 * Makes the socket and binds it, inside the call (DESIGN.md decision 2). A failure throws
 * `CannotListenError` carrying the OS error; nothing stays open.
 */
export function bindUdpSocket(request: BindRequest): BoundSocket {
  const { spec } = request;
  const io = request.createSocket(spec, request.handlers);
  let address;
  try {
    address = io.bind(request.port, bindAddress(request.interface, spec.type));
  } catch (e) {
    const cause = e as NodeJS.ErrnoException;
    throw new CannotListenError(request.interface, request.port, cause, request.explain(cause));
  }
  const host =
    spec.type === 'udp6'
      ? new IPv6Address('UDP', address.address, address.port)
      : new IPv4Address('UDP', address.address, address.port);
  return { io, host };
}

/** `''` binds all IPv4 interfaces, as in Twisted. */
function bindAddress(iface: string, type: 'udp4' | 'udp6'): string {
  if (iface !== '') return iface;
  return type === 'udp6' ? '::' : '0.0.0.0';
}

/** Why a bind with SO_REUSEPORT failed, when the platform lacks it. */
export function explainReusePortError(error: NodeJS.ErrnoException): string | undefined {
  if (error.code === 'ENOTSUP' || error.code === 'ENOPROTOOPT' || error.code === 'EINVAL') {
    return (
      `reusePort (SO_REUSEPORT with kernel load balancing) is not supported on this platform ` +
      `(${process.platform}); Linux, FreeBSD, DragonFlyBSD, Solaris and AIX have it`
    );
  }
  return undefined;
}

/** Why a bind with `listenMultiple` failed with EADDRINUSE: a socket on the port did not share. */
export function explainListenMultipleError(error: NodeJS.ErrnoException): string | undefined {
  if (error.code === 'EADDRINUSE') {
    return (
      'the address is already in use by a socket that did not allow sharing: a port is shared only ' +
      'if every socket on it asks for reuse (listenMultiple in Twisted and twisted-ts, SO_REUSEADDR/' +
      'SO_REUSEPORT elsewhere); on Linux, SO_REUSEPORT sockets must also belong to the same user'
    );
  }
  return undefined;
}
