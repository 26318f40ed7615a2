/**
 * `UdpPort`: a listening UDP socket driving a datagram protocol (Twisted's `twisted.internet.udp.Port`).
 *
 * @module
 */
import dgram from 'node:dgram';
import { inspect } from 'node:util';
import { EventEmitter } from 'eventemitter3';
import { Deferred } from '../../defer/deferred.ts';
import { CannotListenError, InvalidAddressError, MessageLengthError } from '../../errors.ts';
import type {
  AddressTuple,
  Datagram,
  IDatagramProtocol,
  IPortOwner,
  IUDPTransport,
} from '../../interfaces.ts';
import { callWithContext, err as logErr, msg as logMsg } from '../../log/log.ts';
import {
  invalidArgType,
  ipFamily,
  validateBoolean,
  validateInteger,
  validateObject,
  validatePort,
} from '../../validate.ts';
import { IPv4Address, IPv6Address } from '../address.ts';
import { DatagramIterator } from './datagram-iterator.ts';
import type { DatagramEntry } from './datagram-iterator.ts';
import { literalLookup } from './literal-lookup.ts';
import { datagramTooLong, maxDatagramSize, sequenceLength } from './datagram-size.ts';

/**
 * Where a port is in its life, as in Node's `lib/dgram.js`:
 * `unbound` → `bound` → (`connected`) → `closing` → `closed`. Only `bound` and `connected` send
 * and receive.
 */
export type UdpPortState = 'unbound' | 'bound' | 'connected' | 'closing' | 'closed';

export { MAX_IPV4_DATAGRAM, MAX_IPV6_DATAGRAM } from './datagram-size.ts';

/** What `UdpPort` is built from; `listenUDP` checks every field before building one. */
export interface UdpPortConfig {
  /** `''` or an IP literal, already validated. */
  interface: string;
  /** Datagrams longer than this are cut to it, as in Twisted. */
  maxPacketSize: number;
  /** Whether to set SO_REUSEPORT (share the port with kernel load balancing). */
  reusePort: boolean;
  /** Aborting it stops the port. */
  signal?: AbortSignal | undefined;
  /** Unsent bytes beyond which `write` drops (and counts) instead of queueing; undefined: no cap. */
  maxSendQueue?: number | undefined;
}

/** Per-port counters, as `stats()` returns them. */
export interface UdpPortStats {
  /** Datagrams delivered to the protocol. */
  datagramsIn: number;
  /** Datagrams the OS accepted for sending. */
  datagramsOut: number;
  /** Bytes received (before any cut to `maxPacketSize`). */
  bytesIn: number;
  /** Bytes the OS accepted for sending. */
  bytesOut: number;
  /** Send or receive errors the OS reported (each one also logged). */
  errors: number;
  /**
   * Datagrams dropped: from full `datagrams()` buffers, and writes refused because the send
   * queue was at `maxSendQueue`.
   */
  drops: number;
  /** Bytes queued in the socket for sending (`socket.getSendQueueSize()`), 0 once closed. */
  sendQueueSize: number;
}

/** Options of {@link UdpPort.datagrams}. */
export interface DatagramsOptions {
  /** How many datagrams to hold for a slow reader before dropping the oldest. Default 1024. */
  highWaterMark?: number;
  /** Aborting ends the iteration with an `AbortError`. */
  signal?: AbortSignal;
}

/** The events a port emits (through eventemitter3). */
export interface UdpPortEvents {
  /** On the turn after `listenUDP` returned, if the port is still open. */
  listening: [];
  /** After the socket closed and the protocol was stopped. */
  close: [];
  /** An error the OS reported later (a failed send, a receive error); it has also been logged. */
  error: [error: Error];
}

function notRunning(what: string): Error & { code: string } {
  return Object.assign(new Error(`${what}: the port is not listening (it was stopped)`), {
    code: 'ERR_SOCKET_DGRAM_NOT_RUNNING',
  });
}

/** Node's own `AbortError` shape: name `AbortError`, code `ABORT_ERR`, the reason as `cause`. */
export function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

const DEFAULT_HIGH_WATER_MARK = 1024;

// Why a send failed, for the log line (the OS code alone rarely says what to do).
const sendHints: Record<string, string> = {
  EACCES: 'sending to a broadcast address needs setBroadcastAllowed(true)',
  EMSGSIZE: 'the datagram is larger than the path MTU allows',
  ENETUNREACH: 'no route to that network',
  EHOSTUNREACH: 'no route to that host',
  ENOBUFS: 'the send buffer is full',
  EADDRNOTAVAIL: 'the address is not reachable from this interface',
};

