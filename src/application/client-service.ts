/**
 * `ClientService` (Twisted's `twisted.application.internet.ClientService`): keeps one outgoing
 * connection through an endpoint, reconnecting with a back-off when it fails or is lost.
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { fail, maybeDeferred, succeed } from '../defer/shortcuts.ts';
import { CancelledError } from '../errors.ts';
import { Failure } from '../failure.ts';
import type { IDelayedCall, IReactorTime } from '../interfaces.ts';
import { Logger } from '../logger/logger.ts';
import { reactor as globalReactor } from '../reactor/index.ts';
import { backoffPolicy, type RetryPolicy } from './backoff-policy.ts';
import { Service } from './service.ts';

/** What `ClientService` needs of a connection: closing it. */
export interface ClientServiceTransport {
  /** Closes the connection (the protocol's `connectionLost` follows). */
  loseConnection(): unknown;
}

/** What `ClientService` needs of a protocol: to hear that its connection was lost, and to close it. */
export interface ClientServiceProtocol {
  /** Called by the transport when the connection is gone. */
  connectionLost?(reason: unknown): unknown;
  /** The connection, set by the transport. */
  transport?: ClientServiceTransport | undefined;
}

/** What `ClientService` needs of a factory (Twisted's `IProtocolFactory`). */
export interface ClientServiceFactory<P extends ClientServiceProtocol = ClientServiceProtocol> {
  /** Makes the protocol of a new connection. */
  buildProtocol(addr: unknown): P | null | undefined;
}

/** A client endpoint (Twisted's `IStreamClientEndpoint`): connects and fires with the protocol. */
export interface ClientServiceEndpoint {
  /** Connects with `factory`; fires with the connected protocol, or fails. */
  connect(factory: ClientServiceFactory): Deferred<unknown> | PromiseLike<unknown>;
}

/** The options of `new ClientService(endpoint, factory, { … })`. */
export interface ClientServiceOptions<P> {
  /** Seconds to wait after `n` consecutive failures (default `backoffPolicy()`). */
  retryPolicy?: RetryPolicy;
  /** The clock retries are scheduled on (default: the reactor). */
  clock?: IReactorTime;
  /** Called with each new connection before it is handed out; a throw or failure rejects it (it counts as a failed attempt). */
  prepareConnection?: (protocol: P) => unknown;
}

type State = 'init' | 'connecting' | 'waiting' | 'connected' | 'disconnecting' | 'restarting' | 'stopped';

interface Waiter<P> {
  deferred: Deferred<P>;
  remaining: number | undefined;
}

const patched = new WeakSet<object>();

/**
 * Maintains one connection to `endpoint`: connects when started, reconnects after
 * `retryPolicy(failures)` seconds when an attempt fails or the connection is lost, and closes
 * it when stopped. `whenConnected()` gives the current protocol or the next one.
 *
 * @example
 * const service = new ClientService(endpoint, factory, { retryPolicy: backoffPolicy({ maxDelay: 30 }) });
 * service.setServiceParent(application);
 * const proto = await service.whenConnected({ failAfterFailures: 3 });
 */
export class ClientService<P extends ClientServiceProtocol = ClientServiceProtocol> extends Service {
  readonly #endpoint: ClientServiceEndpoint;
  readonly #factory: ClientServiceFactory<P>;
  readonly #retryPolicy: RetryPolicy;
  readonly #clock: IReactorTime;
  readonly #prepare: ((protocol: P) => unknown) | undefined;
  readonly #log = new Logger('twisted-ts.application.ClientService', this);
  #state: State = 'init';
  #failedAttempts = 0;
  #attempt: Deferred<unknown> | undefined;
  #retryCall: IDelayedCall | undefined;
  #current: P | undefined;
  #waiters: Waiter<P>[] = [];
  #stopWaiters: Deferred<undefined>[] = [];

