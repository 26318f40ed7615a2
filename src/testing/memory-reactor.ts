/**
 * `MemoryReactor`: a reactor that opens no socket and records what it is asked to do (Twisted's
 * `twisted.internet.testing.MemoryReactor`, with the UDP and multicast support Twisted's lacks).
 *
 * @module
 */
import type {
  AddressTuple,
  ConnectTCPOptions,
  ConnectUNIXOptions,
  IClientFactory,
  IDatagramProtocol,
  IProtocolFactory,
  IReactorMulticast,
  IReactorSSL,
  IReactorTCP,
  IReactorUDP,
  IReactorUNIX,
  ITLSContextFactory,
  IUNIXAddress,
  ListenMulticastOptions,
  ListenTCPOptions,
  ListenUDPOptions,
  ListenUNIXOptions,
  StreamAddress,
} from '../interfaces.ts';
import { UNIXAddress } from '../transports/address.ts';
import type { IPv4Address, IPv6Address } from '../transports/address.ts';
import { parseConnectTCPArgs } from '../transports/tcp/connect-tcp-options.ts';
import { parseListenTCPArgs } from '../transports/tcp/listen-tcp-options.ts';
import { tcpAddress } from '../transports/tcp/listen-tcp.ts';
import { parseConnectUNIXArgs, parseListenUNIXArgs } from '../transports/tcp/unix-options.ts';
import { prepareTLS } from '../transports/tls/tls-socket.ts';
import { parseListenMulticastArgs, parseListenUDPArgs } from '../transports/udp/listen-options.ts';
import type { ListenArgs } from '../transports/udp/listen-options.ts';
import { FakeDatagramTransport } from './fake-datagram-transport.ts';
import { MemoryConnector } from './memory-connector.ts';
import { MemoryReactorCore } from './memory-reactor-core.ts';
import { MemoryStreamPort } from './memory-stream-port.ts';

export type { RecordedCall } from './memory-reactor-core.ts';

/** A recorded `listenUDP` call: `[port, protocol, interface, maxPacketSize]`. */
export type UdpServerRecord = [
  port: number,
  protocol: IDatagramProtocol,
  iface: string,
  maxPacketSize: number,
];

/** A recorded `listenMulticast` call: `[port, protocol, interface, maxPacketSize, listenMultiple]`. */
export type MulticastServerRecord = [
  port: number,
  protocol: IDatagramProtocol,
  iface: string,
  maxPacketSize: number,
  listenMultiple: boolean,
];

/** A recorded `listenTCP` call: `[port, factory, backlog, interface]`, defaults filled in. */
export type TcpServerRecord = [port: number, factory: IProtocolFactory, backlog: number, iface: string];

/**
 * A recorded `connectTCP` call: `[host, port, factory, timeout, bindAddress]`, defaults filled
 * in (`timeout` 30, `bindAddress` `undefined` when not given).
 */
export type TcpClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  timeout: number,
  bindAddress: AddressTuple | undefined,
];

/** A recorded `listenUNIX` call: `[address, factory, backlog, mode, wantPID]`. */
export type UnixServerRecord = [
  address: string,
  factory: IProtocolFactory,
  backlog: number,
  mode: number,
  wantPID: boolean,
];

/** A recorded `connectUNIX` call: `[address, factory, timeout, checkPID]`. */
export type UnixClientRecord = [address: string, factory: IClientFactory, timeout: number, checkPID: boolean];

/** A recorded `listenSSL` call: `[port, factory, contextFactory, backlog, interface]`. */
export type SslServerRecord = [
  port: number,
  factory: IProtocolFactory,
  contextFactory: ITLSContextFactory,
  backlog: number,
  iface: string,
];

/** A recorded `connectSSL` call: `[host, port, factory, contextFactory, timeout, bindAddress]`. */
export type SslClientRecord = [
  host: string,
  port: number,
  factory: IClientFactory,
  contextFactory: ITLSContextFactory,
  timeout: number,
  bindAddress: AddressTuple | undefined,
];

