/**
 * The errors of streams (TCP, UNIX and TLS connections), with Twisted's hierarchy from
 * `twisted.internet.error`:
 *
 * - `ConnectionClosed` ← `ConnectionDone` (a clean close) and `ConnectionLost` (not clean) ←
 *   `ConnectionAborted` (`abortConnection()`): the reasons `connectionLost` receives.
 * - `ConnectError` ← `ConnectionRefusedError`, `DNSLookupError`, `NoRouteError`,
 *   `TCPTimedOutError`, `ConnectBindError`, `BadFileError`, `TLSError`, and `UserError`
 *   (`stopConnecting()`) ← `TimeoutError` (a connect timeout, and what `Deferred.addTimeout` and
 *   `reactor.resolve` fail with): the reasons `clientConnectionFailed` receives.
 * - `NotConnectingError`: `stopConnecting()` on a connector that is not connecting.
 *
 * A message given to the constructor is the whole message; without one, the message is
 * Twisted's text for the class (`'Connection was refused by other side.'`), followed by the OS
 * error when there is one.
 *
 * @module
 */
import type { SystemErrorFields } from '../errors.ts';
import { TwistedError } from './base.ts';

/** The options of the stream errors' constructors. */
export interface StreamErrorOptions {
  /** What caused it (`Error.cause`); defaults to `osError`. */
  cause?: unknown;
  /**
   * The OS error behind it, as Node reports it (`code` `'ECONNREFUSED'`, `'ECONNRESET'`,
   * `'ETIMEDOUT'`…): kept as `osError`, its `errno`, `syscall`, `address` and `port` copied.
   */
  osError?: unknown;
}

/** Node's error for a failed system call, with the fields it carries. */
export type OsError = Error & SystemErrorFields;

function asOsError(value: unknown): OsError | undefined {
  return value instanceof Error ? (value as OsError) : undefined;
}

/** Twisted's text for the class, then the OS error's code and message, or the given message. */
function messageFor(fallback: string, message: string | undefined, osError: OsError | undefined): string {
  if (message !== undefined) return message;
  if (osError === undefined) return `${fallback}.`;
  const detail = osError.code && !osError.message.includes(osError.code) ? `${osError.code}: ` : '';
  return `${fallback}: ${detail}${osError.message}.`;
}

function causeOf(options: StreamErrorOptions | undefined): ErrorOptions | undefined {
  if (options === undefined) return undefined;
  const cause = options.cause ?? options.osError;
  return cause === undefined ? undefined : { cause };
}

/**
 * The fields every stream error copies from the OS error behind it, so callers need not reach
 * into `osError` (Node's own error).
 */
interface OsErrorFields {
  readonly osError: OsError | undefined;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly address: string | undefined;
  readonly port: number | undefined;
}

function osFields(options: StreamErrorOptions | undefined): OsErrorFields {
  const osError = asOsError(options?.osError);
  return {
    osError,
    errno: osError?.errno,
    syscall: osError?.syscall,
    address: osError?.address,
    port: osError?.port,
  };
}

// ---------------------------------------------------------------------------------------------
// How a connection ended

/** A connection was closed, cleanly or not (Twisted's `error.ConnectionClosed`). */
export class ConnectionClosed extends TwistedError {
  override readonly code: string = 'ERR_CONNECTION_CLOSED';
  /** Twisted's text for this class, used when no message is given. */
  static readonly MESSAGE: string = 'Connection was closed';
  /** Node's own error when the OS reported one (`code` `'ECONNRESET'`, `'EPIPE'`…), else `undefined`. */
  readonly osError: OsError | undefined;
  /** `osError.errno`. */
  readonly errno: number | undefined;
  /** `osError.syscall` (`'read'`, `'write'`…). */
  readonly syscall: string | undefined;

  constructor(message?: string, options?: StreamErrorOptions) {
    const fields = osFields(options);
    super(messageFor(new.target.MESSAGE, message, fields.osError), causeOf(options));
    this.osError = fields.osError;
    this.errno = fields.errno;
    this.syscall = fields.syscall;
  }
}

/**
 * The connection was closed cleanly (Twisted's `error.ConnectionDone`): `loseConnection()` on
 * either side, after the data written before it was sent.
 */
export class ConnectionDone extends ConnectionClosed {
  override readonly code: string = 'ERR_CONNECTION_DONE';
  static override readonly MESSAGE: string = 'Connection was closed cleanly';
}

/**
 * The connection was lost in a non-clean fashion (Twisted's `error.ConnectionLost`): the peer
 * reset it, a write failed, the reactor shut down, or a protocol callback threw (that error is
 * then the `cause`).
 */
export class ConnectionLost extends ConnectionClosed {
  override readonly code: string = 'ERR_CONNECTION_LOST';
  static override readonly MESSAGE: string = 'Connection to the other side was lost in a non-clean fashion';
}

/**
 * The connection was aborted locally with `abortConnection()` (Twisted's
 * `error.ConnectionAborted`); the peer sees a reset.
 */
export class ConnectionAborted extends ConnectionLost {
  override readonly code: string = 'ERR_CONNECTION_ABORTED';
  static override readonly MESSAGE: string =
    'Connection was aborted locally using ITCPTransport.abortConnection';
}