/**
 * A UDP port: one bound `node:dgram` socket, the protocol it drives, and Twisted's transport
 * methods (`write`, `connect`, `stopListening`, …).
 *
 * `listenUDP` builds and starts it; a subclass (`MulticastPort`) changes how the socket is made
 * through {@link UdpPort.socketOptions} and reuses everything else.
 *
 * @example
 * const port = reactor.listenUDP(0, new Echo(), '127.0.0.1');
 * port.getHost().port;              // the real port, at once
 * port.write(Buffer.from('hi'), ['127.0.0.1', 9999]);
 * await port.stopListening();
 */
export class UdpPort extends EventEmitter<UdpPortEvents> implements IUDPTransport, AsyncDisposable {
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

  /** The dgram socket; `undefined` before the bind and after the close. */
  protected socket: dgram.Socket | undefined;

  private stateValue: UdpPortState = 'unbound';
  private host: IPv4Address | IPv6Address | undefined;
  private readonly maxDatagramSize: number;
  private readonly protocolPrefix: string;
  private readonly logContext: { system: string };
  private broadcastAllowed = false;
  private connectedHost: string | undefined;
  private connectedHostAsGiven: string | undefined;
  private connectedPort = 0;
  // The last destination host that passed validation, and what to hand to dgram for it: most
  // programs answer the same few peers, so the check is usually one string comparison.
  private lastHost: string | undefined;
  private lastDestination = '';
  private iterators: Set<DatagramIterator> | undefined;
  private stopWaiters: Deferred<void>[] = [];
  private registered = false;
  // Whether makeConnection returned: only then is there a doStop() to balance on close.
  private protocolStarted = false;
  private readonly signal: AbortSignal | undefined;
  private readonly counters = {
    datagramsIn: 0,
    datagramsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    errors: 0,
    drops: 0,
  };
  // The datagram being delivered: `deliver` reads it, so that running the protocol inside the
  // port's log context needs no closure per datagram.
  private pendingData: Buffer | undefined;
  private pendingAddr: AddressTuple | undefined;

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
    this.socketType = ipFamily(config.interface) === 6 ? 'udp6' : 'udp4';
    this.maxDatagramSize = maxDatagramSize(this.socketType === 'udp6' ? 6 : 4);
    this.protocolPrefix = protocolLogPrefix(protocol);
    this.logContext = { system: `${this.protocolPrefix} (UDP)` };
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

  /**
   * The options the socket is created with. A subclass adds its own (MulticastPort:
   * `reuseAddr`/`reusePort` for `listenMultiple`) by extending the returned object; `type` and
   * `lookup` must stay, or the bind is no longer synchronous.
   */
  protected socketOptions(): dgram.SocketOptions {
    const options: dgram.SocketOptions = { type: this.socketType, lookup: literalLookup };
    if (this.reusePort) options.reusePort = true;
    return options;
  }

  /** An explanation for a bind error that the options of this port make likely, else undefined. */
  protected explainBindError(error: NodeJS.ErrnoException): string | undefined {
    if (
      this.reusePort &&
      (error.code === 'ENOTSUP' || error.code === 'ENOPROTOOPT' || error.code === 'EINVAL')
    ) {
      return (
        `reusePort (SO_REUSEPORT with kernel load balancing) is not supported on this platform ` +
        `(${process.platform}); Linux, FreeBSD, DragonFlyBSD, Solaris and AIX have it`
      );
    }
    return undefined;
  }

