/**
 * Endpoints and name resolution (Twisted's `IStreamServerEndpoint`, `IStreamClientEndpoint`,
 * `IHostnameResolver`, `IResolutionReceiver`, `IHostResolution`, `IReactorPluggableNameResolver`).
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { IAddress, IListeningPort } from './reactor.ts';
import type { IProtocol, IProtocolFactory, StreamAddress } from './stream.ts';

/** Where a server listens, described once (Twisted's `IStreamServerEndpoint`). */
export interface IStreamServerEndpoint {
  /** Listens with `factory`; fires with the listening port, or fails (`CannotListenError`…). */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<StreamAddress>>;
}

/** Where a client connects to, described once (Twisted's `IStreamClientEndpoint`). */
export interface IStreamClientEndpoint {
  /**
   * Connects, building the protocol with `factory`; fires with that protocol once it is
   * connected (after its `connectionMade`), or fails with a `ConnectError`. Cancelling the
   * Deferred abandons the attempt.
   */
  connect(factory: IProtocolFactory): Deferred<IProtocol>;
}

/** One name resolution in progress (Twisted's `IHostResolution`). */
export interface IHostResolution {
  /** The name being resolved. */
  readonly name: string;
  /** Abandons it: the receiver hears nothing more. */
  cancel(): void;
}

/** What a name resolution reports to (Twisted's `IResolutionReceiver`). */
export interface IResolutionReceiver {
  /** The resolution started. */
  resolutionBegan(resolution: IHostResolution): void;
  /** One address of the name (`IPv4Address` or `IPv6Address` with type `'TCP'` or `'UDP'`). */
  addressResolved(address: IAddress): void;
  /** No more addresses will come (none at all when the name does not resolve). */
  resolutionComplete(): void;
}

/** Resolves a name to all its addresses (Twisted's `IHostnameResolver`). */
export interface IHostnameResolver {
  /**
   * Resolves `hostName`, reporting each address (with `portNumber`) to `resolutionReceiver`.
   * `addressTypes` limits the families (default both); `transportSemantics` is the `type` of the
   * addresses.
   *
   * @returns `resolutionReceiver`.
   */
  resolveHostName(
    resolutionReceiver: IResolutionReceiver,
    hostName: string,
    portNumber?: number,
    addressTypes?: readonly ('IPv4' | 'IPv6')[],
    transportSemantics?: 'TCP' | 'UDP',
  ): IResolutionReceiver;
}

/** A reactor whose full name resolution can be replaced (Twisted's `IReactorPluggableNameResolver`). */
export interface IReactorPluggableNameResolver {
  /** The resolver `HostnameEndpoint` uses: every address of a name. */
  readonly nameResolver: IHostnameResolver;
  /** Replaces `nameResolver`; returns the one it replaces. */
  installNameResolver(resolver: IHostnameResolver): IHostnameResolver;
}