/**
 * A fake reactor for unit tests: nothing it is asked to listen on or connect to opens a socket;
 * each call is recorded as a plain tuple, with the defaults filled in whichever argument form
 * was used, as Twisted's `MemoryReactor` records them.
 *
 * - `listenUDP` / `listenMulticast` → {@link udpServers} / {@link multicastServers}; they return
 *   a {@link FakeDatagramTransport} whose `getHost()` reports the port asked for and which has
 *   already started the protocol — so a test can feed it datagrams with `port.deliver(...)` and
 *   read what it wrote from `port.written`.
 * - `listenTCP`, `listenUNIX`, `listenSSL` → {@link tcpServers}, {@link unixServers},
 *   {@link sslServers}; they return a {@link MemoryStreamPort} (its factory started) whose
 *   `getHost()` reports the address asked for.
 * - `connectTCP`, `connectUNIX`, `connectSSL` → {@link tcpClients}, {@link unixClients},
 *   {@link sslClients}, and the {@link MemoryConnector} each returns in {@link connectors}
 *   (its factory told `startedConnecting`); the test plays the network through it.
 *
 * The arguments are checked by the real reactor's parsers (a port of 70000, a host name as
 * interface, a protocol already listening, an unknown option: the same errors). Lifecycle
 * calls are recorded as in {@link MemoryReactorCore}.
 *
 * @example
 * const reactor = new MemoryReactor();
 * const port = reactor.listenUDP(9999, new Echo(), '127.0.0.1');
 * reactor.udpServers;   // [[9999, echo, '127.0.0.1', 8192]]
 * port.deliver(Buffer.from('hi'), ['10.0.0.2', 5000]);
 * port.written;         // [[<Buffer 68 69>, ['10.0.0.2', 5000]]]
 */
