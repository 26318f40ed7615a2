/**
 * Twisted's `TCP4ServerEndpoint` and `TCP6ServerEndpoint`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { IListeningPort, IProtocolFactory, IReactorTCP, IStreamServerEndpoint } from '../interfaces.ts';
import { DEFAULT_BACKLOG, validateBacklog } from '../transports/tcp/stream-checks.ts';
import { validateInterface, validatePort } from '../validate.ts';
import { checkReactor, execute, readArgs } from './endpoint-args.ts';

/** The keyword form of the TCP server endpoints' arguments. */
export interface TCPServerEndpointOptions {
  /** The listen queue's length (default 50). */
  backlog?: number;
  /** The interface to listen on: `''` (every IPv4 one) or an IP literal. */
  interface?: string;
}

/** What the two TCP server endpoints share (Twisted's `_TCPServerEndpoint`). */
export abstract class TCPServerEndpoint implements IStreamServerEndpoint {
  /** The reactor listened with. */
  readonly reactor: IReactorTCP;
  /** The port (0: any free one). */
  readonly port: number;
  /** The listen queue's length. */
  readonly backlog: number;
  /** The interface address. */
  readonly interface: string;

  constructor(reactor: IReactorTCP, port: number, args: Record<string, unknown>, defaultInterface: string) {
    this.reactor = checkReactor<IReactorTCP>(reactor, ['listenTCP']);
    validatePort(port, 'port');
    const backlog = args.backlog ?? DEFAULT_BACKLOG;
    validateBacklog(backlog);
    const iface = args.interface ?? defaultInterface;
    validateInterface(iface, 'interface');
    this.port = port;
    this.backlog = backlog;
    this.interface = iface;
  }

  /** Listens (`reactor.listenTCP`); fires with the port, or fails with `CannotListenError`. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort> {
    return execute(() => this.reactor.listenTCP(this.port, factory, this.backlog, this.interface));
  }

  /** `<TCP4ServerEndpoint 127.0.0.1:8080>`. */
  toString(): string {
    return `<${this.constructor.name} ${this.interface.includes(':') ? `[${this.interface}]` : this.interface}:${this.port}>`;
  }
}

/**
 * Listens on a TCP port over IPv4 (or IPv6, given an IPv6 interface):
 * `new TCP4ServerEndpoint(reactor, port, backlog = 50, interface = '')` or
 * `new TCP4ServerEndpoint(reactor, port, { backlog, interface })`.
 *
 * @example
 * const port = await new TCP4ServerEndpoint(reactor, 8080, { interface: '127.0.0.1' }).listen(factory);
 */
export class TCP4ServerEndpoint extends TCPServerEndpoint {
  /** See the class. */
  constructor(
    reactor: IReactorTCP,
    port: number,
    backlogOrOptions?: number | TCPServerEndpointOptions,
    iface?: string,
  ) {
    super(reactor, port, readArgs(backlogOrOptions, [iface], ['backlog', 'interface']), '');
  }
}

/**
 * Listens on a TCP port over IPv6: `new TCP6ServerEndpoint(reactor, port, backlog = 50,
 * interface = '::')` or `(reactor, port, { backlog, interface })`.
 */
export class TCP6ServerEndpoint extends TCPServerEndpoint {
  /** See the class. */
  constructor(
    reactor: IReactorTCP,
    port: number,
    backlogOrOptions?: number | TCPServerEndpointOptions,
    iface?: string,
  ) {
    super(reactor, port, readArgs(backlogOrOptions, [iface], ['backlog', 'interface']), '::');
  }
}
