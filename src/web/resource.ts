/**
 * `Resource` (Twisted's `twisted.web.resource.Resource`): a node of a site's URL tree. Children
 * are found by path segment (`putChild` for static ones, `getChild` for dynamic ones); the
 * resource a request ends on renders it through `render_<METHOD>`.
 *
 * @module
 */
import { UnsupportedMethod } from '../errors/web.ts';
import { invalidArgType } from '../validate.ts';
import { type BytesLike, toByteString } from './bytes.ts';
import type { Request } from './request.ts';

/**
 * What `render` returns to say "I will call `request.write` and `request.finish` myself later"
 * (Twisted's `server.NOT_DONE_YET`). The same value in every copy of the package.
 */
export const NOT_DONE_YET: unique symbol = Symbol.for('twisted-ts.web.NOT_DONE_YET');

/**
 * What a render method returns: the whole body (a Buffer, or a string sent as UTF-8), or
 * `NOT_DONE_YET`. Beyond Twisted, a Promise or Deferred of either: the request waits for it,
 * and a rejection answers 500 as a throw does.
 */
export type RenderResult =
  Uint8Array | string | typeof NOT_DONE_YET | PromiseLike<Uint8Array | string | typeof NOT_DONE_YET>;

/** A web resource (Twisted's `IResource`): what a `Site` traverses and renders. */
export interface IResource {
  /** When true, traversal stops here and the rest of the path stays in `request.postpath`. */
  isLeaf: boolean;
  /** The child for one path segment (static children first, then `getChild`). */
  getChildWithDefault(path: Buffer, request: Request): IResource;
  /** Registers a static child under one path segment. */
  putChild(path: BytesLike, child: IResource): void;
  /** Renders `request`; throws `UnsupportedMethod` for a method it does not render. */
  render(request: Request): RenderResult;
}

/** A render method, as `render_GET` and the others are. */
type RenderMethod = (request: Request) => RenderResult;

/**
 * The methods `resource` renders: every `render_<METHOD>` it or its classes define (Twisted's
 * `_computeAllowedMethods`), sorted; `HEAD` only when `GET` is there, since the default
 * `render_HEAD` renders `GET`.
 */
export function computeAllowedMethods(resource: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = resource; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key.startsWith('render_') && key.length > 7) {
        const value = (resource as Record<string, unknown>)[key];
        if (typeof value === 'function') names.add(key.slice(7));
      }
    }
  }
  if (!names.has('GET') && (resource as Resource).render_HEAD === Resource.prototype.render_HEAD) {
    names.delete('HEAD');
  }
  return [...names].sort();
}

/**
 * Finds the resource that renders `request`, starting at `resource` (Twisted's
 * `resource.getChildForRequest`): moves one segment at a time from `request.postpath` to
 * `request.prepath` until the path is used up or a leaf is reached.
 */
export function getChildForRequest(resource: IResource, request: Request): IResource {
  while (request.postpath.length > 0 && !resource.isLeaf) {
    const segment = request.postpath.shift()!;
    request.prepath.push(segment);
    resource = resource.getChildWithDefault(segment, request);
  }
  return resource;
}

/**
 * A node of the URL tree. Subclass it and define `render_GET`, `render_POST`, … (each returns
 * the body, or `NOT_DONE_YET`); put static children with `putChild`, make dynamic ones in
 * `getChild`. A method without a `render_` method is answered with 405 and an `Allow` header.
 *
 * @example
 * class Hello extends Resource {
 *   override isLeaf = true;
 *   render_GET(request: Request) {
 *     request.setHeader('content-type', 'text/plain');
 *     return `hello ${request.postpath.join('/')}\n`;
 *   }
 * }
 * const root = new Resource();
 * root.putChild('hello', new Hello());
 */
export class Resource implements IResource {
  /** When true, traversal stops here; Twisted's class attribute `isLeaf`. */
  isLeaf = false;
  /**
   * The methods to advertise in `Allow` when a method is not rendered; by default those with a
   * `render_` method (Twisted's `allowedMethods`).
   */
  allowedMethods: readonly string[] | undefined = undefined;
  /**
   * The static children, keyed by path segment as a byte string (one character per byte:
   * ASCII names read as themselves).
   */
  readonly children: Map<string, IResource> = new Map();

  /**
   * The child for a segment that has no static child (Twisted's `getChild`): by default a
   * 404 page. Override it to make children on the fly.
   */
  getChild(_path: Buffer, _request: Request): IResource {
    return new NoResource();
  }

