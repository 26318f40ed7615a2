/**
 * Which I/O a new UDP port gets: `options.io`, else the `TWISTED_TS_IO` environment variable,
 * else `'auto'` — the native addon where it loads, node:dgram otherwise, without a word (the two
 * behave the same). `'native'` where the addon cannot load is a `CannotListenError` that says
 * why; a bad `TWISTED_TS_IO` is an error at the listen that reads it, never ignored.
 *
 * @internal
 * @module
 */
import { inspect } from 'node:util';
import { CannotListenError } from '../../errors.ts';
import type { UdpIOMode } from '../../interfaces.ts';
import { createDgramSocketIO } from '../udp/dgram-socket-io.ts';
import type { UdpSocketFactory } from '../udp/socket-io.ts';
import { loadNativeAddon } from './addon.ts';
import type { NativeAddon } from './addon.ts';
import { NativeSocketIO } from './native-socket-io.ts';

/** The I/O a port gets, and how to make its socket. */
export interface IOChoice {
  /** `'native'` or `'dgram'`. */
  readonly path: 'native' | 'dgram';
  /** The backend's socket factory. */
  readonly createSocket: UdpSocketFactory;
}

/** The environment variable that sets the default of `options.io`. */
export const IO_ENV = 'TWISTED_TS_IO';

const modes: readonly string[] = ['auto', 'native', 'dgram'];

const dgramChoice: IOChoice = { path: 'dgram', createSocket: createDgramSocketIO };
let nativeChoice: IOChoice | undefined;

function nativeFactory(addon: NativeAddon): IOChoice {
  nativeChoice ??= {
    path: 'native',
    createSocket: (spec, handlers) => new NativeSocketIO(addon, spec, handlers),
  };
  return nativeChoice;
}

/**
 * The default mode: `TWISTED_TS_IO` when set (and not empty), else `'auto'`. A value that is not
 * a mode throws an `ERR_INVALID_ARG_VALUE` TypeError naming the variable.
 */
export function defaultIOMode(): UdpIOMode {
  const value = process.env[IO_ENV];
  if (value === undefined || value === '') return 'auto';
  if (modes.includes(value)) return value as UdpIOMode;
  throw Object.assign(
    new TypeError(
      `The environment variable ${IO_ENV} is invalid. It must be 'auto', 'native' or 'dgram' ` +
        `(or unset). Received ${inspect(value)}`,
    ),
    { code: 'ERR_INVALID_ARG_VALUE' },
  );
}

/**
 * The I/O for a port on `iface`:`port` (for the error message) given `options.io`
 * (`requested`, undefined for the default).
 */
export function chooseIO(requested: UdpIOMode | undefined, iface: string, port: number): IOChoice {
  const mode = requested ?? defaultIOMode();
  if (mode === 'dgram') return dgramChoice;
  const loaded = loadNativeAddon();
  if (loaded.addon !== undefined) return nativeFactory(loaded.addon);
  if (mode === 'auto') return dgramChoice;
  const why = requested === undefined ? `${IO_ENV}=native` : "io: 'native'";
  throw new CannotListenError(
    iface,
    port,
    Object.assign(new Error(`native UDP I/O is not available: ${loaded.reason}`), {
      code: 'ERR_NATIVE_IO_UNAVAILABLE',
    }),
    `${why} was asked for, but native UDP I/O is not available here (${loaded.reason}); ` +
      `use io: 'auto' or 'dgram' to fall back to node:dgram`,
  );
}

/** What `'auto'` picks on this host, and why: for `twisted-ts doctor`. */
export function nativeIOStatus(): { available: boolean; detail: string } {
  const loaded = loadNativeAddon();
  if (loaded.addon !== undefined) {
    const batched = loaded.addon.constants.BATCHED === 1 ? 'recvmmsg/sendmmsg' : 'recvmsg/sendmsg loops';
    return { available: true, detail: `native addon loaded (${batched}) from ${loaded.path}` };
  }
  return { available: false, detail: loaded.reason };
}
