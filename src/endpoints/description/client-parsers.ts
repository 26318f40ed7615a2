/**
 * The client endpoint types of the description grammar, one parser per type, each turning the
 * arguments into a checked description with Twisted's defaults (`_parseClientTCP`,
 * `_parseClientSSL`, `_parseClientUNIX`, `_parseClientTLS`).
 *
 * @internal
 */
import { EndpointSyntaxError } from '../../errors/endpoints.ts';
import { parseArguments, type ParsedDescription } from './arguments.ts';
import { ArgumentReader } from './argument-reader.ts';
import { unknownType } from './unknown-type.ts';

/** `tcp:` clients. */
export interface TCPClientDescription {
  /** The endpoint type. */
  readonly type: 'tcp';
  /** The host name or address to connect to. */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** Seconds to wait for the connection (default 30). */
  readonly timeout: number;
  /** The local address to connect from, as `[address, 0]` (Twisted fixes no local port), or `undefined`. */
  readonly bindAddress: readonly [string, number] | undefined;
}

/** `ssl:` clients: `tcp:` plus the TLS settings, read from files. */
export interface SSLClientDescription extends Omit<TCPClientDescription, 'type'> {
  /** The endpoint type. */
  readonly type: 'ssl';
  /** Path of a PEM client certificate (with its key unless `privateKey` is given), or `undefined`. */
  readonly certKey: string | undefined;
  /** Path of the client certificate's PEM private key, or `undefined`. */
  readonly privateKey: string | undefined;
  /** A directory whose `*.pem` files are the trusted authorities, or `undefined`. */
  readonly caCertsDir: string | undefined;
  /** The name to verify the server's certificate against, or `undefined` (no verification, as Twisted). */
  readonly hostname: string | undefined;
}

/** `unix:` clients. */
export interface UNIXClientDescription {
  /** The endpoint type. */
  readonly type: 'unix';
  /** The socket's path. */
  readonly path: string;
  /** Seconds to wait for the connection (default 30). */
  readonly timeout: number;
  /** Whether to check the server's `<path>.lock` file first (`lockfile=1`). */
  readonly checkPID: boolean;
}

/** `tls:` clients: any client endpoint (a {@link HostnameEndpoint} by default) wrapped in TLS. */
export interface TLSClientDescription {
  /** The endpoint type. */
  readonly type: 'tls';
  /** The host to connect to; also the name the server's certificate must carry. */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** Seconds to wait for each connection attempt (default 30). */
  readonly timeout: number;
  /** The local address to connect from, or `undefined`. */
  readonly bindAddress: string | undefined;
  /** Path of a PEM client certificate, or `undefined`. */
  readonly certificate: string | undefined;
  /** Path of its PEM private key (default: the certificate's file), or `undefined`. */
  readonly privateKey: string | undefined;
  /** A directory of `*.pem` trusted authorities (default: the platform's), or `undefined`. */
  readonly trustRoots: string | undefined;
  /** The endpoint to wrap instead of a host-name endpoint (`endpoint=tcp\:…`), or `undefined`. */
  readonly endpoint: ClientDescription | undefined;
}

/** Any client description. */
export type ClientDescription =
  TCPClientDescription | SSLClientDescription | UNIXClientDescription | TLSClientDescription;

type ClientParser = (parsed: ParsedDescription) => ClientDescription;

const MAX_TIMEOUT = 2 ** 31 / 1000;

function checkedTimeout(args: ArgumentReader): number {
  const timeout = args.seconds('timeout', 30);
  if (timeout > MAX_TIMEOUT) {
    throw args.error('timeout', `"${args.type}:timeout" must be at most ${MAX_TIMEOUT} seconds`);
  }
  return timeout;
}

/**
 * Twisted's `_parseClientTCP` positional rules: `tcp:host:port`, `tcp:host:port=80` and
 * `tcp:host=h:80` all work, as Python's binding of `(host, port)` would.
 */
