// Bad input and faults for a Site listened with listenTCP (issue 17): malformed requests and
// smuggling attempts refused before any Resource sees them, timeouts, a render that never
// finishes, a client that stops reading, many concurrent keep-alive clients. Raw sockets, so
// nothing in between normalizes what is sent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { File, NOT_DONE_YET, Resource, Site, type Request } from '../../src/index.ts';
import { until } from '../support/wait.ts';
import { captureWebLog, rawExchange, serveSite, type Served, type WebLog } from './support.ts';

class Counting extends Resource {
  override isLeaf = true;
  rendered = 0;
  override render(request: Request): string {
    this.rendered++;
    request.content.read();
    return 'reached';
  }
}

let log: WebLog;
let served: Served | undefined;
beforeEach(() => {
  log = captureWebLog();
});
afterEach(async () => {
  await served?.close();
  served = undefined;
  log.stop();
});

describe('malformed requests and smuggling attempts never reach a resource', () => {
  // [what, request, answer, whether node:http reports it as a client error (logged)]
  const cases: [string, string, RegExp, boolean?][] = [
    ['a request line with extra parts', 'GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n', /^HTTP\/1.1 400/],
    ['an invalid method', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1.1 400/],
    ['an unknown HTTP version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', /^HTTP\/1.1 (400|505)/],
    // node:http answers this one itself, without a clientError event to log it.
    ['no Host in HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', /^HTTP\/1.1 400/, false],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', /^HTTP\/1.1 400/],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', /^HTTP\/1.1 400/],
    ['an obsolete folded header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', /^HTTP\/1.1 400/],
    [
      'Content-Length and Transfer-Encoding together (CL.TE)',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG',
      /^HTTP\/1.1 400/,
    ],
    [
      'two different Content-Lengths',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde',
      /^HTTP\/1.1 400/,
    ],
    [
      'a Content-Length that is not a number',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\nabc',
      /^HTTP\/1.1 400/,
    ],
    [
      'chunked not last in Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
      /^HTTP\/1.1 400/,
    ],
    [
      'an obfuscated Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
      /^HTTP\/1.1 400/,
    ],
    [
      'an invalid chunk size',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
      /^HTTP\/1.1 400/,
    ],
    [
      'a chunk longer than its size',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n',
      /^HTTP\/1.1 400/,
    ],
    [
      'headers larger than maxHeaderSize',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      /^HTTP\/1.1 431/,
    ],
    ['a bare LF in the request line', 'GET / HTTP/1.1\nHost: x\n\n', /^HTTP\/1.1 400/],
  ];
  for (const [what, request, answer, logged = true] of cases) {
    test(what, async () => {
      const resource = new Counting();
      served = await serveSite(new Site(resource));
      const reply = await rawExchange(served.port, request);
      expect(reply).toMatch(answer);
      expect(resource.rendered).toBe(0);
      expect(log.texts().some((t) => t.startsWith('Bad request from '))).toBe(logged);
    });
  }

  test('a well-formed chunked request does reach it (the control case)', async () => {
    const resource = new Counting();
    served = await serveSite(new Site(resource));
    const reply = await rawExchange(
      served.port,
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1.1 200/);
    expect(resource.rendered).toBe(1);
  });
});

describe('timeouts', () => {
  test('a render that never finishes: the idle timeout closes the connection and logs it', async () => {
    class Never extends Resource {
      override isLeaf = true;
      override render(): typeof NOT_DONE_YET {
        return NOT_DONE_YET;
      }
    }
    served = await serveSite(new Site(new Never(), { timeout: 0.3 }));
    const started = Date.now();
    const reply = await rawExchange(served.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 10_000);
    expect(reply).toBe('');
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(log.texts().some((t) => t.startsWith('Timing out client: '))).toBe(true);
  });

  test('headers sent too slowly (slowloris) get 408 after headersTimeout', async () => {
    served = await serveSite(new Site(new Counting(), { headersTimeout: 0.3, requestTimeout: 0.6 }));
    const socket = net.connect(served.port, '127.0.0.1');
    socket.on('error', () => undefined);
    let reply = '';
    socket.on('data', (d) => (reply += d.toString('latin1')));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 50);
    await closed;
    clearInterval(drip);
    expect(reply).toMatch(/^HTTP\/1.1 408/);
  });

  test('an idle keep-alive connection is closed after keepAliveTimeout', async () => {
    served = await serveSite(new Site(new Counting(), { keepAliveTimeout: 0.2 }));
    const socket = net.connect(served.port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    await until(() => served!.connections() === 0, 'the server side to close');
  });
});

describe('load and slow peers', () => {
  test('1,000 concurrent keep-alive clients, two requests each on one connection', async () => {
    const resource = new Counting();
    served = await serveSite(new Site(resource));
    const clients = 1000;
    const sockets: net.Socket[] = [];
    const answers: Promise<string>[] = [];
    for (let i = 0; i < clients; i++) {
      const socket = net.connect(served.port, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
      answers.push(
        new Promise((resolve, reject) => {
          let text = '';
          socket.on('data', (d) => {
            text += d.toString('latin1');
            if ((text.match(/reached/g) ?? []).length === 2) resolve(text);
          });
          socket.on('error', reject);
        }),
      );
    }
    await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
    await until(() => served!.connections() === clients, 'every connection to be accepted', 10_000);
    for (const s of sockets) s.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    const texts = await Promise.all(answers);
    expect(texts.every((t) => (t.match(/HTTP\/1.1 200 OK/g) ?? []).length === 2)).toBe(true);
    expect(resource.rendered).toBe(2 * clients);
    expect(served.connections()).toBe(clients); // still open: keep-alive
    for (const s of sockets) s.destroy();
    await until(() => served!.connections() === 0, 'the connections to close', 10_000);
  }, 60_000);

  test('a client that stops reading a large file: the server reads ahead only a bounded amount', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-slow-'));
    try {
      const size = 48 * 1024 * 1024;
      writeFileSync(join(dir, 'big.bin'), Buffer.alloc(size, 7));
      served = await serveSite(new Site(new File(dir)));
      const before = process.memoryUsage().arrayBuffers;
      const socket = net.connect(served.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.pause();
      await new Promise((r) => setTimeout(r, 500));
      const held = process.memoryUsage().arrayBuffers - before;
      // The kernel's socket buffers hold some; what the server holds stays far below the file.
      expect(held).toBeLessThan(16 * 1024 * 1024);
      let received = 0;
      socket.on('data', (d: Buffer) => (received += d.length));
      socket.resume();
      await until(() => received >= size, 'the whole file', 30_000);
      socket.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
