/**
 * `VirtualConnector`: a client connection's handle on a `VirtualNetwork` — the real
 * `Connector`'s state machine (Twisted's `BaseConnector`) over a simulated handshake.
 *
 * @module
 */
import { inspect } from 'node:util';
import {
  ConnectError,
  ConnectionLost,
  ConnectorStateError,
  NotConnectingError,
  TimeoutError,
  UserError,
} from '../errors.ts';
import { Failure } from '../failure.ts';
import type {
  AddressTuple,
  ConnectorState,
  IClientFactory,
  IConnector,
  IDelayedCall,
  IProtocol,
  IRegisteredConnection,
} from '../interfaces.ts';
import { err as logErr } from '../log/index.ts';
import { Protocol } from '../protocols/protocol.ts';
import type { IPv4Address, IPv6Address } from '../transports/address.ts';
import { watchHookResult } from '../transports/tcp/hook-result.ts';
import { checkBuiltProtocol } from '../transports/tcp/stream-checks.ts';
import { protocolName } from '../transports/tcp/stream-port.ts';
import type { StreamCarrier } from './stream-carrier.ts';
import type { StreamHost, TcpHandshake } from './tcp-handshake.ts';
import type { VirtualConnection } from './virtual-connection.ts';

/** What the connector was asked for, after the real `connectTCP` parser checked it. */
export interface VirtualConnectRequest {
  /** The destination as given (an IP literal or a name). */
  readonly host: string;
  /** The destination port. */
  readonly port: number;
  /** The factory told of the outcome. */
  readonly factory: IClientFactory;
  /** Seconds before an attempt fails with `TimeoutError` (`Infinity`: never). */
  readonly timeout: number;
  /** The local `[host, port]` to connect from, if given. */
  readonly bindAddress: AddressTuple | undefined;
  /** Aborting it disconnects. */
  readonly signal: AbortSignal | undefined;
}

/** One connection attempt: registered with the host while it lasts, so that shutdown ends it. */
class Attempt implements IRegisteredConnection {
  timer: IDelayedCall | undefined;
  handshake: TcpHandshake | undefined;
  readonly #connector: VirtualConnector;
  constructor(connector: VirtualConnector) {
    this.#connector = connector;
  }
  disconnectForShutdown(): void {
    this.#connector.attemptFailed(
      this,
      new ConnectError('The reactor shut down while connecting.', { cause: new ConnectionLost() }),
    );
  }
  toString(): string {
    return `<connection attempt of ${String(this.#connector)}>`;
  }
}

/**
 * A client connection's handle, as `host.connectTCP(...)` returns it, with the real
 * `Connector`'s behaviour: `connect()` starts an attempt (a timeout armed, the factory started
 * with the first one, `startedConnecting` called); the outcome reaches the factory —
 * `buildProtocol` then the protocol's `connectionMade` on success,
 * `clientConnectionFailed(connector, reason)` on failure (`ConnectionRefusedError`,
 * `TimeoutError`, `NoRouteError`, `DNSLookupError`, `UserError`…), `clientConnectionLost` when
 * the connection ends. Calling `connect()` from either starts over, which is how
 * `ReconnectingClientFactory` retries.
 */
export class VirtualConnector implements IConnector {
  readonly #host: StreamHost;
  readonly #carrier: StreamCarrier;
  readonly #request: VirtualConnectRequest;
  readonly #destination: IPv4Address | IPv6Address;
  #state: ConnectorState = 'disconnected';
  #factoryStarted = false;
  #attempt: Attempt | undefined;
  #transport: VirtualConnection | undefined;

  /** @internal Made by `VirtualHost.connectTCP`, which then calls {@link connect}. */
  constructor(
    host: StreamHost,
    carrier: StreamCarrier,
    request: VirtualConnectRequest,
    destination: IPv4Address | IPv6Address,
  ) {
    this.#host = host;
    this.#carrier = carrier;
    this.#request = request;
    this.#destination = destination;
    request.signal?.addEventListener('abort', () => this.disconnect(), { once: true });
  }

  /** What the connector is doing: `'disconnected'`, `'connecting'` or `'connected'`. */
  get state(): ConnectorState {
    return this.#state;
  }

  /** The connection's transport while connected, else `undefined` (Twisted's `connector.transport`). */
  get transport(): VirtualConnection | undefined {
    return this.#transport;
  }

  /** The factory this connector reports to. */
  get factory(): IClientFactory {
    return this.#request.factory;
  }

