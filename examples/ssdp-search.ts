/**
 * SSDP discovery (UPnP): an M-SEARCH to 239.255.255.250:1900, and listening on port 1900 beside
 * whatever SSDP daemon the host already runs — which is exactly what `listenMultiple` is for.
 *
 *   node examples/ssdp-search.ts [--interface 127.0.0.1] [--port 1900] [--duration 1.5] [--no-responder]
 *
 * Three sockets:
 *   - a listener on port 1900 (listenMultiple): hears every NOTIFY and M-SEARCH sent to the group;
 *   - a demo device on port 1900 as well (listenMultiple again, so both bind), answering
 *     M-SEARCH as a UPnP device would; turn it off with --no-responder;
 *   - the searcher, on a port of its own, as the UPnP spec has control points do, so that the
 *     devices' unicast answers come back to it and not to one of the sockets sharing 1900.
 *
 * The device serves its description over HTTP at the LOCATION its answers give (a plain
 * node:http server: twisted.web's Site is not in the package yet), and the searcher fetches every
 * LOCATION it is given, as a control point does, and prints the device's name and type.
 *
 * By default everything happens on loopback (joined on and sent out of 127.0.0.1, TTL 1). Give
 * `--interface <your LAN address>` to search your network for real (still TTL 1).
 * `--port 0` uses a free port instead of 1900 (for tests).
 */
import { createServer, get as httpGet, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DatagramProtocol,
  MulticastJoinError,
  deferLater,
  react,
  type AddressTuple,
  type MulticastPort,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/ssdp-search.ts [--interface 127.0.0.1] [--port 1900] [--duration 1.5] [--no-responder]

SSDP discovery (UPnP): an M-SEARCH to 239.255.255.250:1900, and listening on port 1900 beside
whatever SSDP daemon the host already runs — which is exactly what \`listenMultiple\` is for.
`;

const { values } = parseCommandLine(USAGE, {
  allowNegative: true,
  options: {
    interface: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '1900' },
    duration: { type: 'string', default: '1.5' },
    responder: { type: 'boolean', default: true },
  },
});

const GROUP = '239.255.255.250';

/** SSDP messages are HTTP over UDP: a start line and headers. */
function parse(datagram: Buffer): { start: string; headers: Map<string, string> } {
  const [start, ...lines] = datagram.toString().split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toUpperCase(), line.slice(colon + 1).trim());
  }
  return { start, headers };
}

const message = (start: string, headers: Record<string, string>): Buffer =>
  Buffer.from([start, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));

/** Port 1900's listener: records what the group carries. */
class Listener extends DatagramProtocol<MulticastPort> {
  readonly heard: string[] = [];
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const { start, headers } = parse(datagram);
    const what = start.startsWith('NOTIFY') ? `NOTIFY ${headers.get('NTS')} ${headers.get('USN')}` : start;
    this.heard.push(`${what}  (from ${addr[0]}:${addr[1]})`);
  }
}

const UDN = 'uuid:7a1e7e0c-0000-4000-8000-747769737465';
const DEVICE_TYPE = 'urn:schemas-upnp-org:device:Basic:1';

/** The device description a LOCATION leads to (UPnP Device Architecture 1.1, §2.3). */
const DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>1</minor></specVersion>
  <device>
    <deviceType>${DEVICE_TYPE}</deviceType>
    <friendlyName>twisted-ts example device</friendlyName>
    <manufacturer>twisted-ts</manufacturer>
    <modelName>ssdp-search.ts</modelName>
    <UDN>${UDN}</UDN>
  </device>
</root>
`;

/**
 * Serves the description over HTTP on `host`, port 0, and resolves with its URL. A plain
 * node:http server: twisted-ts's own HTTP server (twisted.web's Site) is not in the package yet.
 */
function serveDescription(host: string): Promise<{ server: Server; location: string }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/description.xml') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' }).end(DESCRIPTION);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        location: `http://${host.includes(':') ? `[${host}]` : host}:${port}/description.xml`,
      });
    });
  });
}

/** What a control point does with a LOCATION: fetch the description and read it. */
function fetchDescription(location: string): Promise<string> {
  return new Promise((resolve) => {
    if (!location.startsWith('http://')) return resolve(`not fetched (${location || 'no LOCATION'})`);
    const request = httpGet(location, { timeout: 2_000 }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 65_536) request.destroy(new Error('description larger than 64 KiB'));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        const xml = Buffer.concat(chunks).toString();
        const field = (name: string): string =>
          new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '?';
        resolve(
          response.statusCode === 200
            ? `"${field('friendlyName')}" (${field('deviceType')}), ${size} bytes over HTTP`
            : `HTTP ${response.statusCode}`,
        );
      });
    });
    request.on('timeout', () => request.destroy(new Error('no answer in 2 s')));
    request.on('error', (e) => resolve(`not fetched (${e.message})`));
  });
}

