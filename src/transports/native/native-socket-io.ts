/**
 * `NativeSocketIO`: the native backend of the UDP I/O seam (../udp/socket-io.ts) — a socket of
 * the addon (native/udp.c) that reads in batches with `recvmmsg` (one call into JavaScript per
 * batch, each datagram then handed to the port in order) and sends the writes of one turn
 * together with `sendmmsg` (native-sender.ts). Binding, connecting and every socket option go
 * through the same libuv calls node:dgram makes, and fail with the same Node-style errors.
 *
 * @internal
 * @module
 */
import type {
  BoundAddress,
  DatagramSource,
  SendCallback,
  UdpSocketHandlers,
  UdpSocketIO,
  UdpSocketSpec,
} from '../udp/socket-io.ts';
import type { NativeAddon, NativeSocketHandle } from './addon.ts';
import { errnoException } from './errno.ts';
import { NativeSender } from './native-sender.ts';

// Socket options of the addon's setOption/getBufferSize, as udp.c numbers them.
const BROADCAST = 0;
const MULTICAST_TTL = 1;
const MULTICAST_LOOP = 2;
const RECV_BUFFER = 3;
const SEND_BUFFER = 4;
const EBADF = -9;

// The addon writes a batch's metadata here just before calling into JavaScript, which reads it
// before returning: batches never overlap, so every socket of this thread shares one array.
const recvMetas = new WeakMap<NativeAddon, Int32Array>();

function sharedRecvMeta(addon: NativeAddon): Int32Array {
  let meta = recvMetas.get(addon);
  if (meta === undefined) {
    meta = new Int32Array(addon.constants.RECV_BUDGET * addon.constants.RECV_STRIDE);
    recvMetas.set(addon, meta);
  }
  return meta;
}

/** The sender of the datagram being delivered: one object per socket, reused (the seam allows it). */
class Source implements DatagramSource {
  address = '';
  port = 0;
  size = 0;
}

/** What `NativeSocketIO.socket` offers bench/ and tests: dgram's buffer-size methods. */
export interface NativeSocketBuffers {
  /** SO_RCVBUF, as dgram's `setRecvBufferSize`. */
  setRecvBufferSize(size: number): void;
  /** SO_RCVBUF as the OS reports it (Linux doubles what was set). */
  getRecvBufferSize(): number;
  /** SO_SNDBUF, as dgram's `setSendBufferSize`. */
  setSendBufferSize(size: number): void;
  /** SO_SNDBUF as the OS reports it. */
  getSendBufferSize(): number;
}

/** A UDP socket on the native addon, behind the I/O seam. */
export class NativeSocketIO implements UdpSocketIO {
  readonly #spec: UdpSocketSpec;
  readonly #family: 4 | 6;
  readonly #handlers: UdpSocketHandlers;
  readonly #handle: NativeSocketHandle;
  readonly #recvMeta: Int32Array;
  readonly #stride: number;
  readonly #sender: NativeSender;
  readonly #source = new Source();
  readonly #bindFlags: { reuseAddr: number; reusePort: number };
  #closed = false;

