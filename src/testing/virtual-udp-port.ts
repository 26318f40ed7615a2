/**
 * `VirtualUdpPort`: a UDP port on a `VirtualHost` — the real port's transport methods and
 * checks, with a simulated network behind them instead of a socket.
 *
 * @module
 */
import { inspect } from 'node:util';
import { Deferred } from '../defer/index.ts';
import type { AddressTuple, Datagram, IDatagramProtocol, IUDPTransport } from '../interfaces.ts';
import { callWithContext, err as logErr, msg as logMsg } from '../log/index.ts';
import { IPv4Address, IPv6Address } from '../transports/index.ts';
import type { UdpPortStats } from '../transports/index.ts';
import type { ListenArgs } from '../transports/udp/listen-options.ts';
import { protocolLogPrefix, sendFailedMessage } from '../transports/udp/checks.ts';
import { validateBoolean } from '../validate.ts';
import {
  checkConnect,
  checkDatagram,
  checkSequence,
  checkWriteAddress,
  familyOf,
  formatAddr,
  notRunning,
} from './checks.ts';
import type { Family } from './checks.ts';
import { StopsWhileStarting } from './stops-while-starting.ts';
import type { VirtualHost } from './virtual-host.ts';

/** Where a virtual port is in its life (the real port's states; stopping is instantaneous). */
export type VirtualPortState = 'unbound' | 'bound' | 'connected' | 'closed';

/**
 * A UDP port on a {@link VirtualHost}, made by `host.listenUDP(...)`. It behaves as the real
 * `UdpPort` does — bound when `listenUDP` returns, the same errors for bad writes, connected UDP
 * with `connectionRefused`, datagrams cut to `maxPacketSize`, exceptions from `datagramReceived`
 * logged — but its datagrams travel through the {@link VirtualNetwork}: delayed, lost,
 * duplicated and reordered as its links say, on simulated time.
 *
 * One difference: `stopListening()` completes at once (the protocol is stopped and the Deferred
 * fired before it returns), since there is no socket to wait for.
 */
export class VirtualUdpPort implements IUDPTransport {
  /** The host this port lives on. */
  readonly virtualHost: VirtualHost;
  /** The protocol this port drives. */
  readonly protocol: IDatagramProtocol;
  /** The interface asked for (`''`, a wildcard, a loopback address or the host's IP). */
  readonly interface: string;
  /** Received datagrams longer than this are cut to it. */
  readonly maxPacketSize: number;
  /** Always `'memory'`: a fake opens no socket (a real port says `'native'` or `'dgram'`). */
  readonly ioPath = 'memory' as const;
  /** `reusePort` (listenUDP) or `listenMultiple` (listenMulticast): may share its port number. */
  readonly shared: boolean;
  /** 4 or 6, from the interface. */
  readonly family: Family;
  /** The port number asked for (0: an ephemeral one). */
  readonly requestedPort: number;

  #state: VirtualPortState = 'unbound';
  #address: IPv4Address | IPv6Address | undefined;
  #peer: AddressTuple | undefined;
  #broadcastAllowed = false;
  readonly #stops = new StopsWhileStarting();
  readonly #prefix: string;
  readonly #logContext: { system: string };
  readonly #signal: AbortSignal | undefined;
  readonly #counters = { datagramsIn: 0, datagramsOut: 0, bytesIn: 0, bytesOut: 0, errors: 0, drops: 0 };

  /** @internal Made by `VirtualHost.listenUDP`. */
  constructor(host: VirtualHost, request: ListenArgs) {
    this.virtualHost = host;
    this.protocol = request.protocol;
    this.interface = request.interface;
    this.maxPacketSize = request.maxPacketSize;
    this.shared = request.shared;
    this.family = familyOf(request.interface);
    this.requestedPort = request.port;
    this.#signal = request.signal;
    this.#prefix = protocolLogPrefix(request.protocol);
    this.#logContext = { system: `${this.#prefix} (UDP)` };
  }

  /** Where the port is in its life. */
  get state(): VirtualPortState {
    return this.#state;
  }

  /** True while bound (connected or not). */
  get listening(): boolean {
    return this.#state === 'bound' || this.#state === 'connected';
  }