  /**
   * Creates the socket and binds it, synchronously (see literal-lookup.ts). dgram reports a bind
   * failure by emitting `'error'` from inside `bind()`; it is caught here, the socket closed and
   * `CannotListenError` thrown.
   */
  protected bindSocket(): void {
    const socket = dgram.createSocket(this.socketOptions());
    let bindError: NodeJS.ErrnoException | undefined;
    const onBindError = (e: NodeJS.ErrnoException): void => {
      bindError = e;
    };
    socket.on('error', onBindError);
    try {
      // exclusive: under node:cluster a non-exclusive bind is done by the primary process,
      // asynchronously; each worker binds its own socket instead (with reusePort, the kernel
      // balances between them).
      socket.bind({ port: this.requestedPort, address: this.bindAddress(), exclusive: true });
    } catch (e) {
      bindError = e as NodeJS.ErrnoException;
    }
    socket.off('error', onBindError);
    let address: { address: string; port: number } | undefined;
    if (bindError === undefined) {
      try {
        address = socket.address();
      } catch (e) {
        bindError = e as NodeJS.ErrnoException;
      }
    }
    if (bindError !== undefined || address === undefined || address.port === 0) {
      closeQuietly(socket);
      const cause =
        bindError ??
        Object.assign(new Error('the socket did not bind synchronously (unexpected in this Node version)'), {
          code: 'ERR_SOCKET_DGRAM_NOT_BOUND',
        });
      throw new CannotListenError(this.interface, this.requestedPort, cause, this.explainBindError(cause));
    }
    this.socket = socket;
    this.stateValue = 'bound';
    this.host =
      this.socketType === 'udp6'
        ? new IPv6Address('UDP', address.address, address.port)
        : new IPv4Address('UDP', address.address, address.port);
    socket.on('message', this.onMessage);
    socket.on('error', this.onSocketError);
    socket.once('close', this.onSocketClose);
    callWithContext({ system: this.protocolPrefix }, () => {
      logMsg(`${this.protocolPrefix} starting on ${address.port}`);
    });
  }

  /**
   * Hands the port to the protocol (`makeConnection` → `doStart` → `startProtocol`). Reading
   * started with the bind; no datagram is dispatched before this returns, since delivery
   * happens on a later turn of the event loop.
   */
  protected connectToProtocol(): void {
    try {
      this.protocol.makeConnection(this);
    } catch (e) {
      // Leave nothing behind: the protocol forgets this port, the socket closes now (its number
      // can be bound again at once) and nobody is told it stopped, since it never started.
      if (this.protocol.transport === this) this.protocol.transport = undefined;
      this.abandon();
      throw e;
    }
    this.protocolStarted = true;
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return; // stopped by startProtocol
    this.owner.registerPort(this);
    this.registered = true;
    if (this.signal !== undefined) this.signal.addEventListener('abort', this.onAbort, { once: true });
    process.nextTick(this.emitListening);
  }

  /**
   * The socket, for a method that needs a listening port; throws `ERR_SOCKET_DGRAM_NOT_RUNNING`
   * naming `what` once the port is stopping or stopped. For subclasses' socket-option methods.
   */
  protected requireSocket(what: string): dgram.Socket {
    const socket = this.socket;
    if (socket === undefined || !this.listening) throw notRunning(what);
    return socket;
  }

  /** `''` binds all IPv4 interfaces, as in Twisted. */
  private bindAddress(): string {
    if (this.interface !== '') return this.interface;
    return this.socketType === 'udp6' ? '::' : '0.0.0.0';
  }

  private readonly emitListening = (): void => {
    if (this.listening) this.emit('listening');
  };

  private readonly onAbort = (): void => {
    this.stopListening();
  };

  // ---------------------------------------------------------------------------------------------
  // Reading

  private readonly onMessage = (data: Buffer, rinfo: dgram.RemoteInfo): void => {
    const state = this.stateValue;
    if (state === 'connected') {
      // The kernel filters a connected socket, but datagrams queued before connect() still come.
      if (rinfo.port !== this.connectedPort || rinfo.address !== this.connectedHost) return;
    } else if (state !== 'bound') {
      return; // stopping: nothing more reaches the protocol
    }
    const counters = this.counters;
    counters.datagramsIn += 1;
    counters.bytesIn += data.length;
    const datagram = data.length > this.maxPacketSize ? data.subarray(0, this.maxPacketSize) : data;
    const addr: AddressTuple = [rinfo.address, rinfo.port];
    const iterators = this.iterators;
    if (iterators !== undefined) {
      for (const it of iterators) if (it.push([datagram, addr])) counters.drops += 1;
    }
    this.pendingData = datagram;
    this.pendingAddr = addr;
    callWithContext(this.logContext, this.deliver);
  };

  private readonly deliver = (): void => {
    const data = this.pendingData as Buffer;
    const addr = this.pendingAddr as AddressTuple;
    this.pendingData = undefined;
    this.pendingAddr = undefined;
    try {
      this.protocol.datagramReceived(data, addr);
    } catch (e) {
      logErr(
        e,
        `Unhandled error in ${this.protocolPrefix}.datagramReceived (from ${formatAddr(addr)})`,
        this.protocolPrefix,
      );
    }
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
    const socket = this.socket;
    if (socket === undefined || !this.listening) throw notRunning('write()');
    if (!(datagram instanceof Uint8Array)) {
      throw invalidArgType('datagram', 'an instance of Buffer or Uint8Array', datagram);
    }
    if (datagram.byteLength > this.maxDatagramSize) throw this.tooLong(datagram.byteLength);
    if (this.connectedHost !== undefined) {
      if (addr !== undefined && addr !== null) this.checkConnectedAddr(addr);
      if (this.sendQueueFull(socket)) return;
      socket.send(datagram, this.onSent);
    } else {
      this.checkDestination(addr);
      if (this.sendQueueFull(socket)) return;
      socket.send(datagram, (addr as AddressTuple)[1], this.lastDestination, this.onSent);
    }
  }

