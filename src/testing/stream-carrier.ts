/**
 * `StreamCarrier`: the TCP side of a `VirtualNetwork` — connection attempts, the connections
 * they make (each a pair of ends wired through two `StreamPipe`s), resets made by the network,
 * and the counters.
 *
 * @internal
 * @module
 */
import type { AddressTuple } from '../interfaces.ts';
import type { Clock } from '../task/index.ts';
import type { IPv4Address, IPv6Address } from '../transports/address.ts';
import { tcpAddress } from '../transports/tcp/listen-tcp.ts';
import type { NetworkLinks } from './network-links.ts';
import type { StreamStats } from './network-types.ts';
import type { SeededRandom } from './seeded-random.ts';
import { StreamPipe } from './stream-pipe.ts';
import { TcpHandshake } from './tcp-handshake.ts';
import type { ConnectRequest, HandshakeNetwork, StreamHost } from './tcp-handshake.ts';
import { VirtualConnection } from './virtual-connection.ts';

/** What the carrier works with: the network's own pieces, shared with it. */
export interface StreamCarrierParts {
  readonly clock: Clock;
  readonly random: SeededRandom;
  readonly links: NetworkLinks;
  /** The host with this IP, if any. */
  readonly findHost: (ip: string) => StreamHost | undefined;
}

/** One connection: its two ends and their hosts. */
interface Connection {
  readonly client: VirtualConnection;
  readonly server: VirtualConnection;
  readonly clientHost: StreamHost;
  readonly serverHost: StreamHost;
}

function address(tuple: AddressTuple): IPv4Address | IPv6Address {
  return tcpAddress(tuple[0], tuple[1]);
}

/** Carries the TCP connections of one network. */
export class StreamCarrier implements HandshakeNetwork {
  /** The network's clock. */
  readonly clock: Clock;
  /** The network's PRNG (loss draws for SYNs and segments). */
  readonly random: SeededRandom;
  /** The network's links and partitions. */
  readonly links: NetworkLinks;
  /** The counters `network.streamStats()` copies. */
  readonly stats: StreamStats = {
    connects: 0,
    established: 0,
    refused: 0,
    synTimeouts: 0,
    resets: 0,
    segmentsSent: 0,
    retransmissions: 0,
    bytesSent: 0,
    bytesDelivered: 0,
  };

  readonly #findHost: (ip: string) => StreamHost | undefined;
  #connections: Connection[] = [];
  #pruneAt = 64;

  /** A carrier over the network's `parts`. */
  constructor(parts: StreamCarrierParts) {
    this.clock = parts.clock;
    this.random = parts.random;
    this.links = parts.links;
    this.#findHost = parts.findHost;
  }

  /** Starts a connection attempt (see `TcpHandshake`). */
  connect(request: ConnectRequest): TcpHandshake {
    return new TcpHandshake(this, request);
  }

  /** @internal The host with this IP, if any. */
  findStreamHost(ip: string): StreamHost | undefined {
    return this.#findHost(ip);
  }

  /** @internal Makes the two ends of a new connection, wired through two pipes. */
  pair(
    clientHost: StreamHost,
    serverHost: StreamHost,
    clientAddress: AddressTuple,
    serverAddress: AddressTuple,
    onClientClosed: () => void,
  ): [client: VirtualConnection, server: VirtualConnection] {
    const clientLocal = address(clientAddress);
    const serverLocal = address(serverAddress);
    const client = new VirtualConnection({
      host: clientHost,
      local: clientLocal,
      remote: serverLocal,
      onClosed: onClientClosed,
    });
    const server = new VirtualConnection({ host: serverHost, local: serverLocal, remote: clientLocal });
    const up = new StreamPipe(this, clientHost.ip, serverHost.ip, client, server);
    const down = new StreamPipe(this, serverHost.ip, clientHost.ip, server, client);
    client.attach(up, down);
    server.attach(down, up);
    // Forget closed connections now and then (not at every connect: that would be quadratic).
    if (this.#connections.length >= this.#pruneAt) {
      this.#connections = this.#connections.filter((c) => !c.client.disconnected || !c.server.disconnected);
      this.#pruneAt = 2 * this.#connections.length + 64;
    }
    this.#connections.push({ client, server, clientHost, serverHost });
    return [client, server];
  }

  /**
   * Resets the open connections that `matches` (given the IPs of both hosts): each end still
   * open gets `connectionLost` with `ConnectionLost` (ECONNRESET) on the next clock step, as
   * when a middlebox sends both a reset. Returns how many connections were reset.
   */
  reset(matches: (clientIp: string, serverIp: string) => boolean): number {
    let count = 0;
    for (const c of this.#connections) {
      if (c.client.disconnected && c.server.disconnected) continue;
      if (!matches(c.clientHost.ip, c.serverHost.ip)) continue;
      count += 1;
      this.stats.resets += 1;
      this.clock.callLater(0, () => {
        c.client.reset();
        c.server.reset();
      });
    }
    return count;
  }

  /** The open connections (an end not yet closed), client end first. */
  openConnections(): [client: VirtualConnection, server: VirtualConnection][] {
    return this.#connections
      .filter((c) => !c.client.disconnected || !c.server.disconnected)
      .map((c) => [c.client, c.server]);
  }
}
