/**
 * `Connector`: a client connection's handle (Twisted's `base.BaseConnector` with `tcp.Connector`
 * and `unix.Connector`): it makes connection attempts, times them out, and tells its
 * `ClientFactory` how each went.
 *
 * @module
 */
import type net from 'node:net';
import {
  ConnectError,
  ConnectionLost,
  ConnectorStateError,
  NotConnectingError,
  TimeoutError,
  UserError,
} from '../../errors.ts';
import { Failure } from '../../failure.ts';
import type {
  IClientFactory,
  IConnector,
  IDelayedCall,
  IProtocol,
  IReactorTime,
  IRegisteredConnection,
  StreamAddress,
  ConnectorState,
} from '../../interfaces.ts';
import { err as logErr } from '../../log/log.ts';
import { Protocol } from '../../protocols/protocol.ts';
import { Connection } from './connection.ts';
import { watchHookResult } from './hook-result.ts';
import { checkBuiltProtocol } from './stream-checks.ts';
import { protocolName } from './stream-port.ts';
import type { StreamOwner } from './stream-port.ts';

/** What a connector needs from its reactor: time (timeouts), names, the registry. */
export type ConnectorOwner = StreamOwner & Pick<IReactorTime, 'callLater'>;

/**
 * How a connector reaches its destination: TCP or UNIX (and, through `wrapSocket`, TLS).
 * @internal
 */
export interface Dialer<A extends StreamAddress> {
  /** Where it connects to, for `getDestination()`. */
  readonly destination: StreamAddress;
  /** `'TCP'` or `'UNIX'` (whether aborts send a reset). */
  readonly type: 'TCP' | 'UNIX';
  /**
   * Starts one attempt: calls `connected(socket)` once the socket is connected, `failed(error)`
   * (a `ConnectError`) otherwise; returns how to abandon it.
   */
  dial(owner: ConnectorOwner, events: DialEvents): () => void;
  /** The addresses of a connected socket. */
  addresses(socket: net.Socket): { host: A; peer: A };
  /** The TLS seam: the socket the connection uses, made from the connected one. */
  wrapSocket?(socket: net.Socket): net.Socket;
  /** The TLS seam: the reason for a socket error. */
  errorReason?(error: Error): Error;
}

/** What a dial reports. @internal */
export interface DialEvents {
  /** The socket is connected. */
  connected(socket: net.Socket): void;
  /** The attempt failed. */
  failed(error: Error): void;
}

/** One connection attempt: registered with the reactor while it lasts, so shutdown ends it. */
class Attempt implements IRegisteredConnection {
  timer: IDelayedCall | undefined;
  abandon: (() => void) | undefined;
  readonly #connector: Connector<StreamAddress>;
  constructor(connector: Connector<StreamAddress>) {
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
 * A client connection's handle, as `reactor.connectTCP` and `connectUNIX` return it.
 *
 * `connect()` starts an attempt (`connectTCP` has started the first, and called the factory's
 * `startedConnecting`); the outcome reaches the factory: `buildProtocol` and then the protocol's
 * `connectionMade` on success, `clientConnectionFailed(connector, reason)` on failure (a
 * `ConnectError`: refused, timed out, DNS…), and `clientConnectionLost(connector, reason)` when
 * the connection ends. Calling `connector.connect()` from either starts over. The factory is
 * started (`doStart`) with the first attempt and stopped (`doStop`) when an attempt fails or a
 * connection ends without a reconnect.
 *
 * @example
 * const connector = reactor.connectTCP('127.0.0.1', 8000, factory);
 * connector.stopConnecting(); // clientConnectionFailed(connector, UserError)
 */
export class Connector<A extends StreamAddress = StreamAddress> implements IConnector {
  #state: ConnectorState = 'disconnected';
  readonly #owner: ConnectorOwner;
  readonly #factory: IClientFactory;
  readonly #timeout: number;
  readonly #dialer: Dialer<A>;
  #factoryStarted = false;
  #attempt: Attempt | undefined = undefined;
  #transport: Connection<A> | undefined = undefined;

  /** @internal Made by `connectTCP`/`connectUNIX`, which then call {@link connect}. */
  constructor(
    owner: ConnectorOwner,
    factory: IClientFactory,
    timeout: number,
    dialer: Dialer<A>,
    signal?: AbortSignal,
  ) {
    this.#owner = owner;
    this.#factory = factory;
    this.#timeout = timeout;
    this.#dialer = dialer;
    signal?.addEventListener('abort', () => this.disconnect(), { once: true });
  }

  /** What the connector is doing: `'disconnected'`, `'connecting'` or `'connected'`. */
  get state(): ConnectorState {
    return this.#state;
  }

  /** The connection's transport while connected, else `undefined` (Twisted's `connector.transport`). */
  get transport(): Connection<A> | undefined {
    return this.#transport;
  }

  /** The factory this connector reports to. */
  get factory(): IClientFactory {
    return this.#factory;
  }

  /**
   * Starts a connection attempt (again, after a failure or a lost connection): the factory is
   * started if it is not, a timeout armed, `startedConnecting(this)` called.
   *
   * @throws ConnectorStateError unless `'disconnected'`.
   */
  connect(): void {
    if (this.#state !== 'disconnected') {
      throw new ConnectorStateError(`Can't connect in this state: the connector is ${this.#state}.`);
    }
    this.#state = 'connecting';
    if (!this.#factoryStarted) {
      this.#factoryStarted = true;
      this.#hook('startFactory', () => this.#factory.doStart());
    }
    const attempt = new Attempt(this as Connector<StreamAddress>);
    this.#attempt = attempt;
    this.#owner.registerConnection(attempt);
    if (this.#timeout !== Infinity) {
      attempt.timer = this.#owner.callLater(this.#timeout, () =>
        this.attemptFailed(
          attempt,
          new TimeoutError(`Connecting took longer than ${this.#timeout} seconds.`),
        ),
      );
    }
    attempt.abandon = this.#dialer.dial(this.#owner, {
      connected: (socket) => this.#connected(attempt, socket),
      failed: (error) => this.attemptFailed(attempt, error),
    });
    this.#hook('startedConnecting', () => this.#factory.startedConnecting(this));
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

