/**
 * The iterators of a port's `datagrams()`: the options it takes, and the set of open iterators
 * that every received datagram is pushed to.
 *
 * @module
 */
import type { AddressTuple } from '../../interfaces.ts';
import { invalidArgType, isInstance, readOptions, validateInteger } from '../../validate.ts';
import { abortError } from './checks.ts';
import { ownCopy } from './own-copy.ts';
import { DatagramIterator } from './datagram-iterator.ts';
import type { DatagramEntry, IteratorOwner } from './datagram-iterator.ts';

/** Options of `UdpPort.datagrams()`. */
export interface DatagramsOptions {
  /** How many datagrams to hold for a slow reader before dropping the oldest. Default 1024. */
  highWaterMark?: number;
  /** Aborting ends the iteration with an `AbortError`. */
  signal?: AbortSignal;
}

const DEFAULT_HIGH_WATER_MARK = 1024;
const FEED_OPTION_KEYS: ReadonlySet<string> = new Set(['highWaterMark', 'signal']);

/**
 * The open `datagrams()` iterators of one port. The port makes it on the first `datagrams()`
 * call, so a port nobody iterates pays one `undefined` test per datagram.
 *
 * An iterator is held weakly while nobody awaits it: one dropped without being finished (no
 * `break`, no `return()`) is garbage, and is forgotten once collected instead of buffering — and
 * costing a push per datagram — for the life of the port. While a consumer awaits the next
 * datagram the iterator is held strongly, since the suspended loop is reachable only through it.
 *
 * @internal
 */
export class DatagramFeed implements IteratorOwner {
  readonly #iterators = new Set<WeakRef<DatagramIterator>>();
  readonly #awaited = new Set<DatagramIterator>();
  readonly #collected = new FinalizationRegistry<WeakRef<DatagramIterator>>((ref) => {
    this.#iterators.delete(ref);
  });

  /**
   * A new iterator (the options checked first). On a port that is stopping or stopped
   * (`ended`), it is already done; with a signal already aborted, it rejects at once.
   */
  open(options: DatagramsOptions, ended: boolean): AsyncIterableIterator<DatagramEntry, undefined> {
    const { highWaterMark = DEFAULT_HIGH_WATER_MARK, signal } = readOptions(
      options,
      'options',
      FEED_OPTION_KEYS,
    );
    validateInteger(highWaterMark, 'options.highWaterMark', 1);
    if (signal !== undefined && !isInstance(signal, AbortSignal)) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
    }
    let onAbort: (() => void) | undefined;
    const it = new DatagramIterator(highWaterMark, {
      returned: (done) => {
        this.returned(done);
        if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
      },
      awaiting: (waiting, awaiting) => this.awaiting(waiting, awaiting),
    });
    if (signal?.aborted) {
      it.fail(abortError(signal));
      return it;
    }
    if (ended) {
      it.end();
      return it;
    }
    this.#iterators.add(it.ref);
    this.#collected.register(it, it.ref, it.ref);
    if (signal !== undefined) {
      // The listener holds only the weak reference: a long-lived signal must not keep a dropped
      // iterator alive.
      const ref = it.ref;
      onAbort = () => ref.deref()?.fail(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return it;
  }

  /**
   * Hands a datagram to every open iterator (one entry, shared: consumers must not modify it);
   * returns how many datagrams full buffers dropped.
   */
  push(datagram: Buffer, addr: AddressTuple): number {
    if (this.#iterators.size === 0) return 0;
    const entry: DatagramEntry = [ownBytes(datagram), addr];
    let drops = 0;
    for (const ref of this.#iterators) {
      const it = ref.deref();
      if (it === undefined) this.#iterators.delete(ref);
      else if (it.push(entry)) drops += 1;
    }
    return drops;
  }

  /** The port stopped: every open iterator ends. */
  end(): void {
    const iterators = [...this.#iterators];
    this.#iterators.clear();
    for (const ref of iterators) ref.deref()?.end();
  }

  /** @internal See {@link IteratorOwner.returned}. */
  returned(it: DatagramIterator): void {
    this.#iterators.delete(it.ref);
    this.#awaited.delete(it);
    this.#collected.unregister(it.ref);
  }

  /** @internal See {@link IteratorOwner.awaiting}. */
  awaiting(it: DatagramIterator, awaiting: boolean): void {
    if (awaiting) this.#awaited.add(it);
    else this.#awaited.delete(it);
  }
}

/**
 * A buffered datagram may wait in an iterator for long: if it is a view into a larger buffer (a
 * batch read by another I/O backend), it is copied so that it keeps only its own bytes.
 * node:dgram gives each datagram a buffer of exactly its size, so nothing is copied there.
 */
function ownBytes(datagram: Buffer): Buffer {
  return datagram.buffer.byteLength === datagram.byteLength ? datagram : ownCopy(datagram);
}
