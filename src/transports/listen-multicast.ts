/**
 * `listenMulticast`: validates its arguments, then makes, binds and starts a
 * {@link MulticastPort}. The Reactor's `listenMulticast` method delegates here.
 *
 * @module
 */
import type { IDatagramProtocol, IPortOwner, ListenMulticastOptions } from '../interfaces.ts';
import {
  invalidArgType,
  validateBoolean,
  validateInteger,
  validateInterface,
  validateObject,
  validatePort,
} from '../validate.ts';
import { DEFAULT_MAX_PACKET_SIZE, validateDatagramProtocol, validateSignal } from './listen.ts';
import { MulticastPort } from './multicast-port.ts';

const multicastOptionKeys = new Set([
  'interface',
  'maxPacketSize',
  'listenMultiple',
  'signal',
  'maxSendQueue',
]);

/**
 * Listens for multicast (and unicast) datagrams on `port` (Twisted's
 * `reactor.listenMulticast(port, protocol, interface='', maxPacketSize=8192, listenMultiple=False)`).
 *
 * Everything `listenUDP` does — arguments checked before anything is created, the port bound
 * when this returns, `CannotListenError` thrown on a bind failure — with a {@link MulticastPort}.
 * Bind to `''` (all IPv4 interfaces, the default) or `'::'` to receive multicast: a socket bound
 * to a unicast address such as `'127.0.0.1'` does not receive datagrams sent to a group.
 *
 * `listenMultiple: true` sets SO_REUSEADDR and, where the platform has it, SO_REUSEPORT, as
 * Twisted does, so several sockets — in this process, in others, Python Twisted ones included —
 * share the port and each receives every multicast datagram. Every socket must ask for it: a
 * plain bind onto a shared port still fails with `CannotListenError` (EADDRINUSE). See
 * docs/multicast.md for what each OS then allows, and the risks.
 *
 * Arguments may be given as in Twisted (`interface`, `maxPacketSize`, `listenMultiple`
 * positionally) or as an options object; positional values win over options.
 *
 * @param owner the reactor: it resolves host names for `joinGroup` and stops the port at shutdown.
 * @param interfaceOrOptions the interface, or `{ interface, maxPacketSize, listenMultiple, signal }`.
 *
 * @example
 * const port = listenMulticast(reactor, 1900, new Ssdp(), { listenMultiple: true });
 * await port.joinGroup('239.255.255.250', '127.0.0.1');
 * @example
 * // Twisted's positional form:
 * listenMulticast(reactor, 5353, new Mdns(), '', 8192, true);
 */
export function listenMulticast(
  owner: IPortOwner,
  port: number,
  protocol: IDatagramProtocol,
  interfaceOrOptions?: string | ListenMulticastOptions,
  maxPacketSize?: number,
  listenMultiple?: boolean,
): MulticastPort {
  validatePort(port, 'port');
  validateDatagramProtocol(protocol);
  let iface = '';
  let packetSize = DEFAULT_MAX_PACKET_SIZE;
  let multiple = false;
  let signal: unknown;
  let maxSendQueue: number | undefined;
  if (typeof interfaceOrOptions === 'string') {
    iface = interfaceOrOptions;
    validateInterface(iface, 'interface');
  } else if (interfaceOrOptions !== undefined) {
    validateObject(interfaceOrOptions, 'options');
    for (const key of Object.keys(interfaceOrOptions)) {
      if (!multicastOptionKeys.has(key)) {
        throw invalidArgType(
          'options',
          `an object with only the keys ${[...multicastOptionKeys].join(', ')}; "${key}" is not one of them`,
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
    if (o.listenMultiple !== undefined) {
      validateBoolean(o.listenMultiple, 'options.listenMultiple');
      multiple = o.listenMultiple;
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
  if (listenMultiple !== undefined) {
    validateBoolean(listenMultiple, 'listenMultiple');
    multiple = listenMultiple;
  }
  validateSignal(signal);
  const multicastPort = new MulticastPort(owner, port, protocol, {
    interface: iface,
    maxPacketSize: packetSize,
    reusePort: false,
    listenMultiple: multiple,
    signal,
    maxSendQueue,
  });
  multicastPort.startListening();
  return multicastPort;
}
