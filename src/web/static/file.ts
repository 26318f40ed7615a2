/**
 * `File` (Twisted's `twisted.web.static.File`): serves a file, or a directory tree, from disk.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { invalidArgType } from '../../validate.ts';
import { CACHED } from '../conditional.ts';
import { Logger } from '../../logger/logger.ts';
import { redirectTo } from '../redirect.ts';
import type { Request } from '../request.ts';
import { ForbiddenResource, type IResource, NoResource, NOT_DONE_YET, Resource } from '../resource.ts';
import { DirectoryLister } from './directory-lister.ts';
import { getTypeAndEncoding, loadMimeTypes } from './mime.ts';
import { contentRange, parseRangeHeader, rangeToOffsetAndSize } from './ranges.ts';
import { type StaticPart, StaticProducer } from './static-producer.ts';

const log = new Logger('twisted-ts.web.static');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The options of `new File(path, options)` (Twisted's keyword arguments). */
export interface FileOptions {
  /** The type of a file whose extension is unknown (Twisted's default `'text/html'`). */
  defaultType?: string;
  /** Extensions to try when a child does not exist (`['.html']` serves `about.html` for `about`); `'*'` tries any. */
  ignoredExts?: readonly string[];
}

/** Makes a resource for a file with a given extension (Twisted's `File.processors`). */
export type FileProcessor = (path: string) => IResource;

/** Whether `path` is `root` or inside it. */
function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * A file or a directory served from disk. A directory's children are its entries; its index
 * (`index.html`…) or, without one, a listing answers for the directory itself. Files are sent
 * with their type, `Last-Modified` and `ETag` (304 for a conditional GET that matches), and
 * byte ranges (206, or 416 when none is satisfiable).
 *
 * Nothing outside the directory given to the first `File` is ever served: a path segment that
 * is `..`, holds a `/` or a NUL (however it was encoded) is not found, and a file or directory
 * whose real path (symbolic links resolved) leaves the root is not found either.
 *
 * @example
 * reactor.listenTCP(8080, new Site(new File('./public')));
 */
export class File extends Resource {
  /** The shared table of extensions to media types (Twisted's `File.contentTypes`). */
  static contentTypes: Record<string, string> = loadMimeTypes();
  /** Extensions that mean a content encoding (Twisted's `File.contentEncodings`). */
  static contentEncodings: Record<string, string> = { '.gz': 'gzip', '.bz2': 'bzip2' };

  /** The file's path (absolute). */
  readonly path: string;
  /** The type of a file whose extension is unknown. */
  defaultType: string;
  /** Extensions tried when a child does not exist. */
  ignoredExts: string[];
  /** Names tried, in order, for a directory's index. */
  indexNames: string[] = ['index', 'index.html', 'index.htm'];
  /** Resources for files by extension (`{ '.md': (path) => new Markdown(path) }`). */
  processors: Record<string, FileProcessor> = {};
  /** This file's table of extensions to media types (the shared one unless replaced). */
  contentTypes: Record<string, string> = File.contentTypes;
  /** This file's table of encodings. */
  contentEncodings: Record<string, string> = File.contentEncodings;
  /** The page for a child that does not exist. */
  childNotFound: IResource = new NoResource('File not found.');
  /** The page for a file that cannot be read. */
  forbidden: IResource = new ForbiddenResource();
  /** The media type, once known (set on first render). */
  type: string | undefined = undefined;
  /** The content encoding, once known (set on first render). */
  encoding: string | undefined = undefined;
  #root: string;

  /**
   * `new File(path, defaultType?, ignoredExts?)` (Twisted's order) or `new File(path, { defaultType, ignoredExts })`.
   *
   * @throws TypeError when `path` is not a string.
   */
  constructor(path: string, defaultTypeOrOptions?: string | FileOptions, ignoredExts?: readonly string[]) {
    super();
    if (typeof path !== 'string') throw invalidArgType('path', 'of type string', path);
    const options: FileOptions =
      typeof defaultTypeOrOptions === 'object' && defaultTypeOrOptions !== null
        ? defaultTypeOrOptions
        : { defaultType: defaultTypeOrOptions, ignoredExts };
    this.path = resolve(path);
    this.defaultType = options.defaultType ?? 'text/html';
    this.ignoredExts = [...(options.ignoredExts ?? [])];
    this.#root = File.#realpath(this.path) ?? this.path;
  }

