// `twisted-ts doctor`, run as `npx twisted-ts doctor` runs it: the built bin in a child process.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const inNetns = process.env.TWISTED_TS_IN_NETNS === '1';

interface Check {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  code?: string;
  fix?: string;
}
interface Report {
  ok: boolean;
  node: string;
  platform: string;
  arch: string;
  summary: Record<Check['status'], number>;
  checks: Check[];
}

function doctor(
  args: string[],
  bin = pkg.bin['twisted-ts'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(root, bin), ...args],
      { cwd: root, timeout: 30_000, encoding: 'utf8', env },
      (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

const byId = (report: Report, id: string): Check => report.checks.find((c) => c.id === id)!;

describe('the bin entry', () => {
  test('package.json maps twisted-ts to the built command dispatcher, which starts with a shebang', () => {
    expect(pkg.bin['twisted-ts']).toBe('./dist/esm/cli/main.js');
    expect(
      readFileSync(resolve(root, pkg.bin['twisted-ts']), 'utf8').startsWith('#!/usr/bin/env node\n'),
    ).toBe(true);
  });

  test('the built command is executable, so `npx twisted-ts doctor` runs it from a checkout too', async () => {
    expect(statSync(resolve(root, pkg.bin['twisted-ts'])).mode & 0o111).toBe(0o111);
    const { stdout } = await promisify(execFile)(resolve(root, pkg.bin['twisted-ts']), ['--help']);
    expect(stdout).toMatch(/doctor/);
  });
});

describe('doctor: the UDP I/O path', () => {
  const env = (io: string | undefined): NodeJS.ProcessEnv => {
    const e = { ...process.env };
    delete e.TWISTED_TS_IO;
    if (io !== undefined) e.TWISTED_TS_IO = io;
    return e;
  };
  const udpIO = async (io: string | undefined): Promise<Check> =>
    byId(JSON.parse((await doctor(['doctor', '--json'], undefined, env(io))).stdout) as Report, 'udp-io');

  test('reports which path a port gets and why', async () => {
    const auto = await udpIO(undefined);
    if (auto.detail.startsWith('native')) {
      expect(auto).toMatchObject({ status: 'pass' });
      expect(auto.detail).toMatch(
        /^native \(the default, auto\): native addon loaded \(recvmmsg\/sendmmsg\) from .*\.node; a datagram went round/,
      );
    } else {
      expect(auto).toMatchObject({ status: 'warn' });
      expect(auto.detail).toMatch(
        /^node:dgram \(the default, auto\), because the native addon is not available: /,
      );
    }
    expect((await udpIO('dgram')).detail).toMatch(/^node:dgram \(TWISTED_TS_IO=dgram\)/);
  });

  test('fails a bad TWISTED_TS_IO with the fix', async () => {
    expect(await udpIO('fast')).toMatchObject({
      status: 'fail',
      code: 'ERR_INVALID_ARG_VALUE',
      fix: 'Unset TWISTED_TS_IO, or set it to auto, native or dgram.',
    });
  });
});

describe('doctor --json', () => {
  test('prints one JSON report with every check, each with a status, a detail, and a fix unless it passed', async () => {
    const { code, stdout, stderr } = await doctor(['doctor', '--json']);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as Report;
    expect(report.node).toBe(process.versions.node);
    expect(report.platform).toBe(process.platform);
    expect(report.checks.map((c) => c.id)).toEqual([
      'node-version',
      'bind-twice-plain',
      'bind-twice-listen-multiple',
      'reuse-port',
      'multicast-loopback',
      'ipv6',
      'privileged-port',
      'udp-io',
    ]);
    for (const c of report.checks) {
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.detail.length).toBeGreaterThan(0);
      if (c.status === 'warn' || c.status === 'fail') expect(c.fix).toMatch(/\w/);
    }
    const total = report.summary.pass + report.summary.warn + report.summary.fail + report.summary.skip;
    expect(total).toBe(report.checks.length);
    expect(report.ok).toBe(report.summary.fail === 0);
    expect(code).toBe(report.ok ? 0 : 1);
    // Whatever the host, these two are facts about the library on a supported Node.
    expect(byId(report, 'node-version').status).toBe('pass');
    expect(byId(report, 'bind-twice-plain')).toMatchObject({ status: 'pass', code: 'EADDRINUSE' });
  });

  test.skipIf(!inNetns)(
    'every check passes inside the private network namespace (.ci/netns.sh)',
    async () => {
      const { code, stdout } = await doctor(['doctor', '--json']);
      const report = JSON.parse(stdout) as Report;
      expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
      expect(report.ok).toBe(true);
      expect(code).toBe(0);
      expect(byId(report, 'multicast-loopback').detail).toContain('received it back');
      expect(byId(report, 'ipv6').detail).toMatch(/bound \[::1\]:\d+ and received from itself/);
    },
  );

  test.skipIf(!inNetns)(
    '--interface joins only where asked; an address that is not this host fails with a fix',
    async () => {
      // Inside the namespace only lo has an IPv4 address; tt1 has none; 192.0.2.254 belongs to nobody.
      const { code, stdout } = await doctor([
        'doctor',
        '--json',
        '-i',
        '127.0.0.1',
        '-i',
        '192.0.2.254',
        '-i',
        'tt1',
      ]);
      const report = JSON.parse(stdout) as Report;
      expect(byId(report, 'multicast-join:127.0.0.1')).toMatchObject({ status: 'pass' });
      const foreign = byId(report, 'multicast-join:192.0.2.254');
      expect(foreign.status).toBe('fail');
      expect(['ENODEV', 'EADDRNOTAVAIL']).toContain(foreign.code);
      expect(foreign.fix).toContain('192.0.2.254 is not an address of this machine');
      expect(byId(report, 'multicast-join:tt1')).toMatchObject({
        status: 'fail',
        detail: 'no IPv4 address for interface "tt1"',
      });
      expect(report.ok).toBe(false);
      expect(code).toBe(1);
    },
  );
});

describe('doctor (table)', () => {
  test('prints a table and a how-to-fix section for failures', async () => {
    const { code, stdout } = await doctor(['doctor', '--interface', '192.0.2.254']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^twisted-ts doctor — Node \S+ on \w+\/\w+$/m);
    expect(stdout).toMatch(/^ok\s+Second plain bind of a UDP port is refused\s+\[EADDRINUSE\]/m);
    expect(stdout).toMatch(/^FAIL\s+Join 239\.255\.74\.74 on 192\.0\.2\.254/m);
    expect(stdout).toContain('How to fix:');
    expect(stdout).toMatch(
      /\d+ passed, \d+ warnings, [1-9]\d* failed, \d+ skipped — fix the failures above\./,
    );
  });

  test('the CommonJS build runs the same doctor', async () => {
    const { stdout } = await doctor(['doctor'], './dist/cjs/cli/main.js');
    expect(stdout).toMatch(/^ok\s+Node\.js version/m);
  });
});

describe('usage', () => {
  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await doctor(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: twisted-ts doctor');
  });

  test('no command, an unknown command, an unknown flag or a bad timeout exit 2 with the usage', async () => {
    for (const args of [[], ['frobnicate'], ['doctor', '--frob'], ['doctor', '--timeout', 'soon']]) {
      const { code, stderr } = await doctor(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
  });
});
