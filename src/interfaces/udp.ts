/**
 * UDP and multicast (Twisted's `IUDPTransport`, `IMulticastTransport`, `IDatagramProtocol`,
 * `IReactorUDP`, `IReactorMulticast`).
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { AddressTuple, Datagram, IListeningPort } from './reactor.ts';

/** A UDP transport: what a `DatagramProtocol` sees as `this.transport` (Twisted's `IUDPTransport`). */
export interface IUDPTransport extends IListeningPort {
  /** Sends one datagram to `addr` (or to the connected peer). */
  write(datagram: Datagram, addr?: AddressTuple): void;
  /** Sends the concatenation of `datagrams` as one datagram. */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void;
  /** Connects to one peer (connected UDP); only IP literals. */
  connect(host: string, port: number): void;
  /** Stops listening, as `stopListening()` without the Deferred (Twisted's `loseConnection`). */
  loseConnection(): void;
  /** Allows or forbids sending to broadcast addresses (SO_BROADCAST). */
  setBroadcastAllowed(enabled: boolean): void;
  /** Whether sending to broadcast addresses is allowed; `false` by default. */
  getBroadcastAllowed(): boolean;
  /** Beyond Twisted: the I/O this port uses (`'native'`, `'dgram'`; `'memory'` on the fakes). */
  readonly ioPath: UdpIOPath;
}

/** A multicast UDP transport (Twisted's `IMulticastTransport`). */
export interface IMulticastTransport extends IUDPTransport {
  /**
   * Joins the multicast group `addr` on interface `iface` (`''`: the OS's choice). Both may be
   * host names, resolved through the reactor, hence the Deferred.
   *
   * @returns a Deferred that fires when joined, or errbacks with a `MulticastJoinError`.
   * @example
   * await port.joinGroup('239.255.0.1', '127.0.0.1');
   */
  joinGroup(addr: string, iface?: string): Deferred<void>;
  /** Leaves a group joined with `joinGroup`; errbacks with a `MulticastJoinError` on failure. */
  leaveGroup(addr: string, iface?: string): Deferred<void>;
  /**
   * Sets the time-to-live of outgoing multicast datagrams (IP_MULTICAST_TTL / hops).
   *
   * @throws RangeError unless `ttl` is an integer from 0 to 255.
   */
  setTTL(ttl: number): void;
  /** The multicast TTL last set with `setTTL` (1, the OS default, until then). */
  getTTL(): number;
  /** Whether this host's own sockets receive the datagrams it sends to a group (IP_MULTICAST_LOOP). */
  setLoopbackMode(mode: boolean | 0 | 1): void;
  /** The loopback mode last set with `setLoopbackMode` (`true`, the OS default, until then). */
  getLoopbackMode(): boolean;
  /**
   * Chooses the interface multicast datagrams are sent from (IP_MULTICAST_IF); `addr` may be a
   * host name, hence the Deferred.
   */
  setOutgoingInterface(addr: string): Deferred<void>;
  /** The interface set with `setOutgoingInterface` (`'0.0.0.0'`, or `'::'` on IPv6, by default). */
  getOutgoingInterface(): string;
}

/**
 * A multicast method as a protocol declared without a transport type sees it: calling it is a
 * compile error whose message says how to get the real method (the port it runs on may be a
 * plain UDP port, which has none).
 */
export type MulticastMethodOfAMulticastPortOnly =
  | ((...args: never[]) => unknown)
  | {
      /** Not a property: its name is the compiler's message when the method is called. */
      readonly 'a multicast method: it exists on a port made by listenMulticast; declare the protocol as DatagramProtocol<MulticastPort> to call it'?: never;
    };

/**
 * What `this.transport` is in a protocol declared without a transport type (`class P extends
 * DatagramProtocol`): the UDP transport, and the names of the multicast methods (`joinGroup`,
 * `setTTL`…), typed so that calling one fails to compile with a message that says to declare the
 * protocol as `DatagramProtocol<MulticastPort>`, whose transport has them — as ported Twisted
 * code calls them on `self.transport` without a declaration.
 */
export type DefaultDatagramTransport = IUDPTransport & {
  readonly [
    Method in Exclude<keyof IMulticastTransport, keyof IUDPTransport>
  ]?: MulticastMethodOfAMulticastPortOnly;
};

