/**
 * `twisted-ts/testing`: test datagram protocols without sockets or real time — Twisted's
 * `twisted.internet.testing` for UDP, and a deterministic simulated network.
 *
 * - {@link FakeDatagramTransport}: a transport that records what is written.
 * - {@link MemoryReactor} / {@link MemoryReactorClock}: reactors that record `listenUDP`,
 *   `listenMulticast` and lifecycle calls (and, for the latter, run delayed calls on a `Clock`).
 * - {@link VirtualNetwork}: many hosts, lossy links, multicast and partitions on simulated time.
 *
 * See docs/testing.md.
 *
 * @example
 * import { VirtualNetwork } from 'twisted-ts/testing';
 *
 * @module
 */
export { FakeDatagramTransport } from './fake-datagram-transport.ts';
export type { FakeDatagramTransportOptions, FakePortState } from './fake-datagram-transport.ts';
export { MemoryReactor } from './memory-reactor.ts';
export type { UdpServerRecord, MulticastServerRecord, RecordedCall } from './memory-reactor.ts';
export { MemoryReactorClock } from './memory-reactor-clock.ts';
export { VirtualNetwork } from './virtual-network.ts';
export type { HostRef } from './virtual-network.ts';
export { VirtualHost } from './virtual-host.ts';
export { VirtualUdpPort } from './virtual-udp-port.ts';
export type { VirtualPortState } from './virtual-udp-port.ts';
export { VirtualMulticastPort } from './virtual-multicast-port.ts';
export { SeededRandom } from './seeded-random.ts';
export type {
  AddHostOptions,
  LinkConditions,
  NetworkStats,
  TraceEvent,
  TraceKind,
  VirtualNetworkOptions,
} from './network-types.ts';
export { StringTransport } from './string-transport.ts';
export type { StringTransportOptions, ProducerState } from './string-transport.ts';
export { StringTransportWithDisconnection } from './string-transport-with-disconnection.ts';
export { AccumulatingProtocol } from './accumulating-protocol.ts';
export type { AccumulatingFactory } from './accumulating-protocol.ts';
export { MemoryReactorCore } from './memory-reactor-core.ts';
export type {
  TcpServerRecord,
  TcpClientRecord,
  UnixServerRecord,
  UnixClientRecord,
  SslServerRecord,
  SslClientRecord,
} from './memory-reactor.ts';
export { MemoryStreamPort } from './memory-stream-port.ts';
export { MemoryConnector } from './memory-connector.ts';
export { VirtualTcpPort } from './virtual-tcp-port.ts';
export type { VirtualTcpPortState } from './virtual-tcp-port.ts';
export { VirtualConnector } from './virtual-connector.ts';
export { VirtualConnection } from './virtual-connection.ts';
export type { VirtualConnectionState } from './virtual-connection-state.ts';
export type { PartitionOptions, StreamStats } from './network-types.ts';
// The clock the network and MemoryReactorClock run on, so tests need only this entry point.
export { Clock } from '../task/index.ts';
// trial's synchronous Deferred assertions.
export { successResultOf, failureResultOf, assertNoResult } from './trial.ts';
