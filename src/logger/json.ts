/**
 * JSON log records (Twisted's `twisted.logger._json`): `jsonFileLogObserver` writes each event
 * as `RS JSON LF` (RFC 7464 JSON text sequences, `RS` = `\x1e`), `eventsFromJSONLogFile` reads
 * them back. The encoding is Twisted's: a level is `{"name", "__class_uuid__"}`, a failure is
 * Twisted's failure dictionary, objects that are not data are `{"unpersistable": true}`, and
 * `log_flattened` keeps the text formattable; files written by Python Twisted read back here and
 * the other way round.
 *
 * @module
 */
import { Failure } from '../failure.ts';
import type { LogEvent } from './event.ts';
import { FileLogObserver, type LogWritable } from './file-log-observer.ts';
import { flattenEvent } from './format.ts';
import { LogLevel, LOG_LEVEL_UUID } from './levels.ts';

const FAILURE_UUID = 'e76887e2-20ed-49bf-a8f8-ba25cc586f2d';
const UNPERSISTABLE = Object.freeze({ unpersistable: true });
/** Each level's JSON form, made once. */
const LEVEL_JSON = Object.freeze(
  Object.fromEntries(LogLevel.iterconstants().map((level) => [level.name, Object.freeze(level.toJSON())])),
) as Readonly<Record<string, unknown>>;

/** A stack line → Twisted's frame `[function, file, line, [], []]`. */
function framesOf(error: Error): [string, string, number, [], []][] {
  const frames: [string, string, number, [], []][] = [];
  for (const line of (error.stack ?? '').split('\n')) {
    const m = /^\s*at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/.exec(line);
    if (m !== null) frames.push([m[1] ?? '<module>', m[2], Number(m[3]), [], []]);
  }
  return frames;
}

/** A failure as Twisted's JSON observer writes one (its `__getstate__` plus the type). */
export function failureAsJSON(failure: Failure): Record<string, unknown> {
  const error = failure.value;
  const parents: string[] = [];
  for (
    let c: unknown = error.constructor;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    parents.push(`builtins.${(c as { name: string }).name}`);
  }
  return {
    count: 1,
    type: { __module__: 'builtins', __name__: error.name },
    value: error.message,
    captureVars: false,
    frames: framesOf(error),
    stack: [],
    tb: null,
    parents,
    pickled: 1,
    __class_uuid__: FAILURE_UUID,
  };
}

/** A `Failure` rebuilt from Twisted's failure dictionary: an Error with the type's name, the message and the frames as its stack. */
export function failureFromJSON(dict: Record<string, unknown>): Failure {
  const type = (dict.type ?? {}) as { __name__?: unknown };
  const name = typeof type.__name__ === 'string' ? type.__name__ : 'Error';
  const value = dict.value;
  const message = typeof value === 'string' ? value : '';
  const error = new Error(message);
  error.name = name;
  const frames = Array.isArray(dict.frames) ? (dict.frames as unknown[][]) : [];
  error.stack = [
    `${name}${message ? `: ${message}` : ''}`,
    ...frames.map((f) => `    at ${String(f[0])} (${String(f[1])}:${String(f[2])})`),
  ].join('\n');
  return new Failure(error);
}

/** A field value in the form JSON can carry (shallow: nested data is left to `JSON.stringify`). */
function persistable(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return UNPERSISTABLE;
    return value;
  }
  if (value instanceof Failure) return failureAsJSON(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    // As Twisted's `bytes.decode("charmap")`: one character per byte.
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Called here rather than by JSON.stringify (the same result): a record of plain data keeps
    // V8 on its fast serialisation path, which a toJSON method anywhere (every event's level
    // and logger have one) makes it leave. A toJSON that throws loses its field only.
    if (value instanceof LogLevel) return LEVEL_JSON[value.name];
    try {
      return (toJSON as (key: string) => unknown).call(value, key);
    } catch {
      return UNPERSISTABLE;
    }
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null || Array.isArray(value)) return value;
  return UNPERSISTABLE;
}

function safeStringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record);
  } catch {
    // A cycle or a throwing toJSON deep inside a field: keep what can be kept.
    const seen = new WeakSet<object>();
    return JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value !== null && typeof value === 'object') {
        if (seen.has(value)) return UNPERSISTABLE;
        seen.add(value);
      }
      return value;
    });
  }
}

/**
 * An event as one line of JSON (Twisted's `eventAsJSON`): flattened first (so `log_flattened`
 * holds the rendered fields), with levels, failures and objects encoded as Twisted encodes them.
 */
