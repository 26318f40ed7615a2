/**
 * Producers and consumers over Node's write buffer (DESIGN.md decision 10;
 * src/transports/tcp/producer-slot.ts), after Twisted's test_tcp.py (ProducerTests) and
 * test_abstract.py: a push producer is paused when the buffer is full and resumed on drain, a
 * pull producer is asked for one chunk at a time, and memory stays bounded against a slow reader.
 */
import { describe, expect, it } from 'vitest';
import { ProducerStateError } from '../../../src/errors.ts';
import type { IPullProducer, IPushProducer, IStreamTransport } from '../../../src/interfaces.ts';
import type { Connection } from '../../../src/transports/tcp/connection.ts';
import { captureLogPerTest, connectedPair, newReactor, Recording, turns, until } from './helpers.ts';

captureLogPerTest();

const CHUNK = 64 * 1024;

/** Writes CHUNK-sized pieces on every turn while not paused, until `total` bytes are written. */
class PushProducer implements IPushProducer {
  paused = false;
  stopped = false;
  written = 0;
  pauses = 0;
  resumes = 0;
  maxBuffered = 0;
  /** Whether the last write filled the buffer: then the pause that follows is never resumed. */
  pausedAtUnregister = false;
  #scheduled = false;
  readonly #transport: IStreamTransport;
  readonly #total: number;
  readonly #buffer = Buffer.alloc(CHUNK, 0x61);
  constructor(transport: IStreamTransport, total: number) {
    this.#transport = transport;
    this.#total = total;
  }
  start(): void {
    this.#transport.registerProducer(this, true);
    this.#schedule();
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    this.resumes++;
    this.#schedule();
  }
  stopProducing(): void {
    this.stopped = true;
  }
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const socket = (this.#transport as unknown as Connection).getHandle();
      while (!this.paused && !this.stopped && this.written < this.#total) {
        this.#transport.write(this.#buffer);
        this.written += CHUNK;
        this.maxBuffered = Math.max(this.maxBuffered, socket.writableLength);
      }
      if (this.written >= this.#total && !this.stopped) {
        this.pausedAtUnregister = this.paused;
        this.#transport.unregisterProducer();
        this.#transport.loseConnection();
      }
    });
  }
}

describe('a push (streaming) producer', () => {
  it('100 MB to a slow reader: paused when the buffer is full, resumed on drain; the buffer stays bounded', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    // A slow reader: the client reads in bursts.
    let reading = true;
    const toggle = setInterval(() => {
      reading = !reading;
      if (reading) client.transport.resumeProducing();
      else client.transport.pauseProducing();
    }, 5);
    // Count instead of keeping 100 MB.
    let received = 0;
    client.dataReceived = (data: Buffer) => {
      received += data.length;
    };
    const total = 100 * 1024 * 1024;
    const producer = new PushProducer(server.transport, total);
    producer.start();
    try {
      await client.lost.asPromise();
    } finally {
      clearInterval(toggle);
    }
    expect(received).toBe(total);
    expect(producer.pauses).toBeGreaterThan(0);
    // Every pause is resumed, except one the last chunk caused: the producer unregisters
    // then, and an unregistered producer is never resumed (Twisted's rule too).
    expect(producer.resumes).toBe(producer.pauses - (producer.pausedAtUnregister ? 1 : 0));
    // Never more than the high-water mark plus the chunk that crossed it.
    const hwm = (server.transport as unknown as Connection).getHandle().writableHighWaterMark;
    expect(producer.maxBuffered).toBeLessThanOrEqual(hwm + CHUNK);
    expect(producer.stopped).toBe(false);
  }, 60_000);

  it('the producer is told to stop when the connection is lost', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const producer = new PushProducer(server.transport, Infinity);
    client.transport.pauseProducing();
    producer.start();
    await until(() => producer.paused, 'the producer to be paused');
    client.transport.abortConnection();
    await server.lost.asPromise();
    expect(producer.stopped).toBe(true);
  });
});

describe('a pull producer', () => {
  it('is asked for a chunk at registration, then once per emptied buffer, until it unregisters', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const chunks = 200;
    let asked = 0;
    let maxBuffered = 0;
    const socket = (server.transport as unknown as Connection).getHandle();
    const producer: IPullProducer = {
      resumeProducing() {
        asked++;
        maxBuffered = Math.max(maxBuffered, socket.writableLength);
        if (asked > chunks) {
          server.transport.unregisterProducer();
          server.transport.loseConnection();
          return;
        }
        server.transport.write(Buffer.alloc(CHUNK, asked & 0xff));
      },
      stopProducing() {},
    };
    server.transport.registerProducer(producer, false);
    expect(asked).toBe(1); // at once, as Twisted
    await client.lost.asPromise();
    expect(client.received.length).toBe(chunks * CHUNK);
    expect(asked).toBe(chunks + 1);
    expect(maxBuffered).toBeLessThanOrEqual(CHUNK); // never asked while its last chunk was still buffered
  });
});

describe('registration rules', () => {
  it('a second producer: ProducerStateError; after unregistering, another may register', async () => {
    const { server } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const p: IPushProducer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    server.transport.registerProducer(p, true);
    expect(() => server.transport.registerProducer(p, true)).toThrow(ProducerStateError);
    server.transport.unregisterProducer();
    server.transport.registerProducer(p, true);
  });

  it("the socket is listened to for 'drain' only from the first registration, once", async () => {
    const { server } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const socket = (server.transport as Connection).getHandle();
    expect(socket.listenerCount('drain')).toBe(0); // most connections never have a producer
    const p: IPushProducer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    server.transport.registerProducer(p, true);
    expect(socket.listenerCount('drain')).toBe(1);
    expect(() => server.transport.registerProducer(p, true)).toThrow(ProducerStateError);
    server.transport.unregisterProducer();
    server.transport.registerProducer(p, false);
    expect(socket.listenerCount('drain')).toBe(1);
  });

  it('a non-producer is a TypeError naming the argument', async () => {
    const { server } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    expect(() => server.transport.registerProducer({} as IPushProducer, true)).toThrow(
      /"producer".*pauseProducing/,
    );
    expect(() =>
      server.transport.registerProducer({ resumeProducing() {}, stopProducing() {} } as IPullProducer, false),
    ).not.toThrow();
  });

  it('registering on a closed connection tells the producer to stop at once (Twisted)', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    client.transport.loseConnection();
    await server.lost.asPromise();
    let stopped = false;
    server.transport.registerProducer(
      { pauseProducing() {}, resumeProducing() {}, stopProducing: () => (stopped = true) },
      true,
    );
    expect(stopped).toBe(true);
  });

  it('loseConnection waits for the producer to unregister; its writes still go out meanwhile', async () => {
    const { server, client } = await connectedPair(
      newReactor(),
      () => new Recording(),
      () => new Recording(),
    );
    const p: IPushProducer = { pauseProducing() {}, resumeProducing() {}, stopProducing() {} };
    server.transport.registerProducer(p, true);
    server.transport.loseConnection();
    server.transport.write(Buffer.from('late but delivered'));
    await turns(10);
    expect(server.transport.connected).toBe(true);
    server.transport.unregisterProducer();
    server.transport.write(Buffer.from('ignored'));
    await client.lost.asPromise();
    expect(client.received.toString()).toBe('late but delivered');
  });
});
