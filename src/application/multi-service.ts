/**
 * `MultiService` (Twisted's `twisted.application.service.MultiService`) and `Application`.
 *
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import { DeferredList } from '../defer/deferred-list.ts';
import { maybeDeferred } from '../defer/shortcuts.ts';
import { ServiceHierarchyError } from '../errors/application.ts';
import { Failure } from '../failure.ts';
import { Service, type IService, type IServiceCollection, type StopResult } from './service.ts';

/**
 * A service that holds services: starts them in the order they were added, stops them in the
 * reverse order, and its `stopService` fires when every child's stop has (a failure is passed
 * on, after all of them finished). A child added while it runs is started at once.
 */
export class MultiService extends Service implements IServiceCollection {
  /** The children, in order. */
  readonly services: IService[] = [];
  /** The named children. */
  readonly namedServices = new Map<string, IService>();

  /** Runs every child's `privilegedStartService`. */
  override privilegedStartService(): void {
    super.privilegedStartService();
    for (const s of [...this.services]) s.privilegedStartService();
  }

  /** Starts every child, in order. */
  override startService(): void {
    super.startService();
    for (const s of [...this.services]) s.startService();
  }

  /**
   * Stops every child in reverse order; the Deferred fires when all have stopped, failing with
   * the first failure (after waiting for the rest).
   */
  override stopService(): Deferred<undefined> {
    super.stopService();
    const stops = [...this.services].reverse().map((s) => maybeDeferred(() => s.stopService() as unknown));
    return new DeferredList(stops, { consumeErrors: true }).addCallback((results) => {
      for (const [ok, value] of results) if (!ok) return value as Failure;
      return undefined;
    }) as Deferred<undefined>;
  }

  /**
   * The child named `name`.
   *
   * @throws ServiceHierarchyError when there is none.
   */
  getServiceNamed(name: string): IService {
    const service = this.namedServices.get(name);
    if (service === undefined) throw new ServiceHierarchyError(`no service named ${JSON.stringify(name)}`);
    return service;
  }

  /** The children, in order. */
  [Symbol.iterator](): Iterator<IService> {
    return this.services[Symbol.iterator]();
  }

  /**
   * Adds a child (use `child.setServiceParent(this)`); starts it if this service is running.
   *
   * @throws ServiceHierarchyError when a child already has its name.
   */
  addService(service: IService): void {
    if (service.name !== undefined) {
      if (this.namedServices.has(service.name)) {
        throw new ServiceHierarchyError(`cannot have two services with same name '${service.name}'`);
      }
      this.namedServices.set(service.name, service);
    }
    this.services.push(service);
    if (this.running) {
      // As Twisted: it may be late for privileges, but the child gets both calls.
      service.privilegedStartService();
      service.startService();
    }
  }

  /** Removes a child; stops it (and returns what its stop returned) if this service is running. */
  removeService(service: IService): StopResult {
    if (service.name !== undefined) this.namedServices.delete(service.name);
    const i = this.services.indexOf(service);
    if (i === -1) throw new ServiceHierarchyError('not a child of this service');
    this.services.splice(i, 1);
    return this.running ? service.stopService() : undefined;
  }
}

/** The options of `new Application(name, { uid, gid })`. */
export interface ApplicationOptions {
  /** The user the `twist` runner switches to after `privilegedStartService` (`--uid` wins). */
  uid?: number | string;
  /** The group the runner switches to (`--gid` wins). */
  gid?: number | string;
}

/**
 * The top of a service tree, what a module run by `twist` exports as `application` (Twisted's
 * `service.Application(name, uid, gid)`).
 *
 * @example
 * export const application = new Application('statsd');
 * new UDPServer(8125, new StatsProtocol(), '127.0.0.1').setServiceParent(application);
 */
export class Application extends MultiService {
  /** The user to run as (`undefined`: do not switch). */
  readonly uid: number | string | undefined;
  /** The group to run as (`undefined`: do not switch). */
  readonly gid: number | string | undefined;

  /** `new Application(name, { uid, gid })` (or `new Application(name, uid, gid)`). */
  constructor(name: string, uidOrOptions?: number | string | ApplicationOptions, gid?: number | string) {
    super();
    const options: ApplicationOptions =
      uidOrOptions !== null && typeof uidOrOptions === 'object' ? uidOrOptions : { uid: uidOrOptions, gid };
    this.setName(name);
    this.uid = options.uid;
    this.gid = options.gid;
  }
}

/** @internal Whether `value` looks like a service (any copy of the package's, or a hand-written one). */
export function isService(value: unknown): value is IService {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as IService).startService === 'function' &&
    typeof (value as IService).stopService === 'function' &&
    typeof (value as IService).privilegedStartService === 'function'
  );
}