// ---------------------------------------------------------------------------------------------
// Why a connection attempt failed

/**
 * A connection attempt failed (Twisted's `error.ConnectError`); the subclasses say why. Passed
 * to `clientConnectionFailed(connector, reason)`.
 */
export class ConnectError extends TwistedError {
  override readonly code: string = 'ERR_CONNECT';
  /** Twisted's text for this class, used when no message is given. */
  static readonly MESSAGE: string = 'An error occurred while connecting';
  /** Node's own error when the OS reported one (`code` `'ECONNREFUSED'`…), else `undefined`. */
  readonly osError: OsError | undefined;
  /** `osError.errno`. */
  readonly errno: number | undefined;
  /** `osError.syscall` (`'connect'`, `'bind'`, `'getaddrinfo'`…). */
  readonly syscall: string | undefined;
  /** `osError.address`: the address the call was made with. */
  readonly address: string | undefined;
  /** `osError.port`: the port the call was made with. */
  readonly port: number | undefined;

  constructor(message?: string, options?: StreamErrorOptions) {
    const fields = osFields(options);
    super(messageFor(new.target.MESSAGE, message, fields.osError), causeOf(options));
    this.osError = fields.osError;
    this.errno = fields.errno;
    this.syscall = fields.syscall;
    this.address = fields.address;
    this.port = fields.port;
  }
}

/** The peer refused the connection (ECONNREFUSED; Twisted's `error.ConnectionRefusedError`); also a connected UDP port's peer answering with ICMP port-unreachable. */
export class ConnectionRefusedError extends ConnectError {
  override readonly code: string = 'ERR_CONNECTION_REFUSED';
  static override readonly MESSAGE: string = 'Connection was refused by other side';
}

/** A host name could not be resolved (Twisted's `error.DNSLookupError`). */
export class DNSLookupError extends ConnectError {
  override readonly code: string = 'ERR_DNS_LOOKUP';
  static override readonly MESSAGE: string = 'DNS lookup failed';
}

/** No route to the host (ENETUNREACH, EHOSTUNREACH; Twisted's `error.NoRouteError`). */
export class NoRouteError extends ConnectError {
  override readonly code: string = 'ERR_NO_ROUTE';
  static override readonly MESSAGE: string = 'No route to host';
}

/** The OS gave up connecting (ETIMEDOUT; Twisted's `error.TCPTimedOutError`). */
export class TCPTimedOutError extends ConnectError {
  override readonly code: string = 'ERR_TCP_TIMED_OUT';
  static override readonly MESSAGE: string = 'TCP connection timed out';
}

/** The local `bindAddress` of a connection could not be bound (Twisted's `error.ConnectBindError`). */
export class ConnectBindError extends ConnectError {
  override readonly code: string = 'ERR_CONNECT_BIND';
  static override readonly MESSAGE: string = "Couldn't bind";
}

/**
 * A UNIX socket path is no good: with `checkPID`, no live process holds its lock file
 * (Twisted's `error.BadFileError`).
 */
export class BadFileError extends ConnectError {
  override readonly code: string = 'ERR_BAD_FILE';
  static override readonly MESSAGE: string = 'File used for UNIX socket is no good';
}

/**
 * The user stopped the connection attempt: `connector.stopConnecting()` or `disconnect()`
 * while connecting (Twisted's `error.UserError`).
 */
export class UserError extends ConnectError {
  override readonly code: string = 'ERR_USER_ABORTED';
  static override readonly MESSAGE: string = 'User aborted connection';
}

/**
 * Something took longer than allowed (Twisted's `error.TimeoutError`): a connection attempt
 * past its `timeout`, a Deferred timed out with `addTimeout` (`cause` is the `CancelledError`),
 * a name that did not resolve in time.
 */
export class TimeoutError extends UserError {
  override readonly code: string = 'ERR_TIMEOUT';
  static override readonly MESSAGE: string = 'User timeout caused connection failure';
}

/**
 * A TLS handshake or certificate check failed (Twisted's `error.SSLError`, and the OpenSSL
 * error its TLS transport reports); `osError` is Node's error, whose `code` says why
 * (`'CERT_HAS_EXPIRED'`, `'ERR_TLS_CERT_ALTNAME_INVALID'`, `'ERR_SSL_…'`).
 */
export class TLSError extends ConnectError {
  override readonly code: string = 'ERR_TLS';
  static override readonly MESSAGE: string = 'A TLS error occurred';
}

/** `connector.stopConnecting()` when the connector is not connecting (Twisted's `error.NotConnectingError`). */
export class NotConnectingError extends TwistedError {
  override readonly code: string = 'ERR_NOT_CONNECTING';
}

/**
 * A producer was registered on a consumer that already has one, or (on `StringTransport`)
 * unregistered when none was, or resumed after it was stopped: Twisted raises `RuntimeError`.
 */
export class ProducerStateError extends TwistedError {
  override readonly code: string = 'ERR_PRODUCER_STATE';
}

/** `connector.connect()` while the connector is connecting or connected (Twisted raises `RuntimeError`). */
export class ConnectorStateError extends TwistedError {
  override readonly code: string = 'ERR_CONNECTOR_STATE';
}
