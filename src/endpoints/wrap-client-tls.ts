/**
 * Twisted's `endpoints.wrapClientTLS`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import { TLSError } from '../errors.ts';
import type {
  IProtocol,
  IProtocolFactory,
  IStreamClientEndpoint,
  ITLSContextFactory,
  ITLSTransport,
  ITransport,
  StreamAddress,
} from '../interfaces.ts';
import { Factory } from '../protocols/factory.ts';
import { invalidArgType } from '../validate.ts';
import { WrappingProtocol } from './wrapping-protocol.ts';

/** Starts TLS on the connection, then connects the user's protocol to it. */
class TLSStarter extends WrappingProtocol {
  readonly #creator: ITLSContextFactory;

  constructor(creator: ITLSContextFactory, wrappedProtocol: IProtocol) {
    super(wrappedProtocol);
    this.#creator = creator;
  }

  override connectionMade(): void | Promise<void> {
    const transport = this.transport as ITransport & Partial<ITLSTransport>;
    if (typeof transport.startTLS !== 'function') {
      throw new TLSError(
        `The wrapped endpoint's transport (${transport.constructor.name}) cannot start TLS.`,
      );
    }
    transport.startTLS(this.#creator);
    return this.wrappedProtocol.makeConnection(transport);
  }
}

/** Wraps the user's factory: each protocol gets TLS started under it. */
class TLSStartingFactory extends Factory<TLSStarter> {
  readonly #creator: ITLSContextFactory;
  readonly #wrapped: IProtocolFactory;
  constructor(creator: ITLSContextFactory, wrapped: IProtocolFactory) {
    super();
    this.#creator = creator;
    this.#wrapped = wrapped;
    this.noisy = false;
  }
  override doStart(): void | Promise<void> {
    return this.#wrapped.doStart();
  }
  override doStop(): void | Promise<void> {
    return this.#wrapped.doStop();
  }
  override buildProtocol(addr: StreamAddress): TLSStarter | undefined {
    const inner = this.#wrapped.buildProtocol(addr);
    return inner === undefined ? undefined : new TLSStarter(this.#creator, inner);
  }
}

/** An endpoint that connects through another and starts TLS at once (see {@link wrapClientTLS}). */
export class TLSWrapperClientEndpoint implements IStreamClientEndpoint {
  /** The TLS settings (`optionsForClientTLS(host)`). */
  readonly connectionCreator: ITLSContextFactory;
  /** The endpoint connected through. */
  readonly wrappedEndpoint: IStreamClientEndpoint;

  /** Use {@link wrapClientTLS}. */
  constructor(connectionCreator: ITLSContextFactory, wrappedEndpoint: IStreamClientEndpoint) {
    this.connectionCreator = connectionCreator;
    this.wrappedEndpoint = wrappedEndpoint;
  }

  /** Connects through the wrapped endpoint with TLS on top; fires with the user's protocol. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return this.wrappedEndpoint
      .connect(new TLSStartingFactory(this.connectionCreator, factory))
      .addCallback((starter: IProtocol) => (starter as TLSStarter).wrappedProtocol);
  }
}

/**
 * An endpoint that connects through `wrappedEndpoint` and starts TLS as soon as the connection
 * is made (Twisted's `wrapClientTLS`): the protocol sees `connectionMade` at once and speaks
 * TLS; a failed handshake reaches `connectionLost` as a `TLSError`.
 *
 * @example
 * const endpoint = wrapClientTLS(optionsForClientTLS('example.com'), new HostnameEndpoint(reactor, 'example.com', 443));
 */
export function wrapClientTLS(
  connectionCreator: ITLSContextFactory,
  wrappedEndpoint: IStreamClientEndpoint,
): TLSWrapperClientEndpoint {
  if (
    connectionCreator === null ||
    typeof connectionCreator !== 'object' ||
    typeof connectionCreator.getTLSOptions !== 'function'
  ) {
    throw invalidArgType(
      'connectionCreator',
      'TLS settings (optionsForClientTLS(…), CertificateOptions…)',
      connectionCreator,
    );
  }
  if (
    wrappedEndpoint === null ||
    typeof wrappedEndpoint !== 'object' ||
    typeof wrappedEndpoint.connect !== 'function'
  ) {
    throw invalidArgType('wrappedEndpoint', 'a client endpoint', wrappedEndpoint);
  }
  return new TLSWrapperClientEndpoint(connectionCreator, wrappedEndpoint);
}
