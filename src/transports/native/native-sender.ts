/**
 * `NativeSender`: the send path of a native socket. Datagrams written during one turn are
 * staged (send-stage.ts) and handed to the addon together at the end of the turn (a microtask),
 * which sends them with `sendmmsg` and queues in order what the kernel does not take yet. Every
 * datagram's outcome — sent, or the OS error — goes to its `done` callback once, as the seam
 * (../udp/socket-io.ts) promises: never from inside `send` or `close`, always on a later
 * microtask or tick, in the order the datagrams were written.
 *
 * @internal
 * @module
 */
import { constants } from 'node:os';
import type { SendCallback } from '../udp/socket-io.ts';
import type { NativeAddon, NativeSocketHandle } from './addon.ts';
import { errnoException } from './errno.ts';
import { SendStage, parsedAddress } from './send-stage.ts';

/** Counter index of the queued bytes in the shared stats (udp.c's STAT_QUEUED_BYTES). */
const QUEUED_BYTES = 2;
const ECANCELED = -(constants.errno.ECANCELED ?? 125);

/** One datagram the addon holds (EAGAIN), waiting for its outcome. */
interface Pending {
  readonly length: number;
  readonly host: string | undefined;
  readonly port: number;
  readonly done: SendCallback;
}

/** The send path of one native socket. */
export class NativeSender {
  readonly #addon: NativeAddon;
  readonly #handle: NativeSocketHandle;
  readonly #family: 4 | 6;
  readonly #stats: Float64Array;
  #stage: SendStage | undefined;
  // Per staged datagram, what only JavaScript needs: its callback and destination (for errors).
  #stagedDone: SendCallback[] = [];
  #stagedHost: (string | undefined)[] = [];
  #stagedPort: number[] = [];
  // Datagrams the addon queued, in order; `#pendingHead` is the oldest.
  #pending: Pending[] = [];
  #pendingHead = 0;
  // Outcomes waiting to be reported (three parallel lists: no object per datagram).
  #outcomeDone: SendCallback[] = [];
  #outcomeError: (Error | null)[] = [];
  #outcomeBytes: number[] = [];
  #flushScheduled = false;
  #closed = false;

  constructor(addon: NativeAddon, handle: NativeSocketHandle, family: 4 | 6, stats: Float64Array) {
    this.#addon = addon;
    this.#handle = handle;
    this.#family = family;
    this.#stats = stats;
  }

