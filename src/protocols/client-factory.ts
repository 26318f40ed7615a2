/**
 * Twisted's `twisted.internet.protocol.ClientFactory`.
 *
 * @module
 */
import type { Failure } from '../failure.ts';
import type { IClientFactory, IConnector, IProtocol } from '../interfaces.ts';
import { Factory } from './factory.ts';

/**
 * A factory for client connections (`connectTCP`, `connectUNIX`, `connectSSL`): the connector
 * tells it when an attempt starts, fails, or when the connection it made is lost. Calling
 * `connector.connect()` from `clientConnectionFailed` or `clientConnectionLost` tries again
 * (`ReconnectingClientFactory` does so with a back-off).
 *
 * @example
 * class EchoClientFactory extends ClientFactory<EchoClient> {
 *   override protocol = EchoClient;
 *   override clientConnectionFailed(_connector: IConnector, reason: Failure) {
 *     console.log('connection failed:', reason.getErrorMessage());
 *     reactor.stop();
 *   }
 * }
 */
export class ClientFactory<P extends IProtocol = IProtocol> extends Factory<P> implements IClientFactory {
  /**
   * A connection attempt has started; `connector.stopConnecting()` may cancel it. Called
   * synchronously by `connectTCP` and `connector.connect()`. The default does nothing.
   */
  startedConnecting(_connector: IConnector): void | Promise<void> {}

  /**
   * The attempt failed: `reason.value` is a `ConnectError` (`ConnectionRefusedError`,
   * `TimeoutError`, `DNSLookupError`, `UserError` after `stopConnecting()`…). The default does
   * nothing.
   */
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void | Promise<void> {}

  /**
   * A connection this factory's protocol had was lost: `reason.value` is a `ConnectionDone` or
   * a `ConnectionLost`. Called after the protocol's `connectionLost`. The default does nothing.
   */
  clientConnectionLost(_connector: IConnector, _reason: Failure): void | Promise<void> {}
}
