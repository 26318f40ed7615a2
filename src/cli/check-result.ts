/**
 * What a `twisted-ts doctor` check reports, and what it may touch.
 *
 * @module
 */

/** How a check ended: `warn` is a limitation worth knowing, `fail` breaks what the seed needs. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's table. */
export interface CheckResult {
  /** A stable identifier (`node-version`, `bind-twice-plain` …), for scripts reading `--json`. */
  id: string;
  /** What was tried, in a few words. */
  title: string;
  /** `pass`, `warn`, `fail` or `skip`. */
  status: CheckStatus;
  /** What happened. */
  detail: string;
  /** The OS or twisted-ts error code involved, if any (`EADDRINUSE`, `ENODEV` …). */
  code?: string;
  /** How to fix it; present for `warn` and `fail`. */
  fix?: string;
}

/** What the checks may touch. */
export interface CheckOptions {
  /** Interfaces (IPv4 addresses, names such as `eth0`, or `all`) to try a group join on; none by default. */
  interfaces: readonly string[];
  /** The multicast group the checks use. */
  group: string;
  /** How long to wait for a datagram, in seconds. */
  timeout: number;
}
