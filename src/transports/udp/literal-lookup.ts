/**
 * The `lookup` function given to every dgram socket: it answers IP literals at once.
 *
 * `node:dgram` binds (and sends, and connects) asynchronously only because it resolves the
 * address through `dns.lookup` first. Our callers have already checked that every address is
 * an IP literal, so answering synchronously makes `bind()` complete inside `listenUDP` — the
 * bound port, or the bind error, exist before the call returns (DESIGN.md, decision 2). It also
 * spares every `send()` a trip through the resolver.
 *
 * @internal
 * @module
 */
import type { SocketOptions } from 'node:dgram';
import { ipFamily } from '../../validate.ts';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

// dgram looks up the destination of every send. Programs answer the same few peers, and
// `isIP` runs a large regular expression for IPv6 (about 1.5 % of an echo server's CPU in
// bench/): the last literal answered is remembered.
let lastLiteral: string | undefined;
let lastFamily = 0;

/**
 * dgram calls `lookup(address, family, callback)`; `dns.lookup`'s other shape
 * `(address, options, callback)` is accepted too. A host name is refused with `ENOTFOUND`
 * rather than resolved: nothing here may block or go to the network.
 */
export const literalLookup = function literalLookup(
  hostname: string,
  familyOrOptions: unknown,
  callback?: LookupCallback,
): void {
  const cb = (typeof familyOrOptions === 'function' ? familyOrOptions : callback) as LookupCallback;
  if (hostname === lastLiteral) {
    cb(null, hostname, lastFamily);
    return;
  }
  const family = ipFamily(hostname);
  if (family === 0) {
    const err: NodeJS.ErrnoException = new Error(
      `${JSON.stringify(hostname)} is not an IP address literal; twisted-ts ports do not resolve host names`,
    );
    err.code = 'ENOTFOUND';
    err.syscall = 'getaddrinfo';
    cb(err, '', 0);
    return;
  }
  lastLiteral = hostname;
  lastFamily = family;
  cb(null, hostname, family);
} as unknown as NonNullable<SocketOptions['lookup']>;
