// The Agent over HTTPS against Node's https.createServer: verification by default
// (BrowserLikePolicyForHTTPS), a failed check reported as ResponseNeverReceived holding a
// TLSError (API.md), a trust root given, the pool keeping TLS connections.
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Agent,
  BrowserLikePolicyForHTTPS,
  HTTPConnectionPool,
  ResponseNeverReceived,
  TLSError,
  readBody,
} from '../../src/index.ts';
import { makeWebPKI, type WebPKI } from './tls-support.ts';

let pki: WebPKI;
const servers: https.Server[] = [];

beforeAll(() => {
  pki = makeWebPKI();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  pki.remove();
});

async function serve(credentials: {
  cert: string;
  key: string;
}): Promise<{ url: string; opened: () => number }> {
  let opened = 0;
  const server = https.createServer(credentials, (req, res) => res.end(`secure ${req.url}`));
  server.on('secureConnection', (_s: Socket) => opened++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, opened: () => opened };
}

async function failure(p: PromiseLike<unknown>): Promise<ResponseNeverReceived> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as ResponseNeverReceived,
  ) as Promise<ResponseNeverReceived>;
}

describe('Agent over HTTPS', () => {
  test('a server whose certificate the given trust root signed, for the host asked: the response', async () => {
    const s = await serve(pki.server(['IP:127.0.0.1', 'DNS:localhost']));
    const agent = new Agent(undefined, { contextFactory: new BrowserLikePolicyForHTTPS(pki.caCert) });
    const response = await agent.request('GET', `${s.url}/x`);
    expect((await readBody(response)).toString()).toBe('secure /x');
  });

  test('verification is on by default: an unknown authority fails with ResponseNeverReceived holding a TLSError', async () => {
    const s = await serve(pki.server(['IP:127.0.0.1']));
    const err = await failure(new Agent().request('GET', s.url));
    expect(err).toBeInstanceOf(ResponseNeverReceived);
    expect(err.reasons[0].value).toBeInstanceOf(TLSError);
  });

  test('a self-signed certificate fails, even for the right name', async () => {
    const s = await serve(pki.selfSigned());
    const err = await failure(
      new Agent(undefined, { contextFactory: new BrowserLikePolicyForHTTPS(pki.caCert) }).request(
        'GET',
        s.url,
      ),
    );
    expect(err.reasons[0].value).toBeInstanceOf(TLSError);
  });

  test('a certificate for another name fails the name check', async () => {
    const s = await serve(pki.server(['DNS:elsewhere.test']));
    const err = await failure(
      new Agent(undefined, { contextFactory: new BrowserLikePolicyForHTTPS([pki.caCert]) }).request(
        'GET',
        s.url,
      ),
    );
    expect(err.reasons[0].value).toBeInstanceOf(TLSError);
    expect(String((err.reasons[0].value as TLSError).osError?.code)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  test('a persistent pool keeps the TLS connection between requests', async () => {
    const s = await serve(pki.server(['IP:127.0.0.1']));
    const pool = new HTTPConnectionPool();
    const agent = new Agent(undefined, { contextFactory: new BrowserLikePolicyForHTTPS(pki.caCert), pool });
    for (let i = 0; i < 3; i++) await readBody(await agent.request('GET', s.url));
    expect(s.opened()).toBe(1);
    await pool.closeCachedConnections();
  });

  test("the policy's own name check decides, on fresh and pooled connections alike", async () => {
    // Node's default check would accept this server; the policy's refuses it. The Agent hands
    // the check to the connection outside the request's pool key (identity-checks.ts), so it
    // must still run.
    const s = await serve(pki.server(['IP:127.0.0.1']));
    const checked: string[] = [];
    const policy = {
      creatorForNetloc: (host: string) => ({
        getTLSOptions: () => ({
          ca: [pki.caCert],
          rejectUnauthorized: true,
          checkServerIdentity: (name: string) => {
            checked.push(name);
            return new Error(`refused by the policy: ${host}`);
          },
        }),
      }),
    };
    for (const pool of [undefined, new HTTPConnectionPool()]) {
      const err = await failure(new Agent(undefined, { contextFactory: policy, pool }).request('GET', s.url));
      expect(err).toBeInstanceOf(ResponseNeverReceived);
      expect(String(err.reasons[0].value)).toMatch(/refused by the policy: 127\.0\.0\.1/);
    }
    expect(checked).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  test('a bad trust root is refused, naming it', () => {
    expect(() => new BrowserLikePolicyForHTTPS(42 as never)).toThrow(/"trustRoot" argument/);
    expect(() => new BrowserLikePolicyForHTTPS([pki.caCert, 42 as never])).toThrow(
      /"trustRoot\[1\]" argument/,
    );
  });
});
