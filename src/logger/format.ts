/**
 * Turning events into text (Twisted's `twisted.logger._format` and `_flatten`): `formatEvent`,
 * `eventAsText`, `formatTime`, and the flattening that keeps a JSON record formattable after its
 * field values are gone.
 *
 * @module
 */
import { inspect } from 'node:util';
import type { Failure } from '../failure.ts';
import type { LogEvent } from './event.ts';
import {
  flatKey,
  formatWithFields,
  parseFormat,
  reprValue,
  strValue,
  applySpec,
  fieldValue,
  type FormatField,
  type ParsedFormat,
} from './format-string.ts';

/** The time format of the text observers, as Twisted's `timeFormatRFC3339`. */
export const timeFormatRFC3339 = '%Y-%m-%dT%H:%M:%S%z';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function offsetText(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
}

/** `strftime` for the codes log formats use: `%Y %m %d %H %M %S %f %z %j %a %b %y %%`, in local time. */
function strftime(format: string, date: Date, micros: number): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return format.replace(/%([YmdHMSfzjaby%])/g, (_, code: string) => {
    switch (code) {
      case 'Y':
        return String(date.getFullYear());
      case 'y':
        return pad2(date.getFullYear() % 100);
      case 'm':
        return pad2(date.getMonth() + 1);
      case 'd':
        return pad2(date.getDate());
      case 'H':
        return pad2(date.getHours());
      case 'M':
        return pad2(date.getMinutes());
      case 'S':
        return pad2(date.getSeconds());
      case 'f':
        return String(micros).padStart(6, '0');
      case 'z':
        return offsetText(date);
      case 'j': {
        const start = new Date(date.getFullYear(), 0, 1);
        return String(Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1).padStart(3, '0');
      }
      case 'a':
        return days[date.getDay()];
      case 'b':
        return months[date.getMonth()];
      default:
        return '%';
    }
  });
}

// The text observers format the same second over and over: keep the last one.
let lastSecond = NaN;
let lastFormat: string | null = null;
let lastText = '';

/**
 * A timestamp as text, in local time (Twisted's `formatTime`): `2024-05-01T12:00:00+0000` by
 * default; `default` (`'-'`) when `when` or `timeFormat` is missing.
 */
export function formatTime(
  when: number | undefined | null,
  timeFormat: string | null = timeFormatRFC3339,
  defaultText = '-',
): string {
  if (timeFormat === null || when === undefined || when === null || !Number.isFinite(when))
    return defaultText;
  const second = Math.floor(when);
  if (!timeFormat.includes('%f') && second === lastSecond && timeFormat === lastFormat) return lastText;
  const date = new Date(second * 1000);
  const text = strftime(timeFormat, date, Math.round((when - second) * 1e6));
  if (!timeFormat.includes('%f')) {
    lastSecond = second;
    lastFormat = timeFormat;
    lastText = text;
  }
  return text;
}

/**
 * Pre-renders the fields of the event's format into `log_flattened` (Twisted's `flattenEvent`),
 * so that the text can still be made when the event is read back from JSON without its objects.
 */
export function flattenEvent(event: LogEvent): void {
  const format = event.log_format;
  if (typeof format !== 'string') return;
  let slots: readonly FlatSlot[];
  try {
    slots = flatSlotsOf(parseFormat(format));
  } catch {
    return;
  }
  const fields: Record<string, unknown> = event.log_flattened ?? {};
  let any = false;
  for (const { field, conversion, flattenedKey, structuredKey } of slots) {
    if (flattenedKey in fields) continue;
    let value: unknown;
    try {
      value = fieldValue(field, event);
    } catch {
      continue;
    }
    const text = conversion === 'r' ? reprValue(value) : strValue(value);
    fields[flattenedKey] = field.spec === '' ? text : safeSpec(value, text, field.spec);
    fields[structuredKey] = value;
    any = true;
  }
  if (any || event.log_flattened !== undefined) event.log_flattened = fields;
}

/** One field of a format with its two `log_flattened` keys (`name!s:spec`, `name!:spec`, `/2`… on repeats). */
interface FlatSlot {
  readonly field: FormatField;
  readonly conversion: 'r' | 's';
  readonly flattenedKey: string;
  readonly structuredKey: string;
}

// The keys depend on the format only: made once per parsed (cached) format, not per event.
const flatSlots = new WeakMap<ParsedFormat, readonly FlatSlot[]>();

