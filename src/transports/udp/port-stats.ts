/**
 * A UDP port's counters and the `stats()` it reports from them.
 *
 * @module
 */
import type { UdpSocketIO } from './socket-io.ts';

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

/**
 * The counters a port bumps as it works (plain fields: the read and write paths add to them
 * without a call).
 *
 * @internal
 */
export class PortCounters {
  /** See {@link UdpPortStats.datagramsIn}. */
  datagramsIn = 0;
  /** See {@link UdpPortStats.datagramsOut}. */
  datagramsOut = 0;
  /** See {@link UdpPortStats.bytesIn}. */
  bytesIn = 0;
  /** See {@link UdpPortStats.bytesOut}. */
  bytesOut = 0;
  /** See {@link UdpPortStats.errors}. */
  errors = 0;
  /** See {@link UdpPortStats.drops}. */
  drops = 0;

  /** The counters as `stats()` reports them, with the send queue of `io` (0 without one). */
  snapshot(io: UdpSocketIO | undefined): UdpPortStats {
    let sendQueueSize = 0;
    if (io !== undefined) {
      try {
        sendQueueSize = io.sendQueueSize();
      } catch {
        sendQueueSize = 0;
      }
    }
    return {
      datagramsIn: this.datagramsIn,
      datagramsOut: this.datagramsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      errors: this.errors,
      drops: this.drops,
      sendQueueSize,
    };
  }
}
