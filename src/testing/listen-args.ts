/**
 * The argument forms of `listenUDP` / `listenMulticast`, parsed and checked as the real reactor
 * does, so that the fakes accept exactly what it accepts and refuse the rest with the same errors.
 *
 * @internal
 * @module
 */
import { AlreadyListeningError } from '../errors.ts';
import type { IDatagramProtocol, ListenMulticastOptions, ListenUDPOptions } from '../interfaces.ts';
import { DEFAULT_MAX_PACKET_SIZE } from '../transports/index.ts';
import {
  invalidArgType,
  validateBoolean,
  validateInteger,
  validateInterface,
  validateObject,
  validatePort,
} from '../validate.ts';

/** What a listen call asked for, after the defaults. */
export interface ListenRequest {
  port: number;
  protocol: IDatagramProtocol;
  interface: string;
  maxPacketSize: number;
  /** `reusePort` for listenUDP, `listenMultiple` for listenMulticast. */
  shared: boolean;
  signal: AbortSignal | undefined;
}

const protocolMethods = ['makeConnection', 'doStart', 'doStop', 'datagramReceived'] as const;
// The same keys as the real listenUDP/listenMulticast, so code that passes maxSendQueue runs on the
// fakes unchanged (they have no send queue, so the cap is checked and then has nothing to limit).
const udpKeys = new Set(['interface', 'maxPacketSize', 'reusePort', 'signal', 'maxSendQueue']);
const multicastKeys = new Set(['interface', 'maxPacketSize', 'listenMultiple', 'signal', 'maxSendQueue']);

function checkProtocol(protocol: unknown): asserts protocol is IDatagramProtocol {
  if (protocol === null || typeof protocol !== 'object') {
    throw invalidArgType('protocol', 'a datagram protocol (e.g. an instance of DatagramProtocol)', protocol);
  }
  for (const method of protocolMethods) {
    if (typeof (protocol as Record<string, unknown>)[method] !== 'function') {
      throw invalidArgType(
        'protocol',
        `a datagram protocol (e.g. an instance of DatagramProtocol), with a ${method}() method`,
        protocol,
      );
    }
  }
  const transport = (protocol as IDatagramProtocol).transport;
  if (transport !== undefined && transport !== null) {
    const name =
      typeof (protocol as IDatagramProtocol).logPrefix === 'function'
        ? (protocol as IDatagramProtocol).logPrefix()
        : protocol.constructor.name;
    throw new AlreadyListeningError(
      `${name} is already listening on ${String(transport)}: a protocol instance serves one port at a time. ` +
        'Stop that port first, or give this port a new instance.',
    );
  }
}

function checkSignal(signal: unknown): asserts signal is AbortSignal | undefined {
  if (signal === undefined) return;
  if (!(signal instanceof AbortSignal))
    throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
  if (signal.aborted) {
    throw Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
  }
}

function parse(
  kind: 'udp' | 'multicast',
  port: unknown,
  protocol: unknown,
  interfaceOrOptions: unknown,
  maxPacketSize: unknown,
  listenMultiple: unknown,
): ListenRequest {
  validatePort(port, 'port');
  checkProtocol(protocol);
  const keys = kind === 'udp' ? udpKeys : multicastKeys;
  const sharedKey = kind === 'udp' ? 'reusePort' : 'listenMultiple';
  let iface = '';
  let packetSize = DEFAULT_MAX_PACKET_SIZE;
  let shared = false;
  let signal: unknown;
  if (typeof interfaceOrOptions === 'string') {
    validateInterface(interfaceOrOptions, 'interface');
    iface = interfaceOrOptions;
  } else if (interfaceOrOptions !== undefined) {
    validateObject(interfaceOrOptions, 'options');
    for (const key of Object.keys(interfaceOrOptions)) {
      if (!keys.has(key)) {
        throw invalidArgType(
          'options',
          `an object with only the keys ${[...keys].join(', ')}; "${key}" is not one of them`,
          interfaceOrOptions,
        );
      }
    }
    const o = interfaceOrOptions as ListenUDPOptions & ListenMulticastOptions;
    if (o.interface !== undefined) {
      validateInterface(o.interface, 'options.interface');
      iface = o.interface;
    }
    if (o.maxPacketSize !== undefined) {
      validateInteger(o.maxPacketSize, 'options.maxPacketSize', 1);
      packetSize = o.maxPacketSize;
    }
    if (o.maxSendQueue !== undefined) validateInteger(o.maxSendQueue, 'options.maxSendQueue', 1);
    const flag = o[sharedKey];
    if (flag !== undefined) {
      validateBoolean(flag, `options.${sharedKey}`);
      shared = flag;
    }
    signal = o.signal;
  }
  if (maxPacketSize !== undefined) {
    validateInteger(maxPacketSize, 'maxPacketSize', 1);
    packetSize = maxPacketSize;
  }
  if (listenMultiple !== undefined) {
    validateBoolean(listenMultiple, 'listenMultiple');
    shared = listenMultiple;
  }
  checkSignal(signal);
  return { port, protocol, interface: iface, maxPacketSize: packetSize, shared, signal };
}

/** Parses `listenUDP(port, protocol, interfaceOrOptions?, maxPacketSize?)`. */
export function parseListenUDP(
  port: unknown,
  protocol: unknown,
  interfaceOrOptions: unknown,
  maxPacketSize: unknown,
): ListenRequest {
  return parse('udp', port, protocol, interfaceOrOptions, maxPacketSize, undefined);
}

/** Parses `listenMulticast(port, protocol, interfaceOrOptions?, maxPacketSize?, listenMultiple?)`. */
export function parseListenMulticast(
  port: unknown,
  protocol: unknown,
  interfaceOrOptions: unknown,
  maxPacketSize: unknown,
  listenMultiple: unknown,
): ListenRequest {
  return parse('multicast', port, protocol, interfaceOrOptions, maxPacketSize, listenMultiple);
}
