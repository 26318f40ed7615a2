/**
 * Twisted's `twisted.protocols.policies.WrappingFactory`.
 *
 * @module
 */
import type { Failure } from '../../failure.ts';
import type {
  IClientFactory,
  IConnector,
  IProtocol,
  IProtocolFactory,
  StreamAddress,
} from '../../interfaces.ts';
import { invalidArgType } from '../../validate.ts';
import { ClientFactory } from '../client-factory.ts';
import { ProtocolWrapper, wrappedLogPrefix, type ProtocolWrapperFactory } from './protocol-wrapper.ts';

/**
 * A wrapper class a {@link WrappingFactory} instantiates: `new protocol(factory, wrappedProtocol)`.
 * The factory parameter is typed `never` so that a wrapper needing a particular factory (as
 * `TimeoutProtocol` needs a `TimeoutFactory`) still fits; the factory passes itself.
 */
export type ProtocolWrapperClass<W extends ProtocolWrapper = ProtocolWrapper> = new (
  factory?: never,
  wrappedProtocol?: IProtocol,
) => W;

/**
 * Wraps a factory: each protocol the wrapped factory builds is wrapped in a `protocol` (a
 * {@link ProtocolWrapper} class), and the live wrappers are kept in `protocols`. Starting,
 * stopping and the client callbacks are passed on to the wrapped factory. The base of Twisted's
 * policies; subclass it and set `protocol` to a wrapper subclass.
 *
 * @example
 * class Spy extends ProtocolWrapper {
 *   override dataReceived(data: Buffer) {
 *     log.msg(`received ${data.length} bytes`);
 *     return super.dataReceived(data);
 *   }
 * }
 * class SpyingFactory extends WrappingFactory {
 *   override protocol = Spy;
 * }
 * reactor.listenTCP(8000, new SpyingFactory(Factory.forProtocol(Echo)));
 */
export class WrappingFactory<W extends ProtocolWrapper = ProtocolWrapper>
  extends ClientFactory<W>
  implements ProtocolWrapperFactory
{
  /** The wrapper class built for each connection. */
  override protocol: ProtocolWrapperClass<W> = ProtocolWrapper as unknown as ProtocolWrapperClass<W>;
  /** The factory whose protocols are wrapped. */
  readonly wrappedFactory: IProtocolFactory;
  /** The wrappers whose connection is up. */
  readonly protocols = new Set<W>();

  /** @param wrappedFactory - the factory whose protocols to wrap. */
  constructor(wrappedFactory: IProtocolFactory) {
    super();
    if (wrappedFactory === null || typeof wrappedFactory !== 'object') {
      throw invalidArgType('wrappedFactory', 'a protocol factory', wrappedFactory);
    }
    this.wrappedFactory = wrappedFactory;
  }

  /** `<wrapped factory's prefix> (<this class>)`. */
  override logPrefix(): string {
    return wrappedLogPrefix(this, this.wrappedFactory);
  }

  /** Starts the wrapped factory, then this one. */
  override doStart(): void | Promise<void> {
    const inner = (this.wrappedFactory as Partial<IProtocolFactory>).doStart?.();
    return super.doStart() ?? inner;
  }

  /** Stops the wrapped factory, then this one. */
  override doStop(): void | Promise<void> {
    const inner = (this.wrappedFactory as Partial<IProtocolFactory>).doStop?.();
    return super.doStop() ?? inner;
  }

  /** Passed on to the wrapped factory (when it is a client factory). */
  override startedConnecting(connector: IConnector): void | Promise<void> {
    return (this.wrappedFactory as Partial<IClientFactory>).startedConnecting?.(connector);
  }

  /** Passed on to the wrapped factory (when it is a client factory). */
  override clientConnectionFailed(connector: IConnector, reason: Failure): void | Promise<void> {
    return (this.wrappedFactory as Partial<IClientFactory>).clientConnectionFailed?.(connector, reason);
  }

  /** Passed on to the wrapped factory (when it is a client factory). */
  override clientConnectionLost(connector: IConnector, reason: Failure): void | Promise<void> {
    return (this.wrappedFactory as Partial<IClientFactory>).clientConnectionLost?.(connector, reason);
  }

  /**
   * A wrapper around the wrapped factory's protocol for `addr`; `undefined` (the connection is
   * refused) when the wrapped factory refuses it.
   */
  override buildProtocol(addr: StreamAddress): W | undefined {
    const wrapped = this.wrappedFactory.buildProtocol(addr);
    if (wrapped === undefined) return undefined;
    const Wrapper = this.protocol as unknown as new (factory: this, wrappedProtocol: IProtocol) => W;
    return new Wrapper(this, wrapped);
  }

  /** Called by a wrapper when its connection is made. */
  registerProtocol(wrapper: ProtocolWrapper): void {
    this.protocols.add(wrapper as W);
  }

  /** Called by a wrapper when its connection is lost. */
  unregisterProtocol(wrapper: ProtocolWrapper): void {
    this.protocols.delete(wrapper as W);
  }
}
