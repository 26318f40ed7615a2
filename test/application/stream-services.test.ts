// TCPServer/TCPClient, UNIXServer/UNIXClient, SSLServer/SSLClient, StreamServerEndpointService
// and strportsService on loopback with real sockets (Twisted's application/test/test_internet.py:
// TestInternet2.testTCP/testUNIX/testSSL..., StreamServerEndpointServiceTests, test_strports.py).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  Application,
  CancelledError,
  CannotListenError,
  CertificateOptions,
  ClientFactory,
  Deferred,
  Factory,
  optionsForClientTLS,
  Protocol,
  SSLClient,
  SSLServer,
  StreamServerEndpointService,
  strportsService,
  TCP4ServerEndpoint,
  TCPClient,
  TCPServer,
  UNIXClient,
  UNIXServer,
  reactor,
  type Failure,
  type IConnector,
  type IListeningPort,
  type IProtocolFactory,
  type IStreamServerEndpoint,
  type StreamAddress,
} from '../../src/index.ts';
import { makeTestPKI } from '../support/certificates.ts';
import { captureLog, type LogCapture } from '../support/log-capture.ts';

let logs: LogCapture;
beforeEach(() => {
  logs = captureLog();
});
afterEach(() => logs.stop());

const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-stream-services-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasOpenSSL = spawnSync('openssl', ['version']).status === 0;

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

/** The port number a TCP service or port listens on. */
function portOf(port: IListeningPort<StreamAddress> | undefined): number {
  const address = port!.getHost();
  if (address.type === 'UNIX') throw new Error('not a TCP port');
  return address.port;
}

/** Sends `text` on a fresh connection to `where` and resolves with what comes back. */
function echoOnce(where: net.NetConnectOpts, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(where, () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.on('error', reject);
  });
}

