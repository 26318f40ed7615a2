/**
 * A producer registered on a `Request` (Twisted's `Request.registerProducer`), driven by the
 * flow control of Node's `ServerResponse`: nothing is buffered here (decision 10). A push
 * producer is paused when `res.write()` reports the buffer full and resumed on `'drain'`; a pull
 * producer is asked for its first chunk at once, then for the next one as soon as the buffer has
 * room (on the next turn, or on `'drain'` when it was full), as Twisted's transports do.
 *
 * @internal
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { IPullProducer, IPushProducer } from '../interfaces.ts';
import { Logger } from '../logger/logger.ts';

const log = new Logger('twisted-ts.web.Request');

/** The state of a registered producer. */
type BindingState = 'running' | 'paused' | 'waiting' | 'done';

/** One producer feeding one response. */
export class ResponseProducer {
  readonly producer: IPushProducer | IPullProducer;
  readonly streaming: boolean;
  readonly #res: ServerResponse;
  readonly #onError: (err: unknown) => void;
  #state: BindingState = 'running';
  #askScheduled = false;
  readonly #onDrain = (): void => this.#drained();

  /**
   * @param onError - called when the producer throws (after the error is logged): the response
   *   can then no longer complete, and the request drops it.
   */
  constructor(
    res: ServerResponse,
    producer: IPushProducer | IPullProducer,
    streaming: boolean,
    onError: (err: unknown) => void,
  ) {
    this.#res = res;
    this.#onError = onError;
    this.producer = producer;
    this.streaming = streaming;
    res.on('drain', this.#onDrain);
  }

  /** A pull producer is asked for its first chunk at once, as Twisted's transports do. */
  start(): void {
    if (!this.streaming && this.#state === 'running') this.#ask();
  }

  /** Called after each write with what `res.write` returned. */
  wrote(bufferHasRoom: boolean): void {
    if (this.#state === 'done') return;
    if (!bufferHasRoom) {
      if (this.streaming) {
        if (this.#state === 'running') {
          this.#state = 'paused';
          this.#call('pauseProducing');
        }
      } else {
        this.#state = 'waiting';
      }
    } else if (!this.streaming && this.#state === 'running') {
      this.#scheduleAsk();
    }
  }

  /** The response no longer takes data: the producer is told to stop for good. */
  stop(): void {
    if (this.#state === 'done') return;
    this.#detach();
    this.#call('stopProducing');
  }

  /** The producer was unregistered: no more calls to it. */
  unregister(): void {
    this.#detach();
  }

  #detach(): void {
    this.#state = 'done';
    this.#res.off('drain', this.#onDrain);
  }

  #drained(): void {
    if (this.#state === 'paused') {
      this.#state = 'running';
      this.#call('resumeProducing');
    } else if (this.#state === 'waiting') {
      this.#state = 'running';
      this.#ask();
    }
  }

  #scheduleAsk(): void {
    if (this.#askScheduled) return;
    this.#askScheduled = true;
    // On the next turn rather than now: a pull producer writing from resumeProducing would
    // otherwise recurse once per chunk.
    setImmediate(() => {
      this.#askScheduled = false;
      if (this.#state === 'running') this.#ask();
    });
  }

  #ask(): void {
    this.#call('resumeProducing');
  }

  #call(method: 'pauseProducing' | 'resumeProducing' | 'stopProducing'): void {
    const fn = (this.producer as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') return;
    const failed = (err: unknown): void => {
      log.failure(`Error in a producer's ${method}`, err);
      if (method !== 'stopProducing') this.#onError(err);
    };
    try {
      const result: unknown = fn.call(this.producer);
      if (result instanceof Promise) result.catch(failed);
    } catch (err) {
      failed(err);
    }
  }
}
