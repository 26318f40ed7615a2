/**
 * Transports: UDP ports over `node:dgram`, TCP and UNIX streams over `node:net`, addresses, and `listenUDP`.
 *
 * @module
 */
export { IPv4Address, IPv6Address, UNIXAddress } from './address.ts';
export type { AddressType } from './address.ts';
export { UdpPort, MAX_IPV4_DATAGRAM, MAX_IPV6_DATAGRAM } from './udp/udp-port.ts';
export type { UdpPortState, UdpPortEvents, UdpPortConfig } from './udp/udp-port.ts';
export type { UdpPortStats } from './udp/port-stats.ts';
export type { DatagramsOptions } from './udp/datagram-feed.ts';
export type { DatagramEntry } from './udp/datagram-iterator.ts';
export { listenUDP } from './udp/listen.ts';
export { DEFAULT_MAX_PACKET_SIZE } from './udp/listen-options.ts';
export { MulticastPort } from './udp/multicast-port.ts';
export type { MulticastPortConfig, MulticastInterface } from './udp/multicast-port.ts';
export { listenMulticast } from './udp/listen-multicast.ts';
export { joinGroupOnAllInterfaces } from './udp/join-all-interfaces.ts';
export type { JoinAllInterfacesOptions, JoinAllInterfacesResult } from './udp/join-all-interfaces.ts';
export { StreamPort } from './tcp/stream-port.ts';
export type { StreamPortState } from './tcp/stream-port.ts';
export { TcpPort } from './tcp/tcp-port.ts';
export { UnixPort } from './tcp/unix-port.ts';
export { Connection } from './tcp/connection.ts';
export type { ConnectionState } from './tcp/connection.ts';
export { Connector } from './tcp/connector.ts';
export * from './tls/index.ts';
