/**
 * `TcpHandshake`: one connection attempt on a `VirtualNetwork`, from the name lookup to the
 * three-way handshake — or to the reason it failed, the way a real attempt fails.
 *
 * @internal
 * @module
 */
import { CannotListenError, ConnectBindError } from '../errors.ts';
import type { ConnectError } from '../errors.ts';
import type { AddressTuple, IDelayedCall } from '../interfaces.ts';
import type { Deferred } from '../defer/index.ts';
import type { Failure } from '../failure.ts';
import { connectErrorFor } from '../transports/tcp/connect-errors.ts';
import type { Family } from './checks.ts';
import { familyOf, isLoopbackAddress, systemError } from './checks.ts';
import type { PortHolder } from './port-table.ts';
import { isWildcardAddress } from './port-table.ts';
import type { PipeParts } from './stream-pipe.ts';
import type { VirtualConnection } from './virtual-connection.ts';
import type { ConnectionHost } from './virtual-connection-state.ts';
import type { VirtualTcpPort } from './virtual-tcp-port.ts';

/**
 * When a SYN that got no answer is sent again, in seconds after the first (Linux's
 * exponential back-off from a 1 s initial timeout, `tcp_syn_retries` = 6), and when TCP gives
 * up with ETIMEDOUT.
 */
const SYN_TIMES = [0, 1, 3, 7, 15, 31, 63];
const SYN_GIVE_UP = 127;

/** What a host offers the connections of the network. */
export interface StreamHost extends ConnectionHost {
  /** The host's IP. */
  readonly ip: string;
  /** 4 or 6. */
  readonly family: Family;
  /** Resolves a name as the host's `resolve` does. */
  resolve(name: string): Deferred<string>;
  /** Throws `CannotListenError` (`EADDRNOTAVAIL`) for an address the host cannot bind. */
  checkLocalAddress(address: string, iface: string, port: number): void;
  /** Binds a TCP port number (0: ephemeral) for `holder`; throws `CannotListenError`. */
  bindTcp(holder: PortHolder, requested: number, iface: string): number;
  /** Frees it. */
  unbindTcp(holder: PortHolder): void;
  /** The port that takes a connection to `[address, port]` of `family` from `source`, if any. */
  tcpListenerFor(
    address: string,
    port: number,
    family: Family,
    source: AddressTuple,
  ): VirtualTcpPort | undefined;
}

/** A connection attempt, as the connector asks for it. */
export interface ConnectRequest {
  /** The connecting host. */
  readonly client: StreamHost;
  /** The destination as given: an IP literal or a name the host resolves. */
  readonly host: string;
  /** The destination port. */
  readonly port: number;
  /** The local `[address, port]` to connect from, if given. */
  readonly bindAddress: AddressTuple | undefined;
  /** The handshake completed: the client's end of the new connection, not started yet. */
  readonly established: (connection: VirtualConnection) => void;
  /** The attempt failed: a `ConnectError`. */
  readonly failed: (reason: Error) => void;
}

/** What the handshake needs from the network. */
export interface HandshakeNetwork extends PipeParts {
  /** The host with this IP, if any. */
  findStreamHost(ip: string): StreamHost | undefined;
  /** Makes the two ends of a new connection, wired through two pipes. */
  pair(
    client: StreamHost,
    server: StreamHost,
    clientAddress: AddressTuple,
    serverAddress: AddressTuple,
    onClientClosed: () => void,
  ): [client: VirtualConnection, server: VirtualConnection];
}

/** Where an attempt is. */
type HandshakeState = 'starting' | 'connecting' | 'synReceived' | 'done';

