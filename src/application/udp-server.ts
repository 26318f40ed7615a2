/**
 * `UDPServer` and `MulticastServer` (Twisted's `twisted.application.internet`): services that
 * listen while they run.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type {
  IDatagramProtocol,
  IMulticastTransport,
  IReactorMulticast,
  IReactorUDP,
  IUDPTransport,
  ListenMulticastOptions,
  ListenUDPOptions,
} from '../interfaces.ts';
import { reactor as globalReactor } from '../reactor/index.ts';
import { Service, type StopResult } from './service.ts';

/** The options of `new UDPServer(port, protocol, { … })`: `listenUDP`'s, plus the reactor. */
export interface UDPServerOptions extends ListenUDPOptions {
  /** The reactor to listen with (default: the process-wide `reactor`). */
  reactor?: IReactorUDP;
}

/** The options of `new MulticastServer(port, protocol, { … })`: `listenMulticast`'s, plus the reactor. */
export interface MulticastServerOptions extends ListenMulticastOptions {
  /** The reactor to listen with (default: the process-wide `reactor`). */
  reactor?: IReactorMulticast;
}

/**
 * Listens on a UDP port while running (Twisted's `internet.UDPServer`): the port is opened in
 * `privilegedStartService` (so a low port is bound before `--uid` drops root) or, failing that,
 * in `startService`, and closed by `stopService`, whose Deferred fires once it is closed.
 * A port that cannot be bound throws `CannotListenError` from the start call.
 *
 * @example
 * new UDPServer(8125, new StatsProtocol(), '127.0.0.1').setServiceParent(application);
 */
export class UDPServer extends Service {
  /** The port number asked for. */
  readonly portNumber: number;
  /** The protocol started on the port. */
  readonly protocol: IDatagramProtocol;
  #options: UDPServerOptions;
  #port: IUDPTransport | undefined;

  /** `new UDPServer(port, protocol, interface?, maxPacketSize?)` or `new UDPServer(port, protocol, { interface, maxPacketSize, reactor, … })`. */
  constructor(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | UDPServerOptions,
    maxPacketSize?: number,
  ) {
    super();
    this.portNumber = port;
    this.protocol = protocol;
    this.#options =
      typeof interfaceOrOptions === 'object' && interfaceOrOptions !== null
        ? { ...interfaceOrOptions }
        : {
            ...(interfaceOrOptions === undefined ? {} : { interface: interfaceOrOptions }),
            ...(maxPacketSize === undefined ? {} : { maxPacketSize }),
          };
  }

  /** The listening port while running (`undefined` otherwise). */
  get port(): IUDPTransport | undefined {
    return this.#port;
  }

  /** Binds the port. */
  override privilegedStartService(): void {
    super.privilegedStartService();
    if (this.#port === undefined) this.#port = this.getPort();
  }

  /** Binds the port unless `privilegedStartService` did. */
  override startService(): void {
    super.startService();
    if (this.#port === undefined) this.#port = this.getPort();
  }

  /** Closes the port; fires when it is closed. */
  override stopService(): StopResult {
    super.stopService();
    const port = this.#port;
    this.#port = undefined;
    return port === undefined ? undefined : (port.stopListening() as Deferred<unknown> | undefined);
  }

  /** @internal Opens the port. */
  protected getPort(): IUDPTransport {
    const { reactor = globalReactor, ...options } = this.#options;
    return reactor.listenUDP(this.portNumber, this.protocol, options);
  }
}

/**
 * Listens on a multicast-capable UDP port while running (Twisted's `internet.MulticastServer`);
 * see {@link UDPServer}. Join groups from the protocol's `startProtocol`.
 *
 * @example
 * new MulticastServer(1900, new SsdpProtocol(), { interface: '0.0.0.0', listenMultiple: true }).setServiceParent(app);
 */
export class MulticastServer extends UDPServer {
  #multicastOptions: MulticastServerOptions;

  /** `new MulticastServer(port, protocol, { interface, maxPacketSize, listenMultiple, reactor, … })` (or Twisted's positional order). */
  constructor(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | MulticastServerOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ) {
    super(port, protocol);
    this.#multicastOptions =
      typeof interfaceOrOptions === 'object' && interfaceOrOptions !== null
        ? { ...interfaceOrOptions }
        : {
            ...(interfaceOrOptions === undefined ? {} : { interface: interfaceOrOptions }),
            ...(maxPacketSize === undefined ? {} : { maxPacketSize }),
            ...(listenMultiple === undefined ? {} : { listenMultiple }),
          };
  }

  /** The listening port while running. */
  override get port(): IMulticastTransport | undefined {
    return super.port as IMulticastTransport | undefined;
  }

  protected override getPort(): IMulticastTransport {
    const { reactor = globalReactor, ...options } = this.#multicastOptions;
    return reactor.listenMulticast(this.portNumber, this.protocol, options);
  }
}
