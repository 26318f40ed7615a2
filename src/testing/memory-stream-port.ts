/**
 * `MemoryStreamPort`: the port `MemoryReactor.listenTCP`, `listenUNIX` and `listenSSL` return
 * (Twisted's `_FakePort`).
 *
 * @module
 */
import { inspect } from 'node:util';
import { Deferred } from '../defer/index.ts';
import type { IListeningPort, IProtocolFactory, StreamAddress } from '../interfaces.ts';
import { err as logErr } from '../log/index.ts';
import { watchHookResult } from '../transports/tcp/hook-result.ts';
import { protocolName } from '../transports/tcp/stream-port.ts';

/** What a memory port needs from its reactor: the registry of ports. */
export interface MemoryPortOwner {
  /** Registers the port. */
  registerPort(port: IListeningPort<StreamAddress>): void;
  /** Unregisters it. */
  unregisterPort(port: IListeningPort<StreamAddress>): void;
}

/**
 * A listening stream port that listens nowhere: `getHost()` reports the address asked for (port
 * 0 stays 0), the factory is started (`doStart`) when the port is made and stopped
 * (`doStop`) by `stopListening()`, whose Deferred has fired when it returns. Nothing connects
 * to it: build protocols from `factory` yourself, as Twisted tests do
 * (`factory.buildProtocol(addr).makeConnection(new StringTransport())`).
 */
export class MemoryStreamPort<A extends StreamAddress = StreamAddress> implements IListeningPort<A> {
  /** The factory given to `listen*`. */
  readonly factory: IProtocolFactory;
  readonly #owner: MemoryPortOwner;
  readonly #address: A;
  readonly #signal: AbortSignal | undefined;
  #state: 'listening' | 'stopped' = 'listening';

  /** @internal Made by `MemoryReactor`; call {@link start} next. */
  constructor(
    owner: MemoryPortOwner,
    factory: IProtocolFactory,
    address: A,
    signal: AbortSignal | undefined,
  ) {
    this.#owner = owner;
    this.factory = factory;
    this.#address = address;
    this.#signal = signal;
  }

  /** @internal Starts the factory and registers the port; a throw from `doStart` is thrown on. */
  start(): void {
    const started = this.factory.doStart();
    watchHookResult(started, (e) =>
      logErr(e, `Unhandled error in ${protocolName(this.factory)}.startFactory`),
    );
    this.#owner.registerPort(this);
    this.#signal?.addEventListener('abort', this.#abort, { once: true });
  }

  readonly #abort = (): void => {
    this.stopListening();
  };

  /** `'listening'` until `stopListening()`, then `'stopped'`. */
  get state(): 'listening' | 'stopped' {
    return this.#state;
  }

  /** The address asked for: the interface (`'0.0.0.0'` for `''`) and port, or the UNIX path. */
  getHost(): A {
    return this.#address;
  }

  /** Stops the factory (`doStop`); the returned Deferred has fired. Calling it again is harmless. */
  stopListening(): Deferred<void> {
    if (this.#state === 'listening') {
      this.#state = 'stopped';
      this.#signal?.removeEventListener('abort', this.#abort);
      this.#owner.unregisterPort(this);
      const why = `Unhandled error in ${protocolName(this.factory)}.stopFactory`;
      try {
        watchHookResult(this.factory.doStop(), (e) => logErr(e, why));
      } catch (e) {
        logErr(e, why);
      }
    }
    const d = new Deferred<void>();
    d.callback(undefined);
    return d;
  }

  /** `await using port = reactor.listenTCP(...)`: stops the port when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening().asPromise();
  }

  /** `<MemoryStreamPort of EchoFactory on IPv4Address(type='TCP', host='0.0.0.0', port=8000)>`. */
  toString(): string {
    const where = this.#state === 'listening' ? `on ${String(this.#address)}` : '(not listening)';
    return `<MemoryStreamPort of ${protocolName(this.factory)} ${where}>`;
  }

  /** Shows {@link toString} in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}
