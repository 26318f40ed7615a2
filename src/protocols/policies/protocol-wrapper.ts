/**
 * Twisted's `twisted.protocols.policies.ProtocolWrapper`.
 *
 * @module
 */
import type { Failure } from '../../failure.ts';
import type {
  IHalfCloseableProtocol,
  IProtocol,
  IProtocolFactory,
  IPullProducer,
  IPushProducer,
  IStreamTransport,
  ITLSContextFactory,
  StreamAddress,
} from '../../interfaces.ts';
import { invalidArgType } from '../../validate.ts';
import { Protocol } from '../protocol.ts';

/**
 * The factory of a {@link ProtocolWrapper} (a {@link WrappingFactory}, or Twisted's
 * `LimitTotalConnectionsFactory`): told when each wrapper's connection starts and ends.
 */
export interface ProtocolWrapperFactory extends IProtocolFactory {
  /** Called when the wrapper's connection is made. */
  registerProtocol(wrapper: ProtocolWrapper): void;
  /** Called when the wrapper's connection is lost. */
  unregisterProtocol(wrapper: ProtocolWrapper): void;
}

/** What a transport may offer beyond {@link IStreamTransport}, relayed when it does. */
interface TransportExtras {
  getHandle?(): unknown;
  startTLS?(contextFactory: ITLSContextFactory, normal?: boolean): void;
  getPeerCertificate?(): unknown;
}

/** `<wrapped's prefix or class> (<wrapper class>)`, Twisted's `_wrappedLogPrefix`. */
export function wrappedLogPrefix(wrapper: object, wrapped: object | undefined): string {
  const inner =
    wrapped !== undefined && typeof (wrapped as { logPrefix?: unknown }).logPrefix === 'function'
      ? (wrapped as { logPrefix(): string }).logPrefix()
      : (wrapped?.constructor.name ?? 'undefined');
  return `${inner} (${wrapper.constructor.name})`;
}

/**
 * Wraps a protocol and stands between it and its transport: the connection's events reach the
 * wrapper, which passes them on, and the wrapped protocol's `transport` is the wrapper, which
 * relays to the real transport. Subclass it to watch or change traffic (Twisted's policies
 * — timeouts, throttling, logging — are built this way); a {@link WrappingFactory} makes one
 * per connection.
 *
 * A wrapped protocol that handles half-closed connections (`readConnectionLost`) keeps doing
 * so through the wrapper.
 */
