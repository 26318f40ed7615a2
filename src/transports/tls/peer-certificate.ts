/**
 * The certificates of a TLS socket, read once and kept: Node's `getPeerX509Certificate()`
 * gives the certificate on the first call only (later calls return `undefined`).
 *
 * @internal
 */
import type { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';

const peers = new WeakMap<tls.TLSSocket, X509Certificate | undefined>();
const hosts = new WeakMap<tls.TLSSocket, X509Certificate | undefined>();

/** The certificate the peer presented over `socket` (once the handshake is done), or `undefined`. */
export function peerX509(socket: tls.TLSSocket): X509Certificate | undefined {
  if (!peers.has(socket)) {
    const cert = socket.getPeerX509Certificate();
    if (cert === undefined) return undefined; // not yet: ask again later
    peers.set(socket, cert);
  }
  return peers.get(socket);
}

/** The certificate this side presented over `socket`, or `undefined`. */
export function hostX509(socket: tls.TLSSocket): X509Certificate | undefined {
  if (!hosts.has(socket)) {
    const cert = socket.getX509Certificate();
    if (cert === undefined) return undefined;
    hosts.set(socket, cert);
  }
  return hosts.get(socket);
}
