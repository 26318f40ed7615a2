/**
 * Putting TLS over a connected `net.Socket`, for `listenSSL`, `connectSSL` and `startTLS`: a
 * `tls.TLSSocket` made from a context factory's options, which writes nothing of the
 * application's until the peer is verified.
 *
 * @internal
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { ITLSContextFactory } from '../../interfaces.ts';
import { invalidArgType } from '../../validate.ts';
import type { TLSOptions } from './certificate-options.ts';
import { peerX509 } from './peer-certificate.ts';

/** Options that belong to the socket (or to `tls.connect`), not to a secure context. */
const SOCKET_KEYS = [
  'requestCert',
  'rejectUnauthorized',
  'ALPNProtocols',
  'servername',
  'checkServerIdentity',
  'SNICallback',
  'session',
  'requestOCSP',
  'isServer',
  'server',
  'secureContext',
  'enableTrace',
] as const;

/** A context factory's options for one side, checked, with the secure context made once. */
export interface PreparedTLS {
  /** The side these options are for. */
  readonly side: 'server' | 'client';
  /** Everything but the context. */
  readonly options: TLSOptions;
  /** The context (keys, certificates, authorities, versions, ciphers). */
  readonly secureContext: tls.SecureContext;
}

/**
 * Asks `contextFactory` for `side`'s options and makes the secure context now, so that a bad
 * key or certificate fails at `listenSSL`/`connectSSL`/`startTLS` rather than per connection.
 */
export function prepareTLS(
  contextFactory: ITLSContextFactory,
  side: 'server' | 'client',
  name = 'contextFactory',
): PreparedTLS {
  if (
    contextFactory === null ||
    typeof contextFactory !== 'object' ||
    typeof contextFactory.getTLSOptions !== 'function'
  ) {
    throw invalidArgType(
      name,
      'a TLS context factory (CertificateOptions, optionsForClientTLS(…), or an object with getTLSOptions(side))',
      contextFactory,
    );
  }
  const options = contextFactory.getTLSOptions(side) as TLSOptions;
  if (options === null || typeof options !== 'object') {
    throw invalidArgType(`${name}.getTLSOptions('${side}')`, 'an object of node:tls options', options);
  }
  const contextOptions: tls.SecureContextOptions = { ...options };
  for (const key of SOCKET_KEYS) delete (contextOptions as Record<string, unknown>)[key];
  const secureContext = options.secureContext ?? tls.createSecureContext(contextOptions);
  return { side, options, secureContext };
}

/** The OpenSSL verification result of a server-side socket (Node keeps it on the native handle). */
function verifyErrorOf(socket: tls.TLSSocket): Error | null | undefined {
  const handle = (socket as unknown as { ssl?: { verifyError?: () => Error | null } }).ssl;
  return typeof handle?.verifyError === 'function' ? handle.verifyError() : undefined;
}

/**
 * Holds the application's writes (and its end) back until `release()`: a TLS 1.3 server may
 * otherwise send data before it has checked the client's certificate, and a client before
 * Node has checked the server's name. Twisted's TLS transport buffers the same way until the
 * handshake is done.
 */
function holdWrites(socket: tls.TLSSocket): () => void {
  socket.cork();
  let pendingEnd: unknown[] | undefined;
  const end = socket.end;
  // destroySoon() and loseWriteConnection() end the socket; end() would uncork it early.
  socket.end = function heldEnd(this: tls.TLSSocket, ...args: unknown[]) {
    if (this.readableEnded) {
      // The peer left before the handshake finished: what is held can never be sent.
      this.destroy();
      return this;
    }
    pendingEnd = args;
    return this;
  } as typeof socket.end;
  return () => {
    socket.end = end;
    socket.uncork();
    if (pendingEnd !== undefined) (end as (...a: unknown[]) => void).apply(socket, pendingEnd);
  };
}

/**
 * Closing the TLS socket closes the one under it, whatever Node did with the handle; and a TLS
 * error closes the TLS socket: after the handshake Node only emits it (an alert from the peer,
 * say), where the connection expects every `'error'` to be followed by `'close'`.
 */
function closeTogether(tlsSocket: tls.TLSSocket, raw: net.Socket): void {
  tlsSocket.once('close', () => {
    if (!raw.destroyed) raw.destroy();
  });
  tlsSocket.on('error', () => {
    if (!tlsSocket.destroyed) tlsSocket.destroy();
  });
}

/**
 * The server side of TLS over `raw`. A client certificate is checked here — Node checks it only
 * for sockets of a `tls.Server` — and a bad one closes the connection with the verification
 * error (which `tlsErrorReason` makes a `TLSError`), before anything is read or written.
 */
export function serverTLSSocket(raw: net.Socket, prepared: PreparedTLS): tls.TLSSocket {
  const { options, secureContext } = prepared;
  const requestCert = options.requestCert === true;
  const rejectUnauthorized = options.rejectUnauthorized === true;
  const socket = new tls.TLSSocket(raw, {
    isServer: true,
    secureContext,
    requestCert,
    rejectUnauthorized,
    ...(options.ALPNProtocols !== undefined ? { ALPNProtocols: options.ALPNProtocols } : {}),
    ...(options.SNICallback !== undefined ? { SNICallback: options.SNICallback } : {}),
  });
  const release = holdWrites(socket);
  closeTogether(socket, raw);
  socket.once('secure', () => {
    if (requestCert) {
      const presented = peerX509(socket) !== undefined;
      const verifyError = verifyErrorOf(socket);
      if (verifyError === undefined) {
        // Fail closed: without Node's verification result no client certificate is trusted.
        socket.destroy(
          Object.assign(new Error('This Node does not expose the TLS verification result.'), {
            code: 'ERR_TLS_VERIFY_UNAVAILABLE',
          }),
        );
        return;
      }
      if (verifyError !== null && (presented || rejectUnauthorized)) {
        socket.authorizationError = verifyError;
        socket.destroy(verifyError);
        return;
      }
      socket.authorized = verifyError === null;
    }
    release();
  });
  return socket;
}

/**
 * The client side of TLS over `raw` (`tls.connect` on an existing socket, which checks the
 * server's chain and name as the options say and fails with the reason).
 */
export function clientTLSSocket(raw: net.Socket, prepared: PreparedTLS): tls.TLSSocket {
  const { options, secureContext } = prepared;
  const socket = tls.connect({
    socket: raw,
    secureContext,
    rejectUnauthorized: options.rejectUnauthorized !== false,
    ...(options.servername !== undefined ? { servername: options.servername } : {}),
    ...(options.checkServerIdentity !== undefined
      ? { checkServerIdentity: options.checkServerIdentity }
      : {}),
    ...(options.ALPNProtocols !== undefined ? { ALPNProtocols: options.ALPNProtocols } : {}),
    ...(options.session !== undefined ? { session: options.session } : {}),
  });
  const release = holdWrites(socket);
  closeTogether(socket, raw);
  socket.once('secureConnect', release);
  return socket;
}

/** The TLS socket for `side`. */
export function tlsSocketFor(raw: net.Socket, prepared: PreparedTLS): tls.TLSSocket {
  return prepared.side === 'server' ? serverTLSSocket(raw, prepared) : clientTLSSocket(raw, prepared);
}
