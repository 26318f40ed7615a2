/**
 * The access log (Twisted's `http.combinedLogFormatter` and `HTTPFactory.log`): one line per
 * finished request in the combined format, to the logger or to a file.
 *
 * @module
 */
import type { HTTPRequest } from './http-request.ts';

/**
 * Makes the line for one request (Twisted's `IAccessLogFormatter`): `timestamp` is the date as
 * `datetimeToLogString` writes it.
 */
export type AccessLogFormatter = (timestamp: string, request: HTTPRequest) => string;

/**
 * A string as Twisted's `_escape` shows it: printable ASCII as is, `"` and `\` escaped, any
 * other byte as `\xNN`, so a line can never be split or forged by a header's content.
 */
export function escapeLogField(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92) out += `\\${text[i]}`;
    else if (c >= 0x20 && c < 0x7f) out += text[i];
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x100) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

function headerText(request: HTTPRequest, name: string): string {
  const value = request.getHeader(Buffer.from(name));
  return value === undefined || value.length === 0 ? '-' : value.toString('latin1');
}

/**
 * The combined log format, as Twisted writes it (the client address in quotes):
 * `"127.0.0.1" - - [28/Jul/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.0"`.
 */
export const combinedLogFormatter: AccessLogFormatter = (timestamp, request) => {
  const client = request.getClientAddress();
  const ip = 'host' in client ? client.host : '-';
  return (
    `"${escapeLogField(ip)}" - - ${timestamp} ` +
    `"${escapeLogField(request.method)} ${escapeLogField(request.uri)} ${escapeLogField(request.clientproto)}" ` +
    `${request.code} ${request.sentLength || '-'} ` +
    `"${escapeLogField(headerText(request, 'referer'))}" "${escapeLogField(headerText(request, 'user-agent'))}"`
  );
};
