// examples/statsd/, run as a user runs it, in a child process: directly (`node
// examples/statsd/main.ts`) and under `twisted-ts twist examples/statsd/plugin.ts`; statsd lines sent over UDP on loopback,
// the admin interface queried over TCP, SIGTERM flushing what is left and exiting 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { root, runExample } from './run-example.ts';

const example = resolve(root, 'examples/statsd/main.ts');
const plugin = resolve(root, 'examples/statsd/plugin.ts');
const bin = resolve(root, 'dist/esm/cli/main.js');
const strip = process.features.typescript ? [] : ['--experimental-strip-types', '--no-warnings'];

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(args: string[]) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ports = new Promise<{ udp: number; admin: number; status: string }>((r, reject) => {
    const check = (): void => {
      const m = /metrics on UDP port (\d+), admin on TCP port (\d+), status page on (http:\S+)/.exec(out);
      if (m) r({ udp: Number(m[1]), admin: Number(m[2]), status: m[3] });
    };
    child.stdout!.on('data', check);
    void exit.then(() => reject(new Error(`statsd exited before listening:\n${out}\n${err}`)));
  });
  return { child, exit, ports, stdout: () => out, stderr: () => err };
}

/** An admin connection: `ask(command)` resolves with the answer's lines (before `END`). */
async function admin(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, reject) => {
    socket.once('connect', r);
    socket.once('error', reject);
  });
  let buffer = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buffer += d.toString();
    waiting?.();
  });
  const ask = (command: string): Promise<string[]> =>
    new Promise((r) => {
      const check = (): void => {
        const end = buffer.indexOf('END\n');
        if (end === -1) return;
        const lines = buffer.slice(0, end).split('\n').slice(0, -1);
        buffer = buffer.slice(end + 4);
        waiting = undefined;
        r(lines);
      };
      waiting = check;
      socket.write(`${command}\n`);
    });
  return { socket, ask };
}

/** GET over node:http: the status code, content type and body. */
function get(url: string): Promise<{ code: number; type: string; body: string }> {
  return new Promise((r, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => r({ code: res.statusCode!, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

async function exercise(run: ReturnType<typeof start>): Promise<void> {
  const { udp, admin: adminPort, status } = await run.ports;
  const sender = createSocket('udp4');
  const send = (text: string): Promise<void> =>
    new Promise((r, reject) => sender.send(text, udp, '127.0.0.1', (e) => (e ? reject(e) : r())));
  await send('hits:1|c\nhits:2|c|@0.5\nload:5|g\nload:+2|g\nlatency:10|ms');
  await send('latency:30|ms\nusers:alice|s\nusers:bob|s\nusers:alice|s\nnot a metric');
  sender.close();

  const { socket, ask } = await admin(adminPort);
  // Both datagrams were counted once `stats` says so (UDP and TCP are not ordered together).
  for (let i = 0; i < 200; i++) {
    if ((await ask('stats')).includes('messages.packets: 2')) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const stats = await ask('stats');
  expect(stats).toContain('messages.packets: 2');
  expect(stats).toContain('messages.bad_lines_seen: 1');
  expect(JSON.parse((await ask('counters'))[0])).toEqual({ hits: 5 }); // 1 + 2 sampled at 0.5
  expect(JSON.parse((await ask('gauges'))[0])).toEqual({ load: 7 });
  expect(JSON.parse((await ask('timers'))[0])).toEqual({ latency: [10, 30] });
  expect(JSON.parse((await ask('sets'))[0])).toEqual({ users: ['alice', 'bob'] });

  // The status page (twisted.web) shows the same interval, as JSON and as HTML.
  const json = await get(`${status}status.json`);
  expect(json.code).toBe(200);
  expect(json.type).toBe('application/json');
  expect(JSON.parse(json.body)).toMatchObject({
    packets: 2,
    badLines: 1,
    counters: { hits: 5 },
    gauges: { load: 7 },
    timers: { latency: 2 },
    sets: { users: 2 },
  });
  const page = await get(status);
  expect(page.code).toBe(200);
  expect(page.type).toContain('text/html');
  expect(page.body).toContain('<tr><th>counters.hits</th><td>5</td></tr>');
  expect((await get(`${status}nope`)).code).toBe(404);

  const flushed = JSON.parse((await ask('flush'))[0]) as Record<string, Record<string, unknown>>;
  expect(flushed.counters.hits).toMatchObject({ count: 5 });
  expect(flushed.timers.latency).toMatchObject({
    count: 2,
    lower: 10,
    upper: 30,
    mean: 20,
    upperPercentile: 30,
  });
  expect(flushed.gauges).toEqual({ load: 7 });
  expect(flushed.sets).toEqual({ users: 2 });
  // A new interval: counters at 0, timers and sets empty, gauges kept.
  expect(JSON.parse((await ask('counters'))[0])).toEqual({ hits: 0 });
  expect(JSON.parse((await ask('timers'))[0])).toEqual({});
  expect(JSON.parse((await ask('gauges'))[0])).toEqual({ load: 7 });
  expect(await ask('delcounters hits nope')).toEqual(['deleted: hits', 'not found: nope']);
  expect(await ask('bogus')).toEqual(['ERROR unknown command "bogus"']);
  socket.end();

  run.child.kill('SIGTERM');
  expect(await run.exit).toBe(0);
  expect(run.stdout()).toMatch(/admin flush #1: 1 counters, 1 timers, 1 gauges, 1 sets/);
  expect(run.stdout()).toMatch(/final flush #2/);
}

describe('examples/statsd/', () => {
  test('run directly: UDP metrics in, TCP admin answers, SIGTERM flushes and exits 0', async () => {
    await exercise(
      start([
        ...strip,
        example,
        '--udp-port',
        '0',
        '--admin-port',
        '0',
        '--status-port',
        '0',
        '--flush-interval',
        '3600',
      ]),
    );
  }, 40_000);

  test('run by `twisted-ts twist` as a service maker, the same', async () => {
    const run = start([
      bin,
      'twist',
      '--log-format',
      'text',
      plugin,
      '-u',
      '0',
      '-a',
      '0',
      '-s',
      '0',
      '-f',
      '3600',
    ]);
    await exercise(run);
    expect(run.stdout()).toContain('Server Shut Down.');
  }, 40_000);

  test('the timer flushes every --flush-interval seconds', async () => {
    const run = start([...strip, example, '-u', '0', '-a', '0', '-s', '0', '-f', '0.2']);
    const { udp } = await run.ports;
    const sender = createSocket('udp4');
    sender.send('ticks:1|c', udp, '127.0.0.1', () => sender.close());
    for (let i = 0; i < 400 && !/timed flush #\d+: 1 counters/.test(run.stdout()); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(run.stdout()).toMatch(/timed flush #\d+: 1 counters/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 40_000);

  test('--duration stops it by itself (exit 0, the final flush logged)', async () => {
    const run = start([...strip, example, '-u', '0', '-a', '0', '-s', '0', '--duration', '0.5']);
    await run.ports;
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toMatch(/final flush #1/);
  }, 40_000);

  test('--help shows the options; a bad option is a usage error (exit 2, as the other examples)', async () => {
    const help = await runExample('statsd/main', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: node examples\/statsd\/main\.ts \[options\]/);
    expect(help.stdout).toContain('--flush-interval=');
    const bad = await runExample('statsd/main', ['--flush-interval', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--flush-interval must be a number of seconds > 0');
    const port = await runExample('statsd/main', ['--udp-port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('udp-port');
  }, 40_000);
});
