/**
 * Twisted's `UNIXServerEndpoint` and `UNIXClientEndpoint`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type {
  IListeningPort,
  IProtocol,
  IProtocolFactory,
  IReactorUNIX,
  IStreamClientEndpoint,
  IStreamServerEndpoint,
  IUNIXAddress,
} from '../interfaces.ts';
import {
  DEFAULT_BACKLOG,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_UNIX_MODE,
  validateBacklog,
  validateConnectTimeout,
  validateFlag,
  validateMode,
  validateUnixPath,
} from '../transports/tcp/stream-checks.ts';
import { ConnectingFactory } from './connecting-factory.ts';
import { checkReactor, execute, readArgs } from './endpoint-args.ts';

/** The keyword form of {@link UNIXServerEndpoint}'s arguments. */
export interface UNIXServerEndpointOptions {
  /** The listen queue's length (default 50). */
  backlog?: number;
  /** The socket file's mode (default 0o666). */
  mode?: number;
  /** Keep a `<path>.lock` file with the process id (default false). */
  wantPID?: boolean;
}

/**
 * Listens on a UNIX socket: `new UNIXServerEndpoint(reactor, address, backlog = 50,
 * mode = 0o666, wantPID = false)` or `(reactor, address, { backlog, mode, wantPID })`.
 */
export class UNIXServerEndpoint implements IStreamServerEndpoint {
  /** The reactor listened with. */
  readonly reactor: IReactorUNIX;
  /** The socket's path (`\0…`: Linux's abstract namespace). */
  readonly address: string;
  /** The listen queue's length. */
  readonly backlog: number;
  /** The socket file's mode. */
  readonly mode: number;
  /** Whether a lock file is kept. */
  readonly wantPID: boolean;

  /** See the class. */
  constructor(
    reactor: IReactorUNIX,
    address: string,
    backlogOrOptions?: number | UNIXServerEndpointOptions,
    mode?: number,
    wantPID?: boolean,
  ) {
    this.reactor = checkReactor<IReactorUNIX>(reactor, ['listenUNIX']);
    validateUnixPath(address);
    const args = readArgs(backlogOrOptions, [mode, wantPID], ['backlog', 'mode', 'wantPID']);
    const backlog = args.backlog ?? DEFAULT_BACKLOG;
    const m = args.mode ?? DEFAULT_UNIX_MODE;
    const want = args.wantPID ?? false;
    validateBacklog(backlog);
    validateMode(m);
    validateFlag(want, 'wantPID');
    this.address = address;
    this.backlog = backlog;
    this.mode = m;
    this.wantPID = want;
  }

  /** Listens (`reactor.listenUNIX`); fires with the port, or fails with `CannotListenError`. */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<IUNIXAddress>> {
    return execute(() =>
      this.reactor.listenUNIX(this.address, factory, this.backlog, this.mode, this.wantPID),
    );
  }
}

/** The keyword form of {@link UNIXClientEndpoint}'s arguments. */
export interface UNIXClientEndpointOptions {
  /** Seconds to wait for the connection (default 30). */
  timeout?: number;
  /** Check the server's `<path>.lock` first (default false). */
  checkPID?: boolean;
}

/**
 * Connects to a UNIX socket: `new UNIXClientEndpoint(reactor, path, timeout = 30,
 * checkPID = false)` or `(reactor, path, { timeout, checkPID })`.
 */
export class UNIXClientEndpoint implements IStreamClientEndpoint {
  /** The reactor connected with. */
  readonly reactor: IReactorUNIX;
  /** The socket's path. */
  readonly path: string;
  /** Seconds to wait for the connection. */
  readonly timeout: number;
  /** Whether the server's lock file is checked. */
  readonly checkPID: boolean;

  /** See the class. */
  constructor(
    reactor: IReactorUNIX,
    path: string,
    timeoutOrOptions?: number | UNIXClientEndpointOptions,
    checkPID?: boolean,
  ) {
    this.reactor = checkReactor<IReactorUNIX>(reactor, ['connectUNIX']);
    validateUnixPath(path, 'path');
    const args = readArgs(timeoutOrOptions, [checkPID], ['timeout', 'checkPID']);
    const timeout = args.timeout ?? DEFAULT_CONNECT_TIMEOUT;
    const check = args.checkPID ?? false;
    validateConnectTimeout(timeout);
    validateFlag(check, 'checkPID');
    this.path = path;
    this.timeout = timeout;
    this.checkPID = check;
  }

  /** Connects (`reactor.connectUNIX`); fires with the protocol once connected. */
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const connecting = new ConnectingFactory(factory);
    try {
      this.reactor.connectUNIX(this.path, connecting, this.timeout, this.checkPID);
    } catch (e) {
      connecting.onConnection.errback(e);
    }
    return connecting.onConnection;
  }
}
