// A Site served over TLS by main's transports: reactor.listenSSL with CertificateOptions, and
// serverFromString('ssl:…') with the key and certificate in files. Certificates are made with
// openssl at test time. The connection's TLSSocket is what HTTPChannel hands to node:http, so
// the requests see themselves as secure (isSecure, https URLs, the secure session cookie), and
// our Agent verifies the server through BrowserLikePolicyForHTTPS over the same TLS layer.
import https from 'node:https';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  Agent,
  BrowserLikePolicyForHTTPS,
  Certificate,
  CertificateOptions,
  HTTPConnectionPool,
  Reactor,
  Resource,
  ResponseNeverReceived,
  Site,
  TLSError,
  readBody,
  serverFromString,
  type IListeningPort,
  type StreamAddress,
  type Request,
} from '../../src/index.ts';
import { makeTestPKI, type Issued, type TestPKI } from '../support/certificates.ts';

class Who extends Resource {
  override isLeaf = true;
  render_GET(request: Request): string {
    const session = request.getSession();
    return JSON.stringify({
      secure: request.isSecure(),
      url: request.prePathURL(),
      session: session.uid,
      path: request.path,
    });
  }
}

function makeSite(): Site {
  const root = new Resource();
  root.putChild('who', new Who());
  return new Site(root);
}

let pki: TestPKI;
let server: Issued;
const cleanups: (() => PromiseLike<void> | void)[] = [];

beforeAll(() => {
  pki = makeTestPKI();
  server = pki.issue('server'); // DNS:localhost, IP:127.0.0.1, IP:::1
});
afterAll(() => pki.remove());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track(reactor: Reactor, port: IListeningPort<StreamAddress>): number {
  cleanups.push(async () => {
    await port.stopListening();
    await Promise.all(reactor.getConnections().map((c) => Promise.resolve(c.disconnectForShutdown())));
  });
  return (port.getHost() as { port: number }).port;
}

/** `site` (a fresh `makeSite()` by default) on `reactor.listenSSL` with the server certificate; its port. */
function serveOverTLS(reactor: Reactor, site: Site = makeSite()): number {
  const options = new CertificateOptions({ privateKey: server.key, certificate: server.cert });
  return track(reactor, reactor.listenSSL(0, site, options, { interface: '127.0.0.1' }));
}

/** GET with Node's https, trusting the test authority; the body and the Set-Cookie headers. */
function httpsGet(port: number, path: string): Promise<{ status: number; body: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, ca: pki.ca.cert, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: Buffer.concat(chunks).toString(),
          cookies: res.headers['set-cookie'] ?? [],
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('Site over listenSSL', () => {
  test('requests arrive over TLS and know it: isSecure, https URLs, a secure session cookie', async () => {
    const reactor = new Reactor();
    const port = serveOverTLS(reactor);
    const got = await httpsGet(port, '/who');
    expect(got.status).toBe(200);
    const body = JSON.parse(got.body) as { secure: boolean; url: string; session: string };
    expect(body.secure).toBe(true);
    expect(body.url).toBe(`https://127.0.0.1:${port}/who`);
    expect(got.cookies.join('\n')).toMatch(
      new RegExp(`TWISTED_SECURE_SESSION=${body.session}.*; Secure`, 'i'),
    );
  });

  test('our Agent verifies the Site with BrowserLikePolicyForHTTPS and keeps one connection for several requests', async () => {
    const reactor = new Reactor();
    let accepted = 0;
    const site = makeSite();
    const build = site.buildProtocol.bind(site);
    site.buildProtocol = (addr) => {
      accepted++;
      return build(addr);
    };
    const port = serveOverTLS(reactor, site);
    const pool = new HTTPConnectionPool(reactor);
    cleanups.push(() => pool.closeCachedConnections());
    const agent = new Agent(reactor, {
      contextFactory: new BrowserLikePolicyForHTTPS(Certificate.loadPEM(pki.ca.cert)),
      pool,
    });
    for (let i = 0; i < 3; i++) {
      const response = await agent.request('GET', `https://127.0.0.1:${port}/who`);
      expect(response.code).toBe(200);
      const body = JSON.parse((await readBody(response)).toString()) as { secure: boolean; url: string };
      expect(body).toMatchObject({ secure: true, url: `https://127.0.0.1:${port}/who` });
    }
    expect(accepted).toBe(1);
  });

  test('an Agent without the test authority refuses the Site: verification is on by default', async () => {
    const reactor = new Reactor();
    const port = serveOverTLS(reactor);
    const err = await new Agent(reactor).request('GET', `https://127.0.0.1:${port}/who`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResponseNeverReceived);
    expect((err as ResponseNeverReceived).reasons[0].value).toBeInstanceOf(TLSError);
  });

  test('a client speaking plain HTTP to the TLS port gets no HTTP answer and the Site goes on serving', async () => {
    const reactor = new Reactor();
    const port = serveOverTLS(reactor);
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write('GET /who HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
    });
    expect(answer).not.toMatch(/^HTTP\//);
    expect((await httpsGet(port, '/who')).status).toBe(200);
  });
});

describe("Site over serverFromString('ssl:…')", () => {
  test('the endpoint reads the key and certificate files and serves the Site over TLS', async () => {
    const reactor = new Reactor();
    const q = (path: string) => path.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    const endpoint = serverFromString(
      reactor,
      `ssl:0:interface=127.0.0.1:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}`,
    );
    const listening = await endpoint.listen(makeSite());
    const port = track(reactor, listening);
    const got = await httpsGet(port, '/who?x=1');
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toMatchObject({ secure: true, url: `https://127.0.0.1:${port}/who` });
    const agent = new Agent(reactor, { contextFactory: new BrowserLikePolicyForHTTPS(pki.ca.cert) });
    const response = await agent.request('GET', `https://127.0.0.1:${port}/who`);
    expect(JSON.parse((await readBody(response)).toString())).toMatchObject({ secure: true });
  });
});
