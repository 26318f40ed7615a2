import { describe, expect, test } from 'vitest';
import { TimerHeap } from '../../src/task/timer-heap.ts';

interface Entry {
  heapIndex: number;
  name: string;
}

const entry = (name: string): Entry => ({ heapIndex: -1, name });

function drain(heap: TimerHeap<Entry>): string[] {
  const out: string[] = [];
  for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.name);
  return out;
}

/** A deterministic pseudo-random sequence (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TimerHeap', () => {
  test('pops in time order', () => {
    const heap = new TimerHeap<Entry>();
    for (const [name, time] of [
      ['c', 3],
      ['a', 1],
      ['e', 5],
      ['b', 2],
      ['d', 4],
    ] as const) {
      heap.push(entry(name), time);
    }
    expect(heap.size).toBe(5);
    expect(heap.peekTime()).toBe(1);
    expect(drain(heap)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(heap.size).toBe(0);
    expect(heap.peekTime()).toBe(Infinity);
    expect(heap.pop()).toBeUndefined();
  });

  test('entries due at the same time come out in push order', () => {
    const heap = new TimerHeap<Entry>();
    const names = Array.from({ length: 100 }, (_, i) => `n${i}`);
    for (const name of names) heap.push(entry(name), 7);
    heap.push(entry('early'), 6);
    expect(drain(heap)).toEqual(['early', ...names]);
  });

  test('remove leaves a tombstone that is skipped, and the entry is told it left', () => {
    const heap = new TimerHeap<Entry>();
    const a = entry('a');
    const b = entry('b');
    heap.push(a, 1);
    heap.push(b, 2);
    expect(heap.remove(a)).toBe(true);
    expect(a.heapIndex).toBe(-1);
    expect(heap.remove(a)).toBe(false);
    expect(heap.size).toBe(1);
    expect(heap.peek()).toBe(b);
    expect(heap.peekTime()).toBe(2);
    expect(drain(heap)).toEqual(['b']);
  });

  test('update repositions both ways, and ties after entries already due then', () => {
    const heap = new TimerHeap<Entry>();
    const entries = ['a', 'b', 'c', 'd'].map(entry);
    entries.forEach((e, i) => heap.push(e, i + 1));
    heap.update(entries[3], 0.5); // d moves to the front
    heap.update(entries[0], 3); // a moves behind c (ties at 3, pushed later)
    expect(heap.update(entry('x'), 1)).toBe(false);
    expect(drain(heap)).toEqual(['d', 'b', 'c', 'a']);
  });

  test('agrees with a sort on random pushes, removes and updates', () => {
    const rand = random(42);
    const heap = new TimerHeap<Entry>();
    const live = new Map<Entry, { time: number; seq: number }>();
    let seq = 0;
    const all: Entry[] = [];
    for (let i = 0; i < 5000; i++) {
      const r = rand();
      if (r < 0.6 || all.length === 0) {
        const e = entry(`e${i}`);
        const time = Math.floor(rand() * 50);
        heap.push(e, time);
        live.set(e, { time, seq: seq++ });
        all.push(e);
      } else {
        const e = all[Math.floor(rand() * all.length)];
        if (r < 0.8) {
          expect(heap.remove(e)).toBe(live.delete(e));
        } else if (live.has(e)) {
          const time = Math.floor(rand() * 50);
          heap.update(e, time);
          live.set(e, { time, seq: seq++ });
        }
      }
      if (i % 500 === 0 && heap.size > 0) {
        const first = heap.pop()!;
        const expected = [...live.entries()].sort((x, y) => x[1].time - y[1].time || x[1].seq - y[1].seq)[0];
        expect(first).toBe(expected[0]);
        live.delete(first);
      }
    }
    expect(heap.size).toBe(live.size);
    const expected = [...live.entries()]
      .sort((x, y) => x[1].time - y[1].time || x[1].seq - y[1].seq)
      .map(([e]) => e.name);
    expect(drain(heap)).toEqual(expected);
  });

  test('removing most entries compacts the heap and gives the memory back', () => {
    const heap = new TimerHeap<Entry>();
    const entries: Entry[] = [];
    for (let i = 0; i < 100_000; i++) {
      const e = entry(`e${i}`);
      entries.push(e);
      heap.push(e, i);
    }
    expect(heap.capacity).toBeGreaterThanOrEqual(100_000);
    for (let i = 0; i < 100_000; i++) if (i % 1000 !== 0) heap.remove(entries[i]);
    expect(heap.size).toBe(100);
    // Tombstones were swept: the slots and the typed arrays shrank to fit the live entries.
    expect(heap.slots).toBeLessThan(300);
    expect(heap.capacity).toBeLessThan(1024);
    const expected = entries.filter((_, i) => i % 1000 === 0).map((e) => e.name);
    expect(drain(heap)).toEqual(expected);
  });

  test('popping everything shrinks the arrays', () => {
    const heap = new TimerHeap<Entry>();
    for (let i = 0; i < 10_000; i++) heap.push(entry(`e${i}`), i);
    drain(heap);
    expect(heap.capacity).toBeLessThanOrEqual(32);
  });

  test('huge and equal far-future times keep their order and do not disturb near ones', () => {
    const heap = new TimerHeap<Entry>();
    heap.push(entry('far1'), 2 ** 53);
    heap.push(entry('near'), 1);
    heap.push(entry('far2'), 2 ** 53);
    heap.push(entry('farthest'), Number.MAX_VALUE);
    expect(drain(heap)).toEqual(['near', 'far1', 'far2', 'farthest']);
  });

  test('clear drops everything', () => {
    const heap = new TimerHeap<Entry>();
    const a = entry('a');
    heap.push(a, 1);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(a.heapIndex).toBe(-1);
    expect(heap.pop()).toBeUndefined();
  });
});
