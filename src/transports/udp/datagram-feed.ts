/**
 * The iterators of a port's `datagrams()`: the options it takes, and the set of open iterators
 * that every received datagram is pushed to.
 *
 * @module
 */
import type { AddressTuple } from '../../interfaces.ts';
import { invalidArgType, validateInteger, validateObject } from '../../validate.ts';
import { abortError } from './checks.ts';
import { DatagramIterator } from './datagram-iterator.ts';
import type { DatagramEntry } from './datagram-iterator.ts';

/** Options of `UdpPort.datagrams()`. */
export interface DatagramsOptions {
  /** How many datagrams to hold for a slow reader before dropping the oldest. Default 1024. */
  highWaterMark?: number;
  /** Aborting ends the iteration with an `AbortError`. */
  signal?: AbortSignal;
}

const DEFAULT_HIGH_WATER_MARK = 1024;

/**
 * The open `datagrams()` iterators of one port. The port makes it on the first `datagrams()`
 * call, so a port nobody iterates pays one `undefined` test per datagram.
 *
 * @internal
 */
export class DatagramFeed {
  readonly #iterators = new Set<DatagramIterator>();

  /**
   * A new iterator (the options checked first). On a port that is stopping or stopped
   * (`ended`), it is already done; with a signal already aborted, it rejects at once.
   */
  open(options: DatagramsOptions, ended: boolean): AsyncIterableIterator<DatagramEntry, undefined> {
    validateObject(options, 'options');
    const { highWaterMark = DEFAULT_HIGH_WATER_MARK, signal } = options;
    validateInteger(highWaterMark, 'options.highWaterMark', 1);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal);
    }
    let onAbort: (() => void) | undefined;
    const it = new DatagramIterator(highWaterMark, (done) => {
      this.#iterators.delete(done);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    });
    if (signal?.aborted) {
      it.fail(abortError(signal));
      return it;
    }
    if (ended) {
      it.end();
      return it;
    }
    this.#iterators.add(it);
    if (signal !== undefined) {
      onAbort = () => it.fail(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return it;
  }

  /** Hands a datagram to every open iterator; returns how many datagrams full buffers dropped. */
  push(datagram: Buffer, addr: AddressTuple): number {
    let drops = 0;
    for (const it of this.#iterators) if (it.push([datagram, addr])) drops += 1;
    return drops;
  }

  /** The port stopped: every open iterator ends. */
  end(): void {
    const iterators = [...this.#iterators];
    this.#iterators.clear();
    for (const it of iterators) it.end();
  }
}