/** A pretend UPnP device: answers M-SEARCH for ssdp:all or its own type, unicast to the searcher. */
class Device extends DatagramProtocol<MulticastPort> {
  readonly usn = `${UDN}::${DEVICE_TYPE}`;
  readonly type = DEVICE_TYPE;
  readonly location: string;
  answered = 0;
  constructor(location: string) {
    super();
    this.location = location;
  }
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const { start, headers } = parse(datagram);
    if (!start.startsWith('M-SEARCH') || headers.get('MAN') !== '"ssdp:discover"') return;
    const st = headers.get('ST');
    if (st !== 'ssdp:all' && st !== this.type) return;
    this.answered += 1;
    this.transport.write(
      message('HTTP/1.1 200 OK', {
        'CACHE-CONTROL': 'max-age=60',
        EXT: '',
        LOCATION: this.location,
        SERVER: 'node/24 UPnP/1.1 twisted-ts-example/0.1',
        ST: this.type,
        USN: this.usn,
      }),
      addr,
    );
  }
}

/** The control point: collects the answers to its M-SEARCH. */
class Searcher extends DatagramProtocol<MulticastPort> {
  readonly answers: { from: string; st: string; usn: string; location: string; server: string }[] = [];
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    const { start, headers } = parse(datagram);
    if (!start.startsWith('HTTP/1.1 200')) return;
    this.answers.push({
      from: `${addr[0]}:${addr[1]}`,
      st: headers.get('ST') ?? '',
      usn: headers.get('USN') ?? '',
      location: headers.get('LOCATION') ?? '',
      server: headers.get('SERVER') ?? '',
    });
  }
}

react(async (reactor: Reactor) => {
  const iface = values.interface;
  const listener = new Listener();
  const searcher = new Searcher();
  const ports: MulticastPort[] = [];
  let http: { server: Server; location: string } | undefined;
  let device: Device | undefined;
  try {
    // Bind '' (all interfaces): a socket bound to a unicast address does not receive group datagrams.
    const listening = reactor.listenMulticast(numberOption(USAGE, 'port', values.port), listener, {
      listenMultiple: true,
    });
    ports.push(listening);
    const port = listening.getHost().port;
    await listening.joinGroup(GROUP, iface);
    console.log(`listener on port ${port} (listenMultiple), joined ${GROUP} on ${iface}`);
    if (values.responder) {
      // The device's description, at the LOCATION its answers give, on the interface it answers on.
      http = await serveDescription(iface);
      console.log(`demo device description served at ${http.location}`);
      device = new Device(http.location);
      const d = reactor.listenMulticast(port, device, { listenMultiple: true });
      ports.push(d);
      await d.joinGroup(GROUP, iface);
      await d.setOutgoingInterface(iface);
      d.setTTL(1);
      console.log(`demo device on the same port ${port} (listenMultiple): both sockets are bound`);
      d.write(
        message('NOTIFY * HTTP/1.1', {
          HOST: `${GROUP}:${port}`,
          NT: device.type,
          NTS: 'ssdp:alive',
          USN: device.usn,
          LOCATION: device.location,
        }),
        [GROUP, port],
      );
    }

    const s = reactor.listenMulticast(0, searcher);
    ports.push(s);
    await s.setOutgoingInterface(iface);
    s.setTTL(1);
    s.write(
      message('M-SEARCH * HTTP/1.1', {
        HOST: `${GROUP}:${port}`,
        MAN: '"ssdp:discover"',
        MX: '1',
        ST: 'ssdp:all',
      }),
      [GROUP, port],
    );
    console.log(
      `searcher on port ${s.getHost().port} sent M-SEARCH ssdp:all out of ${iface}, TTL 1; waiting ${values.duration} s`,
    );
    await deferLater(reactor, numberOption(USAGE, 'duration', values.duration));

    console.log(`\n${searcher.answers.length} answer(s) to the M-SEARCH:`);
    for (const a of searcher.answers) {
      console.log(`  ${a.from}  ${a.st}\n    USN ${a.usn}\n    LOCATION ${a.location}  SERVER ${a.server}`);
      console.log(`    description: ${await fetchDescription(a.location)}`);
    }
    console.log(`\nthe listener on port ${port} heard ${listener.heard.length} group message(s):`);
    for (const h of listener.heard) console.log(`  ${h}`);
    if (device !== undefined) {
      console.log(
        `\nthe device answered ${device.answered} M-SEARCH(es): the listener and the device, sharing port ${port}, ` +
          'each received the same multicast datagrams',
      );
    }
  } catch (e) {
    if (!(e instanceof MulticastJoinError)) throw e;
    console.log(`cannot join ${GROUP} on ${iface}: ${e.message}`);
    console.log('run `npx twisted-ts doctor` to see what this host lacks');
  } finally {
    await Promise.all(ports.map((p) => p.stopListening()));
    http?.server.close();
    http?.server.closeAllConnections();
  }
});
