/**
 * The argument forms of `listenUDP` and `listenMulticast` — Twisted's positional form and the
 * options object — parsed and checked in one place. The real reactor and the fakes of
 * `twisted-ts/testing` all call these, so a fake accepts exactly what the real reactor accepts
 * and refuses the rest with the same errors, in the same order.
 *
 * The parsers are `@internal` (only `DEFAULT_MAX_PACKET_SIZE` is public): the parsed shape is an
 * implementation detail, not part of the public contract (API.md). `twisted-ts/testing` ships in
 * the same package build, so importing this module directly cannot drift from the transports it
 * mirrors.
 *
 * @module
 */
import { AlreadyListeningError } from '../../errors.ts';
import { inspect } from 'node:util';
import type { IDatagramProtocol, UdpIOMode } from '../../interfaces.ts';
import {
  invalidArgType,
  invalidArgValue,
  isInstance,
  readOptions,
  readProperty,
  validateBoolean,
  validateInteger,
  validateInterface,
  validatePort,
} from '../../validate.ts';
import { abortError, protocolLogPrefix } from './checks.ts';

/** Twisted's default `maxPacketSize`. */
export const DEFAULT_MAX_PACKET_SIZE = 8192;

/**
 * A `listenUDP` / `listenMulticast` call after checking, with the defaults filled in.
 *
 * @internal
 */
export interface ListenArgs {
  /** The port asked for (0: any free one). */
  readonly port: number;
  /** The protocol to start; checked to be a datagram protocol not serving another port. */
  readonly protocol: IDatagramProtocol;
  /** `''` (all IPv4 interfaces) or an IP literal. */
  readonly interface: string;
  /** Datagrams longer than this are cut to it (default {@link DEFAULT_MAX_PACKET_SIZE}). */
  readonly maxPacketSize: number;
  /** Whether the port may be shared: `reusePort` for listenUDP, `listenMultiple` for listenMulticast. */
  readonly shared: boolean;
  /** Aborting it stops the port; never already aborted here. */
  readonly signal: AbortSignal | undefined;
  /** The cap on unsent bytes, or undefined for none. */
  readonly maxSendQueue: number | undefined;
  /** The I/O asked for (`options.io`), or undefined for the default (`TWISTED_TS_IO`, else 'auto'). */
  readonly io: UdpIOMode | undefined;
}

const ioModes: readonly UdpIOMode[] = ['auto', 'native', 'dgram'];

/**
 * `'auto'`, `'native'` or `'dgram'`, or an `ERR_INVALID_ARG_VALUE` TypeError naming `name`.
 *
 * @internal
 */
export function validateIOMode(value: unknown, name: string): UdpIOMode {
  if (typeof value === 'string' && (ioModes as readonly string[]).includes(value)) return value as UdpIOMode;
  throw invalidArgValue(
    name,
    `It must be 'auto', 'native' or 'dgram'. Received ${typeof value === 'string' ? `'${value}'` : inspect(value)}`,
  );
}

/** Which call is parsed: the options object differs only in the name of its sharing flag. */
type ListenKind = 'reusePort' | 'listenMultiple';

const protocolMethods = ['makeConnection', 'doStart', 'doStop', 'datagramReceived'] as const;
const optionKeys: Record<ListenKind, ReadonlySet<string>> = {
  reusePort: new Set(['interface', 'maxPacketSize', 'reusePort', 'signal', 'maxSendQueue', 'io']),
  listenMultiple: new Set(['interface', 'maxPacketSize', 'listenMultiple', 'signal', 'maxSendQueue', 'io']),
};

/**
 * Checks that `protocol` can be started on a port: a datagram protocol (TypeError otherwise) that
 * is not already serving another port (AlreadyListeningError).
 *
 * @internal
 */
export function validateDatagramProtocol(
  protocol: unknown,
  name = 'protocol',
): asserts protocol is IDatagramProtocol {
  if (protocol === null || typeof protocol !== 'object') {
    throw invalidArgType(name, 'a datagram protocol (e.g. an instance of DatagramProtocol)', protocol);
  }
  for (const method of protocolMethods) {
    if (typeof readProperty(protocol, method, name) !== 'function') {
      throw invalidArgType(
        name,
        `a datagram protocol (e.g. an instance of DatagramProtocol), with a ${method}() method`,
        protocol,
      );
    }
  }
  const transport = readProperty(protocol, 'transport', name);
  if (transport !== undefined && transport !== null) {
    throw new AlreadyListeningError(
      `${protocolLogPrefix(protocol as IDatagramProtocol)} is already listening on ${String(transport)}: ` +
        'a protocol instance serves one port at a time. Stop that port first, or give this port a new instance.',
    );
  }
}

