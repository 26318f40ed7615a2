/**
 * `startTLS` on a live connection, and the certificates of a TLS connection.
 *
 * @internal
 */
import type net from 'node:net';
import tls from 'node:tls';
import { TLSError } from '../../errors.ts';
import type { ITLSContextFactory } from '../../interfaces.ts';
import { Certificate } from './certificate.ts';
import { hostX509, peerX509 } from './peer-certificate.ts';
import { tlsErrorReason } from './tls-error-reason.ts';
import { prepareTLS, tlsSocketFor } from './tls-socket.ts';

/** What `startTLS` needs of a connection: to read from and write to another socket. */
export interface SocketReplaceable {
  /** Makes `next` the socket the connection uses; `errorReason` maps its errors. */
  replaceSocket(next: net.Socket, errorReason?: (error: Error) => Error): void;
}

/**
 * Which side a connection takes in TLS: a connection accepted by a server is the TLS server
 * (Twisted's `startTLS(ctx, normal=True)`); `normal = false` takes the other side.
 */
export function startTLSSide(side: 'server' | 'client', normal: boolean): 'server' | 'client' {
  return normal === (side === 'server') ? 'server' : 'client';
}

/**
 * Upgrades `connection` (whose socket is `socket`, accepted by a server or made by a client as
 * `side` says) to TLS in place: what was written before
 * stays queued ahead in the clear; the TLS handshake follows; what is written after goes
 * encrypted once the peer is verified.
 */
export function startTLS(
  connection: SocketReplaceable,
  socket: net.Socket,
  side: 'server' | 'client',
  contextFactory: ITLSContextFactory,
  normal = true,
): void {
  if (socket instanceof tls.TLSSocket) {
    throw new TLSError('TLS has already been started on this connection.');
  }
  const prepared = prepareTLS(contextFactory, startTLSSide(side, normal));
  connection.replaceSocket(tlsSocketFor(socket, prepared), tlsErrorReason);
}

/** The certificate the peer presented over `socket`, once TLS is up; else `undefined`. */
export function peerCertificateOf(socket: net.Socket): Certificate | undefined {
  if (!(socket instanceof tls.TLSSocket)) return undefined;
  const x509 = peerX509(socket);
  return x509 === undefined ? undefined : new Certificate(x509);
}

/** The certificate this side presented over `socket`, once TLS is up; else `undefined`. */
export function hostCertificateOf(socket: net.Socket): Certificate | undefined {
  if (!(socket instanceof tls.TLSSocket)) return undefined;
  const x509 = hostX509(socket);
  return x509 === undefined ? undefined : new Certificate(x509);
}
