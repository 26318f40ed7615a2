/**
 * The form values of a POST body (Twisted's argument processing in
 * `http.Request.requestReceived`): `application/x-www-form-urlencoded` is parsed here,
 * `multipart/form-data` by `@fastify/busboy` (a streaming MIME parser; docs/decisions.md says
 * why). Every part's value is kept as bytes, file or not, as Twisted keeps them.
 *
 * @internal
 * @module
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { byteStringToText, parseQueryString } from './bytes.ts';
import type { RequestContent } from './request-content.ts';

/** The form could not be parsed: the request answers 400 (Twisted's `_respondToBadRequestAndDisconnect`). */
export class MalformedFormError extends Error {}

/** The media type of a `Content-Type` value, lower case, without parameters. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

const READ_SIZE = 65536;

function* chunksOf(content: RequestContent): Generator<Buffer> {
  content.seek(0);
  for (;;) {
    const chunk = content.read(READ_SIZE);
    if (chunk.length === 0) return;
    yield chunk;
  }
}

/**
 * The form values of a body of type `contentType`, or `undefined` when it is not a form.
 * A urlencoded body answers at once; a multipart one with a Promise.
 *
 * @throws MalformedFormError (or rejects with it) when the multipart body cannot be parsed.
 */
export function parseForm(
  contentType: string,
  content: RequestContent,
): Record<string, Buffer[]> | Promise<Record<string, Buffer[]>> | undefined {
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    content.seek(0);
    const form = parseQueryString(content.read().toString('latin1'));
    content.seek(0);
    return form;
  }
  if (type === 'multipart/form-data') return parseMultipart(contentType, content);
  return undefined;
}

async function parseMultipart(
  contentType: string,
  content: RequestContent,
): Promise<Record<string, Buffer[]>> {
  const form: Record<string, Buffer[]> = Object.create(null);
  let parser;
  try {
    parser = Busboy({
      headers: { 'content-type': contentType },
      // Every part is read as raw bytes, as Twisted keeps them, whatever its declared charset.
      isPartAFile: () => true,
      limits: { fieldNameSize: 1024 },
    });
  } catch (err) {
    throw new MalformedFormError(`Cannot parse the form: ${(err as Error).message}`, { cause: err });
  }
  const pending: Promise<void>[] = [];
  parser.on('file', (fieldName, stream) => {
    // Names arrive decoded as latin1 (one character per byte); keys of `args` are UTF-8 text.
    const key = byteStringToText(fieldName);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    pending.push(
      new Promise<void>((resolve, reject) => {
        stream.on('end', () => {
          (Object.hasOwn(form, key) ? form[key] : (form[key] = [])).push(Buffer.concat(chunks));
          resolve();
        });
        stream.on('error', reject);
      }),
    );
  });
  try {
    await pipeline(Readable.from(chunksOf(content)), parser);
    await Promise.all(pending);
  } catch (err) {
    throw new MalformedFormError(`Cannot parse the form: ${(err as Error).message}`, { cause: err });
  } finally {
    content.seek(0);
  }
  return form;
}
