/**
 * What a client endpoint gives the reactor instead of the user's factory (Twisted's
 * `endpoints._WrappingFactory` and `_WrappingProtocol`): it turns the connector's callbacks into
 * one Deferred that fires with the user's protocol once it is connected.
 *
 * @internal
 */
import { Deferred } from '../defer/deferred.ts';
import { ConnectingCancelledError, NoProtocol } from '../errors/endpoints.ts';
import type { Failure } from '../failure.ts';
import type { IConnector, IProtocol, IProtocolFactory, StreamAddress } from '../interfaces.ts';
import { ClientFactory } from '../protocols/client-factory.ts';
import { WrappingProtocol } from './wrapping-protocol.ts';

/**
 * Stands in front of the user's protocol: on `connectionMade` it connects the user's protocol to
 * the same transport and fires the endpoint's Deferred; everything else passes through.
 */
export class ConnectedNotifier extends WrappingProtocol {
  readonly #connected: Deferred<IProtocol>;

  constructor(connected: Deferred<IProtocol>, wrappedProtocol: IProtocol) {
    super(wrappedProtocol);
    this.#connected = connected;
  }

  /** Connects the user's protocol, then fires the endpoint's Deferred with it. */
  override connectionMade(): void | Promise<void> {
    const made = this.wrappedProtocol.makeConnection(this.transport);
    if (!this.#connected.called) this.#connected.callback(this.wrappedProtocol);
    return made;
  }
}

/** The factory a client endpoint connects with; `onConnection` is what `connect()` returns. */
export class ConnectingFactory extends ClientFactory<ConnectedNotifier> {
  readonly wrappedFactory: IProtocolFactory;
  readonly onConnection: Deferred<IProtocol>;
  #connector: IConnector | undefined = undefined;

  constructor(wrappedFactory: IProtocolFactory) {
    super();
    this.wrappedFactory = wrappedFactory;
    this.noisy = false;
    // Cancelling stops the attempt; the Deferred fails with where it was going.
    this.onConnection = new Deferred<IProtocol>((d) => {
      const connector = this.#connector;
      d.errback(new ConnectingCancelledError(connector?.getDestination()));
      if (connector?.state === 'connecting') connector.stopConnecting();
    });
  }

  /** The user's factory's log prefix. */
  override logPrefix(): string {
    const inner = this.wrappedFactory as { logPrefix?: () => string };
    return typeof inner.logPrefix === 'function' ? inner.logPrefix() : this.wrappedFactory.constructor.name;
  }

  /** Keeps the connector, for cancelling. */
  override startedConnecting(connector: IConnector): void {
    this.#connector = connector;
  }

  /** Passed through to the user's factory. */
  override doStart(): void | Promise<void> {
    return this.wrappedFactory.doStart();
  }

  /** Passed through to the user's factory. */
  override doStop(): void | Promise<void> {
    return this.wrappedFactory.doStop();
  }

  /**
   * The user's protocol behind a notifier; a factory that throws or builds nothing fails the
   * Deferred (with `NoProtocol` for nothing) and the connection is closed.
   */
  override buildProtocol(addr: StreamAddress): ConnectedNotifier | undefined {
    let protocol: IProtocol | undefined;
    try {
      protocol = this.wrappedFactory.buildProtocol(addr);
      if (protocol === undefined || protocol === null)
        throw new NoProtocol(`${this.logPrefix()}.buildProtocol returned nothing.`);
    } catch (e) {
      if (!this.onConnection.called) this.onConnection.errback(e);
      return undefined;
    }
    return new ConnectedNotifier(this.onConnection, protocol);
  }

  /** The attempt failed: so does the Deferred. */
  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.onConnection.called) this.onConnection.errback(reason);
  }

  /** The connection ended before `connectionMade` (a refused protocol): the Deferred fails. */
  override clientConnectionLost(_connector: IConnector, reason: Failure): void {
    if (!this.onConnection.called) this.onConnection.errback(reason);
  }
}