export function eventAsJSON(event: LogEvent): string {
  flattenEvent(event);
  const record: Record<string, unknown> = {};
  for (const key in event) {
    const value = event[key];
    if (value === undefined) {
      // Python writes None for the log_* keys it always sets.
      if (key === 'log_source' || key === 'log_format') record[key] = null;
      continue;
    }
    if (key === 'log_flattened' && value !== null && typeof value === 'object') {
      const flat: Record<string, unknown> = {};
      for (const k in value as Record<string, unknown>)
        flat[k] = persistable((value as Record<string, unknown>)[k], k);
      record[key] = flat;
      continue;
    }
    record[key] = persistable(value, key);
  }
  return safeStringify(record);
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const uuid = (value as { __class_uuid__?: unknown }).__class_uuid__;
    if (typeof uuid === 'string') {
      const id = uuid.toLowerCase();
      if (id === LOG_LEVEL_UUID) {
        const name = (value as { name?: unknown }).name;
        return typeof name === 'string' && LogLevel.isLogLevel(LogLevel[name as 'info'])
          ? LogLevel[name as 'info']
          : undefined;
      }
      if (id === FAILURE_UUID) return failureFromJSON(value as Record<string, unknown>);
    }
  }
  return value;
}

/** An event from one JSON record (Twisted's `eventFromJSON`): levels become the `LogLevel` constants, failures `Failure`s. */
export function eventFromJSON(text: string): LogEvent {
  return JSON.parse(text, reviver) as LogEvent;
}

/**
 * An observer writing each event as `RS JSON LF` (Twisted's `jsonFileLogObserver`); the
 * separator is `\x1e` by default.
 *
 * @example
 * globalLogBeginner.beginLoggingTo([jsonFileLogObserver(new LogFile('app.json', '/var/log/app'))]);
 */
export function jsonFileLogObserver(stream: LogWritable, recordSeparator = '\x1e'): FileLogObserver {
  return new FileLogObserver(stream, (event) => `${recordSeparator}${eventAsJSON(event)}\n`);
}

/** Reports an unreadable record (as Twisted's reader logs one and goes on). */
export type BadRecordHandler = (reason: string, record: Buffer) => void;

/**
 * The events of a JSON log (Twisted's `eventsFromJSONLogFile`), read from a Node stream or any
 * async iterable of chunks. The separator is detected from the first byte when not given
 * (`\x1e`, else one record per line). Truncated or unreadable records are skipped, each reported
 * to `onBadRecord` (default: a `log_namespace: 'twisted-ts.logger'` error through `console.error`-free
 * stderr line).
 *
 * @example
 * for await (const event of eventsFromJSONLogFile(fs.createReadStream('app.json'))) {
 *   console.log(formatEvent(event));
 * }
 */
export async function* eventsFromJSONLogFile(
  stream: AsyncIterable<Uint8Array | string>,
  recordSeparator?: string,
  onBadRecord: BadRecordHandler = (reason, record) =>
    process.stderr.write(`twisted-ts: ${reason}: ${JSON.stringify(record.toString('utf8').slice(0, 200))}\n`),
): AsyncGenerator<LogEvent, void, undefined> {
  let separator: number | undefined =
    recordSeparator === undefined ? undefined : Buffer.from(recordSeparator)[0];
  let lineMode = recordSeparator === '';
  let buffer: Buffer = Buffer.alloc(0);
  const decode = (record: Buffer): LogEvent | undefined => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(record);
    } catch {
      onBadRecord('Unable to decode UTF-8 for JSON record', record);
      return undefined;
    }
    try {
      return eventFromJSON(text);
    } catch {
      onBadRecord('Unable to read JSON record', record);
      return undefined;
    }
  };
  const fromRecord = (record: Buffer): LogEvent | undefined => {
    if (lineMode) return decode(record);
    if (record[record.length - 1] === 0x0a) return decode(record);
    onBadRecord('Unable to read truncated JSON record', record);
    return undefined;
  };
  for await (const chunk of stream) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) continue;
    if (separator === undefined && !lineMode) {
      if (bytes[0] === 0x1e) separator = 0x1e;
      else lineMode = true;
    }
    if (lineMode) separator = 0x0a;
    buffer = buffer.length === 0 ? bytes : Buffer.concat([buffer, bytes]);
    let start = 0;
    for (let i = buffer.indexOf(separator!, start); i !== -1; i = buffer.indexOf(separator!, start)) {
      const record = buffer.subarray(start, i);
      start = i + 1;
      if (record.length === 0) continue;
      const event = fromRecord(record);
      if (event !== undefined) yield event;
    }
    buffer = buffer.subarray(start);
  }
  if (buffer.length > 0) {
    const event = fromRecord(buffer);
    if (event !== undefined) yield event;
  }
}
