/**
 * `ProtocolCalls`: how a UDP port calls its protocol (Twisted's `log.callWithLogger`).
 *
 * @internal
 * @module
 */
import { handleAsyncResult } from '../../defer/user-code.ts';
import type { AddressTuple, IDatagramProtocol, IUDPTransport } from '../../interfaces.ts';
import { callWithContext, err as logErr, msg as logMsg } from '../../log/log.ts';
import { formatAddr, protocolLogPrefix } from './checks.ts';

/**
 * Every call a port makes into its protocol: inside the port's log context (`"<prefix> (UDP)"`),
 * an exception logged with the protocol's prefix as system and never thrown into the event loop
 * (decision 5) — except from `makeConnection`, which `listenUDP` throws to its caller. A hook may
 * be `async`: the rejection of what it returned is logged with the same line as a throw
 * (`handleAsyncResult`, defer/user-code.ts), `startProtocol`'s included (the port goes on).
 */
export class ProtocolCalls {
  /** The protocol's `logPrefix()` (or class name). */
  readonly prefix: string;
  /** The log context of the port: `{ system: "<prefix> (UDP)" }`. */
  readonly logContext: { readonly system: string };

  readonly #protocol: IDatagramProtocol;
  // Whether makeConnection returned: only then is there a doStop() to balance on close.
  #started = false;
  // The datagram being delivered: `#deliver` reads it, so that running the protocol inside the
  // log context needs no closure per datagram.
  #pendingData: Buffer | undefined;
  #pendingAddr: AddressTuple | undefined;

  /** Calls into `protocol`. */
  constructor(protocol: IDatagramProtocol) {
    this.#protocol = protocol;
    this.prefix = protocolLogPrefix(protocol);
    this.logContext = { system: `${this.prefix} (UDP)` };
  }

  /**
   * `makeConnection(transport)` (→ `doStart` → `startProtocol`). If it throws, the protocol
   * forgets the transport and the exception is thrown on.
   */
  start(transport: IUDPTransport): void {
    const protocol = this.#protocol;
    let started: unknown;
    try {
      started = protocol.makeConnection(transport);
    } catch (e) {
      if (protocol.transport === transport) protocol.transport = undefined;
      throw e;
    }
    this.#started = true;
    handleAsyncResult(started, this.#logHookError, 'startProtocol');
  }

  /** `datagramReceived(data, addr)`. */
  datagramReceived(data: Buffer, addr: AddressTuple): void {
    this.#pendingData = data;
    this.#pendingAddr = addr;
    callWithContext(this.logContext, this.#deliver);
  }

  readonly #deliver = (): void => {
    const data = this.#pendingData as Buffer;
    const addr = this.#pendingAddr as AddressTuple;
    this.#pendingData = undefined;
    this.#pendingAddr = undefined;
    let result: unknown;
    try {
      result = this.#protocol.datagramReceived(data, addr);
    } catch (e) {
      this.#logReceiveError(e, addr);
      return;
    }
    // An async datagramReceived: its rejection costs one log line too (docs/security.md).
    if (result !== undefined) handleAsyncResult(result, this.#logReceiveError, addr);
  };

  readonly #logReceiveError = (error: unknown, addr: AddressTuple): void => {
    logErr(
      error,
      `Unhandled error in ${this.prefix}.datagramReceived (from ${formatAddr(addr)})`,
      this.prefix,
    );
  };

  /** Logs what a hook threw, or the rejection of what it returned: `hook` names it. */
  readonly #logHookError = (error: unknown, hook: string): void => {
    logErr(error, `Unhandled error in ${this.prefix}.${hook}`, this.prefix);
  };

  /** `connectionRefused()`, if the protocol has one. */
  connectionRefused(): void {
    const protocol = this.#protocol;
    if (typeof protocol.connectionRefused !== 'function') return;
    let result: unknown;
    try {
      result = callWithContext(this.logContext, () => protocol.connectionRefused?.());
    } catch (e) {
      this.#logHookError(e, 'connectionRefused');
      return;
    }
    handleAsyncResult(result, this.#logHookError, 'connectionRefused');
  }

  /** `doStop()` (→ `stopProtocol` on its last port), if `start` succeeded: a port stopped before it started stops nothing. */
  stop(): void {
    if (!this.#started) return;
    let result: unknown;
    try {
      result = callWithContext(this.logContext, () => this.#protocol.doStop());
    } catch (e) {
      this.#logHookError(e, 'stopProtocol');
      return;
    }
    handleAsyncResult(result, this.#logHookError, 'stopProtocol');
  }

  /** Logs `message` with the protocol's prefix as system (the port's "starting on", "Closed" lines). */
  log(message: string): void {
    callWithContext({ system: this.prefix }, () => logMsg(message));
  }
}
