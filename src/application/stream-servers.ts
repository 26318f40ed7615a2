/**
 * `TCPServer`, `UNIXServer` and `SSLServer` (Twisted's `twisted.application.internet`): services
 * that listen for stream connections while they run.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import { checkReactor } from '../endpoints/endpoint-args.ts';
import type {
  IAddress,
  IListeningPort,
  IProtocolFactory,
  IReactorSSL,
  IReactorTCP,
  IReactorUNIX,
  ITLSContextFactory,
  IUNIXAddress,
  ListenTCPOptions,
  ListenUNIXOptions,
  StreamAddress,
} from '../interfaces.ts';
import { reactor as globalReactor } from '../reactor/index.ts';
import { Service } from './service.ts';

/** The options of `new TCPServer(port, factory, { … })`: `listenTCP`'s, plus the reactor. */
export interface TCPServerOptions extends ListenTCPOptions {
  /** The reactor to listen with (default: the process-wide `reactor`). */
  reactor?: IReactorTCP;
}

/** The options of `new SSLServer(port, factory, contextFactory, { … })`: `listenSSL`'s, plus the reactor. */
export interface SSLServerOptions extends ListenTCPOptions {
  /** The reactor to listen with (default: the process-wide `reactor`). */
  reactor?: IReactorSSL;
}

/** The options of `new UNIXServer(address, factory, { … })`: `listenUNIX`'s, plus the reactor. */
export interface UNIXServerOptions extends ListenUNIXOptions {
  /** The reactor to listen with (default: the process-wide `reactor`). */
  reactor?: IReactorUNIX;
}

/**
 * Splits the trailing arguments of a server or client service: an options object gives up its
 * `reactor` (checked to have `methods`) and the rest goes to the reactor's call; positional
 * arguments go as they are (the reactor checks them, as Twisted's services leave it to).
 *
 * @internal
 */
export function splitReactor<R>(
  first: unknown,
  rest: readonly unknown[],
  methods: readonly string[],
): { reactor: R; args: unknown[] } {
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const { reactor, ...options } = first as { reactor?: unknown };
    return {
      reactor: checkReactor<R>(reactor ?? globalReactor, methods),
      args: [options],
    };
  }
  const args = [first, ...rest];
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return { reactor: globalReactor as R, args };
}

/**
 * The shape of Twisted's `_AbstractServer`: the port is opened in `privilegedStartService` (so a
 * port below 1024 is bound before `--uid` drops root) or, failing that, in `startService`, and
 * `stopService` stops listening, its Deferred firing once the socket is closed. A port that
 * cannot be bound throws `CannotListenError` from the start call.
 */
export abstract class StreamServerService<A extends StreamAddress = StreamAddress> extends Service {
  #port: IListeningPort<A> | undefined;

  /** The listening port while running (`undefined` otherwise); `port.getHost()` tells the real port number. */
  get port(): IListeningPort<A> | undefined {
    return this.#port;
  }