  /** `new ClientService(endpoint, factory, { retryPolicy, clock, prepareConnection })` (or Twisted's positional order). */
  constructor(
    endpoint: ClientServiceEndpoint,
    factory: ClientServiceFactory<P>,
    retryPolicyOrOptions?: RetryPolicy | ClientServiceOptions<P>,
    clock?: IReactorTime,
    prepareConnection?: (protocol: P) => unknown,
  ) {
    super();
    if (endpoint === null || typeof endpoint !== 'object' || typeof endpoint.connect !== 'function') {
      throw Object.assign(
        new TypeError('The "endpoint" argument must be a client endpoint (an object with connect())'),
        {
          code: 'ERR_INVALID_ARG_TYPE',
        },
      );
    }
    if (factory === null || typeof factory !== 'object' || typeof factory.buildProtocol !== 'function') {
      throw Object.assign(
        new TypeError('The "factory" argument must be a protocol factory (an object with buildProtocol())'),
        {
          code: 'ERR_INVALID_ARG_TYPE',
        },
      );
    }
    const options: ClientServiceOptions<P> =
      typeof retryPolicyOrOptions === 'function' || retryPolicyOrOptions === undefined
        ? { retryPolicy: retryPolicyOrOptions, clock, prepareConnection }
        : retryPolicyOrOptions;
    this.#endpoint = endpoint;
    this.#factory = factory;
    this.#retryPolicy = options.retryPolicy ?? backoffPolicy();
    this.#clock = options.clock ?? globalReactor;
    this.#prepare = options.prepareConnection;
  }

  /** Starts connecting (a second start while running is logged and ignored, as Twisted). */
  override startService(): void {
    if (this.running) {
      this.#log.warn('Duplicate ClientService.startService {log_source}');
      return;
    }
    super.startService();
    switch (this.#state) {
      case 'init':
      case 'stopped':
        this.#connect();
        break;
      case 'disconnecting':
        this.#failedAttempts = 0;
        this.#state = 'restarting';
        break;
      default:
        break;
    }
  }

  /** Stops retrying and closes the connection; fires once it is closed and no attempt is in progress. */
  override stopService(): Deferred<undefined> {
    super.stopService();
    switch (this.#state) {
      case 'init':
      case 'stopped':
        this.#state = 'stopped';
        return succeed(undefined);
      case 'connecting': {
        const d = this.#waitForStop();
        this.#state = 'disconnecting';
        this.#attempt?.cancel();
        return d;
      }
      case 'waiting': {
        const d = this.#waitForStop();
        this.#state = 'stopped';
        this.#unawait(new Failure(new CancelledError('the ClientService was stopped')));
        this.#retryCall?.cancel();
        this.#retryCall = undefined;
        this.#finishStopping();
        return d;
      }
      case 'connected': {
        const d = this.#waitForStop();
        this.#state = 'disconnecting';
        this.#current?.transport?.loseConnection();
        return d;
      }
      case 'disconnecting':
        return this.#waitForStop();
      case 'restarting': {
        this.#state = 'disconnecting';
        return this.#waitForStop();
      }
    }
  }

