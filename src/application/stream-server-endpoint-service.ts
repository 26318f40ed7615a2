/**
 * `StreamServerEndpointService` and `strportsService` (Twisted's
 * `internet.StreamServerEndpointService` and `strports.service`): a service listening on any
 * server endpoint, or on a description string.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import { serverFromString } from '../endpoints/server-from-string.ts';
import { CancelledError } from '../errors.ts';
import type { Failure } from '../failure.ts';
import type {
  IListeningPort,
  IProtocolFactory,
  IStreamServerEndpoint,
  StreamAddress,
} from '../interfaces.ts';
import { err } from '../log/log.ts';
import { reactor as globalReactor } from '../reactor/index.ts';
import { invalidArgType } from '../validate.ts';
import { Service } from './service.ts';

/** The options of `new StreamServerEndpointService(endpoint, factory, { … })`. */
export interface StreamServerEndpointServiceOptions {
  /**
   * Throw a listen failure that happens at once from the start call (Twisted's
   * `_raiseSynchronously`, which `strports.service` sets) instead of logging it. Default `false`.
   */
  raiseSynchronously?: boolean;
}

/**
 * Listens on `endpoint` with `factory` while running (Twisted's
 * `internet.StreamServerEndpointService`). `endpoint.listen(factory)` is called in
 * `privilegedStartService` (or `startService` if that was not called), so a low port is bound
 * before `--uid` drops root.
 *
 * When listening fails, the failure is logged and the service stays "running" without a port,
 * as Twisted's does, unless `raiseSynchronously` is set and the endpoint failed at once (the TCP,
 * UNIX and TLS endpoints do): then the start call throws the error (`CannotListenError`…), so
 * `twist` exits with it. A failure arriving later is always logged.
 *
 * `stopService` cancels a listen still in progress and stops the port; its Deferred fires once the
 * port is closed. Unlike Twisted's, the service can be started again after it stopped.
 *
 * @example
 * const endpoint = new TCP4ServerEndpoint(reactor, 8080, { interface: '127.0.0.1' });
 * new StreamServerEndpointService(endpoint, Factory.forProtocol(Echo)).setServiceParent(application);
 */
export class StreamServerEndpointService extends Service {
  /** Where to listen. */
  readonly endpoint: IStreamServerEndpoint;
  /** The factory making a protocol per connection. */
  readonly factory: IProtocolFactory;
  /** Throw an immediate listen failure from the start call instead of logging it (Twisted's `_raiseSynchronously`). */
  raiseSynchronously: boolean;
  #waitingForPort: Deferred<IListeningPort<StreamAddress> | undefined> | undefined;
  #listeningPort: IListeningPort<StreamAddress> | undefined;

  /** Listens on `endpoint` with `factory` while running. */
  constructor(
    endpoint: IStreamServerEndpoint,
    factory: IProtocolFactory,
    options: StreamServerEndpointServiceOptions = {},
  ) {
    super();
    if (endpoint === null || typeof endpoint !== 'object' || typeof endpoint.listen !== 'function') {
      throw invalidArgType('endpoint', 'a server endpoint (an object with listen(factory))', endpoint);
    }
    if (factory === null || typeof factory !== 'object' || typeof factory.buildProtocol !== 'function') {
      throw invalidArgType('factory', 'a protocol factory (an object with buildProtocol(addr))', factory);
    }
    if (options === null || typeof options !== 'object')
      throw invalidArgType('options', 'an object', options);
    this.endpoint = endpoint;
    this.factory = factory;
    this.raiseSynchronously = options.raiseSynchronously ?? false;
  }

  /** The listening port once `listen` succeeded, until `stopService` (`undefined` otherwise). */
  get port(): IListeningPort<StreamAddress> | undefined {
    return this.#listeningPort;
  }

  /**
   * Starts listening.
   *
   * @throws the listen failure (e.g. `CannotListenError`) when `raiseSynchronously` is set and
   *   the endpoint failed at once.
   */
  override privilegedStartService(): void {
    super.privilegedStartService();
    const raisedNow: Failure[] = [];
    let synchronous = true;
    const waiting = this.endpoint.listen(this.factory).addCallbacks(
      (port: IListeningPort<StreamAddress>) => {
        this.#listeningPort = port;
        return port;
      },
      (why: Failure) => {
        if (synchronous && this.raiseSynchronously) raisedNow.push(why);
        else if (why.check(CancelledError) === undefined) {
          err(why, `${this.constructor.name} could not listen on ${String(this.endpoint)}`);
        }
        return undefined;
      },
    );
    synchronous = false;
    if (raisedNow.length > 0) {
      super.stopService();
      raisedNow[0].raiseException();
    }
    this.#waitingForPort = waiting;
  }

  /** Starts listening unless `privilegedStartService` did. */
  override startService(): void {
    super.startService();
    if (this.#waitingForPort === undefined) this.privilegedStartService();
  }

  /** Cancels a listen in progress, stops the port; fires once it is closed. */
  override stopService(): Deferred<unknown> | undefined {
    const waiting = this.#waitingForPort;
    this.#waitingForPort = undefined;
    if (waiting === undefined) {
      super.stopService();
      return undefined;
    }
    waiting.cancel();
    return waiting
      .addCallback((port) => {
        this.#listeningPort = undefined;
        return port?.stopListening();
      })
      .addBoth((result: unknown) => {
        super.stopService();
        return result;
      });
  }
}

/**
 * A service listening on the server endpoint `description` describes (Twisted's
 * `strports.service`, over `serverFromString`): a failure to listen at start is thrown from the
 * start call (`raiseSynchronously`), so `twist` reports it and exits 1.
 *
 * @throws the description's parse error (`EndpointDescriptionError`) at once.
 * @example
 * strportsService('tcp:8080:interface=127.0.0.1', Factory.forProtocol(Echo)).setServiceParent(application);
 */
export function strportsService(
  description: string,
  factory: IProtocolFactory,
  reactor: object = globalReactor,
): StreamServerEndpointService {
  return new StreamServerEndpointService(serverFromString(reactor, description), factory, {
    raiseSynchronously: true,
  });
}
