// examples/dht-node.ts against libtorrent (Debian's python3-libtorrent), the DHT implementation
// inside qBittorrent, Deluge and most clients: libtorrent joins the DHT through a twisted-ts node,
// announces a torrent there with the node's write token and finds the peers that twisted-ts nodes
// announced; a twisted-ts node announces to libtorrent with libtorrent's token and finds
// libtorrent's peer. Inside the private network namespace only: libtorrent listens on 127.0.0.1,
// its public bootstrap routers are replaced by the twisted-ts node (no name is looked up), and
// local discovery, UPnP and NAT-PMP are off (test/interop/libtorrent_dht.py).
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { inNetns, root, watchExample, watchProcess } from './run-example.ts';

const python = '/usr/bin/python3';
const libtorrent = ((): string | undefined => {
  try {
    return execFileSync(python, ['-c', 'import libtorrent; print(libtorrent.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
})();
// .ci/run installs python3-libtorrent; when apt could not, it says why in this variable.
const skipReason = !inNetns
  ? 'libtorrent runs only inside the private network namespace (.ci/netns.sh)'
  : libtorrent === undefined
    ? (process.env.TWISTED_TS_LIBTORRENT_MISSING ??
      'python3-libtorrent is not installed (.ci/run installs it)')
    : undefined;
// Said where any reporter shows it, not only in the skipped test's name.
if (inNetns && skipReason !== undefined) console.warn(`dht-libtorrent.test.ts skipped: ${skipReason}`);

const torrentOfLibtorrent = 'aa'.repeat(20); // announced by libtorrent
const torrentOfTwisted = 'bb'.repeat(20); // announced by a twisted-ts node

test.skipIf(skipReason !== undefined)(
  `libtorrent ${libtorrent ?? ''} uses a twisted-ts DHT node, and the other way round${skipReason ? ` (${skipReason})` : ''}`,
  async () => {
    const a = watchExample('dht-node', ['--port', '0', '--duration', '60']);
    const [, portA] = await a.waitFor(/dht node [0-9a-f]{40} on 127\.0\.0\.1:(\d+)/);
    const lt = watchProcess(python, [
      resolve(root, 'test/interop/libtorrent_dht.py'),
      '--bootstrap',
      `127.0.0.1:${portA}`,
      '--announce',
      torrentOfLibtorrent,
      '--lookup',
      torrentOfTwisted,
      '--duration',
      '50',
    ]);
    try {
      const [, ltPort] = await lt.waitFor(/dht on 127\.0\.0\.1:(\d+)/);
      // libtorrent asked get_peers, got node A's token and announced with it: A accepted it.
      await a.waitFor(
        new RegExp(
          `stored peer 127\\.0\\.0\\.1:${ltPort} for ${torrentOfLibtorrent} \\(announce_peer from 127\\.0\\.0\\.1:${ltPort}\\)`,
        ),
        40_000,
      );

      // Node B joins through A, learns libtorrent from A, announces to both with their tokens.
      const b = watchExample('dht-node', [
        '--port',
        '0',
        '--bootstrap',
        `127.0.0.1:${portA}`,
        '--announce',
        `${torrentOfTwisted}:7002`,
        '--get-peers',
        torrentOfLibtorrent,
        '--duration',
        '30',
      ]);
      await b.waitFor(/bootstrap from 127\.0\.0\.1:\d+: 2 node\(s\) known/);
      await b.waitFor(new RegExp(`announced ${torrentOfTwisted} port 7002 to 2 node\\(s\\)`));
      // libtorrent took B's announce (its own token came back right) ...
      await lt.waitFor(
        new RegExp(`incoming announce_peer ${torrentOfTwisted} from 127\\.0\\.0\\.1 port 7002`),
      );
      // ... B found libtorrent's peer ...
      await b.waitFor(new RegExp(`peers for ${torrentOfLibtorrent}: .*127\\.0\\.0\\.1:${ltPort}`));
      // ... and libtorrent's own lookup read the peer out of the twisted-ts nodes' answers.
      await lt.waitFor(new RegExp(`get_peers reply ${torrentOfTwisted} 127\\.0\\.0\\.1:7002`), 40_000);
      await b.stop();
    } finally {
      const ltDone = await lt.stop();
      const done = await a.stop();
      expect(ltDone.stdout).not.toContain('error:');
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/refused 0;/); // libtorrent never sent a query A had to refuse
    }
  },
  120_000,
);
