/**
 * `DatagramSender`: the write path of a UDP port — the checks of `write`/`writeSequence`, the
 * connected peer, the cached last destination, `maxSendQueue`, and the one send callback.
 *
 * @internal
 * @module
 */
import type { MessageLengthError } from '../../errors.ts';
import type { AddressTuple, Datagram } from '../../interfaces.ts';
import {
  alreadyConnected,
  checkConnectAddress,
  checkWritePort,
  formatAddr,
  notADatagram,
  notAnAddressTuple,
  notTheConnectedAddr,
  writeDestination,
} from './checks.ts';
import {
  byteLengthOf,
  datagramTooLong,
  maxDatagramSize,
  piecesToSend,
  sequencePieces,
} from './datagram-size.ts';
import type { PortCounters } from './port-stats.ts';
import type { UdpSocketIO } from './socket-io.ts';

/** What a {@link DatagramSender} reports to its port. */
export interface SendFailures {
  /** ICMP port-unreachable came back for a datagram sent earlier. */
  refused(): void;
  /** The OS refused a send later; `destination` is formatted for the log line. */
  failed(error: NodeJS.ErrnoException, destination: string): void;
}

/**
 * Checks and sends the datagrams of one port, on the socket the port hands it. The checks run
 * in the port's order — datagram, size, address, then the send queue — so a bad write throws
 * even when the queue is full; `InvalidAddressError`, `MessageLengthError`, `TypeError` and
 * `RangeError` come from checks.ts, with the fakes' messages.
 */
export class DatagramSender {
  /** The connected peer as the OS spells it (canonical), or `undefined` when not connected. */
  peerHost: string | undefined;
  /** The connected peer as given to `connect` (what error messages show). */
  peerHostAsGiven: string | undefined;
  /** The connected peer's port (0 when not connected). */
  peerPort = 0;

  readonly #family: 4 | 6;
  readonly #maxDatagramSize: number;
  readonly #maxSendQueue: number | undefined;
  readonly #counters: PortCounters;
  readonly #failures: SendFailures;
  // The last destination host that passed validation, and what to hand to the socket for it:
  // most programs answer the same few peers, so the check is usually one string comparison.
  #lastHost: string | undefined;
  #lastDestination = '';

  /** A sender for a port of `family`, counting into `counters`. */
  constructor(
    family: 4 | 6,
    maxSendQueue: number | undefined,
    counters: PortCounters,
    failures: SendFailures,
  ) {
    this.#family = family;
    this.#maxDatagramSize = maxDatagramSize(family);
    this.#maxSendQueue = maxSendQueue;
    this.#counters = counters;
    this.#failures = failures;
  }

