// Resource trees and rendering (ports twisted.web.test.test_resource and test_web's
// SiteTest/RequestTests on render dispatch), served over loopback.
import { afterEach, describe, expect, test } from 'vitest';
import {
  computeAllowedMethods,
  Data,
  ErrorPage,
  ForbiddenResource,
  getChildForRequest,
  NoResource,
  NOT_DONE_YET,
  Redirect,
  Resource,
  Site,
  UnsupportedMethod,
  type IResource,
  type Request,
} from '../../src/index.ts';
import { captureWebLog, fetch, rawExchange, serveSite, type Served } from './support.ts';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function serve(root: IResource): Promise<Served> {
  served = await serveSite(new Site(root));
  return served;
}

class Echo extends Resource {
  render_GET(request: Request) {
    return `${request.prepath.map(String).join('/')}|${request.postpath.map(String).join('/')}`;
  }
}

describe('traversal', () => {
  test('putChild, static children first, getChild for the rest, isLeaf stops (getChildForRequest)', async () => {
    const root = new Resource();
    const a = new Resource();
    root.putChild('a', a);
    a.putChild('b', new Echo());
    class Dynamic extends Resource {
      override getChild(path: Buffer): IResource {
        return path.toString() === 'leaf' ? leaf : new Data(`dyn:${path}`, 'text/plain');
      }
    }
    const leaf = new Echo();
    leaf.isLeaf = true;
    root.putChild('d', new Dynamic());
    const s = await serve(root);
    expect((await fetch(s.url('/a/b'))).body.toString()).toBe('a/b|');
    expect((await fetch(s.url('/d/xyz'))).body.toString()).toBe('dyn:xyz');
    expect((await fetch(s.url('/d/leaf/rest/of/it'))).body.toString()).toBe('d/leaf|rest/of/it');
    expect((await fetch(s.url('/a/missing'))).status).toBe(404);
  });

  test("the empty segment of a trailing slash is a child ('')", async () => {
    const root = new Resource();
    const dir = new Resource();
    root.putChild('dir', dir);
    dir.putChild('', new Data('index of dir', 'text/plain'));
    const s = await serve(root);
    expect((await fetch(s.url('/dir/'))).body.toString()).toBe('index of dir');
  });

  test('getChildForRequest moves segments from postpath to prepath', () => {
    const root = new Resource();
    const child = new Resource();
    child.isLeaf = true;
    root.putChild('x', child);
    const request = {
      prepath: [] as Buffer[],
      postpath: [Buffer.from('x'), Buffer.from('y')],
    } as unknown as Request;
    expect(getChildForRequest(root, request)).toBe(child);
    expect(request.prepath.map(String)).toEqual(['x']);
    expect(request.postpath.map(String)).toEqual(['y']);
  });

  test('static children can be listed and removed; putChild refuses a non-resource', () => {
    const r = new Resource();
    const c = new Resource();
    r.putChild('c', c);
    expect(r.listStaticNames()).toEqual([Buffer.from('c')]);
    expect(r.getStaticEntity('c')).toBe(c);
    r.delEntity('c');
    expect(r.getStaticEntity('c')).toBeUndefined();
    expect(() => r.putChild('x', {} as never)).toThrow(/"child" argument/);
    expect(() => r.putChild(5 as never, c)).toThrow(/"path" argument/);
  });
});