  /**
   * Starts a connection attempt (again, after a failure or a lost connection).
   *
   * @throws ConnectorStateError unless `'disconnected'`.
   */
  connect(): void {
    if (this.#state !== 'disconnected') {
      throw new ConnectorStateError(`Can't connect in this state: the connector is ${this.#state}.`);
    }
    this.#state = 'connecting';
    const factory = this.#request.factory;
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.#hook('startFactory', () => factory.doStart());
    }
    const attempt = new Attempt(this);
    this.#attempt = attempt;
    this.#host.registerConnection(attempt);
    const timeout = this.#request.timeout;
    if (timeout !== Infinity) {
      attempt.timer = this.#host.clock.callLater(timeout, () =>
        this.attemptFailed(attempt, new TimeoutError(`Connecting took longer than ${timeout} seconds.`)),
      );
    }
    attempt.handshake = this.#carrier.connect({
      client: this.#host,
      host: this.#request.host,
      port: this.#request.port,
      bindAddress: this.#request.bindAddress,
      established: (connection) => this.#connected(attempt, connection),
      failed: (error) => this.attemptFailed(attempt, error),
    });
    this.#hook('startedConnecting', () => factory.startedConnecting(this));
  }

  /** Stops the attempt while connecting; closes the connection (`loseConnection`) while connected. */
  disconnect(): void {
    if (this.#state === 'connecting') this.stopConnecting();
    else if (this.#state === 'connected') this.#transport?.loseConnection();
  }

  /**
   * Stops the attempt in progress: the factory gets `clientConnectionFailed` with `UserError`.
   *
   * @throws NotConnectingError unless `'connecting'`.
   */
  stopConnecting(): void {
    const attempt = this.#attempt;
    if (this.#state !== 'connecting' || attempt === undefined) {
      throw new NotConnectingError("We're not trying to connect.");
    }
    this.attemptFailed(attempt, new UserError());
  }

  /** Where this connector connects to: `IPv4Address('TCP', host, port)` with the host as given. */
  getDestination(): IPv4Address | IPv6Address {
    return this.#destination;
  }

  /** `<VirtualConnector to IPv4Address(type='TCP', host='10.0.0.2', port=8000) connecting>`. */
  toString(): string {
    return `<VirtualConnector to ${String(this.#destination)} ${this.#state}>`;
  }

  /** Shows {@link toString} in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** @internal An attempt failed (timeout, refusal, `stopConnecting`, shutdown): the factory is told. */
  attemptFailed(attempt: Attempt, error: Error): void {
    if (this.#attempt !== attempt) return;
    this.#endAttempt(attempt);
    this.#state = 'disconnected';
    const reason = new Failure(error);
    this.#hook('clientConnectionFailed', () => this.#request.factory.clientConnectionFailed(this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  #endAttempt(attempt: Attempt): void {
    this.#attempt = undefined;
    this.#host.unregisterConnection(attempt);
    if (attempt.timer?.active() === true) attempt.timer.cancel();
    attempt.handshake?.abort();
  }

  #connected(attempt: Attempt, connection: VirtualConnection): void {
    if (this.#attempt !== attempt) {
      connection.refuse('reset');
      return;
    }
    attempt.handshake = undefined; // the connection is made: nothing to abandon
    this.#endAttempt(attempt);
    this.#state = 'connected';
    const factory = this.#request.factory;
    let protocol: IProtocol | undefined;
    try {
      protocol = checkBuiltProtocol(factory.buildProtocol(connection.getPeer()), factory);
    } catch (e) {
      // As the real connector (and Twisted): a client whose buildProtocol raised fails to connect.
      logErr(e, `Error building a protocol for ${String(this)}; connection closed`);
      connection.refuse('fin');
      this.#state = 'disconnected';
      const reason = new Failure(new ConnectError(`buildProtocol raised: ${String(e)}`, { cause: e }));
      this.#hook('clientConnectionFailed', () => factory.clientConnectionFailed(this, reason));
      this.#stopFactoryUnlessReconnecting();
      return;
    }
    // A factory that refuses (undefined) gets a connection that closes at once, as in Twisted.
    const refused = protocol === undefined;
    this.#transport = connection;
    connection.start(protocol ?? new Protocol(), `${protocolName(protocol ?? factory)},client`, (reason) =>
      this.#connectionLost(reason),
    );
    if (refused) connection.loseConnection();
  }

  #connectionLost(reason: Failure): void {
    this.#transport = undefined;
    this.#state = 'disconnected';
    this.#hook('clientConnectionLost', () => this.#request.factory.clientConnectionLost(this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  /** Unless the factory called `connect()` from its callback, it is stopped (Twisted). */
  #stopFactoryUnlessReconnecting(): void {
    if (this.#state !== 'disconnected' || !this.#factoryStarted) return;
    this.#factoryStarted = false;
    this.#hook('stopFactory', () => this.#request.factory.doStop());
  }

  /** Calls a factory hook: a throw or a rejection is logged, never thrown into the clock. */
  #hook(name: string, fn: () => unknown): void {
    const why = `Unhandled error in ${protocolName(this.#request.factory)}.${name}`;
    let result: unknown;
    try {
      result = fn();
    } catch (e) {
      logErr(e, why);
      return;
    }
    watchHookResult(result, (e) => logErr(e, why));
  }
}