/** What a transport calls on its protocol (Twisted's `IProtocol` for datagrams). */
export interface IDatagramProtocol {
  /**
   * Called by a port when it starts: counts ports, runs `startProtocol` on the first (and returns
   * what it returned: the port logs the rejection of an `async` one).
   */
  doStart(): void | Promise<void>;
  /** Called by a port when it stops: runs `stopProtocol` when the last port stops (and returns what it returned). */
  doStop(): void | Promise<void>;
  /** Called by a port with itself as `transport`: sets `this.transport` and runs `doStart()` (returning what it returned). */
  makeConnection(transport: IUDPTransport): void | Promise<void>;
  /**
   * Called for every datagram that arrives, with the sender's address. An exception thrown here,
   * or the rejection of the Promise an `async` one returns, is logged and the port goes on
   * receiving.
   */
  datagramReceived(datagram: Buffer, addr: AddressTuple): void | Promise<void>;
  /** Connected UDP only: the peer answered with ICMP port-unreachable. It may be `async`. */
  connectionRefused?(): void | Promise<void>;
  /** The prefix of log messages about this protocol (its class name by default). */
  logPrefix(): string;
  /** The port serving this protocol; `undefined` while it is not listening. */
  transport: IUDPTransport | undefined;
  /** How many ports are serving it (0 or 1 for a datagram protocol). */
  numPorts: number;
  /** Whether starting and stopping are logged. */
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
  /**
   * Beyond Twisted: how the socket is read and written. `'native'`: batched `recvmmsg`/`sendmmsg`
   * through the package's small addon (one call into JavaScript per batch, not per datagram);
   * `'dgram'`: `node:dgram`; `'auto'` (the default, or the `TWISTED_TS_IO` environment variable):
   * native where the addon loads, else dgram. Both behave the same; `port.ioPath` says which
   * is in use.
   */
  io?: UdpIOMode;
}

/** Options of `listenMulticast`. */
export interface ListenMulticastOptions {
  /** `''` (all IPv4 interfaces, the default) or an IP literal to bind to; see {@link ListenUDPOptions.interface}. */
  interface?: string;
  /** Datagrams longer than this are cut to it, as in Twisted. Default 8192. */
  maxPacketSize?: number;
  /** SO_REUSEADDR and, where the platform has it, SO_REUSEPORT: share the port. Default false. */
  listenMultiple?: boolean;
  /** Aborting stops the port. */
  signal?: AbortSignal;
  /** A cap on unsent bytes; see {@link ListenUDPOptions.maxSendQueue}. */
  maxSendQueue?: number;
  /** Native batched I/O or node:dgram; see {@link ListenUDPOptions.io}. */
  io?: UdpIOMode;
}

/** Which UDP I/O to use: see {@link ListenUDPOptions.io}. */
export type UdpIOMode = 'auto' | 'native' | 'dgram';

/**
 * Which UDP I/O a port uses: `'native'` (batched recvmmsg/sendmmsg), `'dgram'` (node:dgram), or
 * `'memory'` on the fakes of `twisted-ts/testing`, which open no socket.
 */
export type UdpIOPath = 'native' | 'dgram' | 'memory';

/** A reactor that listens on UDP ports (Twisted's `IReactorUDP`). */
export interface IReactorUDP {
  /**
   * Binds a UDP port for `protocol` and starts it; the port is bound when the call returns.
   * A string third argument is the interface, as in Twisted.
   *
   * @throws CannotListenError when the bind fails.
   * @example
   * const port = reactor.listenUDP(0, new Echo(), { interface: '127.0.0.1' });
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): IUDPTransport;
}

/** A reactor that listens on multicast ports (Twisted's `IReactorMulticast`). */
export interface IReactorMulticast {
  /**
   * Binds a multicast-capable UDP port for `protocol`; arguments as {@link IReactorUDP.listenUDP},
   * plus `listenMultiple` to share the port with other sockets.
   *
   * @throws CannotListenError when the bind fails.
   * @example
   * const port = reactor.listenMulticast(0, proto, { interface: '0.0.0.0', listenMultiple: true });
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): IMulticastTransport;
}
