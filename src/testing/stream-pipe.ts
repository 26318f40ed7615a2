/**
 * `StreamPipe`: one direction of a TCP connection on a `VirtualNetwork` — what TCP makes of the
 * link under it: bytes arrive in order, exactly once, after the link's latency; a lost segment
 * is sent again after a retransmission timeout that doubles each time (so loss shows up as
 * delay, with the head-of-line blocking real TCP has); a partition stalls the pipe until it
 * heals, or until the retransmissions run out; the receiver's window bounds what is in flight.
 *
 * @internal
 * @module
 */
import type { Clock } from '../task/index.ts';
import type { NetworkLinks } from './network-links.ts';
import type { StreamStats } from './network-types.ts';
import type { SeededRandom } from './seeded-random.ts';

/** The receive window: at most this many bytes sent and not yet read by the receiving protocol. */
export const WINDOW = 65536;
/** The smallest retransmission timeout (Linux's TCP_RTO_MIN), in seconds. */
const RTO_MIN = 0.2;
/** The largest retransmission timeout (Linux's TCP_RTO_MAX), in seconds. */
const RTO_MAX = 120;
/** Retransmissions of one segment before the connection is given up (Linux's tcp_retries2). */
const MAX_RETRANSMISSIONS = 15;

/** What travels in order through a pipe: data, or the end of the data (FIN). */
export type Segment = { readonly kind: 'data'; readonly data: Buffer } | { readonly kind: 'fin' };

/** The end a pipe delivers to. */
export interface PipeReceiver {
  /** The next segment, in order. */
  segmentArrived(segment: Segment): void;
  /** A reset (RST) arrived: the connection is gone. */
  resetArrived(): void;
}

/** The end that writes into a pipe. */
export interface PipeSender {
  /** Window space came back: more may be sent. */
  windowOpened(): void;
  /** A segment could not be delivered after every retransmission: the connection is dead. */
  retransmissionsExhausted(): void;
}

/** What a pipe works with: the network's clock, PRNG, links and counters. */
export interface PipeParts {
  readonly clock: Clock;
  readonly random: SeededRandom;
  readonly links: NetworkLinks;
  readonly stats: StreamStats;
}

/**
 * One direction of a virtual TCP connection, from the host with IP `from` to the host with IP
 * `to` (the same IP: a connection within one host, which takes no time and loses nothing, but
 * still delivers on a later clock step, never inside `write`).
 */
export class StreamPipe {
  readonly #parts: PipeParts;
  readonly #from: string;
  readonly #to: string;
  readonly #sender: PipeSender;
  readonly #receiver: PipeReceiver;
  /** Sequence number of the next segment sent, and of the next one to deliver. */
  #nextSent = 0;
  #nextDelivered = 0;
  /** Segments that arrived ahead of one still being retransmitted. */
  readonly #early = new Map<number, Segment>();
  /** Bytes sent whose window space has not come back yet. */
  #unacknowledged = 0;
  /** `'exhausted'`: a segment was retransmitted in vain; only a reset may still go. */
  #state: 'open' | 'exhausted' | 'dead' = 'open';

  /** A pipe from `from` to `to`, for `sender`'s data to `receiver`. */
  constructor(parts: PipeParts, from: string, to: string, sender: PipeSender, receiver: PipeReceiver) {
    this.#parts = parts;
    this.#from = from;
    this.#to = to;
    this.#sender = sender;
    this.#receiver = receiver;
  }

  /** How many more bytes the window lets the sender put in flight now. */
  get capacity(): number {
    return this.#state === 'open' ? Math.max(0, WINDOW - this.#unacknowledged) : 0;
  }

  /** Sends `data` (at most {@link capacity} bytes; the caller cuts). */
  sendData(data: Buffer): void {
    this.#unacknowledged += data.length;
    this.#parts.stats.bytesSent += data.length;
    this.#send({ kind: 'data', data });
  }

  /** Sends the end of the data, after everything sent before. */
  sendFin(): void {
    this.#send({ kind: 'fin' });
  }

  /**
   * Sends a reset. It does not wait for data still being retransmitted; what arrives after it
   * is dropped. The pipe is dead from now on.
   */
  sendReset(): void {
    if (this.#state === 'dead') return;
    this.#state = 'dead';
    this.#parts.stats.resets += 1;
    if (this.#blocked()) return; // lost in the partition: the peer finds out when it next sends
    this.#parts.clock.callLater(this.#latency(), () => this.#receiver.resetArrived());
  }

  /**
   * The receiver's protocol read `bytes`: the window update travels back to the sender, which
   * may then send more.
   */
  consumed(bytes: number): void {
    if (bytes === 0) return;
    const back = this.#from === this.#to ? 0 : this.#parts.links.get(this.#to, this.#from).latency;
    this.#parts.clock.callLater(back, () => {
      this.#unacknowledged -= bytes;
      if (this.#state === 'open') this.#sender.windowOpened();
    });
  }

  /** Stops the pipe at once (the network reset the connection): nothing more is delivered. */
  kill(): void {
    this.#state = 'dead';
    this.#early.clear();
  }

  #send(segment: Segment): void {
    if (this.#state !== 'open') return;
    this.#parts.stats.segmentsSent += 1;
    this.#attempt(this.#nextSent++, segment, 0);
  }

  /** One transmission of a segment: lost (in a partition, or by the loss draw) or delivered. */
  #attempt(seq: number, segment: Segment, retransmissions: number): void {
    if (this.#state !== 'open') return;
    const local = this.#from === this.#to;
    const lost =
      !local &&
      (this.#blocked() || this.#parts.random.next() < this.#parts.links.get(this.#from, this.#to).loss);
    if (!lost) {
      this.#parts.clock.callLater(this.#latency(), () => this.#arrive(seq, segment));
      return;
    }
    if (retransmissions === MAX_RETRANSMISSIONS) {
      this.#state = 'exhausted';
      this.#sender.retransmissionsExhausted();
      return;
    }
    this.#parts.stats.retransmissions += 1;
    const rto = Math.min(RTO_MAX, Math.max(RTO_MIN, 2 * this.#latency()) * 2 ** retransmissions);
    this.#parts.clock.callLater(rto, () => this.#attempt(seq, segment, retransmissions + 1));
  }

  #arrive(seq: number, segment: Segment): void {
    if (this.#state !== 'open') return;
    this.#early.set(seq, segment);
    for (;;) {
      const next = this.#early.get(this.#nextDelivered);
      if (next === undefined) return;
      this.#early.delete(this.#nextDelivered);
      this.#nextDelivered += 1;
      if (next.kind === 'data') this.#parts.stats.bytesDelivered += next.data.length;
      this.#receiver.segmentArrived(next);
      // The receiver may have reset the connection while taking the segment.
      if ((this.#state as string) !== 'open') return;
    }
  }

  #blocked(): boolean {
    return this.#from !== this.#to && this.#parts.links.isPartitioned(this.#from, this.#to);
  }

  #latency(): number {
    return this.#from === this.#to ? 0 : this.#parts.links.get(this.#from, this.#to).latency;
  }
}
