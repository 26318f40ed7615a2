/**
 * `adoptStreamPort`: listening on a socket made by someone else — systemd's socket activation,
 * a parent process — and handed over as a file descriptor (Twisted's
 * `IReactorSocket.adoptStreamPort`).
 *
 * @module
 */
import { fstatSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { CannotListenError } from '../../errors.ts';
import type { IProtocolFactory } from '../../interfaces.ts';
import { invalidArgValue, validateInteger } from '../../validate.ts';
import { tcpAddress, tcpPortKind } from './listen-tcp.ts';
import { unixPortKind } from './listen-unix.ts';
import { validateFactory } from './stream-checks.ts';
import type { StreamOwner } from './stream-port.ts';
import { TcpPort } from './tcp-port.ts';
import { UnixPort } from './unix-port.ts';

/**
 * The path a UNIX socket descriptor is bound to, which Node cannot tell: on Linux, found by the
 * socket's inode in /proc/net/unix; elsewhere `undefined`.
 */
function unixSocketPath(fd: number): string | undefined {
  try {
    const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
    if (inode === undefined) return undefined;
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[6] === inode) return fields[7]?.replace(/^@/, '\0');
    }
  } catch {
    // not Linux, or /proc not mounted
  }
  return undefined;
}

/** The address families a stream socket may have (Python's `AF_` names without the prefix). */
export type AddressFamily = 'INET' | 'INET6' | 'UNIX';

/**
 * Listens on the stream socket `fileDescriptor` (bound, and usually listening already): a
 * `TcpPort` for `'INET'`/`'INET6'`, a `UnixPort` for `'UNIX'`. The port takes the descriptor
 * over — stopping it closes it — where Twisted duplicates it and leaves the original to the
 * caller. An adopted UNIX socket's file is left in place when the port stops (its creator
 * owns it).
 *
 * @throws CannotListenError when `fileDescriptor` is not an open socket of that family.
 */
export function adoptStreamPort(
  owner: StreamOwner,
  fileDescriptor: number,
  addressFamily: AddressFamily,
  factory: IProtocolFactory,
): TcpPort | UnixPort {
  validateInteger(fileDescriptor, 'fileDescriptor', 0, 2 ** 31 - 1);
  if (addressFamily !== 'INET' && addressFamily !== 'INET6' && addressFamily !== 'UNIX') {
    throw invalidArgValue(
      'addressFamily',
      `It must be 'INET', 'INET6' or 'UNIX'. Received ${String(addressFamily)}`,
    );
  }
  validateFactory(factory);
  const where = `fd ${fileDescriptor}`;
  let isSocket: boolean;
  try {
    isSocket = fstatSync(fileDescriptor).isSocket();
  } catch (e) {
    throw new CannotListenError(where, 0, e, `file descriptor ${fileDescriptor} is not open`);
  }
  if (!isSocket) {
    const notSocket = Object.assign(new Error('not a socket'), { code: 'ENOTSOCK' });
    throw new CannotListenError(where, 0, notSocket, `file descriptor ${fileDescriptor} is not a socket`);
  }
  const server = net.createServer({ allowHalfOpen: true });
  let failure: Error | undefined;
  const onError = (e: Error): void => void (failure = e);
  server.on('error', onError);
  server.listen({ fd: fileDescriptor });
  server.off('error', onError);
  const address = server.address();
  // Node reports some refusals (EINVAL for a socket it cannot listen on) on a later turn: a
  // server given up here must not make that an uncaught exception.
  const giveUp = (): void => {
    server.on('error', () => {});
    if (server.listening) server.close();
  };
  // A TCP socket has an address object; Node gives none for an adopted UNIX one.
  const unix = address === null || typeof address === 'string';
  if (failure !== undefined || !server.listening || (addressFamily === 'UNIX') !== unix) {
    const why =
      failure?.message ??
      (!server.listening
        ? `file descriptor ${fileDescriptor} is not a stream socket Node can listen on`
        : `file descriptor ${fileDescriptor} is a ${unix ? 'UNIX' : 'TCP'} socket, not ${addressFamily}`);
    giveUp();
    throw new CannotListenError(where, 0, failure ?? new Error(why), why);
  }
  let port: TcpPort | UnixPort;
  if (unix) {
    const path = typeof address === 'string' && address !== '' ? address : unixSocketPath(fileDescriptor);
    port = new UnixPort(owner, factory, server, unixPortKind(path ?? '', undefined));
  } else {
    const host = tcpAddress(address.address, address.port, address.family);
    if ((addressFamily === 'INET6') !== (address.family === 'IPv6')) {
      giveUp();
      throw new CannotListenError(
        where,
        0,
        new Error('family mismatch'),
        `file descriptor ${fileDescriptor} is an ${address.family} socket, not ${addressFamily}`,
      );
    }
    port = new TcpPort(owner, factory, server, tcpPortKind(host));
  }
  port.start();
  return port;
}
