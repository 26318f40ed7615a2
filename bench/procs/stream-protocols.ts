/**
 * The twisted-ts sink and source protocols the TCP and TLS bulk servers share (bench/procs/
 * tcp-server.ts, tls-server.ts), written as twisted-ts users would: a `Protocol` that counts what
 * it receives, and one that sends a fixed number of bytes as a push producer, then closes.
 *
 * @module
 */
import { Protocol } from '../../src/index.ts';
import type { IPushProducer } from '../../src/index.ts';

/** What the protocols report to the server process that tallies its `stats`. */
export interface StreamTally {
  /** A connection was made. */
  connected(): void;
  /** `n` bytes arrived. */
  received(n: number): void;
}

/**
 * The `Sink` and `Source` protocol classes for one server process: `Source` sends `total` bytes in
 * 64 KiB chunks to each client as fast as flow control allows.
 */
export function streamProtocols(tally: StreamTally, total: number) {
  const CHUNK = Buffer.alloc(64 * 1024, 0x61);

  class Sink extends Protocol {
    override connectionMade(): void {
      tally.connected();
    }
    override dataReceived(data: Buffer): void {
      tally.received(data.length);
    }
  }

  class Source extends Protocol implements IPushProducer {
    #sent = 0;
    #paused = false;
    override connectionMade(): void {
      tally.connected();
      this.transport.registerProducer(this, true);
      this.resumeProducing();
    }
    pauseProducing(): void {
      this.#paused = true;
    }
    resumeProducing(): void {
      this.#paused = false;
      while (!this.#paused && this.#sent < total) {
        this.transport.write(CHUNK);
        this.#sent += CHUNK.length;
      }
      if (this.#sent >= total) {
        this.transport.unregisterProducer();
        this.transport.loseConnection();
      }
    }
    stopProducing(): void {
      this.#paused = true;
    }
  }

  return { Sink, Source };
}
