/**
 * Every error class twisted-ts throws or errbacks with.
 *
 * Each class has a stable `code` (see docs/errors.md) so callers can `switch (err.code)`, and
 * `instanceof` works across the ESM and CommonJS builds: the two builds load two copies of this
 * file, so each instance carries a `Symbol.for` brand per class in its chain and each class
 * answers `instanceof` by the brand, as undici does.
 *
 * @module
 */

import { TwistedError } from './errors/base.ts';
export { TwistedError } from './errors/base.ts';

/** What a Node socket error carries; kept on every wrapped OS error. */
export interface SystemErrorFields {
  /** The OS error code as Node names it (`'EADDRINUSE'`, `'EACCES'`…). */
  code?: string;
  /** The OS error number (negative on Unix, as libuv reports it). */
  errno?: number;
  /** The system call that failed (`'bind'`, `'send'`, `'addMembership'`…). */
  syscall?: string;
  /** The address the call was made with, when it had one. */
  address?: string;
  /** The port the call was made with, when it had one. */
  port?: number;
}

// Windows reports the seed's errors as 10048 (WSAEADDRINUSE) and 10013 (WSAEACCES); libuv maps them
// to EADDRINUSE and EACCES, so one explanation serves every platform.
const bindExplanations: Record<string, string> = {
  EADDRINUSE:
    'the address is already in use: another socket holds this port and did not allow sharing. ' +
    'Two sockets can share a UDP port only if BOTH ask for reuse (listenMulticast with ' +
    '{ listenMultiple: true }, or listenUDP with { reusePort: true }); a client that must send ' +
    "from a server's port should send through that port's own transport instead " +
    '(Windows: WSAEADDRINUSE, 10048)',
  EACCES:
    'permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE on Linux ' +
    '(sysctl net.ipv4.ip_unprivileged_port_start); on Windows (WSAEACCES, 10013) the port may ' +
    'be in an excluded port range, or another program holds it with SO_EXCLUSIVEADDRUSE',
  EADDRNOTAVAIL: 'the interface address is not an address of this machine',
  EAFNOSUPPORT: 'this address family is not supported here (is IPv6 disabled?)',
  EINVAL: 'the socket cannot be bound with these options',
  ENOTSUP: 'this platform does not support the requested socket option (SO_REUSEPORT?)',
  ENOPROTOOPT: 'this platform does not support the requested socket option (SO_REUSEPORT?)',
};

/** A short explanation of an OS socket error code, for messages; `undefined` when none is known. */
export function explainSocketError(code: string | undefined): string | undefined {
  return code === undefined ? undefined : bindExplanations[code];
}

function socketErrorFields(err: unknown): SystemErrorFields {
  if (err === null || typeof err !== 'object') return {};
  const e = err as SystemErrorFields;
  return { code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port };
}

/**
 * A port could not be opened (Twisted's `error.CannotListenError`). `socketError` is Node's own
 * error (`code` `EADDRINUSE`, `EACCES`…); its `errno`, `syscall` and `address` are copied here.
 */
export class CannotListenError extends TwistedError {
  override readonly code = 'ERR_CANNOT_LISTEN';
  /** The interface that was asked for (`''` means all interfaces). */
  readonly interface: string;
  /** The port that was asked for (`0` when the OS was to choose one). */
  readonly port: number;
  /** Node's own error; `socketError.code` is the OS code (`'EADDRINUSE'`, `'EACCES'`…). */
  readonly socketError: Error & SystemErrorFields;
  /** `socketError.errno`, copied so callers need not reach into the cause. */
  readonly errno: number | undefined;
  /** `socketError.syscall` (usually `'bind'`). */
  readonly syscall: string | undefined;
  /** `socketError.address`: the address the bind was tried on. */
  readonly address: string | undefined;
  /** The UNIX socket path of a `listenUNIX` that failed (then `interface` is `''` and `port` 0). */
  readonly path: string | undefined;

  /**
   * @param options.path a UNIX socket path: the message names it instead of an interface and port.
   */
  constructor(
    iface: string,
    port: number,
    socketError: unknown,
    explanation?: string,
    options?: { path?: string },
  ) {
    const fields = socketErrorFields(socketError);
    const reason =
      explanation ??
      explainSocketError(fields.code) ??
      (socketError instanceof Error ? socketError.message : String(socketError));
    const path = options?.path;
    const where =
      path !== undefined ? JSON.stringify(path) : `${iface === '' ? 'all interfaces' : iface}:${port}`;
    super(`Couldn't listen on ${where}: ${fields.code ? `${fields.code}: ` : ''}${reason}.`, {
      cause: socketError,
    });
    this.interface = iface;
    this.port = port;
    this.socketError = (
      socketError instanceof Error ? socketError : new Error(String(socketError))
    ) as Error & SystemErrorFields;
    this.errno = fields.errno;
    this.syscall = fields.syscall;
    this.address = fields.address;
    this.path = path;
  }
}

/** A datagram is too long to send (Twisted's `error.MessageLengthError`). */
export class MessageLengthError extends TwistedError {
  override readonly code = 'ERR_MESSAGE_LENGTH';
}

