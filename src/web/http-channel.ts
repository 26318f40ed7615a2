/**
 * `HTTPChannel` (Twisted's `http.HTTPChannel`): the protocol of one connection to a `Site`. It
 * parses nothing itself (DESIGN.md decision 14): when the connection is made it hands the socket
 * to the site's `http.Server`, whose llhttp parser reads requests from then on and whose
 * `ServerResponse`s write the answers.
 *
 * @module
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Failure } from '../failure.ts';
import type { IStreamTransport, ITransport, StreamAddress } from '../interfaces.ts';
import { Protocol } from '../protocols/protocol.ts';
import { Connection } from '../transports/tcp/connection.ts';
import type { RequestChannel } from './request.ts';
import type { Site } from './site.ts';
import { TransportDuplex } from './transport-duplex.ts';

const kChannel = Symbol.for('twisted-ts.web.HTTPChannel');

/** The channel a socket was handed over by, if any. @internal */
export function channelOf(socket: Duplex): HTTPChannel | undefined {
  return (socket as Duplex & { [kChannel]?: HTTPChannel })[kChannel];
}

type HandleTransport = ITransport & { getHandle?(): unknown };

/**
 * The protocol a `Site` builds for each connection. When its transport is the reactor's own
 * connection (TCP, UNIX and TLS), the socket (`getHandle()`) is handed to node:http directly,
 * before anything is read from it: node:http then reads and writes the socket itself. Any other
 * transport — a `ProtocolWrapper` of a `WrappingFactory` (`TimeoutFactory`,
 * `LimitTotalConnectionsFactory`…), a `StringTransport`, a `VirtualNetwork` connection — is
 * wrapped in a Node stream fed by `dataReceived`, so that every byte goes through the protocols
 * in between, as in Twisted.
 */
export class HTTPChannel extends Protocol<ITransport> implements RequestChannel {
  /** The site the connection belongs to. */
  readonly site: Site;
  #duplex: TransportDuplex | undefined = undefined;
  #socket: Duplex | undefined = undefined;

  constructor(site: Site) {
    super();
    this.site = site;
    this.factory = site;
  }

  /** Hands the connection to the site's `http.Server`. */
  override connectionMade(): void {
    const transport = this.transport as HandleTransport;
    // Only the reactor's connection may give the socket away: node:http consumes the socket's
    // handle itself, so a wrapper in between (whose getHandle() relays the same socket) would
    // never see a byte — a TimeoutProtocol would time out a busy connection.
    const handle =
      transport instanceof Connection && typeof transport.getHandle === 'function'
        ? transport.getHandle()
        : undefined;
    const socket: Duplex =
      handle instanceof Socket ? handle : (this.#duplex = new TransportDuplex(transport));
    (socket as Duplex & { [kChannel]?: HTTPChannel })[kChannel] = this;
    this.#socket = socket;
    this.site.acceptSocket(socket);
  }

  /** Bytes for node:http, when it does not read the socket itself. */
  override dataReceived(data: Buffer): void {
    this.#duplex?.received(data);
  }

  /** The connection closed: node:http's requests see it through their sockets. */
  override connectionLost(reason: Failure): void {
    this.connected = false;
    const err = reason.value;
    this.#duplex?.lost(err.name === 'ConnectionDone' ? undefined : err);
  }

  /** The client's address. */
  getPeer(): StreamAddress {
    return this.transport.getPeer();
  }

  /** The server's address. */
  getHost(): StreamAddress {
    return this.transport.getHost();
  }

  /**
   * Whether the connection is TLS (Twisted asks `ISSLTransport.providedBy(transport)`): a handed
   * socket is when it is a `TLSSocket` — every reactor connection has `getPeerCertificate`, TLS
   * or not — and another transport when it can show a peer certificate.
   */
  isSecure(): boolean {
    if (this.#duplex === undefined) {
      return (this.#socket as (Duplex & { encrypted?: boolean }) | undefined)?.encrypted === true;
    }
    return typeof (this.transport as { getPeerCertificate?: unknown }).getPeerCertificate === 'function';
  }

  /** Closes the connection once what was written has been sent. */
  loseConnection(): void {
    if (this.#socket !== undefined && this.#duplex === undefined) this.#socket.end();
    else this.transport.loseConnection();
  }

  /** Drops the connection at once. */
  abortConnection(): void {
    const transport = this.transport as Partial<IStreamTransport>;
    if (typeof transport.abortConnection === 'function') transport.abortConnection();
    else this.#socket?.destroy();
  }
}
