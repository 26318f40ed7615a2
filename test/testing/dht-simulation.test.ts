/**
 * The example docs/testing.md points to: a DHT of fifty nodes on a virtual network that loses
 * 10 % of datagrams. Nodes join one after another through a bootstrap node, retrying queries
 * that time out; then lookups from random nodes must find the true closest nodes. It all runs
 * in simulated time (a few hundred milliseconds of real time), and a seed fixes the whole run.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom, VirtualNetwork } from '../../src/testing/index.ts';
import type { Contact } from './fixtures/dht.ts';
import { DhtNode, distance } from './fixtures/dht.ts';

const NODES = 50;
const PORT = 6881;

interface Outcome {
  /** For each lookup: the target, the ids found (closest first) and when it finished. */
  lookups: { target: number; found: number[]; at: number }[];
  /** The true closest ids for each target. */
  truth: number[][];
  /** Each node's routing table size. */
  tableSizes: number[];
  stats: ReturnType<VirtualNetwork['stats']>;
  counters: { queriesSent: number; retries: number; timeouts: number };
  joinedAt: number[];
}

function simulate(seed: number): Outcome {
  const network = new VirtualNetwork({ seed, loss: 0.1, latency: 0.02 });
  const random = new SeededRandom(seed);
  // Some paths are slower than others.
  const hosts = Array.from({ length: NODES }, (_, i) =>
    network.addHost(`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`),
  );
  for (let i = 0; i < 20; i++) {
    network.setLink(hosts[random.int(NODES)], hosts[random.int(NODES)], {
      latency: 0.05 + random.next() * 0.1,
    });
  }
  const ids = new Set<number>();
  while (ids.size < NODES) ids.add((random.next() * 2 ** 32) >>> 0);
  const nodes = [...ids].map((id, i) => new DhtNode(id, hosts[i], { timeout: 0.3, attempts: 4 }));
  nodes.forEach((node, i) => hosts[i].listenUDP(PORT, node));

  const bootstrap: [string, number] = [hosts[0].ip, PORT];
  const joinedAt: number[] = new Array(NODES).fill(-1);
  joinedAt[0] = 0;
  for (let i = 1; i < NODES; i++) {
    // Staggered joins, every 0.25 s, scheduled on each node's own host.
    hosts[i].callLater(i * 0.25, () => {
      nodes[i].join(bootstrap).addBoth(() => {
        joinedAt[i] = hosts[i].seconds();
      });
    });
  }
  network.run(NODES * 0.25 + 30);

  // Once everyone has joined, each node refreshes its neighbourhood once (as Kademlia does
  // periodically), so early joiners learn about the late ones.
  nodes.forEach((node, i) => hosts[i].callLater(random.next(), () => node.lookup(node.id)));
  network.run(30);

  const lookups: Outcome['lookups'] = [];
  const truth: number[][] = [];
  for (let n = 0; n < 20; n++) {
    const target = (random.next() * 2 ** 32) >>> 0;
    const from = random.int(NODES);
    // The true answer: the 8 nodes closest to the target, other than the one asking.
    const others = [...ids].filter((id) => id !== nodes[from].id);
    truth.push(others.sort((a, b) => distance(a, target) - distance(b, target)).slice(0, 8));
    nodes[from].lookup(target).addCallback((found: Contact[]) => {
      lookups.push({ target, found: found.map((c) => c.id), at: hosts[from].seconds() });
    });
    network.run(10);
  }
  const counters = { queriesSent: 0, retries: 0, timeouts: 0 };
  for (const node of nodes) {
    counters.queriesSent += node.counters.queriesSent;
    counters.retries += node.counters.retries;
    counters.timeouts += node.counters.timeouts;
  }
  return {
    lookups,
    truth,
    tableSizes: nodes.map((n) => n.contacts().length),
    stats: network.stats(),
    counters,
    joinedAt,
  };
}

describe('DHT simulation: 50 nodes, 10 % loss, retries, simulated time', () => {
  const run = simulate(2024);

  it('every node joins, and lookups find the true closest nodes', () => {
    expect(run.joinedAt.every((t) => t >= 0)).toBe(true);
    expect(run.lookups).toHaveLength(20);
    run.lookups.forEach((lookup, i) => {
      expect(lookup.found[0]).toBe(run.truth[i][0]); // the closest node, exactly
      const overlap = lookup.found.filter((id) => run.truth[i].includes(id)).length;
      expect(overlap).toBeGreaterThanOrEqual(7); // and (almost) all of the 8 closest
    });
    expect(Math.min(...run.tableSizes)).toBeGreaterThanOrEqual(8);
  });

  it('went through real loss, and retries recovered from it', () => {
    const { sent, lost } = run.stats;
    expect(sent).toBeGreaterThan(2000);
    expect(lost / sent).toBeGreaterThan(0.07);
    expect(lost / sent).toBeLessThan(0.13);
    expect(run.counters.retries).toBeGreaterThan(0);
  });

  it('two runs with the same seed produce identical results', () => {
    expect(simulate(2024)).toEqual(run);
  });

  it('another seed gives another run, which converges too', () => {
    const other = simulate(7);
    expect(other.stats).not.toEqual(run.stats);
    other.lookups.forEach((lookup, i) => expect(lookup.found[0]).toBe(other.truth[i][0]));
  });
});
