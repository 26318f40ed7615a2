// `npm start` and examples/shared-port.ts: the seed's scenario, as a newcomer sees it.
import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { inNetns, root, runExample, runners } from './run-example.ts';

function checkDemo(stdout: string): void {
  // 1. the wrong way, explained
  expect(stdout).toMatch(/throws CannotListenError \(code ERR_CANNOT_LISTEN, OS error EADDRINUSE\)/);
  expect(stdout).toMatch(/both sockets must ask for reuse/);
  // 2. the client sends through the server port's transport; the peer saw the server's port
  const port = stdout.match(/bound 127\.0\.0\.1:(\d+)/)![1];
  expect(stdout).toContain(`client got "pong from the peer" — it was sent to port ${port}, the server's`);
  expect(stdout).toMatch(
    new RegExp(`query "ping" from 127\\.0\\.0\\.1:${port} → answered to 127\\.0\\.0\\.1:${port}`),
  );
  // 3. two listenMultiple members; with a multicast route both get every group datagram
  expect(stdout).toMatch(/reactor\.listenMulticast\(\d+, …, \{ listenMultiple: true \}\)\s+→ both bound/);
  if (inNetns) {
    expect(stdout).toContain('each member received every group datagram');
    const members = stdout.split('What each socket received')[1];
    expect(members.match(/"to the group #1"/g)).toHaveLength(2);
    expect(members.match(/"to the group #2"/g)).toHaveLength(2);
    expect(members.match(/"unicast"/g)).toHaveLength(1);
  } else {
    expect(stdout).toMatch(
      /each member received every group datagram|MulticastJoinError|no group datagram came back/,
    );
  }
  expect(stdout).toContain('What each socket received, and why');
}

describe.each(runners)('examples/shared-port.ts (%s)', (runner) => {
  test('shows the refused bind, the shared transport and the listenMultiple pair, and exits 0', async () => {
    const { code, stdout, stderr } = await runExample('shared-port', [], runner);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    checkDemo(stdout);
  });
});

describe('npm start', () => {
  test('runs the same demo (the quick start of the README)', async () => {
    const result = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(
        'npm',
        ['start', '--silent'],
        { cwd: root, timeout: 30_000, encoding: 'utf8' },
        (error, stdout) => done({ code: error === null ? 0 : Number(error.code ?? 1), stdout }),
      );
    });
    expect(result.code).toBe(0);
    checkDemo(result.stdout);
  });
});

test('the demo explains itself when multicast is missing (no multicast-capable loopback) and still exits 0', async () => {
  // Joining on an address that is not this machine's fails the way a host without a multicast
  // route does (ENODEV); nothing is sent to it.
  const { code, stdout } = await runExample('shared-port', ['--interface', '192.0.2.254']);
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /MulticastJoinError \(ERR_MULTICAST_JOIN\): Could not join 239\.255\.74\.74 on 192\.0\.2\.254/,
  );
  expect(stdout).toContain('npx twisted-ts doctor');
});