  /** The connected peer, or `undefined`. */
  get peer(): AddressTuple | undefined {
    return this.#peer;
  }

  /** The address the port is bound to: `'0.0.0.0'` / `'::'` for all interfaces, else the interface. */
  get boundAddress(): string {
    if (this.interface !== '') return this.interface;
    return this.family === 6 ? '::' : '0.0.0.0';
  }

  /** @internal The multicast TTL: 1 unless a multicast port changed it. */
  get multicastTTL(): number {
    return 1;
  }

  /** @internal Whether the sending host gets its own multicast datagrams: true unless changed. */
  get multicastLoopback(): boolean {
    return true;
  }

  /** @internal Whether this port joined `group` (only multicast ports join). */
  isMember(_group: string): boolean {
    return false;
  }

  /**
   * @internal Binds (throwing `CannotListenError` as the real port does) and starts the protocol.
   */
  startListening(): void {
    const port = this.virtualHost.bindPort(this);
    this.#state = 'bound';
    this.#address =
      this.family === 6
        ? new IPv6Address('UDP', this.boundAddress, port)
        : new IPv4Address('UDP', this.boundAddress, port);
    callWithContext({ system: this.#prefix }, () => logMsg(`${this.#prefix} starting on ${port}`));
    this.#stops.begin();
    try {
      this.protocol.makeConnection(this);
    } catch (e) {
      if (this.protocol.transport === this) this.protocol.transport = undefined;
      this.#close();
      this.#stops.end();
      throw e;
    }
    if ((this.#state as VirtualPortState) === 'closed') {
      // startProtocol stopped the port: stop the protocol now that it has started, as the real
      // port does on its next turn.
      this.#stops.end(() => this.#stopProtocol());
      return;
    }
    this.#stops.end();
    this.virtualHost.registerPort(this);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    this.stopListening();
  };

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** Sends one datagram through the virtual network, after the real port's checks. */
  write(datagram: Datagram, addr?: AddressTuple): void {
    if (!this.listening) throw notRunning('write()');
    this.#send(checkDatagram(datagram, this.family), addr);
  }

  /** Sends the concatenation of `datagrams` as one datagram. */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void {
    if (!this.listening) throw notRunning('writeSequence()');
    this.#send(checkSequence(datagrams, this.family), addr);
  }

  #send(data: Buffer, addr: AddressTuple | undefined): void {
    const destination = checkWriteAddress(addr, this.#peer, this.family);
    if (destination[0] === '255.255.255.255' && !this.#broadcastAllowed) {
      // What the OS answers for a broadcast without SO_BROADCAST; the real port logs it too.
      const error = Object.assign(new Error(`send EACCES ${formatAddr(destination)}`), {
        code: 'EACCES',
        errno: -13,
        syscall: 'send',
        address: destination[0],
        port: destination[1],
      });
      this.reportError(error, sendFailedMessage(this.toString(), formatAddr(destination), 'EACCES'));
      return;
    }
    this.#counters.datagramsOut += 1;
    this.#counters.bytesOut += data.length;
    this.virtualHost.network.transmit(this, data, destination);
  }

  /** @internal Logs an error as the real port does, counts it. */
  reportError(error: Error, why: string): void {
    this.#counters.errors += 1;
    logErr(error, why, this.#prefix);
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving (called by the network)

  /**
   * @internal Hands a datagram that arrived to the protocol. Returns the bytes delivered, or -1
   * when the port did not take it (closed, or connected to another peer).
   */
  deliver(data: Buffer, from: AddressTuple): number {
    if (!this.listening) return -1;
    const peer = this.#peer;
    if (peer !== undefined && (from[0] !== peer[0] || from[1] !== peer[1])) return -1;
    this.#counters.datagramsIn += 1;
    this.#counters.bytesIn += data.length;
    const datagram = data.length > this.maxPacketSize ? data.subarray(0, this.maxPacketSize) : data;
    callWithContext(this.#logContext, () => {
      try {
        this.protocol.datagramReceived(datagram, from);
      } catch (e) {
        logErr(
          e,
          `Unhandled error in ${this.#prefix}.datagramReceived (from ${formatAddr(from)})`,
          this.#prefix,
        );
      }
    });
    return datagram.length;
  }

  /** @internal Port-unreachable came back from `peer`: tell a protocol connected to it. */
  refused(peer: AddressTuple): boolean {
    const connected = this.#peer;
    if (this.#state !== 'connected' || connected === undefined) return false;
    if (connected[0] !== peer[0] || connected[1] !== peer[1]) return false;
    const protocol = this.protocol;
    if (typeof protocol.connectionRefused !== 'function') return true;
    callWithContext(this.#logContext, () => {
      try {
        protocol.connectionRefused?.();
      } catch (e) {
        logErr(e, `Unhandled error in ${this.#prefix}.connectionRefused`, this.#prefix);
      }
    });
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Connected UDP

  /** Connects to one peer (IP literals of this family, once), as the real port does. */
  connect(host: string, port: number): void {
    if (!this.listening) throw notRunning('connect()');
    this.#peer = checkConnect(this.#peer, host, port, this.family);
    this.#state = 'connected';
  }

  // ---------------------------------------------------------------------------------------------
  // Stopping

  /**
   * Stops listening: the port number is free at once, the protocol's `doStop` (so
   * `stopProtocol`) runs, and the returned Deferred has fired. Calling it again is harmless.
   */
  stopListening(): Deferred<void> {
    if (this.#stops.starting) {
      // Called from startProtocol: doStart has not finished, so doStop must wait for it.
      if (this.#state !== 'closed') this.#close();
      return this.#stops.wait();
    }
    const d = new Deferred<void>();
    if (this.#state !== 'closed') {
      this.#close();
      this.virtualHost.unregisterPort(this);
      this.#stopProtocol();
    }
    d.callback(undefined);
    return d;
  }

  #stopProtocol(): void {
    try {
      callWithContext(this.#logContext, () => this.protocol.doStop());
    } catch (e) {
      logErr(e, `Unhandled error in ${this.#prefix}.stopProtocol`, this.#prefix);
    }
  }

  #close(): void {
    const wasBound = this.#state !== 'unbound';
    this.#state = 'closed';
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (!wasBound) return;
    this.virtualHost.unbindPort(this);
    const portNumber = this.#address?.port ?? this.requestedPort;
    callWithContext({ system: this.#prefix }, () => logMsg(`(UDP Port ${portNumber} Closed)`));
  }

  /** The same as `stopListening()`. */
  loseConnection(): void {
    this.stopListening();
  }

  /** `await using port = host.listenUDP(...)`: stops the port when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening().asPromise();
  }

  // ---------------------------------------------------------------------------------------------
  // Information and options

  /** The bound address, with the real port number (an ephemeral one when 0 was asked for). */
  getHost(): IPv4Address | IPv6Address {
    if (this.#address === undefined) throw notRunning('getHost()');
    return this.#address;
  }

  /** Allows writes to `255.255.255.255` (SO_BROADCAST); without it they fail with EACCES, logged. */
  setBroadcastAllowed(enabled: boolean): void {
    validateBoolean(enabled, 'enabled');
    if (!this.listening) throw notRunning('setBroadcastAllowed()');
    this.#broadcastAllowed = enabled;
  }

  /** Whether writes to the broadcast address are allowed (default false). */
  getBroadcastAllowed(): boolean {
    return this.#broadcastAllowed;
  }

  /** The port's counters, in the real port's shape (`drops` and `sendQueueSize` stay 0). */
  stats(): UdpPortStats {
    return { ...this.#counters, sendQueueSize: 0 };
  }

  /** `'<protocol prefix> (UDP)'`, as the real port's. */
  logPrefix(): string {
    return this.#logContext.system;
  }

  /** `<Echo on 10.0.0.1:9999>`, or `<Echo not listening>`. */
  toString(): string {
    if (this.#address === undefined || this.#state === 'closed') return `<${this.#prefix} not listening>`;
    const shown =
      this.boundAddress === '0.0.0.0' || this.boundAddress === '::' ? this.virtualHost.ip : this.boundAddress;
    return `<${this.#prefix} on ${formatAddr([shown, this.#address.port])}>`;
  }

  /** `VirtualUdpPort <Echo on 10.0.0.1:9999>` in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return `VirtualUdpPort ${this.toString()}`;
  }
}