function readHostAndPort(parsed: ParsedDescription, type: string, extra: readonly string[]): ArgumentReader {
  const positionalParameters =
    parsed.positional.length === 1 && parsed.named.has('host') ? ['port'] : ['host', 'port'];
  return new ArgumentReader(parsed, {
    type,
    parameters: [
      ...positionalParameters,
      ...['host', 'port', 'timeout', 'bindAddress', ...extra].filter(
        (p) => !positionalParameters.includes(p),
      ),
    ],
    positional: positionalParameters.length,
    example: `${type}:host=example.com:port=443`,
  });
}

function tcpFields(args: ArgumentReader): Omit<TCPClientDescription, 'type'> {
  const bindAddress = args.address('bindAddress', undefined, false);
  return {
    host: args.nonEmpty('host'),
    port: args.port('port', 1),
    timeout: checkedTimeout(args),
    bindAddress: bindAddress === undefined ? undefined : [bindAddress, 0],
  };
}

function tcp(parsed: ParsedDescription): TCPClientDescription {
  return { type: 'tcp', ...tcpFields(readHostAndPort(parsed, 'tcp', [])) };
}

function ssl(parsed: ParsedDescription): SSLClientDescription {
  const args = readHostAndPort(parsed, 'ssl', ['certKey', 'privateKey', 'caCertsDir', 'hostname']);
  const certKey = args.string('certKey', undefined);
  if (certKey === undefined && args.has('privateKey')) {
    throw args.error('privateKey', '"ssl:privateKey" needs certKey=<certificate file> too');
  }
  return {
    type: 'ssl',
    ...tcpFields(args),
    certKey,
    privateKey: args.string('privateKey', undefined),
    caCertsDir: args.string('caCertsDir', undefined),
    hostname: args.has('hostname') ? args.nonEmpty('hostname') : undefined,
  };
}

function unix(parsed: ParsedDescription): UNIXClientDescription {
  const args = new ArgumentReader(parsed, {
    type: 'unix',
    parameters: ['path', 'timeout', 'lockfile'],
    positional: 1,
    example: 'unix:path=/run/app.sock',
  });
  return {
    type: 'unix',
    path: args.nonEmpty('path'),
    timeout: checkedTimeout(args),
    checkPID: args.flag('lockfile', false),
  };
}

function tls(parsed: ParsedDescription): TLSClientDescription {
  const args = new ArgumentReader(parsed, {
    type: 'tls',
    parameters: [
      'host',
      'port',
      'timeout',
      'bindAddress',
      'certificate',
      'privateKey',
      'trustRoots',
      'endpoint',
    ],
    example: 'tls:example.com:443',
  });
  const certificate = args.string('certificate', undefined);
  if (certificate === undefined && args.has('privateKey')) {
    throw args.error('privateKey', '"tls:privateKey" needs certificate=<certificate file> too');
  }
  return {
    type: 'tls',
    host: args.nonEmpty('host'),
    port: args.port('port', 1),
    timeout: checkedTimeout(args),
    bindAddress: args.address('bindAddress', undefined, false),
    certificate,
    privateKey: args.string('privateKey', undefined),
    trustRoots: args.string('trustRoots', undefined),
    endpoint: wrappedEndpoint(args),
  };
}

/** `endpoint=` holds a whole (escaped) client description; its errors point at that argument. */
function wrappedEndpoint(args: ArgumentReader): ClientDescription | undefined {
  const inner = args.string('endpoint', undefined);
  if (inner === undefined) return undefined;
  try {
    return parseClientDescription(inner);
  } catch (err) {
    if (!(err instanceof EndpointSyntaxError)) throw err;
    throw args.error('endpoint', `the wrapped endpoint ${JSON.stringify(inner)} is bad: ${err.reason}`, err);
  }
}

const clientParsers = new Map<string, ClientParser>(Object.entries({ tcp, ssl, unix, tls }));

/**
 * Parses a client endpoint description (`tcp:example.com:80`, `tcp:host=…:port=…:timeout=…`,
 * `unix:path=…`, `ssl:…`, `tls:example.com:443`) into a checked description, or throws an
 * {@link EndpointSyntaxError} pointing at the faulty part.
 */
export function parseClientDescription(description: string): ClientDescription {
  const parsed = parseArguments(description);
  const parser = clientParsers.get(parsed.type.value.toLowerCase());
  if (parser === undefined) throw unknownType(parsed, [...clientParsers.keys()]);
  return parser(parsed);
}
