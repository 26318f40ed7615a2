/**
 * `UdpPort`: a listening UDP socket driving a datagram protocol (Twisted's `twisted.internet.udp.Port`).
 *
 * The port is the state machine and Twisted's transport methods; its socket is behind the I/O
 * seam (socket-io.ts), and the modules beside it hold binding, the write path, the calls into the
 * protocol, the checks shared with the fakes, the counters and `datagrams()`.
 *
 * @module
 */
import type dgram from 'node:dgram';
import { inspect } from 'node:util';
import { Deferred } from '../../defer/deferred.ts';
import { ReportingEmitter } from '../../defer/reporting-emitter.ts';
import type {
  AddressTuple,
  Datagram,
  IDatagramProtocol,
  IPortOwner,
  IUDPTransport,
} from '../../interfaces.ts';
import { err as logErr } from '../../log/log.ts';
import { ipFamily, validateBoolean } from '../../validate.ts';
import type { IPv4Address, IPv6Address } from '../address.ts';
import { bindUdpSocket, explainReusePortError } from './binding.ts';
import { formatAddr, notRunning, sendFailedMessage } from './checks.ts';
import { DatagramFeed } from './datagram-feed.ts';
import type { DatagramsOptions } from './datagram-feed.ts';
import type { DatagramEntry } from './datagram-iterator.ts';
import { DatagramSender } from './datagram-sender.ts';
import { DgramSocketIO, createDgramSocketIO } from './dgram-socket-io.ts';
import { ownCopy } from './own-copy.ts';
import { PortCounters } from './port-stats.ts';
import type { UdpPortStats } from './port-stats.ts';
import { ProtocolCalls } from './protocol-calls.ts';
import type { DatagramSource, UdpSocketFactory, UdpSocketIO, UdpSocketSpec } from './socket-io.ts';
import type { UdpPortConfig, UdpPortEvents, UdpPortState } from './udp-port-types.ts';

export { MAX_IPV4_DATAGRAM, MAX_IPV6_DATAGRAM } from './datagram-size.ts';
export type { UdpPortConfig, UdpPortEvents, UdpPortState } from './udp-port-types.ts';

/**
 * A UDP port: one bound socket, the protocol it drives, and Twisted's transport methods
 * (`write`, `connect`, `stopListening`, …).
 *
 * `listenUDP` builds and starts it; a subclass (`MulticastPort`) changes how the socket is made
 * and reuses everything else.
 *
 * @example
 * const port = reactor.listenUDP(0, new Echo(), '127.0.0.1');
 * port.getHost().port;              // the real port, at once
 * port.write(Buffer.from('hi'), ['127.0.0.1', 9999]);
 * await port.stopListening();
 */
export class UdpPort extends ReportingEmitter<UdpPortEvents> implements IUDPTransport, AsyncDisposable {
  /** The protocol this port drives. */
  readonly protocol: IDatagramProtocol;
  /** The reactor (or test owner) that keeps a registry of its ports. */
  readonly owner: IPortOwner;
  /** The interface asked for: `''` (all IPv4 interfaces) or an IP literal. */
  readonly interface: string;
  /** Received datagrams longer than this are cut to it, as in Twisted. */
  readonly maxPacketSize: number;
  /** `true` when this port was bound with SO_REUSEPORT. */
  readonly reusePort: boolean;
  /** `'udp4'` or `'udp6'`, from the interface. */
  readonly socketType: 'udp4' | 'udp6';
  /** The port number asked for (0: any free one). `getHost().port` is the real one. */
  readonly requestedPort: number;
  /** The cap on unsent bytes (`maxSendQueue`), or `undefined` for none. */
  readonly maxSendQueue: number | undefined;
  /**
   * The I/O this port uses: `'native'` (batched recvmmsg/sendmmsg through the package's addon)
   * or `'dgram'` (node:dgram); see the `io` option of `listenUDP`.
   */
  readonly ioPath: 'native' | 'dgram';

  /** @internal The socket, behind the I/O seam; `undefined` before the bind and after the close. */
  protected io: UdpSocketIO | undefined;

  /**
   * @internal The node:dgram socket, on the dgram backend (else `undefined`), as Twisted's
   * `port.socket`: bench/ sets SO_RCVBUF through it.
   */
  protected get socket(): dgram.Socket | undefined {
    return this.io instanceof DgramSocketIO ? this.io.socket : undefined;
  }

  private stateValue: UdpPortState = 'unbound';
  private host: IPv4Address | IPv6Address | undefined;
  private readonly family: 4 | 6;
  private readonly calls: ProtocolCalls;
  private readonly createSocket: UdpSocketFactory;
  private broadcastAllowed = false;
  private feed: DatagramFeed | undefined;
  private stopWaiters: Deferred<void>[] = [];
  private registered = false;
  private readonly signal: AbortSignal | undefined;
  private readonly counters = new PortCounters();
  private readonly sender: DatagramSender;

