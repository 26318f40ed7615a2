/**
 * The doctor's UDP I/O check: which path a UDP port gets here (`'native'`, the batched
 * recvmmsg/sendmmsg addon, or `'dgram'`), why, and whether it carries a datagram on loopback.
 *
 * @module
 */
import { DatagramProtocol, Deferred, reactor, type AddressTuple } from '../index.ts';
import { IO_ENV, defaultIOMode, nativeIOStatus } from '../transports/native/io-choice.ts';
import type { CheckResult } from './check-result.ts';

const base = { id: 'udp-io', title: 'UDP I/O path (native batched or node:dgram)' };

/** Receives one datagram. */
class Once extends DatagramProtocol {
  readonly got = new Deferred<AddressTuple>();
  override datagramReceived(_data: Buffer, addr: AddressTuple): void {
    if (!this.got.called) this.got.callback(addr);
  }
}

/**
 * Opens a port with the default `io` on 127.0.0.1, sends it a datagram and reports `ioPath`:
 * `pass` on the native path, or on dgram when TWISTED_TS_IO asks for it; `warn` when the addon
 * cannot load (everything works, on node:dgram's per-datagram path); `fail` for a bad
 * TWISTED_TS_IO or a port that does not hear itself.
 */
export async function checkUdpIO(timeout: number): Promise<CheckResult> {
  let mode: string;
  try {
    mode = defaultIOMode();
  } catch (e) {
    return {
      ...base,
      status: 'fail',
      code: 'ERR_INVALID_ARG_VALUE',
      detail: (e as Error).message,
      fix: `Unset ${IO_ENV}, or set it to auto, native or dgram.`,
    };
  }
  const status = nativeIOStatus();
  const receiver = new Once();
  const port = reactor.listenUDP(0, receiver, '127.0.0.1');
  try {
    port.write(Buffer.from('twisted-ts doctor'), ['127.0.0.1', port.getHost().port]);
    await receiver.got.addTimeout(timeout, reactor);
  } finally {
    await port.stopListening().asPromise();
  }
  const path = port.ioPath;
  const why = mode === 'auto' ? 'the default, auto' : `${IO_ENV}=${mode}`;
  if (path === 'native') {
    return {
      ...base,
      status: 'pass',
      detail: `native (${why}): ${status.detail}; a datagram went round on 127.0.0.1`,
    };
  }
  if (mode === 'dgram') {
    return {
      ...base,
      status: 'pass',
      detail: `node:dgram (${why}); native would be available: ${status.available}`,
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: `node:dgram (${why}), because the native addon is not available: ${status.detail}`,
    fix:
      'Everything works on node:dgram, one call into JavaScript per datagram. For batched I/O use a ' +
      'platform the package ships a binary for (see docs/native-io.md), or build it: install a C ' +
      'compiler, make and python3, then run `npm run build` in a checkout.',
  };
}
