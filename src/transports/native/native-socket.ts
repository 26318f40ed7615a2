/**
 * `NativeUdpSocket`: one UDP socket on the native addon (native/udp.c), with the operations a
 * port needs from a `node:dgram` socket, made synchronous (bind, connect and the socket options
 * throw Node-style errors at once) and batched: received datagrams arrive a batch per wake-up
 * and are handed to the {@link DatagramSink} one by one in order; sends made during one turn go
 * out together at the end of it.
 *
 * @internal
 * @module
 */
import type { NativeAddon, NativeConstants, NativeSocketHandle } from './addon.ts';
import { errnoException, type SocketError } from './errno.ts';
import { SendStage, parsedAddress } from './send-stage.ts';

/** Where a socket's received datagrams and later errors go. */
export interface DatagramSink {
  /**
   * One received datagram: `data` is cut to `maxPacketSize`, `length` is its real length. The
   * Buffer is a view into the batch's Buffer (one allocation per batch, not per datagram).
   */
  datagram(data: Buffer, host: string, port: number, length: number): void;
  /** A receive error (`syscall` `'recvmsg'`), e.g. ECONNREFUSED on a connected socket. */
  receiveError(error: SocketError): void;
  /** A send the OS refused for good (`syscall` `'send'`; `address`/`port` unless connected). */
  sendError(error: SocketError): void;
}

// Socket options of `setOption`, as udp.c numbers them.
const Option = {
  Broadcast: 0,
  MulticastTTL: 1,
  MulticastLoop: 2,
  RecvBufferSize: 3,
  SendBufferSize: 4,
} as const;
type Option = (typeof Option)[keyof typeof Option];

// The shared counters, as udp.c numbers them.
const DATAGRAMS_OUT = 0;
const BYTES_OUT = 1;
const QUEUED_BYTES = 2;

/** How the socket is bound: the same flags node:dgram passes to libuv. */
export interface NativeBindOptions {
  /** SO_REUSEADDR (dgram's `reuseAddr`). */
  reuseAddr?: boolean;
  /** SO_REUSEPORT (dgram's `reusePort`). */
  reusePort?: boolean;
}

/** A UDP socket on the native addon. */
export class NativeUdpSocket {
  /** `'udp4'` or `'udp6'`. */
  readonly type: 'udp4' | 'udp6';
  readonly #family: 4 | 6;
  readonly #addon: NativeAddon;
  readonly #constants: NativeConstants;
  readonly #handle: NativeSocketHandle;
  readonly #sink: DatagramSink;
  readonly #recvMeta: Int32Array;
  readonly #stats: Float64Array;
  #stage: SendStage | undefined;
  #flushScheduled = false;
  #closed = false;

  /** Creates the socket object; the descriptor is made by {@link NativeUdpSocket.bind}. */
  constructor(addon: NativeAddon, type: 'udp4' | 'udp6', sink: DatagramSink) {
    this.type = type;
    this.#family = type === 'udp6' ? 6 : 4;
    this.#addon = addon;
    this.#constants = addon.constants;
    this.#sink = sink;
    this.#recvMeta = new Int32Array(this.#constants.RECV_BUDGET * this.#constants.RECV_STRIDE);
    this.#stats = new Float64Array(this.#constants.STAT_COUNT);
    this.#handle = new addon.UdpSocket(this.#onBatch, this.#onSendErrors, this.#recvMeta, this.#stats);
  }

  /** Whether {@link NativeUdpSocket.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Binds to `host` (an IP literal of this socket's family) and `port` (0: any free one), now;
   * throws dgram's error (`bind EADDRINUSE 127.0.0.1:5000`, with `code`, `errno`, `syscall`,
   * `address`, `port`). Reading starts with {@link NativeUdpSocket.startReading}.
   */
  bind(host: string, port: number, options: NativeBindOptions = {}): void {
    let flags = 0;
    if (options.reuseAddr === true) flags |= this.#constants.UV_UDP_REUSEADDR;
    if (options.reusePort === true) flags |= this.#constants.UV_UDP_REUSEPORT;
    const err = this.#live('bind').bind(this.#family, host, port, flags);
    if (err !== 0) throw errnoException(err, 'bind', host, port);
  }

