/**
 * The server endpoint types of the description grammar, one parser per type, each turning the
 * arguments into a checked description with Twisted's defaults (`_parseTCP`, `_parseUNIX`,
 * `_parseSSL`, `_TCP6ServerParser`, `_SystemdParser`).
 *
 * @internal
 */
import { TLS_METHODS, type TLSMethod } from '../../transports/tls/tls-method.ts';
import { ListenFDs, processListenFDs } from '../listen-fds.ts';
import { parseArguments, type ParsedDescription } from './arguments.ts';
import { ArgumentReader } from './argument-reader.ts';
import { unknownType } from './unknown-type.ts';

/** `tcp:` (IPv4 unless the interface is an IPv6 literal) and `tcp6:` servers. */
export interface TCPServerDescription {
  /** The endpoint type. */
  readonly type: 'tcp' | 'tcp6';
  /** The port to listen on (0: any free one). */
  readonly port: number;
  /** The interface address (`''`: every IPv4 interface; `tcp6:` defaults to `'::'`). */
  readonly interface: string;
  /** The listen queue's length. */
  readonly backlog: number;
}

/** `unix:` servers. */
export interface UNIXServerDescription {
  /** The endpoint type. */
  readonly type: 'unix';
  /** The socket's path (`\0…` for Linux's abstract namespace). */
  readonly address: string;
  /** The socket file's mode. */
  readonly mode: number;
  /** The listen queue's length. */
  readonly backlog: number;
  /** Whether to keep a `<path>.lock` file with the process id (`lockfile=1`, the default). */
  readonly wantPID: boolean;
}

/** The protocol method names `sslmethod=` accepts (pyOpenSSL's constants). */
const TLS_METHOD_NAMES = Object.keys(TLS_METHODS) as TLSMethod[];

/** `ssl:` servers: TCP over IPv4 with TLS, the key and certificates read from PEM files. */
export interface SSLServerDescription {
  /** The endpoint type. */
  readonly type: 'ssl';
  /** The port to listen on. */
  readonly port: number;
  /** The interface address (`''`: every IPv4 interface). */
  readonly interface: string;
  /** The listen queue's length. */
  readonly backlog: number;
  /** Path of the PEM private key (default `server.pem`). */
  readonly privateKey: string;
  /** Path of the PEM certificate (default: the private key's file). */
  readonly certKey: string;
  /** Path of a PEM file of chain certificates, or `undefined`. */
  readonly extraCertChain: string | undefined;
  /** Path of a PEM file of Diffie-Hellman parameters, or `undefined`. */
  readonly dhParameters: string | undefined;
  /** The protocol method, or `undefined` for the default (TLS 1.2 and up). */
  readonly sslmethod: TLSMethod | undefined;
}

/** `systemd:` servers: a listening socket inherited from the service manager. */
export interface SystemdServerDescription {
  /** The endpoint type. */
  readonly type: 'systemd';
  /** The socket's address family. */
  readonly domain: 'INET' | 'INET6' | 'UNIX';
  /** The inherited descriptor chosen by `index=` or `name=`. */
  readonly fileno: number;
}

/** Any server description. */
export type ServerDescription =
  TCPServerDescription | UNIXServerDescription | SSLServerDescription | SystemdServerDescription;

/** What a parser may need besides the description. */
export interface ServerParseContext {
  /** The descriptors inherited for `systemd:` (default: the process's, read once). */
  readonly listenFDs?: ListenFDs;
}

const MAX_BACKLOG = 2 ** 31 - 1;

type ServerParser = (parsed: ParsedDescription, context: ServerParseContext) => ServerDescription;

function tcp(parsed: ParsedDescription): TCPServerDescription {
  const args = new ArgumentReader(parsed, {
    type: 'tcp',
    parameters: ['port', 'interface', 'backlog'],
    example: 'tcp:8080:interface=127.0.0.1',
  });
  return {
    type: 'tcp',
    port: args.port(),
    interface: args.address('interface', '', true),
    backlog: args.integer('backlog', 50, 0, MAX_BACKLOG),
  };
}

function tcp6(parsed: ParsedDescription): TCPServerDescription {
  // Twisted's _TCP6ServerParser takes backlog before interface.
  const args = new ArgumentReader(parsed, {
    type: 'tcp6',
    parameters: ['port', 'backlog', 'interface'],
    example: 'tcp6:8080:interface=\\:\\:1',
  });
  return {
    type: 'tcp6',
    port: args.port(),
    backlog: args.integer('backlog', 50, 0, MAX_BACKLOG),
    interface: args.address('interface', '::', false),
  };
}

