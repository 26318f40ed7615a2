// The Agent and its helpers against Node's own http.createServer on loopback (ports
// twisted.web.test.test_agent's AgentTests, RedirectAgentTests, ContentDecoderAgentTests,
// FileBodyProducerTests, HTTPConnectionPoolTests and ReadBodyTests).
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Agent,
  BrowserLikeRedirectAgent,
  CancelledError,
  Clock,
  ConnectionRefusedError,
  ContentDecoderAgent,
  Deferred,
  DNSLookupError,
  Failure,
  FileBodyProducer,
  GzipDecoder,
  Headers,
  HTTPConnectionPool,
  InfiniteRedirection,
  PageRedirect,
  PartialDownloadError,
  PotentialDataLoss,
  RedirectAgent,
  RedirectWithNoLocation,
  RequestGenerationFailed,
  RequestStateError,
  ResponseDone,
  ResponseFailed,
  ResponseNeverReceived,
  SchemeNotSupported,
  UNKNOWN_LENGTH,
  readBody,
  type Response,
  succeed,
  fail,
  type IBodyTransport,
  type IResponse,
} from '../../src/index.ts';
import { until } from '../support/wait.ts';
import { captureWebLog } from './support.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  socket: Socket;
  remoteAddress: string | undefined;
}

interface TestServer {
  port: number;
  url: (path?: string) => string;
  seen: Seen[];
  connections: Set<Socket>;
  opened: number;
  server: http.Server;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
): Promise<TestServer> {
  const seen: Seen[] = [];
  const connections = new Set<Socket>();
  const state = { opened: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks),
        socket: req.socket,
        remoteAddress: req.socket.remoteAddress,
      };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  server.on('connection', (s: Socket) => {
    state.opened++;
    connections.add(s);
    s.on('close', () => connections.delete(s));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    seen,
    connections,
    get opened() {
      return state.opened;
    },
    server,
  };
}