  /** The static child registered for `path`, else `getChild(path, request)`. */
  getChildWithDefault(path: Buffer, request: Request): IResource {
    return this.children.get(path.toString('latin1')) ?? this.getChild(path, request);
  }

  /**
   * Registers `child` under one path segment (`''` for the resource at `this` path with a
   * trailing slash).
   *
   * @throws TypeError when `path` is neither a string nor a Buffer, or `child` has no `render`.
   */
  putChild(path: BytesLike, child: IResource): void {
    const key = toByteString(path, 'path');
    if (child === null || typeof child !== 'object' || typeof child.render !== 'function') {
      throw invalidArgType('child', 'a resource (an object with render and getChildWithDefault)', child);
    }
    this.children.set(key, child);
  }

  /** The names of the static children, as Buffers (Twisted's `listStaticNames`). */
  listStaticNames(): Buffer[] {
    return [...this.children.keys()].map((k) => Buffer.from(k, 'latin1'));
  }

  /** The static children as `[name, child]` pairs (Twisted's `listStaticEntities`). */
  listStaticEntities(): [Buffer, IResource][] {
    return [...this.children].map(([k, v]) => [Buffer.from(k, 'latin1'), v]);
  }

  /** The static child named `name`, or `undefined` (Twisted's `getStaticEntity`). */
  getStaticEntity(name: BytesLike): IResource | undefined {
    return this.children.get(toByteString(name, 'name'));
  }

  /** Removes the static child named `name` (Twisted's `delEntity`). */
  delEntity(name: BytesLike): void {
    this.children.delete(toByteString(name, 'name'));
  }

  /**
   * Renders `request` by calling `render_<METHOD>` (Twisted's `Resource.render`).
   *
   * @throws UnsupportedMethod when there is no such method; the request answers 405 with `Allow`.
   */
  render(request: Request): RenderResult {
    const method = (this as unknown as Record<string, unknown>)[`render_${request.method}`];
    if (typeof method !== 'function') {
      throw new UnsupportedMethod(this.allowedMethods ?? computeAllowedMethods(this));
    }
    return (method as RenderMethod).call(this, request);
  }

  /**
   * HEAD renders as GET (Twisted's default `render_HEAD`); the body is not sent. Without a
   * `render_GET`, HEAD is not allowed either.
   */
  render_HEAD(request: Request): RenderResult {
    const get = (this as unknown as Record<string, unknown>).render_GET;
    if (typeof get !== 'function') {
      throw new UnsupportedMethod(this.allowedMethods ?? computeAllowedMethods(this));
    }
    return (get as RenderMethod).call(this, request);
  }
}

// The error pages live here, as in Twisted's resource.py: `Resource.getChild` answers with a
// `NoResource`, and one module keeps the class and its subclasses free of an import cycle (a
// CommonJS cycle would evaluate a subclass before its base).

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
};

/** `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML. */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c]);
}

/**
 * A page that answers every request with `status` and a small HTML body (Twisted's
 * `resource.ErrorPage` and `pages.errorPage`). Unlike Twisted's deprecated `ErrorPage`, the
 * brief and the detail are HTML-escaped, so a message quoting the request cannot inject markup.
 * It is its own child, so it answers for every path below it too.
 */
export class ErrorPage extends Resource {
  /** The status code of the answer. */
  readonly code: number;
  /** The page title. */
  readonly brief: string;
  /** The text of the page. */
  readonly detail: string;

  constructor(status: number, brief: string, detail: string) {
    super();
    this.code = status;
    this.brief = brief;
    this.detail = detail;
  }

  /** Answers with `code` and the page, whatever the method. */
  override render(request: Request): RenderResult {
    request.setResponseCode(this.code);
    request.setHeader('content-type', 'text/html; charset=utf-8');
    const brief = escapeHTML(this.brief);
    return (
      `\n<html>\n  <head><title>${this.code} - ${brief}</title></head>\n  <body>\n` +
      `    <h1>${brief}</h1>\n    <p>${escapeHTML(this.detail)}</p>\n  </body>\n</html>\n`
    );
  }

  /** Every path below the page is the page. */
  override getChild(_path: Buffer, _request: Request): IResource {
    return this;
  }
}

/** A 404 page (Twisted's `NoResource`). */
export class NoResource extends ErrorPage {
  constructor(message = 'Sorry. No luck finding that resource.') {
    super(404, 'No Such Resource', message);
  }
}

/** A 403 page (Twisted's `ForbiddenResource`). */
export class ForbiddenResource extends ErrorPage {
  constructor(message = 'Sorry, resource is forbidden.') {
    super(403, 'Forbidden Resource', message);
  }
}
