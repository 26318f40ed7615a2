/**
 * The interfaces of twisted-ts, after Twisted's `twisted.internet.interfaces`: what a reactor,
 * a listening port, a UDP transport and a datagram protocol promise. Implementations (the real
 * reactor, `MemoryReactor`, `VirtualNetwork` hosts) are interchangeable through them.
 *
 * @module
 */
import type { Deferred } from './defer/deferred.ts';

/** A `[host, port]` pair, as Twisted's `(host, port)` tuples. */
export type AddressTuple = readonly [host: string, port: number];

/** Any byte sequence a transport accepts (`Buffer` is a `Uint8Array`). */
export type Datagram = Uint8Array;

/** An IPv4 or IPv6 endpoint (`IPv4Address`, `IPv6Address`). */
export interface IAddress {
  readonly type: 'UDP' | 'TCP';
  readonly host: string;
  readonly port: number;
  equals(other: unknown): boolean;
  toString(): string;
}

/** A scheduled call (Twisted's `IDelayedCall`). */
export interface IDelayedCall {
  /** When it is due, in the clock's seconds. */
  getTime(): number;
  cancel(): void;
  /** Postpones it by `seconds`. */
  delay(seconds: number): void;
  /** Reschedules it `seconds` from now. */
  reset(seconds: number): void;
  active(): boolean;
  readonly called: boolean;
  readonly cancelled: boolean;
}

/** Time and delayed calls (Twisted's `IReactorTime`); the reactor and `Clock` implement it. */
export interface IReactorTime {
  /** The current time in seconds. */
  seconds(): number;
  /** Calls `fn(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** Every call that is still pending. */
  getDelayedCalls(): IDelayedCall[];
}

/** The phase of a system event trigger. */
export type TriggerPhase = 'before' | 'during' | 'after';

/** An opaque handle for `removeSystemEventTrigger`. */
export type TriggerId = { readonly phase: TriggerPhase; readonly eventType: string; readonly id: number };

/** The reactor's lifecycle (Twisted's `IReactorCore`). */
export interface IReactorCore {
  readonly running: boolean;
  run(options?: { installSignalHandlers?: boolean }): Promise<void>;
  stop(): void;
  crash(): void;
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined;
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId;
  removeSystemEventTrigger(id: TriggerId): void;
  fireSystemEvent(eventType: string): void;
  /** Resolves a host name to an IP address; IP literals answer at once. */
  resolve(name: string, timeout?: number): Deferred<string>;
}

/** A port that listens (Twisted's `IListeningPort`). */
export interface IListeningPort {
  /** Stops listening; fires once the socket is closed and the protocol was told. */
  stopListening(): Deferred<void>;
  getHost(): IAddress;
}

/** A UDP transport: what a `DatagramProtocol` sees as `this.transport` (Twisted's `IUDPTransport`). */
export interface IUDPTransport extends IListeningPort {
  /** Sends one datagram to `addr` (or to the connected peer). */
  write(datagram: Datagram, addr?: AddressTuple): void;
  /** Sends the concatenation of `datagrams` as one datagram. */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void;
  /** Connects to one peer (connected UDP); only IP literals. */
  connect(host: string, port: number): void;
  loseConnection(): void;
  setBroadcastAllowed(enabled: boolean): void;
  getBroadcastAllowed(): boolean;
}

/** A multicast UDP transport (Twisted's `IMulticastTransport`). */
export interface IMulticastTransport extends IUDPTransport {
  joinGroup(addr: string, iface?: string): Deferred<void>;
  leaveGroup(addr: string, iface?: string): Deferred<void>;
  setTTL(ttl: number): void;
  getTTL(): number;
  setLoopbackMode(mode: boolean | 0 | 1): void;
  getLoopbackMode(): boolean;
  setOutgoingInterface(addr: string): Deferred<void>;
  getOutgoingInterface(): string;
}

/** What a transport calls on its protocol (Twisted's `IProtocol` for datagrams). */
export interface IDatagramProtocol {
  /** Called by a port when it starts: counts ports, runs `startProtocol` on the first. */
  doStart(): void;
  /** Called by a port when it stops: runs `stopProtocol` when the last port stops. */
  doStop(): void;
  makeConnection(transport: IUDPTransport): void;
  datagramReceived(datagram: Buffer, addr: AddressTuple): void;
  /** Connected UDP only: the peer answered with ICMP port-unreachable. */
  connectionRefused?(): void;
  logPrefix(): string;
  transport: IUDPTransport | undefined;
  numPorts: number;
  noisy: boolean;
}

/** Options of `listenUDP`. */
export interface ListenUDPOptions {
  /** `''` (all IPv4 interfaces, the default) or an IP literal; an IPv6 literal makes an IPv6 port. */
  interface?: string;
  /** Datagrams longer than this are cut to it, as in Twisted. Default 8192. */
  maxPacketSize?: number;
  /** Beyond Twisted: SO_REUSEPORT, so several processes share the port with kernel load balancing. */
  reusePort?: boolean;
  /** Aborting stops the port. */
  signal?: AbortSignal;
  /**
   * Beyond Twisted: a cap, in bytes, on what the socket may hold unsent. node:dgram has no
   * backpressure, so a sender faster than the network queues without bound; with this set, a
   * `write` made while the send queue holds `maxSendQueue` bytes or more is dropped and counted
   * in `stats().drops` instead. Default: no cap.
   */
  maxSendQueue?: number;
}

/** Options of `listenMulticast`. */
export interface ListenMulticastOptions {
  interface?: string;
  maxPacketSize?: number;
  /** SO_REUSEADDR and, where the platform has it, SO_REUSEPORT: share the port. Default false. */
  listenMultiple?: boolean;
  signal?: AbortSignal;
  /** A cap on unsent bytes; see {@link ListenUDPOptions.maxSendQueue}. */
  maxSendQueue?: number;
}

/** A reactor that listens on UDP ports (Twisted's `IReactorUDP`). */
export interface IReactorUDP {
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): IUDPTransport;
}

/** A reactor that listens on multicast ports (Twisted's `IReactorMulticast`). */
export interface IReactorMulticast {
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): IMulticastTransport;
}

/**
 * What a port needs from the reactor that owns it: name resolution (Twisted's multicast methods
 * resolve host names through the reactor) and a registry so that shutdown stops every port.
 */
export interface IPortOwner {
  resolve(name: string, timeout?: number): Deferred<string>;
  registerPort(port: IListeningPort): void;
  unregisterPort(port: IListeningPort): void;
}
