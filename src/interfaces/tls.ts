/**
 * TLS on streams (Twisted's `ITLSTransport`, `IOpenSSLClientConnectionCreator` as
 * `ITLSContextFactory`, `IReactorSSL`).
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
import type { TLSSocketOptions } from 'node:tls';
import type { AddressTuple, IListeningPort } from './reactor.ts';
import type {
  ConnectTCPOptions,
  IClientFactory,
  IConnector,
  IProtocolFactory,
  ListenTCPOptions,
} from './stream.ts';

/**
 * A transport that can start TLS on a live connection (Twisted's `ITLSTransport`).
 */
export interface ITLSTransport {
  /**
   * Upgrades the connection to TLS in place (STARTTLS): what was written before goes out in the
   * clear, what is written after encrypted; the protocol does not change. An accepted
   * connection takes the server side, a connector's the client side; `normal = false` swaps them.
   */
  startTLS(contextFactory: ITLSContextFactory, normal?: boolean): void;
}

/**
 * Makes the options of one side of a TLS connection (the role of Twisted's context factories,
 * `IOpenSSLContextFactory` and the connection creators): `listenSSL`, `connectSSL` and
 * `startTLS` take one. `CertificateOptions` and `optionsForClientTLS` implement it.
 */
export interface ITLSContextFactory {
  /**
   * The `node:tls` options for a socket on `side` of a connection (`isServer` is set by the
   * caller): keys, certificates, trust roots, verification, `servername` for a client.
   */
  getTLSOptions(side: 'server' | 'client'): TLSSocketOptions & {
    /** The server name a client sends (SNI) and checks the certificate against. */
    servername?: string;
  };
}

/** A reactor that listens and connects over TLS (Twisted's `IReactorSSL`). */
export interface IReactorSSL {
  /** As `listenTCP`, each connection wrapped in TLS made by `contextFactory`. */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: ITLSContextFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): IListeningPort;
  /** As `connectTCP`, the connection wrapped in TLS made by `contextFactory`. */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: ITLSContextFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): IConnector;
}