/**
 * One attempt: resolve the name, bind the local end, send SYNs (again after 1, 3, 7… s while
 * unanswered), and on a SYN-ACK hand the client's end to the connector; the server's end is
 * accepted when the ACK arrives, one link latency later.
 *
 * - No host at the address, or a dropping partition: the SYNs vanish; the connector's timeout
 *   fires first (`TimeoutError`), or TCP gives up after 127 s (`TCPTimedOutError`).
 * - A rejecting partition, or a remote address of the other family: `NoRouteError`.
 * - No port listening there: a reset comes back (`ConnectionRefusedError`) after a round trip.
 * - A `bindAddress` the host cannot bind: `ConnectBindError`.
 * - A lost SYN (the link's `loss`) is sent again on the schedule above.
 */
export class TcpHandshake {
  readonly #network: HandshakeNetwork;
  readonly #request: ConnectRequest;
  #state: HandshakeState = 'starting';
  #timer: IDelayedCall | undefined;
  #holder: PortHolder | undefined;
  #server: StreamHost | undefined;
  #destination: AddressTuple = ['', 0];
  #source: AddressTuple = ['', 0];

  /** An attempt for `request`; it begins on the next clock step (nothing is reported inside `connect`). */
  constructor(network: HandshakeNetwork, request: ConnectRequest) {
    this.#network = network;
    this.#request = request;
    network.stats.connects += 1;
    this.#timer = network.clock.callLater(0, () => this.#begin());
  }