export class MemoryReactor
  extends MemoryReactorCore
  implements IReactorUDP, IReactorMulticast, IReactorTCP, IReactorUNIX, IReactorSSL
{
  /** Every `listenTCP` call: `[port, factory, backlog, interface]`. */
  readonly tcpServers: TcpServerRecord[] = [];
  /** Every `connectTCP` call: `[host, port, factory, timeout, bindAddress]`. */
  readonly tcpClients: TcpClientRecord[] = [];
  /** Every `listenUNIX` call: `[address, factory, backlog, mode, wantPID]`. */
  readonly unixServers: UnixServerRecord[] = [];
  /** Every `connectUNIX` call: `[address, factory, timeout, checkPID]`. */
  readonly unixClients: UnixClientRecord[] = [];
  /** Every `listenSSL` call: `[port, factory, contextFactory, backlog, interface]`. */
  readonly sslServers: SslServerRecord[] = [];
  /** Every `connectSSL` call: `[host, port, factory, contextFactory, timeout, bindAddress]`. */
  readonly sslClients: SslClientRecord[] = [];
  /** The connector of every `connectTCP`, `connectUNIX` and `connectSSL` call, in order. */
  readonly connectors: MemoryConnector[] = [];
  /** Every `listenUDP` call. */
  readonly udpServers: UdpServerRecord[] = [];
  /** Every `listenMulticast` call. */
  readonly multicastServers: MulticastServerRecord[] = [];

  // ---------------------------------------------------------------------------------------------
  // IReactorUDP / IReactorMulticast

  /**
   * Records `[port, protocol, interface, maxPacketSize]` in `udpServers` and returns a started
   * {@link FakeDatagramTransport} on the port asked for. Arguments as the real `listenUDP`.
   */
  listenUDP(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenUDPOptions,
    maxPacketSize?: number,
  ): FakeDatagramTransport {
    const request = parseListenUDPArgs(port, protocol, interfaceOrOptions, maxPacketSize);
    this.udpServers.push([request.port, request.protocol, request.interface, request.maxPacketSize]);
    return this.#start(request);
  }

  /**
   * Records `[port, protocol, interface, maxPacketSize, listenMultiple]` in `multicastServers`
   * and returns a started {@link FakeDatagramTransport} (a multicast transport).
   */
  listenMulticast(
    port: number,
    protocol: IDatagramProtocol,
    interfaceOrOptions?: string | ListenMulticastOptions,
    maxPacketSize?: number,
    listenMultiple?: boolean,
  ): FakeDatagramTransport {
    const request = parseListenMulticastArgs(
      port,
      protocol,
      interfaceOrOptions,
      maxPacketSize,
      listenMultiple,
    );
    this.multicastServers.push([
      request.port,
      request.protocol,
      request.interface,
      request.maxPacketSize,
      request.shared,
    ]);
    return this.#start(request);
  }

  #start(request: ListenArgs): FakeDatagramTransport {
    const host = request.interface === '' ? '0.0.0.0' : request.interface;
    const transport = new FakeDatagramTransport({
      host,
      port: request.port,
      protocol: request.protocol,
      maxPacketSize: request.maxPacketSize,
      owner: this,
    });
    transport.startListening();
    const signal = request.signal;
    if (signal !== undefined)
      signal.addEventListener('abort', () => transport.stopListening(), { once: true });
    return transport;
  }

  // ---------------------------------------------------------------------------------------------
  // IReactorTCP / IReactorUNIX / IReactorSSL

  /**
   * Records `[port, factory, backlog, interface]` in `tcpServers` and returns a
   * {@link MemoryStreamPort} on the address asked for (`''` reported as `'0.0.0.0'`), its factory
   * started. Arguments as the real `listenTCP`.
   */
  listenTCP(
    port: number,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): MemoryStreamPort<IPv4Address | IPv6Address> {
    const args = parseListenTCPArgs(port, factory, backlogOrOptions, iface);
    this.tcpServers.push([args.port, args.factory, args.backlog, args.interface]);
    return this.#listen(
      args.factory,
      tcpAddress(args.interface === '' ? '0.0.0.0' : args.interface, args.port),
      args.signal,
    );
  }

  /**
   * Records `[host, port, factory, timeout, bindAddress]` in `tcpClients` and returns a
   * {@link MemoryConnector} (also in `connectors`) to `IPv4Address('TCP', host, port)` — the
   * host as given, not resolved — that has told the factory `startedConnecting`. Arguments as
   * the real `connectTCP`.
   */
  connectTCP(
    host: string,
    port: number,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): MemoryConnector {
    const args = parseConnectTCPArgs(host, port, factory, timeoutOrOptions, bindAddress);
    this.tcpClients.push([args.host, args.port, args.factory, args.timeout, args.bindAddress]);
    return this.#connect(args.factory, tcpAddress(args.host, args.port), args.signal);
  }

  /**
   * Records `[address, factory, backlog, mode, wantPID]` in `unixServers` and returns a
   * {@link MemoryStreamPort} on `UNIXAddress(address)`. No file is made.
   */
  listenUNIX(
    address: string,
    factory: IProtocolFactory,
    backlogOrOptions?: number | ListenUNIXOptions,
    mode?: number,
    wantPID?: boolean,
  ): MemoryStreamPort<IUNIXAddress> {
    const args = parseListenUNIXArgs(address, factory, backlogOrOptions, mode, wantPID);
    this.unixServers.push([args.address, args.factory, args.backlog, args.mode, args.wantPID]);
    return this.#listen<IUNIXAddress>(args.factory, new UNIXAddress(args.address), args.signal);
  }

  /** Records `[address, factory, timeout, checkPID]` in `unixClients` and returns a {@link MemoryConnector}. */
  connectUNIX(
    address: string,
    factory: IClientFactory,
    timeoutOrOptions?: number | ConnectUNIXOptions,
    checkPID?: boolean,
  ): MemoryConnector {
    const args = parseConnectUNIXArgs(address, factory, timeoutOrOptions, checkPID);
    this.unixClients.push([args.address, args.factory, args.timeout, args.checkPID]);
    return this.#connect(args.factory, new UNIXAddress(args.address), args.signal);
  }

  /**
   * Records `[port, factory, contextFactory, backlog, interface]` in `sslServers` and returns a
   * {@link MemoryStreamPort}; nothing is encrypted. Arguments as `listenTCP`, plus the context
   * factory.
   */
  listenSSL(
    port: number,
    factory: IProtocolFactory,
    contextFactory: ITLSContextFactory,
    backlogOrOptions?: number | ListenTCPOptions,
    iface?: string,
  ): MemoryStreamPort<IPv4Address | IPv6Address> {
    const args = parseListenTCPArgs(port, factory, backlogOrOptions, iface);
    // The real check: a bad factory, options or key fails here as it does in listenSSL.
    prepareTLS(contextFactory, 'server');
    this.sslServers.push([args.port, args.factory, contextFactory, args.backlog, args.interface]);
    return this.#listen(
      args.factory,
      tcpAddress(args.interface === '' ? '0.0.0.0' : args.interface, args.port),
      args.signal,
    );
  }

  /**
   * Records `[host, port, factory, contextFactory, timeout, bindAddress]` in `sslClients` and
   * returns a {@link MemoryConnector}.
   */
  connectSSL(
    host: string,
    port: number,
    factory: IClientFactory,
    contextFactory: ITLSContextFactory,
    timeoutOrOptions?: number | ConnectTCPOptions,
    bindAddress?: AddressTuple,
  ): MemoryConnector {
    const args = parseConnectTCPArgs(host, port, factory, timeoutOrOptions, bindAddress);
    prepareTLS(contextFactory, 'client');
    this.sslClients.push([
      args.host,
      args.port,
      args.factory,
      contextFactory,
      args.timeout,
      args.bindAddress,
    ]);
    return this.#connect(args.factory, tcpAddress(args.host, args.port), args.signal);
  }

  #listen<A extends StreamAddress>(
    factory: IProtocolFactory,
    address: A,
    signal: AbortSignal | undefined,
  ): MemoryStreamPort<A> {
    const port = new MemoryStreamPort<A>(this, factory, address, signal);
    port.start();
    return port;
  }

  #connect(
    factory: IClientFactory,
    destination: StreamAddress,
    signal: AbortSignal | undefined,
  ): MemoryConnector {
    const connector = new MemoryConnector(factory, destination, signal);
    this.connectors.push(connector);
    connector.connect();
    return connector;
  }
}
