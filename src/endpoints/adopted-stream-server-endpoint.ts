/**
 * Twisted's `AdoptedStreamServerEndpoint`.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import { fail } from '../defer/shortcuts.ts';
import { AlreadyListened } from '../errors/endpoints.ts';
import type {
  IListeningPort,
  IProtocolFactory,
  IStreamServerEndpoint,
  StreamAddress,
} from '../interfaces.ts';
import type { AddressFamily } from '../transports/tcp/adopt-stream-port.ts';
import { invalidArgValue, validateInteger } from '../validate.ts';
import { checkReactor, execute } from './endpoint-args.ts';

/** A reactor that can adopt a listening socket (Twisted's `IReactorSocket`). */
export interface IReactorSocket {
  /** Listens on the stream socket `fileDescriptor`, of `addressFamily`, with `factory`. */
  adoptStreamPort(
    fileDescriptor: number,
    addressFamily: AddressFamily,
    factory: IProtocolFactory,
  ): IListeningPort<StreamAddress>;
}

/**
 * Listens on a socket made outside this program and passed as a file descriptor — by systemd
 * (socket activation: `systemd:domain=INET:index=0`), by a parent process — once (Twisted's
 * `AdoptedStreamServerEndpoint`). A second `listen()` fails with {@link AlreadyListened}.
 *
 * @example
 * // A unit with ListenStream=8080 passes the socket as fd 3:
 * const port = await new AdoptedStreamServerEndpoint(reactor, 3, 'INET').listen(factory);
 */
export class AdoptedStreamServerEndpoint implements IStreamServerEndpoint {
  /** The reactor that adopts the socket. */
  readonly reactor: IReactorSocket;
  /** The file descriptor. */
  readonly fileno: number;
  /** Its address family. */
  readonly addressFamily: AddressFamily;
  #used = false;

  /**
   * @param reactor - a reactor with `adoptStreamPort`.
   * @param fileno - the descriptor of a stream socket (bound; usually listening).
   * @param addressFamily - `'INET'`, `'INET6'` or `'UNIX'`.
   */
  constructor(reactor: IReactorSocket, fileno: number, addressFamily: AddressFamily) {
    this.reactor = checkReactor<IReactorSocket>(reactor, ['adoptStreamPort']);
    validateInteger(fileno, 'fileno', 0, 2 ** 31 - 1);
    if (addressFamily !== 'INET' && addressFamily !== 'INET6' && addressFamily !== 'UNIX') {
      throw invalidArgValue(
        'addressFamily',
        `It must be 'INET', 'INET6' or 'UNIX'. Received ${String(addressFamily)}`,
      );
    }
    this.fileno = fileno;
    this.addressFamily = addressFamily;
  }

  /** Adopts the socket; fires with the port, or fails (`CannotListenError`, `AlreadyListened`). */
  listen(factory: IProtocolFactory): Deferred<IListeningPort<StreamAddress>> {
    if (this.#used) return fail(new AlreadyListened(`File descriptor ${this.fileno} was adopted already.`));
    this.#used = true;
    return execute(() => this.reactor.adoptStreamPort(this.fileno, this.addressFamily, factory));
  }
}
