/**
 * `MemoryConnector`: the connector `MemoryReactor.connectTCP`, `connectUNIX` and `connectSSL`
 * return (Twisted's `_FakeConnector`, with `BaseConnector`'s state machine).
 *
 * @module
 */
import { inspect } from 'node:util';
import { ConnectorStateError, NotConnectingError, UserError } from '../errors.ts';
import { Failure } from '../failure.ts';
import type { ConnectorState, IClientFactory, IConnector, IProtocol, StreamAddress } from '../interfaces.ts';
import { err as logErr } from '../log/index.ts';
import { watchHookResult } from '../transports/tcp/hook-result.ts';
import { protocolName } from '../transports/tcp/stream-port.ts';

/**
 * A connector that connects nowhere. It records what was done to it — `stoppedConnecting`
 * (Twisted's), `disconnected`, `connects` — and keeps the real connector's state machine, so
 * that code which reconnects (`ReconnectingClientFactory`) runs against it: `connect()` only
 * from `'disconnected'` (the factory started with the first attempt and told
 * `startedConnecting`), `stopConnecting()` only while `'connecting'` (the factory gets
 * `clientConnectionFailed` with `UserError`).
 *
 * The test plays the network with Twisted's `BaseConnector` methods:
 * `connectionFailed(reason)` (the attempt failed), `buildProtocol(addr)` (the connection is
 * made: the factory builds the protocol, which the test then connects to a `StringTransport`),
 * and `connectionLost(reason)` (it ended).
 *
 * @example
 * const reactor = new MemoryReactorClock();
 * factory.clock = reactor;
 * reactor.connectTCP('10.0.0.2', 8000, factory);
 * const connector = reactor.connectors[0];
 * connector.connectionFailed(new Failure(new ConnectionRefusedError()));
 * reactor.advance(factory.delay); // the factory's retry: connector.connect()
 * expect(connector.connects).toBe(2);
 */
export class MemoryConnector implements IConnector {
  /** `true` once `stopConnecting()` was called (Twisted's). */
  stoppedConnecting = false;
  /** `true` once `disconnect()` was called. */
  disconnected = false;
  /** How many attempts `connect()` started (the first by `connect*` itself). */
  connects = 0;
  /** The factory this connector reports to. */
  readonly factory: IClientFactory;
  readonly #destination: StreamAddress;
  #state: ConnectorState = 'disconnected';
  #factoryStarted = false;

  /** @internal Made by `MemoryReactor`, which then calls {@link connect}. */
  constructor(factory: IClientFactory, destination: StreamAddress, signal: AbortSignal | undefined) {
    this.factory = factory;
    this.#destination = destination;
    signal?.addEventListener('abort', () => this.disconnect(), { once: true });
  }

  /** `'connecting'` after `connect()`, `'connected'` after `buildProtocol`, else `'disconnected'`. */
  get state(): ConnectorState {
    return this.#state;
  }

  /**
   * Starts an attempt (nothing is sent): counts it, starts the factory if it is not, calls
   * `startedConnecting(this)`.
   *
   * @throws ConnectorStateError unless `'disconnected'`.
   */
  connect(): void {
    if (this.#state !== 'disconnected') {
      throw new ConnectorStateError(`Can't connect in this state: the connector is ${this.#state}.`);
    }
    this.#state = 'connecting';
    this.connects += 1;
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.#hook('startFactory', () => this.factory.doStart());
    }
    this.#hook('startedConnecting', () => this.factory.startedConnecting(this));
  }

  /**
   * Records the call (`disconnected`); while connecting, stops the attempt as
   * `stopConnecting()` does. There is no transport to close while connected: the test closes
   * its `StringTransport` and reports `connectionLost` itself.
   */
  disconnect(): void {
    this.disconnected = true;
    if (this.#state === 'connecting') this.stopConnecting();
  }

  /**
   * Stops the attempt: `stoppedConnecting` is set and the factory gets `clientConnectionFailed`
   * with `UserError`, as from the real connector.
   *
   * @throws NotConnectingError unless `'connecting'`.
   */
  stopConnecting(): void {
    if (this.#state !== 'connecting') throw new NotConnectingError("We're not trying to connect.");
    this.stoppedConnecting = true;
    this.connectionFailed(new Failure(new UserError()));
  }

  /** Where it connects to: `IPv4Address('TCP', host, port)` with the host as given, or a `UNIXAddress`. */
  getDestination(): StreamAddress {
    return this.#destination;
  }

  /**
   * The test's move: the attempt failed. The factory gets `clientConnectionFailed(this,
   * reason)` and is stopped unless it reconnected from there (Twisted's
   * `BaseConnector.connectionFailed`).
   */
  connectionFailed(reason: Failure): void {
    this.#state = 'disconnected';
    this.#hook('clientConnectionFailed', () => this.factory.clientConnectionFailed(this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  /**
   * The test's move: the connection is made; returns the factory's protocol for it
   * (Twisted's `BaseConnector.buildProtocol`), for the test to connect to a transport.
   */
  buildProtocol(addr: StreamAddress): IProtocol | undefined {
    this.#state = 'connected';
    return this.factory.buildProtocol(addr);
  }

  /**
   * The test's move: the connection ended. The factory gets `clientConnectionLost(this,
   * reason)` and is stopped unless it reconnected from there (Twisted's
   * `BaseConnector.connectionLost`).
   */
  connectionLost(reason: Failure): void {
    this.#state = 'disconnected';
    this.#hook('clientConnectionLost', () => this.factory.clientConnectionLost(this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  #stopFactoryUnlessReconnecting(): void {
    if (this.#state !== 'disconnected' || !this.#factoryStarted) return;
    this.#factoryStarted = false;
    this.#hook('stopFactory', () => this.factory.doStop());
  }

  /** Calls a factory hook: a throw or a rejection is logged, as the real connector does. */
  #hook(name: string, fn: () => unknown): void {
    const why = `Unhandled error in ${protocolName(this.factory)}.${name}`;
    let result: unknown;
    try {
      result = fn();
    } catch (e) {
      logErr(e, why);
      return;
    }
    watchHookResult(result, (e) => logErr(e, why));
  }

  /** `<MemoryConnector to IPv4Address(type='TCP', host='10.0.0.2', port=8000) connecting>`. */
  toString(): string {
    return `<MemoryConnector to ${String(this.#destination)} ${this.#state}>`;
  }

  /** Shows {@link toString} in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}
