/**
 * The protocol a client endpoint puts in front of the user's (Twisted's
 * `endpoints._WrappingProtocol`): it relays data, the end of the connection and — when the
 * user's protocol handles it — half-close; subclasses decide what `connectionMade` does.
 *
 * @internal
 */
import type { Failure } from '../failure.ts';
import type { IHalfCloseableProtocol, IProtocol, ITransport } from '../interfaces.ts';
import { Protocol } from '../protocols/protocol.ts';

/** Stands in front of the user's protocol and passes everything but `connectionMade` through. */
export abstract class WrappingProtocol extends Protocol<ITransport> {
  /** The user's protocol. */
  readonly wrappedProtocol: IProtocol;
  /** Relayed only when the user's protocol handles half-close (the transport looks for it). */
  declare readConnectionLost?: () => void | Promise<void>;
  /** Relayed only when the user's protocol handles half-close. */
  declare writeConnectionLost?: () => void | Promise<void>;

  constructor(wrappedProtocol: IProtocol) {
    super();
    this.wrappedProtocol = wrappedProtocol;
    const halfClose = wrappedProtocol as Partial<IHalfCloseableProtocol>;
    if (
      typeof halfClose.readConnectionLost === 'function' &&
      typeof halfClose.writeConnectionLost === 'function'
    ) {
      this.readConnectionLost = () => halfClose.readConnectionLost!();
      this.writeConnectionLost = () => halfClose.writeConnectionLost!();
    }
  }

  /** The user's protocol's prefix, so logs name it. */
  override logPrefix(): string {
    const inner = this.wrappedProtocol as { logPrefix?: () => string };
    return typeof inner.logPrefix === 'function' ? inner.logPrefix() : this.wrappedProtocol.constructor.name;
  }

  /** Passed through. */
  override dataReceived(data: Buffer): void | Promise<void> {
    return this.wrappedProtocol.dataReceived(data);
  }

  /** Passed through. */
  override connectionLost(reason: Failure): void | Promise<void> {
    return this.wrappedProtocol.connectionLost(reason);
  }
}