  /**
   * Sends the concatenation of `datagrams` as one datagram (Twisted's `writeSequence`). The
   * pieces go to the OS as they are (scatter/gather): nothing is copied.
   */
  writeSequence(datagrams: readonly Datagram[], addr?: AddressTuple): void {
    const socket = this.socket;
    if (socket === undefined || !this.listening) throw notRunning('writeSequence()');
    const length = sequenceLength(datagrams);
    if (length > this.maxDatagramSize) throw this.tooLong(length);
    // dgram's typings only admit a mutable array; it does not modify it.
    const list = datagrams as Uint8Array[];
    if (this.connectedHost !== undefined) {
      if (addr !== undefined && addr !== null) this.checkConnectedAddr(addr);
      if (this.sendQueueFull(socket)) return;
      socket.send(list, this.onSent);
    } else {
      this.checkDestination(addr);
      if (this.sendQueueFull(socket)) return;
      socket.send(list, (addr as AddressTuple)[1], this.lastDestination, this.onSent);
    }
  }

  /**
   * With `maxSendQueue`: whether the socket already holds that many unsent bytes, in which case
   * the datagram is dropped and counted rather than queued (node:dgram has no backpressure).
   * Checked after the arguments, so a bad write still throws.
   */
  private sendQueueFull(socket: dgram.Socket): boolean {
    if (this.maxSendQueue === undefined || socket.getSendQueueSize() < this.maxSendQueue) return false;
    this.counters.drops += 1;
    return true;
  }

  private tooLong(length: number): MessageLengthError {
    return datagramTooLong(length, this.socketType === 'udp6' ? 6 : 4);
  }

  /** Checks an unconnected write's address; leaves the dgram destination in `lastDestination`. */
  private checkDestination(addr: AddressTuple | undefined): void {
    if (!Array.isArray(addr)) {
      throw invalidArgType('addr', 'a [host, port] tuple (this port is not connected)', addr);
    }
    const host: unknown = addr[0];
    if (host !== this.lastHost) this.acceptHost(host);
    const port: unknown = addr[1];
    // The common case in one test; validatePort builds the precise error otherwise.
    if (typeof port !== 'number' || !(port >= 1 && port <= 65535) || port % 1 !== 0) {
      validatePort(port, 'addr[1]', false);
    }
  }

  private acceptHost(host: unknown): void {
    if (typeof host !== 'string') throw invalidArgType('addr[0]', 'of type string', host);
    let destination = host;
    // Python's socket module spells the limited broadcast address '<broadcast>'; Twisted accepts it.
    if (host === '<broadcast>') destination = '255.255.255.255';
    const family = ipFamily(destination);
    if (family === 0) {
      throw new InvalidAddressError(
        host,
        `write() only accepts IP addresses, not host names: ${inspect(host)} (resolve it first, e.g. with reactor.resolve)`,
      );
    }
    if (family === 4 && this.socketType === 'udp6') {
      throw new InvalidAddressError(
        host,
        `IPv6 port write() called with IPv4 or broadcast address ${inspect(host)}`,
      );
    }
    if (family === 6 && this.socketType === 'udp4') {
      throw new InvalidAddressError(host, `IPv4 port write() called with IPv6 address ${inspect(host)}`);
    }
    this.lastHost = host;
    this.lastDestination = destination;
  }

  private checkConnectedAddr(addr: AddressTuple): void {
    if (
      Array.isArray(addr) &&
      addr[1] === this.connectedPort &&
      (addr[0] === this.connectedHost || addr[0] === this.connectedHostAsGiven)
    ) {
      return;
    }
    throw Object.assign(
      new TypeError(
        `The argument "addr" is invalid. This port is connected to ` +
          `${formatAddr([this.connectedHostAsGiven as string, this.connectedPort])}; write() takes no address ` +
          `or exactly that one. Received ${inspect(addr)}`,
      ),
      { code: 'ERR_INVALID_ARG_VALUE' },
    );
  }

