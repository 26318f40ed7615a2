/**
 * `VirtualTcpPort`: a listening TCP port on a `VirtualHost`.
 *
 * @module
 */
import { inspect } from 'node:util';
import { Deferred } from '../defer/index.ts';
import type { IListeningPort, IProtocolFactory, StreamAddress } from '../interfaces.ts';
import { err as logErr, msg as logMsg } from '../log/index.ts';
import { IPv4Address, IPv6Address } from '../transports/address.ts';
import { watchHookResult } from '../transports/tcp/hook-result.ts';
import type { ListenTCPArgs } from '../transports/tcp/listen-tcp-options.ts';
import { checkBuiltProtocol } from '../transports/tcp/stream-checks.ts';
import { protocolName } from '../transports/tcp/stream-port.ts';
import type { Family } from './checks.ts';
import { familyOf } from './checks.ts';
import type { PortHolder } from './port-table.ts';
import type { VirtualConnection } from './virtual-connection.ts';

/** Where a listening port is in its life. */
export type VirtualTcpPortState = 'unbound' | 'listening' | 'closed';

/** What a port needs from its host. */
export interface TcpPortHost {
  /** Throws `CannotListenError` (`EADDRNOTAVAIL`) for an address the host cannot bind. */
  checkLocalAddress(address: string, iface: string, port: number): void;
  /** Binds a TCP port number (0: ephemeral) for `holder`; throws `CannotListenError` (`EADDRINUSE`). */
  bindTcp(holder: PortHolder, requested: number, iface: string): number;
  /** Frees it. */
  unbindTcp(holder: PortHolder): void;
  /** Registers the port for shutdown. */
  registerPort(port: IListeningPort<StreamAddress>): void;
  /** Unregisters it. */
  unregisterPort(port: IListeningPort<StreamAddress>): void;
}

/** What `listenTCP` asked for, after the real parser checked it (`ListenTCPArgs`). */
export type TcpPortRequest = ListenTCPArgs;

/**
 * A TCP port listening on a {@link VirtualHost}, made by `host.listenTCP(...)`: bound when
 * `listenTCP` returns (port 0 → an ephemeral port), `CannotListenError` for a taken port
 * (`EADDRINUSE`, unless both ports asked for `reusePort`) or an address the host does not have
 * (`EADDRNOTAVAIL`). Its factory is started by `listenTCP` and stopped by `stopListening()`;
 * each accepted connection gets a protocol from `factory.buildProtocol(peer)` (`undefined`
 * closes the connection at once). Stopping the port leaves its connections open, as in Twisted.
 *
 * One difference from a real port: `stopListening()` completes at once (its Deferred has fired
 * when it returns).
 */
export class VirtualTcpPort implements IListeningPort<IPv4Address | IPv6Address> {
  /** The factory of the protocols of accepted connections. */
  readonly factory: IProtocolFactory;
  /** The interface asked for (`''`, a wildcard, a loopback address or the host's IP). */
  readonly interface: string;
  /** listen(2)'s backlog, as asked (the simulation accepts at once, so it is only recorded). */
  readonly backlog: number;
  /** `reusePort`: may share its number with other ports that ask to. */
  readonly shared: boolean;
  /** 4 or 6, from the interface. */
  readonly family: Family;
  /** The port number asked for (0: an ephemeral one). */
  readonly requestedPort: number;

  readonly #host: TcpPortHost;
  readonly #signal: AbortSignal | undefined;
  readonly #prefix: string;
  #state: VirtualTcpPortState = 'unbound';
  #address: IPv4Address | IPv6Address | undefined;
  #sessionno = 0;

  /** @internal Made by `VirtualHost.listenTCP`. */
  constructor(host: TcpPortHost, request: TcpPortRequest) {
    this.#host = host;
    this.factory = request.factory;
    this.interface = request.interface;
    this.backlog = request.backlog;
    this.shared = request.reusePort;
    this.family = familyOf(request.interface);
    this.requestedPort = request.port;
    this.#signal = request.signal;
    this.#prefix = protocolName(request.factory);
  }

