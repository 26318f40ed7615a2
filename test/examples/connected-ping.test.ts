// examples/connected-ping.ts: connected UDP, and connectionRefused() once the peer is gone.
import { createSocket } from 'node:dgram';
import { describe, expect, test } from 'vitest';
import { runExample, runners } from './run-example.ts';

describe.each(runners)('examples/connected-ping.ts (%s)', (runner) => {
  test('pings through a connected port, then hears connectionRefused when the peer stops', async () => {
    const { code, stdout, stderr } = await runExample(
      'connected-ping',
      ['--count', '2', '--interval', '0.05'],
      runner,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/pinger 127\.0\.0\.1:\d+ connected to 127\.0\.0\.1:\d+/);
    expect(stdout).toContain('ping 1 -> "pong 1"');
    expect(stdout).toContain('ping 2 -> "pong 2"');
    expect(stdout).toContain('peer stopped');
    expect(stdout).toMatch(/ping \d+ -> connectionRefused\(\): the peer answered with ICMP port-unreachable/);
    expect(stdout).toContain('done: 2 pong(s), 1 refusal(s)');
  });
});

describe('examples/connected-ping.ts against a peer it does not own', () => {
  test('survives a peer that vanishes after the first ping: the rest are refused or time out, and it exits 0', async () => {
    const peer = createSocket('udp4');
    await new Promise<void>((done) => peer.bind(0, '127.0.0.1', done));
    peer.once('message', (msg, rinfo) => {
      // Answer the first ping, then go away: the next pings meet a closed port.
      peer.send(Buffer.from(msg.toString().replace('ping', 'pong')), rinfo.port, rinfo.address, () =>
        peer.close(),
      );
    });
    const { code, stdout, stderr } = await runExample('connected-ping', [
      '--port',
      String(peer.address().port),
      '--count',
      '4',
      '--interval',
      '0.05',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('ping 1 -> "pong 1"');
    expect(stdout).toMatch(
      /ping [2-4] -> connectionRefused\(\): the peer answered with ICMP port-unreachable/,
    );
    expect(stdout).not.toContain('peer stopped'); // not its peer: nothing to stop
    expect(stdout).toMatch(/done: 1 pong\(s\), [1-9]\d* refusal\(s\), \d+ timeout\(s\)/);
  });

  test('survives a peer that was never there', async () => {
    const gone = createSocket('udp4');
    await new Promise<void>((done) => gone.bind(0, '127.0.0.1', done));
    const port = gone.address().port;
    await new Promise<void>((done) => gone.close(() => done()));
    const { code, stdout, stderr } = await runExample('connected-ping', [
      '--port',
      String(port),
      '--count',
      '2',
      '--interval',
      '0.05',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/ping 1 -> (connectionRefused\(\)|no answer)/);
    expect(stdout).toMatch(/done: 0 pong\(s\), [1-9]\d* refusal\(s\)/);
  });
});