  /**
   * The connected protocol, or the next one to connect. Fails with `CancelledError` when the
   * service stops first, or with the connection error after `failAfterFailures` consecutive
   * failed attempts (`undefined`: only when stopped).
   */
  whenConnected(options: { failAfterFailures?: number } | number = {}): Deferred<P> {
    const failAfterFailures = typeof options === 'number' ? options : options.failAfterFailures;
    if (this.#state === 'connected') return succeed(this.#current as P);
    if (this.#state === 'stopped') return fail<P>(new CancelledError('the ClientService is stopped'));
    const deferred = new Deferred<P>();
    this.#waiters.push({ deferred, remaining: failAfterFailures });
    return deferred;
  }

  #waitForStop(): Deferred<undefined> {
    const d = new Deferred<undefined>();
    this.#stopWaiters.push(d);
    return d;
  }

  #finishStopping(): void {
    const waiting = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const w of waiting) w.callback(undefined);
  }

  #unawait(value: P | Failure): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) w.deferred.callback(value);
  }

  #connect(): void {
    this.#state = 'connecting';
    const factory = this.#disconnectFactory();
    let attempt: Deferred<unknown>;
    try {
      const r = this.#endpoint.connect(factory);
      attempt = r instanceof Deferred ? r : Deferred.fromPromise(r);
    } catch (e) {
      attempt = fail(e);
    }
    this.#attempt = attempt;
    attempt
      .addCallback((protocol) => {
        if (this.#prepare === undefined) return protocol;
        return maybeDeferred(() => this.#prepare!(protocol as P) as unknown).addCallback(() => protocol);
      })
      .addCallbacks(
        (protocol) => this.#connectionMade(protocol as P),
        (failure: Failure) => this.#connectionFailed(failure),
      );
  }

  /** A factory that tells this service when a connection it built is lost. */
  #disconnectFactory(): ClientServiceFactory {
    const inner = this.#factory;
    const buildProtocol = (addr: unknown): P | null | undefined => {
      const protocol = inner.buildProtocol(addr);
      if (protocol !== null && typeof protocol === 'object' && !patched.has(protocol)) {
        // Wrap connectionLost on the instance itself (a Proxy would break protocols with #private state).
        patched.add(protocol);
        const original = protocol.connectionLost;
        protocol.connectionLost = function connectionLost(this: P, reason: unknown): unknown {
          try {
            return original?.call(this, reason);
          } finally {
            notifyLost(this);
          }
        };
      }
      return protocol;
    };
    const notifyLost = (protocol: P): void => this.#clientDisconnected(protocol);
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === 'buildProtocol') return buildProtocol;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  #connectionMade(protocol: P): void {
    if (this.#state === 'disconnecting') {
      // Stopped while preparing: close what just connected.
      this.#current = protocol;
      protocol.transport?.loseConnection();
      return;
    }
    if (this.#state !== 'connecting') return;
    this.#state = 'connected';
    this.#failedAttempts = 0;
    this.#current = protocol;
    this.#unawait(protocol);
  }

  #connectionFailed(failure: Failure): void {
    if (this.#state === 'disconnecting') {
      this.#state = 'stopped';
      this.#unawait(new Failure(new CancelledError('the ClientService was stopped')));
      this.#finishStopping();
      return;
    }
    if (this.#state !== 'connecting') return;
    this.#scheduleRetry();
    const ready: Deferred<P>[] = [];
    const notReady: Waiter<P>[] = [];
    for (const w of this.#waiters) {
      if (w.remaining === undefined) notReady.push(w);
      else if (w.remaining <= 1) ready.push(w.deferred);
      else notReady.push({ deferred: w.deferred, remaining: w.remaining - 1 });
    }
    this.#waiters = notReady;
    for (const d of ready) d.callback(failure);
  }

  #scheduleRetry(): void {
    this.#state = 'waiting';
    this.#failedAttempts += 1;
    const delay = this.#retryPolicy(this.#failedAttempts);
    this.#log.info('Scheduling retry {attempt} to connect {endpoint} in {delay} seconds.', {
      attempt: this.#failedAttempts,
      endpoint: this.#endpoint,
      delay,
    });
    this.#retryCall = this.#clock.callLater(delay, () => {
      this.#retryCall = undefined;
      if (this.#state === 'waiting') this.#connect();
    });
  }

  #clientDisconnected(protocol: P): void {
    if (protocol !== this.#current) return;
    this.#current = undefined;
    switch (this.#state) {
      case 'connected':
        this.#scheduleRetry();
        break;
      case 'disconnecting':
        this.#state = 'stopped';
        this.#unawait(new Failure(new CancelledError('the ClientService was stopped')));
        this.#finishStopping();
        break;
      case 'restarting':
        this.#finishStopping();
        this.#connect();
        break;
      default:
        break;
    }
  }
}
