// examples/ssdp-search.ts and examples/mdns-query.ts: discovery on shared multicast ports, on
// loopback (and the SSDP device's description over HTTP). `--port 0` instead of 1900/5353 so
// parallel test runs never meet.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describe, expect, test } from 'vitest';
import { inNetns, root, runExample, runners, watchExample } from './run-example.ts';

const multicastReason = 'loopback multicast is only guaranteed inside .ci/netns.sh';

describe.each(runners)('examples/ssdp-search.ts (%s)', (runner) => {
  test.skipIf(!inNetns)(
    `M-SEARCH is answered by the device sharing the port (${multicastReason})`,
    async () => {
      const { code, stdout, stderr } = await runExample(
        'ssdp-search',
        ['--port', '0', '--duration', '0.5'],
        runner,
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const port = stdout.match(
        /listener on port (\d+) \(listenMultiple\), joined 239\.255\.255\.250 on 127\.0\.0\.1/,
      )![1];
      expect(stdout).toContain(
        `demo device on the same port ${port} (listenMultiple): both sockets are bound`,
      );
      expect(stdout).toContain('1 answer(s) to the M-SEARCH:');
      expect(stdout).toContain(`127.0.0.1:${port}  urn:schemas-upnp-org:device:Basic:1`);
      // The LOCATION leads to the description, served over HTTP, which the searcher fetched.
      const location = stdout.match(
        /demo device description served at (http:\/\/127\.0\.0\.1:\d+\/description\.xml)/,
      )![1];
      expect(stdout).toContain(`LOCATION ${location}  SERVER`);
      expect(stdout).toMatch(
        /description: "twisted-ts example device" \(urn:schemas-upnp-org:device:Basic:1\), \d+ bytes over HTTP/,
      );
      expect(stdout).toContain(`the listener on port ${port} heard 2 group message(s):`);
      expect(stdout).toMatch(/NOTIFY ssdp:alive uuid:/);
      expect(stdout).toContain('the device answered 1 M-SEARCH(es)');
    },
  );
});

describe.each(runners)('examples/mdns-query.ts (%s)', (runner) => {
  test.skipIf(!inNetns)(
    `the responder sharing the port answers, and both sockets hear it (${multicastReason})`,
    async () => {
      const { code, stdout, stderr } = await runExample(
        'mdns-query',
        ['--port', '0', '--duration', '0.5'],
        runner,
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const port = stdout.match(/querier on port (\d+) \(listenMultiple\)/)![1];
      expect(stdout).toContain('1 answer(s):');
      expect(stdout).toContain(`twisted-ts-demo.local A 127.0.0.1 ttl 120  (from 127.0.0.1:${port})`);
      expect(stdout).toContain(`responder: query from 127.0.0.1:${port} answered with 127.0.0.1`);
      expect(stdout).toContain('the responder answered 1 query(ies) and heard 1 answer(s)');
    },
  );
});

test('without a responder, the mDNS query says nobody owns the name', async () => {
  const { code, stdout } = await runExample('mdns-query', [
    '--port',
    '0',
    '--duration',
    '0.2',
    '--no-responder',
    '--name',
    'nobody.local',
  ]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/nobody on 127\.0\.0\.1 owns nobody\.local|cannot join 224\.0\.0\.251/);
});

test('a join that cannot work is explained, not thrown', async () => {
  const { code, stdout } = await runExample('ssdp-search', [
    '--port',
    '0',
    '--interface',
    '192.0.2.254',
    '--duration',
    '0',
  ]);
  expect(code).toBe(0);
  expect(stdout).toContain('cannot join 239.255.255.250 on 192.0.2.254');
  expect(stdout).toContain('npx twisted-ts doctor');
});

describe('examples/mdns-query.ts, the responder and the packet size', () => {
  test.skipIf(!inNetns)(
    `the responder answers with the address of the interface the query came in on (${multicastReason})`,
    async () => {
      // A namespace of the test's own with a second link, 192.0.2.1/24 (TEST-NET-1, on a veth
      // pair that leads nowhere): the same program answers 127.0.0.1 on lo and 192.0.2.1 there.
      const node = process.execPath;
      const example = `${root}/examples/mdns-query.ts`;
      const flags = process.features.typescript ? '' : '--experimental-strip-types --no-warnings';
      const script = [
        'set -e',
        'ip link set lo up',
        'ip link add tm0 type veth peer name tm1',
        'ip link set tm0 up',
        'ip link set tm1 up',
        'ip addr add 192.0.2.1/24 dev tm0',
        'ip route add 224.0.0.0/4 dev tm0',
        `"${node}" ${flags} "${example}" --port 0 --duration 0.5 --interface 192.0.2.1`,
        'ip route replace 224.0.0.0/4 dev lo',
        `"${node}" ${flags} "${example}" --port 0 --duration 0.5 --interface 127.0.0.1`,
      ].join('\n');
      let stdout: string;
      try {
        stdout = execFileSync('unshare', ['--net', 'bash', '-c', script], {
          cwd: root,
          encoding: 'utf8',
          timeout: 30_000,
        });
      } catch (e) {
        const err = e as { stderr?: string; status?: number };
        if (/unshare failed|Operation not permitted/.test(err.stderr ?? '')) {
          console.warn(`skipped: no nested network namespace here (${err.stderr?.trim()})`);
          return;
        }
        throw e;
      }
      const [onLink, onLoopback] = stdout.split(/(?=querier on port)/);
      expect(onLink).toMatch(/responder: query from 192\.0\.2\.1:\d+ answered with 192\.0\.2\.1/);
      expect(onLink).toMatch(/twisted-ts-demo\.local A 192\.0\.2\.1 ttl 120/);
      expect(onLoopback).toMatch(/responder: query from 127\.0\.0\.1:\d+ answered with 127\.0\.0\.1/);
      expect(onLoopback).toMatch(/twisted-ts-demo\.local A 127\.0\.0\.1 ttl 120/);
    },
  );

  test.skipIf(!inNetns)(
    `an answer of 8,900 bytes arrives whole: maxPacketSize is 9000, not 8192 (${multicastReason})`,
    async () => {
      const mdns = watchExample('mdns-query', ['--port', '0', '--duration', '1', '--no-responder']);
      const [, port] = await mdns.waitFor(/asked 224\.0\.0\.251:(\d+)/);
      const sender = createSocket('udp4');
      await new Promise<void>((done) => sender.bind(0, '127.0.0.1', done));
      sender.setMulticastInterface('127.0.0.1');
      sender.setMulticastTTL(1);
      await new Promise<void>((done, fail) =>
        sender.send(bigAnswer(8_900), Number(port), '224.0.0.251', (e) => (e ? fail(e) : done())),
      );
      sender.close();
      const { code, stdout, stderr } = await mdns.exit;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('2 answer(s):');
      expect(stdout).toMatch(/big\.local A 127\.0\.0\.9 ttl 120 {2}\(from 127\.0\.0\.1:\d+\)/); // the record after 8.8 kB
    },
  );
});

/** An mDNS response of `size` bytes: a TXT record that fills it, then the A record of big.local. */
function bigAnswer(size: number): Buffer {
  const name = Buffer.from('\x03big\x05local\x00', 'latin1');
  const record = (type: number, rdata: Buffer): Buffer => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(type, 0);
    fixed.writeUInt16BE(1, 2); // class IN
    fixed.writeUInt32BE(120, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([name, fixed, rdata]);
  };
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x8400, 2);
  header.writeUInt16BE(2, 6); // two answers
  const a = record(1, Buffer.from([127, 0, 0, 9]));
  let txtLength = size - header.length - a.length - name.length - 10;
  const strings: Buffer[] = [];
  while (txtLength > 0) {
    const n = Math.min(255, txtLength - 1);
    strings.push(Buffer.concat([Buffer.from([n]), Buffer.alloc(n, 0x78)]));
    txtLength -= n + 1;
  }
  const message = Buffer.concat([header, record(16, Buffer.concat(strings)), a]);
  if (message.length !== size) throw new Error(`built ${message.length} bytes, not ${size}`);
  return message;
}
