/**
 * Twisted's `HostnameEndpoint`: every address of a name, IPv6 and IPv4 racing.
 *
 * @module
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { Deferred } from '../defer/deferred.ts';
import { DNSLookupError } from '../errors.ts';
import { ConnectingCancelledError } from '../errors/endpoints.ts';
import type { Failure } from '../failure.ts';
import type {
  AddressTuple,
  IAddress,
  IDelayedCall,
  IHostResolution,
  IProtocol,
  IProtocolFactory,
  IReactorPluggableNameResolver,
  IReactorTCP,
  IReactorTime,
  IStreamClientEndpoint,
} from '../interfaces.ts';
import {
  DEFAULT_CONNECT_TIMEOUT,
  validateConnectPort,
  validateConnectTimeout,
} from '../transports/tcp/stream-checks.ts';
import { invalidArgValue, validateNumber, validateString } from '../validate.ts';
import { checkReactor, readArgs, toBindAddress } from './endpoint-args.ts';
import { HostnameAddress } from './hostname-address.ts';
import { TCP4ClientEndpoint, TCP6ClientEndpoint } from './tcp-client-endpoint.ts';

/** What a `HostnameEndpoint` needs of its reactor. */
export type HostnameEndpointReactor = IReactorTCP &
  Pick<IReactorTime, 'callLater'> &
  Partial<IReactorPluggableNameResolver>;

/** The keyword form of {@link HostnameEndpoint}'s arguments. */
export interface HostnameEndpointOptions {
  /** Seconds each connection attempt may take (default 30). */
  timeout?: number;
  /** The local address to connect from (only addresses of its family are tried). */
  bindAddress?: AddressTuple | string;
  /** Seconds between starting two attempts (default 0.3, Twisted's and RFC 8305's order of magnitude). */
  attemptDelay?: number;
}

/**
 * Resolves the families in turn, starting with the family of the first address the resolver
 * gave (RFC 8305's interleaving: a dead IPv6 path costs one attempt delay, not all of them).
 */
function interleave(addresses: readonly IAddress[]): string[] {
  const hosts = [...new Set(addresses.map((a) => a.host))];
  const six = hosts.filter((h) => isIP(h) === 6);
  const four = hosts.filter((h) => isIP(h) !== 6);
  const [first, second] = isIP(hosts[0] ?? '') === 6 ? [six, four] : [four, six];
  const out: string[] = [];
  for (let i = 0; i < Math.max(first.length, second.length); i++) {
    if (i < first.length) out.push(first[i]);
    if (i < second.length) out.push(second[i]);
  }
  return out;
}

/**
 * Connects to a host name (Twisted's `HostnameEndpoint`): every address the reactor's
 * `nameResolver` gives, IPv6 and IPv4 interleaved, a new attempt started every `attemptDelay`
 * seconds (or as soon as one fails) until one connects; the others are then abandoned and only
 * the winner's protocol is built. `new HostnameEndpoint(reactor, host, port, timeout = 30,
 * bindAddress?, attemptDelay = 0.3)` or `(reactor, host, port, { timeout, bindAddress,
 * attemptDelay })`.
 *
 * Tests install a name resolver (`reactor.installNameResolver`) or a simple one
 * (`installResolver`, which gives one address), so that nothing asks real DNS.
 *
 * @example
 * const proto = await new HostnameEndpoint(reactor, 'localhost', 8080).connect(factory);
 */
export class HostnameEndpoint implements IStreamClientEndpoint {
  /** The reactor connected with. */
  readonly reactor: HostnameEndpointReactor;
  /** The host name (or IP literal) as given. */
  readonly host: string;
  /** Its ASCII (IDNA) form, what is resolved. */
  readonly asciiHost: string;
  /** The port. */
  readonly port: number;
  /** Seconds each attempt may take. */
  readonly timeout: number;
  /** The local address to connect from, or `undefined`. */
  readonly bindAddress: AddressTuple | undefined;
  /** Seconds between two attempts. */
  readonly attemptDelay: number;

  /** See the class. */
  constructor(
    reactor: HostnameEndpointReactor,
    host: string,
    port: number,
    timeoutOrOptions?: number | HostnameEndpointOptions,
    bindAddress?: AddressTuple | string,
    attemptDelay?: number,
  ) {
    this.reactor = checkReactor<HostnameEndpointReactor>(reactor, ['connectTCP', 'callLater']);
    validateString(host, 'host');
    const ascii = isIP(host) !== 0 ? host : domainToASCII(host.normalize('NFC'));
    if (ascii === '')
      throw invalidArgValue('host', `It is not a valid host name. Received ${JSON.stringify(host)}`);
    validateConnectPort(port);
    const args = readArgs(
      timeoutOrOptions,
      [bindAddress, attemptDelay],
      ['timeout', 'bindAddress', 'attemptDelay'],
    );
    const timeout = args.timeout ?? DEFAULT_CONNECT_TIMEOUT;
    const delay = args.attemptDelay ?? 0.3;
    validateConnectTimeout(timeout);
    validateNumber(delay, 'attemptDelay', 0);
    this.host = host;
    this.asciiHost = ascii;
    this.port = port;
    this.timeout = timeout;
    this.bindAddress = toBindAddress(args.bindAddress);
    this.attemptDelay = delay;
  }

