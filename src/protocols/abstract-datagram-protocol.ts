/**
 * The base of every datagram protocol (Twisted's `twisted.internet.protocol.AbstractDatagramProtocol`).
 *
 * @module
 */
import type {
  AddressTuple,
  DefaultDatagramTransport,
  IDatagramProtocol,
  IUDPTransport,
} from '../interfaces.ts';
import { AlreadyListeningError } from '../errors.ts';
import { msg } from '../log/log.ts';

/**
 * What a UDP port drives: it counts the ports it serves (`numPorts`), runs `startProtocol` when
 * the first starts and `stopProtocol` when the last stops, and receives datagrams.
 *
 * `T` is the transport type, so that a multicast protocol can write
 * `class Chat extends DatagramProtocol<MulticastPort>` and see `this.transport.joinGroup`.
 * Without it, calling `this.transport.joinGroup(...)` (or another multicast method) fails to
 * compile with a message that says to declare exactly that: the port may be a plain UDP one.
 *
 * A protocol instance serves one port at a time, as in Twisted: `makeConnection` on a protocol
 * that still has a transport throws, and `listenUDP` checks this before it binds anything.
 */
export class AbstractDatagramProtocol<
  T extends IUDPTransport = DefaultDatagramTransport,
> implements IDatagramProtocol {
  /**
   * The port this protocol is running on. It is `undefined` before the port starts and after it
   * stops (Twisted's `None`); inside `startProtocol`, `datagramReceived` and `stopProtocol`'s
   * callers it is always set, which is why it is typed without `| undefined`: ported code writes
   * `this.transport.write(data, addr)` as in Python, without a `!` on every line.
   */
  transport: T = undefined as unknown as T;

  /** How many ports are running this protocol (0 or 1 for a well-behaved program). */
  numPorts = 0;

  /** Whether to log "Starting protocol …" / "Stopping protocol …", as Twisted does by default. */
  noisy = true;

  /**
   * Called by the port when it starts. Runs `startProtocol` for the first port; the count is only
   * raised once `startProtocol` returned, so a throwing `startProtocol` leaves `numPorts` at 0.
   * Returns what `startProtocol` returned, so that the port can log the rejection of an `async`
   * one as it logs a throw.
   */
  doStart(): void | Promise<void> {
    let started: void | Promise<void> = undefined;
    if (this.numPorts === 0) {
      if (this.noisy) msg(`Starting protocol ${this.logPrefix()}`);
      started = this.startProtocol();
    }
    this.numPorts += 1;
    return started;
  }

  /**
   * Called by the port once it has closed. Runs `stopProtocol` when the last port stops, and
   * returns what it returned (see {@link doStart}).
   */
  doStop(): void | Promise<void> {
    if (this.numPorts <= 0) {
      throw new Error(`doStop() called on ${this.logPrefix()} with no port running it (numPorts is 0)`);
    }
    this.numPorts -= 1;
    this.transport = undefined as unknown as T;
    if (this.numPorts === 0) {
      if (this.noisy) msg(`Stopping protocol ${this.logPrefix()}`);
      return this.stopProtocol();
    }
    return undefined;
  }

  /**
   * Called when the protocol starts listening: a good place to `connect()` or send a first
   * datagram. It may be `async`: a rejection is logged as a throw would be, and the port goes on.
   */
  startProtocol(): void | Promise<void> {}

  /** Called after the protocol's last port has stopped. It may be `async` (a rejection is logged). */
  stopProtocol(): void | Promise<void> {}

  /**
   * Attaches the transport and starts the protocol (`doStart`). A protocol serves one port at a
   * time: calling this while it still has a transport throws `AlreadyListeningError`. Returns
   * what `doStart` returned.
   */
  makeConnection(transport: T): void | Promise<void> {
    if (this.transport !== undefined && this.transport !== null) {
      throw new AlreadyListeningError(
        `${this.logPrefix()} already has a transport (${String(this.transport)}); ` +
          'a protocol instance serves one port at a time',
      );
    }
    this.transport = transport;
    return this.doStart();
  }

  /**
   * Called with every datagram the port receives (cut to the port's `maxPacketSize`) and the
   * sender's `[host, port]`. The default ignores it. It may be `async`: a throw or a rejection is
   * logged (with the sender's address) and the port goes on receiving.
   */
  datagramReceived(_datagram: Buffer, _addr: AddressTuple): void | Promise<void> {}

  /** The `system` name of what this protocol logs: the class name. */
  logPrefix(): string {
    return this.constructor.name;
  }
}