describe('render dispatch', () => {
  test('405 with Allow listing the render_ methods; HEAD only when GET exists (test_render*)', async () => {
    class PostOnly extends Resource {
      render_POST() {
        return 'posted';
      }
    }
    class Both extends Resource {
      render_GET() {
        return 'got';
      }
      render_PUT() {
        return 'put';
      }
    }
    expect(computeAllowedMethods(new PostOnly())).toEqual(['POST']);
    expect(computeAllowedMethods(new Both())).toEqual(['GET', 'HEAD', 'PUT']);
    const root = new Resource();
    root.putChild('post', new PostOnly());
    root.putChild('both', new Both());
    const s = await serve(root);
    const res = await fetch(s.url('/post'));
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    const head = await rawExchange(s.port, 'HEAD /post HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 405/);
    // Methods Twisted would answer 501 to get 405 too (API.md).
    const odd = await fetch(s.url('/both'), { method: 'PATCH' });
    expect(odd.status).toBe(405);
    expect(odd.headers.allow).toBe('GET, HEAD, PUT');
    expect((await fetch(s.url('/both'), { method: 'PUT' })).body.toString()).toBe('put');
  });

  test('allowedMethods overrides the computed list; HEAD is rendered through GET for a custom render', async () => {
    class Custom extends Resource {
      override allowedMethods = ['GET', 'OPTIONS'];
      override render(request: Request) {
        if (request.method !== 'GET') throw new UnsupportedMethod(this.allowedMethods);
        return 'custom body';
      }
    }
    const root = new Resource();
    root.putChild('c', new Custom());
    const s = await serve(root);
    const res = await fetch(s.url('/c'), { method: 'DELETE' });
    expect(res.headers.allow).toBe('GET, OPTIONS');
    const head = await rawExchange(s.port, 'HEAD /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 200/);
    expect(head).toMatch(/Content-Length: 11/);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
  });

  test('a method name that is not a render_ method cannot reach other methods', async () => {
    const root = new Echo();
    const s = await serve(root);
    const reply = await rawExchange(s.port, 'constructor / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    // llhttp refuses unknown methods before any resource sees them.
    expect(reply).toMatch(/^HTTP\/1.1 400/);
  });
});

describe('error pages', () => {
  test('NoResource, ForbiddenResource, ErrorPage: status and escaped text; every child is the page', async () => {
    const root = new Resource();
    root.putChild('gone', new NoResource('<script>x</script>'));
    root.putChild('forbidden', new ForbiddenResource());
    root.putChild('teapot', new ErrorPage(418, 'Tea & <pot>', 'short "and" stout'));
    const s = await serve(root);
    const gone = await fetch(s.url('/gone/below/it'));
    expect(gone.status).toBe(404);
    expect(gone.body.toString()).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(gone.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await fetch(s.url('/forbidden'))).status).toBe(403);
    const tea = await fetch(s.url('/teapot'));
    expect(tea.status).toBe(418);
    expect(tea.body.toString()).toContain('<title>418 - Tea &amp; &lt;pot&gt;</title>');
    expect(tea.body.toString()).toContain('short &quot;and&quot; stout');
  });
});

describe('Data and Redirect', () => {
  test('Data serves its bytes with its type and length to GET and HEAD', async () => {
    const root = new Resource();
    root.putChild('d', new Data(Buffer.from([0, 1, 2]), 'application/octet-stream'));
    const s = await serve(root);
    const res = await fetch(s.url('/d'));
    expect(res.body).toEqual(Buffer.from([0, 1, 2]));
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe('3');
    expect(() => new Data('x', 5 as never)).toThrow(/"type" argument/);
  });

  test('Redirect sends every path below it to one URL', async () => {
    const root = new Resource();
    root.putChild('old', new Redirect('/new'));
    const s = await serve(root);
    const res = await fetch(s.url('/old/anything'));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/new');
  });
});

describe('Site', () => {
  test('arguments positionally (Twisted order) or as options; bad ones named', () => {
    const root = new Resource();
    expect(new Site(root, undefined, undefined, 30).resource).toBe(root);
    expect(new Site(root, { timeout: null }).httpServer.timeout).toBe(0);
    expect(new Site(root, { timeout: 2 }).httpServer.timeout).toBe(2000);
    expect(() => new Site({} as never)).toThrow(/"resource" argument/);
    expect(() => new Site(root, { timeout: -1 })).toThrow(/"timeout"/);
    expect(() => new Site(root, { nope: 1 } as never)).toThrow(/Unknown option "nope"/);
    expect(() => new Site(root, { logFormatter: 'x' as never })).toThrow(/"logFormatter"/);
    expect(() => new Site(root, { headersTimeout: 20, requestTimeout: 10 })).toThrow(/headersTimeout/);
  });

  test('a site rendered as a resource redirects to its path with a slash', async () => {
    const inner = new Site(new Data('inner', 'text/plain'));
    const root = new Resource();
    root.putChild('inner', inner as unknown as IResource);
    const s = await serve(root);
    const res = await fetch(s.url('/inner'));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`http://127.0.0.1:${s.port}/inner/`);
  });

  test('the access log goes to logPath when given, in the combined format', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'web-log-'));
    const data = new Data('x', 'text/plain');
    data.isLeaf = true;
    const site = new Site(data, { logPath: join(dir, 'access.log') });
    served = await serveSite(site);
    await fetch(served.url('/'), { headers: { 'user-agent': 'ua' } });
    await served.close();
    served = undefined;
    expect(readFileSync(join(dir, 'access.log'), 'utf8')).toMatch(
      /^"127\.0\.0\.1" - - \[.*\] "GET \/ HTTP\/1\.1" 200 1 "-" "ua"\n$/,
    );
  });
});

describe('NOT_DONE_YET', () => {
  test('is the same value in every copy of the package', () => {
    expect(NOT_DONE_YET).toBe(Symbol.for('twisted-ts.web.NOT_DONE_YET'));
  });
  test('log capture helper works', () => {
    const log = captureWebLog();
    log.stop();
    expect(log.events).toEqual([]);
  });
});
