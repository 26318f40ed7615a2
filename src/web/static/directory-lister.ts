/**
 * `DirectoryLister` (Twisted's `static.DirectoryLister`): the HTML listing of a directory that
 * has no index file.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { byteStringToText, unquoteBytes } from '../bytes.ts';
import type { Request } from '../request.ts';
import { escapeHTML, Resource } from '../resource.ts';
import { getTypeAndEncoding } from './mime.ts';

/** A size as Twisted's `formatFileSize` writes it: `512B`, `3K`, `12M`, `1G`. */
export function formatFileSize(size: number): string {
  if (size < 1024) return `${size}B`;
  if (size < 1024 ** 2) return `${Math.floor(size / 1024)}K`;
  if (size < 1024 ** 3) return `${Math.floor(size / 1024 ** 2)}M`;
  return `${Math.floor(size / 1024 ** 3)}G`;
}

const STYLE = `.even-dir { background-color: #efe0ef }
.even { background-color: #eee }
.odd-dir {background-color: #f0d0ef }
.odd { background-color: #dedede }
.icon { text-align: center }
.listing {
    margin-left: auto;
    margin-right: auto;
    width: 50%;
    padding: 0.1em;
    }
body { border: 0; padding: 0; margin: 0; background-color: #efefef; }
h1 {padding: 0.1em; background-color: #777; color: white; border-bottom: thin white dashed;}`;

interface Row {
  text: string;
  href: string;
  size: string;
  type: string;
  encoding: string;
}

/** Renders a directory's entries as an HTML table (name, size, type, encoding). */
export class DirectoryLister extends Resource {
  /** The directory listed. */
  readonly path: string;
  /** The entries to list (all of the directory's when `undefined`). */
  readonly dirs: readonly string[] | undefined;
  readonly #types: Readonly<Record<string, string>>;
  readonly #encodings: Readonly<Record<string, string>>;
  readonly #defaultType: string;

  constructor(
    path: string,
    dirs: readonly string[] | undefined,
    contentTypes: Readonly<Record<string, string>>,
    contentEncodings: Readonly<Record<string, string>>,
    defaultType = 'text/html',
  ) {
    super();
    this.path = path;
    this.dirs = dirs;
    this.#types = contentTypes;
    this.#encodings = contentEncodings;
    this.#defaultType = defaultType;
  }

  /** The listing page. */
  override render(request: Request): string {
    request.setHeader('content-type', 'text/html; charset=utf-8');
    const dirs: Row[] = [];
    const files: Row[] = [];
    for (const name of this.dirs ?? []) {
      const href = encodeURIComponent(name);
      let stats;
      try {
        stats = statSync(join(this.path, name));
      } catch {
        continue;
      }
      if (stats.isDirectory()) {
        dirs.push({
          text: `${escapeHTML(name)}/`,
          href: `${href}/`,
          size: '',
          type: '[Directory]',
          encoding: '',
        });
      } else {
        const [type, encoding] = getTypeAndEncoding(name, this.#types, this.#encodings, this.#defaultType);
        files.push({
          text: escapeHTML(name),
          href,
          size: formatFileSize(stats.size),
          type: `[${escapeHTML(type)}]`,
          encoding: encoding === undefined ? '' : `[${escapeHTML(encoding)}]`,
        });
      }
    }
    const rows = [...dirs, ...files]
      .map(
        (row, i) =>
          `<tr class="${i % 2 === 0 ? 'odd' : 'even'}">\n    <td><a href="${row.href}">${row.text}</a></td>\n` +
          `    <td>${row.size}</td>\n    <td>${row.type}</td>\n    <td>${row.encoding}</td>\n</tr>\n`,
      )
      .join('');
    const header = `Directory listing for ${escapeHTML(byteStringToText(unquoteBytes(request.uri)))}`;
    return (
      `<html>\n<head>\n<title>${header}</title>\n<style>\n${STYLE}\n</style>\n</head>\n<body>\n<h1>${header}</h1>\n` +
      `<table>\n    <thead>\n        <tr>\n            <th>Filename</th>\n            <th>Size</th>\n` +
      `            <th>Content type</th>\n            <th>Content encoding</th>\n        </tr>\n    </thead>\n` +
      `    <tbody>\n${rows}    </tbody>\n</table>\n</body>\n</html>\n`
    );
  }
}