  /** Gives the attempt up (the connector stopped or timed out): nothing more is reported. */
  abort(): void {
    if (this.#state === 'done') return;
    this.#finish();
  }

  #finish(): void {
    this.#state = 'done';
    if (this.#timer?.active() === true) this.#timer.cancel();
    this.#timer = undefined;
    if (this.#holder !== undefined) this.#request.client.unbindTcp(this.#holder);
    this.#holder = undefined;
  }

  #fail(reason: Error): void {
    if (this.#state === 'done') return;
    this.#finish();
    this.#request.failed(reason);
  }

  #begin(): void {
    this.#timer = undefined;
    if (this.#state !== 'starting') return;
    this.#request.client.resolve(this.#request.host).addCallbacks(
      (ip: string) => {
        this.#route(ip);
        return undefined;
      },
      (failure: Failure) => {
        this.#fail(failure.value);
        return undefined;
      },
    );
  }

  /** Where the SYNs go, and from which local address and port. */
  #route(resolved: string): void {
    if (this.#state !== 'starting') return;
    const client = this.#request.client;
    const port = this.#request.port;
    // Connecting to the wildcard address reaches the host itself, as on Linux.
    const ip = isWildcardAddress(resolved) ? (familyOf(resolved) === 6 ? '::1' : '127.0.0.1') : resolved;
    const family = familyOf(ip);
    const local = isLoopbackAddress(ip) || ip === client.ip;
    let source = isLoopbackAddress(ip) ? ip : client.ip;
    if (local) {
      this.#server = client;
    } else if (family !== client.family) {
      this.#fail(this.#osError('ENETUNREACH', -101, ip));
      return;
    } else {
      this.#server = this.#network.findStreamHost(ip);
    }
    const bind = this.#request.bindAddress;
    if (bind !== undefined && bind[0] !== '') {
      if (familyOf(bind[0]) !== family) {
        this.#fail(connectErrorFor(systemError('EINVAL', -22, 'bind', bind[0], bind[1]), true));
        return;
      }
      try {
        client.checkLocalAddress(bind[0], bind[0], bind[1]);
      } catch (e) {
        this.#fail(bindError(e));
        return;
      }
      if (!isWildcardAddress(bind[0])) source = bind[0];
      if (isLoopbackAddress(source) && !isLoopbackAddress(ip)) {
        this.#fail(this.#osError('ENETUNREACH', -101, ip));
        return;
      }
    }
    const holder: PortHolder = { family, boundAddress: source, shared: false };
    let number: number;
    try {
      number = client.bindTcp(holder, bind?.[1] ?? 0, source);
    } catch (e) {
      this.#fail(bindError(e));
      return;
    }
    this.#holder = holder;
    this.#destination = [ip, port];
    this.#source = [source, number];
    this.#state = 'connecting';
    this.#sendSyn(0);
  }

  /** The `ConnectError` the real connector makes of the OS error `code` for a connect to `ip`. */
  #osError(code: string, errno: number, ip: string): ConnectError {
    return connectErrorFor(systemError(code, errno, 'connect', ip, this.#request.port));
  }

  /** The `attempt`-th SYN (0: the first); schedules the next, or giving up. */
  #sendSyn(attempt: number): void {
    if (this.#state !== 'connecting') return;
    const network = this.#network;
    const clock = network.clock;
    if (attempt + 1 < SYN_TIMES.length) {
      this.#timer = clock.callLater(SYN_TIMES[attempt + 1] - SYN_TIMES[attempt], () =>
        this.#sendSyn(attempt + 1),
      );
    } else {
      this.#timer = clock.callLater(SYN_GIVE_UP - SYN_TIMES[attempt], () => {
        network.stats.synTimeouts += 1;
        this.#fail(this.#osError('ETIMEDOUT', -110, this.#destination[0]));
      });
    }
    const client = this.#request.client;
    const server = this.#server;
    if (server === client) {
      clock.callLater(0, () => this.#synArrived());
      return;
    }
    if (server === undefined) return; // nobody has the address: the SYN vanishes
    const partition = network.links.partitionBetween(client.ip, server.ip);
    const latency = network.links.get(client.ip, server.ip).latency;
    if (partition === 'reject') {
      clock.callLater(latency, () => this.#fail(this.#osError('EHOSTUNREACH', -113, server.ip)));
      return;
    }
    if (partition === 'drop') return;
    if (network.random.next() < network.links.get(client.ip, server.ip).loss) return;
    clock.callLater(latency, () => this.#synArrived());
  }

  /** A SYN reached the server's host: a SYN-ACK, or a reset when no port listens there. */
  #synArrived(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'synReceived';
    if (this.#timer?.active() === true) this.#timer.cancel();
    this.#timer = undefined;
    const server = this.#server as StreamHost;
    const client = this.#request.client;
    const [ip, port] = this.#destination;
    const listener = server.tcpListenerFor(ip, port, familyOf(ip), this.#source);
    const back = server === client ? 0 : this.#network.links.get(server.ip, client.ip).latency;
    if (listener === undefined) {
      this.#network.stats.refused += 1;
      this.#network.clock.callLater(back, () => this.#fail(this.#osError('ECONNREFUSED', -111, ip)));
      return;
    }
    this.#network.clock.callLater(back, () => this.#synAckArrived(listener));
  }

  /** The SYN-ACK reached the client: its end is connected; the ACK goes to the server. */
  #synAckArrived(listener: VirtualTcpPort): void {
    if (this.#state !== 'synReceived') return; // given up meanwhile: the server never accepts it
    const holder = this.#holder as PortHolder;
    this.#holder = undefined; // the connection owns the local port now
    this.#finish();
    const client = this.#request.client;
    const server = this.#server as StreamHost;
    const network = this.#network;
    network.stats.established += 1;
    const [clientEnd, serverEnd] = network.pair(client, server, this.#source, this.#destination, () =>
      client.unbindTcp(holder),
    );
    const latency = server === client ? 0 : network.links.get(client.ip, server.ip).latency;
    // Scheduled before the client's protocol starts: the ACK arrives ahead of anything it sends.
    network.clock.callLater(latency, () => {
      const outcome = listener.accept(serverEnd);
      if (outcome !== 'accepted') serverEnd.refuse(outcome === 'closed' ? 'reset' : 'fin');
    });
    this.#request.established(clientEnd);
  }
}

/** A failed bind of the local end, as the `ConnectBindError` the real connector reports. */
function bindError(e: unknown): Error {
  if (e instanceof CannotListenError) return connectErrorFor(e.socketError, true);
  return e instanceof Error ? e : new ConnectBindError(String(e));
}
