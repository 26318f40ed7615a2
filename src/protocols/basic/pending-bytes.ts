/**
 * The start of a line (or frame) whose end has not arrived yet, kept apart from the received
 * chunks.
 *
 * Appending each new chunk to one buffer (`buffer += data`, as Twisted does) copies the partial
 * line once per chunk: a peer that sends a 16 KiB line one byte at a time makes that 128 MiB of
 * copying. Here each byte is copied once (into a store that doubles as it grows), only the new
 * bytes are searched for the delimiter, and a completed line is handed out as a view of the
 * store, which is then dropped, never written again.
 *
 * @internal
 */

/** A line or frame in the making: its bytes so far (for a line, with no whole delimiter among them). */
export class PendingBytes {
  #store: Buffer | undefined = undefined;
  #length = 0;

  /** How many bytes are pending. */
  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `bytes`. */
  append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const needed = this.#length + bytes.length;
    let store = this.#store;
    if (store === undefined || store.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * (store?.length ?? 32)));
      if (store !== undefined) store.copy(grown, 0, 0, this.#length);
      store = this.#store = grown;
    }
    bytes.copy(store, this.#length);
    this.#length = needed;
  }

  /** The pending bytes (a view), and forgets them: the store is never written again. */
  take(): Buffer {
    const taken = this.#store === undefined ? Buffer.alloc(0) : this.#store.subarray(0, this.#length);
    this.#store = undefined;
    this.#length = 0;
    return taken;
  }

  /**
   * How many of the pending bytes begin a delimiter that `segment` (from `from`) completes: 0
   * when none do. Only the last `delimiter.length - 1` pending bytes can.
   */
  straddle(segment: Buffer, from: number, delimiter: Buffer): number {
    const dl = delimiter.length;
    if (dl === 1 || this.#length === 0) return 0;
    const store = this.#store!;
    const tail = Math.min(dl - 1, this.#length);
    // k pending bytes begin the delimiter; the segment must hold its other dl - k bytes.
    for (let k = tail; k >= 1; k--) {
      if (segment.length - from < dl - k) continue;
      if (
        store.compare(delimiter, 0, k, this.#length - k, this.#length) === 0 &&
        segment.compare(delimiter, k, dl, from, from + dl - k) === 0
      ) {
        return k;
      }
    }
    return 0;
  }

  /** Drops the last `count` pending bytes (the start of a delimiter found by {@link straddle}). */
  drop(count: number): void {
    this.#length -= count;
  }
}
