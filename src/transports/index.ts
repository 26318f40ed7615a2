/**
 * Transports: UDP ports over `node:dgram`, addresses, and `listenUDP`.
 *
 * @module
 */
export { IPv4Address, IPv6Address } from './address.ts';
export type { AddressType } from './address.ts';
export { UdpPort, MAX_IPV4_DATAGRAM, MAX_IPV6_DATAGRAM } from './udp-port.ts';
export type {
  UdpPortState,
  UdpPortStats,
  UdpPortEvents,
  UdpPortConfig,
  DatagramsOptions,
} from './udp-port.ts';
export type { DatagramEntry } from './datagram-iterator.ts';
export { listenUDP } from './listen.ts';
export { DEFAULT_MAX_PACKET_SIZE } from './listen-options.ts';
export { MulticastPort } from './multicast-port.ts';
export type { MulticastPortConfig, MulticastInterface } from './multicast-port.ts';
export { listenMulticast } from './listen-multicast.ts';
export { joinGroupOnAllInterfaces } from './join-all-interfaces.ts';
export type { JoinAllInterfacesOptions, JoinAllInterfacesResult } from './join-all-interfaces.ts';