  /** Where the port is in its life. */
  get state(): VirtualTcpPortState {
    return this.#state;
  }

  /** True while it accepts connections. */
  get listening(): boolean {
    return this.#state === 'listening';
  }

  /** The address the port is bound to: `'0.0.0.0'` / `'::'` for all interfaces, else the interface. */
  get boundAddress(): string {
    if (this.interface !== '') return this.interface;
    return this.family === 6 ? '::' : '0.0.0.0';
  }

  /** @internal Binds (throwing `CannotListenError` as a real bind does), then starts the factory. */
  startListening(): void {
    this.#host.checkLocalAddress(this.boundAddress, this.interface, this.requestedPort);
    const number = this.#host.bindTcp(this, this.requestedPort, this.interface);
    this.#address =
      this.family === 6
        ? new IPv6Address('TCP', this.boundAddress, number)
        : new IPv4Address('TCP', this.boundAddress, number);
    this.#state = 'listening';
    logMsg(`${this.#prefix} starting on ${number}`);
    let started: unknown;
    try {
      started = this.factory.doStart();
    } catch (e) {
      this.#state = 'closed';
      this.#host.unbindTcp(this);
      throw e;
    }
    watchHookResult(started, (e) => logErr(e, `Unhandled error in ${this.#prefix}.startFactory`));
    this.#host.registerPort(this);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => {
    this.stopListening();
  };

  /**
   * @internal A connection to this port completed its handshake: build its protocol and start
   * it. `'refused'`: `buildProtocol` returned `undefined`, threw, or returned something that is
   * not a protocol (the latter two logged); `'closed'`: the port stopped meanwhile.
   */
  accept(connection: VirtualConnection): 'accepted' | 'refused' | 'closed' {
    if (!this.listening) return 'closed';
    let protocol;
    try {
      protocol = checkBuiltProtocol(this.factory.buildProtocol(connection.getPeer()), this.factory);
    } catch (e) {
      logErr(
        e,
        `Error building a protocol for a connection from ${String(connection.getPeer())}; connection closed`,
      );
      return 'refused';
    }
    if (protocol === undefined) return 'refused';
    const sessionno = this.#sessionno++;
    connection.start(protocol, `${protocolName(protocol)},${sessionno},${connection.getPeer().host}`);
    return 'accepted';
  }

  /**
   * Stops accepting: the number is free at once and the factory's `doStop` runs; connections
   * already accepted stay open, as in Twisted. The returned Deferred has fired. Calling it again
   * is harmless.
   */
  stopListening(): Deferred<void> {
    const d = new Deferred<void>();
    if (this.#state === 'listening') {
      this.#state = 'closed';
      this.#signal?.removeEventListener('abort', this.#onAbort);
      this.#host.unbindTcp(this);
      this.#host.unregisterPort(this);
      const number = this.#address?.port ?? this.requestedPort;
      logMsg(`(TCP Port ${number} Closed)`);
      const why = `Unhandled error in ${this.#prefix}.stopFactory`;
      try {
        watchHookResult(this.factory.doStop(), (e) => logErr(e, why));
      } catch (e) {
        logErr(e, why);
      }
    }
    d.callback(undefined);
    return d;
  }

  /** `await using port = host.listenTCP(...)`: stops the port when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopListening().asPromise();
  }

  /** The bound address (type `'TCP'`), with the real number (an ephemeral one when 0 was asked for). */
  getHost(): IPv4Address | IPv6Address {
    if (this.#address === undefined) throw new Error('getHost(): the port was never bound');
    return this.#address;
  }

  /** `<VirtualTcpPort of EchoFactory on 10.0.0.1:8000>`, as the real port's. */
  toString(): string {
    const a = this.#address;
    const where =
      a === undefined || this.#state !== 'listening' ? '(not listening)' : `on ${a.host}:${a.port}`;
    return `<VirtualTcpPort of ${this.#prefix} ${where}>`;
  }

  /** Shows {@link toString} in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }
}
