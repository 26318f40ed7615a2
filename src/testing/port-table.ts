/**
 * `PortTable`: the port numbers of one protocol (UDP or TCP) on one `VirtualHost` — who holds
 * which number on which address, conflicts (`EADDRINUSE`) and ephemeral ports — so that UDP
 * ports, TCP listeners and TCP connections bind by the same rules.
 *
 * @internal
 * @module
 */
import { CannotListenError } from '../errors.ts';
import type { Family } from './checks.ts';
import { systemError } from './checks.ts';

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range). */
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

/** What holds a port number: a port or a connection's local end. */
export interface PortHolder {
  /** 4 or 6. */
  readonly family: Family;
  /** The address it is bound to: `'0.0.0.0'` / `'::'` for all of the host's addresses. */
  readonly boundAddress: string;
  /** Whether it may share its number with others that also ask to (SO_REUSEPORT). */
  readonly shared: boolean;
}

/** Whether `address` is the wildcard address of its family. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** A small stable string hash (FNV-1a). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * One of `holders` (not empty) for traffic from `source`, as the kernel spreads traffic over
 * ports that share a number (SO_REUSEPORT): by a hash of the source, so the same source always
 * reaches the same holder.
 */
export function pickBySource<T>(holders: readonly T[], source: readonly [host: string, port: number]): T {
  return holders.length === 1 ? holders[0] : holders[hash(`${source[0]}|${source[1]}`) % holders.length];
}

/** Whether two bound addresses of the same family would take the same traffic. */
function overlaps(a: string, b: string): boolean {
  return a === b || isWildcardAddress(a) || isWildcardAddress(b);
}

/**
 * The numbers bound on one host for one protocol, in binding order. Port 0 takes the next free
 * ephemeral number (deterministically, from 32768 up and around); a number held on an
 * overlapping address of the same family is refused with `EADDRINUSE` unless both holders share.
 */
export class PortTable<T extends PortHolder> {
  readonly #numbers = new Map<T, number>();
  /** The holders of each number, in binding order (so that lookups by number stay cheap). */
  readonly #byNumber = new Map<number, T[]>();
  #nextEphemeral = EPHEMERAL_FIRST;

  /**
   * Binds `holder` to `requested` (0: an ephemeral number) and returns the number.
   *
   * @param iface what the caller asked to bind to, for the error.
   * @throws CannotListenError (`EADDRINUSE`) when the number is taken, or no ephemeral one is free.
   */
  bind(holder: T, requested: number, iface: string): number {
    let number = requested;
    if (number === 0) {
      number = this.#ephemeral(holder, iface);
    } else {
      for (const other of this.#byNumber.get(number) ?? []) {
        if (
          other.family === holder.family &&
          overlaps(other.boundAddress, holder.boundAddress) &&
          !(other.shared && holder.shared)
        ) {
          throw new CannotListenError(
            iface,
            number,
            systemError('EADDRINUSE', -98, 'bind', holder.boundAddress, number),
          );
        }
      }
    }
    this.#numbers.set(holder, number);
    const holders = this.#byNumber.get(number);
    if (holders === undefined) this.#byNumber.set(number, [holder]);
    else holders.push(holder);
    return number;
  }

  /** Frees the number of `holder` (an unknown holder is ignored). */
  unbind(holder: T): void {
    const number = this.#numbers.get(holder);
    if (number === undefined) return;
    this.#numbers.delete(holder);
    const holders = this.#byNumber.get(number) as T[];
    holders.splice(holders.indexOf(holder), 1);
    if (holders.length === 0) this.#byNumber.delete(number);
  }

  /** The number `holder` is bound to, or `undefined`. */
  numberOf(holder: T): number | undefined {
    return this.#numbers.get(holder);
  }

  /** The holders bound to `number` in `family`, in binding order. */
  holdersOf(number: number, family: Family): T[] {
    return (this.#byNumber.get(number) ?? []).filter((holder) => holder.family === family);
  }

  #ephemeral(holder: T, iface: string): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (let i = 0; i < span; i++) {
      const candidate = this.#nextEphemeral;
      this.#nextEphemeral = candidate === EPHEMERAL_LAST ? EPHEMERAL_FIRST : candidate + 1;
      if (!(this.#byNumber.get(candidate) ?? []).some((h) => h.family === holder.family)) return candidate;
    }
    throw new CannotListenError(
      iface,
      0,
      systemError('EADDRINUSE', -98, 'bind', holder.boundAddress, 0),
      'no ephemeral port is free',
    );
  }
}
