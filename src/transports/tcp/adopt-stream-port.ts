/**
 * `adoptStreamPort`: listening on a socket made by someone else — systemd's socket activation,
 * a parent process — and handed over as a file descriptor (Twisted's
 * `IReactorSocket.adoptStreamPort`).
 *
 * @module
 */
import { fstatSync } from 'node:fs';
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
  const unix = typeof address === 'string';
  if (failure !== undefined || address === null || (addressFamily === 'UNIX') !== unix) {
    if (server.listening) server.close();
    const why =
      failure?.message ??
      (address === null
        ? `file descriptor ${fileDescriptor} is not a stream socket Node can listen on`
        : `file descriptor ${fileDescriptor} is a ${unix ? 'UNIX' : 'TCP'} socket, not ${addressFamily}`);
    throw new CannotListenError(where, 0, failure ?? new Error(why), why);
  }
  let port: TcpPort | UnixPort;
  if (unix) {
    port = new UnixPort(owner, factory, server, unixPortKind(address, undefined));
  } else {
    const host = tcpAddress(address.address, address.port, address.family);
    if ((addressFamily === 'INET6') !== (address.family === 'IPv6')) {
      server.close();
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
