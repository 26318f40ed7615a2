/**
 * The argument forms of `listenTCP` — Twisted's positional `(port, factory, backlog = 50,
 * interface = '')` and `(port, factory, { backlog, interface, reusePort, signal })` — parsed and
 * checked in one place, for the reactor and the testing fakes alike.
 *
 * @internal
 * @module
 */
import type { IProtocolFactory } from '../../interfaces.ts';
import { validateBoolean, validateInterface, validatePort } from '../../validate.ts';
import { validateSignal } from '../udp/listen-options.ts';
import { DEFAULT_BACKLOG, readOptions, validateBacklog, validateFactory } from './stream-checks.ts';

/** A `listenTCP` call after checking, with the defaults filled in. */
export interface ListenTCPArgs {
  /** The port asked for (0: any free one). */
  readonly port: number;
  /** The factory of the protocols of accepted connections. */
  readonly factory: IProtocolFactory;
  /** listen(2)'s backlog (default 50). */
  readonly backlog: number;
  /** `''` (all IPv4 interfaces) or an IP literal. */
  readonly interface: string;
  /** SO_REUSEPORT. */
  readonly reusePort: boolean;
  /** Aborting it stops the port; never already aborted here. */
  readonly signal: AbortSignal | undefined;
}

const keys = ['backlog', 'interface', 'reusePort', 'signal'] as const;

/**
 * Parses `listenTCP(port, factory, backlogOrOptions?, iface?)`. A positional `iface` wins over
 * `options.interface`. Every argument is checked before anything is created.
 */
export function parseListenTCPArgs(
  port: unknown,
  factory: unknown,
  backlogOrOptions: unknown,
  iface: unknown,
): ListenTCPArgs {
  validatePort(port, 'port');
  validateFactory(factory);
  let backlog = DEFAULT_BACKLOG;
  let address = '';
  let reusePort = false;
  let signal: unknown;
  if (typeof backlogOrOptions === 'number') {
    validateBacklog(backlogOrOptions);
    backlog = backlogOrOptions;
  } else if (backlogOrOptions !== undefined) {
    const o = readOptions(backlogOrOptions, 'options', keys);
    if (o.backlog !== undefined) {
      validateBacklog(o.backlog, 'options.backlog');
      backlog = o.backlog;
    }
    if (o.interface !== undefined) {
      validateInterface(o.interface, 'options.interface');
      address = o.interface;
    }
    if (o.reusePort !== undefined) {
      validateBoolean(o.reusePort, 'options.reusePort');
      reusePort = o.reusePort;
    }
    signal = o.signal;
  }
  if (iface !== undefined) {
    validateInterface(iface, 'interface');
    address = iface;
  }
  validateSignal(signal);
  return { port, factory, backlog, interface: address, reusePort, signal };
}
