/**
 * Twisted's `endpoints.connectProtocol`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { IProtocol, IStreamClientEndpoint } from '../interfaces.ts';
import { Factory } from '../protocols/factory.ts';
import { invalidArgType } from '../validate.ts';

/** A factory that hands out one given protocol (Twisted's `OneShotFactory`). */
class OneShotFactory extends Factory {
  readonly #protocol: IProtocol;
  constructor(protocol: IProtocol) {
    super();
    this.#protocol = protocol;
    this.noisy = false;
  }
  override buildProtocol(): IProtocol {
    return this.#protocol;
  }
}

/**
 * Connects a protocol instance through a client endpoint, without writing a factory: fires
 * with `protocol` once it is connected.
 *
 * @example
 * const proto = await connectProtocol(new TCP4ClientEndpoint(reactor, '127.0.0.1', 8080), new Greeter());
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: IStreamClientEndpoint,
  protocol: P,
): Deferred<P> {
  if (endpoint === null || typeof endpoint !== 'object' || typeof endpoint.connect !== 'function') {
    throw invalidArgType('endpoint', 'a client endpoint (an object with connect(factory))', endpoint);
  }
  if (protocol === null || typeof protocol !== 'object' || typeof protocol.makeConnection !== 'function') {
    throw invalidArgType('protocol', 'a protocol instance', protocol);
  }
  return endpoint.connect(new OneShotFactory(protocol)) as Deferred<P>;
}
