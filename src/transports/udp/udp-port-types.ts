/**
 * The shapes of a `UdpPort`: what it is built from, the states it goes through, the events it
 * emits.
 *
 * @module
 */
import type { UdpSocketFactory } from './socket-io.ts';

/**
 * Where a port is in its life, as in Node's `lib/dgram.js`:
 * `unbound` → `bound` → (`connected`) → `closing` → `closed`. Only `bound` and `connected` send
 * and receive.
 */
export type UdpPortState = 'unbound' | 'bound' | 'connected' | 'closing' | 'closed';

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
  /** @internal The I/O backend that makes the socket; default node:dgram (`createDgramSocketIO`). */
  createSocket?: UdpSocketFactory | undefined;
  /** @internal Which backend `createSocket` is (`port.ioPath`); default `'dgram'`. */
  ioPath?: 'native' | 'dgram' | undefined;
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