function unix(parsed: ParsedDescription): UNIXServerDescription {
  const args = new ArgumentReader(parsed, {
    type: 'unix',
    parameters: ['address', 'mode', 'backlog', 'lockfile'],
    example: 'unix:/run/app.sock:mode=660',
  });
  return {
    type: 'unix',
    address: args.nonEmpty('address'),
    mode: args.octalMode('mode', 0o666),
    backlog: args.integer('backlog', 50, 0, MAX_BACKLOG),
    wantPID: args.flag('lockfile', true),
  };
}

function ssl(parsed: ParsedDescription): SSLServerDescription {
  const args = new ArgumentReader(parsed, {
    type: 'ssl',
    parameters: [
      'port',
      'privateKey',
      'certKey',
      'sslmethod',
      'interface',
      'backlog',
      'extraCertChain',
      'dhParameters',
    ],
    example: 'ssl:8443:privateKey=key.pem:certKey=cert.pem',
  });
  const privateKey = args.string('privateKey', 'server.pem');
  return {
    type: 'ssl',
    port: args.port(),
    privateKey,
    certKey: args.string('certKey', privateKey),
    sslmethod: args.oneOf('sslmethod', TLS_METHOD_NAMES, undefined),
    interface: args.address('interface', '', true),
    backlog: args.integer('backlog', 50, 0, MAX_BACKLOG),
    extraCertChain: args.string('extraCertChain', undefined),
    dhParameters: args.string('dhParameters', undefined),
  };
}

function systemd(parsed: ParsedDescription, context: ServerParseContext): SystemdServerDescription {
  const args = new ArgumentReader(parsed, {
    type: 'systemd',
    parameters: ['domain', 'index', 'name'],
    example: 'systemd:domain=INET:index=0',
  });
  args.required('domain');
  const domain = args.oneOf('domain', ['INET', 'INET6', 'UNIX'] as const, undefined)!;
  const listenFDs = context.listenFDs ?? processListenFDs();
  if (args.has('index') === args.has('name')) {
    throw args.error(
      args.has('index') ? 'name' : 'index',
      '"systemd:" takes the inherited socket by index=<n> or by name=<FileDescriptorName>, one of the two',
    );
  }
  const descriptors = listenFDs.inheritedDescriptors();
  if (args.has('name')) {
    const name = args.string('name', '');
    const fileno = listenFDs.inheritedNamedDescriptors().get(name);
    if (fileno === undefined) {
      throw args.error('name', `no inherited socket is named '${name}' (${describeInherited(listenFDs)})`);
    }
    return { type: 'systemd', domain, fileno };
  }
  const index = args.integer('index', 0, 0, Number.MAX_SAFE_INTEGER);
  if (index >= descriptors.length) {
    throw args.error('index', `"systemd:index" is ${index}, but ${describeInherited(listenFDs)}`);
  }
  return { type: 'systemd', domain, fileno: descriptors[index] };
}

function describeInherited(listenFDs: ListenFDs): string {
  const count = listenFDs.inheritedDescriptors().length;
  if (count === 0) {
    return 'this process inherited no sockets (LISTEN_FDS/LISTEN_PID are unset or meant for another process)';
  }
  const names = [...listenFDs.inheritedNamedDescriptors().keys()].map((n) => `'${n}'`).join(', ');
  return `this process inherited ${count} socket${count === 1 ? '' : 's'} (named ${names})`;
}

const serverParsers = new Map<string, ServerParser>(Object.entries({ tcp, tcp6, unix, ssl, systemd }));

/**
 * Parses a server endpoint description (`tcp:8080:interface=127.0.0.1`, `unix:/run/app.sock`,
 * `ssl:8443:privateKey=key.pem`, `tcp6:…`, `systemd:domain=INET:index=0`) into a checked
 * description, or throws an {@link EndpointSyntaxError} pointing at the faulty part.
 */
export function parseServerDescription(
  description: string,
  context: ServerParseContext = {},
): ServerDescription {
  const parsed = parseArguments(description);
  const parser = serverParsers.get(parsed.type.value.toLowerCase());
  if (parser === undefined) throw unknownType(parsed, [...serverParsers.keys()]);
  return parser(parsed, context);
}
