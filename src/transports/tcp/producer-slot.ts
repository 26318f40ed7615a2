/**
 * `ProducerSlot`: a connection's registered producer (Twisted's `_ConsumerMixin`), driven by
 * Node's write buffer (DESIGN.md decision 10): a streaming (push) producer is paused when a
 * `socket.write()` returns false (the buffer passed its high-water mark) and resumed on
 * `'drain'`; a pull producer is asked for its next chunk once what it wrote has been handed to
 * the kernel — on `'drain'`, or by the write's callback when the buffer never filled. There is
 * no buffer of our own.
 *
 * @internal
 * @module
 */
import { ProducerStateError } from '../../errors.ts';
import type { IPullProducer, IPushProducer } from '../../interfaces.ts';
import { invalidArgType } from '../../validate.ts';

type Producer = IPushProducer | IPullProducer;

/** A connection's producer, if one is registered, and what the connection has done to it. */
export class ProducerSlot {
  #producer: Producer | undefined = undefined;
  #streaming = false;
  /** Whether this slot paused the streaming producer (and so owes it a resume on drain). */
  #paused = false;
  #pullScheduled = false;
  readonly #fail: (error: unknown) => void;
  readonly #bufferEmpty: () => boolean;

  /**
   * @param bufferEmpty whether everything written so far has been handed to the kernel.
   * @param fail what to do when the producer throws while the connection drives it (drop the connection).
   */
  constructor(bufferEmpty: () => boolean, fail: (error: unknown) => void) {
    this.#bufferEmpty = bufferEmpty;
    this.#fail = fail;
  }

  /** The registered producer, or `undefined`. */
  get producer(): Producer | undefined {
    return this.#producer;
  }

  /** Whether a pull producer is registered: its writes need {@link pullFlushed} as callback. */
  get pulling(): boolean {
    return this.#producer !== undefined && !this.#streaming;
  }

  /**
   * Registers `producer`. On a connection that is already closed it is told to stop at once
   * (Twisted). A pull producer is asked for its first chunk at once.
   *
   * @throws ProducerStateError when a producer is registered already.
   */
  register(producer: Producer, streaming: boolean, closed: boolean): void {
    if (producer === null || typeof producer !== 'object') {
      throw invalidArgType(
        'producer',
        'a producer (an object with resumeProducing() and stopProducing())',
        producer,
      );
    }
    for (const method of streaming
      ? ['pauseProducing', 'resumeProducing', 'stopProducing']
      : ['resumeProducing', 'stopProducing']) {
      if (typeof (producer as unknown as Record<string, unknown>)[method] !== 'function') {
        throw invalidArgType(
          'producer',
          `a ${streaming ? 'push' : 'pull'} producer, with a ${method}() method`,
          producer,
        );
      }
    }
    if (typeof streaming !== 'boolean') throw invalidArgType('streaming', 'of type boolean', streaming);
    if (this.#producer !== undefined) {
      throw new ProducerStateError(
        `Cannot register producer ${String(producer)}, because producer ${String(this.#producer)} was never unregistered.`,
      );
    }
    if (closed) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#paused = false;
    if (!streaming) producer.resumeProducing();
  }

  /** Forgets the producer (its pending pull, if any, is dropped). */
  unregister(): void {
    this.#producer = undefined;
    this.#paused = false;
  }

  /** After a `socket.write()` that returned `ok`: a full buffer pauses a streaming producer. */
  wrote(ok: boolean): void {
    if (ok || !this.#streaming || this.#paused || this.#producer === undefined) return;
    this.#paused = true;
    (this.#producer as IPushProducer).pauseProducing();
  }

  /** `'drain'`: the buffer emptied below its mark; a paused streaming producer resumes, a pull producer is asked for more. */
  drained(): void {
    const producer = this.#producer;
    if (producer === undefined) return;
    if (this.#streaming) {
      if (!this.#paused) return;
      this.#paused = false;
      this.#call(producer);
    } else {
      this.#schedulePull();
    }
  }

  /**
   * The callback of a pull producer's writes: once the buffer is empty, ask for the next chunk —
   * on a later turn (`setImmediate`), so a producer whose writes complete at once does not
   * starve other I/O, and once per emptying, as Twisted's `doWrite` does.
   */
  readonly pullFlushed = (): void => {
    if (this.pulling && this.#bufferEmpty()) this.#schedulePull();
  };

  /** The connection is closed: the producer is told to stop (Twisted's `FileDescriptor.connectionLost`). */
  stop(): void {
    const producer = this.#producer;
    this.#producer = undefined;
    producer?.stopProducing();
  }

  #schedulePull(): void {
    if (this.#pullScheduled) return;
    this.#pullScheduled = true;
    setImmediate(this.#resumePull);
  }

  readonly #resumePull = (): void => {
    this.#pullScheduled = false;
    const producer = this.#producer;
    if (producer !== undefined && !this.#streaming) this.#call(producer);
  };

  #call(producer: Producer): void {
    try {
      producer.resumeProducing();
    } catch (e) {
      this.#fail(e);
    }
  }
}
