/**
 * `DgramSocketIO`: the `node:dgram` backend of {@link UdpSocketIO}, the default I/O of every
 * UDP port.
 *
 * @internal
 * @module
 */
import dgram from 'node:dgram';
import { literalLookup } from './literal-lookup.ts';
import type {
  BoundAddress,
  SendCallback,
  UdpSocketHandlers,
  UdpSocketIO,
  UdpSocketSpec,
} from './socket-io.ts';

/**
 * A `node:dgram` socket behind the {@link UdpSocketIO} seam. The socket is made with a `lookup`
 * that answers IP literals at once (literal-lookup.ts), which makes dgram's `bind` synchronous;
 * the port's handlers become the socket's own listeners once it is bound.
 */
export class DgramSocketIO implements UdpSocketIO {
  readonly #socket: dgram.Socket;
  readonly #handlers: UdpSocketHandlers;

  /** The dgram socket itself (for what the seam does not cover, such as SO_RCVBUF in bench/). */
  get socket(): dgram.Socket {
    return this.#socket;
  }

  /** Creates the (unbound) socket. */
  constructor(spec: UdpSocketSpec, handlers: UdpSocketHandlers) {
    const options: dgram.SocketOptions = { type: spec.type, lookup: literalLookup };
    if (spec.reusePort) options.reusePort = true;
    if (spec.reuseAddr) options.reuseAddr = true;
    this.#socket = dgram.createSocket(options);
    this.#handlers = handlers;
  }

  /**
   * dgram reports a bind failure by emitting `'error'` from inside `bind()`: it is caught here,
   * the socket closed and the error thrown.
   */
  bind(port: number, address: string): BoundAddress {
    const socket = this.#socket;
    let bindError: unknown;
    const onBindError = (e: Error): void => {
      bindError = e;
    };
    socket.on('error', onBindError);
    try {
      // exclusive: under node:cluster a non-exclusive bind is done by the primary process,
      // asynchronously; each worker binds its own socket instead (with reusePort, the kernel
      // balances between them).
      socket.bind({ port, address, exclusive: true });
    } catch (e) {
      bindError = e;
    }
    socket.off('error', onBindError);
    let bound: BoundAddress | undefined;
    if (bindError === undefined) {
      try {
        bound = socket.address();
      } catch (e) {
        bindError = e;
      }
    }
    if (bindError !== undefined || bound === undefined || bound.port === 0) {
      closeQuietly(socket);
      throw (
        bindError ??
        Object.assign(new Error('the socket did not bind synchronously (unexpected in this Node version)'), {
          code: 'ERR_SOCKET_DGRAM_NOT_BOUND',
        })
      );
    }
    const handlers = this.#handlers;
    socket.on('message', handlers.message);
    socket.on('error', handlers.error);
    socket.once('close', handlers.close);
    return bound;
  }

  send(data: Uint8Array | readonly Uint8Array[], port: number, host: string, done: SendCallback): void {
    // dgram's typings only admit a mutable array; it does not modify it.
    this.#socket.send(data as Uint8Array, port, host, done);
  }

  sendConnected(data: Uint8Array | readonly Uint8Array[], done: SendCallback): void {
    this.#socket.send(data as Uint8Array, done);
  }

  /**
   * With the literal lookup, dgram calls connect(2) inside `socket.connect()`, but hands the
   * outcome to its callback through `process.nextTick`. The callbacks dgram queues during the call
   * are run at its end instead, so that a refusal throws here with the OS error (Twisted's
   * `connect` raises at once). Should a Node version queue them otherwise, the refusal is still
   * known at once (the socket has no peer) and is thrown with the reason to follow in the log.
   */
  connect(port: number, host: string, failed: (error: Error) => void): string | undefined {
    const socket = this.#socket;
    let outcome: { error: Error | undefined } | undefined;
    const queued = runningTicksAfter(() =>
      socket.connect(port, host, (error?: Error | null) => {
        if (outcome === undefined) outcome = { error: error ?? undefined };
        else if (error) failed(error);
      }),
    );
    for (const tick of queued) tick();
    if (outcome?.error !== undefined) throw outcome.error;
    try {
      return socket.remoteAddress().address;
    } catch {
      throw Object.assign(
        new Error(`connect ${host}:${port} was refused by the OS (the reason follows in the log)`),
        { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED', syscall: 'connect', address: host, port },
      );
    }
  }

  sendQueueSize(): number {
    return this.#socket.getSendQueueSize();
  }

  setBroadcast(enabled: boolean): void {
    this.#socket.setBroadcast(enabled);
  }

  setMulticastTTL(ttl: number): void {
    this.#socket.setMulticastTTL(ttl);
  }

  setMulticastLoopback(enabled: boolean): void {
    this.#socket.setMulticastLoopback(enabled);
  }

  setMulticastInterface(iface: string): void {
    this.#socket.setMulticastInterface(iface);
  }

  changeMembership(join: boolean, group: string, iface: string | undefined): void {
    if (join) this.#socket.addMembership(group, iface);
    else this.#socket.dropMembership(group, iface);
  }

  changeSourceMembership(join: boolean, source: string, group: string, iface: string | undefined): void {
    if (join) this.#socket.addSourceSpecificMembership(source, group, iface);
    else this.#socket.dropSourceSpecificMembership(source, group, iface);
  }

  /** `'close'` follows on the next tick. */
  close(): void {
    this.#socket.close();
  }

  destroy(): void {
    const socket = this.#socket;
    const handlers = this.#handlers;
    socket.off('close', handlers.close);
    socket.off('message', handlers.message);
    socket.off('error', handlers.error);
    closeQuietly(socket);
  }
}

/** The factory of {@link DgramSocketIO}s: the default I/O of UDP ports. */
export function createDgramSocketIO(spec: UdpSocketSpec, handlers: UdpSocketHandlers): UdpSocketIO {
  return new DgramSocketIO(spec, handlers);
}

/**
 * Calls `fn` and returns, instead of queuing them, the callbacks it passed to `process.nextTick`
 * (each bound to its arguments). Used around one synchronous dgram call whose only ticks are its
 * own completion callbacks.
 */
function runningTicksAfter(fn: () => void): (() => void)[] {
  const queued: (() => void)[] = [];
  const nextTick = process.nextTick;
  process.nextTick = ((callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    queued.push(() => callback(...args));
  }) as typeof process.nextTick;
  try {
    fn();
  } finally {
    process.nextTick = nextTick;
  }
  return queued;
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
