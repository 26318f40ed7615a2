// examples/web-rest.ts and examples/web-static.ts in child processes, driven over loopback (and,
// for web-static's descriptions, a UNIX socket and TLS with certificates made by openssl).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeTestPKI } from '../support/certificates.ts';
import { runExample, runners, startExample } from './run-example.ts';

const hasOpenSSL = spawnSync('openssl', ['version']).status === 0;

function request(
  port: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: Number(port), method, path, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(runners)('examples/web-rest.ts (%s)', (runner) => {
  test('create, read, update, list, delete notes; 404 and 400; stops after --requests', async () => {
    const server = startExample(
      'web-rest',
      ['--port', '0', '--requests', '9'],
      /on http:\/\/127\.0\.0\.1:(\d+)\//,
      runner,
    );
    const port = (await server.match)[1];
    const created = await request(port, 'POST', '/notes', JSON.stringify({ text: 'first' }));
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body)).toEqual({ id: 1, text: 'first' });
    expect(created.headers.location).toBe('/notes/1');
    expect(JSON.parse((await request(port, 'GET', '/notes/1')).body)).toEqual({ id: 1, text: 'first' });
    expect((await request(port, 'PUT', '/notes/1', JSON.stringify({ text: 'changed' }))).status).toBe(200);
    expect(JSON.parse((await request(port, 'GET', '/notes')).body)).toEqual([{ id: 1, text: 'changed' }]);
    expect((await request(port, 'POST', '/notes', 'not json')).status).toBe(400);
    expect((await request(port, 'GET', '/notes/99')).status).toBe(404);
    expect((await request(port, 'PATCH', '/notes/1')).status).toBe(405);
    expect((await request(port, 'DELETE', '/notes/1')).status).toBe(204);
    expect((await request(port, 'GET', '/notes/1')).status).toBe(404);
    const done = await server.exit;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('DELETE /notes/1 -> 204');
    expect(done.stdout).toContain('stopped');
  });
});

describe.each(runners)('examples/web-static.ts (%s)', (runner) => {
  test('serves the directory given on a tcp: description (file, range, listing), nothing above it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-static-example-'));
    try {
      writeFileSync(join(dir, 'hello.txt'), 'hello, static world');
      const server = startExample(
        'web-static',
        [dir, 'tcp:0:interface=127.0.0.1', '--requests', '4'],
        /on IPv4Address\(type='TCP', host='127\.0\.0\.1', port=(\d+)\)/,
        runner,
      );
      const port = (await server.match)[1];
      const file = await request(port, 'GET', '/hello.txt');
      expect(file.body).toBe('hello, static world');
      expect(file.headers['content-type']).toBe('text/plain');
      expect((await request(port, 'GET', '/hello.txt', undefined, { range: 'bytes=7-12' })).body).toBe(
        'static',
      );
      expect((await request(port, 'GET', '/')).body).toContain('hello.txt');
      expect((await request(port, 'GET', '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
      const done = await server.exit;
      expect(done.code).toBe(0);
      expect(done.stdout).toContain('GET /hello.txt -> 206');
      expect(done.stdout).toContain('stopped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without a directory it prints its usage and exits 2', async () => {
    const result = await runExample('web-static', [], runner);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: node examples/web-static.ts <directory> [description]');
  });
});

describe.skipIf(!hasOpenSSL)('examples/web-static.ts on other descriptions', () => {
  test('ssl: the key and certificate files named in the description, HTTPS verified by the client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-static-example-'));
    const pki = makeTestPKI();
    try {
      writeFileSync(join(dir, 'hello.txt'), 'hello over TLS');
      const server = pki.issue('server');
      const q = (path: string) => path.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
      const child = startExample(
        'web-static',
        [
          dir,
          `ssl:0:interface=127.0.0.1:privateKey=${q(server.keyPath)}:certKey=${q(server.certPath)}`,
          '--requests',
          '1',
        ],
        /on IPv4Address\(type='TCP', host='127\.0\.0\.1', port=(\d+)\)/,
      );
      const port = Number((await child.match)[1]);
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/hello.txt', ca: pki.ca.cert, agent: false }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('hello over TLS');
      expect((await child.exit).code).toBe(0);
    } finally {
      pki.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unix: a UNIX socket path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-static-example-'));
    try {
      writeFileSync(join(dir, 'hello.txt'), 'hello over a UNIX socket');
      const path = join(dir, 'web.sock');
      const child = startExample(
        'web-static',
        [dir, `unix:${path}:lockfile=0`, '--requests', '1'],
        /on UNIXAddress/,
      );
      await child.match;
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ socketPath: path, path: '/hello.txt', agent: false }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(body).toBe('hello over a UNIX socket');
      expect((await child.exit).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad description shows where it is wrong and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-static-example-'));
    try {
      const { code, stderr } = await runExample('web-static', [dir, 'tcp:http']);
      expect(code).not.toBe(0);
      expect(stderr).toContain('"tcp:port" must be a decimal integer');
      expect(stderr).toMatch(/tcp:http\n\s+\^\^\^\^/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
