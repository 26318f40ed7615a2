/**
 * Twisted's `twisted.internet.protocol.ServerFactory`.
 *
 * @module
 */
import type { IProtocol } from '../interfaces.ts';
import { Factory } from './factory.ts';

/**
 * A {@link Factory} meant for servers only (`listenTCP`, `listenUNIX`): it adds nothing, and
 * says so in the class name, as in Twisted.
 *
 * @example
 * class EchoFactory extends ServerFactory<Echo> {
 *   override protocol = Echo;
 * }
 */
export class ServerFactory<P extends IProtocol = IProtocol> extends Factory<P> {}