  // One function for every send: dgram hands send errors only to a callback (without one they
  // are silently dropped), and a shared one costs no closure per datagram. The error carries the
  // destination (`address`, `port`) for unconnected sends.
  private readonly onSent = (error: Error | null, bytes: number): void => {
    if (error === null) {
      this.counters.datagramsOut += 1;
      this.counters.bytesOut += bytes;
      return;
    }
    const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (e.code === 'ECONNREFUSED') {
      // ICMP port-unreachable for an earlier datagram, reported on this send. Connected: tell the
      // protocol (the port stays open, unlike Twisted's epoll reactor, #5377). Unconnected: Linux
      // does not report it and other platforms do so unreliably; Twisted ignores it too.
      this.refused();
      return;
    }
    const destination =
      this.connectedHost !== undefined
        ? formatAddr([this.connectedHost, this.connectedPort])
        : e.address !== undefined
          ? formatAddr([e.address, e.port ?? 0])
          : 'its destination';
    const hint = e.code !== undefined ? sendHints[e.code] : undefined;
    this.reportError(
      e,
      `Sending a datagram from ${this.toString()} to ${destination} failed` +
        `${e.code !== undefined ? `: ${e.code}` : ''}${hint !== undefined ? ` (${hint})` : ''}`,
    );
  };

  private refused(): void {
    if (this.stateValue !== 'connected') return;
    const protocol = this.protocol;
    if (typeof protocol.connectionRefused !== 'function') return;
    try {
      callWithContext(this.logContext, () => protocol.connectionRefused?.());
    } catch (e) {
      logErr(e, `Unhandled error in ${this.protocolPrefix}.connectionRefused`, this.protocolPrefix);
    }
  }

  /**
   * Reports an error the OS gave later (not to a caller): counted in `stats().errors`, logged
   * with the protocol's log prefix as system, and emitted as `'error'`. Subclasses use it for
   * their own asynchronous failures.
   */
  protected reportError(error: Error, why: string): void {
    this.counters.errors += 1;
    logErr(error, why, this.protocolPrefix);
    // eventemitter3 does not throw for an 'error' nobody listens to: the log line is the report.
    this.emit('error', error);
  }

  // ---------------------------------------------------------------------------------------------
  // Connected UDP

  /**
   * Connects the port to one peer (Twisted's `connect`): afterwards `write(data)` needs no
   * address, only that peer's datagrams are delivered, and ICMP port-unreachable from it calls
   * `protocol.connectionRefused()`. Only IP literals of this port's family
   * (`InvalidAddressError` otherwise); only once (reconnecting throws, as in Twisted).
   */
  connect(host: string, port: number): void {
    const socket = this.requireSocket('connect()');
    if (this.connectedHost !== undefined) {
      throw Object.assign(
        new Error(
          `already connected to ${formatAddr([this.connectedHostAsGiven as string, this.connectedPort])}; ` +
            'reconnecting is not supported (as in Twisted): listen on a new port instead',
        ),
        { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' },
      );
    }
    if (typeof host !== 'string') throw invalidArgType('host', 'of type string', host);
    const family = ipFamily(host);
    if (family === 0) {
      throw new InvalidAddressError(
        host,
        `connect() only accepts IP addresses, not host names: ${inspect(host)}`,
      );
    }
    if ((family === 6) !== (this.socketType === 'udp6')) {
      throw new InvalidAddressError(
        host,
        `${this.socketType === 'udp6' ? 'IPv6' : 'IPv4'} port connect() called with IPv${family} address ${inspect(host)}`,
      );
    }
    validatePort(port, 'port', false);
    // With the literal lookup, dgram connects synchronously; a failure comes to the callback.
    socket.connect(port, host, (error?: Error) => {
      if (error !== undefined && error !== null) this.connectFailed(error);
    });
    let canonical = host;
    try {
      canonical = socket.remoteAddress().address;
    } catch {
      // not connected after all: connectFailed reports it on the next tick
    }
    this.connectedHost = canonical;
    this.connectedHostAsGiven = host;
    this.connectedPort = port;
    this.stateValue = 'connected';
  }

  private connectFailed(error: Error): void {
    if (this.stateValue === 'connected') this.stateValue = 'bound';
    this.connectedHost = undefined;
    this.connectedHostAsGiven = undefined;
    this.connectedPort = 0;
    this.reportError(error, `connect() on ${this.toString()} failed`);
  }

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
      const socket = this.socket;
      if (socket === undefined) {
        process.nextTick(this.onSocketClose);
      } else {
        socket.close(); // 'close' follows on the next tick → onSocketClose
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
    this.socket = undefined;
    const portNumber = this.host?.port ?? this.requestedPort;
    callWithContext({ system: this.protocolPrefix }, () => logMsg(`(UDP Port ${portNumber} Closed)`));
    if (this.registered) {
      this.registered = false;
      this.owner.unregisterPort(this);
    }
    try {
      // A port stopped before startListening() never started its protocol: nothing to stop.
      if (this.protocolStarted) callWithContext(this.logContext, () => this.protocol.doStop());
    } catch (e) {
      logErr(e, `Unhandled error in ${this.protocolPrefix}.stopProtocol`, this.protocolPrefix);
    }
    const iterators = this.iterators;
    this.iterators = undefined;
    if (iterators !== undefined) for (const it of iterators) it.end();
    try {
      this.emit('close');
    } catch (e) {
      // A throwing 'close' listener must not leave stopListening()'s Deferreds unfired.
      logErr(e, `Unhandled error in a 'close' listener of ${this.toString()}`, this.protocolPrefix);
    }
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const d of waiters) d.callback(undefined);
  };