  /** Opens the port. */
  override privilegedStartService(): void {
    super.privilegedStartService();
    if (this.#port === undefined) this.#port = this.getPort();
  }

  /** Opens the port unless `privilegedStartService` did. */
  override startService(): void {
    super.startService();
    if (this.#port === undefined) this.#port = this.getPort();
  }

  /** Stops listening; fires once the port is closed (connections already accepted stay open). */
  override stopService(): Deferred<void> | undefined {
    super.stopService();
    const port = this.#port;
    this.#port = undefined;
    return port?.stopListening();
  }

  /** Opens the port (Twisted's `_getPort`). */
  protected abstract getPort(): IListeningPort<A>;
}

/**
 * Listens on a TCP port while running (Twisted's `internet.TCPServer`): the arguments are
 * `reactor.listenTCP`'s. See {@link StreamServerService} for when the port opens and closes.
 *
 * @example
 * new TCPServer(8080, Factory.forProtocol(Echo), 50, '127.0.0.1').setServiceParent(application);
 * new TCPServer(0, factory, { interface: '::1', reactor }).setServiceParent(application);
 */
export class TCPServer extends StreamServerService<IAddress> {
  /** The port number asked for (`0`: any free port; read the real one from `port.getHost()`). */
  readonly portNumber: number;
  /** The factory making a protocol per connection. */
  readonly factory: IProtocolFactory;
  #reactor: IReactorTCP;
  #args: unknown[];

  /** `new TCPServer(port, factory, backlog?, interface?)` or `new TCPServer(port, factory, { backlog, interface, reactor, … })`. */
  constructor(
    port: number,
    factory: IProtocolFactory,
    backlogOrOptions?: number | TCPServerOptions,
    iface?: string,
  ) {
    super();
    this.portNumber = port;
    this.factory = factory;
    const { reactor, args } = splitReactor<IReactorTCP>(backlogOrOptions, [iface], ['listenTCP']);
    this.#reactor = reactor;
    this.#args = args;
  }

  protected override getPort(): IListeningPort {
    return this.#reactor.listenTCP(this.portNumber, this.factory, ...(this.#args as [number?, string?]));
  }
}

/**
 * Listens on a TCP port with TLS while running (Twisted's `internet.SSLServer`): the arguments
 * are `reactor.listenSSL`'s.
 *
 * @example
 * const tls = CertificateOptions.fromPEM({ key, cert });
 * new SSLServer(8443, factory, tls, { interface: '127.0.0.1' }).setServiceParent(application);
 */
export class SSLServer extends StreamServerService<IAddress> {
  /** The port number asked for. */
  readonly portNumber: number;
  /** The factory making a protocol per connection. */
  readonly factory: IProtocolFactory;
  /** Makes the TLS options of each connection. */
  readonly contextFactory: ITLSContextFactory;
  #reactor: IReactorSSL;
  #args: unknown[];

  /** `new SSLServer(port, factory, contextFactory, backlog?, interface?)` or `(port, factory, contextFactory, { backlog, interface, reactor, … })`. */
  constructor(
    port: number,
    factory: IProtocolFactory,
    contextFactory: ITLSContextFactory,
    backlogOrOptions?: number | SSLServerOptions,
    iface?: string,
  ) {
    super();
    this.portNumber = port;
    this.factory = factory;
    this.contextFactory = contextFactory;
    const { reactor, args } = splitReactor<IReactorSSL>(backlogOrOptions, [iface], ['listenSSL']);
    this.#reactor = reactor;
    this.#args = args;
  }

  protected override getPort(): IListeningPort {
    return this.#reactor.listenSSL(
      this.portNumber,
      this.factory,
      this.contextFactory,
      ...(this.#args as [number?, string?]),
    );
  }
}

/**
 * Listens on a UNIX socket while running (Twisted's `internet.UNIXServer`): the arguments are
 * `reactor.listenUNIX`'s. Stopping removes the socket file.
 *
 * @example
 * new UNIXServer('/run/app/admin.sock', adminFactory, { mode: 0o660 }).setServiceParent(application);
 */
export class UNIXServer extends StreamServerService<IUNIXAddress> {
  /** The socket's path (or `'\0name'` in Linux's abstract namespace). */
  readonly address: string;
  /** The factory making a protocol per connection. */
  readonly factory: IProtocolFactory;
  #reactor: IReactorUNIX;
  #args: unknown[];

  /** `new UNIXServer(address, factory, backlog?, mode?, wantPID?)` or `(address, factory, { backlog, mode, wantPID, reactor })`. */
  constructor(
    address: string,
    factory: IProtocolFactory,
    backlogOrOptions?: number | UNIXServerOptions,
    mode?: number,
    wantPID?: boolean,
  ) {
    super();
    this.address = address;
    this.factory = factory;
    const { reactor, args } = splitReactor<IReactorUNIX>(backlogOrOptions, [mode, wantPID], ['listenUNIX']);
    this.#reactor = reactor;
    this.#args = args;
  }

  protected override getPort(): IListeningPort<IUNIXAddress> {
    return this.#reactor.listenUNIX(
      this.address,
      this.factory,
      ...(this.#args as [number?, number?, boolean?]),
    );
  }
}
