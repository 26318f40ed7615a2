/**
 * Flow control between producers and consumers (Twisted's `IProducer`, `IPushProducer`,
 * `IPullProducer`, `IConsumer`).
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
/**
 * Something that produces data for a consumer (Twisted's `IProducer`): the consumer calls
 * `stopProducing()` when it can take no more, e.g. because its connection was lost.
 */
export interface IProducer {
  /** Stops producing for good: the consumer is gone. */
  stopProducing(): void;
}

/**
 * A producer that writes on its own until paused (Twisted's `IPushProducer`; `streaming` true
 * in `registerProducer`). A connection is one too: pausing it stops reading from its socket.
 */
export interface IPushProducer extends IProducer {
  /** Stops producing until `resumeProducing()`: the consumer's buffer is full. */
  pauseProducing(): void;
  /** Produces again after `pauseProducing()`. */
  resumeProducing(): void;
}

/**
 * A producer that writes only when asked (Twisted's `IPullProducer`; `streaming` false in
 * `registerProducer`): each `resumeProducing()` should write one chunk.
 */
export interface IPullProducer extends IProducer {
  /** Writes one chunk of data to the consumer. */
  resumeProducing(): void;
}

/**
 * Something that takes data from a producer (Twisted's `IConsumer`). A connection's write buffer
 * is Node's: a push producer is paused when the socket's buffer passes its high-water mark and
 * resumed on `'drain'`; a pull producer is asked for more on `'drain'`.
 */
export interface IConsumer {
  /**
   * Registers `producer` to feed this consumer. `streaming` true: a push producer (paused and
   * resumed by the consumer); false: a pull producer (asked for each chunk). A pull producer is
   * asked for its first chunk at once.
   *
   * @throws Error when another producer is registered.
   */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void;
  /** Stops consuming from the registered producer (a pending `loseConnection` may now finish). */
  unregisterProducer(): void;
  /** Takes a chunk of data. */
  write(data: Uint8Array): void;
}
