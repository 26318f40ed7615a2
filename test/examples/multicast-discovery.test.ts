// examples/ssdp-search.ts and examples/mdns-query.ts: discovery on shared multicast ports, on
// loopback. `--port 0` instead of 1900/5353 so parallel test runs never meet.
import { describe, expect, test } from 'vitest';
import { inNetns, runExample, runners } from './run-example.ts';

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