describe('Agent.request', () => {
  test('a GET: code, phrase, headers, length; readBody; the Host header', async () => {
    const s = await startServer((_req, res) => {
      res.writeHead(200, 'Fine', { 'x-answer': '42', 'content-length': '5' });
      res.end('hello');
    });
    const agent = new Agent();
    const response = await agent.request('GET', s.url('/path?q=1'));
    expect(response.code).toBe(200);
    expect(response.phrase).toBe('Fine');
    expect(response.version).toEqual(['HTTP', 1, 1]);
    expect(response.headers.getRawHeaders('x-answer')).toEqual([Buffer.from('42')]);
    expect(response.length).toBe(5);
    expect(await readBody(response)).toEqual(Buffer.from('hello'));
    expect(s.seen[0].url).toBe('/path?q=1');
    expect(s.seen[0].headers.host).toBe(`127.0.0.1:${s.port}`);
    // Without a pool an Agent does not keep connections (Twisted's non-persistent default).
    expect(s.seen[0].headers.connection).toBe('close');
  });

  test('headers are sent as given; a given Host is kept', async () => {
    const s = await startServer((_req, res) => res.end());
    const agent = new Agent();
    const headers = new Headers({ 'x-many': ['a', 'b'], host: ['example.test'] });
    await readBody(await agent.request(Buffer.from('PUT'), s.url('/'), headers));
    expect(s.seen[0].method).toBe('PUT');
    expect(s.seen[0].headers['x-many']).toBe('a, b');
    expect(s.seen[0].headers.host).toBe('example.test');
  });

  test('a body of unknown length is chunked; a known length is Content-Length', async () => {
    const s = await startServer((_req, res) => res.end('ok'));
    const agent = new Agent();
    await readBody(
      await agent.request('POST', s.url('/'), undefined, new FileBodyProducer(Buffer.from('known body'))),
    );
    expect(s.seen[0].headers['content-length']).toBe('10');
    expect(s.seen[0].body.toString()).toBe('known body');
    await readBody(
      await agent.request(
        'POST',
        s.url('/'),
        undefined,
        new FileBodyProducer(Readable.from([Buffer.from('a'), Buffer.from('b')])),
      ),
    );
    expect(s.seen[1].headers['transfer-encoding']).toBe('chunked');
    expect(s.seen[1].body.toString()).toBe('ab');
  });

  test('SchemeNotSupported for another scheme; bad arguments are refused', async () => {
    const agent = new Agent();
    await expect(agent.request('GET', 'ftp://127.0.0.1/x')).rejects.toBeInstanceOf(SchemeNotSupported);
    expect(() => agent.request('BAD METHOD', 'http://127.0.0.1/')).toThrow(/"method" is invalid/);
    expect(() => agent.request('GET', 'not a uri')).toThrow(/"uri" is invalid/);
    expect(() => agent.request('GET', 'http://127.0.0.1/', {} as never)).toThrow(/"headers" argument/);
    expect(() => new Agent({} as never)).toThrow(/"reactor" argument/);
    expect(() => new Agent(undefined, { connectTimeout: -1 })).toThrow(/"connectTimeout"/);
  });

  test('a refused connection fails with ConnectionRefusedError', async () => {
    const s = await startServer(() => undefined);
    const port = s.port;
    await new Promise((r) => s.server.close(r));
    servers.splice(servers.indexOf(s.server), 1);
    await expect(new Agent().request('GET', `http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(
      ConnectionRefusedError,
    );
  });

  test('names are resolved through the reactor (installResolver-style); a failed lookup is a DNSLookupError', async () => {
    const s = await startServer((_req, res) => res.end('resolved'));
    const clock = new Clock();
    const reactor = Object.assign(clock, {
      resolve: (name: string) =>
        name === 'web.test' ? succeed('127.0.0.1') : fail(new DNSLookupError(name)),
    });
    const agent = new Agent(reactor);
    expect((await readBody(await agent.request('GET', `http://web.test:${s.port}/`))).toString()).toBe(
      'resolved',
    );
    expect(s.seen[0].headers.host).toBe(`web.test:${s.port}`);
    await expect(agent.request('GET', `http://nowhere.test:${s.port}/`)).rejects.toBeInstanceOf(
      DNSLookupError,
    );
  });

  test('bindAddress sets the local address', async () => {
    const s = await startServer((_req, res) => res.end());
    await readBody(await new Agent(undefined, { bindAddress: ['127.0.0.1', 0] }).request('GET', s.url()));
    expect(s.seen[0].remoteAddress).toBe('127.0.0.1');
  });

  test('a connection that closes before any response fails with ResponseNeverReceived', async () => {
    const s = await startServer((req) => req.socket.destroy());
    const err = await new Agent().request('GET', s.url()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResponseNeverReceived);
    expect((err as ResponseNeverReceived).reasons).toHaveLength(1);
  });

  test('a failing body producer fails the request with RequestGenerationFailed', async () => {
    const s = await startServer((_req, res) => res.end());
    const producer = {
      length: UNKNOWN_LENGTH,
      startProducing: () => fail<void>(new Error('cannot produce')),
      pauseProducing() {},
      resumeProducing() {},
      stopProducing() {},
    } as const;
    const err = await new Agent().request('POST', s.url(), undefined, producer).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestGenerationFailed);
    expect((err as RequestGenerationFailed).reasons[0].value.message).toBe('cannot produce');
  });

  test('cancelling the request aborts it', async () => {
    const s = await startServer(() => undefined); // never answers
    const d = new Agent().request('GET', s.url());
    await until(() => s.seen.length === 1, 'the request');
    d.cancel();
    await expect(d).rejects.toBeInstanceOf(CancelledError);
    await until(() => s.connections.size === 0, 'the connection to close');
  });
});

