// Request over node:http, on real loopback sockets (ports twisted.web.test.test_web's
// RequestTests, test_http's RequestTests and test_resource's render tests).
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ConnectionDone,
  Deferred,
  Failure,
  NOT_DONE_YET,
  Resource,
  RequestStateError,
  Site,
  redirectTo,
  type IPushProducer,
  type Request,
} from '../../src/index.ts';
import { until } from '../support/wait.ts';
import { captureWebLog, fetch, rawExchange, serveSite, type Served, type WebLog } from './support.ts';

class Leaf extends Resource {
  override isLeaf = true;
  readonly handler: (request: Request) => ReturnType<Resource['render']>;
  constructor(handler: (request: Request) => ReturnType<Resource['render']>) {
    super();
    this.handler = handler;
  }
  override render(request: Request) {
    return this.handler(request);
  }
}

let served: Served;
let site: Site;
let root: Resource;
let log: WebLog;

beforeEach(async () => {
  log = captureWebLog();
  root = new Resource();
  site = new Site(root);
  served = await serveSite(site);
});
afterEach(async () => {
  await served.close();
  log.stop();
});

function mount(path: string, handler: (request: Request) => ReturnType<Resource['render']>): void {
  root.putChild(path, new Leaf(handler));
}

describe('what a resource sees of the request', () => {
  test('method, uri, path, clientproto, prepath/postpath (decoded), args from the query', async () => {
    let seen: Record<string, unknown> = {};
    mount('leaf', (r) => {
      seen = {
        method: r.method,
        uri: r.uri,
        path: r.path,
        clientproto: r.clientproto,
        prepath: r.prepath.map(String),
        postpath: r.postpath.map((b) => b.toString('utf8')),
        args: Object.fromEntries(Object.entries(r.args).map(([k, v]) => [k, v.map(String)])),
      };
      return 'ok';
    });
    const res = await fetch(served.url('/leaf/a%20b/%C3%A9?x=1&x=2&y=&z&n%C3%A9=%C3%A9+v'));
    expect(res.status).toBe(200);
    expect(seen).toEqual({
      method: 'GET',
      uri: '/leaf/a%20b/%C3%A9?x=1&x=2&y=&z&n%C3%A9=%C3%A9+v',
      path: '/leaf/a%20b/%C3%A9',
      clientproto: 'HTTP/1.1',
      prepath: ['leaf'],
      postpath: ['a b', 'é'],
      // Twisted's parse_qs keeps blank values and skips a name without '='; '+' is a space.
      args: { x: ['1', '2'], y: [''], né: ['é v'] },
    });
  });

  test('an absolute-form request target is routed by its path', async () => {
    let path = '';
    mount('abs', (r) => ((path = r.path), 'ok'));
    const reply = await rawExchange(
      served.port,
      `GET http://example.invalid/abs/x?q=1 HTTP/1.1\r\nHost: example.invalid\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1.1 200 OK/);
    expect(path).toBe('/abs/x');
  });

  test('urlencoded and multipart POST values replace query values of the same name; content is readable again', async () => {
    const seen: Record<string, string[]>[] = [];
    let body = '';
    mount('form', (r) => {
      seen.push(Object.fromEntries(Object.entries(r.args).map(([k, v]) => [k, v.map(String)])));
      body = r.content.read().toString();
      return 'ok';
    });
    await fetch(served.url('/form?a=query&keep=1'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'a=form&b=2&b=3',
    });
    expect(seen[0]).toEqual({ a: ['form'], keep: ['1'], b: ['2', '3'] });
    expect(body).toBe('a=form&b=2&b=3');

    const boundary = 'XyZ';
    const multipart =
      `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nmulti\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n\u0000\u0001binary\r\n` +
      `--${boundary}--\r\n`;
    await fetch(served.url('/form?a=query'), {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Buffer.from(multipart, 'latin1'),
    });
    expect(seen[1]).toEqual({ a: ['multi'], file: ['\u0000\u0001binary'] });
  });

  test('a malformed multipart body is answered 400 and never rendered', async () => {
    let rendered = false;
    mount('form', () => ((rendered = true), 'ok'));
    const res = await fetch(served.url('/form'), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' }, // no boundary
      body: 'whatever',
    });
    expect(res.status).toBe(400);
    expect(rendered).toBe(false);
  });

  test('a large body moves to a temporary file and reads back whole', async () => {
    let onDisk = false;
    let digest = '';
    mount('upload', (r) => {
      onDisk = r.content.onDisk;
      digest = String(r.content.read().length) + ':' + r.content.tell();
      r.content.seek(-3, 2);
      return r.content.read();
    });
    const big = Buffer.alloc(300_000, 'x');
    big.write('END', big.length - 3);
    const res = await fetch(served.url('/upload'), { method: 'PUT', body: big });
    expect(onDisk).toBe(true);
    expect(digest).toBe('300000:300000');
    expect(res.body.toString()).toBe('END');
  });

  test('request headers as Headers; getHeader answers in the type it was asked with', async () => {
    let seen: unknown[] = [];
    mount('h', (r) => {
      seen = [
        r.getHeader('x-one'),
        r.getHeader(Buffer.from('X-ONE')),
        r.requestHeaders.getRawHeaders('x-many')?.map(String),
        r.requestHeaders.getRawHeaders('absent'),
        r.requestHeaders.getRawHeaders('absent', []),
      ];
      return 'ok';
    });
    await fetch(served.url('/h'), { headers: { 'x-one': 'é', 'x-many': ['a', 'b'] } });
    // node:http sends a string header as latin1; the request reads it back as UTF-8 text only
    // when it is valid UTF-8, so ask for bytes to see what arrived.
    expect(seen[1]).toEqual(Buffer.from('é', 'latin1'));
    expect(seen.slice(2)).toEqual([['a', 'b'], undefined, []]);
  });
});

describe('the response', () => {
  test('status, phrase and headers as set; Server and Date by default; cookies', async () => {
    mount('r', (r) => {
      r.setResponseCode(201, 'Made It');
      r.setHeader('x-thing', 'v');
      r.responseHeaders.addRawHeader('x-multi', '1');
      r.responseHeaders.addRawHeader('x-multi', '2');
      r.addCookie('sid', 'a;b\r\nc', {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        max_age: 60,
      });
      return 'made';
    });
    const res = await fetch(served.url('/r'));
    expect(res.status).toBe(201);
    expect(res.statusMessage).toBe('Made It');
    expect(res.headers['x-thing']).toBe('v');
    expect(res.headers['x-multi']).toBe('1, 2');
    expect(res.headers.server).toBe('twisted-ts');
    expect(Date.parse(String(res.headers.date))).toBeGreaterThan(0);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.headers['set-cookie']).toEqual([
      'sid=a b c; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=lax',
    ]);
  });

  test('cookies sent by the client are read with getCookie', async () => {
    let got: unknown[] = [];
    mount('c', (r) => ((got = [r.getCookie('a'), r.getCookie(Buffer.from('b')), r.getCookie('zz')]), 'ok'));
    await fetch(served.url('/c'), { headers: { cookie: 'a=1; b=two; junk' } });
    expect(got).toEqual(['1', Buffer.from('two'), undefined]);
  });

  test('NOT_DONE_YET: write and finish later; chunked without a length', async () => {
    mount('later', (r) => {
      r.write('first ');
      setTimeout(() => {
        r.write('second');
        r.finish();
      }, 20);
      return NOT_DONE_YET;
    });
    const res = await fetch(served.url('/later'));
    expect(res.body.toString()).toBe('first second');
    expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  test('write after finish throws RequestStateError; finish twice only warns', async () => {
    let thrown: unknown;
    mount('twice', (r) => {
      r.write('x');
      r.finish();
      r.finish();
      try {
        r.write('y');
      } catch (e) {
        thrown = e;
      }
      return NOT_DONE_YET;
    });
    const res = await fetch(served.url('/twice'));
    expect(res.body.toString()).toBe('x');
    expect(thrown).toBeInstanceOf(RequestStateError);
    expect(log.texts().some((t) => t.includes('finish called twice'))).toBe(true);
  });

  test('notifyFinish fires when finished, and fails with ConnectionDone when the client leaves first', async () => {
    const waiting = new Deferred<Error>();
    let finishAfterLoss: unknown;
    let writeAfterLoss: unknown = 'not called';
    mount('wait', (r) => {
      r.notifyFinish().addErrback((f: Failure) => {
        waiting.callback(f.value);
        try {
          writeAfterLoss = r.write('ignored');
          r.finish();
        } catch (e) {
          finishAfterLoss = e;
        }
      });
      return NOT_DONE_YET;
    });
    const socket = net.connect(served.port, '127.0.0.1');
    socket.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => served.connections() === 1, 'the connection');
    await new Promise((r) => setTimeout(r, 20));
    socket.end();
    expect(await waiting).toBeInstanceOf(ConnectionDone);
    expect(writeAfterLoss).toBeUndefined(); // writes to a gone client are ignored
    expect(finishAfterLoss).toBeInstanceOf(RequestStateError);

    mount('done', (r) => {
      r.notifyFinish().addCallback(() => (doneFired = true));
      return 'ok';
    });
    let doneFired = false;
    await fetch(served.url('/done'));
    expect(doneFired).toBe(true);
  });

  test('HEAD: headers of GET, no body, Content-Length of the body', async () => {
    mount('head', () => 'twelve bytes');
    const reply = await rawExchange(
      served.port,
      'HEAD /head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(reply).toMatch(/Content-Length: 12\r\n/);
    expect(reply.endsWith('\r\n\r\n')).toBe(true);
  });

  test('redirectTo answers 302 with Location and an escaped page', async () => {
    mount('go', (r) => redirectTo('/there?a="<x>"', r));
    const res = await fetch(served.url('/go'));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/there?a="<x>"');
    expect(res.body.toString()).toContain('&quot;&lt;x&gt;&quot;');
    expect(res.body.toString()).not.toContain('<x>');
  });

  test('OPTIONS * gets 200; another method on * gets 405 allowing OPTIONS', async () => {
    expect(
      await rawExchange(served.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ).toMatch(/^HTTP\/1.1 200 OK/);
    const other = await rawExchange(served.port, 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(other).toMatch(/^HTTP\/1.1 405/);
    expect(other).toMatch(/Allow: OPTIONS/);
  });
});

describe('failures while rendering', () => {
  test('a throw answers 500 without the error text and logs the failure', async () => {
    mount('boom', () => {
      throw new Error('secret detail');
    });
    const res = await fetch(served.url('/boom'));
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('Processing Failed');
    expect(res.body.toString()).not.toContain('secret detail');
    const failure = log.events.find((e) => e.log_failure !== undefined);
    expect((failure?.log_failure as Failure).value.message).toBe('secret detail');
  });

  test('with displayTracebacks the page shows the (escaped) error', async () => {
    site.displayTracebacks = true;
    mount('boom', () => {
      throw new Error('<b>visible</b>');
    });
    const res = await fetch(served.url('/boom'));
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('&lt;b&gt;visible&lt;/b&gt;');
  });

  test('an async render that rejects answers 500; one that resolves sends its value', async () => {
    mount('async-ok', async () => 'later body');
    mount('async-bad', async () => {
      throw new Error('rejected');
    });
    expect((await fetch(served.url('/async-ok'))).body.toString()).toBe('later body');
    expect((await fetch(served.url('/async-bad'))).status).toBe(500);
  });

  test('an async render that settles after the client left is dropped, logged if it failed, and nothing escapes', async () => {
    const escaped: unknown[] = [];
    const onUnhandled = (reason: unknown) => escaped.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const outcome of ['resolves', 'rejects'] as const) {
        const settle = new Deferred<void>();
        let lost = false;
        mount(`late-${outcome}`, async (r) => {
          r.notifyFinish().addErrback(() => {
            lost = true;
          });
          await settle.asPromise();
          if (outcome === 'rejects') throw new Error('failed after the client left');
          return 'nobody reads this';
        });
        const socket = net.connect(served.port, '127.0.0.1');
        socket.on('error', () => {});
        socket.write(`GET /late-${outcome} HTTP/1.1\r\nHost: x\r\n\r\n`);
        await until(() => served.connections() === 1, 'the connection');
        socket.destroy();
        await until(() => lost, 'the request to see its client leave');
        settle.callback(undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(escaped).toEqual([]);
      expect(log.texts().filter((t) => t.includes('Error processing GET /late-'))).toEqual([
        'Error processing GET /late-rejects',
      ]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a render returning neither bytes nor NOT_DONE_YET answers 500', async () => {
    mount('wrong', () => 42 as unknown as string);
    const res = await fetch(served.url('/wrong'));
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('Request did not return bytes');
  });

  test('a failure after the response began drops the connection (the client sees it cut short)', async () => {
    mount('half', (r) => {
      r.setHeader('content-length', '100');
      r.write('partial');
      setTimeout(() => r.processingFailed(new Failure(new Error('late'))), 10);
      return NOT_DONE_YET;
    });
    await expect(fetch(served.url('/half'))).rejects.toThrow();
  });
});

describe('producers', () => {
  test('a push producer is paused while the client does not read, and memory stays bounded', async () => {
    let pauses = 0;
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 'p');
    mount('stream', (r) => {
      let paused = false;
      let stopped = false;
      const producer: IPushProducer = {
        pauseProducing: () => ((paused = true), pauses++),
        resumeProducing: () => {
          paused = false;
          pump();
        },
        stopProducing: () => (stopped = true),
      };
      const pump = (): void => {
        while (!paused && !stopped && produced < 32 * 1024 * 1024) {
          r.write(chunk);
          produced += chunk.length;
        }
        if (produced >= 32 * 1024 * 1024 && !stopped) {
          r.unregisterProducer();
          r.finish();
        }
      };
      r.registerProducer(producer, true);
      pump();
      return NOT_DONE_YET;
    });
    const socket = net.connect(served.port, '127.0.0.1');
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause(); // never read
    await until(() => pauses > 0, 'the producer to be paused');
    await new Promise((r) => setTimeout(r, 100));
    // Paused after a few chunks: at most a few MiB in flight (socket buffers), not 32 MiB.
    expect(produced).toBeLessThan(8 * 1024 * 1024);
    const before = produced;
    await new Promise((r) => setTimeout(r, 100));
    expect(produced).toBe(before);
    let received = 0;
    socket.on('data', (d: Buffer) => (received += d.length));
    socket.resume();
    await until(() => received > 32 * 1024 * 1024, 'the whole body', 20_000);
    socket.destroy();
  });

  test('a pull producer is asked for one chunk at a time until it finishes', async () => {
    let asks = 0;
    mount('pull', (r) => {
      r.registerProducer(
        {
          resumeProducing: () => {
            asks++;
            if (asks <= 5) r.write(`chunk${asks};`);
            else {
              r.unregisterProducer();
              r.finish();
            }
          },
          stopProducing: () => undefined,
        },
        false,
      );
      return NOT_DONE_YET;
    });
    const res = await fetch(served.url('/pull'));
    expect(res.body.toString()).toBe('chunk1;chunk2;chunk3;chunk4;chunk5;');
    expect(asks).toBe(6);
  });

  test('a second producer is refused; a client that leaves stops the producer', async () => {
    let refused: unknown;
    const stopped = new Deferred<boolean>();
    mount('two', (r) => {
      const p = { pauseProducing() {}, resumeProducing() {}, stopProducing: () => stopped.callback(true) };
      r.registerProducer(p, true);
      try {
        r.registerProducer(p, true);
      } catch (e) {
        refused = e;
      }
      return NOT_DONE_YET;
    });
    const socket = net.connect(served.port, '127.0.0.1');
    socket.write('GET /two HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => refused !== undefined, 'the render');
    expect(refused).toBeInstanceOf(RequestStateError);
    socket.destroy();
    expect(await stopped).toBe(true);
  });
});

describe('sessions', () => {
  test('getSession makes a session with a cookie, finds it again, expire() drops it', async () => {
    const uids: string[] = [];
    mount('s', (r) => {
      const session = r.getSession();
      uids.push(session.uid);
      expect(r.getSession()).toBe(session);
      return 'ok';
    });
    const first = await fetch(served.url('/s'));
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/^TWISTED_SESSION=[0-9a-f]{64}; Path=\/$/);
    const value = cookie.split(';')[0];
    const second = await fetch(served.url('/s'), { headers: { cookie: value } });
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(uids[1]).toBe(uids[0]);
    const expired: string[] = [];
    site.getSession(uids[0])!.notifyOnExpire(() => expired.push('called'));
    site.getSession(uids[0])!.expire();
    expect(site.sessions.size).toBe(0);
    expect(expired).toEqual(['called']);
    const third = await fetch(served.url('/s'), { headers: { cookie: value } });
    expect(third.headers['set-cookie']).toBeDefined();
    expect(uids[2]).not.toBe(uids[0]);
  });
});

describe('keep-alive and pipelining', () => {
  test('pipelined requests on one connection are answered in order', async () => {
    mount('slow', (r) => {
      setTimeout(() => {
        r.write('slow');
        r.finish();
      }, 30);
      return NOT_DONE_YET;
    });
    mount('fast', () => 'fast');
    const reply = await rawExchange(
      served.port,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const bodies = reply.split(/HTTP\/1.1 200 OK/).slice(1);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toContain('slow');
    expect(bodies[1]).toContain('fast');
  });
});

describe('the access log', () => {
  test('one combined-format line per request through the logger', async () => {
    mount('logged', () => 'twelve bytes');
    await fetch(served.url('/logged?q="x"'), {
      headers: { 'user-agent': 'agent "7"', referer: 'http://r/' },
    });
    const line = log.events.find((e) => e.log_namespace === 'twisted-ts.web.access')?.line as string;
    expect(line).toMatch(
      /^"127\.0\.0\.1" - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/logged\?q=%22x%22 HTTP\/1\.1" 200 12 "http:\/\/r\/" "agent \\"7\\""$/,
    );
  });
});