/** Resolves with the error of a connection attempt to `where` (it must fail). */
function refused(where: net.NetConnectOpts): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(where, () => {
      socket.destroy();
      reject(new Error('connected'));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** A client that says `hello` and records what it hears, and how the connection ended. */
class Greeter extends Protocol {
  heard = '';
  #onLost!: (reason: Failure) => void;
  /** Resolves with the reason once the connection is lost. */
  readonly lost = new Promise<Failure>((r) => (this.#onLost = r));
  override connectionMade(): void {
    this.transport.write(Buffer.from('hello'));
  }
  override dataReceived(data: Buffer): void {
    this.heard += data.toString();
  }
  override connectionLost(reason: Failure): void {
    this.#onLost(reason);
  }
}

class GreeterFactory extends ClientFactory<Greeter> {
  override protocol = Greeter;
  readonly built = new Deferred<Greeter>();
  readonly failed: Failure[] = [];
  override buildProtocol(addr: Parameters<ClientFactory['buildProtocol']>[0]): Greeter | undefined {
    const p = super.buildProtocol(addr) as Greeter;
    this.built.callback(p);
    return p;
  }
  override clientConnectionFailed(_c: IConnector, reason: Failure): void {
    this.failed.push(reason);
  }
}

/** A net.Server on loopback that echoes; resolves with it and its port. */
async function nodeEchoServer(): Promise<{ server: net.Server; port: number; ends: Promise<void> }> {
  let ended!: () => void;
  const ends = new Promise<void>((r) => (ended = r));
  const server = net.createServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => {
      s.end();
      ended();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port, ends };
}

describe('TCPServer (test_internet.TestInternet2.testTCP)', () => {
  test('binds in privilegedStartService, serves while running, stops listening when stopped', async () => {
    const service = new TCPServer(0, Factory.forProtocol(Echo), 50, '127.0.0.1');
    expect(service.port).toBeUndefined();
    service.privilegedStartService();
    const port = service.port!;
    service.startService();
    expect(service.port).toBe(port); // not bound twice
    expect(service.running).toBe(true);
    const address = port.getHost();
    expect(address).toMatchObject({ type: 'TCP', host: '127.0.0.1' });
    expect(await echoOnce({ host: '127.0.0.1', port: address.port }, 'ping')).toBe('ping');
    const stopped = service.stopService()!;
    expect(service.running).toBe(false);
    await stopped;
    expect(service.port).toBeUndefined();
    expect(await refused({ host: '127.0.0.1', port: address.port })).toBe('ECONNREFUSED');
  });

  test('startService alone binds; the options form takes the reactor and listenTCP options', async () => {
    const service = new TCPServer(0, Factory.forProtocol(Echo), { interface: '::1', reactor });
    service.startService();
    const address = service.port!.getHost();
    expect(address).toMatchObject({ type: 'TCP', host: '::1' });
    expect(await echoOnce({ host: '::1', port: address.port }, 'six')).toBe('six');
    await service.stopService();
  });

  test('a port that cannot be bound throws CannotListenError from the start call', async () => {
    const first = new TCPServer(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    first.startService();
    const taken = first.port!.getHost().port;
    const second = new TCPServer(taken, Factory.forProtocol(Echo), 50, '127.0.0.1');
    expect(() => second.privilegedStartService()).toThrow(CannotListenError);
    expect(second.port).toBeUndefined();
    await first.stopService();
  });

  test('bad arguments are the reactor’s typed errors at start; a bad reactor at construction', () => {
    const service = new TCPServer(-1, Factory.forProtocol(Echo));
    expect(() => service.startService()).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new TCPServer(0, Factory.forProtocol(Echo), { reactor: {} as never })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('"reactor"'),
      }),
    );
  });

  test('stopService before starting returns nothing', () => {
    expect(new TCPServer(0, Factory.forProtocol(Echo)).stopService()).toBeUndefined();
  });
});

describe('TCPClient (test_internet.TestInternet2.testTCP, the client half)', () => {
  test('connects when started and disconnects when stopped', async () => {
    const { server, port, ends } = await nodeEchoServer();
    const factory = new GreeterFactory();
    const client = new TCPClient('127.0.0.1', port, factory, 5);
    expect(client.connector).toBeUndefined();
    client.startService();
    expect(client.connector!.getDestination()).toMatchObject({ type: 'TCP', host: '127.0.0.1', port });
    const greeter = await factory.built;
    await new Promise<void>((r) => {
      const poll = (): void => void (greeter.heard === 'hello' ? r() : setTimeout(poll, 5));
      poll();
    });
    expect(client.stopService()).toBeUndefined();
    expect(client.connector).toBeUndefined();
    await ends; // the server saw the connection close
    await greeter.lost;
    server.close();
  });

  test('a refused attempt reaches the factory; stopping afterwards is harmless', async () => {
    const { server, port } = await nodeEchoServer();
    await new Promise<void>((r) => server.close(() => r()));
    const factory = new GreeterFactory();
    const client = new TCPClient('127.0.0.1', port, factory, { timeout: 5, reactor });
    client.startService();
    await new Promise<void>((r) => {
      const poll = (): void => void (factory.failed.length > 0 ? r() : setTimeout(poll, 5));
      poll();
    });
    expect(factory.failed[0].value.message).toMatch(/refused/i);
    client.stopService();
  });
});

describe('UNIXServer and UNIXClient (test_internet.TestInternet2.testUNIX)', () => {
  test('serve on a socket file, connect to it, remove the file when stopped', async () => {
    const path = join(dir, 'echo.sock');
    const server = new UNIXServer(path, Factory.forProtocol(Echo), { mode: 0o600 });
    server.privilegedStartService();
    server.startService();
    expect(server.port!.getHost()).toMatchObject({ type: 'UNIX', name: path });
    expect(existsSync(path)).toBe(true);
    expect(await echoOnce({ path }, 'unix')).toBe('unix');

    const factory = new GreeterFactory();
    const client = new UNIXClient(path, factory, 5);
    client.startService();
    const greeter = await factory.built;
    await new Promise<void>((r) => {
      const poll = (): void => void (greeter.heard === 'hello' ? r() : setTimeout(poll, 5));
      poll();
    });
    client.stopService();
    await greeter.lost;

    await server.stopService();
    expect(existsSync(path)).toBe(false);
  });
});

describe.skipIf(!hasOpenSSL)('SSLServer and SSLClient (test_internet.TestInternet2 over TLS)', () => {
  const pki = hasOpenSSL ? makeTestPKI() : undefined;
  afterAll(() => pki?.remove());

  test('a verified TLS connection between the two services', async () => {
    const issued = pki!.issue('server');
    const serverTLS = new CertificateOptions({ privateKey: issued.key, certificate: issued.cert });
    const server = new SSLServer(0, Factory.forProtocol(Echo), serverTLS, 50, '127.0.0.1');
    server.startService();
    const port = server.port!.getHost().port;

    // A plain node:tls client checks that it is TLS with that certificate.
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: pki!.ca.cert });
    await new Promise<void>((r, reject) => {
      socket.once('secureConnect', r);
      socket.once('error', reject);
    });
    socket.end();

    const factory = new GreeterFactory();
    const client = new SSLClient(
      '127.0.0.1',
      port,
      factory,
      optionsForClientTLS('localhost', { trustRoot: pki!.ca.cert }),
      { timeout: 5 },
    );
    client.startService();
    const greeter = await factory.built;
    await new Promise<void>((r) => {
      const poll = (): void => void (greeter.heard === 'hello' ? r() : setTimeout(poll, 5));
      poll();
    });
    client.stopService();
    await greeter.lost;
    await server.stopService();
    expect(await refused({ host: '127.0.0.1', port })).toBe('ECONNREFUSED');
  });
});

