// File (ports twisted.web.test.test_static: StaticFileTests, RangeTests, DirectoryListerTest),
// served over loopback; path traversal attempts go over raw sockets so nothing normalizes them.
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { File, Site, datetimeToString } from '../../src/index.ts';
import { fetch, rawExchange, serveSite, type Served } from './support.ts';

let base: string;
let root: string;
let served: Served;
const alphabet = 'abcdefghijklmnopqrstuvwxyz';

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'web-static-'));
  root = join(base, 'root');
  mkdirSync(root);
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(root, 'alpha.txt'), alphabet);
  writeFileSync(join(root, 'page.html'), '<p>page</p>');
  writeFileSync(join(root, 'data.json.gz'), gzipSync('{"a":1}'));
  writeFileSync(join(root, 'noext'), 'no extension');
  writeFileSync(join(root, 'about.html'), 'about page');
  mkdirSync(join(root, 'withindex'));
  writeFileSync(join(root, 'withindex', 'index.html'), 'the index');
  mkdirSync(join(root, 'list'));
  writeFileSync(join(root, 'list', '<b>&.txt'), 'x'.repeat(2048));
  mkdirSync(join(root, 'list', 'sub'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'escape.txt'));
  symlinkSync(base, join(root, 'escape-dir'));
  symlinkSync(join(root, 'alpha.txt'), join(root, 'inside-link.txt'));
  const file = new File(root, { ignoredExts: ['.html'] });
  served = await serveSite(new Site(file));
});

