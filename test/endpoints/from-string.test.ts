/**
 * serverFromString and clientFromString building real endpoints (Twisted's ServerStringTests,
 * ClientStringTests, SSLClientStringTests, WrapClientTLSParserTests, TCP6ServerEndpointPluginTests)
 * and connecting them on loopback, TLS files read from disk, name resolution from a table.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TLSError } from '../../src/errors.ts';
import { EndpointSyntaxError } from '../../src/errors/endpoints.ts';
import { AdoptedStreamServerEndpoint } from '../../src/endpoints/adopted-stream-server-endpoint.ts';
import { clientFromString } from '../../src/endpoints/client-from-string.ts';
import { HostnameEndpoint } from '../../src/endpoints/hostname-endpoint.ts';
import { ListenFDs } from '../../src/endpoints/listen-fds.ts';
import { quoteStringArgument } from '../../src/endpoints/quote-string-argument.ts';
import { serverFromString } from '../../src/endpoints/server-from-string.ts';
import { SSL4ClientEndpoint, SSL4ServerEndpoint } from '../../src/endpoints/ssl-endpoints.ts';
import { TCP4ClientEndpoint } from '../../src/endpoints/tcp-client-endpoint.ts';
import { TCP4ServerEndpoint, TCP6ServerEndpoint } from '../../src/endpoints/tcp-server-endpoint.ts';
import { UNIXClientEndpoint, UNIXServerEndpoint } from '../../src/endpoints/unix-endpoints.ts';
import { TLSWrapperClientEndpoint } from '../../src/endpoints/wrap-client-tls.ts';
import type { IAddress, IHostnameResolver, IListeningPort, StreamAddress } from '../../src/interfaces.ts';
import { Factory } from '../../src/protocols/factory.ts';
import { CertificateOptions } from '../../src/transports/tls/certificate-options.ts';
import { ClientTLSOptions } from '../../src/transports/tls/client-tls-options.ts';
import { IPv4Address } from '../../src/transports/address.ts';
import { makeTestPKI, type Issued, type TestPKI } from '../support/certificates.ts';
import { Recording, ServerRecorder, cleanup, newReactor } from '../transports/tcp/helpers.ts';

let pki: TestPKI;
let server: Issued;
let cas: string;
let combined: string;
beforeAll(() => {
  pki = makeTestPKI();
  server = pki.issue('server');
  cas = join(pki.dir, 'cas');
  mkdirSync(cas);
  copyFileSync(pki.ca.certPath, join(cas, 'ca.pem'));
  writeFileSync(join(cas, 'junk.pem'), 'not a certificate');
  writeFileSync(join(cas, 'ignored.txt'), 'not even .pem');
  combined = join(pki.dir, 'server.pem');
  writeFileSync(combined, server.cert + server.key);
});
afterAll(() => pki.remove());
afterEach(cleanup);

class Greeter extends Recording {
  override connectionMade(): void {
    super.connectionMade();
    this.transport.write(Buffer.from('hi'));
  }
}

const q = quoteStringArgument;
const portOf = (p: IListeningPort<StreamAddress>) => (p.getHost() as IAddress).port;

function resolverFor(table: Record<string, string[]>): IHostnameResolver {
  return {
    resolveHostName(receiver, name, port = 0) {
      receiver.resolutionBegan({ name, cancel() {} });
      for (const host of table[name] ?? []) receiver.addressResolved(new IPv4Address('TCP', host, port));
      receiver.resolutionComplete();
      return receiver;
    },
  };
}

describe('serverFromString builds the endpoint the description says', () => {
  it('test_tcp: a TCP4ServerEndpoint with the values', () => {
    const reactor = newReactor();
    const e = serverFromString(reactor, 'tcp:1234:backlog=12:interface=10.0.0.1') as TCP4ServerEndpoint;
    expect(e).toBeInstanceOf(TCP4ServerEndpoint);
    expect([e.reactor, e.port, e.backlog, e.interface]).toEqual([reactor, 1234, 12, '10.0.0.1']);
  });

  it('test_stringDescription (tcp6) and bytes descriptions', () => {
    const e = serverFromString(
      newReactor(),
      Buffer.from('tcp6:8080:backlog=12:interface=\\:\\:1'),
    ) as TCP6ServerEndpoint;
    expect(e).toBeInstanceOf(TCP6ServerEndpoint);
    expect([e.port, e.backlog, e.interface]).toEqual([8080, 12, '::1']);
  });

  it('test_unix', () => {
    const e = serverFromString(
      newReactor(),
      'unix:/var/foo/bar:backlog=7:mode=0123:lockfile=1',
    ) as UNIXServerEndpoint;
    expect(e).toBeInstanceOf(UNIXServerEndpoint);
    expect([e.address, e.backlog, e.mode, e.wantPID]).toEqual(['/var/foo/bar', 7, 0o123, true]);
  });

  it('test_ssl / test_sslWithDefaults: the files are read into CertificateOptions', () => {
    const e = serverFromString(
      newReactor(),
      `ssl:1234:backlog=12:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}:interface=10.0.0.1`,
    ) as SSL4ServerEndpoint;
    expect(e).toBeInstanceOf(SSL4ServerEndpoint);
    expect(e.sslContextFactory).toBeInstanceOf(CertificateOptions);
    expect([e.port, e.backlog, e.interface]).toEqual([1234, 12, '10.0.0.1']);
    const withDefaults = serverFromString(
      newReactor(),
      `ssl:4321:privateKey=${q(combined)}`,
    ) as SSL4ServerEndpoint;
    expect((withDefaults.sslContextFactory as CertificateOptions).certificate!.subject).toBe('CN=localhost');
  });

  it('test_sslChainLoads and test_sslChainFileMustContainCert', () => {
    const chain = join(pki.dir, 'chain.pem');
    writeFileSync(chain, pki.ca.cert);
    const e = serverFromString(
      newReactor(),
      `ssl:1234:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}:extraCertChain=${q(chain)}`,
    ) as SSL4ServerEndpoint;
    expect((e.sslContextFactory as CertificateOptions).extraCertChain).toHaveLength(1);
    const empty = join(pki.dir, 'empty.pem');
    writeFileSync(empty, '');
    expect(() =>
      serverFromString(
        newReactor(),
        `ssl:1234:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}:extraCertChain=${q(empty)}`,
      ),
    ).toThrow(`Specified chain file '${empty}' doesn't contain any valid certificates in PEM format.`);
  });

  it('an ssl: file that cannot be read is a TypeError naming the part', () => {
    expect(() => serverFromString(newReactor(), 'ssl:443:privateKey=/nonexistent.pem')).toThrow(
      /"ssl:privateKey" is invalid. Cannot read "\/nonexistent.pem": ENOENT/,
    );
  });

  it('systemd: an AdoptedStreamServerEndpoint on the inherited descriptor', () => {
    const e = serverFromString(newReactor(), 'systemd:domain=INET6:index=1', {
      listenFDs: new ListenFDs([3, 4]),
    }) as AdoptedStreamServerEndpoint;
    expect(e).toBeInstanceOf(AdoptedStreamServerEndpoint);
    expect([e.fileno, e.addressFamily]).toEqual([4, 'INET6']);
  });

  it('test_unknownType: Unknown endpoint type, as an EndpointSyntaxError', () => {
    expect(() => serverFromString(newReactor(), 'ftl:andromeda/carcosa/hali/2387')).toThrow(
      EndpointSyntaxError,
    );
    expect(() => serverFromString(newReactor(), 5 as never)).toThrow(
      /"description" argument must be of type string/,
    );
  });
});

describe('clientFromString builds the endpoint the description says', () => {
  it('test_tcp', () => {
    const reactor = newReactor();
    const e = clientFromString(
      reactor,
      'tcp:host=example.com:port=1234:timeout=7:bindAddress=10.0.0.2',
    ) as TCP4ClientEndpoint;
    expect(e).toBeInstanceOf(TCP4ClientEndpoint);
    expect([e.reactor, e.host, e.port, e.timeout, e.bindAddress]).toEqual([
      reactor,
      'example.com',
      1234,
      7,
      ['10.0.0.2', 0],
    ]);
  });

  it('test_unix', () => {
    const e = clientFromString(
      newReactor(),
      'unix:path=/var/foo/bar:lockfile=1:timeout=9',
    ) as UNIXClientEndpoint;
    expect([e.path, e.timeout, e.checkPID]).toEqual(['/var/foo/bar', 9, true]);
  });

  it('test_ssl: an SSL4ClientEndpoint whose options trust the CA directory', () => {
    const e = clientFromString(
      newReactor(),
      `ssl:host=example.net:port=4321:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}:bindAddress=10.0.0.3:timeout=3:caCertsDir=${q(cas)}`,
    ) as SSL4ClientEndpoint;
    expect(e).toBeInstanceOf(SSL4ClientEndpoint);
    expect([e.host, e.port, e.timeout, e.bindAddress]).toEqual(['example.net', 4321, 3, ['10.0.0.3', 0]]);
    const options = e.sslContextFactory as CertificateOptions;
    expect(options.verify).toBe(true);
    expect(options.trustRoot!.certificates).toHaveLength(1); // junk.pem and ignored.txt skipped
  });

  it('test_sslSimple: without anything, an SSL client that verifies nothing', () => {
    const e = clientFromString(newReactor(), 'ssl:host=simple.example.org:port=4321') as SSL4ClientEndpoint;
    expect((e.sslContextFactory as CertificateOptions).verify).toBe(false);
  });

  it('test_hostnameEndpointConstruction / test_tlsWithDefaults: tls: wraps a HostnameEndpoint', () => {
    const reactor = newReactor();
    const e = clientFromString(
      reactor,
      'tls:example.com:443:timeout=10:bindAddress=127.0.0.1',
    ) as TLSWrapperClientEndpoint;
    expect(e).toBeInstanceOf(TLSWrapperClientEndpoint);
    const inner = e.wrappedEndpoint as HostnameEndpoint;
    expect(inner).toBeInstanceOf(HostnameEndpoint);
    expect([inner.reactor, inner.host, inner.port, inner.timeout, inner.bindAddress]).toEqual([
      reactor,
      'example.com',
      443,
      10,
      ['127.0.0.1', 0],
    ]);
    expect((e.connectionCreator as ClientTLSOptions).hostname).toBe('example.com');
  });

  it('test_utf8Encoding: the name is checked as given, resolved in IDNA', () => {
    const e = clientFromString(
      newReactor(),
      Buffer.from('tls:\u00e9xample.example.com:443'),
    ) as TLSWrapperClientEndpoint;
    expect((e.wrappedEndpoint as HostnameEndpoint).asciiHost).toBe('xn--xample-9ua.example.com');
    expect((e.connectionCreator as ClientTLSOptions).hostname).toBe('\u00e9xample.example.com');
  });
});

describe('endpoints from strings, connected', () => {
  it('tcp: server and client', async () => {
    const reactor = newReactor();
    const port = await serverFromString(reactor, 'tcp:0:interface=127.0.0.1').listen(
      new ServerRecorder(() => new Greeter()),
    );
    const p = (await clientFromString(reactor, `tcp:127.0.0.1:${portOf(port)}`).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await p.bytes(2)).toString()).toBe('hi');
  });

  it('unix: server and client, the path quoted', async () => {
    const reactor = newReactor();
    const path = join(pki.dir, 'a:b.sock');
    await serverFromString(reactor, `unix:${q(path)}:lockfile=0`).listen(
      new ServerRecorder(() => new Greeter()),
    );
    const p = (await clientFromString(reactor, `unix:path=${q(path)}`).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await p.bytes(2)).toString()).toBe('hi');
  });

  it('test_tls: ssl: server, tls: client trusting a CA directory, the name resolved from a table', async () => {
    const reactor = newReactor();
    reactor.installNameResolver(resolverFor({ localhost: ['127.0.0.1'] }));
    const port = await serverFromString(
      reactor,
      `ssl:0:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}:interface=127.0.0.1`,
    ).listen(new ServerRecorder(() => new Greeter()));
    const p = (await clientFromString(reactor, `tls:localhost:${portOf(port)}:trustRoots=${q(cas)}`).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await p.bytes(2)).toString()).toBe('hi');
  });

  it('tls: with endpoint= wraps another description', async () => {
    const reactor = newReactor();
    const port = await serverFromString(
      reactor,
      `ssl:0:privateKey=${q(combined)}:interface=127.0.0.1`,
    ).listen(new ServerRecorder(() => new Greeter()));
    const inner = q(`tcp:127.0.0.1:${portOf(port)}`);
    const p = (await clientFromString(
      reactor,
      `tls:localhost:${portOf(port)}:trustRoots=${q(cas)}:endpoint=${inner}`,
    ).connect(Factory.forProtocol(Recording))) as Recording;
    expect((await p.bytes(2)).toString()).toBe('hi');
  });

  it('tls: without the right trust roots the connection fails with a TLSError', async () => {
    const reactor = newReactor();
    reactor.installNameResolver(resolverFor({ localhost: ['127.0.0.1'] }));
    const port = await serverFromString(
      reactor,
      `ssl:0:privateKey=${q(combined)}:interface=127.0.0.1`,
    ).listen(new ServerRecorder(() => new Greeter()));
    // The platform's authorities do not know the test CA.
    const p = (await clientFromString(reactor, `tls:localhost:${portOf(port)}`).connect(
      Factory.forProtocol(Recording),
    )) as Recording;
    expect((await p.lost.promise).value).toBeInstanceOf(TLSError);
    expect(p.received.length).toBe(0);
  });

  it('ssl: client with hostname verifies the name', async () => {
    const reactor = newReactor();
    const port = await serverFromString(
      reactor,
      `ssl:0:privateKey=${q(combined)}:interface=127.0.0.1`,
    ).listen(new ServerRecorder(() => new Greeter()));
    const good = (await clientFromString(
      reactor,
      `ssl:127.0.0.1:${portOf(port)}:caCertsDir=${q(cas)}:hostname=localhost`,
    ).connect(Factory.forProtocol(Recording))) as Recording;
    expect((await good.bytes(2)).toString()).toBe('hi');
    const bad = (await clientFromString(
      reactor,
      `ssl:127.0.0.1:${portOf(port)}:caCertsDir=${q(cas)}:hostname=other.example`,
    ).connect(Factory.forProtocol(Recording))) as Recording;
    expect(((await bad.lost.promise).value as TLSError).osError?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
