/**
 * `listenUDP`: validates its arguments, then makes, binds and starts a {@link UdpPort}. The
 * Reactor's `listenUDP` method delegates here.
 *
 * @module
 */
import { AlreadyListeningError } from '../errors.ts';
import type { IDatagramProtocol, IPortOwner, ListenUDPOptions } from '../interfaces.ts';
import {
  invalidArgType,
  validateBoolean,
  validateInteger,
  validateInterface,
  validateObject,
  validatePort,
} from '../validate.ts';
import { UdpPort, abortError, protocolLogPrefix } from './udp-port.ts';

/** Twisted's default `maxPacketSize`. */
export const DEFAULT_MAX_PACKET_SIZE = 8192;

const protocolMethods = ['makeConnection', 'doStart', 'doStop', 'datagramReceived'] as const;
const udpOptionKeys = new Set(['interface', 'maxPacketSize', 'reusePort', 'signal', 'maxSendQueue']);

/**
 * Checks that `protocol` can be started on a port: a datagram protocol (TypeError otherwise) that
 * is not already serving another port (AlreadyListeningError). Exported for `listenMulticast`.
 */
export function validateDatagramProtocol(
  protocol: unknown,
  name = 'protocol',
): asserts protocol is IDatagramProtocol {
  if (protocol === null || typeof protocol !== 'object') {
    throw invalidArgType(name, 'a datagram protocol (e.g. an instance of DatagramProtocol)', protocol);
  }
  for (const method of protocolMethods) {
    if (typeof (protocol as Record<string, unknown>)[method] !== 'function') {
      throw invalidArgType(
        name,
        `a datagram protocol (e.g. an instance of DatagramProtocol), with a ${method}() method`,
        protocol,
      );
    }
  }
  const transport = (protocol as IDatagramProtocol).transport;
  if (transport !== undefined && transport !== null) {
    throw new AlreadyListeningError(
      `${protocolLogPrefix(protocol as IDatagramProtocol)} is already listening on ${String(transport)}: ` +
        'a protocol instance serves one port at a time. Stop that port first, or give this port a new instance.',
    );
  }
}

/** Checks `options.signal`; an already-aborted signal throws an `AbortError` before anything is bound. */
export function validateSignal(
  signal: unknown,
  name = 'options.signal',
): asserts signal is AbortSignal | undefined {
  if (signal === undefined) return;
  if (!(signal instanceof AbortSignal)) throw invalidArgType(name, 'an instance of AbortSignal', signal);
  if (signal.aborted) throw abortError(signal);
}

/**
 * Listens for datagrams on `port` (Twisted's `reactor.listenUDP`).
 *
 * Every argument is checked before anything is created: `port` an integer 0–65535 (0: a free
 * one), `protocol` a datagram protocol not already listening, the interface `''` (all IPv4
 * interfaces) or an IP literal — an IPv6 literal makes an IPv6 port; host names are refused
 * with `InvalidAddressError`, as Twisted does no DNS here.
 *
 * The port is bound when this returns: `getHost()` gives the real port, `startProtocol()` has
 * run and datagrams are being read. A bind failure throws `CannotListenError` (`EADDRINUSE`,
 * `EACCES`, or `reusePort` on a platform without SO_REUSEPORT); nothing stays bound.
 *
 * With `{ signal }`, aborting stops the port; a signal already aborted throws its `AbortError`
 * and binds nothing.
 *
 * @param owner the reactor: it resolves names and keeps the registry of ports it stops at shutdown.
 * @param interfaceOrOptions the interface (a string, as in Twisted) or `{ interface, maxPacketSize, reusePort, signal, maxSendQueue }`.
 * @param maxPacketSize datagrams longer than this are cut to it (default 8192); overrides the option.
 *
 * @example
 * const port = listenUDP(reactor, 0, new Echo(), '127.0.0.1');
 * console.log(port.getHost().port);
 */
export function listenUDP(
  owner: IPortOwner,
  port: number,
  protocol: IDatagramProtocol,
  interfaceOrOptions?: string | ListenUDPOptions,
  maxPacketSize?: number,
): UdpPort {
  validatePort(port, 'port');
  validateDatagramProtocol(protocol);
  let iface = '';
  let packetSize = DEFAULT_MAX_PACKET_SIZE;
  let reusePort = false;
  let signal: unknown;
  let maxSendQueue: number | undefined;
  if (typeof interfaceOrOptions === 'string') {
    iface = interfaceOrOptions;
    validateInterface(iface, 'interface');
  } else if (interfaceOrOptions !== undefined) {
    validateObject(interfaceOrOptions, 'options');
    for (const key of Object.keys(interfaceOrOptions)) {
      if (!udpOptionKeys.has(key)) {
        throw invalidArgType(
          'options',
          `an object with only the keys ${[...udpOptionKeys].join(', ')}; "${key}" is not one of them`,
          interfaceOrOptions,
        );
      }
    }
    const o = interfaceOrOptions;
    if (o.interface !== undefined) {
      validateInterface(o.interface, 'options.interface');
      iface = o.interface;
    }
    if (o.maxPacketSize !== undefined) {
      validateInteger(o.maxPacketSize, 'options.maxPacketSize', 1);
      packetSize = o.maxPacketSize;
    }
    if (o.reusePort !== undefined) {
      validateBoolean(o.reusePort, 'options.reusePort');
      reusePort = o.reusePort;
    }
    signal = o.signal;
    if (o.maxSendQueue !== undefined) {
      validateInteger(o.maxSendQueue, 'options.maxSendQueue', 1);
      maxSendQueue = o.maxSendQueue;
    }
  }
  if (maxPacketSize !== undefined) {
    validateInteger(maxPacketSize, 'maxPacketSize', 1);
    packetSize = maxPacketSize;
  }
  validateSignal(signal);
  const config = { interface: iface, maxPacketSize: packetSize, reusePort, signal, maxSendQueue };
  const udpPort = new UdpPort(owner, port, protocol, config);
  udpPort.startListening();
  return udpPort;
}