describe('response bodies', () => {
  test('deliverBody: makeConnection, data, then ResponseDone; a second deliverBody is refused', async () => {
    const s = await startServer((_req, res) => res.end('body'));
    const response = await new Agent().request('GET', s.url());
    const events: string[] = [];
    const done = new Deferred<void>();
    response.deliverBody({
      makeConnection: (t: IBodyTransport) => events.push(`connected:${typeof t.pauseProducing}`),
      dataReceived: (d: Buffer) => events.push(`data:${d}`),
      connectionLost: (f: Failure) => {
        events.push(`lost:${f.value.constructor.name}`);
        done.callback(undefined);
      },
    });
    await done;
    expect(events).toEqual(['connected:function', 'data:body', 'lost:ResponseDone']);
    expect(() =>
      response.deliverBody({ makeConnection() {}, dataReceived() {}, connectionLost() {} }),
    ).toThrow(RequestStateError);
  });

  test('a body ended only by the connection: PotentialDataLoss, and readBody fails with PartialDownloadError', async () => {
    const s = await startServer((req) => {
      req.socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length here');
      req.socket.end();
    });
    const response = await new Agent().request('GET', s.url());
    expect(response.length).toBe(UNKNOWN_LENGTH);
    const err = await readBody(response).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartialDownloadError);
    expect((err as PartialDownloadError).response.toString()).toBe('no length here');
    expect((err as PartialDownloadError).status).toBe(200);
    expect(PotentialDataLoss).toBeDefined();
  });

  test('a connection that breaks mid-body fails with ResponseFailed', async () => {
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const response = await new Agent().request('GET', s.url());
    await expect(readBody(response)).rejects.toBeInstanceOf(ResponseFailed);
  });

  test('a connection that breaks before deliverBody: the body that came, then ResponseFailed (no hang)', async () => {
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const response = await new Agent().request('GET', s.url());
    await until(() => (response as Response).nodeResponse.destroyed, 'the connection to break');
    const events: string[] = [];
    response.deliverBody({
      makeConnection: () => events.push('connected'),
      dataReceived: (data: Buffer) => events.push(`data:${data.toString()}`),
      connectionLost: (reason: Failure) => events.push(`lost:${reason.value?.constructor.name}`),
    });
    expect(events).toEqual(['connected', 'data:only part', 'lost:ResponseFailed']);
  });

  test('pauseProducing stops reading the body until resumeProducing', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const total = 8 * 1024 * 1024;
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(total) });
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const response = await new Agent().request('GET', s.url());
    let received = 0;
    let transport: IBodyTransport | undefined;
    const done = new Deferred<Failure>();
    response.deliverBody({
      makeConnection: (t: IBodyTransport) => {
        transport = t;
        t.pauseProducing();
      },
      dataReceived: (d: Buffer) => (received += d.length),
      connectionLost: (f: Failure) => done.callback(f.value as never),
    });
    await new Promise((r) => setTimeout(r, 100));
    const whilePaused = received;
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(whilePaused);
    expect(received).toBeLessThan(total);
    transport!.resumeProducing();
    expect(await done).toBeInstanceOf(ResponseDone);
    expect(received).toBe(total);
  });

  test('cancelling readBody closes the connection', async () => {
    const s = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('a little');
    });
    const response = await new Agent().request('GET', s.url());
    const d = readBody(response);
    d.cancel();
    await expect(d).rejects.toBeInstanceOf(CancelledError);
    await until(() => s.connections.size === 0, 'the connection to close');
  });
});

