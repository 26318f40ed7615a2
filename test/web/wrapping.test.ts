// A Site behind a WrappingFactory (protocols/policies) on real loopback sockets: the wrapper sees
// every byte of the requests, as in Twisted. Before the fix the channel handed the socket under the
// wrapper (its getHandle()) to node:http, which consumed it: the wrapper saw nothing, so a
// TimeoutFactory hung up on a client that was still uploading.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import {
  ProtocolWrapper,
  Resource,
  Site,
  TimeoutFactory,
  WrappingFactory,
  type IProtocolFactory,
  type Request,
} from '../../src/index.ts';
import { fetch, serveSite, type Served } from './support.ts';

/** Answers with what it was asked: the method, the path and the size of the body. */
class Echo extends Resource {
  override isLeaf = true;
  override render(request: Request): string {
    const size = request.content.read().length;
    return `${request.method.toString()} ${request.uri.toString()}${size > 0 ? ` ${size} bytes` : ''}`;
  }
}

/** Counts what the wrapper is given, then passes it on. */
class Counting extends ProtocolWrapper {
  static seen = 0;
  override dataReceived(data: Buffer): void | Promise<void> {
    Counting.seen += data.length;
    return super.dataReceived(data);
  }
}

class CountingFactory extends WrappingFactory {
  override protocol = Counting as unknown as WrappingFactory['protocol'];
}

let served: Served | undefined;

/** Listens `factory` (a Site behind wrappers) the way the other web tests listen a Site. */
function serve(factory: IProtocolFactory): Promise<Served> {
  return serveSite(factory as Site);
}
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** A POST whose body is written one byte every `everyMs`, `bytes` times. */
function slowPost(port: number, bytes: number, everyMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/upload',
        method: 'POST',
        agent: false,
        headers: { 'content-length': String(bytes) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    let sent = 0;
    const timer = setInterval(() => {
      req.write('x');
      if (++sent === bytes) {
        clearInterval(timer);
        req.end();
      }
    }, everyMs);
  });
}

describe('a Site behind a WrappingFactory', () => {
  test('the wrapper sees every byte of the requests and the Site answers them', async () => {
    Counting.seen = 0;
    served = await serve(new CountingFactory(new Site(new Echo())));
    const request = 'GET /a/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const answer = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = new net.Socket();
      socket.connect(served!.port, '127.0.0.1', () => socket.write(request));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('GET /a/b');
    expect(Counting.seen).toBe(Buffer.byteLength(request));
  });

  test('keep-alive through the wrapper: several requests on one connection', async () => {
    served = await serve(new CountingFactory(new Site(new Echo())));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const path of ['/one', '/two', '/three']) {
        const res = await fetch(served.url(path), { agent });
        expect(res.status).toBe(200);
        expect(res.body.toString()).toBe(`GET ${path}`);
      }
      expect(served.connections()).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  test('TimeoutFactory: a client still uploading is not timed out, an idle one is', async () => {
    const factory = new TimeoutFactory(new Site(new Echo()), 1.5);
    served = await serve(factory);
    // Ten bytes, one each 0.3 s: 3 s in all, longer than the timeout, but never idle for 1.5 s.
    const res = await slowPost(served.port, 10, 300);
    expect(res).toEqual({ status: 200, body: 'POST /upload 10 bytes' });
    // The timeout still works: a connection that sends nothing is closed.
    const closed = await new Promise<boolean>((resolve) => {
      const socket = new net.Socket();
      socket.connect(served!.port, '127.0.0.1');
      const guard = setTimeout(() => resolve(false), 10_000);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(guard);
        resolve(true);
      });
    });
    expect(closed).toBe(true);
  }, 20_000);
});