  /**
   * Stages one datagram (`pieces` joined) for `host`:`port`, or for the connected peer when
   * `host` is undefined; it goes out at the end of this turn, or now when the stage is full.
   */
  send(
    pieces: Uint8Array | readonly Uint8Array[],
    port: number,
    host: string | undefined,
    done: SendCallback,
  ): void {
    if (this.#closed) {
      this.#outcome(done, errnoException(-(constants.errno.EBADF ?? 9), 'send', host, port), 0);
      this.#schedule();
      return;
    }
    let address: Int32Array | undefined;
    if (host !== undefined) {
      const parsed = parsedAddress(this.#addon, this.#family, host);
      if (typeof parsed === 'number') {
        this.#outcome(done, errnoException(parsed, 'send', host, port), 0);
        this.#schedule();
        return;
      }
      address = parsed;
    }
    const length = byteLength(pieces);
    const stage = (this.#stage ??= new SendStage(this.#addon.constants.SEND_STRIDE));
    if (!stage.fits(length)) this.flush();
    stage.add(pieces, length, address, port);
    this.#stagedDone.push(done);
    this.#stagedHost.push(host);
    this.#stagedPort.push(port);
    this.#schedule();
  }

  /** Bytes written and not yet taken by the OS: staged this turn, or queued in the addon. */
  queuedBytes(): number {
    if (this.#closed) return 0;
    return (this.#stage?.bytes ?? 0) + this.#stats[QUEUED_BYTES];
  }

  /** Hands what is staged to the addon now (before a connect, a close, or when the stage is full). */
  flush(): void {
    const stage = this.#stage;
    if (stage === undefined || stage.count === 0) return;
    const count = stage.count;
    const result = this.#handle.send(count, stage.buffer, stage.meta);
    const dones = this.#stagedDone;
    const hosts = this.#stagedHost;
    const ports = this.#stagedPort;
    this.#stagedDone = [];
    this.#stagedHost = [];
    this.#stagedPort = [];
    if (typeof result === 'number' && result < 0) {
      // Nothing was sent (EBADF, ENOMEM): every datagram of the batch failed with it.
      for (let i = 0; i < count; i++)
        this.#outcome(dones[i], errnoException(result, 'send', hosts[i], ports[i]), 0);
      stage.clear();
      return;
    }
    const handled = typeof result === 'number' ? result : result[0];
    let failure = 1; // the next failure in `result`, when it is a list
    for (let i = 0; i < handled; i++) {
      if (typeof result !== 'number' && result[failure] === i) {
        this.#outcome(dones[i], errnoException(result[failure + 1], 'send', hosts[i], ports[i]), 0);
        failure += 2;
      } else {
        this.#outcome(dones[i], null, stage.lengthOf(i));
      }
    }
    for (let i = handled; i < count; i++) {
      this.#pending.push({ length: stage.lengthOf(i), host: hosts[i], port: ports[i], done: dones[i] });
    }
    stage.clear();
  }

  /** The addon sent (or failed) some of what it had queued: `onSendProgress`. */
  readonly progress = (result: number | number[]): void => {
    const pending = this.#pending;
    const head = this.#pendingHead;
    const handled = typeof result === 'number' ? result : result[0];
    let failure = 1;
    for (let i = 0; i < handled; i++) {
      const p = pending[head + i];
      if (typeof result !== 'number' && result[failure] === i) {
        this.#outcome(p.done, errnoException(result[failure + 1], 'send', p.host, p.port), 0);
        failure += 2;
      } else {
        this.#outcome(p.done, null, p.length);
      }
    }
    this.#pendingHead += handled;
    if (this.#pendingHead === pending.length) {
      this.#pending = [];
      this.#pendingHead = 0;
    }
    this.#deliver();
  };

  /**
   * The socket closes: what is staged is handed over first (sent if the kernel takes it now);
   * what the addon still queues is dropped — as node:dgram cancels its queue, with ECANCELED.
   * The outcomes are reported on the next tick, before `then` (the close handler).
   */
  close(then?: () => void): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    const pending = this.#pending;
    for (let i = this.#pendingHead; i < pending.length; i++) {
      const p = pending[i];
      this.#outcome(p.done, errnoException(ECANCELED, 'send', p.host, p.port), 0);
    }
    this.#pending = [];
    this.#pendingHead = 0;
    process.nextTick(() => {
      this.#deliver();
      then?.();
    });
  }

  /** Forgets everything: no outcome is reported (a port that failed to start). */
  discard(): void {
    this.#closed = true;
    this.#stage?.clear();
    this.#stagedDone = [];
    this.#pending = [];
    this.#outcomeDone = [];
    this.#outcomeError = [];
    this.#outcomeBytes = [];
  }

  #outcome(done: SendCallback, error: Error | null, bytes: number): void {
    this.#outcomeDone.push(done);
    this.#outcomeError.push(error);
    this.#outcomeBytes.push(bytes);
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#endOfTurn);
  }

  readonly #endOfTurn = (): void => {
    this.#flushScheduled = false;
    if (!this.#closed) this.flush();
    this.#deliver();
  };

  #deliver(): void {
    const dones = this.#outcomeDone;
    if (dones.length === 0) return;
    const errors = this.#outcomeError;
    const bytes = this.#outcomeBytes;
    this.#outcomeDone = [];
    this.#outcomeError = [];
    this.#outcomeBytes = [];
    // A callback that throws must not lose the outcomes after it (the port's never throws).
    for (let i = 0; i < dones.length; i++) {
      try {
        dones[i](errors[i], bytes[i]);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

function byteLength(pieces: Uint8Array | readonly Uint8Array[]): number {
  if (pieces instanceof Uint8Array) return pieces.byteLength;
  let length = 0;
  for (const piece of pieces) length += piece.byteLength;
  return length;
}