describe('StreamServerEndpointService (test_internet.StreamServerEndpointServiceTests)', () => {
  test('listens on its endpoint in privilegedStartService, once; stopService closes the port', async () => {
    const endpoint = new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' });
    const service = new StreamServerEndpointService(endpoint, Factory.forProtocol(Echo));
    service.privilegedStartService();
    const port = service.port!;
    service.startService();
    expect(service.port).toBe(port);
    const number = portOf(port);
    expect(await echoOnce({ host: '127.0.0.1', port: number }, 'ep')).toBe('ep');
    await service.stopService();
    expect(service.running).toBe(false);
    expect(service.port).toBeUndefined();
    expect(await refused({ host: '127.0.0.1', port: number })).toBe('ECONNREFUSED');
  });

  test('a listen failure is logged, not thrown, unless raiseSynchronously', async () => {
    const first = new TCPServer(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    first.startService();
    const taken = first.port!.getHost().port;
    const busy = new TCP4ServerEndpoint(reactor, taken, { interface: '127.0.0.1' });

    const logged = new StreamServerEndpointService(busy, Factory.forProtocol(Echo));
    logged.startService();
    expect(logged.running).toBe(true);
    expect(logs.errors()).toHaveLength(1);
    expect(logs.errors()[0].failure?.check(CannotListenError)).toBe(CannotListenError);
    await logged.stopService(); // fires, nothing to close
    expect(logged.running).toBe(false);

    const raising = new StreamServerEndpointService(busy, Factory.forProtocol(Echo), {
      raiseSynchronously: true,
    });
    expect(() => raising.startService()).toThrow(CannotListenError);
    expect(raising.running).toBe(false);
    expect(logs.errors()).toHaveLength(1);
    await first.stopService();
  });

  test('stopping while the listen is pending cancels it, without logging the cancellation', async () => {
    let cancelled = false;
    const pending: IStreamServerEndpoint = {
      listen: (_f: IProtocolFactory) =>
        new Deferred<IListeningPort>(() => {
          cancelled = true;
        }),
    };
    const service = new StreamServerEndpointService(pending, Factory.forProtocol(Echo));
    service.startService();
    await service.stopService();
    expect(cancelled).toBe(true);
    expect(logs.errors()).toEqual([]);
  });

  test('a failure arriving later is logged even with raiseSynchronously', () => {
    const later = new Deferred<IListeningPort>();
    const service = new StreamServerEndpointService({ listen: () => later }, Factory.forProtocol(Echo), {
      raiseSynchronously: true,
    });
    service.startService();
    later.errback(new CannotListenError('127.0.0.1', 1, new Error('late')));
    expect(logs.errors()).toHaveLength(1);
    expect(logs.errors()[0].failure?.check(CancelledError)).toBeUndefined();
  });

  test('can be started again after it stopped', async () => {
    const service = strportsService('tcp:0:interface=127.0.0.1', Factory.forProtocol(Echo));
    service.startService();
    await service.stopService();
    service.startService();
    const number = portOf(service.port);
    expect(await echoOnce({ host: '127.0.0.1', port: number }, 'again')).toBe('again');
    await service.stopService();
  });

  test('bad arguments are typed errors naming them', () => {
    expect(() => new StreamServerEndpointService({} as never, Factory.forProtocol(Echo))).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('"endpoint"'),
      }),
    );
    const endpoint = new TCP4ServerEndpoint(reactor, 0);
    expect(() => new StreamServerEndpointService(endpoint, null as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('"factory"'),
      }),
    );
  });
});

describe('strportsService (test_strports.py)', () => {
  test('listens on the description; a busy port throws from the start call', async () => {
    const service = strportsService('tcp:0:interface=127.0.0.1', Factory.forProtocol(Echo));
    expect(service).toBeInstanceOf(StreamServerEndpointService);
    expect(service.raiseSynchronously).toBe(true);
    service.privilegedStartService();
    const number = portOf(service.port);
    expect(await echoOnce({ host: '127.0.0.1', port: number }, 'str')).toBe('str');

    const again = strportsService(`tcp:${number}:interface=127.0.0.1`, Factory.forProtocol(Echo), reactor);
    expect(() => again.privilegedStartService()).toThrow(CannotListenError);
    await service.stopService();
  });

  test('a UNIX description, and a bad one failing at once', async () => {
    const path = join(dir, 'strports.sock');
    const service = strportsService(`unix:${path}:lockfile=0`, Factory.forProtocol(Echo));
    service.startService();
    expect(await echoOnce({ path }, 'u')).toBe('u');
    await service.stopService();
    expect(existsSync(path)).toBe(false);
    expect(() => strportsService('tcp:http', Factory.forProtocol(Echo))).toThrow(/must be a decimal integer/);
  });
});

describe('a service tree of stream services', () => {
  test('an Application starts a server and a client to it, and stops both', async () => {
    const app = new Application('tree');
    const server = new TCPServer(0, Factory.forProtocol(Echo), { interface: '127.0.0.1' });
    server.setServiceParent(app);
    app.privilegedStartService();
    const port = server.port!.getHost().port;
    const factory = new GreeterFactory();
    new TCPClient('127.0.0.1', port, factory).setServiceParent(app);
    app.startService();
    const greeter = await factory.built;
    await new Promise<void>((r) => {
      const poll = (): void => void (greeter.heard === 'hello' ? r() : setTimeout(poll, 5));
      poll();
    });
    await app.stopService();
    await greeter.lost;
    expect(await refused({ host: '127.0.0.1', port })).toBe('ECONNREFUSED');
  });
});