  /**
   * Makes a port; opens nothing. Call {@link UdpPort.startListening} (as `listenUDP` does).
   * Arguments are trusted: `listenUDP` validated them.
   */
  constructor(owner: IPortOwner, port: number, protocol: IDatagramProtocol, config: UdpPortConfig) {
    super();
    this.owner = owner;
    this.requestedPort = port;
    this.protocol = protocol;
    this.interface = config.interface;
    this.maxPacketSize = config.maxPacketSize;
    this.reusePort = config.reusePort;
    this.signal = config.signal;
    this.maxSendQueue = config.maxSendQueue;
    this.createSocket = config.createSocket ?? createDgramSocketIO;
    this.ioPath = config.ioPath ?? 'dgram';
    this.family = ipFamily(config.interface) === 6 ? 6 : 4;
    this.socketType = this.family === 6 ? 'udp6' : 'udp4';
    this.sender = new DatagramSender(this.family, config.maxSendQueue, this.counters, {
      refused: () => this.refused(),
      failed: (error, destination) =>
        this.reportError(error, sendFailedMessage(this.toString(), destination, error.code)),
    });
    this.calls = new ProtocolCalls(protocol);
  }

  /** Where the port is in its life (see {@link UdpPortState}). */
  get state(): UdpPortState {
    return this.stateValue;
  }

  /** `true` while the port is bound (connected or not) and not yet stopping. */
  get listening(): boolean {
    return this.stateValue === 'bound' || this.stateValue === 'connected';
  }

  /**
   * Binds the socket and starts the protocol (Twisted's `startListening`): when it returns the
   * socket is bound, `startProtocol` has run and datagrams are being read. A bind failure throws
   * `CannotListenError`; an exception from `startProtocol` is thrown as is. Either way nothing
   * stays bound.
   */
  startListening(): void {
    if (this.stateValue !== 'unbound') throw new Error(`${this.toString()} was already started`);
    this.bindSocket();
    this.connectToProtocol();
  }

  /** @internal How the socket is made; a subclass adds to it (MulticastPort: `reuseAddr`). */
  protected socketSpec(): UdpSocketSpec {
    return {
      type: this.socketType,
      maxPacketSize: this.maxPacketSize,
      reusePort: this.reusePort,
      reuseAddr: false,
    };
  }

  /** An explanation for a bind error that the options of this port make likely, else undefined. */
  protected explainBindError(error: NodeJS.ErrnoException): string | undefined {
    return this.reusePort ? explainReusePortError(error) : undefined;
  }

  /** Makes the socket and binds it, inside the call (binding.ts); throws `CannotListenError`. */
  private bindSocket(): void {
    const { io, host } = bindUdpSocket({
      spec: this.socketSpec(),
      createSocket: this.createSocket,
      handlers: { message: this.onMessage, error: this.onSocketError, close: this.onSocketClose },
      interface: this.interface,
      port: this.requestedPort,
      explain: (error) => this.explainBindError(error),
    });
    this.io = io;
    this.stateValue = 'bound';
    this.host = host;
    this.calls.log(`${this.calls.prefix} starting on ${host.port}`);
  }

  /**
   * Hands the port to the protocol (`makeConnection` → `doStart` → `startProtocol`). Reading
   * started with the bind; no datagram is dispatched before this returns, since delivery
   * happens on a later turn of the event loop.
   */
  private connectToProtocol(): void {
    try {
      this.calls.start(this);
    } catch (e) {
      // Leave nothing behind: the protocol forgot this port, the socket closes now (its number
      // can be bound again at once) and nobody is told it stopped, since it never started.
      this.abandon();
      throw e;
    }
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return; // stopped by startProtocol
    this.owner.registerPort(this);
    this.registered = true;
    if (this.signal !== undefined) this.signal.addEventListener('abort', this.onAbort, { once: true });
    process.nextTick(this.emitListening);
  }

  /**
   * @internal The socket, for a method that needs a listening port; throws
   * `ERR_SOCKET_DGRAM_NOT_RUNNING` naming `what` once the port is stopping or stopped.
   */
  protected requireIO(what: string): UdpSocketIO {
    const io = this.io;
    if (io === undefined || !this.listening) throw notRunning(what);
    return io;
  }

  private readonly emitListening = (): void => {
    if (this.listening) this.emit('listening');
  };

  private readonly onAbort = (): void => {
    this.stopListening();
  };

  // ---------------------------------------------------------------------------------------------
  // Reading

