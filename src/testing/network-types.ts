/**
 * The shapes `VirtualNetwork` takes and gives: link conditions, options, counters, trace events.
 *
 * @module
 */
import type { AddressTuple } from '../interfaces.ts';
import type { Clock } from '../task/index.ts';

/** How a link treats datagrams. Probabilities are in [0, 1]; times in seconds. */
export interface LinkConditions {
  /** One-way delay of every datagram. Default 0 (delivered on the next `advance`, never inside `write`). */
  latency?: number;
  /** Probability that a datagram is lost. */
  loss?: number;
  /** Probability that a datagram is delivered twice. */
  duplicate?: number;
  /** Probability that a datagram is held back, so that later ones overtake it. */
  reorder?: number;
  /**
   * How long a reordered datagram may be held back: an extra delay drawn uniformly from
   * (0, reorderDelay]. Default: the latency, or 10 ms when the latency is 0.
   */
  reorderDelay?: number;
}

/** Options of `new VirtualNetwork(...)`: the default link conditions, the seed and the clock. */
export interface VirtualNetworkOptions extends LinkConditions {
  /** Seed of the PRNG behind loss, duplication and reordering: the same seed, the same run. Default 0. */
  seed?: number;
  /** The clock that drives the network (default: a new `Clock` starting at 0). */
  clock?: Clock;
  /** Record every send, delivery and drop in `network.trace` (costs memory). Default false. */
  trace?: boolean;
}

/** Options of `network.partition(groupA, groupB, options)`. */
export interface PartitionOptions {
  /**
   * Answer TCP connection attempts across the partition with "no route to host" (`NoRouteError`)
   * instead of dropping them (which ends in a timeout). Datagrams are dropped either way.
   */
  reject?: boolean;
}

/** Options of `network.addHost(ip, options)`. */
export interface AddHostOptions {
  /** Names that `resolve` on any host of the network answers with this host's IP. */
  names?: readonly string[];
}

/** The network's counters, as `network.stats()` returns them. */
export interface NetworkStats {
  /** Datagrams written by the ports (a multicast datagram counts once). */
  sent: number;
  /** Datagrams handed to a protocol (a multicast datagram counts once per receiving port). */
  delivered: number;
  /** Copies dropped by the `loss` draw. */
  lost: number;
  /** Extra copies made by the `duplicate` draw. */
  duplicated: number;
  /** Copies held back by the `reorder` draw. */
  reordered: number;
  /** Copies dropped because a partition separates the hosts. */
  partitioned: number;
  /** Copies that found no host, or no port listening (the latter answers a connected sender with port-unreachable). */
  unreachable: number;
  /** `connectionRefused` notifications given to connected senders. */
  refused: number;
  /** Bytes of the datagrams written. */
  bytesSent: number;
  /** Bytes handed to protocols (after the cut to `maxPacketSize`). */
  bytesDelivered: number;
}

/** What happened to a datagram, in `network.trace`. */
export type TraceKind =
  'send' | 'deliver' | 'lose' | 'duplicate' | 'reorder' | 'partition' | 'unreachable' | 'refuse';

/** One entry of `network.trace`. */
export interface TraceEvent {
  /** Simulated time, in seconds. */
  time: number;
  /** What happened to the datagram (see {@link TraceKind}). */
  kind: TraceKind;
  /** The sending port's address. */
  from: AddressTuple;
  /** The address it was sent to (a group address for multicast). */
  to: AddressTuple;
  /** The datagram's length. */
  bytes: number;
}

/** The network's TCP counters, as `network.streamStats()` returns them. */
export interface StreamStats {
  /** Connection attempts begun (`connectTCP` and each `connector.connect()`). */
  connects: number;
  /** Handshakes completed: the client's end is connected. */
  established: number;
  /** Attempts answered with a reset: no port listening (`ConnectionRefusedError`). */
  refused: number;
  /** Attempts whose SYNs went unanswered until TCP gave up (`TCPTimedOutError`). */
  synTimeouts: number;
  /** Resets: sent by an end (`abortConnection`, data for a closed end) or made by `network.reset`. */
  resets: number;
  /** Segments sent on established connections (data and FINs), retransmissions not counted. */
  segmentsSent: number;
  /** Retransmissions: a segment lost on its link, or held by a partition. */
  retransmissions: number;
  /** Bytes written into connections (that left the sender's buffer). */
  bytesSent: number;
  /** Bytes that arrived at the receiving end, in order. */
  bytesDelivered: number;
}
