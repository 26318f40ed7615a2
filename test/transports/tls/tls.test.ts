/**
 * TLS over real loopback connections: listenSSL/connectSSL with certificates made at test time,
 * the failures (expired, self-signed, wrong name, a missing or bad client certificate) reaching
 * the protocol and the factory as TLSError with Node's code and no application data crossing,
 * STARTTLS on a live connection, and a stalled handshake timed out by TimeoutMixin.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionDone, TLSError } from '../../../src/errors.ts';
import type { Failure } from '../../../src/failure.ts';
import { LineReceiver } from '../../../src/protocols/basic/line-receiver.ts';
import { TimeoutMixin } from '../../../src/protocols/policies/timeout-mixin.ts';
import { Certificate } from '../../../src/transports/tls/certificate.ts';
import { CertificateOptions } from '../../../src/transports/tls/certificate-options.ts';
import { optionsForClientTLS } from '../../../src/transports/tls/client-tls-options.ts';
import {
  ClientContextFactory,
  DefaultOpenSSLContextFactory,
} from '../../../src/transports/tls/context-factories.ts';
import { PrivateCertificate } from '../../../src/transports/tls/private-certificate.ts';
import type { Connection } from '../../../src/transports/tcp/connection.ts';
import { makeTestPKI, type Issued, type TestPKI } from '../../support/certificates.ts';
import { ClientRecorder, Recording, ServerRecorder, cleanup, newReactor, until } from '../tcp/helpers.ts';

let pki: TestPKI;
let server: Issued;
let client: Issued;
beforeAll(() => {
  pki = makeTestPKI();
  server = pki.issue('server');
  client = pki.issue('client', { commonName: 'alice', altNames: [], client: true });
});
afterAll(() => pki.remove());
afterEach(cleanup);

/** A protocol that says something as soon as it is connected. */
class Talker extends Recording {
  override connectionMade(): void {
    super.connectionMade();
    this.transport.write(
      Buffer.from(`hello from ${this.factory instanceof ClientRecorder ? 'client' : 'server'}`),
    );
  }
}

const tlsCode = (reason: Failure | undefined): string | undefined => {
  const value = reason?.value;
  return value instanceof TLSError
    ? (value.osError as { code?: string } | undefined)?.code
    : `not a TLSError: ${String(value)}`;
};

async function pair(
  serverOptions: CertificateOptions | DefaultOpenSSLContextFactory,
  clientOptions: Parameters<ReturnType<typeof newReactor>['connectSSL']>[3],
) {
  const reactor = newReactor();
  const serverFactory = new ServerRecorder(() => new Talker());
  const port = reactor.listenSSL(0, serverFactory, serverOptions, { interface: '127.0.0.1' });
  const clientFactory = new ClientRecorder(() => new Talker());
  reactor.connectSSL('127.0.0.1', port.getHost().port, clientFactory, clientOptions);
  const s = await serverFactory.nth(0);
  await until(() => clientFactory.built.length > 0 || clientFactory.failed.called, 'the client');
  return { reactor, s, c: clientFactory.built[0], serverFactory, clientFactory, port };
}

const serverCert = () => new CertificateOptions({ privateKey: server.key, certificate: server.cert });