  /** Serves `file.ext` when `file` is asked for and does not exist (Twisted's `ignoreExt`). */
  ignoreExt(ext: string): void {
    this.ignoredExts.push(ext);
  }

  /** The child `path` of a directory: a `File` for the entry, the index or listing for `''`. */
  override getChild(path: Buffer, _request: Request): IResource {
    let name: string;
    try {
      name = utf8.decode(path);
    } catch {
      return this.childNotFound;
    }
    if (!this.#isDirectory()) return this.childNotFound;
    let childPath: string | undefined;
    if (name === '') {
      childPath = this.indexNames.map((n) => join(this.path, n)).find((p) => this.#exists(p));
      if (childPath === undefined) return this.directoryListing();
    } else {
      // Each segment names one entry: no separators, no NUL, no way up (Twisted's InsecurePath).
      if (name === '.' || name === '..' || name.includes('/') || name.includes('\\') || name.includes('\0')) {
        return this.childNotFound;
      }
      childPath = join(this.path, name);
    }
    if (!this.#exists(childPath)) {
      childPath = this.#siblingWithExtension(childPath);
      if (childPath === undefined) return this.childNotFound;
    }
    const dot = basename(childPath).lastIndexOf('.');
    const processor = dot > 0 ? this.processors[basename(childPath).slice(dot)] : undefined;
    if (processor !== undefined) return processor(childPath);
    return this.createSimilarFile(childPath);
  }

  /** A `File` for `path` with this one's settings and root (Twisted's `createSimilarFile`). */
  createSimilarFile(path: string): File {
    const file = new (this.constructor as typeof File)(path, this.defaultType, this.ignoredExts);
    file.#setRoot(this.#root);
    file.indexNames = this.indexNames.slice();
    file.processors = this.processors;
    file.contentTypes = this.contentTypes;
    file.contentEncodings = this.contentEncodings;
    file.childNotFound = this.childNotFound;
    file.forbidden = this.forbidden;
    return file;
  }

  /** The HTML listing of the directory (Twisted's `directoryListing`). */
  directoryListing(): IResource {
    return new DirectoryLister(
      this.path,
      this.listNames(),
      this.contentTypes,
      this.contentEncodings,
      this.defaultType,
    );
  }

  /** The directory's entries, sorted (empty for a file). */
  listNames(): string[] {
    if (!this.#isDirectory()) return [];
    try {
      return readdirSync(this.path).sort();
    } catch {
      return [];
    }
  }

  /** Sends the file (or the ranges asked for); redirects a directory to its path with a slash. */
  render_GET(request: Request): string | Buffer | typeof NOT_DONE_YET {
    const real = File.#realpath(this.path);
    if (real === undefined || !within(this.#root, real)) return this.childNotFound.render(request) as string;
    let stats: Stats;
    try {
      stats = statSync(real);
    } catch {
      return this.childNotFound.render(request) as string;
    }
    if (stats.isDirectory()) return this.redirect(request);
    if (!stats.isFile()) return this.forbidden.render(request) as string;
    if (this.type === undefined) {
      [this.type, this.encoding] = getTypeAndEncoding(
        basename(this.path),
        this.contentTypes,
        this.contentEncodings,
        this.defaultType,
      );
    }
    request.setHeader('accept-ranges', 'bytes');
    let fd: number;
    try {
      fd = openSync(real, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') return this.forbidden.render(request) as string;
      throw err;
    }
    try {
      const opened = fstatSync(fd);
      const etag = `"${opened.size.toString(16)}-${Math.floor(opened.mtimeMs).toString(16)}"`;
      const notModifiedSince = request.setLastModified(opened.mtimeMs / 1000) === CACHED;
      const tagMatches = request.setETag(etag) === CACHED;
      const ifNoneMatch = request.getHeader('if-none-match') !== undefined;
      if (ifNoneMatch ? tagMatches : notModifiedSince) {
        closeSync(fd);
        return '';
      }
      if (request.code === 304) request.setResponseCode(200); // If-Modified-Since lost to If-None-Match
      if (request.method === 'HEAD') {
        this.#setContentHeaders(request, opened.size);
        closeSync(fd);
        return '';
      }
      new StaticProducer(request, fd, this.#parts(request, opened.size)).start();
      return NOT_DONE_YET;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** HEAD answers as GET without the body. */
  override render_HEAD(request: Request): string | Buffer | typeof NOT_DONE_YET {
    return this.render_GET(request);
  }

  /** Redirects to the request's URL with a trailing slash, keeping the query (Twisted's `redirect`). */
  redirect(request: Request): string {
    const q = request.uri.indexOf('?');
    const target = q === -1 ? `${request.uri}/` : `${request.uri.slice(0, q)}/${request.uri.slice(q)}`;
    return redirectTo(Buffer.from(target, 'latin1'), request);
  }

  #setContentHeaders(request: Request, size: number): void {
    request.setHeader('content-length', String(size));
    if (this.type !== undefined) request.setHeader('content-type', this.type);
    if (this.encoding !== undefined) request.setHeader('content-encoding', this.encoding);
  }

  /** The status, headers and body parts for the request's `Range` (Twisted's `makeProducer`). */
  #parts(request: Request, size: number): StaticPart[] {
    const header = request.getHeader('range');
    let ranges;
    if (header !== undefined) {
      try {
        ranges = parseRangeHeader(header);
      } catch (err) {
        log.info('Ignoring malformed Range header {range}: {reason}', {
          range: header,
          reason: (err as Error).message,
        });
      }
    }
    if (ranges === undefined) {
      this.#setContentHeaders(request, size);
      request.setResponseCode(200);
      return [{ offset: 0, length: size }];
    }
    const satisfiable = ranges.map((r) => rangeToOffsetAndSize(r, size)).filter(([, length]) => length > 0);
    if (satisfiable.length === 0) {
      request.setResponseCode(416);
      request.setHeader('content-range', `bytes */${size}`);
      request.setHeader('content-length', '0');
      return [];
    }
    request.setResponseCode(206);
    if (satisfiable.length === 1) {
      const [offset, length] = satisfiable[0];
      this.#setContentHeaders(request, length);
      request.setHeader('content-range', contentRange(offset, length, size));
      return [{ offset, length }];
    }
    const boundary = `${Date.now().toString(16)}${process.pid.toString(16)}${Math.random().toString(16).slice(2, 10)}`;
    const partType = this.type ?? 'bytes';
    const parts: StaticPart[] = [];
    let total = 0;
    for (const [offset, length] of satisfiable) {
      const separator = Buffer.from(
        `\r\n--${boundary}\r\nContent-type: ${partType}\r\nContent-range: ${contentRange(offset, length, size)}\r\n\r\n`,
        'latin1',
      );
      parts.push(separator, { offset, length });
      total += separator.length + length;
    }
    const closing = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
    parts.push(closing);
    request.setHeader('content-type', `multipart/byteranges; boundary="${boundary}"`);
    request.setHeader('content-length', String(total + closing.length));
    return parts;
  }

  #siblingWithExtension(path: string): string | undefined {
    for (const ext of this.ignoredExts) {
      if (ext === '*') {
        const base = basename(path);
        const dir = join(path, '..');
        let names: string[] = [];
        try {
          names = readdirSync(dir).sort();
        } catch {
          return undefined;
        }
        const match = names.find((n) => n.startsWith(`${base}.`));
        if (match !== undefined) return join(dir, match);
      } else if (this.#exists(path + ext)) {
        return path + ext;
      }
    }
    return undefined;
  }

  #isDirectory(): boolean {
    const real = File.#realpath(this.path);
    if (real === undefined || !within(this.#root, real)) return false;
    try {
      return statSync(real).isDirectory();
    } catch {
      return false;
    }
  }

  #exists(path: string): boolean {
    const real = File.#realpath(path);
    return real !== undefined && within(this.#root, real);
  }

  #setRoot(root: string): void {
    this.#root = root;
  }

  static #realpath(path: string): string | undefined {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  }
}
