/**
 * The factory of stream protocols (Twisted's `twisted.internet.protocol.Factory`).
 *
 * @module
 */
import type { IProtocol, IProtocolFactory, StreamAddress } from '../interfaces.ts';
import { msg } from '../log/log.ts';
import { invalidArgType } from '../validate.ts';

/** A protocol class a factory can instantiate: constructed with no arguments, as Twisted's `self.protocol()`. */
export type ProtocolClass<P extends IProtocol = IProtocol> = new () => P;

/**
 * Makes a protocol for each connection: by default an instance of `protocol`, with its
 * `factory` set. Ports and connectors count themselves in `numPorts` through `doStart`/`doStop`:
 * the first to start runs `startFactory()`, the last to stop `stopFactory()`, however many ports
 * share the factory.
 *
 * @example
 * const factory = Factory.forProtocol(Echo);
 * reactor.listenTCP(8000, factory);
 *
 * class ChatFactory extends Factory<Chat> {
 *   override protocol = Chat;
 *   readonly users = new Map<string, Chat>();
 * }
 */
export class Factory<P extends IProtocol = IProtocol> implements IProtocolFactory {
  /**
   * The protocol class `buildProtocol` instantiates (with no arguments), or `undefined` when a
   * subclass overrides `buildProtocol` instead.
   */
  protocol: ProtocolClass<P> | undefined = undefined;

  /** How many ports and connectors are using this factory now. */
  numPorts = 0;

  /** Whether starting and stopping are logged ("Starting factory …"), as Twisted does by default. */
  noisy = true;

  /**
   * A factory of this class (constructed with `args`) whose `protocol` is `protocol`: Twisted's
   * `Factory.forProtocol`.
   *
   * @example
   * reactor.listenTCP(8000, Factory.forProtocol(Echo));
   * reactor.connectTCP('127.0.0.1', 8000, ClientFactory.forProtocol(Greeter));
   */
  static forProtocol<F extends Factory<IProtocol>, A extends unknown[]>(
    this: new (...args: A) => F,
    protocol: NonNullable<F['protocol']>,
    ...args: A
  ): F {
    if (typeof protocol !== 'function') {
      throw invalidArgType('protocol', 'a protocol class (e.g. a subclass of Protocol)', protocol);
    }
    const factory = new this(...args);
    (factory as Factory<IProtocol>).protocol = protocol;
    return factory;
  }

  /** The `system` name of what this factory logs: its class name. */
  logPrefix(): string {
    return this.constructor.name;
  }

  /**
   * Called by a port or connector as it starts using this factory: runs `startFactory()` for the
   * first, and counts. Returns what `startFactory` returned, so that the caller logs the
   * rejection of an `async` one. Do not call it yourself.
   */
  doStart(): void | Promise<void> {
    let started: void | Promise<void> = undefined;
    if (this.numPorts === 0) {
      if (this.noisy) msg(`Starting factory <${this.logPrefix()}>`);
      started = this.startFactory();
    }
    this.numPorts += 1;
    return started;
  }

  /**
   * Called by a port or connector as it stops using this factory: counts down and runs
   * `stopFactory()` for the last. A call with nothing counted is ignored, as in Twisted. Returns
   * what `stopFactory` returned. Do not call it yourself.
   */
  doStop(): void | Promise<void> {
    if (this.numPorts === 0) return undefined;
    this.numPorts -= 1;
    if (this.numPorts !== 0) return undefined;
    if (this.noisy) msg(`Stopping factory <${this.logPrefix()}>`);
    return this.stopFactory();
  }

  /**
   * Called before the first port or connector uses this factory (once, however many share it):
   * open a database, read files. It may be `async` (a rejection is logged).
   */
  startFactory(): void | Promise<void> {}

  /** Called after the last port or connector stopped using this factory. It may be `async`. */
  stopFactory(): void | Promise<void> {}

  /**
   * A protocol for a new connection with `addr` (the peer's address): a new `protocol()` with
   * its `factory` set to this factory. Override to build protocols that take arguments, or
   * return `undefined` to refuse the connection (it is closed at once).
   *
   * @throws TypeError when `protocol` is not set.
   */
  buildProtocol(_addr: StreamAddress): P | undefined {
    const ProtocolClass = this.protocol;
    if (typeof ProtocolClass !== 'function') {
      throw invalidArgType(
        `${this.logPrefix()}.protocol`,
        'a protocol class: set factory.protocol, use Factory.forProtocol(P), or override buildProtocol()',
        ProtocolClass,
      );
    }
    const protocol = new ProtocolClass();
    if (protocol !== null && typeof protocol === 'object') {
      (protocol as { factory?: IProtocolFactory }).factory = this;
    }
    return protocol;
  }
}
