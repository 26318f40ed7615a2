/**
 * The argument forms of `listenUNIX(address, factory, backlog = 50, mode = 0o666, wantPID =
 * false)` and `connectUNIX(address, factory, timeout = 30, checkPID = false)`, positional or
 * with a trailing options object, parsed and checked in one place.
 *
 * @internal
 * @module
 */
import type { IClientFactory, IProtocolFactory } from '../../interfaces.ts';
import { validateSignal } from '../udp/listen-options.ts';
import {
  DEFAULT_BACKLOG,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_UNIX_MODE,
  readOptions,
  validateBacklog,
  validateClientFactory,
  validateConnectTimeout,
  validateFactory,
  validateFlag,
  validateMode,
  validateUnixPath,
} from './stream-checks.ts';

/** A `listenUNIX` call after checking, with the defaults filled in. */
export interface ListenUNIXArgs {
  /** The socket path, or a `'\0'`-prefixed abstract name. */
  readonly address: string;
  /** The factory of the protocols of accepted connections. */
  readonly factory: IProtocolFactory;
  /** listen(2)'s backlog (default 50). */
  readonly backlog: number;
  /** The permissions given to the socket file (default 0o666). */
  readonly mode: number;
  /** Whether to hold the `<address>.lock` lock file (Twisted's `wantPID`). */
  readonly wantPID: boolean;
  /** Aborting it stops the port. */
  readonly signal: AbortSignal | undefined;
}

/** A `connectUNIX` call after checking, with the defaults filled in. */
export interface ConnectUNIXArgs {
  /** The socket path, or a `'\0'`-prefixed abstract name. */
  readonly address: string;
  /** The factory told of the outcome. */
  readonly factory: IClientFactory;
  /** Seconds before the attempt fails with `TimeoutError` (`Infinity`: never). Default 30. */
  readonly timeout: number;
  /** Whether a live process must hold `<address>.lock` (Twisted's `checkPID`). */
  readonly checkPID: boolean;
  /** Aborting it disconnects. */
  readonly signal: AbortSignal | undefined;
}

/** Parses `listenUNIX(address, factory, backlogOrOptions?, mode?, wantPID?)`; positional arguments win. */
export function parseListenUNIXArgs(
  address: unknown,
  factory: unknown,
  backlogOrOptions: unknown,
  mode: unknown,
  wantPID: unknown,
): ListenUNIXArgs {
  validateUnixPath(address);
  validateFactory(factory);
  let backlog = DEFAULT_BACKLOG;
  let fileMode = DEFAULT_UNIX_MODE;
  let lock = false;
  let signal: unknown;
  if (typeof backlogOrOptions === 'number') {
    validateBacklog(backlogOrOptions);
    backlog = backlogOrOptions;
  } else if (backlogOrOptions !== undefined) {
    const o = readOptions(backlogOrOptions, 'options', ['backlog', 'mode', 'wantPID', 'signal']);
    if (o.backlog !== undefined) {
      validateBacklog(o.backlog, 'options.backlog');
      backlog = o.backlog;
    }
    if (o.mode !== undefined) {
      validateMode(o.mode, 'options.mode');
      fileMode = o.mode;
    }
    if (o.wantPID !== undefined) {
      validateFlag(o.wantPID, 'options.wantPID');
      lock = o.wantPID;
    }
    signal = o.signal;
  }
  if (mode !== undefined) {
    validateMode(mode);
    fileMode = mode;
  }
  if (wantPID !== undefined) {
    validateFlag(wantPID, 'wantPID');
    lock = wantPID;
  }
  validateSignal(signal);
  return { address, factory, backlog, mode: fileMode, wantPID: lock, signal };
}

/** Parses `connectUNIX(address, factory, timeoutOrOptions?, checkPID?)`; positional arguments win. */
export function parseConnectUNIXArgs(
  address: unknown,
  factory: unknown,
  timeoutOrOptions: unknown,
  checkPID: unknown,
): ConnectUNIXArgs {
  validateUnixPath(address);
  validateClientFactory(factory);
  let timeout = DEFAULT_CONNECT_TIMEOUT;
  let check = false;
  let signal: unknown;
  if (typeof timeoutOrOptions === 'number') {
    validateConnectTimeout(timeoutOrOptions);
    timeout = timeoutOrOptions;
  } else if (timeoutOrOptions !== undefined) {
    const o = readOptions(timeoutOrOptions, 'options', ['timeout', 'checkPID', 'signal']);
    if (o.timeout !== undefined) {
      validateConnectTimeout(o.timeout, 'options.timeout');
      timeout = o.timeout;
    }
    if (o.checkPID !== undefined) {
      validateFlag(o.checkPID, 'options.checkPID');
      check = o.checkPID;
    }
    signal = o.signal;
  }
  if (checkPID !== undefined) {
    validateFlag(checkPID, 'checkPID');
    check = checkPID;
  }
  validateSignal(signal);
  return { address, factory, timeout, checkPID: check, signal };
}
