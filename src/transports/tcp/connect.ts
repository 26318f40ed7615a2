/**
 * `connectTCP` and `connectUNIX`: check their arguments and start a {@link Connector} with a
 * dialer for the destination. The Reactor's methods delegate here.
 *
 * @module
 */
import net from 'node:net';
import type { Deferred } from '../../defer/deferred.ts';
import { BadFileError, ConnectError, DNSLookupError } from '../../errors.ts';
import type { Failure } from '../../failure.ts';
import type {
  AddressTuple,
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IClientFactory,
} from '../../interfaces.ts';
import { ipFamily } from '../../validate.ts';
import type { IPv4Address, IPv6Address } from '../address.ts';
import { UNIXAddress } from '../address.ts';
import { parseConnectTCPArgs } from './connect-tcp-options.ts';
import { connectErrorFor } from './connect-errors.ts';
import { Connector } from './connector.ts';
import type { ConnectorOwner, DialEvents, Dialer } from './connector.ts';
import { tcpAddress } from './listen-tcp.ts';
import { isLocked } from './unix-lock.ts';
import { parseConnectUNIXArgs } from './unix-options.ts';

/** Connects `socket`'s outcome to `events`: the first of `'connect'` or `'error'` wins. */
function watchConnect(socket: net.Socket, events: DialEvents, failure: (e: Error) => Error): void {
  const onError = (e: Error): void => {
    socket.off('connect', onConnect);
    socket.destroy();
    events.failed(failure(e));
  };
  const onConnect = (): void => {
    socket.off('error', onError);
    events.connected(socket);
  };
  socket.once('error', onError);
  socket.once('connect', onConnect);
}

/** How to reach a TCP destination: resolve the host through the reactor, then connect. @internal */
export function tcpDialer(
  host: string,
  port: number,
  bindAddress: AddressTuple | undefined,
): Dialer<IPv4Address | IPv6Address> {
  const destination = tcpAddress(host, port, ipFamily(host) === 6 ? 6 : 4);
  return {
    destination,
    type: 'TCP',
    dial(owner, events) {
      let socket: net.Socket | undefined;
      let abandoned = false;
      let resolution: Deferred<string> | undefined;
      const start = (ip: string): void => {
        if (abandoned) return;
        const options: net.NetConnectOpts = { host: ip, port, allowHalfOpen: true };
        if (bindAddress !== undefined) {
          if (bindAddress[0] !== '') options.localAddress = bindAddress[0];
          if (bindAddress[1] !== 0) options.localPort = bindAddress[1];
        }
        socket = net.connect(options);
        watchConnect(socket, events, (e) => connectErrorFor(e, bindAddress !== undefined));
      };
      if (ipFamily(host) !== 0) {
        start(host);
      } else {
        // Twisted's connectTCP resolves a name through the reactor (its installed resolver).
        resolution = owner.resolve(host);
        resolution.addCallbacks(start, (failure: Failure) => {
          if (abandoned) return undefined;
          const e = failure.value;
          events.failed(
            e instanceof ConnectError
              ? e
              : new DNSLookupError(`Could not resolve ${JSON.stringify(host)}: ${e.message}`, { cause: e }),
          );
          return undefined;
        });
      }
      return () => {
        abandoned = true;
        resolution?.cancel();
        socket?.destroy();
      };
    },
    addresses(socket) {
      const { localAddress, localPort, remoteAddress, remotePort, remoteFamily } = socket;
      const peer = tcpAddress(remoteAddress ?? host, remotePort ?? port, remoteFamily);
      const local = tcpAddress(
        localAddress ?? '0.0.0.0',
        localPort ?? 0,
        (socket as { localFamily?: string }).localFamily,
      );
      return { host: local, peer };
    },
  };
}

/** How to reach a UNIX socket (with Twisted's `checkPID` lock check first). @internal */
export function unixDialer(path: string, checkPID: boolean): Dialer<UNIXAddress> {
  const destination = new UNIXAddress(path);
  const unnamed = new UNIXAddress(undefined);
  return {
    destination,
    type: 'UNIX',
    dial(_owner, events) {
      if (checkPID && path[0] !== '\0' && !isLocked(`${path}.lock`)) {
        // Reported on a later turn, after startedConnecting, as Twisted's _finishInit does.
        const timer = setImmediate(() =>
          events.failed(
            new BadFileError(`No live process holds the lock ${JSON.stringify(`${path}.lock`)}.`),
          ),
        );
        return () => clearImmediate(timer);
      }
      const socket = net.connect({ path, allowHalfOpen: true });
      watchConnect(socket, events, (e) => connectErrorFor(e));
      return () => socket.destroy();
    },
    addresses: () => ({ host: unnamed, peer: destination }),
  };
}

/**
 * Connects to `host`:`port` over TCP (Twisted's `reactor.connectTCP`). Returns at once; the
 * factory's `startedConnecting` has been called. A host name is resolved through the reactor
 * (its installed resolver) to an IPv4 address as Twisted does; an IPv6 literal connects over
 * IPv6. The outcome reaches the factory.
 *
 * @param timeoutOrOptions Twisted's `timeout` (seconds, default 30), or `{ timeout, bindAddress, signal }`.
 * @param bindAddress the local `[host, port]` to connect from; wins over the option.
 */
export function connectTCP(
  owner: ConnectorOwner,
  host: string,
  port: number,
  factory: IClientFactory,
  timeoutOrOptions?: number | ConnectTCPOptions,
  bindAddress?: AddressTuple,
): Connector<IPv4Address | IPv6Address> {
  const args = parseConnectTCPArgs(host, port, factory, timeoutOrOptions, bindAddress);
  const connector = new Connector(
    owner,
    args.factory,
    args.timeout,
    tcpDialer(args.host, args.port, args.bindAddress),
    args.signal,
  );
  connector.connect();
  return connector;
}

/**
 * Connects to the UNIX socket `address` (Twisted's `reactor.connectUNIX`); with `checkPID`, the
 * attempt fails with `BadFileError` unless a live process holds `<address>.lock`.
 *
 * @param timeoutOrOptions Twisted's `timeout` (seconds, default 30), or `{ timeout, checkPID, signal }`.
 */
export function connectUNIX(
  owner: ConnectorOwner,
  address: string,
  factory: IClientFactory,
  timeoutOrOptions?: number | ConnectUNIXOptions,
  checkPID?: boolean,
): Connector<UNIXAddress> {
  const args = parseConnectUNIXArgs(address, factory, timeoutOrOptions, checkPID);
  const connector = new Connector(
    owner,
    args.factory,
    args.timeout,
    unixDialer(args.address, args.checkPID),
    args.signal,
  );
  connector.connect();
  return connector;
}