/** An address is not an IP literal of the right family, or not an address at all. */
export class InvalidAddressError extends TwistedError {
  override readonly code = 'ERR_INVALID_ADDRESS';
  /** The rejected address, as it was given (it may not even be a string). */
  readonly address: unknown;
  /** `options.cause`: the OS error behind it, when there is one. */
  constructor(address: unknown, message: string, options?: ErrorOptions) {
    super(message, options);
    this.address = address;
  }
}

/** Joining or leaving a multicast group failed (Twisted's `error.MulticastJoinError`). */
export class MulticastJoinError extends TwistedError {
  override readonly code = 'ERR_MULTICAST_JOIN';
  /** The group address of the join or leave. */
  readonly group: string;
  /** The interface of the join or leave (`''` means the OS's choice). */
  readonly interface: string;
  /** The OS error behind the failure; `undefined` when the arguments were refused before any system call. */
  readonly socketError: (Error & SystemErrorFields) | undefined;
  constructor(group: string, iface: string, message: string, socketError?: unknown) {
    super(message, socketError === undefined ? undefined : { cause: socketError });
    this.group = group;
    this.interface = iface;
    this.socketError = socketError instanceof Error ? (socketError as Error & SystemErrorFields) : undefined;
  }
}

/** A protocol instance was listened on a second port while it still has a transport. */
export class AlreadyListeningError extends TwistedError {
  override readonly code = 'ERR_ALREADY_LISTENING';
}

/** `DelayedCall.cancel()` (or `reset`/`delay`) after the call ran. */
export class AlreadyCalled extends TwistedError {
  override readonly code = 'ERR_ALREADY_CALLED';
}

/** `DelayedCall.cancel()` (or `reset`/`delay`) after it was cancelled. */
export class AlreadyCancelled extends TwistedError {
  override readonly code = 'ERR_ALREADY_CANCELLED';
}

/** `reactor.stop()` while the reactor is not running. */
export class ReactorNotRunning extends TwistedError {
  override readonly code = 'ERR_REACTOR_NOT_RUNNING';
}

/** `reactor.run()` while it is already running. */
export class ReactorAlreadyRunning extends TwistedError {
  override readonly code = 'ERR_REACTOR_ALREADY_RUNNING';
}

/** `reactor.run()` after the reactor was stopped: like Twisted's, it cannot be restarted. */
export class ReactorNotRestartable extends TwistedError {
  override readonly code = 'ERR_REACTOR_NOT_RESTARTABLE';
}

/** A Deferred was fired twice (`callback`/`errback` after it already has a result). */
export class AlreadyCalledError extends TwistedError {
  override readonly code = 'ERR_DEFERRED_ALREADY_CALLED';
}

/** A Deferred was cancelled. */
export class CancelledError extends TwistedError {
  override readonly code = 'ERR_CANCELLED';
}

/** `DeferredQueue.put` on a full queue. */
export class QueueOverflow extends TwistedError {
  override readonly code = 'ERR_QUEUE_OVERFLOW';
}

/** `DeferredQueue.get` with the backlog of waiting getters full. */
export class QueueUnderflow extends TwistedError {
  override readonly code = 'ERR_QUEUE_UNDERFLOW';
}

/** Thrown or errbacked by `react`'s main to end the process with `exitCode` (Python's SystemExit). */
export class SystemExit extends TwistedError {
  override readonly code = 'ERR_SYSTEM_EXIT';
  /** The status `react` exits the process with. */
  readonly exitCode: number;
  constructor(exitCode = 0, message?: string) {
    super(message ?? `exit ${exitCode}`);
    this.exitCode = exitCode;
  }
}

/**
 * The first failure of a `DeferredList` with `fireOnOneErrback` (and so of `gatherResults`):
 * Twisted's `defer.FirstError`. `subFailure` is the failure (a `Failure`), `index` the position
 * of the Deferred that failed; `cause` is the underlying error.
 */
export class FirstError extends TwistedError {
  override readonly code = 'ERR_FIRST_ERROR';
  /** The `Failure` of the Deferred that failed first. */
  readonly subFailure: import('./failure.ts').Failure;
  /** Its index in the list. */
  readonly index: number;
  constructor(subFailure: import('./failure.ts').Failure, index: number) {
    super(`FirstError[#${index}, ${subFailure.value.name}: ${subFailure.value.message}]`, {
      cause: subFailure.value,
    });
    this.subFailure = subFailure;
    this.index = index;
  }
}

/**
 * Every Deferred given to `race` failed (Twisted's `defer.FailureGroup`): `failures` holds their
 * `Failure`s in input order; `errors` the underlying errors, as in `AggregateError`.
 */
export class FailureGroup extends TwistedError {
  override readonly code = 'ERR_FAILURE_GROUP';
  /** The `Failure` of every Deferred given to `race`, in input order. */
  readonly failures: readonly import('./failure.ts').Failure[];
  constructor(failures: readonly import('./failure.ts').Failure[]) {
    super(`All ${failures.length} Deferreds failed`);
    this.failures = failures;
  }
  /** The underlying errors, in input order. */
  get errors(): Error[] {
    return this.failures.map((f) => f.value);
  }
}
export * from './errors/logger.ts';
export * from './errors/application.ts';
export * from './errors/usage.ts';
export * from './errors/task.ts';
export * from './errors/threads.ts';
export * from './errors/stream.ts';
export * from './errors/endpoints.ts';
export * from './errors/basic.ts';
export * from './errors/web.ts';
