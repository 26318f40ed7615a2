/**
 * `Registry`: the listening ports and open connections of one reactor (or of a testing fake
 * standing in for one), and the order in which shutdown ends them.
 *
 * @internal
 * @module
 */
import { Deferred } from '../defer/deferred.ts';
import type { Failure } from '../failure.ts';
import type { IListeningPort, IRegisteredConnection, StreamAddress } from '../interfaces.ts';
import { err } from '../log/log.ts';

/**
 * The ports and connections an owner keeps, in registration order. Ports register once bound
 * and unregister once stopped (`IPortOwner`); connections register once open and unregister once
 * closed (`IConnectionOwner`).
 *
 * Shutdown, in the reactor's `during shutdown` phase ({@link shutdown}), first stops every
 * listening port (no new connection arrives), then ends every connection; each failure is logged
 * and the rest go on, and the things returned are waited on before the `after` phase. At the end
 * of shutdown ({@link finishShutdown}) whatever registered meanwhile — by a trigger, or a delayed
 * call while the ports closed — is stopped or ended too, and the registry is emptied. Nothing is
 * told twice.
 *
 * @example
 * const registry = new Registry();
 * registry.registerPort(port);
 * registry.registerConnection(connection);
 * const waits = registry.shutdown(); // port.stopListening(), then connection.disconnectForShutdown()
 */
export class Registry {
  readonly #ports = new Set<IListeningPort<StreamAddress>>();
  readonly #connections = new Set<IRegisteredConnection>();
  /** What shutdown has already told to stop or end, so that none is told twice. */
  readonly #told = new Set<IListeningPort<StreamAddress> | IRegisteredConnection>();

  /** Adds a listening port (a second registration of the same port is ignored). */
  registerPort(port: IListeningPort<StreamAddress>): void {
    this.#ports.add(port);
  }

  /** Removes a port that has stopped. Unknown ports are ignored. */
  unregisterPort(port: IListeningPort<StreamAddress>): void {
    this.#ports.delete(port);
  }

  /** The listening ports, in registration order. */
  getListeningPorts(): IListeningPort<StreamAddress>[] {
    return [...this.#ports];
  }

  /** Adds an open connection (a second registration of the same connection is ignored). */
  registerConnection(connection: IRegisteredConnection): void {
    this.#connections.add(connection);
  }

  /** Removes a connection that has closed. Unknown connections are ignored. */
  unregisterConnection(connection: IRegisteredConnection): void {
    this.#connections.delete(connection);
  }

  /** The open connections, in registration order. */
  getConnections(): IRegisteredConnection[] {
    return [...this.#connections];
  }

  /**
   * Stops every listening port, then ends every open connection (`disconnectForShutdown`), each
   * once; a throw, a failed Deferred or a rejected Promise is logged and the rest go on. Returns
   * what to wait on (failures already handled) before shutdown goes on.
   */
  shutdown(): unknown[] {
    const waits: unknown[] = [];
    for (const port of [...this.#ports]) {
      if (this.#told.has(port)) continue;
      this.#told.add(port);
      settle(
        waits,
        () => port.stopListening(),
        () => `Error stopping ${String(port)} during shutdown`,
      );
    }
    for (const connection of [...this.#connections]) {
      if (this.#told.has(connection)) continue;
      this.#told.add(connection);
      settle(
        waits,
        () => connection.disconnectForShutdown(),
        () => `Error disconnecting ${String(connection)} during shutdown`,
      );
    }
    return waits;
  }

  /**
   * The end of shutdown: stops and ends whatever registered since {@link shutdown} (without
   * waiting: shutdown is over), then forgets every port and connection.
   */
  finishShutdown(): void {
    this.shutdown();
    this.#told.clear();
    this.#ports.clear();
    this.#connections.clear();
  }
}

/**
 * Calls `stop`; pushes what it returns onto `waits`, with its failure logged as `why()` (named
 * after the call, as the port then describes itself).
 */
function settle(waits: unknown[], stop: () => unknown, describe: () => string): void {
  try {
    const d = stop();
    const why = describe();
    if (d instanceof Deferred) {
      waits.push(
        d.addErrback((f: Failure) => {
          err(f, why);
          return undefined;
        }),
      );
    } else {
      waits.push(Promise.resolve(d).catch((e: unknown) => err(e, why)));
    }
  } catch (e) {
    err(e, describe());
  }
}
