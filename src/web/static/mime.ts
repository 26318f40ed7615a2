/**
 * Media types by file extension for `File` (Twisted's `static.loadMimeTypes` and
 * `getTypeAndEncoding`). The table comes from `mime-types` (the jshttp database browsers and
 * Express use; docs/decisions.md says why) with Twisted's own additions on top.
 *
 * @module
 */
import mime from 'mime-types';

// What Twisted's loadMimeTypes adds over Python's mimetypes.
const twistedExtras: Record<string, string> = {
  '.conf': 'text/plain',
  '.diff': 'text/plain',
  '.flac': 'audio/x-flac',
  '.java': 'text/plain',
  '.oz': 'text/x-oz',
  '.swf': 'application/x-shockwave-flash',
  '.wml': 'text/vnd.wap.wml',
  '.xul': 'application/vnd.mozilla.xul+xml',
  '.patch': 'text/plain',
};

/**
 * A table from extensions (with their dot, lower case: `'.html'`) to media types, as Twisted's
 * `loadMimeTypes()` returns it. `extra` entries override.
 */
export function loadMimeTypes(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const table: Record<string, string> = Object.create(null);
  for (const [ext, type] of Object.entries(mime.types)) table[`.${ext}`] = type;
  Object.assign(table, twistedExtras, extra);
  return table;
}

/**
 * The media type and content encoding of `filename` (Twisted's `getTypeAndEncoding`): a
 * compression suffix (`.gz`) gives the encoding and the extension before it the type.
 */
export function getTypeAndEncoding(
  filename: string,
  types: Readonly<Record<string, string>>,
  encodings: Readonly<Record<string, string>>,
  defaultType: string,
): [type: string, encoding: string | undefined] {
  let name = filename;
  let ext = extension(name);
  let encoding: string | undefined;
  if (ext !== '' && Object.hasOwn(encodings, ext)) {
    encoding = encodings[ext];
    name = name.slice(0, -ext.length);
    ext = extension(name);
  }
  const type = ext !== '' && Object.hasOwn(types, ext) ? types[ext] : defaultType;
  return [type, encoding];
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  // A leading dot (`.profile`) is a hidden file's name, not an extension (Python's splitext).
  if (dot <= 0 || dot < name.lastIndexOf('/') + 2) return '';
  return name.slice(dot).toLowerCase();
}
