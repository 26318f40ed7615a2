/**
 * HTTP interop (issue 17): curl (Debian's) against a Site — keep-alive, a chunked upload,
 * ranges, HEAD; our Agent against a Python Twisted Site; Python Twisted's Agent against our Site.
 * Everything stays on 127.0.0.1. Skipped, with the reason, when curl or Python Twisted is
 * missing (CI installs both).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Agent,
  ContentDecoderAgent,
  FileBodyProducer,
  GzipDecoder,
  Headers,
  HTTPConnectionPool,
  NOT_DONE_YET,
  readBody,
  RedirectAgent,
  Resource,
  File,
  Site,
  type Request,
} from '../../src/index.ts';
import { PYTHON, pythonPeer, type PythonPeer } from '../support/python-peer.ts';
import { captureWebLog, serveSite, type Served, type WebLog } from '../web/support.ts';

const PEER = fileURLToPath(new URL('./twisted_web_peer.py', import.meta.url));
const hasTwisted = spawnSync(PYTHON, ['-c', 'import twisted.web'], { encoding: 'utf8' }).status === 0;
const hasCurl = spawnSync('curl', ['--version'], { encoding: 'utf8' }).status === 0;

function peer(...args: string[]): PythonPeer {
  return pythonPeer(PEER, args);
}

function curl(
  args: string[],
  input?: Buffer,
): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['--silent', '--show-error', '--max-time', '20', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('exit', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

class Upload extends Resource {
  override isLeaf = true;
  render_PUT(request: Request): string {
    const body = request.content.read();
    return `got ${body.length} bytes, chunked=${request.getHeader('transfer-encoding') === 'chunked'}, last=${body.subarray(-4)}`;
  }
  render_GET(request: Request): string {
    return `path ${request.path}`;
  }
}

class Slow extends Resource {
  override isLeaf = true;
  render_GET(request: Request): typeof NOT_DONE_YET {
    request.write('part one,');
    setTimeout(() => {
      request.write('part two');
      request.finish();
    }, 10);
    return NOT_DONE_YET;
  }
}

describe.skipIf(!hasCurl)('curl against a Site', () => {
  let served: Served;
  let dir: string;
  let log: WebLog;
  let connections = 0;
  beforeAll(async () => {
    log = captureWebLog();
    dir = mkdtempSync(join(tmpdir(), 'web-curl-'));
    writeFileSync(join(dir, 'letters.txt'), 'abcdefghijklmnopqrstuvwxyz');
    const root = new Resource();
    root.putChild('files', new File(dir));
    root.putChild('upload', new Upload());
    root.putChild('slow', new Slow());
    class CountingSite extends Site {
      override buildProtocol(addr: Parameters<Site['buildProtocol']>[0]) {
        connections++;
        return super.buildProtocol(addr);
      }
    }
    served = await serveSite(new CountingSite(root));
  });
  afterAll(async () => {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
    log.stop();
  });

  test('keep-alive: several URLs on one connection', async () => {
    connections = 0;
    const r = await curl([served.url('/upload/a'), served.url('/upload/b'), served.url('/slow')]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('path /upload/apath /upload/bpart one,part two');
    expect(connections).toBe(1);
  });

  test('a chunked upload', async () => {
    const body = Buffer.alloc(200_000, 'u');
    body.write('TAIL', body.length - 4);
    const r = await curl(['-T', '-', '-H', 'Transfer-Encoding: chunked', served.url('/upload/x')], body);
    expect(r.stdout.toString()).toBe('got 200000 bytes, chunked=true, last=TAIL');
  });

  test('ranges', async () => {
    expect((await curl(['-r', '2-5', served.url('/files/letters.txt')])).stdout.toString()).toBe('cdef');
    expect((await curl(['-r', '-3', served.url('/files/letters.txt')])).stdout.toString()).toBe('xyz');
    const multi = await curl(['-r', '0-1,24-25', '-D', '-', served.url('/files/letters.txt')]);
    expect(multi.stdout.toString()).toMatch(/^HTTP\/1.1 206 Partial Content\r\n/);
    expect(multi.stdout.toString()).toMatch(/Content-Type: multipart\/byteranges; boundary=/i);
  });

  test('HEAD', async () => {
    const r = await curl(['-I', served.url('/files/letters.txt')]);
    const text = r.stdout.toString();
    expect(text).toMatch(/^HTTP\/1.1 200 OK\r\n/);
    expect(text).toMatch(/Content-Length: 26\r\n/i);
    expect(text).toMatch(/Accept-Ranges: bytes\r\n/i);
  });
});

describe.skipIf(!hasTwisted)('our Agent against a Python Twisted Site', () => {
  let twisted: ReturnType<typeof peer>;
  let base: string;
  beforeAll(async () => {
    twisted = peer('server');
    base = `http://127.0.0.1:${(await twisted.next('listening')).port as number}`;
  });
  afterAll(async () => {
    await twisted.stop();
  });

  test('GET with a Content-Length, and a chunked body', async () => {
    const agent = new Agent();
    const hello = await agent.request('GET', `${base}/hello`);
    expect(hello.code).toBe(200);
    expect(hello.length).toBe(18);
    expect((await readBody(hello)).toString()).toBe('hello from twisted');
    const chunked = await agent.request('GET', `${base}/chunked`);
    expect(chunked.headers.getRawHeaders('transfer-encoding')).toEqual([Buffer.from('chunked')]);
    expect((await readBody(chunked)).toString()).toBe('first,second');
  });

  test('a POST form body, a 404, a redirect followed, a gzip body decoded', async () => {
    const agent = new Agent();
    const echo = await agent.request(
      'POST',
      `${base}/echo`,
      new Headers({ 'content-type': ['application/x-www-form-urlencoded'] }),
      new FileBodyProducer(Buffer.from('a=from+node')),
    );
    expect((await readBody(echo)).toString()).toBe('body=a=from+node;a=from node');
    const missing = await agent.request('GET', `${base}/missing`);
    expect(missing.code).toBe(404);
    await readBody(missing);
    const redirected = await new RedirectAgent(agent).request('GET', `${base}/redirect`);
    expect((await readBody(redirected)).toString()).toBe('hello from twisted');
    const gz = await new ContentDecoderAgent(agent, [['gzip', GzipDecoder]]).request('GET', `${base}/gzip`);
    expect((await readBody(gz)).toString()).toBe('hello from twisted');
  });

  test('a persistent pool reuses the connection Twisted keeps open', async () => {
    const before = twisted.events.filter((e) => e.event === 'connection').length;
    const pool = new HTTPConnectionPool();
    const agent = new Agent(undefined, { pool });
    for (let i = 0; i < 4; i++) await readBody(await agent.request('GET', `${base}/hello`));
    expect(twisted.events.filter((e) => e.event === 'connection').length - before).toBe(1);
    await pool.closeCachedConnections();
  });
});

describe.skipIf(!hasTwisted)('Python Twisted’s Agent against our Site', () => {
  test('GETs on one persistent connection and a form POST', async () => {
    const log = captureWebLog();
    class Answer extends Resource {
      override isLeaf = true;
      render_GET(): string {
        return 'hello from twisted-ts';
      }
      render_POST(request: Request): string {
        return `a=${request.args.a?.[0]}`;
      }
    }
    let connections = 0;
    class CountingSite extends Site {
      override buildProtocol(addr: Parameters<Site['buildProtocol']>[0]) {
        connections++;
        return super.buildProtocol(addr);
      }
    }
    const served = await serveSite(new CountingSite(new Answer()));
    const client = peer('client', '--url', served.url('/x'), '--count', '3', '--body', 'a=from+python');
    try {
      await client.next('done');
      const responses = client.events.filter((e) => e.event === 'response');
      expect(responses.map((r) => r.body)).toEqual([
        'hello from twisted-ts',
        'hello from twisted-ts',
        'hello from twisted-ts',
        'a=from python',
      ]);
      expect(responses.every((r) => r.code === 200)).toBe(true);
      expect(connections).toBe(1);
    } finally {
      await client.stop();
      await served.close();
      log.stop();
    }
  });
});
