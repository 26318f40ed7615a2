/**
 * `Data` (Twisted's `static.Data`): a resource that serves fixed bytes with a fixed type.
 *
 * @module
 */
import { invalidArgType } from '../validate.ts';
import { type BytesLike, toBuffer } from './bytes.ts';
import type { Request } from './request.ts';
import { Resource } from './resource.ts';

/**
 * Serves `data` with `Content-Type: type` to GET and HEAD.
 *
 * @example
 * root.putChild('robots.txt', new Data('User-agent: *\nDisallow: /\n', 'text/plain'));
 */
export class Data extends Resource {
  /** The bytes served. */
  data: Buffer;
  /** Their media type. */
  type: string;

  /**
   * @param data - the body (a string is sent as UTF-8).
   * @param type - its media type (`'text/plain; charset=utf-8'`).
   */
  constructor(data: BytesLike, type: string) {
    super();
    if (typeof type !== 'string') throw invalidArgType('type', 'of type string', type);
    this.data = toBuffer(data, 'data');
    this.type = type;
  }

  /** The data, with its type and length. */
  render_GET(request: Request): Buffer {
    request.setHeader('content-type', this.type);
    request.setHeader('content-length', String(this.data.length));
    return request.method === 'HEAD' ? Buffer.alloc(0) : this.data;
  }
}