export class ProtocolWrapper
  extends Protocol<IStreamTransport<StreamAddress>>
  implements IStreamTransport<StreamAddress>
{
  /** The protocol being wrapped. */
  readonly wrappedProtocol: IProtocol;
  /** The factory that made this wrapper, told when the connection is made and lost. */
  declare factory: ProtocolWrapperFactory;
  /** The peer finished sending (relayed only when the wrapped protocol handles half-close). */
  declare readConnectionLost?: () => void | Promise<void>;
  /** Our side finished sending (relayed only when the wrapped protocol handles half-close). */
  declare writeConnectionLost?: () => void | Promise<void>;

  #disconnecting = false;

  /**
   * The parameters are optional only in the type, so that a wrapper class can be a factory's
   * `protocol` (as in Twisted, `protocol = ProtocolWrapper`); both are required.
   *
   * @param factory - the factory that made the wrapper (told by `registerProtocol` and
   *   `unregisterProtocol` when the connection starts and ends).
   * @param wrappedProtocol - the protocol to wrap.
   */
  constructor(factory?: ProtocolWrapperFactory, wrappedProtocol?: IProtocol) {
    super();
    if (factory === null || typeof factory !== 'object' || typeof factory.registerProtocol !== 'function') {
      throw invalidArgType('factory', 'a WrappingFactory (an object with registerProtocol)', factory);
    }
    if (
      wrappedProtocol === null ||
      typeof wrappedProtocol !== 'object' ||
      typeof wrappedProtocol.makeConnection !== 'function'
    ) {
      throw invalidArgType('wrappedProtocol', 'a protocol', wrappedProtocol);
    }
    this.factory = factory;
    this.wrappedProtocol = wrappedProtocol;
    const halfClose = wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (typeof halfClose.readConnectionLost === 'function') {
      this.readConnectionLost = () => halfClose.readConnectionLost!();
      this.writeConnectionLost = () => halfClose.writeConnectionLost?.();
    }
  }

  /** `<wrapped protocol's prefix> (<wrapper class>)`. */
  override logPrefix(): string {
    return wrappedLogPrefix(this, this.wrappedProtocol);
  }

  /** Keeps the real transport, registers with the factory, then connects the wrapped protocol to this wrapper. */
  override makeConnection(transport: IStreamTransport<StreamAddress>): void | Promise<void> {
    const made = super.makeConnection(transport);
    this.factory.registerProtocol(this);
    const wrapped = this.wrappedProtocol.makeConnection(this);
    return made ?? wrapped;
  }

  // The protocol side: what the connection reports, passed on to the wrapped protocol.

  /** Passes the data on. */
  override dataReceived(data: Buffer): void | Promise<void> {
    return this.wrappedProtocol.dataReceived(data);
  }

  /** Unregisters from the factory and passes the end on. */
  override connectionLost(reason: Failure): void | Promise<void> {
    this.factory.unregisterProtocol(this);
    return this.wrappedProtocol.connectionLost(reason);
  }

  // The transport side: what the wrapped protocol asks, relayed to the real transport.

  /** Relays to the transport. */
  write(data: Uint8Array): void {
    this.transport.write(data);
  }

  /** Relays to the transport. */
  writeSequence(data: readonly Uint8Array[]): void {
    this.transport.writeSequence(data);
  }

  /** Notes that the connection is closing, and relays. */
  loseConnection(): void {
    this.#disconnecting = true;
    this.transport.loseConnection();
  }

  /** Relays to the transport. */
  abortConnection(): void {
    this.#disconnecting = true;
    this.transport.abortConnection();
  }

  /** Relays to the transport. */
  loseWriteConnection(): void {
    this.transport.loseWriteConnection();
  }

  /** The real transport's peer. */
  getPeer(): StreamAddress {
    return this.transport.getPeer();
  }

  /** The real transport's own address. */
  getHost(): StreamAddress {
    return this.transport.getHost();
  }

  /** Relays to the transport. */
  registerProducer(producer: IPushProducer | IPullProducer, streaming: boolean): void {
    this.transport.registerProducer(producer, streaming);
  }

  /** Relays to the transport. */
  unregisterProducer(): void {
    this.transport.unregisterProducer();
  }

  /** Relays to the transport. */
  pauseProducing(): void {
    this.transport.pauseProducing();
  }

  /** Relays to the transport. */
  resumeProducing(): void {
    this.transport.resumeProducing();
  }

  /** Relays to the transport. */
  stopProducing(): void {
    this.transport.stopProducing();
  }

  /** Relays to the transport. */
  getTcpNoDelay(): boolean {
    return this.transport.getTcpNoDelay();
  }

  /** Relays to the transport. */
  setTcpNoDelay(enabled: boolean): void {
    this.transport.setTcpNoDelay(enabled);
  }

  /** Relays to the transport. */
  getTcpKeepAlive(): boolean {
    return this.transport.getTcpKeepAlive();
  }

  /** Relays to the transport. */
  setTcpKeepAlive(enabled: boolean): void {
    this.transport.setTcpKeepAlive(enabled);
  }

  /** Whether `loseConnection()` was called through the wrapper, or the transport is closing. */
  get disconnecting(): boolean {
    return this.#disconnecting || this.transport?.disconnecting === true;
  }

  /** The transport's `disconnected`. */
  get disconnected(): boolean {
    return this.transport?.disconnected === true;
  }

  /** The underlying connection (Node's socket), when the transport offers `getHandle()`. */
  getHandle(): unknown {
    return (this.transport as TransportExtras).getHandle?.();
  }

  /** Relays `startTLS` to the transport (a TypeError if it has none). */
  startTLS(contextFactory: ITLSContextFactory, normal = true): void {
    const transport = this.transport as TransportExtras;
    if (typeof transport.startTLS !== 'function') {
      throw invalidArgType('transport', 'a transport that can start TLS', this.transport);
    }
    transport.startTLS(contextFactory, normal);
  }

  /** The peer's certificate, when the transport is a TLS one; else `undefined`. */
  getPeerCertificate(): unknown {
    return (this.transport as TransportExtras).getPeerCertificate?.();
  }
}
