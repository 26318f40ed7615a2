/**
 * The argument forms of `connectTCP` — Twisted's positional `(host, port, factory, timeout = 30,
 * bindAddress = undefined)` and `(host, port, factory, { timeout, bindAddress, signal })` —
 * parsed and checked in one place, for the reactor and the testing fakes alike.
 *
 * @internal
 * @module
 */
import type { AddressTuple, IClientFactory } from '../../interfaces.ts';
import { validateSignal } from '../udp/listen-options.ts';
import {
  DEFAULT_CONNECT_TIMEOUT,
  readOptions,
  validateBindAddress,
  validateClientFactory,
  validateConnectHost,
  validateConnectPort,
  validateConnectTimeout,
} from './stream-checks.ts';

/** A `connectTCP` call after checking, with the defaults filled in. */
export interface ConnectTCPArgs {
  /** An IP literal or a host name (resolved through the reactor). */
  readonly host: string;
  /** The port, 1–65535. */
  readonly port: number;
  /** The factory told of the outcome. */
  readonly factory: IClientFactory;
  /** Seconds before the attempt fails with `TimeoutError` (`Infinity`: never). Default 30. */
  readonly timeout: number;
  /** The local `[host, port]` to connect from, or `undefined`. */
  readonly bindAddress: AddressTuple | undefined;
  /** Aborting it disconnects; never already aborted here. */
  readonly signal: AbortSignal | undefined;
}

const keys = ['timeout', 'bindAddress', 'signal'] as const;

/**
 * Parses `connectTCP(host, port, factory, timeoutOrOptions?, bindAddress?)`. A positional
 * `bindAddress` wins over `options.bindAddress`.
 */
export function parseConnectTCPArgs(
  host: unknown,
  port: unknown,
  factory: unknown,
  timeoutOrOptions: unknown,
  bindAddress: unknown,
): ConnectTCPArgs {
  validateConnectHost(host);
  validateConnectPort(port);
  validateClientFactory(factory);
  let timeout = DEFAULT_CONNECT_TIMEOUT;
  let bind: AddressTuple | undefined;
  let signal: unknown;
  if (typeof timeoutOrOptions === 'number') {
    validateConnectTimeout(timeoutOrOptions);
    timeout = timeoutOrOptions;
  } else if (timeoutOrOptions !== undefined) {
    const o = readOptions(timeoutOrOptions, 'options', keys);
    if (o.timeout !== undefined) {
      validateConnectTimeout(o.timeout, 'options.timeout');
      timeout = o.timeout;
    }
    if (o.bindAddress !== undefined) {
      validateBindAddress(o.bindAddress, 'options.bindAddress');
      bind = o.bindAddress;
    }
    signal = o.signal;
  }
  if (bindAddress !== undefined) {
    validateBindAddress(bindAddress);
    bind = bindAddress;
  }
  validateSignal(signal);
  return {
    host,
    port,
    factory,
    timeout,
    bindAddress: bind === undefined ? undefined : [bind[0], bind[1]],
    signal,
  };
}