  /** Starts delivering datagrams to the sink, cut to `maxPacketSize` bytes. */
  startReading(maxPacketSize: number): void {
    const err = this.#live('recvStart').startReading(maxPacketSize);
    if (err !== 0) throw errnoException(err, 'recvStart');
  }

  /** The bound address, as dgram's `address()` gives it. */
  address(): { address: string; family: 'IPv4' | 'IPv6'; port: number } {
    const result = this.#live('getsockname').localAddress();
    if (typeof result === 'number') throw errnoException(result, 'getsockname');
    return { address: result[0], family: this.#family === 6 ? 'IPv6' : 'IPv4', port: result[1] };
  }

  /** Connects to `host` (an IP literal of this family) and `port`, now; throws dgram's error. */
  connect(host: string, port: number): void {
    this.#flushNow(); // what was written before connect() goes where it was addressed
    const err = this.#live('connect').connect(host, port);
    if (err !== 0) throw errnoException(err, 'connect', host, port);
  }

  /** The connected peer, as dgram's `remoteAddress()` gives it (ENOTCONN when not connected). */
  remoteAddress(): { address: string; family: 'IPv4' | 'IPv6'; port: number } {
    const result = this.#live('getpeername').remoteAddress();
    if (typeof result === 'number') throw errnoException(result, 'getpeername');
    return { address: result[0], family: this.#family === 6 ? 'IPv6' : 'IPv4', port: result[1] };
  }

  /** SO_BROADCAST. */
  setBroadcast(enabled: boolean): void {
    this.#option(Option.Broadcast, enabled ? 1 : 0, 'setBroadcast');
  }

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS. */
  setMulticastTTL(ttl: number): void {
    this.#option(Option.MulticastTTL, ttl, 'setMulticastTTL');
  }

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  setMulticastLoopback(enabled: boolean): void {
    this.#option(Option.MulticastLoop, enabled ? 1 : 0, 'setMulticastLoopback');
  }

  /** The outgoing multicast interface, as dgram's `setMulticastInterface` takes it. */
  setMulticastInterface(address: string): void {
    const err = this.#live('setMulticastInterface').setMulticastInterface(address);
    if (err !== 0) throw errnoException(err, 'setMulticastInterface');
  }

  /** Joins `group` on `iface` (undefined: the OS chooses). */
  addMembership(group: string, iface?: string): void {
    this.#membership(true, group, iface, undefined, 'addMembership');
  }

  /** Leaves `group` on `iface`. */
  dropMembership(group: string, iface?: string): void {
    this.#membership(false, group, iface, undefined, 'dropMembership');
  }

  /** Joins `group` for datagrams from `source` only. */
  addSourceSpecificMembership(source: string, group: string, iface?: string): void {
    this.#membership(true, group, iface, source, 'addSourceSpecificMembership');
  }

  /** Leaves a source-specific membership. */
  dropSourceSpecificMembership(source: string, group: string, iface?: string): void {
    this.#membership(false, group, iface, source, 'dropSourceSpecificMembership');
  }

  /** SO_RCVBUF, as dgram's `setRecvBufferSize`. */
  setRecvBufferSize(size: number): void {
    this.#option(Option.RecvBufferSize, size, 'uv_recv_buffer_size');
  }

  /** SO_RCVBUF as the OS reports it (Linux doubles what was set). */
  getRecvBufferSize(): number {
    return this.#bufferSize(Option.RecvBufferSize, 'uv_recv_buffer_size');
  }

  /** SO_SNDBUF, as dgram's `setSendBufferSize`. */
  setSendBufferSize(size: number): void {
    this.#option(Option.SendBufferSize, size, 'uv_send_buffer_size');
  }

  /** SO_SNDBUF as the OS reports it. */
  getSendBufferSize(): number {
    return this.#bufferSize(Option.SendBufferSize, 'uv_send_buffer_size');
  }

  /**
   * Sends one datagram made of `pieces` (joined, as dgram's `send` joins a list) to `host` and
   * `port`, or to the connected peer when `host` is undefined. It goes out at the end of this
   * turn with everything else written during it (or at once when the stage is full). The
   * arguments were checked by the caller; a host that is not an IP literal of this family
   * throws `EINVAL`.
   */
  send(pieces: Uint8Array | readonly Uint8Array[], length: number, port: number, host?: string): void {
    if (this.#closed) throw errnoException(-9 /* EBADF */, 'send');
    let address: Int32Array | undefined;
    if (host !== undefined) {
      const parsed = parsedAddress(this.#addon, this.#family, host);
      if (typeof parsed === 'number') throw errnoException(parsed, 'send', host, port);
      address = parsed;
    }
    const stage = (this.#stage ??= new SendStage(this.#constants.SEND_STRIDE));
    if (!stage.fits(length)) this.#flushNow();
    stage.add(pieces, length, address, port);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Bytes written but not yet taken by the OS (staged this turn, or queued on EAGAIN). */
  getSendQueueSize(): number {
    if (this.#closed) return 0;
    return (this.#stage?.bytes ?? 0) + this.#stats[QUEUED_BYTES];
  }

  /** Datagrams the OS accepted for sending. */
  get datagramsOut(): number {
    return this.#stats[DATAGRAMS_OUT];
  }

  /** Bytes the OS accepted for sending. */
  get bytesOut(): number {
    return this.#stats[BYTES_OUT];
  }

  /**
   * Closes the socket: what was written this turn is sent first (what the OS does not take at
   * once is dropped, as dgram drops its queue on close); the descriptor is closed before this
   * returns, so the port can be bound again at once. No datagram reaches the sink afterwards.
   */
  close(): void {
    if (this.#closed) return;
    this.#flushNow();
    this.#closed = true;
    this.#handle.close();
  }

  #live(syscall: string): NativeSocketHandle {
    if (this.#closed) throw errnoException(-9 /* EBADF */, syscall);
    return this.#handle;
  }

  #option(which: Option, value: number, syscall: string): void {
    const err = this.#live(syscall).setOption(which, value);
    if (err !== 0) throw errnoException(err, syscall);
  }

  #bufferSize(which: Option, syscall: string): number {
    const result = this.#live(syscall).getBufferSize(which);
    if (result < 0) throw errnoException(result, syscall);
    return result;
  }

  #membership(
    join: boolean,
    group: string,
    iface: string | undefined,
    source: string | undefined,
    syscall: string,
  ): void {
    const err = this.#live(syscall).membership(join, group, iface, source);
    if (err !== 0) throw errnoException(err, syscall);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (!this.#closed) this.#flushNow();
  };

  #flushNow(): void {
    const stage = this.#stage;
    if (stage === undefined || stage.count === 0 || this.#closed) return;
    const result = this.#handle.send(stage.count, stage.buffer, stage.meta);
    const count = stage.count;
    stage.clear();
    if (result === undefined) return;
    if (typeof result === 'number') {
      // The whole batch failed before any system call (EBADF, ENOMEM): report it once.
      this.#sink.sendError(Object.assign(errnoException(result, 'send'), { datagrams: count }));
      return;
    }
    this.#onSendErrors(result);
  }

  readonly #onSendErrors = (errors: (number | string | undefined)[]): void => {
    for (let i = 0; i + 2 < errors.length; i += 3) {
      const host = errors[i + 1] as string | undefined;
      const port = errors[i + 2] as number | undefined;
      this.#sink.sendError(errnoException(errors[i] as number, 'send', host, port));
    }
  };

  readonly #onBatch = (count: number, buffer: Buffer, hosts: string[], error: number): void => {
    const meta = this.#recvMeta;
    const stride = this.#constants.RECV_STRIDE;
    const sink = this.#sink;
    let offset = 0;
    for (let i = 0; i < count && !this.#closed; i++) {
      const base = i * stride;
      const kept = meta[base];
      const data = buffer.subarray(offset, offset + kept);
      offset += kept;
      sink.datagram(data, hosts[meta[base + 3]], meta[base + 2], meta[base + 1]);
    }
    if (error !== 0 && !this.#closed) sink.receiveError(errnoException(error, 'recvmsg'));
  };
}
