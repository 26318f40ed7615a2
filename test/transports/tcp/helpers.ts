/**
 * Shared pieces of the TCP and UNIX transport tests: a reactor per test with cleanup, a
 * recording protocol with promises for its events, and a client factory that records outcomes.
 */
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import { Deferred } from '../../../src/defer/deferred.ts';
import type { Failure } from '../../../src/failure.ts';
import type { IAddress, IConnector, IStreamTransport, StreamAddress } from '../../../src/interfaces.ts';
import { ClientFactory } from '../../../src/protocols/client-factory.ts';
import { Factory } from '../../../src/protocols/factory.ts';
import { Protocol } from '../../../src/protocols/protocol.ts';
import { Reactor } from '../../../src/reactor/reactor.ts';
import type { TcpPort } from '../../../src/transports/tcp/tcp-port.ts';

import { captureLog } from '../../support/log-capture.ts';

export { captureLog };
export { turns, until } from '../../support/wait.ts';

/** A promise with its resolver, resolved once (later calls are ignored); `called` says whether it was. */
export function settle<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  called: boolean;
  asPromise(): Promise<T>;
} {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  const s = {
    promise,
    called: false,
    resolve(v: T) {
      if (s.called) return;
      s.called = true;
      resolve(v);
    },
    asPromise: () => promise,
  };
  return s;
}

/** Every reactor made by {@link newReactor}, for {@link cleanup}. */
const reactors: Reactor[] = [];

/** A fresh reactor; {@link cleanup} stops its ports and drops its connections. */
export function newReactor(): Reactor {
  const r = new Reactor();
  reactors.push(r);
  return r;
}

/** Stops every port and connection of the reactors made since the last cleanup (afterEach). */
export async function cleanup(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const r of reactors.splice(0)) {
    for (const port of r.getListeningPorts()) waits.push(port.stopListening().asPromise());
    for (const c of r.getConnections()) waits.push(Promise.resolve(c.disconnectForShutdown()));
  }
  await Promise.all(waits);
}

/**
 * For a whole test file: captures the log during each test, then closes what the test opened
 * (`cleanup()`) and stops the capture. Returns the current test's capture.
 */
export function captureLogPerTest(): () => ReturnType<typeof captureLog> {
  let log: ReturnType<typeof captureLog> | undefined;
  beforeEach(() => {
    log = captureLog();
  });
  afterEach(async () => {
    await cleanup();
    log?.stop();
  });
  return () => log!;
}

/**
 * A protocol that records everything: received data, the reason of `connectionLost`, and
 * promises for `made`, `lost` and "received at least n bytes".
 */
export class Recording<A extends StreamAddress = IAddress> extends Protocol<IStreamTransport<A>> {
  #chunks: Buffer[] = [];
  #length = 0;
  reason: Failure | undefined;
  readonly events: string[] = [];
  readonly made = new Deferred<this>();
  /** Resolves with the reason of `connectionLost` (a Promise: a Deferred would treat the Failure as an error). */
  readonly lost: {
    promise: Promise<Failure>;
    resolve: (f: Failure) => void;
    called: boolean;
    asPromise(): Promise<Failure>;
  } = settle<Failure>();
  #waiters: { n: number; d: Deferred<Buffer> }[] = [];

  override connectionMade(): void {
    this.events.push('made');
    this.made.callback(this);
  }

  /** Everything received so far, in one Buffer. */
  get received(): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0];
  }

  override dataReceived(data: Buffer): void {
    this.#chunks.push(data);
    this.#length += data.length;
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#length < w.n) return true;
      w.d.callback(this.received);
      return false;
    });
  }

  override connectionLost(reason: Failure): void {
    this.events.push('lost');
    this.reason = reason;
    this.lost.resolve(reason);
  }

  /** Resolves once `n` bytes (in all) have arrived. */
  bytes(n: number): Promise<Buffer> {
    if (this.#length >= n) return Promise.resolve(this.received);
    const d = new Deferred<Buffer>();
    this.#waiters.push({ n, d });
    return d.asPromise();
  }
}

/** A server factory whose protocols are instances of `P`, kept in `built`. */
export class ServerRecorder<P extends Protocol<IStreamTransport<StreamAddress>>> extends Factory<P> {
  readonly built: P[] = [];
  readonly #make: () => P;
  #next: Deferred<P>[] = [];
  constructor(make: () => P) {
    super();
    this.#make = make;
    this.noisy = false;
  }
  override buildProtocol(): P {
    const p = this.#make();
    (p as { factory?: unknown }).factory = this;
    this.built.push(p);
    for (const d of this.#next.splice(0)) d.callback(p);
    return p;
  }
  /** The next protocol built (or the n-th, if already built). */
  nth(n: number): Promise<P> {
    if (this.built.length > n) return Promise.resolve(this.built[n]);
    const d = new Deferred<P>();
    this.#next.push(d);
    return d.asPromise().then(() => this.nth(n));
  }
}

/** A client factory that records its callbacks; `failed`/`lost` resolve with the reasons. */
export class ClientRecorder<P extends Protocol<IStreamTransport<StreamAddress>>> extends ClientFactory<P> {
  readonly calls: string[] = [];
  readonly failed = settle<Failure>();
  readonly lostConnection = settle<Failure>();
  readonly built: P[] = [];
  readonly #make: () => P;
  constructor(make: () => P) {
    super();
    this.#make = make;
    this.noisy = false;
  }
  override startFactory(): void {
    this.calls.push('startFactory');
  }
  override stopFactory(): void {
    this.calls.push('stopFactory');
  }
  override startedConnecting(_c: IConnector): void {
    this.calls.push('startedConnecting');
  }
  override buildProtocol(): P {
    this.calls.push('buildProtocol');
    const p = this.#make();
    (p as { factory?: unknown }).factory = this;
    this.built.push(p);
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.calls.push(`clientConnectionFailed:${reason.value.name}`);
    this.failed.resolve(reason);
  }
  override clientConnectionLost(_c: IConnector, reason: Failure): void {
    this.calls.push(`clientConnectionLost:${reason.value.name}`);
    this.lostConnection.resolve(reason);
  }
}

/** Listens on 127.0.0.1 with protocols made by `makeServer`, connects with `makeClient`; resolves once both are connected. */
export async function connectedPair<S extends Recording, C extends Recording>(
  reactor: Reactor,
  makeServer: () => S,
  makeClient: () => C,
): Promise<{
  server: S;
  client: C;
  port: TcpPort;
  serverFactory: ServerRecorder<S>;
  clientFactory: ClientRecorder<C>;
}> {
  const serverFactory = new ServerRecorder(makeServer);
  const port = reactor.listenTCP(0, serverFactory, { interface: '127.0.0.1' });
  const clientFactory = new ClientRecorder(makeClient);
  reactor.connectTCP('127.0.0.1', port.getHost().port, clientFactory);
  const server = await serverFactory.nth(0);
  await server.made.asPromise();
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (clientFactory.built.length > 0) resolve();
      else if (clientFactory.failed.called) reject(new Error('the client failed to connect'));
      else setImmediate(check);
    };
    check();
  });
  const client = clientFactory.built[0];
  await client.made.asPromise();
  return { server, client, port, serverFactory, clientFactory };
}

/** The number of open file descriptors of this process (Linux), or undefined. */
export function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