  /** After a failed start: close the socket at once and forget it, telling nobody. */
  private abandon(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.stateValue = 'closed';
    if (socket !== undefined) {
      socket.off('close', this.onSocketClose);
      socket.off('message', this.onMessage);
      socket.off('error', this.onSocketError);
      closeQuietly(socket);
      const portNumber = this.host?.port ?? this.requestedPort;
      callWithContext({ system: this.protocolPrefix }, () => logMsg(`(UDP Port ${portNumber} Closed)`));
    }
    // startProtocol may have called stopListening before it threw: those Deferreds still fire.
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    if (waiters.length > 0) process.nextTick(() => waiters.forEach((d) => d.callback(undefined)));
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
    const socket = this.requireSocket('setBroadcastAllowed()');
    socket.setBroadcast(enabled);
    this.broadcastAllowed = enabled;
  }

  /** Whether sending to broadcast addresses is allowed (false until `setBroadcastAllowed(true)`). */
  getBroadcastAllowed(): boolean {
    return this.broadcastAllowed;
  }

  /** The `system` of what this port logs: `"<protocol's logPrefix> (UDP)"`, as Twisted's. */
  logPrefix(): string {
    return this.logContext.system;
  }

  /** Names the protocol and the port: `<Echo on 127.0.0.1:9999>`, or `<Echo not listening>`. */
  override toString(): string {
    if (this.host === undefined || this.stateValue === 'closed')
      return `<${this.protocolPrefix} not listening>`;
    return `<${this.protocolPrefix} on ${formatAddr([this.host.host, this.host.port])}>`;
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
    const socket = this.socket;
    let sendQueueSize = 0;
    if (socket !== undefined && this.listening) {
      try {
        sendQueueSize = socket.getSendQueueSize();
      } catch {
        sendQueueSize = 0;
      }
    }
    return { ...this.counters, sendQueueSize };
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
    validateObject(options, 'options');
    const { highWaterMark = DEFAULT_HIGH_WATER_MARK, signal } = options;
    validateInteger(highWaterMark, 'options.highWaterMark', 1);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
    }
    let onAbort: (() => void) | undefined;
    const it = new DatagramIterator(highWaterMark, (done) => {
      this.iterators?.delete(done);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    });
    if (signal?.aborted) {
      it.fail(abortError(signal));
      return it;
    }
    if (this.stateValue === 'closing' || this.stateValue === 'closed') {
      it.end();
      return it;
    }
    (this.iterators ??= new Set()).add(it);
    if (signal !== undefined) {
      onAbort = () => it.fail(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return it;
  }
}

/** `host:port`, with brackets around IPv6 hosts. */
function formatAddr(addr: AddressTuple): string {
  return addr[0].includes(':') ? `[${addr[0]}]:${addr[1]}` : `${addr[0]}:${addr[1]}`;
}

/** The protocol's `logPrefix()`, or its class name for a protocol without one (as Twisted's `_getLogPrefix`). */
export function protocolLogPrefix(protocol: IDatagramProtocol): string {
  if (typeof protocol.logPrefix === 'function') {
    const prefix = protocol.logPrefix();
    if (typeof prefix === 'string') return prefix;
  }
  return (protocol as object).constructor?.name ?? 'DatagramProtocol';
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
