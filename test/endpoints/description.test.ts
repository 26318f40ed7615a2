/**
 * The endpoint description grammar, table-driven: every string case of Twisted's
 * test_endpoints.py (ParserTests, ServerStringTests, ClientStringTests, SSLClientStringTests,
 * WrapClientTLSParserTests, the systemd and tcp6 parser tests) and test_strports.py, then the
 * bad descriptions, each with the part the error must point at.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { TwistedError } from '../../src/errors.ts';
import { EndpointSyntaxError } from '../../src/errors/endpoints.ts';
import { parseArguments } from '../../src/endpoints/description/arguments.ts';
import { parseClientDescription } from '../../src/endpoints/description/client-parsers.ts';
import { tokenize } from '../../src/endpoints/description/lexer.ts';
import { parseServerDescription } from '../../src/endpoints/description/server-parsers.ts';
import { ListenFDs } from '../../src/endpoints/listen-fds.ts';
import { quoteStringArgument } from '../../src/endpoints/quote-string-argument.ts';

const noFDs = { listenFDs: new ListenFDs([]) };
const serverDefaults = { interface: '', backlog: 50 };
const unixDefaults = { mode: 0o666, backlog: 50, wantPID: true };
const pem = quoteStringArgument('C:\\keys\\server.pem');

describe('tokenize (Twisted _tokenize)', () => {
  it('splits on ":" and the first "=" of an argument, with offsets', () => {
    expect(tokenize('hello:greet\\=ing=world')).toEqual([
      { kind: 'text', value: 'hello', index: 0, end: 5 },
      { kind: ':', index: 5 },
      { kind: 'text', value: 'greet=ing', index: 6, end: 16 },
      { kind: '=', index: 16 },
      { kind: 'text', value: 'world', index: 17, end: 22 },
    ]);
  });

  it('an "=" after the first of an argument is text', () => {
    expect(tokenize('a=b=c:d').map((t) => ('value' in t ? t.value : t.kind))).toEqual([
      'a',
      '=',
      'b=c',
      ':',
      'd',
    ]);
  });

  it('a backslash escapes any character, a whole surrogate pair included', () => {
    expect(tokenize('\\\\\\:\\x\\😀').map((t) => ('value' in t ? t.value : t.kind))).toEqual(['\\:x😀']);
  });
});

describe('parseArguments (Twisted _parse)', () => {
  it("'a:b:d=1:c' gives positional a, b, c and d=1", () => {
    const parsed = parseArguments('a:b:d=1:c');
    expect(parsed.type.value).toBe('a');
    expect(parsed.positional.map((p) => p.value)).toEqual(['b', 'c']);
    expect([...parsed.named].map(([k, v]) => [k, v.value.value])).toEqual([['d', '1']]);
  });
});

describe('server descriptions', () => {
  const cases: [string, string, object][] = [
    // ParserTests
    ['test_simpleTCP', 'tcp:80', { type: 'tcp', port: 80, ...serverDefaults }],
    [
      'test_interfaceTCP',
      'tcp:80:interface=127.0.0.1',
      { type: 'tcp', port: 80, interface: '127.0.0.1', backlog: 50 },
    ],
    ['test_backlogTCP', 'tcp:80:backlog=6', { type: 'tcp', port: 80, interface: '', backlog: 6 }],
    [
      'test_simpleUNIX',
      'unix:/var/run/finger',
      { type: 'unix', address: '/var/run/finger', ...unixDefaults },
    ],
    [
      'test_modeUNIX',
      'unix:/var/run/finger:mode=0660',
      { type: 'unix', address: '/var/run/finger', ...unixDefaults, mode: 0o660 },
    ],
    [
      'test_wantPIDUNIX',
      'unix:/var/run/finger:lockfile=0',
      { type: 'unix', address: '/var/run/finger', ...unixDefaults, wantPID: false },
    ],
    [
      'test_escape',
      'unix:foo\\:bar\\=baz\\:qux\\\\',
      { type: 'unix', address: 'foo:bar=baz:qux\\', ...unixDefaults },
    ],
    ['test_impliedEscape', 'unix:address=foo=bar', { type: 'unix', address: 'foo=bar', ...unixDefaults }],
    // ServerStringTests
    [
      'test_tcp',
      'tcp:1234:backlog=12:interface=10.0.0.1',
      { type: 'tcp', port: 1234, backlog: 12, interface: '10.0.0.1' },
    ],
    [
      'test_unix',
      'unix:/var/foo/bar:backlog=7:mode=0123:lockfile=1',
      { type: 'unix', address: '/var/foo/bar', backlog: 7, mode: 0o123, wantPID: true },
    ],
    [
      'test_ssl',
      `ssl:1234:backlog=12:privateKey=${pem}:certKey=${pem}:sslmethod=TLSv1_2_METHOD:interface=10.0.0.1`,
      {
        type: 'ssl',
        port: 1234,
        backlog: 12,
        interface: '10.0.0.1',
        privateKey: 'C:\\keys\\server.pem',
        certKey: 'C:\\keys\\server.pem',
        sslmethod: 'TLSv1_2_METHOD',
        extraCertChain: undefined,
        dhParameters: undefined,
      },
    ],
    [
      'test_sslWithDefaults',
      'ssl:4321:privateKey=key.pem',
      {
        type: 'ssl',
        port: 4321,
        ...serverDefaults,
        privateKey: 'key.pem',
        certKey: 'key.pem',
        sslmethod: undefined,
        extraCertChain: undefined,
        dhParameters: undefined,
      },
    ],
    [
      'test_sslChainLoads / test_sslDHparameters',
      'ssl:1234:privateKey=k.pem:extraCertChain=chain.pem:dhParameters=someFile',
      {
        type: 'ssl',
        port: 1234,
        ...serverDefaults,
        privateKey: 'k.pem',
        certKey: 'k.pem',
        sslmethod: undefined,
        extraCertChain: 'chain.pem',
        dhParameters: 'someFile',
      },
    ],
    [
      'ssl: privateKey defaults to server.pem',
      'ssl:443',
      { type: 'ssl', privateKey: 'server.pem', certKey: 'server.pem' },
    ],
    // TCP6ServerEndpointPluginTests.test_stringDescription
    [
      'tcp6 test_stringDescription',
      'tcp6:8080:backlog=12:interface=\\:\\:1',
      { type: 'tcp6', port: 8080, backlog: 12, interface: '::1' },
    ],
    [
      'tcp6 defaults to every IPv6 interface',
      'tcp6:8080',
      { type: 'tcp6', port: 8080, backlog: 50, interface: '::' },
    ],
    // Positional binding, as Python binds _parseTCP(factory, port, interface, backlog).
    [
      'tcp positional interface and backlog',
      'tcp:0:127.0.0.1:7',
      { type: 'tcp', port: 0, interface: '127.0.0.1', backlog: 7 },
    ],
    ['tcp port by name', 'tcp:port=80', { type: 'tcp', port: 80 }],
    [
      'an IPv6 interface on tcp: (listenTCP makes an IPv6 port)',
      'tcp:80:interface=\\:\\:1',
      { type: 'tcp', interface: '::1' },
    ],
    ['type names ignore case', 'TCP:80', { type: 'tcp', port: 80 }],
    ['unix mode written 0o660', 'unix:/s:mode=0o660', { mode: 0o660 }],
    ['unix abstract socket', 'unix:\0abstract', { address: '\0abstract' }],
  ];

  it.each(cases)('%s: %s', (_name, description, expected) => {
    expect(parseServerDescription(description, noFDs)).toMatchObject(expected);
  });

  describe('systemd (SystemdEndpointPluginTests)', () => {
    const listenFDs = new ListenFDs([5, 6, 7, 8, 9], ['5.socket', '6.socket', 'foo', '8.socket', '9.socket']);
    it.each(['INET', 'INET6', 'UNIX'])('domain=%s:index=3 takes the fourth descriptor', (domain) => {
      expect(parseServerDescription(`systemd:domain=${domain}:index=3`, { listenFDs })).toEqual({
        type: 'systemd',
        domain,
        fileno: 8,
      });
    });
    it('name=foo takes the descriptor of that name (LISTEN_FDNAMES)', () => {
      expect(parseServerDescription('systemd:domain=INET:name=foo', { listenFDs })).toEqual({
        type: 'systemd',
        domain: 'INET',
        fileno: 7,
      });
    });
    it('positional domain and index', () => {
      expect(parseServerDescription('systemd:INET6:0', { listenFDs })).toMatchObject({ fileno: 5 });
    });
  });
});

describe('client descriptions', () => {
  const tcp = { type: 'tcp', host: 'example.com', port: 1234, timeout: 7, bindAddress: ['10.0.0.2', 0] };
  const cases: [string, string, object][] = [
    ['test_tcp', 'tcp:host=example.com:port=1234:timeout=7:bindAddress=10.0.0.2', tcp],
    ['test_tcpPositionalArgs', 'tcp:example.com:1234:timeout=7:bindAddress=10.0.0.2', tcp],
    ['test_tcpHostPositionalArg', 'tcp:example.com:port=1234:timeout=7:bindAddress=10.0.0.2', tcp],
    ['test_tcpPortPositionalArg', 'tcp:host=example.com:1234:timeout=7:bindAddress=10.0.0.2', tcp],
    [
      'test_tcpDefaults',
      'tcp:host=example.com:port=1234',
      { type: 'tcp', host: 'example.com', port: 1234, timeout: 30, bindAddress: undefined },
    ],
    ['fractional timeout', 'tcp:example.com:80:timeout=2.5', { timeout: 2.5 }],
    [
      'test_unix',
      'unix:path=/var/foo/bar:lockfile=1:timeout=9',
      { type: 'unix', path: '/var/foo/bar', timeout: 9, checkPID: true },
    ],
    [
      'test_unixDefaults',
      'unix:path=/var/foo/bar',
      { type: 'unix', path: '/var/foo/bar', timeout: 30, checkPID: false },
    ],
    [
      'test_unixPathPositionalArg',
      'unix:/var/foo/bar:lockfile=1:timeout=9',
      { type: 'unix', path: '/var/foo/bar', timeout: 9, checkPID: true },
    ],
    [
      'test_ssl',
      `ssl:host=example.net:port=4321:privateKey=${pem}:certKey=${pem}:bindAddress=10.0.0.3:timeout=3:caCertsDir=cas`,
      {
        type: 'ssl',
        host: 'example.net',
        port: 4321,
        timeout: 3,
        bindAddress: ['10.0.0.3', 0],
        privateKey: 'C:\\keys\\server.pem',
        certKey: 'C:\\keys\\server.pem',
        caCertsDir: 'cas',
        hostname: undefined,
      },
    ],
    [
      'test_sslPositionalArgs',
      'ssl:example.net:4321:certKey=c.pem:bindAddress=10.0.0.3:timeout=3',
      { type: 'ssl', host: 'example.net', port: 4321, timeout: 3, certKey: 'c.pem' },
    ],
    [
      'test_sslWithDefaults',
      'ssl:example.net:4321',
      {
        type: 'ssl',
        host: 'example.net',
        port: 4321,
        timeout: 30,
        bindAddress: undefined,
        certKey: undefined,
        privateKey: undefined,
        caCertsDir: undefined,
        hostname: undefined,
      },
    ],
    [
      'test_sslSimple',
      'ssl:host=simple.example.org:port=4321',
      { type: 'ssl', host: 'simple.example.org', port: 4321 },
    ],
    ['ssl hostname', 'ssl:10.0.0.1:443:hostname=example.org', { hostname: 'example.org' }],
    [
      'test_hostnameEndpointConstruction',
      'tls:example.com:443:timeout=10:bindAddress=127.0.0.1',
      {
        type: 'tls',
        host: 'example.com',
        port: 443,
        timeout: 10,
        bindAddress: '127.0.0.1',
        endpoint: undefined,
      },
    ],
    [
      'test_utf8Encoding',
      'tls:\u00e9xample.example.com:443',
      { type: 'tls', host: '\u00e9xample.example.com' },
    ],
    [
      'test_tls',
      `tls:localhost:4321:privateKey=${pem}:certificate=${pem}:trustRoots=${quoteStringArgument('/etc/x')}`,
      {
        type: 'tls',
        host: 'localhost',
        port: 4321,
        privateKey: 'C:\\keys\\server.pem',
        certificate: 'C:\\keys\\server.pem',
        trustRoots: '/etc/x',
      },
    ],
    [
      'test_tlsWithDefaults',
      'tls:example.com:443',
      {
        type: 'tls',
        host: 'example.com',
        port: 443,
        timeout: 30,
        bindAddress: undefined,
        certificate: undefined,
        privateKey: undefined,
        trustRoots: undefined,
      },
    ],
    ['tls by name', 'tls:host=example.com:port=443', { type: 'tls', host: 'example.com', port: 443 }],
    [
      'tls endpoint= wraps another description',
      `tls:example.com:443:endpoint=${quoteStringArgument('tcp:127.0.0.1:8443')}`,
      { endpoint: { type: 'tcp', host: '127.0.0.1', port: 8443, timeout: 30, bindAddress: undefined } },
    ],
    [
      'type names ignore case (Twisted upper-cases client types)',
      'TCP:h:1',
      { type: 'tcp', host: 'h', port: 1 },
    ],
  ];

  it.each(cases)('%s: %s', (_name, description, expected) => {
    expect(parseClientDescription(description)).toMatchObject(expected);
  });
});

describe('quoteStringArgument', () => {
  it('test_quoteStringArgument: quotes backslashes and colons', () => {
    expect(quoteStringArgument('some : stuff \\')).toBe('some \\: stuff \\\\');
  });

  it('reads back unchanged, positional or named, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const q = quoteStringArgument(s);
        expect(parseArguments(`unix:${q.replace(/=/g, '\\=')}`).positional[0].value).toBe(s);
        expect(parseArguments(`unix:address=${q}`).named.get('address')!.value.value).toBe(s);
        if (s !== '') {
          expect(parseServerDescription(`unix:address=${q}:mode=600`, noFDs)).toMatchObject({ address: s });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a non-string', () => {
    expect(() => quoteStringArgument(5 as unknown as string)).toThrow(
      /"argument" argument must be of type string/,
    );
  });
});

describe('bad descriptions point at the faulty part', () => {
  type Bad = [description: string, at: string, part: string | undefined, reason: RegExp];
  // `at` is the description with the faulty part marked by [brackets] ([] where something is missing).
  const server: Bad[] = [
    [
      'ftl:andromeda/carcosa/hali/2387',
      '[ftl]:andromeda/carcosa/hali/2387',
      undefined,
      /^Unknown endpoint type: 'ftl' \(known types: tcp, tcp6, unix, ssl, systemd\)$/,
    ],
    ['bogus-type:nothing', '[bogus-type]:nothing', undefined, /Unknown endpoint type: 'bogus-type'/],
    ['', '[]', undefined, /starts with the endpoint type/],
    [':80', '[]:80', undefined, /starts with the endpoint type/],
    ['host=x:tcp:80', '[]host=x:tcp:80', undefined, /starts with the endpoint type/],
    ['tcp', 'tcp[]', 'tcp:port', /"tcp:port" is missing \(for example tcp:8080:interface=127\.0\.0\.1\)/],
    ['tcp:', 'tcp:[]', 'tcp:port', /"tcp:port" must be a decimal integer from 0 to 65535; received ''/],
    ['tcp:http:interface=127.0.0.1', 'tcp:[http]:interface=127.0.0.1', 'tcp:port', /received 'http'/],
    ['tcp:70000', 'tcp:[70000]', 'tcp:port', /from 0 to 65535; received '70000'/],
    ['tcp:-1', 'tcp:[-1]', 'tcp:port', /decimal integer/],
    ['tcp:8e1', 'tcp:[8e1]', 'tcp:port', /decimal integer/],
    ['tcp: 80', 'tcp:[ 80]', 'tcp:port', /decimal integer/],
    [
      'tcp:80:interface=localhost',
      'tcp:80:interface=[localhost]',
      'tcp:interface',
      /IP address literal.*host names are not resolved/,
    ],
    // An IPv6 literal's colons must be escaped; unescaped, the first empty argument takes the
    // interface's place by position.
    ['tcp:80:interface=::1', 'tcp:80:[interface=]::1', 'tcp:interface', /"tcp:interface" is given twice/],
    [
      'tcp:80:backlog=many',
      'tcp:80:backlog=[many]',
      'tcp:backlog',
      /"tcp:backlog" must be a decimal integer/,
    ],
    [
      'tcp:80:bogus=1',
      'tcp:80:[bogus]=1',
      undefined,
      /"tcp" endpoints have no "bogus" parameter; they take port, interface, backlog/,
    ],
    ['tcp:80:port=81', 'tcp:80:[port=81]', 'tcp:port', /given twice: by position and by name/],
    ['tcp:80:backlog=5:backlog=6', 'tcp:80:backlog=5:[backlog=6]', undefined, /"backlog" is given twice/],
    ['tcp:80:=5', 'tcp:80:[=5]', undefined, /needs a name before its "="/],
    [
      'tcp:80:127.0.0.1:5:x',
      'tcp:80:127.0.0.1:5:[x]',
      undefined,
      /at most 3 arguments without a name \(port, interface, backlog\)/,
    ],
    ['tcp:80\\', 'tcp:80[\\]', undefined, /backslash escapes the character after it/],
    ['tcp6:80:interface=', 'tcp6:80:interface=[]', 'tcp6:interface', /must be an IP address literal/],
    [
      'tcp6:80:5:\\:\\:1:x',
      'tcp6:80:5:\\:\\:1:[x]',
      undefined,
      /at most 3 arguments without a name \(port, backlog, interface\)/,
    ],
    ['unix:', 'unix:[]', 'unix:address', /"unix:address" is empty/],
    ['unix:/s:mode=999', 'unix:/s:mode=[999]', 'unix:mode', /octal file mode/],
    ['unix:/s:mode=17777', 'unix:/s:mode=[17777]', 'unix:mode', /octal file mode from 0 to 7777/],
    ['unix:/s:lockfile=yes', 'unix:/s:lockfile=[yes]', 'unix:lockfile', /must be 0 or 1; received 'yes'/],
    [
      'ssl:443:sslmethod=SSLv3_METHOD',
      'ssl:443:sslmethod=[SSLv3_METHOD]',
      'ssl:sslmethod',
      /must be one of SSLv23_METHOD, TLS_METHOD/,
    ],
    [
      'systemd:domain=INET',
      'systemd:domain=INET[]',
      'systemd:index',
      /by index=<n> or by name=<FileDescriptorName>, one of the two/,
    ],
    [
      'systemd:domain=INET:index=0:name=x',
      'systemd:domain=INET:index=0:name=[x]',
      'systemd:name',
      /one of the two/,
    ],
    ['systemd:index=0', 'systemd:index=0[]', 'systemd:domain', /"systemd:domain" is missing/],
    [
      'systemd:domain=INET4:index=0',
      'systemd:domain=[INET4]:index=0',
      'systemd:domain',
      /one of INET, INET6, UNIX/,
    ],
    [
      'systemd:domain=INET:index=0',
      'systemd:domain=INET:index=[0]',
      'systemd:index',
      /"systemd:index" is 0, but this process inherited no sockets/,
    ],
    [
      'systemd:domain=INET:name=web',
      'systemd:domain=INET:name=[web]',
      'systemd:name',
      /no inherited socket is named 'web'/,
    ],
  ];

  const client: Bad[] = [
    [
      'ftl:andromeda',
      '[ftl]:andromeda',
      undefined,
      /^Unknown endpoint type: 'ftl' \(known types: tcp, ssl, unix, tls\)$/,
    ],
    ['tcp:example.com', 'tcp:example.com[]', 'tcp:port', /"tcp:port" is missing/],
    [
      'tcp:example.com:0',
      'tcp:example.com:[0]',
      'tcp:port',
      /"tcp:port" must be a decimal integer from 1 to 65535/,
    ],
    [
      'tcp:example.com:80:timeout=0',
      'tcp:example.com:80:timeout=[0]',
      'tcp:timeout',
      /number of seconds above 0/,
    ],
    ['tcp:port=80', 'tcp:port=80[]', 'tcp:host', /"tcp:host" is missing/],
    ['tcp::80', 'tcp:[]:80', 'tcp:host', /"tcp:host" is empty/],
    ['tcp:a:80:9', 'tcp:a:80:[9]', undefined, /at most 2 arguments without a name \(host, port\)/],
    ['tcp:host=a:b:80', 'tcp:[host=a]:b:80', 'tcp:host', /given twice/],
    [
      'tcp:example.com:80:timeout=abc',
      'tcp:example.com:80:timeout=[abc]',
      'tcp:timeout',
      /number of seconds/,
    ],
    [
      'tcp:example.com:80:timeout=1e9',
      'tcp:example.com:80:timeout=[1e9]',
      'tcp:timeout',
      /number of seconds/,
    ],
    ['tcp:example.com:80:timeout=9999999', 'tcp:example.com:80:timeout=[9999999]', 'tcp:timeout', /at most/],
    [
      'tcp:example.com:80:bindAddress=example.org',
      'tcp:example.com:80:bindAddress=[example.org]',
      'tcp:bindAddress',
      /IP address literal/,
    ],
    ['unix:', 'unix:[]', 'unix:path', /"unix:path" is empty/],
    ['unix:/a:/b', 'unix:/a:[/b]', undefined, /at most 1 argument without a name \(path\)/],
    ['ssl:h:1:privateKey=k.pem', 'ssl:h:1:privateKey=[k.pem]', 'ssl:privateKey', /needs certKey=/],
    ['tls:h:1:privateKey=k.pem', 'tls:h:1:privateKey=[k.pem]', 'tls:privateKey', /needs certificate=/],
    ['tls:h', 'tls:h[]', 'tls:port', /"tls:port" is missing/],
    [
      'tls:h:1:endpoint=tcp\\:x',
      'tls:h:1:endpoint=[tcp\\:x]',
      'tls:endpoint',
      /the wrapped endpoint "tcp:x" is bad: "tcp:port" is missing/,
    ],
  ];

  function check(parse: () => unknown, [description, at, part, reason]: Bad): void {
    let caught: unknown;
    try {
      parse();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EndpointSyntaxError);
    const err = caught as EndpointSyntaxError;
    const index = at.indexOf('[');
    const length = at.indexOf(']') - index - 1;
    expect({ index: err.index, length: err.length, part: err.part }).toEqual({ index, length, part });
    expect(err.reason).toMatch(reason);
    expect(err.description).toBe(description);
    expect(err.code).toBe('ERR_ENDPOINT_SYNTAX');
  }

  it.each(server)('server %j', (...bad) => check(() => parseServerDescription(bad[0], noFDs), bad));
  it.each(client)('client %j', (...bad) => check(() => parseClientDescription(bad[0]), bad));

  it('any string either parses or fails with an EndpointSyntaxError, never another error', () => {
    const pieces = fc.constantFrom(
      'tcp',
      'tcp6',
      'unix',
      'ssl',
      'tls',
      'systemd',
      ':',
      '=',
      '\\',
      '80',
      'port',
      'host',
      'x',
      '::1',
      '',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(pieces).map((a) => a.join('')),
        ),
        (description) => {
          for (const parse of [
            () => parseServerDescription(description, noFDs),
            () => parseClientDescription(description),
          ]) {
            try {
              parse();
            } catch (err) {
              expect(err).toBeInstanceOf(EndpointSyntaxError);
              const e = err as EndpointSyntaxError;
              expect(e.index + e.length).toBeLessThanOrEqual(description.length);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('EndpointSyntaxError', () => {
  it('the message ends with the description and a caret line under the faulty part', () => {
    expect(() => parseServerDescription('tcp:http:interface=127.0.0.1')).toThrow(
      'Bad endpoint description: "tcp:port" must be a decimal integer from 0 to 65535; received \'http\'\n' +
        '  tcp:http:interface=127.0.0.1\n' +
        '      ^^^^',
    );
  });

  it('a missing part gets one caret where it should be', () => {
    expect(() => parseServerDescription('tcp')).toThrow(/\n {2}tcp\n {5}\^$/);
  });

  it('control characters are shown escaped and the caret stays under the part', () => {
    const err = (() => {
      try {
        parseServerDescription('tcp:8\t0');
      } catch (e) {
        return e as EndpointSyntaxError;
      }
    })()!;
    expect(err.message.split('\n').slice(1)).toEqual(['  tcp:8\\t0', '      ^^^^']);
  });

  it('a long description is cut around the fault', () => {
    const long = `unix:/${'a'.repeat(200)}:mode=9:backlog=${'1'.repeat(100)}`;
    const [, shown, carets] = (() => {
      try {
        parseServerDescription(long);
      } catch (e) {
        return (e as Error).message.split('\n');
      }
      return [];
    })();
    expect(shown.startsWith('  ...')).toBe(true);
    expect(shown.endsWith('...')).toBe(true);
    expect(shown.length).toBeLessThan(120);
    expect(shown[carets.indexOf('^')]).toBe('9');
  });

  it('is a TypeError and a TwistedError, and answers instanceof across module copies', async () => {
    const err = (() => {
      try {
        parseClientDescription('nope:1');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toBeInstanceOf(TwistedError);
    expect(err).toBeInstanceOf(EndpointSyntaxError);
    expect((err as Error).name).toBe('EndpointSyntaxError');
    expect(new TypeError('x')).not.toBeInstanceOf(EndpointSyntaxError);
    vi.resetModules();
    const copy = await import('../../src/errors/endpoints.ts');
    expect(copy.EndpointSyntaxError).not.toBe(EndpointSyntaxError);
    expect(err).toBeInstanceOf(copy.EndpointSyntaxError);
  });

  it('keeps the cause of a wrapped description error', () => {
    try {
      parseClientDescription('tls:h:1:endpoint=unix\\:');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).cause).toBeInstanceOf(EndpointSyntaxError);
      expect(((e as Error).cause as EndpointSyntaxError).part).toBe('unix:path');
    }
  });
});

describe('ListenFDs (twisted.python.systemd)', () => {
  it('fromEnvironment reads LISTEN_FDS when LISTEN_PID is this process, and removes the variables', () => {
    const env: NodeJS.ProcessEnv = {
      LISTEN_PID: String(process.pid),
      LISTEN_FDS: '3',
      LISTEN_FDNAMES: 'web:admin',
      OTHER: 'x',
    };
    const fds = ListenFDs.fromEnvironment(env);
    expect(fds.inheritedDescriptors()).toEqual([3, 4, 5]);
    expect([...fds.inheritedNamedDescriptors()]).toEqual([
      ['web', 3],
      ['admin', 4],
      ['unknown', 5],
    ]);
    expect(env).toEqual({ OTHER: 'x' });
  });

  it('ignores descriptors meant for another process, and leaves their variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: String(process.pid + 1), LISTEN_FDS: '2' };
    expect(ListenFDs.fromEnvironment(env).inheritedDescriptors()).toEqual([]);
    expect(env.LISTEN_FDS).toBe('2');
  });

  it('ignores a malformed count, and honours another start', () => {
    const pid = String(process.pid);
    expect(ListenFDs.fromEnvironment({ LISTEN_PID: pid, LISTEN_FDS: 'two' }).inheritedDescriptors()).toEqual(
      [],
    );
    expect(ListenFDs.fromEnvironment({ LISTEN_PID: pid, LISTEN_FDS: '-1' }).inheritedDescriptors()).toEqual(
      [],
    );
    expect(
      ListenFDs.fromEnvironment({ LISTEN_PID: pid, LISTEN_FDS: '2' }, 10).inheritedDescriptors(),
    ).toEqual([10, 11]);
  });
});