  /** Checks and sends one datagram (`UdpPort.write`). */
  write(io: UdpSocketIO, datagram: Datagram, addr: AddressTuple | undefined): void {
    const length = byteLengthOf(datagram);
    if (length === -1) throw notADatagram(datagram);
    if (length > this.#maxDatagramSize) throw this.#tooLong(length);
    this.#send(io, datagram, addr);
  }

  /**
   * Checks and sends the pieces of one datagram (`UdpPort.writeSequence`): uncopied as the OS
   * gathers them, or joined first when there are more than one sendmsg takes (1,024).
   */
  writeSequence(io: UdpSocketIO, datagrams: readonly Datagram[], addr: AddressTuple | undefined): void {
    const sequence = sequencePieces(datagrams);
    if (sequence.length > this.#maxDatagramSize) throw this.#tooLong(sequence.length);
    this.#send(io, piecesToSend(sequence), addr);
  }

  /**
   * Connects `io` to one peer (`UdpPort.connect`), after the checks: not connected yet
   * (`ERR_SOCKET_DGRAM_IS_CONNECTED`), an IP literal of the port's family, a port 1–65535. A
   * failure the OS reports later goes to `failed`.
   */
  connect(io: UdpSocketIO, host: string, port: number, failed: (error: Error) => void): void {
    if (this.peerHost !== undefined) throw alreadyConnected([this.peerHostAsGiven as string, this.peerPort]);
    checkConnectAddress(host, port, this.#family);
    this.peerHost = io.connect(port, host, failed) ?? host;
    this.peerHostAsGiven = host;
    this.peerPort = port;
  }

  /** Forgets the connected peer (the connect failed). */
  disconnect(): void {
    this.peerHost = undefined;
    this.peerHostAsGiven = undefined;
    this.peerPort = 0;
  }

  #send(io: UdpSocketIO, data: Uint8Array | readonly Uint8Array[], addr: AddressTuple | undefined): void {
    if (this.peerHost !== undefined) {
      if (addr !== undefined && addr !== null) this.#checkConnectedAddr(addr);
      if (this.#sendQueueFull(io)) return;
      io.sendConnected(data, this.#onSent);
    } else {
      const port = this.#checkDestination(addr);
      if (this.#sendQueueFull(io)) return;
      io.send(data, port, this.#lastDestination, this.#onSent);
    }
  }

  /**
   * With `maxSendQueue`: whether the socket already holds that many unsent bytes, in which case
   * the datagram is dropped and counted rather than queued (node:dgram has no backpressure).
   * Checked after the arguments, so a bad write still throws.
   */
  #sendQueueFull(io: UdpSocketIO): boolean {
    if (this.#maxSendQueue === undefined || io.sendQueueSize() < this.#maxSendQueue) return false;
    this.#counters.drops += 1;
    return true;
  }

  #tooLong(length: number): MessageLengthError {
    return datagramTooLong(length, this.#family);
  }

  /**
   * Checks an unconnected write's address and returns its port; leaves the socket's destination
   * in `#lastDestination`. Each element is read once: what was checked is what is sent to.
   */
  #checkDestination(addr: AddressTuple | undefined): number {
    if (!isAddressArray(addr)) throw notAnAddressTuple(addr);
    const host: unknown = addr[0];
    const port: unknown = addr[1];
    if (host !== this.#lastHost) {
      this.#lastDestination = writeDestination(host, this.#family);
      this.#lastHost = host as string;
    }
    checkWritePort(port);
    return port;
  }

  #checkConnectedAddr(addr: AddressTuple): void {
    if (isAddressArray(addr)) {
      const host: unknown = addr[0];
      if (addr[1] === this.peerPort && (host === this.peerHost || host === this.peerHostAsGiven)) return;
    }
    throw notTheConnectedAddr(addr, [this.peerHostAsGiven as string, this.peerPort]);
  }

  // One function for every send: the socket hands send errors only to a callback (without one
  // dgram drops them silently), and a shared one costs no closure per datagram. The error
  // carries the destination (`address`, `port`) for unconnected sends.
  readonly #onSent = (error: Error | null, bytes: number): void => {
    if (error === null) {
      this.#counters.datagramsOut += 1;
      this.#counters.bytesOut += bytes;
      return;
    }
    const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (e.code === 'ECONNREFUSED') {
      // ICMP port-unreachable for an earlier datagram, reported on this send. Connected: tell the
      // protocol (the port stays open, unlike Twisted's epoll reactor, #5377). Unconnected: Linux
      // does not report it and other platforms do so unreliably; Twisted ignores it too.
      this.#failures.refused();
      return;
    }
    const destination =
      this.peerHost !== undefined
        ? formatAddr([this.peerHost, this.peerPort])
        : e.address !== undefined
          ? formatAddr([e.address, e.port ?? 0])
          : 'its destination';
    this.#failures.failed(e, destination);
  };
}

/** `Array.isArray`, except that a revoked Proxy (on which it throws) is not an address. */
function isAddressArray(addr: unknown): addr is unknown[] {
  try {
    return Array.isArray(addr);
  } catch {
    return false;
  }
}
