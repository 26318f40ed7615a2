/**
 * `Service` (Twisted's `twisted.application.service.Service`) and the interfaces of the service
 * tree.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import { ServiceHierarchyError } from '../errors/application.ts';

/** What `stopService` may return: nothing, or something to wait for. */
export type StopResult = void | undefined | Deferred<unknown> | PromiseLike<unknown>;

/** A service (Twisted's `IService`): something started and stopped with the program. */
export interface IService {
  /** The name, unique among the children of one parent; `undefined` when unnamed. */
  name: string | undefined;
  /** The parent collection, `undefined` until set. */
  parent: IServiceCollection | undefined;
  /** Whether it was started and not stopped since. */
  running: boolean;
  /** Sets the name (refused while it has a parent). */
  setName(name: string): void;
  /** Adds it to `parent`. */
  setServiceParent(parent: IServiceCollection): void;
  /** Removes it from its parent; returns what stopping it returned, if it was running. */
  disownServiceParent(): StopResult;
  /** Work that needs privileges (binding low ports), before `--uid/--gid` drops them. */
  privilegedStartService(): void;
  /** Starts it. */
  startService(): void;
  /** Stops it; a Deferred or Promise says when it is done. */
  stopService(): StopResult;
}

/** A collection of services (Twisted's `IServiceCollection`). */
export interface IServiceCollection extends Iterable<IService> {
  /** The child named `name`. */
  getServiceNamed(name: string): IService;
  /** Adds a child (only `setServiceParent` should call it). */
  addService(service: IService): void;
  /** Removes a child (only `disownServiceParent` should call it). */
  removeService(service: IService): StopResult;
}

/**
 * The base of services: keeps the books (`name`, `parent`, `running`). Subclasses override
 * `startService`/`stopService` and call the base's.
 *
 * @example
 * class Heartbeat extends Service {
 *   override startService() { super.startService(); this.loop.start(5); }
 *   override stopService() { super.stopService(); return this.loop.stop(); }
 * }
 */
export class Service implements IService {
  /** The name, unique among the children of one parent. */
  name: string | undefined = undefined;
  /** The parent, `undefined` until `setServiceParent`. */
  parent: IServiceCollection | undefined = undefined;
  /** Whether it is running. */
  running = false;

  /**
   * Sets the name.
   *
   * @throws ServiceHierarchyError while it has a parent ("cannot change name when parent exists").
   */
  setName(name: string): void {
    if (typeof name !== 'string') {
      throw Object.assign(
        new TypeError(`The "name" argument must be of type string. Received ${typeof name}`),
        {
          code: 'ERR_INVALID_ARG_TYPE',
        },
      );
    }
    if (this.parent !== undefined) throw new ServiceHierarchyError('cannot change name when parent exists');
    this.name = name;
  }

  /**
   * Adds this service to `parent` (which starts it if `parent` is running).
   *
   * @throws ServiceHierarchyError when it already has a parent (disown it first), or when
   *   `parent` has a child of the same name.
   */
  setServiceParent(parent: IServiceCollection): void {
    if (parent === null || typeof parent !== 'object' || typeof parent.addService !== 'function') {
      throw Object.assign(
        new TypeError('The "parent" argument must be a service collection (a MultiService)'),
        {
          code: 'ERR_INVALID_ARG_TYPE',
        },
      );
    }
    if (this.parent !== undefined) {
      throw new ServiceHierarchyError(
        `${String(this.name ?? this.constructor.name)} already has a parent; call disownServiceParent() first`,
      );
    }
    this.parent = parent;
    try {
      parent.addService(this);
    } catch (e) {
      this.parent = undefined;
      throw e;
    }
  }

  /** Removes it from its parent; returns what its `stopService` returned if it was running. */
  disownServiceParent(): StopResult {
    const parent = this.parent;
    if (parent === undefined) return undefined;
    const result = parent.removeService(this);
    this.parent = undefined;
    return result;
  }

  /** Does nothing here; override for work that needs privileges. */
  privilegedStartService(): void {}

  /** Marks it running. */
  startService(): void {
    this.running = true;
  }

  /** Marks it stopped. */
  stopService(): StopResult {
    this.running = false;
    return undefined;
  }
}