function flatSlotsOf(parts: ParsedFormat): readonly FlatSlot[] {
  const cached = flatSlots.get(parts);
  if (cached !== undefined) return cached;
  const seen = new Map<string, number>();
  const keyFor = (base: string): string => {
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}/${n}`;
  };
  const slots: FlatSlot[] = [];
  for (const part of parts) {
    if (typeof part === 'string') continue;
    const conversion = part.conversion === 'r' ? 'r' : 's';
    slots.push({
      field: part,
      conversion,
      flattenedKey: keyFor(flatKey(part, conversion)),
      structuredKey: keyFor(flatKey(part, '')),
    });
  }
  flatSlots.set(parts, slots);
  return slots;
}

function safeSpec(value: unknown, text: string, spec: string): string {
  try {
    return applySpec(value, text, spec);
  } catch {
    return text;
  }
}

/** Formats a flattened event from its `log_flattened` values (Twisted's `flatFormat`). */
function flatFormat(event: LogEvent): string {
  const fields = event.log_flattened!;
  const seen = new Map<string, number>();
  let out = '';
  for (const part of parseFormat(event.log_format as string)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const base = flatKey(part, part.conversion === '' ? 's' : part.conversion);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const key = n === 1 ? base : `${base}/${n}`;
    if (!(key in fields)) throw new Error(`KeyError: ${JSON.stringify(key)}`);
    out += String(fields[key]);
  }
  return out;
}

function formatUnformattableEvent(event: LogEvent, error: unknown): string {
  try {
    const reason = error instanceof Error ? error.message : String(error);
    return `Unable to format event ${inspect(event, { breakLength: Infinity, depth: 2 })}: ${reason}`;
  } catch {
    return 'MESSAGE LOST: unformattable object logged';
  }
}

function formatText(event: LogEvent): string {
  try {
    const format = event.log_format;
    if (format === undefined || format === null) return '';
    if (typeof format !== 'string')
      throw new TypeError(`Log format must be a string, not ${reprValue(format)}`);
    if (event.log_flattened !== undefined && typeof event.log_flattened === 'object') {
      try {
        return flatFormat(event);
      } catch {
        // A flattened record missing a key: fall back to the fields themselves.
      }
    }
    return formatWithFields(format, event);
  } catch (e) {
    return formatUnformattableEvent(event, e);
  }
}

/**
 * The text of an event from its `log_format` and fields (Twisted's `formatEvent`): never throws;
 * an event that cannot be formatted gives a text that says so and shows the event.
 */
export function formatEvent(event: LogEvent): string {
  return formatText(event);
}

function formatTraceback(failure: Failure | unknown): string {
  try {
    const f = failure as { getTraceback?: () => string };
    if (typeof f.getTraceback === 'function') return f.getTraceback();
    return String(failure);
  } catch (e) {
    return `(UNABLE TO OBTAIN TRACEBACK FROM EVENT):${String(e)}`;
  }
}

/** The `[system]` of an event: `log_system`, else `namespace#level` (each `-` when missing). */
export function formatSystem(event: LogEvent): string {
  const system = event.log_system;
  if (system === undefined || system === null) {
    const level = event.log_level;
    const levelName = level === undefined || level === null ? '-' : (level as { name: string }).name;
    return `${event.log_namespace ?? '-'}#${levelName}`;
  }
  try {
    return String(system);
  } catch {
    return 'UNFORMATTABLE';
  }
}

/** What {@link eventAsText} includes. */
export interface EventAsTextOptions {
  /** Append the traceback of `log_failure` (default true). */
  includeTraceback?: boolean;
  /** Start with the timestamp (default true). */
  includeTimestamp?: boolean;
  /** Include `[system]` (default true). */
  includeSystem?: boolean;
  /** How to format `log_time` (default {@link formatTime}). */
  formatTime?: (when: number | undefined) => string;
}

/**
 * An event as one text (Twisted's `eventAsText`): `<time> [<system>] <text>`, then the traceback
 * when the event carries a failure. An event with neither text nor failure gives `''`.
 */
export function eventAsText(event: LogEvent, options: EventAsTextOptions = {}): string {
  let text = formatText(event);
  if (options.includeTraceback !== false && event.log_failure !== undefined) {
    text = `${text}\n${formatTraceback(event.log_failure)}`;
  }
  if (text === '') return text;
  let prefix = '';
  if (options.includeTimestamp !== false) {
    prefix = `${(options.formatTime ?? formatTime)(event.log_time)} `;
  }
  if (options.includeSystem !== false) prefix += `[${formatSystem(event)}] `;
  return prefix + text;
}

/**
 * One line of a classic log file, `<time> [<system>] <text>\n` with continuation lines indented
 * by a tab (Twisted's `formatEventAsClassicLogText`); `undefined` when the event has no text.
 */
export function formatEventAsClassicLogText(
  event: LogEvent,
  timeFormatter: (when: number | undefined) => string = formatTime,
): string | undefined {
  const text = eventAsText(event, { formatTime: timeFormatter });
  if (text === '') return undefined;
  return `${text.includes('\n') ? text.replaceAll('\n', '\n\t') : text}\n`;
}