  /** `<HostnameEndpoint example.com:443>`. */
  toString(): string {
    return `<HostnameEndpoint ${isIP(this.asciiHost) === 6 ? `[${this.asciiHost}]` : this.asciiHost}:${this.port}>`;
  }

  /**
   * Resolves the name and races connections to its addresses; fires with the protocol of the
   * first that connects, or fails with the last attempt's error (`DNSLookupError` when the name
   * has no address). Cancelling abandons everything (`ConnectingCancelledError`).
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    return new HappyEyeballs(this, factory).result;
  }

  /** @internal The addresses of the name, through the reactor. */
  resolve(onAddresses: (addresses: IAddress[]) => void): IHostResolution | undefined {
    const resolver = this.reactor.nameResolver;
    const found: IAddress[] = [];
    let resolution: IHostResolution | undefined;
    if (resolver === undefined) {
      // A reactor without a full resolver: its simple one, one address (Twisted's fallback).
      const simple = (this.reactor as { resolve?: (name: string) => Deferred<string> }).resolve;
      if (typeof simple !== 'function') {
        onAddresses(isIP(this.asciiHost) !== 0 ? [{ host: this.asciiHost } as IAddress] : []);
        return undefined;
      }
      simple.call(this.reactor, this.asciiHost).addCallbacks(
        (host: string) => void onAddresses([{ host } as IAddress]),
        () => void onAddresses([]),
      );
      return undefined;
    }
    resolver.resolveHostName(
      {
        resolutionBegan: (r) => void (resolution = r),
        addressResolved: (a) => void found.push(a),
        resolutionComplete: () => onAddresses(found),
      },
      this.asciiHost,
      this.port,
    );
    return resolution;
  }
}

/** One `connect()` of a {@link HostnameEndpoint}: resolution, then staggered attempts. */
class HappyEyeballs {
  readonly result: Deferred<IProtocol>;
  readonly #endpoint: HostnameEndpoint;
  readonly #factory: IProtocolFactory;
  #resolution: IHostResolution | undefined;
  #hosts: string[] = [];
  #pending = new Set<Deferred<IProtocol>>();
  #failures: Failure[] = [];
  #timer: IDelayedCall | undefined;
  /** Set once the outcome is decided (a winner, a final failure, a cancel): late news is ignored. */
  #done = false;

  constructor(endpoint: HostnameEndpoint, factory: IProtocolFactory) {
    this.#endpoint = endpoint;
    this.#factory = factory;
    this.result = new Deferred<IProtocol>((d) => {
      this.#stop();
      d.errback(new ConnectingCancelledError(new HostnameAddress(endpoint.host, endpoint.port)));
    });
    this.#resolution = endpoint.resolve((addresses) => this.#resolved(addresses));
  }

  #resolved(addresses: IAddress[]): void {
    if (this.#done) return;
    const bind = this.#endpoint.bindAddress?.[0];
    this.#hosts = interleave(addresses).filter(
      (h) => bind === undefined || bind === '' || (isIP(h) === 6) === (isIP(bind) === 6),
    );
    if (this.#hosts.length === 0) {
      const name = this.#endpoint.host;
      this.#done = true;
      this.result.errback(
        new DNSLookupError(
          addresses.length === 0
            ? `Couldn't find the hostname '${name}'`
            : `no results for hostname lookup: ${name} (none of the family of bindAddress)`,
        ),
      );
      return;
    }
    this.#next();
  }

  /** Starts the next attempt, and arms the timer for the one after. */
  #next(): void {
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = undefined;
    const host = this.#hosts.shift();
    if (host === undefined) return;
    const e = this.#endpoint;
    const Endpoint = isIP(host) === 6 ? TCP6ClientEndpoint : TCP4ClientEndpoint;
    const attempt = new Endpoint(e.reactor, host, e.port, {
      timeout: e.timeout,
      ...(e.bindAddress ? { bindAddress: e.bindAddress } : {}),
    }).connect(this.#factory);
    this.#pending.add(attempt);
    attempt.addCallbacks(
      (protocol: IProtocol) => {
        this.#pending.delete(attempt);
        if (this.#done) return undefined;
        this.#stop();
        this.result.callback(protocol);
        return undefined;
      },
      (failure: Failure) => {
        this.#pending.delete(attempt);
        if (this.#done) return undefined;
        this.#failures.push(failure);
        if (this.#hosts.length > 0) {
          this.#next(); // a failure need not wait for the delay
        } else if (this.#pending.size === 0) {
          this.#done = true;
          this.result.errback(this.#failures[this.#failures.length - 1]);
        }
        return undefined;
      },
    );
    if (this.#hosts.length > 0 && !this.#done) {
      this.#timer = e.reactor.callLater(e.attemptDelay, () => this.#next());
    }
  }

  /** Abandons the resolution, the timer and every pending attempt. */
  #stop(): void {
    this.#done = true;
    this.#resolution?.cancel();
    this.#hosts = [];
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = undefined;
    for (const attempt of [...this.#pending]) {
      this.#pending.delete(attempt);
      attempt.cancel();
    }
  }
}