describe('listenSSL and connectSSL', () => {
  it('carry data both ways once the server is verified, and show each side the certificates', async () => {
    const { s, c } = await pair(
      serverCert(),
      optionsForClientTLS('localhost', { trustRoot: Certificate.loadPEM(pki.ca.cert) }),
    );
    expect((await c.bytes(17)).toString()).toBe('hello from server');
    expect((await s.bytes(17)).toString()).toBe('hello from client');
    const peer = (c.transport as unknown as Connection).getPeerCertificate()!;
    expect(peer.getSubject().commonName).toBe('localhost');
    expect(Certificate.peerFromTransport(c.transport).equals(peer)).toBe(true);
    expect((s.transport as unknown as Connection).getHostCertificate()!.equals(peer)).toBe(true);
    expect((s.transport as unknown as Connection).getPeerCertificate()).toBeUndefined();
    c.transport.loseConnection();
    expect((await s.lost.promise).value).toBeInstanceOf(ConnectionDone);
  });

  it('optionsForClientTLS checks an IP address against the IP entries of the certificate', async () => {
    const { c } = await pair(serverCert(), optionsForClientTLS('127.0.0.1', { trustRoot: pki.ca.cert }));
    expect((await c.bytes(17)).toString()).toBe('hello from server');
  });

  it('DefaultOpenSSLContextFactory serves the key and certificate files', async () => {
    const { c } = await pair(
      new DefaultOpenSSLContextFactory(server.keyPath, server.certPath),
      optionsForClientTLS('localhost', { trustRoot: pki.ca.cert }),
    );
    expect((await c.bytes(17)).toString()).toBe('hello from server');
  });

  it('ClientContextFactory verifies nothing: a self-signed server is accepted', async () => {
    const self = pki.issue('self-any', { selfSigned: true });
    const { c } = await pair(
      new CertificateOptions({ privateKey: self.key, certificate: self.cert }),
      new ClientContextFactory(),
    );
    expect((await c.bytes(17)).toString()).toBe('hello from server');
  });

  it.each([
    [
      'an expired certificate',
      () => pki.issue('expired', { notBefore: '20200101000000Z', notAfter: '20200102000000Z' }),
      'localhost',
      'CERT_HAS_EXPIRED',
    ],
    [
      'a self-signed certificate',
      () => pki.issue('self', { selfSigned: true }),
      'localhost',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    ],
    ['a certificate for another name', () => server, 'wrong.example', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ])(
    "%s fails with a TLSError carrying Node's code, to the protocol and the factory, and no data crosses",
    async (_what, make, name, code) => {
      const cert = make();
      const { s, c, clientFactory } = await pair(
        new CertificateOptions({ privateKey: cert.key, certificate: cert.cert }),
        optionsForClientTLS(name, { trustRoot: pki.ca.cert }),
      );
      expect(c.events[0]).toBe('made'); // connectionMade first, as in Twisted
      const reason = await c.lost.promise;
      expect(tlsCode(reason)).toBe(code);
      expect(reason.value.message).toContain(code);
      expect(tlsCode(await clientFactory.lostConnection.promise)).toBe(code);
      await s.lost.promise;
      expect(c.received.length).toBe(0);
      expect(s.received.length).toBe(0);
    },
  );

  describe('client certificates', () => {
    const requiring = () =>
      new CertificateOptions({ privateKey: server.key, certificate: server.cert, trustRoot: pki.ca.cert });

    it('a client with a certificate from the trusted authority is served, and the server sees who it is', async () => {
      const alice = PrivateCertificate.loadPEM(client.cert + client.key);
      const { s, c } = await pair(
        requiring(),
        optionsForClientTLS('localhost', { trustRoot: pki.ca.cert, clientCertificate: alice }),
      );
      expect((await s.bytes(17)).toString()).toBe('hello from client');
      expect((await c.bytes(17)).toString()).toBe('hello from server');
      expect((s.transport as unknown as Connection).getPeerCertificate()!.getSubject().commonName).toBe(
        'alice',
      );
    });

    it('a client without one is refused: the server sees a TLSError, and no data crosses', async () => {
      const { s, c } = await pair(requiring(), optionsForClientTLS('localhost', { trustRoot: pki.ca.cert }));
      const reason = await s.lost.promise;
      expect(reason.value).toBeInstanceOf(TLSError);
      await c.lost.promise;
      expect(s.received.length).toBe(0);
      expect(c.received.length).toBe(0);
    });

    it('a client with a self-signed one is refused with the verification code, and no data crosses', async () => {
      const mallory = pki.issue('mallory', {
        selfSigned: true,
        commonName: 'mallory',
        altNames: [],
        client: true,
      });
      const { s, c } = await pair(
        requiring(),
        optionsForClientTLS('localhost', {
          trustRoot: pki.ca.cert,
          clientCertificate: PrivateCertificate.loadPEM(mallory.cert + mallory.key),
        }),
      );
      expect(tlsCode(await s.lost.promise)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      await c.lost.promise;
      expect(s.received.length).toBe(0);
      expect(c.received.length).toBe(0);
    });

    it('verify without requireCertificate lets a client without a certificate in, but not one with a bad certificate', async () => {
      const optional = () =>
        new CertificateOptions({
          privateKey: server.key,
          certificate: server.cert,
          verify: true,
          caCerts: [pki.ca.cert],
          requireCertificate: false,
        });
      const anonymous = await pair(optional(), optionsForClientTLS('localhost', { trustRoot: pki.ca.cert }));
      expect((await anonymous.s.bytes(17)).toString()).toBe('hello from client');
      const mallory = pki.issue('mallory2', {
        selfSigned: true,
        commonName: 'mallory',
        altNames: [],
        client: true,
      });
      const bad = await pair(
        optional(),
        optionsForClientTLS('localhost', {
          trustRoot: pki.ca.cert,
          clientCertificate: PrivateCertificate.loadPEM(mallory.cert + mallory.key),
        }),
      );
      expect(tlsCode(await bad.s.lost.promise)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(bad.s.received.length).toBe(0);
    });
  });

  it('a client that is not TLS at all fails the server side with a TLSError', async () => {
    const reactor = newReactor();
    const serverFactory = new ServerRecorder(() => new Talker());
    const port = reactor.listenSSL(0, serverFactory, serverCert(), { interface: '127.0.0.1' });
    const raw = net.connect(port.getHost().port, '127.0.0.1');
    raw.on('error', () => {});
    raw.write('GET / HTTP/1.0\r\n\r\n');
    const s = await serverFactory.nth(0);
    expect(tlsCode(await s.lost.promise)).toMatch(/^ERR_SSL_/);
    expect(s.received.length).toBe(0);
    raw.destroy();
  });

  it('a bad context factory is refused at once, naming it', () => {
    const reactor = newReactor();
    expect(() => reactor.listenSSL(0, new ServerRecorder(() => new Talker()), {} as never)).toThrow(
      /"contextFactory"/,
    );
    expect(() =>
      reactor.connectSSL('127.0.0.1', 1, new ClientRecorder(() => new Talker()), null as never),
    ).toThrow(/"contextFactory"/);
    expect(reactor.getListeningPorts().length).toBe(0);
  });
});

describe('startTLS (STARTTLS on a live connection)', () => {
  /** The server answers STARTTLS with OK and switches; then echoes lines with a prefix. */
  class StartTLSServer extends LineReceiver {
    lines: string[] = [];
    lost: Failure | undefined;
    override lineReceived(line: Buffer): void {
      const text = line.toString();
      this.lines.push(text);
      if (text === 'STARTTLS') {
        this.sendLine('OK');
        (this.transport as unknown as Connection).startTLS(serverCert());
      } else {
        this.sendLine(`echo ${text}`);
      }
    }
    override connectionLost(reason: Failure): void {
      this.lost = reason;
    }
  }
  class StartTLSClient extends LineReceiver {
    lines: string[] = [];
    override connectionMade(): void {
      this.sendLine('plain');
      this.sendLine('STARTTLS');
    }
    override lineReceived(line: Buffer): void {
      const text = line.toString();
      this.lines.push(text);
      if (text === 'OK') {
        (this.transport as unknown as Connection).startTLS(
          optionsForClientTLS('localhost', { trustRoot: pki.ca.cert }),
        );
        this.sendLine('secret');
      }
    }
  }

  it('what was written before goes in the clear, what is written after encrypted, and both sides see TLS', async () => {
    const reactor = newReactor();
    const serverFactory = new ServerRecorder(() => new StartTLSServer());
    const port = reactor.listenTCP(0, serverFactory, { interface: '127.0.0.1' });
    const clientFactory = new ClientRecorder(() => new StartTLSClient());
    reactor.connectTCP('127.0.0.1', port.getHost().port, clientFactory);
    const s = await serverFactory.nth(0);
    await until(() => clientFactory.built.length > 0, 'the client');
    const c = clientFactory.built[0];
    await until(() => c.lines.includes('echo secret'), 'the encrypted echo');
    expect(s.lines).toEqual(['plain', 'STARTTLS', 'secret']);
    expect(c.lines).toEqual(['echo plain', 'OK', 'echo secret']);
    expect((c.transport as unknown as Connection).getPeerCertificate()!.getSubject().commonName).toBe(
      'localhost',
    );
    expect(() => (c.transport as unknown as Connection).startTLS(new ClientContextFactory())).toThrow(
      TLSError,
    );
  });

  it('a failed STARTTLS handshake reaches the protocol as a TLSError', async () => {
    const reactor = newReactor();
    const serverFactory = new ServerRecorder(() => new StartTLSServer());
    const port = reactor.listenTCP(0, serverFactory, { interface: '127.0.0.1' });
    class Distrustful extends StartTLSClient {
      reason: Failure | undefined;
      override lineReceived(line: Buffer): void {
        if (line.toString() === 'OK') {
          (this.transport as unknown as Connection).startTLS(
            optionsForClientTLS('other.example', { trustRoot: pki.ca.cert }),
          );
          this.sendLine('secret');
        }
      }
      override connectionLost(reason: Failure): void {
        this.reason = reason;
      }
    }
    const clientFactory = new ClientRecorder(() => new Distrustful());
    reactor.connectTCP('127.0.0.1', port.getHost().port, clientFactory);
    const s = await serverFactory.nth(0);
    await until(
      () => clientFactory.built.length > 0 && (clientFactory.built[0] as Distrustful).reason !== undefined,
      'the client to fail',
    );
    expect(tlsCode((clientFactory.built[0] as Distrustful).reason)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await until(() => s.lost !== undefined, 'the server to lose the connection');
    expect(s.lines).toEqual(['plain', 'STARTTLS']);
  });
});

describe('a peer that stalls in the handshake', () => {
  it('is timed out by TimeoutMixin, and the connection lost', async () => {
    class Patient extends TimeoutMixin(Recording) {
      timedOut = false;
      override connectionMade(): void {
        super.connectionMade();
        this.setTimeout(0.3);
      }
      override dataReceived(data: Buffer): void {
        this.resetTimeout();
        super.dataReceived(data);
      }
      override timeoutConnection(): void {
        this.timedOut = true;
        this.transport.abortConnection();
      }
    }
    const reactor = newReactor();
    // The mixin's default clock is the process reactor; this test's reactor keeps its own time.
    const serverFactory = new ServerRecorder(() => {
      const p = new Patient();
      p.callLater = (delay, fn) => reactor.callLater(delay, fn);
      return p;
    });
    const port = reactor.listenSSL(0, serverFactory, serverCert(), { interface: '127.0.0.1' });
    for (const p of [serverFactory]) p.noisy = false;
    // A TCP client that connects and then says nothing: no ClientHello ever comes.
    const raw = net.connect(port.getHost().port, '127.0.0.1');
    raw.on('error', () => {});
    const s = await serverFactory.nth(0);
    await s.lost.promise;
    expect(s.timedOut).toBe(true);
    await until(() => raw.destroyed || raw.readableEnded, 'the raw client to see the end');
    raw.destroy();
  });
});
