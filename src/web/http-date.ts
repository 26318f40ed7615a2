/**
 * HTTP dates (Twisted's `http.datetimeToString`, `http.stringToDatetime`,
 * `http.datetimeToLogString`), in seconds since the epoch as the rest of the API.
 *
 * @module
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

let cachedSecond = NaN;
let cachedString = '';

/**
 * An HTTP date (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) for `seconds` since the
 * epoch, or for now. The string for the current second is cached.
 */
export function datetimeToString(seconds?: number): string {
  const when = seconds ?? Date.now() / 1000;
  const second = Math.floor(when);
  if (second !== cachedSecond) {
    cachedString = new Date(second * 1000).toUTCString();
    cachedSecond = second;
  }
  return cachedString;
}

/** A date as the combined log format writes it: `[06/Nov/1994:08:49:37 +0000]`. */
export function datetimeToLogString(seconds?: number): string {
  const d = new Date(Math.floor(seconds ?? Date.now() / 1000) * 1000);
  return (
    `[${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000]`
  );
}

// RFC 9110 5.6.7 accepts three forms: IMF-fixdate, the obsolete RFC 850 form and asctime's.
const IMF = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function monthIndex(name: string): number {
  const i = MONTHS.indexOf(name[0].toUpperCase() + name.slice(1).toLowerCase());
  if (i < 0) throw new RangeError(`Not an HTTP date: unknown month ${JSON.stringify(name)}`);
  return i;
}

/**
 * Seconds since the epoch for an HTTP date in any of the three forms RFC 9110 accepts
 * (Twisted's `stringToDatetime`).
 *
 * @throws RangeError when `text` is not an HTTP date.
 */
export function stringToDatetime(text: string): number {
  const s = text.trim();
  let m = IMF.exec(s);
  if (m !== null) return Date.UTC(+m[3], monthIndex(m[2]), +m[1], +m[4], +m[5], +m[6]) / 1000;
  m = RFC850.exec(s);
  if (m !== null) {
    // Two-digit years: RFC 9110 says a year more than 50 years ahead is in the past century.
    let year = 2000 + Number(m[3]);
    if (year > new Date().getUTCFullYear() + 50) year -= 100;
    return Date.UTC(year, monthIndex(m[2]), +m[1], +m[4], +m[5], +m[6]) / 1000;
  }
  m = ASCTIME.exec(s);
  if (m !== null) return Date.UTC(+m[6], monthIndex(m[1]), +m[2], +m[3], +m[4], +m[5]) / 1000;
  throw new RangeError(`Not an HTTP date: ${JSON.stringify(text)}`);
}
