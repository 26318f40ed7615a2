/**
 * The endpoint classes on real loopback sockets (Twisted's test_endpoints.py
 * TCPEndpointsTestCase, UNIXEndpointsTestCase, SSLClientEndpointsTestCase, ConnectProtocolTests,
 * WrapClientTLSTests): listen and connect, the Deferreds' results and failures, cancellation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CannotListenError, ConnectionRefusedError, TLSError } from '../../src/errors.ts';
import { ConnectingCancelledError, NoProtocol } from '../../src/errors/endpoints.ts';
import { connectProtocol } from '../../src/endpoints/connect-protocol.ts';
import { SSL4ClientEndpoint, SSL4ServerEndpoint } from '../../src/endpoints/ssl-endpoints.ts';
import { TCP4ClientEndpoint, TCP6ClientEndpoint } from '../../src/endpoints/tcp-client-endpoint.ts';
import { TCP4ServerEndpoint, TCP6ServerEndpoint } from '../../src/endpoints/tcp-server-endpoint.ts';
import { UNIXClientEndpoint, UNIXServerEndpoint } from '../../src/endpoints/unix-endpoints.ts';
import { wrapClientTLS } from '../../src/endpoints/wrap-client-tls.ts';
import type { IListeningPort, IProtocol, StreamAddress } from '../../src/interfaces.ts';
import { Factory } from '../../src/protocols/factory.ts';
import { Protocol } from '../../src/protocols/protocol.ts';
import { CertificateOptions } from '../../src/transports/tls/certificate-options.ts';
import { optionsForClientTLS } from '../../src/transports/tls/client-tls-options.ts';
import { makeTestPKI, type Issued, type TestPKI } from '../support/certificates.ts';
import { Recording, ServerRecorder, cleanup, newReactor } from '../transports/tcp/helpers.ts';

let pki: TestPKI;
let server: Issued;
let dir: string;
beforeAll(() => {
  pki = makeTestPKI();
  server = pki.issue('server');
  dir = mkdtempSync(join(tmpdir(), 'twisted-ts-endpoints-'));
});
afterAll(() => {
  pki.remove();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(cleanup);

class Greeter extends Recording {
  override connectionMade(): void {
    super.connectionMade();
    this.transport.write(Buffer.from('hi'));
  }
}

const port = (p: IListeningPort<StreamAddress>) => (p.getHost() as { port: number }).port;

describe('TCP endpoints', () => {
  it('TCP4ServerEndpoint listens, TCP4ClientEndpoint connects and fires with the protocol after connectionMade', async () => {
    const reactor = newReactor();
    const servers = new ServerRecorder(() => new Greeter());
    const listening = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(servers);
    const client = (await new TCP4ClientEndpoint(reactor, '127.0.0.1', port(listening)).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect(client).toBeInstanceOf(Recording);
    expect(client.events).toEqual(['made']);
    expect((await client.bytes(2)).toString()).toBe('hi');
    expect((await servers.nth(0)).made.called).toBe(true);
  });

  it('positional arguments, as in Twisted', () => {
    const reactor = newReactor();
    const e = new TCP4ServerEndpoint(reactor, 8080, 12, '127.0.0.1');
    expect([e.port, e.backlog, e.interface]).toEqual([8080, 12, '127.0.0.1']);
    const c = new TCP4ClientEndpoint(reactor, 'example.com', 80, 7, ['127.0.0.1', 0]);
    expect([c.host, c.port, c.timeout, c.bindAddress]).toEqual(['example.com', 80, 7, ['127.0.0.1', 0]]);
    expect(new TCP6ServerEndpoint(reactor, 1).interface).toBe('::');
    expect(String(new TCP6ServerEndpoint(reactor, 1))).toBe('<TCP6ServerEndpoint [::]:1>');
  });

  it('IPv6: TCP6ServerEndpoint on ::1 and TCP6ClientEndpoint', async () => {
    const reactor = newReactor();
    const listening = await new TCP6ServerEndpoint(reactor, 0, { interface: '::1' }).listen(
      new ServerRecorder(() => new Greeter()),
    );
    const client = (await new TCP6ClientEndpoint(reactor, '::1', port(listening)).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await client.bytes(2)).toString()).toBe('hi');
  });

  it('TCP6ClientEndpoint resolves a name to its IPv6 address through the name resolver', async () => {
    const reactor = newReactor();
    reactor.installNameResolver({
      resolveHostName(receiver, name, portNumber = 0, types) {
        receiver.resolutionBegan({ name, cancel() {} });
        if (types?.includes('IPv6'))
          receiver.addressResolved({ type: 'TCP', host: '::1', port: portNumber, equals: () => false });
        receiver.resolutionComplete();
        return receiver;
      },
    });
    const listening = await new TCP6ServerEndpoint(reactor, 0, { interface: '::1' }).listen(
      new ServerRecorder(() => new Greeter()),
    );
    const client = (await new TCP6ClientEndpoint(reactor, 'six.test', port(listening)).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await client.bytes(2)).toString()).toBe('hi');
  });

  it('a listen failure fails the Deferred with CannotListenError', async () => {
    const reactor = newReactor();
    const first = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      Factory.forProtocol(Protocol),
    );
    await expect(
      new TCP4ServerEndpoint(reactor, port(first), { interface: '127.0.0.1' })
        .listen(Factory.forProtocol(Protocol))
        .asPromise(),
    ).rejects.toBeInstanceOf(CannotListenError);
  });

  it('a refused connection fails the Deferred with ConnectionRefusedError', async () => {
    const reactor = newReactor();
    const free = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      Factory.forProtocol(Protocol),
    );
    const p = port(free);
    await free.stopListening().asPromise();
    await expect(
      new TCP4ClientEndpoint(reactor, '127.0.0.1', p).connect(Factory.forProtocol(Protocol)).asPromise(),
    ).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it('a factory that builds nothing fails the Deferred with NoProtocol (Twisted test_connectProtocolNoProtocol)', async () => {
    const reactor = newReactor();
    const listening = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      Factory.forProtocol(Protocol),
    );
    const refusing = new (class extends Factory {
      override buildProtocol(): undefined {
        return undefined;
      }
    })();
    await expect(
      new TCP4ClientEndpoint(reactor, '127.0.0.1', port(listening)).connect(refusing).asPromise(),
    ).rejects.toBeInstanceOf(NoProtocol);
  });

  it('cancelling a connect fails it with ConnectingCancelledError naming the destination', async () => {
    const reactor = newReactor();
    const endpoint = new TCP4ClientEndpoint(reactor, '127.0.0.1', 9);
    const d = endpoint.connect(Factory.forProtocol(Protocol));
    d.cancel();
    const error = await d.asPromise().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectingCancelledError);
    expect(String((error as ConnectingCancelledError).address)).toContain('127.0.0.1');
  });

  it('bad arguments are refused when the endpoint is made, naming them', () => {
    const reactor = newReactor();
    expect(() => new TCP4ServerEndpoint(reactor, 70000)).toThrow(/"port" is out of range/);
    expect(() => new TCP4ServerEndpoint(reactor, 0, { interface: 'localhost' })).toThrow(/"interface"/);
    expect(() => new TCP4ServerEndpoint(reactor, 0, { nope: 1 } as never)).toThrow(
      /"nope" is not one of them/,
    );
    expect(() => new TCP4ClientEndpoint(reactor, '', 1)).toThrow(/"host"/);
    expect(() => new TCP4ClientEndpoint(reactor, 'h', 0)).toThrow(/"port" is out of range/);
    expect(() => new TCP4ClientEndpoint({} as never, 'h', 1)).toThrow(
      /"reactor" argument must be a reactor with connectTCP/,
    );
  });
});

describe('UNIX endpoints', () => {
  it('listen on a path, connect to it', async () => {
    const reactor = newReactor();
    const path = join(dir, 'echo.sock');
    const listening = await new UNIXServerEndpoint(reactor, path, { mode: 0o600 }).listen(
      new ServerRecorder(() => new Greeter()),
    );
    expect(listening.getHost().toString()).toContain(path);
    const client = (await new UNIXClientEndpoint(reactor, path, { timeout: 5 }).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await client.bytes(2)).toString()).toBe('hi');
  });
});

describe('SSL endpoints', () => {
  /** A reactor, and an SSL4ServerEndpoint on it greeting each client with `hi`. */
  async function greeterOverTLS(): Promise<{
    reactor: ReturnType<typeof newReactor>;
    listening: IListeningPort<StreamAddress>;
  }> {
    const reactor = newReactor();
    const serverOptions = new CertificateOptions({ privateKey: server.key, certificate: server.cert });
    const listening = await new SSL4ServerEndpoint(reactor, 0, serverOptions, {
      interface: '127.0.0.1',
    }).listen(new ServerRecorder(() => new Greeter()));
    return { reactor, listening };
  }

  it('SSL4ServerEndpoint and SSL4ClientEndpoint with optionsForClientTLS', async () => {
    const { reactor, listening } = await greeterOverTLS();
    const endpoint = new SSL4ClientEndpoint(
      reactor,
      '127.0.0.1',
      port(listening),
      optionsForClientTLS('localhost', { trustRoot: pki.ca.cert }),
    );
    const client = (await endpoint.connect(Factory.forProtocol(Recording))) as Recording;
    expect((await client.bytes(2)).toString()).toBe('hi');
  });

  it('wrapClientTLS starts TLS over a TCP endpoint, and fires with the protocol (Twisted WrapClientTLSTests)', async () => {
    const { reactor, listening } = await greeterOverTLS();
    const tls = wrapClientTLS(
      optionsForClientTLS('localhost', { trustRoot: pki.ca.cert }),
      new TCP4ClientEndpoint(reactor, '127.0.0.1', port(listening)),
    );
    const client = (await tls.connect(Factory.forProtocol(Recording))) as Recording;
    expect(client).toBeInstanceOf(Recording);
    expect((await client.bytes(2)).toString()).toBe('hi');
  });

  it('wrapClientTLS with the wrong name: the protocol loses the connection with a TLSError', async () => {
    const { reactor, listening } = await greeterOverTLS();
    const tls = wrapClientTLS(
      optionsForClientTLS('wrong.example', { trustRoot: pki.ca.cert }),
      new TCP4ClientEndpoint(reactor, '127.0.0.1', port(listening)),
    );
    const client = (await tls.connect(Factory.forProtocol(Recording))) as Recording;
    const reason = await client.lost.promise;
    expect(reason.value).toBeInstanceOf(TLSError);
    expect(client.received.length).toBe(0);
  });
});

describe('connectProtocol (Twisted ConnectProtocolTests)', () => {
  it('connects the given instance and fires with it', async () => {
    const reactor = newReactor();
    const listening = await new TCP4ServerEndpoint(reactor, 0, { interface: '127.0.0.1' }).listen(
      new ServerRecorder(() => new Greeter()),
    );
    const mine = new Recording();
    const result: IProtocol = await connectProtocol(
      new TCP4ClientEndpoint(reactor, '127.0.0.1', port(listening)),
      mine,
    );
    expect(result).toBe(mine);
    expect((await mine.bytes(2)).toString()).toBe('hi');
  });

  it('returns what the endpoint returns', () => {
    const sentinel = { marker: true };
    const endpoint = { connect: () => sentinel as never };
    expect(connectProtocol(endpoint, new Protocol())).toBe(sentinel);
    expect(() => connectProtocol({} as never, new Protocol())).toThrow(/"endpoint"/);
  });
});