  private readonly onMessage = (data: Buffer, rinfo: DatagramSource): void => {
    const state = this.stateValue;
    if (state === 'connected') {
      // The kernel filters a connected socket, but datagrams queued before connect() still come.
      const sender = this.sender;
      if (rinfo.port !== sender.peerPort || rinfo.address !== sender.peerHost) return;
    } else if (state !== 'bound') {
      return; // stopping: nothing more reaches the protocol
    }
    const counters = this.counters;
    counters.datagramsIn += 1;
    counters.bytesIn += rinfo.size;
    // A cut datagram is copied: a view would keep the whole buffer it was read into (up to
    // 64 KiB) alive for as long as the protocol keeps the few bytes it was given. (The native
    // backend has the kernel cut it already: nothing to copy.)
    const datagram = data.length > this.maxPacketSize ? ownCopy(data, this.maxPacketSize) : data;
    const addr: AddressTuple = [rinfo.address, rinfo.port];
    const feed = this.feed;
    if (feed !== undefined) counters.drops += feed.push(datagram, addr);
    this.calls.datagramReceived(datagram, addr);
  };

  private readonly onSocketError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'ECONNREFUSED') {
      // Some platforms report ICMP port-unreachable on the next read of a connected socket.
      this.refused();
      return;
    }
    this.reportError(error, `Socket error on ${this.toString()}`);
  };

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Sends one datagram (Twisted's `write`). `addr` is `[ip, port]` with an IP literal of this
   * port's family; on a connected port it may be left out (or be the connected address).
   *
   * Throws at once for what can be known now — `InvalidAddressError` (a host name, the other
   * family), `MessageLengthError` (over 65507 bytes on IPv4, 65527 on IPv6), a `TypeError` or
   * `RangeError` for bad arguments. What the OS reports later (EACCES for a broadcast without
   * permission, EMSGSIZE beyond the path MTU, ENETUNREACH) is logged with the destination,
   * counted in `stats().errors` and emitted as `'error'`; it never throws out of the event loop.
   *
   * @example
   * port.write(Buffer.from('pong'), addr);
   */
  write(datagram: Datagram, addr?: AddressTuple): void {
    const io = this.io;
    if (io === undefined || !this.listening) throw notRunning('write()');
    this.sender.write(io, datagram, addr);
  }

  /**
   * Sends the concatenation of `datagrams` as one datagram (Twisted's `writeSequence`). The
   * pieces go to the OS as they are (scatter/gather): nothing is copied.
   */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void {
    const io = this.io;
    if (io === undefined || !this.listening) throw notRunning('writeSequence()');
    this.sender.writeSequence(io, datagrams, addr);
  }

  private refused(): void {
    if (this.stateValue === 'connected') this.calls.connectionRefused();
  }

  /**
   * Reports an error the OS gave later (not to a caller): counted in `stats().errors`, logged
   * with the protocol's log prefix as system, and emitted as `'error'`. Subclasses use it for
   * their own asynchronous failures.
   */
  protected reportError(error: Error, why: string): void {
    this.counters.errors += 1;
    logErr(error, why, this.calls.prefix);
    // eventemitter3 does not throw for an 'error' nobody listens to: the log line is the report.
    this.emit('error', error);
  }

  // ---------------------------------------------------------------------------------------------
  // Connected UDP

  /**
   * Connects the port to one peer (Twisted's `connect`): afterwards `write(data)` needs no
   * address, only that peer's datagrams are delivered, and ICMP port-unreachable from it calls
   * `protocol.connectionRefused()`. Only IP literals of this port's family
   * (`InvalidAddressError` otherwise); only once (reconnecting throws, as in Twisted). A connect
   * the OS refuses (ENETUNREACH: no route; EACCES: a broadcast address without
   * `setBroadcastAllowed(true)`) throws the OS error at once, as Twisted's does, and leaves the
   * port unconnected.
   */
  connect(host: string, port: number): void {
    this.sender.connect(this.requireIO('connect()'), host, port, this.connectFailed);
    this.stateValue = 'connected';
  }

  private readonly connectFailed = (error: Error): void => {
    if (this.stateValue === 'connected') this.stateValue = 'bound';
    this.sender.disconnect();
    this.reportError(error, `connect() on ${this.toString()} failed`);
  };

  // ---------------------------------------------------------------------------------------------
  // Stopping

  /**
   * Stops listening (Twisted's `stopListening`). The socket closes now — its port number can be
   * bound again as soon as this returns — and the Deferred fires on a later turn, once the close
   * completed and the protocol was stopped (`stopProtocol` when this was its last port).
   * Calling it again, or after the stop, returns a Deferred for the same stop. Works from inside
   * `startProtocol` and `datagramReceived`.
   */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.stateValue === 'closed') {
      d.callback(undefined);
      return d;
    }
    this.stopWaiters.push(d);
    if (this.stateValue !== 'closing') {
      this.stateValue = 'closing';
      if (this.signal !== undefined) this.signal.removeEventListener('abort', this.onAbort);
      const io = this.io;
      if (io === undefined) {
        process.nextTick(this.onSocketClose);
      } else {
        io.close(); // the close handler follows on a later turn → onSocketClose
      }
    }
    return d;
  }

  /** The same as `stopListening()` (Twisted's `loseConnection`). */
  loseConnection(): void {
    this.stopListening();
  }

  /** `await using port = reactor.listenUDP(...)`: stops the port at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening().asPromise();
  }

  // Twisted's connectionLost: log, tell the protocol, then whoever waits.
  private readonly onSocketClose = (): void => {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.io = undefined;
    this.calls.log(`(UDP Port ${this.host?.port ?? this.requestedPort} Closed)`);
    if (this.registered) {
      this.registered = false;
      this.owner.unregisterPort(this);
    }
    this.calls.stop();
    this.feed?.end();
    // A failing 'close' listener is logged (ReportingEmitter): stopListening()'s Deferreds fire.
    this.emit('close');
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const d of waiters) d.callback(undefined);
  };

  /** After a failed start: close the socket at once and forget it, telling nobody. */
  private abandon(): void {
    const io = this.io;
    this.io = undefined;
    this.stateValue = 'closed';
    if (io !== undefined) {
      io.destroy();
      this.calls.log(`(UDP Port ${this.host?.port ?? this.requestedPort} Closed)`);
    }
    // startProtocol may have called stopListening before it threw: those Deferreds still fire.
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    if (waiters.length > 0) process.nextTick(() => waiters.forEach((d) => d.callback(undefined)));
  }

  /** @internal Logs what a listener of this port's events threw or rejected with. */
  protected override listenerFailed(error: unknown, event: keyof UdpPortEvents): void {
    logErr(
      error,
      `Unhandled error in a '${String(event)}' listener of ${this.toString()}`,
      this.calls.prefix,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Information and options

  /**
   * The address the port is bound to, with the real port number (when 0 was asked for): an
   * `IPv4Address` or, on an IPv6 interface, an `IPv6Address`, with `type` `'UDP'`.
   */
  getHost(): IPv4Address | IPv6Address {
    if (this.host === undefined) throw notRunning('getHost()');
    return this.host;
  }

  /** Allows (or forbids) sending to broadcast addresses (SO_BROADCAST). */
  setBroadcastAllowed(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    this.requireIO('setBroadcastAllowed()').setBroadcast(enabled);
    this.broadcastAllowed = enabled;
  }

  /** Whether sending to broadcast addresses is allowed (false until `setBroadcastAllowed(true)`). */
  getBroadcastAllowed(): boolean {
    return this.broadcastAllowed;
  }

  /** The `system` of what this port logs: `"<protocol's logPrefix> (UDP)"`, as Twisted's. */
  logPrefix(): string {
    return this.calls.logContext.system;
  }

  /** Names the protocol and the port: `<Echo on 127.0.0.1:9999>`, or `<Echo not listening>`. */
  override toString(): string {
    if (this.host === undefined || this.stateValue === 'closed')
      return `<${this.calls.prefix} not listening>`;
    return `<${this.calls.prefix} on ${formatAddr([this.host.host, this.host.port])}>`;
  }

  /** What `console.log` and `util.inspect` show: `UdpPort <Proto on 127.0.0.1:9999>`. */
  [inspect.custom](): string {
    return `UdpPort ${this.toString()}`;
  }

  /**
   * The port's counters. `sendQueueSize` is what the socket still holds to send
   * (`socket.getSendQueueSize()`).
   */
  stats(): UdpPortStats {
    return this.counters.snapshot(this.listening ? this.io : undefined);
  }

  /**
   * Received datagrams as an async iterator of `[datagram, [host, port]]`, for code that prefers
   * `for await` to subclassing. The protocol still receives every datagram too. A slow reader
   * holds at most `highWaterMark` datagrams; beyond that the oldest are dropped and counted in
   * `stats().drops`. The iteration ends when the port stops; `signal` aborts it with an
   * `AbortError`.
   *
   * @example
   * for await (const [data, addr] of port.datagrams({ highWaterMark: 256 })) {
   *   port.write(data, addr);
   * }
   */
  datagrams(options: DatagramsOptions = {}): AsyncIterableIterator<DatagramEntry, undefined> {
    const ended = this.stateValue === 'closing' || this.stateValue === 'closed';
    return (this.feed ??= new DatagramFeed()).open(options, ended);
  }
}