describe('FileBodyProducer', () => {
  test('lengths: Buffer, string, file stream by path, file-like with seek/tell; unknown otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbp-'));
    try {
      writeFileSync(join(dir, 'f'), 'x'.repeat(1234));
      expect(new FileBodyProducer(Buffer.alloc(7)).length).toBe(7);
      expect(new FileBodyProducer('é').length).toBe(2);
      const stream = createReadStream(join(dir, 'f'));
      expect(new FileBodyProducer(stream).length).toBe(1234);
      stream.on('error', () => undefined);
      stream.destroy();
      await new Promise<void>((r) => stream.once('close', () => r()));
      expect(new FileBodyProducer(Readable.from(['x'])).length).toBe(UNKNOWN_LENGTH);
      let pos = 3;
      const fileLike = {
        read: () => Buffer.alloc(0),
        seek: (o: number, w = 0) => (pos = w === 2 ? 10 + o : o),
        tell: () => pos,
      };
      expect(new FileBodyProducer(fileLike).length).toBe(7);
      expect(pos).toBe(3);
      expect(new FileBodyProducer({ read: () => Buffer.alloc(0) }).length).toBe(UNKNOWN_LENGTH);
      expect(() => new FileBodyProducer(42 as never)).toThrow(/"inputFile" argument/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('a file-like body is read in readSize chunks and closed at the end', async () => {
    const s = await startServer((_req, res) => res.end());
    const data = Buffer.from('0123456789abcdef');
    let offset = 0;
    let closed = false;
    const reads: number[] = [];
    const fileLike = {
      read: (n: number) => {
        reads.push(n);
        const chunk = data.subarray(offset, offset + n);
        offset += chunk.length;
        return chunk;
      },
      close: () => (closed = true),
    };
    await readBody(
      await new Agent().request('PUT', s.url(), undefined, new FileBodyProducer(fileLike, undefined, 5)),
    );
    expect(s.seen[0].body.toString()).toBe('0123456789abcdef');
    expect(reads.every((n) => n === 5)).toBe(true);
    expect(closed).toBe(true);
  });
});

describe('HTTPConnectionPool', () => {
  test('a persistent pool reuses one connection for sequential requests', async () => {
    const s = await startServer((_req, res) => res.end('ok'));
    const pool = new HTTPConnectionPool();
    const agent = new Agent(undefined, { pool });
    for (let i = 0; i < 3; i++) await readBody(await agent.request('GET', s.url()));
    expect(s.opened).toBe(1);
    expect(pool.cachedConnections).toBe(1);
    await pool.closeCachedConnections();
    await until(() => s.connections.size === 0, 'the cached connection to close');
    expect(pool.cachedConnections).toBe(0);
    await pool.closeCachedConnections(); // again: harmless
  });

  test('idle connections close after cachedConnectionTimeout on the pool clock; at most maxPersistentPerHost stay', async () => {
    const s = await startServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    const clock = new Clock();
    const pool = new HTTPConnectionPool(clock);
    pool.maxPersistentPerHost = 1;
    const agent = new Agent(clock, { pool });
    await Promise.all([1, 2, 3].map(async () => readBody(await agent.request('GET', s.url()))));
    expect(s.opened).toBe(3);
    await until(() => s.connections.size === 1, 'all but one idle connection to close');
    expect(pool.cachedConnections).toBe(1);
    clock.advance(pool.cachedConnectionTimeout);
    await until(() => s.connections.size === 0, 'the idle connection to time out');
  });

  test('maxPersistentPerHost 0 keeps no connection; bad limits are refused with a typed error', async () => {
    const s = await startServer((_req, res) => res.end('ok'));
    const pool = new HTTPConnectionPool();
    pool.maxPersistentPerHost = 0;
    const agent = new Agent(undefined, { pool });
    for (let i = 0; i < 2; i++)
      expect((await readBody(await agent.request('GET', s.url()))).toString()).toBe('ok');
    await until(() => s.connections.size === 0, 'the server to see each connection closed');
    expect(s.opened).toBe(2);
    expect(pool.cachedConnections).toBe(0);
    expect(() => (pool.maxPersistentPerHost = -1)).toThrow(
      expect.objectContaining({
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringContaining('maxPersistentPerHost'),
      }),
    );
    expect(() => (pool.maxPersistentPerHost = 1.5)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => (pool.cachedConnectionTimeout = Number.NaN)).toThrow(
      expect.objectContaining({
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringContaining('cachedConnectionTimeout'),
      }),
    );
    expect(pool.maxPersistentPerHost).toBe(0);
  });

  test('a GET on a cached connection the server closed is retried once on a new one', async () => {
    let requests = 0;
    const s = await startServer((req, res) => {
      requests++;
      res.end('ok');
      // Close quietly after the first answer, without telling the client (no Connection: close).
      if (requests === 1) res.on('finish', () => setTimeout(() => req.socket.destroy(), 10));
    });
    const pool = new HTTPConnectionPool();
    const agent = new Agent(undefined, { pool });
    await readBody(await agent.request('GET', s.url()));
    await until(() => s.connections.size === 0, 'the server to drop the connection');
    const response = await agent.request('GET', s.url());
    expect((await readBody(response)).toString()).toBe('ok');
    await pool.closeCachedConnections();
  });
});

describe('RedirectAgent', () => {
  async function redirecting(): Promise<TestServer> {
    return startServer((req, res) => {
      const url = req.url!;
      if (url === '/a') res.writeHead(301, { location: '/b' }).end();
      else if (url === '/b') res.writeHead(302, { location: 'c' }).end();
      else if (url === '/see') res.writeHead(303, { location: '/c' }).end();
      else if (url === '/keep') res.writeHead(307, { location: '/c' }).end();
      else if (url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (url === '/nowhere') res.writeHead(302).end();
      else res.end(`${req.method} ${url}`);
    });
  }

  test('follows 301 and 302 for GET, relative locations resolved; previousResponse chains', async () => {
    const s = await redirecting();
    const response = await new RedirectAgent(new Agent()).request('GET', s.url('/a'));
    expect((await readBody(response)).toString()).toBe('GET /c');
    expect(response.previousResponse?.code).toBe(302);
    expect(response.previousResponse?.previousResponse?.code).toBe(301);
  });

  test('303 turns a POST into a GET; 307 for a POST fails with PageRedirect', async () => {
    const s = await redirecting();
    const agent = new RedirectAgent(new Agent());
    expect((await readBody(await agent.request('POST', s.url('/see')))).toString()).toBe('GET /c');
    const err = await agent.request('POST', s.url('/keep')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResponseFailed);
    expect((err as ResponseFailed).reasons[0].value).toBeInstanceOf(PageRedirect);
    expect(((err as ResponseFailed).response as IResponse).code).toBe(307);
  });

  test('the limit gives InfiniteRedirection; no Location gives RedirectWithNoLocation', async () => {
    const s = await redirecting();
    const agent = new RedirectAgent(new Agent(), 3);
    const loop = await agent.request('GET', s.url('/loop')).then(
      () => undefined,
      (e: unknown) => e as ResponseFailed,
    );
    expect(loop?.reasons[0].value).toBeInstanceOf(InfiniteRedirection);
    expect(s.seen.filter((x) => x.url === '/loop')).toHaveLength(4);
    const none = await agent.request('GET', s.url('/nowhere')).then(
      () => undefined,
      (e: unknown) => e as ResponseFailed,
    );
    expect(none?.reasons[0].value).toBeInstanceOf(RedirectWithNoLocation);
  });

  test('BrowserLikeRedirectAgent turns a 302 POST into a GET; credentials do not follow to another origin', async () => {
    const other = await startServer((req, res) => res.end(`other ${req.method}`));
    const s = await startServer((_req, res) => res.writeHead(302, { location: other.url('/x') }).end());
    const headers = new Headers({ authorization: ['secret'], cookie: ['c=1'], 'x-keep': ['yes'] });
    const response = await new BrowserLikeRedirectAgent(new Agent()).request('POST', s.url('/'), headers);
    expect((await readBody(response)).toString()).toBe('other GET');
    expect(other.seen[0].headers.authorization).toBeUndefined();
    expect(other.seen[0].headers.cookie).toBeUndefined();
    expect(other.seen[0].headers['x-keep']).toBe('yes');
  });
});

describe('ContentDecoderAgent', () => {
  test('advertises gzip and decodes a gzip body; Content-Encoding is removed', async () => {
    const s = await startServer((req, res) => {
      if (String(req.headers['accept-encoding']).includes('gzip')) {
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('decoded text'));
      } else res.end('plain');
    });
    const agent = new ContentDecoderAgent(new Agent(), [['gzip', GzipDecoder]]);
    const response = await agent.request('GET', s.url());
    expect(s.seen[0].headers['accept-encoding']).toBe('gzip');
    expect(response.length).toBe(UNKNOWN_LENGTH);
    expect(response.headers.hasHeader('content-encoding')).toBe(false);
    expect((await readBody(response)).toString()).toBe('decoded text');
  });

  test('an unknown encoding is left as it is; a corrupt gzip body fails with ResponseFailed', async () => {
    const s = await startServer((req, res) => {
      if (req.url === '/br') res.writeHead(200, { 'content-encoding': 'br' }).end('raw');
      else res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
    });
    const agent = new ContentDecoderAgent(new Agent(), [['gzip', GzipDecoder]]);
    const br = await agent.request('GET', s.url('/br'));
    expect(br.headers.getRawHeaders('content-encoding')).toEqual([Buffer.from('br')]);
    expect((await readBody(br)).toString()).toBe('raw');
    await expect(readBody(await agent.request('GET', s.url('/bad')))).rejects.toBeInstanceOf(ResponseFailed);
  });

  test("a body protocol's throw in dataReceived is logged and ends the body with ResponseFailed; a rejection is logged; nothing escapes", async () => {
    const s = await startServer((_req, res) =>
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('decoded text')),
    );
    const agent = new ContentDecoderAgent(new Agent(), [['gzip', GzipDecoder]]);
    const escaped: unknown[] = [];
    const onEscape = (err: unknown) => escaped.push(err);
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    const log = captureWebLog();
    try {
      for (const kind of ['throws', 'rejects'] as const) {
        const response = await agent.request('GET', s.url(`/${kind}`));
        let reason: Failure | undefined;
        response.deliverBody({
          makeConnection() {},
          dataReceived:
            kind === 'throws'
              ? () => {
                  throw new Error(`the protocol ${kind}`);
                }
              : async () => {
                  throw new Error(`the protocol ${kind}`);
                },
          connectionLost: (why: Failure) => {
            reason = why;
          },
        });
        await until(() => reason !== undefined, 'connectionLost');
        if (kind === 'throws') {
          expect(reason?.value).toBeInstanceOf(ResponseFailed);
          expect(String((reason?.value as ResponseFailed).reasons[0].value)).toContain('the protocol throws');
        } // a rejection may come after the body ended (ResponseDone): then it is only logged
        await until(
          () => log.events.some((e) => String((e.log_failure as Failure | undefined)?.value).includes(kind)),
          'the failure to be logged',
        );
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(escaped).toEqual([]);
      expect(
        log.texts().filter((t) => t.startsWith("Error in a response body protocol's dataReceived")),
      ).toHaveLength(2);
    } finally {
      log.stop();
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
    }
  });
});