  /** Where this connector connects to (`IPv4Address('TCP', host, port)` with the host as given, or a `UNIXAddress`). */
  getDestination(): StreamAddress {
    return this.#dialer.destination;
  }

  /** `<Connector to IPv4Address(type='TCP', host='127.0.0.1', port=8000) connecting>`. */
  toString(): string {
    return `<Connector to ${String(this.#dialer.destination)} ${this.#state}>`;
  }

  /** @internal An attempt failed (timeout, refusal, `stopConnecting`, shutdown): the factory is told. */
  attemptFailed(attempt: Attempt, error: Error): void {
    if (this.#attempt !== attempt) return;
    this.#endAttempt(attempt);
    this.#state = 'disconnected';
    const reason = new Failure(error);
    this.#hook('clientConnectionFailed', () => this.#factory.clientConnectionFailed(this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  #endAttempt(attempt: Attempt): void {
    this.#attempt = undefined;
    this.#owner.unregisterConnection(attempt);
    if (attempt.timer?.active()) attempt.timer.cancel();
    try {
      attempt.abandon?.();
    } catch (e) {
      logErr(e, `Error abandoning ${String(attempt)}`);
    }
  }

  #connected(attempt: Attempt, socket: net.Socket): void {
    if (this.#attempt !== attempt) {
      socket.destroy();
      return;
    }
    attempt.abandon = undefined; // the socket now belongs to the connection
    this.#endAttempt(attempt);
    this.#state = 'connected';
    const dialer = this.#dialer;
    const { host, peer } = dialer.addresses(socket);
    let protocol: IProtocol | undefined;
    try {
      protocol = checkBuiltProtocol(this.#factory.buildProtocol(peer), this.#factory);
    } catch (e) {
      // Twisted: a client whose buildProtocol raised fails to connect, with a ConnectError.
      logErr(e, `Error building a protocol for ${String(this)}; connection closed`);
      socket.destroy();
      this.#state = 'disconnected';
      const reason = new Failure(new ConnectError(`buildProtocol raised: ${String(e)}`, { cause: e }));
      this.#hook('clientConnectionFailed', () => this.#factory.clientConnectionFailed(this, reason));
      this.#stopFactoryUnlessReconnecting();
      return;
    }
    // Twisted: a factory that refuses (None) gets a connection that closes at once.
    const refused = protocol === undefined;
    const transport = new Connection<A>({
      socket: dialer.wrapSocket?.(socket) ?? socket,
      protocol: protocol ?? new Protocol(),
      owner: this.#owner,
      host: () => host,
      peer,
      logPrefix: `${protocolName(protocol ?? this.#factory)},client`,
      tcp: dialer.type === 'TCP',
      side: 'client',
      onLost: (reason) => this.#connectionLost(reason),
      errorReason: dialer.errorReason?.bind(dialer),
    });
    this.#transport = transport;
    transport.start();
    if (refused) transport.loseConnection();
  }

  #connectionLost(reason: Failure): void {
    this.#transport = undefined;
    this.#state = 'disconnected';
    this.#hook('clientConnectionLost', () => this.#factory.clientConnectionLost(this, reason));
    this.#stopFactoryUnlessReconnecting();
  }

  /** Unless the factory called `connect()` from its callback, it is stopped (Twisted). */
  #stopFactoryUnlessReconnecting(): void {
    if (this.#state !== 'disconnected' || !this.#factoryStarted) return;
    this.#factoryStarted = false;
    this.#hook('stopFactory', () => this.#factory.doStop());
  }

  /** Calls a factory hook: a throw or a rejection is logged, never thrown into the event loop. */
  #hook(name: string, fn: () => unknown): void {
    const why = `Unhandled error in ${protocolName(this.#factory)}.${name}`;
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