afterAll(async () => {
  await served.close();
  rmSync(base, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(served.url(path), { headers });

describe('serving files', () => {
  test('a file with its type, length, Last-Modified, ETag and Accept-Ranges', async () => {
    const res = await get('/alpha.txt');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(alphabet);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['content-length']).toBe('26');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['last-modified']).toBe(
      datetimeToString(Math.ceil(statSync(join(root, 'alpha.txt')).mtimeMs / 1000)),
    );
    expect(res.headers.etag).toMatch(/^"1a-[0-9a-f]+"$/);
    expect((await get('/page.html')).headers['content-type']).toBe('text/html');
    expect((await get('/noext')).headers['content-type']).toBe('text/html'); // defaultType
  });

  test('a compressed file is sent with its Content-Encoding and the type inside', async () => {
    const res = await get('/data.json.gz');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toBe('application/json');
  });

  test('ignoredExts: /about serves about.html', async () => {
    expect((await get('/about')).body.toString()).toBe('about page');
  });

  test('HEAD sends the headers without the body', async () => {
    const reply = await rawExchange(
      served.port,
      'HEAD /alpha.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(reply).toMatch(/Content-Length: 26\r\n/);
    expect(reply.endsWith('\r\n\r\n')).toBe(true);
  });

  test('a symbolic link inside the root is followed', async () => {
    expect((await get('/inside-link.txt')).body.toString()).toBe(alphabet);
  });
});

describe('conditional GET', () => {
  test('If-Modified-Since at or after the modification answers 304 without a body', async () => {
    const first = await get('/alpha.txt');
    const res = await get('/alpha.txt', { 'if-modified-since': String(first.headers['last-modified']) });
    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
    const older = await get('/alpha.txt', { 'if-modified-since': 'Sun, 06 Nov 1994 08:49:37 GMT' });
    expect(older.status).toBe(200);
  });

  test('If-None-Match with the ETag answers 304; another tag 200, even with a matching If-Modified-Since', async () => {
    const first = await get('/alpha.txt');
    const etag = String(first.headers.etag);
    expect((await get('/alpha.txt', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/alpha.txt', { 'if-none-match': `"other", ${etag}` })).status).toBe(304);
    expect((await get('/alpha.txt', { 'if-none-match': '*' })).status).toBe(304);
    const other = await get('/alpha.txt', {
      'if-none-match': '"other"',
      'if-modified-since': String(first.headers['last-modified']),
    });
    expect(other.status).toBe(200);
    expect(other.body.toString()).toBe(alphabet);
  });
});

describe('ranges (RFC 9110 section 14)', () => {
  test('a single range: 206 with Content-Range', async () => {
    const res = await get('/alpha.txt', { range: 'bytes=2-5' });
    expect(res.status).toBe(206);
    expect(res.body.toString()).toBe('cdef');
    expect(res.headers['content-range']).toBe('bytes 2-5/26');
    expect(res.headers['content-length']).toBe('4');
  });

  test('suffix and open-ended ranges; an end past the size is cut', async () => {
    expect((await get('/alpha.txt', { range: 'bytes=-3' })).body.toString()).toBe('xyz');
    expect((await get('/alpha.txt', { range: 'bytes=23-' })).body.toString()).toBe('xyz');
    expect((await get('/alpha.txt', { range: 'bytes=24-1000' })).body.toString()).toBe('yz');
    expect((await get('/alpha.txt', { range: 'bytes=-100' })).body.toString()).toBe(alphabet);
  });

  test('an unsatisfiable range: 416 with Content-Range bytes */size', async () => {
    const res = await get('/alpha.txt', { range: 'bytes=30-40' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */26');
    expect(res.body.length).toBe(0);
  });

  test('a malformed Range header is ignored: the whole file', async () => {
    for (const range of ['bytes=5-2', 'items=1-2', 'bytes', 'bytes=x-y', 'bytes=-']) {
      const res = await get('/alpha.txt', { range });
      expect(res.status, range).toBe(200);
      expect(res.body.toString()).toBe(alphabet);
    }
  });

  test('several ranges: multipart/byteranges whose length matches its body', async () => {
    const res = await get('/alpha.txt', { range: 'bytes=0-1,24-25,100-200' });
    expect(res.status).toBe(206);
    const type = String(res.headers['content-type']);
    const boundary = /boundary="([^"]+)"/.exec(type)![1];
    expect(type).toMatch(/^multipart\/byteranges;/);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const text = res.body.toString();
    expect(text).toBe(
      `\r\n--${boundary}\r\nContent-type: text/plain\r\nContent-range: bytes 0-1/26\r\n\r\nab` +
        `\r\n--${boundary}\r\nContent-type: text/plain\r\nContent-range: bytes 24-25/26\r\n\r\nyz` +
        `\r\n--${boundary}--\r\n`,
    );
  });
});

describe('directories', () => {
  test('without its slash: 302 to the path with one, query kept', async () => {
    const res = await get('/withindex?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/withindex/?x=1');
  });

  test('with an index file: the index', async () => {
    expect((await get('/withindex/')).body.toString()).toBe('the index');
  });

  test('without one: an HTML listing, names escaped, directories first', async () => {
    const res = await get('/list/');
    const html = res.body.toString();
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html).toContain('Directory listing for /list/');
    expect(html).toContain('<a href="sub/">sub/</a>');
    expect(html).toContain(`<a href="${encodeURIComponent('<b>&.txt')}">&lt;b&gt;&amp;.txt</a>`);
    expect(html).toContain('<td>2K</td>');
    expect(html.indexOf('sub/')).toBeLessThan(html.indexOf('&lt;b&gt;'));
    expect(html).not.toContain('<b>&');
  });
});

describe('nothing outside the root', () => {
  const attempts = [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/list/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2fetc%2fpasswd',
    '/list/..%5c..%5csecret.txt',
    '/alpha.txt%00.html',
    '/escape.txt',
    '/escape-dir/secret.txt',
    '/escape-dir/',
    '/%ff%fe',
  ];
  for (const path of attempts) {
    test(`GET ${path} is not served`, async () => {
      const reply = await rawExchange(
        served.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(reply).toMatch(/^HTTP\/1.1 (400|404)/);
      expect(reply).not.toContain('TOP SECRET');
      expect(reply).not.toContain('root:');
    });
  }
});

describe('the File resource', () => {
  test('constructor arguments positionally or as options; a non-string path is refused', () => {
    const f = new File(root, 'application/x-thing', ['.txt']);
    expect(f.defaultType).toBe('application/x-thing');
    expect(f.ignoredExts).toEqual(['.txt']);
    expect(new File(root, { defaultType: 'a/b' }).defaultType).toBe('a/b');
    expect(() => new File(5 as never)).toThrow(/"path" argument/);
  });

  test('listNames is sorted; a missing file is 404', async () => {
    expect(new File(join(root, 'list')).listNames()).toEqual(['<b>&.txt', 'sub']);
    expect((await get('/missing.txt')).status).toBe(404);
  });
});
