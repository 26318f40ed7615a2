/**
 * Twisted's `TCP4ClientEndpoint` and `TCP6ClientEndpoint`.
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { fail } from '../defer/shortcuts.ts';
import { DNSLookupError } from '../errors.ts';
import type {
  AddressTuple,
  IAddress,
  IHostResolution,
  IProtocol,
  IProtocolFactory,
  IReactorTCP,
  IReactorPluggableNameResolver,
  IStreamClientEndpoint,
} from '../interfaces.ts';
import {
  DEFAULT_CONNECT_TIMEOUT,
  validateConnectHost,
  validateConnectPort,
  validateConnectTimeout,
} from '../transports/tcp/stream-checks.ts';
import { ipFamily } from '../validate.ts';
import { ConnectingCancelledError } from '../errors/endpoints.ts';
import { ConnectingFactory } from './connecting-factory.ts';
import { forward } from './forward.ts';
import { checkReactor, readArgs, toBindAddress } from './endpoint-args.ts';

/** The keyword form of the TCP client endpoints' arguments. */
export interface TCPClientEndpointOptions {
  /** Seconds to wait for the connection (default 30). */
  timeout?: number;
  /** The local `[host, port]` to connect from. */
  bindAddress?: AddressTuple | string;
}

/** What the TCP client endpoints share: the connect arguments, and turning a connection into a Deferred. */
export abstract class TCPClientEndpoint implements IStreamClientEndpoint {
  /** The reactor connected with. */
  readonly reactor: IReactorTCP;
  /** The host to connect to. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** Seconds to wait for the connection. */
  readonly timeout: number;
  /** The local address to connect from, or `undefined`. */
  readonly bindAddress: AddressTuple | undefined;

  constructor(reactor: IReactorTCP, host: string, port: number, args: Record<string, unknown>) {
    this.reactor = checkReactor<IReactorTCP>(reactor, ['connectTCP']);
    validateConnectHost(host);
    validateConnectPort(port);
    const timeout = args.timeout ?? DEFAULT_CONNECT_TIMEOUT;
    validateConnectTimeout(timeout);
    this.host = host;
    this.port = port;
    this.timeout = timeout;
    this.bindAddress = toBindAddress(args.bindAddress);
  }

  /**
   * Connects with `factory`; fires with its protocol once connected (after `connectionMade`), or
   * fails with the `ConnectError` (refused, timed out, DNS…). Cancelling abandons the attempt
   * (`ConnectingCancelledError`).
   */
  abstract connect(factory: IProtocolFactory): Deferred<IProtocol>;

  /** Connects to the address `host`, the outcome turned into the Deferred `connect` returns. */
  protected connectTo(host: string, factory: IProtocolFactory): Deferred<IProtocol> {
    const connecting = new ConnectingFactory(factory);
    try {
      this.reactor.connectTCP(host, this.port, connecting, this.timeout, this.bindAddress);
    } catch (e) {
      connecting.onConnection.errback(e);
    }
    return connecting.onConnection;
  }

  /** `<TCP4ClientEndpoint 127.0.0.1:8080>`. */
  toString(): string {
    return `<${this.constructor.name} ${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}>`;
  }
}

/**
 * Connects over TCP, a host name resolved through the reactor to an IPv4 address (as
 * `connectTCP`): `new TCP4ClientEndpoint(reactor, host, port, timeout = 30, bindAddress?)` or
 * `(reactor, host, port, { timeout, bindAddress })`.
 *
 * @example
 * const proto = await new TCP4ClientEndpoint(reactor, '127.0.0.1', 8080).connect(factory);
 */
export class TCP4ClientEndpoint extends TCPClientEndpoint {
  /** See the class. */
  constructor(
    reactor: IReactorTCP,
    host: string,
    port: number,
    timeoutOrOptions?: number | TCPClientEndpointOptions,
    bindAddress?: AddressTuple | string,
  ) {
    super(reactor, host, port, readArgs(timeoutOrOptions, [bindAddress], ['timeout', 'bindAddress']));
  }

  /** Connects (`reactor.connectTCP`). */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return this.connectTo(this.host, factory);
  }
}

/**
 * Connects over TCP and IPv6: an IPv6 literal, or a name resolved to its first IPv6 address
 * (through the reactor's `nameResolver`). Same arguments as {@link TCP4ClientEndpoint}.
 */
export class TCP6ClientEndpoint extends TCPClientEndpoint {
  /** See the class. */
  constructor(
    reactor: IReactorTCP,
    host: string,
    port: number,
    timeoutOrOptions?: number | TCPClientEndpointOptions,
    bindAddress?: AddressTuple | string,
  ) {
    super(reactor, host, port, readArgs(timeoutOrOptions, [bindAddress], ['timeout', 'bindAddress']));
  }

  /** Resolves the name to IPv6 if need be, then connects. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    if (ipFamily(this.host) === 6) return this.connectTo(this.host, factory);
    const resolver = (this.reactor as Partial<IReactorPluggableNameResolver>).nameResolver;
    if (resolver === undefined) {
      return fail(new DNSLookupError(`The reactor cannot resolve ${JSON.stringify(this.host)} to IPv6.`));
    }
    let resolution: IHostResolution | undefined;
    let attempt: Deferred<IProtocol> | undefined;
    const result = new Deferred<IProtocol>((d) => {
      resolution?.cancel();
      if (attempt !== undefined) attempt.cancel();
      else d.errback(new ConnectingCancelledError(this.host));
    });
    const found: IAddress[] = [];
    resolver.resolveHostName(
      {
        resolutionBegan: (r) => void (resolution = r),
        addressResolved: (address) => void found.push(address),
        resolutionComplete: () => {
          if (result.called) return;
          if (found.length === 0) {
            result.errback(new DNSLookupError(`No IPv6 address for ${JSON.stringify(this.host)}.`));
            return;
          }
          attempt = this.connectTo(found[0].host, factory);
          forward(attempt, result);
        },
      },
      this.host,
      this.port,
      ['IPv6'],
    );
    return result;
  }
}
