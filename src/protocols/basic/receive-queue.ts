/**
 * The received data a framing protocol has not parsed yet, and the guard that makes its
 * `dataReceived` re-entrant.
 *
 * `LineReceiver` and `IntNStringReceiver` share it: a callback may feed data (Twisted's
 * `setLineMode(extra)`, or a protocol calling its own `dataReceived`), and data arrives while
 * paused; either is queued behind the rest and parsed, in order, by the call already running.
 *
 * @internal
 */

const EMPTY = Buffer.alloc(0);

/** The unparsed chunks: `segment` from `offset`, then the ones queued behind it. */
export class ReceiveQueue {
  /** The chunk being parsed, from `offset`. */
  segment: Buffer = EMPTY;
  /** Where parsing stands in `segment`. */
  offset = 0;
  /** Data that arrived while parsing or paused, after `segment`. */
  #queue: Buffer[] = [];
  #busy = false;

  /**
   * Queues `data` behind what is unparsed, then runs `parse` unless a call is already parsing
   * (the data is then parsed by that call). Returns whether it ran `parse`.
   */
  feed(data: Buffer, parse: () => void): boolean {
    if (data.length > 0) {
      if (this.offset >= this.segment.length && this.#queue.length === 0) {
        this.segment = data;
        this.offset = 0;
      } else {
        this.#queue.push(data);
      }
    }
    if (this.#busy) return false;
    this.#busy = true;
    try {
      parse();
    } finally {
      this.#busy = false;
    }
    return true;
  }

  /** Moves on to the next queued chunk once `segment` is parsed; `false` when nothing is left. */
  next(): boolean {
    if (this.offset < this.segment.length) return true;
    const next = this.#queue.shift();
    if (next === undefined) return false;
    this.segment = next;
    this.offset = 0;
    return true;
  }

  /** Empties the queue and returns what it held, unparsed (views of the received chunks). */
  clear(): Buffer[] {
    const rest = [this.segment.subarray(this.offset), ...this.#queue];
    this.segment = EMPTY;
    this.offset = 0;
    this.#queue = [];
    return rest;
  }
}
