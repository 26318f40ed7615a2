/**
 * The I/O seam of a UDP port: every socket operation `UdpPort` and `MulticastPort` make goes
 * through one {@link UdpSocketIO}, so that a second backend (the native recvmmsg/sendmmsg addon,
 * DESIGN.md decision 11) can stand in for `node:dgram` (`dgram-socket-io.ts`) without the port
 * changing. The port keeps the state machine, the checks, the counters and the protocol; the
 * backend only moves bytes and sets socket options.
 *
 * The contract, for any backend:
 * - `bind` completes inside the call (DESIGN.md decision 2) or throws the OS error; after a
 *   failed bind the socket is already closed.
 * - The handlers are called directly, never inside `bind`/`send`/`close` (a datagram or an
 *   error is reported on a later turn of the event loop), and never after `close`'s `close`
 *   handler or after `destroy`.
 * - `send` reports every outcome to `done`, once: one function per port, so no closure is made
 *   per datagram. A send error carries the OS `code` (and, unconnected, `address`/`port`).
 * - Option setters throw the OS error (with its `code`) synchronously.
 *
 * @internal
 * @module
 */

/** Where a received datagram came from, and its length (node:dgram's `RemoteInfo` is one). */
export interface DatagramSource {
  /** The sender's IP address. */
  readonly address: string;
  /** The sender's port. */
  readonly port: number;
  /**
   * The datagram's length as sent. node:dgram hands over whole datagrams (`size` is the
   * Buffer's length); a backend that cuts them to `maxPacketSize` as it reads (the native one
   * asks the kernel to) reports the real length here, for `stats().bytesIn`.
   */
  readonly size: number;
}

/** The address a socket is bound to. */
export interface BoundAddress {
  /** The IP address (`'0.0.0.0'` / `'::'` for all interfaces). */
  readonly address: string;
  /** The port number (the real one when 0 was asked for). */
  readonly port: number;
}

/**
 * What a socket reports to its port. The port makes them once; a backend calls them as they are
 * (node:dgram registers them as its listeners), with no wrapper per datagram.
 */
export interface UdpSocketHandlers {
  /** A datagram arrived: `data` is the port's to keep; `from` may be reused after the call returns. */
  readonly message: (data: Buffer, from: DatagramSource) => void;
  /** An error the socket reported outside any call (a receive error, ICMP on a connected socket). */
  readonly error: (error: NodeJS.ErrnoException) => void;
  /** The socket finished closing after {@link UdpSocketIO.close}. */
  readonly close: () => void;
}

/** The outcome of one send: `null` and the bytes sent, or the OS error. */
export type SendCallback = (error: Error | null, bytes: number) => void;

/** How to make the socket. */
export interface UdpSocketSpec {
  /** The family. */
  readonly type: 'udp4' | 'udp6';
  /**
   * The port cuts longer datagrams to this many bytes; a backend may cut them already as it
   * reads (and then reports the real length in {@link DatagramSource.size}).
   */
  readonly maxPacketSize: number;
  /** SO_REUSEPORT (kernel load balancing between sockets on one port). */
  readonly reusePort: boolean;
  /** SO_REUSEADDR (`listenMultiple`). */
  readonly reuseAddr: boolean;
}

/** One UDP socket, as a port uses it. Made unbound by a {@link UdpSocketFactory}. */
export interface UdpSocketIO {
  /**
   * Binds to `address`:`port` inside the call and starts reading; returns the bound address.
   * Throws the OS error (`EADDRINUSE`, `EACCES` …) with the socket closed.
   */
  bind(port: number, address: string): BoundAddress;
  /** Sends one datagram, or the pieces of one (scatter/gather), to `host`:`port` (an IP literal). */
  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string, done: SendCallback): void;
  /** Sends one datagram, or the pieces of one, to the connected peer. */
  sendConnected(data: Uint8Array | readonly Uint8Array[], done: SendCallback): void;
  /**
   * Connects to `host`:`port` (an IP literal of the socket's family) and returns the peer's
   * address as the OS spells it. A connect the OS refuses (ENETUNREACH, EACCES, EINVAL…) throws
   * its error (with `code`, `syscall` `'connect'`, `address`, `port`) and leaves the socket
   * unconnected. A backend that cannot learn the outcome inside the call returns `undefined` and
   * reports a failure to `failed` on a later turn.
   */
  connect(port: number, host: string, failed: (error: Error) => void): string | undefined;
  /** Bytes queued for sending and not yet handed to the OS. */
  sendQueueSize(): number;
  /** SO_BROADCAST. */
  setBroadcast(enabled: boolean): void;
  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS. */
  setMulticastTTL(ttl: number): void;
  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  setMulticastLoopback(enabled: boolean): void;
  /** IP_MULTICAST_IF / IPV6_MULTICAST_IF: an address, `'::%<name>'` or `'::%<index>'`. */
  setMulticastInterface(iface: string): void;
  /** Joins (`join` true) or leaves `group`, on `iface` (undefined: the OS chooses). */
  changeMembership(join: boolean, group: string, iface: string | undefined): void;
  /** Joins or leaves `group` for datagrams from `source` only (IGMPv3 / MLDv2). */
  changeSourceMembership(join: boolean, source: string, group: string, iface: string | undefined): void;
  /** Starts closing; the `close` handler follows on a later turn. */
  close(): void;
  /** Closes at once and forgets the handlers: none is called again (a port that failed to start). */
  destroy(): void;
}

/** Makes an unbound socket that will report to `handlers`. */
export type UdpSocketFactory = (spec: UdpSocketSpec, handlers: UdpSocketHandlers) => UdpSocketIO;