  /** Creates the socket object; the descriptor is made by `bind`, as dgram makes it. */
  constructor(addon: NativeAddon, spec: UdpSocketSpec, handlers: UdpSocketHandlers) {
    const constants = addon.constants;
    this.#spec = spec;
    this.#family = spec.type === 'udp6' ? 6 : 4;
    this.#handlers = handlers;
    this.#stride = constants.RECV_STRIDE;
    this.#bindFlags = { reuseAddr: constants.UV_UDP_REUSEADDR, reusePort: constants.UV_UDP_REUSEPORT };
    this.#recvMeta = sharedRecvMeta(addon);
    const stats = new Float64Array(constants.STAT_COUNT);
    // The addon calls back only from the event loop, after the constructor has returned.
    this.#handle = new addon.UdpSocket(
      this.#onBatch,
      (result) => this.#sender.progress(result),
      this.#recvMeta,
      stats,
    );
    this.#sender = new NativeSender(addon, this.#handle, this.#family, stats);
  }

  /** The socket's buffer sizes (SO_RCVBUF, SO_SNDBUF), for bench/ as `DgramSocketIO.socket`. */
  get socket(): NativeSocketBuffers {
    return {
      setRecvBufferSize: (size) => this.#setOption(RECV_BUFFER, size, 'uv_recv_buffer_size'),
      getRecvBufferSize: () => this.#bufferSize(RECV_BUFFER, 'uv_recv_buffer_size'),
      setSendBufferSize: (size) => this.#setOption(SEND_BUFFER, size, 'uv_send_buffer_size'),
      getSendBufferSize: () => this.#bufferSize(SEND_BUFFER, 'uv_send_buffer_size'),
    };
  }

  /**
   * Binds with the flags dgram passes to libuv (SO_REUSEADDR, SO_REUSEPORT), inside the call,
   * and starts reading; on failure the socket is closed and dgram's error thrown
   * (`bind EADDRINUSE 127.0.0.1:5000`, with `code`, `errno`, `syscall`, `address`, `port`).
   */
  bind(port: number, address: string): BoundAddress {
    const handle = this.#handle;
    const flags =
      (this.#spec.reuseAddr ? this.#bindFlags.reuseAddr : 0) |
      (this.#spec.reusePort ? this.#bindFlags.reusePort : 0);
    let err = handle.bind(this.#family, address, port, flags);
    if (err === 0) err = handle.startReading(this.#spec.maxPacketSize);
    const bound = err === 0 ? handle.localAddress() : err;
    if (typeof bound === 'number') {
      this.destroy();
      throw errnoException(bound, 'bind', address, port);
    }
    return { address: bound[0], port: bound[1] };
  }

  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string, done: SendCallback): void {
    this.#sender.send(data, port, host, done);
  }

  sendConnected(data: Uint8Array | readonly Uint8Array[], done: SendCallback): void {
    this.#sender.send(data, 0, undefined, done);
  }

  /**
   * Connects inside the call; returns the peer as the OS spells it. What was written before
   * goes out first, to where it was addressed. A connect the OS refuses throws its error
   * (`connect ENETUNREACH 10.0.0.1:53`, with `code`, `syscall`, `address`, `port`) and leaves
   * the socket unconnected; the outcome is always known inside the call, so `failed` is unused.
   */
  connect(port: number, host: string, _failed: (error: Error) => void): string {
    this.#sender.flush();
    const err = this.#live('connect').connect(host, port);
    const peer = err === 0 ? this.#handle.remoteAddress() : err;
    if (typeof peer === 'number') throw errnoException(peer, 'connect', host, port);
    return peer[0];
  }

  sendQueueSize(): number {
    return this.#sender.queuedBytes();
  }

  setBroadcast(enabled: boolean): void {
    this.#setOption(BROADCAST, enabled ? 1 : 0, 'setBroadcast');
  }

  setMulticastTTL(ttl: number): void {
    this.#setOption(MULTICAST_TTL, ttl, 'setMulticastTTL');
  }

  setMulticastLoopback(enabled: boolean): void {
    this.#setOption(MULTICAST_LOOP, enabled ? 1 : 0, 'setMulticastLoopback');
  }

  setMulticastInterface(iface: string): void {
    const err = this.#live('setMulticastInterface').setMulticastInterface(iface);
    if (err !== 0) throw errnoException(err, 'setMulticastInterface');
  }

  changeMembership(join: boolean, group: string, iface: string | undefined): void {
    const syscall = join ? 'addMembership' : 'dropMembership';
    const err = this.#live(syscall).membership(join, group, iface, undefined);
    if (err !== 0) throw errnoException(err, syscall);
  }

  changeSourceMembership(join: boolean, source: string, group: string, iface: string | undefined): void {
    const syscall = join ? 'addSourceSpecificMembership' : 'dropSourceSpecificMembership';
    const err = this.#live(syscall).membership(join, group, iface, source);
    if (err !== 0) throw errnoException(err, syscall);
  }

  /**
   * Closes the descriptor now (the port number can be bound again at once); what was written
   * this turn is sent first. The send outcomes, then the close handler, follow on the next tick;
   * no datagram is delivered after this call.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sender.close(this.#handlers.close);
    this.#handle.close();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sender.discard();
    this.#handle.close();
  }

  #live(syscall: string): NativeSocketHandle {
    if (this.#closed) throw errnoException(EBADF, syscall);
    return this.#handle;
  }

  #setOption(which: number, value: number, syscall: string): void {
    const err = this.#live(syscall).setOption(which, value);
    if (err !== 0) throw errnoException(err, syscall);
  }

  #bufferSize(which: number, syscall: string): number {
    const result = this.#live(syscall).getBufferSize(which);
    if (result < 0) throw errnoException(result, syscall);
    return result;
  }

  // One call per batch (see udp.c): the datagrams lie back to back in `buffer`; each is handed
  // to the port as a view, in order, until the socket closes (a handler may close it).
  readonly #onBatch = (count: number, buffer: Buffer, hosts: string[], error: number): void => {
    const meta = this.#recvMeta;
    const stride = this.#stride;
    const source = this.#source;
    const message = this.#handlers.message;
    let offset = 0;
    for (let i = 0; i < count && !this.#closed; i++) {
      const base = i * stride;
      const kept = meta[base];
      source.address = hosts[meta[base + 3]];
      source.port = meta[base + 2];
      source.size = meta[base + 1];
      message(buffer.subarray(offset, offset + kept), source);
      offset += kept;
    }
    if (error !== 0 && !this.#closed) this.#handlers.error(errnoException(error, 'recvmsg'));
  };
}