/**
 * Checks `options.signal`; an already-aborted signal throws an `AbortError` before anything is bound.
 *
 * @internal
 */
export function validateSignal(
  signal: unknown,
  name = 'options.signal',
): asserts signal is AbortSignal | undefined {
  if (signal === undefined) return;
  if (!isInstance(signal, AbortSignal)) throw invalidArgType(name, 'an instance of AbortSignal', signal);
  if (signal.aborted) throw abortError(signal);
}

/**
 * Parses `listenUDP(port, protocol, interfaceOrOptions?, maxPacketSize?)`: `interfaceOrOptions`
 * is the interface (a string, as in Twisted) or `{ interface, maxPacketSize, reusePort, signal,
 * maxSendQueue }`; a positional `maxPacketSize` wins over the option. Every argument is checked
 * before the caller creates anything; `shared` is `reusePort`.
 *
 * @internal
 */
export function parseListenUDPArgs(
  port: unknown,
  protocol: unknown,
  interfaceOrOptions: unknown,
  maxPacketSize: unknown,
): ListenArgs {
  return parse('reusePort', port, protocol, interfaceOrOptions, maxPacketSize, undefined);
}

/**
 * Parses `listenMulticast(port, protocol, interfaceOrOptions?, maxPacketSize?, listenMultiple?)`,
 * as {@link parseListenUDPArgs} with `listenMultiple` (option or positional; positional wins) in
 * place of `reusePort`; `shared` is `listenMultiple`.
 *
 * @internal
 */
export function parseListenMulticastArgs(
  port: unknown,
  protocol: unknown,
  interfaceOrOptions: unknown,
  maxPacketSize: unknown,
  listenMultiple: unknown,
): ListenArgs {
  return parse('listenMultiple', port, protocol, interfaceOrOptions, maxPacketSize, listenMultiple);
}

function parse(
  kind: ListenKind,
  port: unknown,
  protocol: unknown,
  interfaceOrOptions: unknown,
  maxPacketSize: unknown,
  listenMultiple: unknown,
): ListenArgs {
  validatePort(port, 'port');
  validateDatagramProtocol(protocol);
  let iface = '';
  let packetSize = DEFAULT_MAX_PACKET_SIZE;
  let shared = false;
  let signal: unknown;
  let maxSendQueue: number | undefined;
  let io: UdpIOMode | undefined;
  if (typeof interfaceOrOptions === 'string') {
    iface = interfaceOrOptions;
    validateInterface(iface, 'interface');
  } else if (interfaceOrOptions !== undefined) {
    // Read once, own properties only: what is checked below is what the port is built from.
    const o = readOptions(interfaceOrOptions, 'options', optionKeys[kind]);
    if (o.interface !== undefined) {
      validateInterface(o.interface, 'options.interface');
      iface = o.interface;
    }
    if (o.maxPacketSize !== undefined) {
      validateInteger(o.maxPacketSize, 'options.maxPacketSize', 1);
      packetSize = o.maxPacketSize;
    }
    const flag = o[kind];
    if (flag !== undefined) {
      validateBoolean(flag, `options.${kind}`);
      shared = flag;
    }
    signal = o.signal;
    if (o.maxSendQueue !== undefined) {
      validateInteger(o.maxSendQueue, 'options.maxSendQueue', 1);
      maxSendQueue = o.maxSendQueue;
    }
    if (o.io !== undefined) io = validateIOMode(o.io, 'options.io');
  }
  if (maxPacketSize !== undefined) {
    validateInteger(maxPacketSize, 'maxPacketSize', 1);
    packetSize = maxPacketSize;
  }
  if (listenMultiple !== undefined) {
    validateBoolean(listenMultiple, 'listenMultiple');
    shared = listenMultiple;
  }
  validateSignal(signal);
  return { port, protocol, interface: iface, maxPacketSize: packetSize, shared, signal, maxSendQueue, io };
}
