/**
 * The reactor's core interfaces (Twisted's `IReactorCore`, `IReactorTime`, `IDelayedCall`,
 * `IListeningPort`, `IAddress`) and what ports and connections need from the reactor that owns them.
 *
 * Re-exported by src/interfaces.ts; import from there.
 *
 * @module
 */
import type { Deferred } from '../defer/deferred.ts';
import type { StreamAddress } from './stream.ts';

/** A `[host, port]` pair, as Twisted's `(host, port)` tuples. */
export type AddressTuple = readonly [host: string, port: number];

/** Any byte sequence a transport accepts (`Buffer` is a `Uint8Array`). */
export type Datagram = Uint8Array;

/** An IPv4 or IPv6 endpoint (`IPv4Address`, `IPv6Address`). */
export interface IAddress {
  /** The transport protocol: always `'UDP'` for the ports of this package. */
  readonly type: 'UDP' | 'TCP';
  /** The IP literal (`'127.0.0.1'`, `'::1'`); never a host name. */
  readonly host: string;
  /** The port number (the real one when `0` was asked for). */
  readonly port: number;
  /** Whether `other` is an address of the same class with the same type, host and port. */
  equals(other: unknown): boolean;
  /** A readable form, as Twisted's repr: `IPv4Address(type='UDP', host='127.0.0.1', port=9999)`. */
  toString(): string;
}

/** A scheduled call (Twisted's `IDelayedCall`). */
export interface IDelayedCall {
  /** When it is due, in the clock's seconds. */
  getTime(): number;
  /**
   * Cancels it, so it never runs.
   *
   * @throws AlreadyCalled when it already ran; AlreadyCancelled when it was already cancelled.
   */
  cancel(): void;
  /** Postpones it by `seconds`. */
  delay(seconds: number): void;
  /** Reschedules it `seconds` from now. */
  reset(seconds: number): void;
  /** `true` while it is still pending: neither run nor cancelled. */
  active(): boolean;
  /** `true` once it has run. */
  readonly called: boolean;
  /** `true` once it was cancelled. */
  readonly cancelled: boolean;
}

/** Time and delayed calls (Twisted's `IReactorTime`); the reactor and `Clock` implement it. */
export interface IReactorTime {
  /** The current time in seconds. */
  seconds(): number;
  /** Calls `fn(...args)` after `delay` seconds. */
  callLater<A extends unknown[]>(delay: number, fn: (...args: A) => unknown, ...args: A): IDelayedCall;
  /** Every call that is still pending. */
  getDelayedCalls(): IDelayedCall[];
}

/** The phase of a system event trigger. */
export type TriggerPhase = 'before' | 'during' | 'after';

/** An opaque handle for `removeSystemEventTrigger`. */
export type TriggerId = {
  /** The phase the trigger was added to. */
  readonly phase: TriggerPhase;
  /** The event it was added for (`'startup'`, `'shutdown'` or any name). */
  readonly eventType: string;
  /** A number unique within the reactor that made it. */
  readonly id: number;
};

/** The reactor's lifecycle (Twisted's `IReactorCore`). */
export interface IReactorCore {
  /** `true` from the end of startup until shutdown begins (or `crash()`). */
  readonly running: boolean;
  /**
   * Starts the reactor: fires `startup`, then keeps the process alive until `stop()`.
   * SIGINT and SIGTERM call `stop()` unless `installSignalHandlers` is `false`.
   *
   * @returns a Promise that resolves once shutdown is complete.
   * @throws ReactorAlreadyRunning when running; ReactorNotRestartable after a stop.
   */
  run(options?: { installSignalHandlers?: boolean }): Promise<void>;
  /**
   * Schedules shutdown: fires the `shutdown` event (before, during, after) and stops every port.
   *
   * @throws ReactorNotRunning when the reactor is not running.
   */
  stop(): void;
  /** Stops at once, without shutdown triggers; the `run()` promise resolves and `run()` may be called again. */
  crash(): void;
  /**
   * Calls `fn(...args)` once the reactor is running: at once if it already is, otherwise after
   * startup.
   *
   * @returns the trigger id when the call was deferred (for `removeSystemEventTrigger`), else `undefined`.
   */
  callWhenRunning<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): TriggerId | undefined;
  /**
   * Runs `fn(...args)` in `phase` of `eventType`. A `before` trigger may return a Deferred or a
   * Promise, and the event waits for it.
   *
   * @example
   * reactor.addSystemEventTrigger('before', 'shutdown', () => port.stopListening());
   */
  addSystemEventTrigger<A extends unknown[]>(
    phase: TriggerPhase,
    eventType: string,
    fn: (...args: A) => unknown,
    ...args: A
  ): TriggerId;
  /**
   * Removes a trigger added by `addSystemEventTrigger` (or deferred by `callWhenRunning`).
   *
   * @throws TypeError when `id` is not a trigger that is still pending.
   */
  removeSystemEventTrigger(id: TriggerId): void;
  /** Fires `eventType`: its `before` triggers, then `during`, then `after`. */
  fireSystemEvent(eventType: string): void;
  /** Resolves a host name to an IP address; IP literals answer at once. */
  resolve(name: string, timeout?: number): Deferred<string>;
}

/**
 * A port that listens (Twisted's `IListeningPort`). `A` is the type of its address: an
 * `IAddress` for UDP and TCP ports, an {@link IUNIXAddress} for UNIX ones.
 */
export interface IListeningPort<A extends StreamAddress = IAddress> {
  /** Stops listening; fires once the socket is closed and the protocol (or factory) was told. */
  stopListening(): Deferred<void>;
  /** The address the port is bound to; the real port number when `0` was asked for. */
  getHost(): A;
}

/**
 * What a port needs from the reactor that owns it: name resolution (Twisted's multicast methods
 * resolve host names through the reactor) and a registry so that shutdown stops every port.
 */
export interface IPortOwner {
  /** Resolves a host name to an IP address; IP literals answer at once. */
  resolve(name: string, timeout?: number): Deferred<string>;
  /** Called by a port once it is bound, so that the owner's shutdown stops it. */
  registerPort(port: IListeningPort<StreamAddress>): void;
  /** Called by a port once it has stopped. */
  unregisterPort(port: IListeningPort<StreamAddress>): void;
}

/**
 * An open connection as the registry of the reactor that owns it sees it (the TCP and UNIX
 * connections): reactor shutdown ends every registered connection, after stopping the ports.
 *
 * @internal
 */
export interface IRegisteredConnection {
  /**
   * Ends the connection because its reactor shuts down (Twisted's `disconnectAll`): the protocol
   * gets `connectionLost` with `ConnectionLost`. May return a Deferred or a Promise that settles
   * once the connection is closed; shutdown waits for it. A throw or a failure is logged.
   */
  disconnectForShutdown(): unknown;
}

/**
 * What a connection needs from the reactor that owns it: to be in the registry that shutdown
 * ends connections from, from when it opens until it has closed.
 *
 * @internal
 */
export interface IConnectionOwner {
  /** Called by a connection once it is open, so that the owner's shutdown ends it. */
  registerConnection(connection: IRegisteredConnection): void;
  /** Called by a connection once it has closed. */
  unregisterConnection(connection: IRegisteredConnection): void;
}
