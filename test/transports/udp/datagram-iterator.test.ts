import { describe, expect, it } from 'vitest';
import { DatagramIterator } from '../../../src/transports/udp/datagram-iterator.ts';
import type { DatagramEntry } from '../../../src/transports/udp/datagram-iterator.ts';

const entry = (s: string): DatagramEntry => [Buffer.from(s), ['127.0.0.1', 1]];
const text = (r: IteratorResult<DatagramEntry, undefined>): string | undefined => r.value?.[0].toString();
/** An owner that counts what it is told. */
function owner(onReturned: () => unknown = () => undefined) {
  const told: boolean[] = [];
  return {
    told,
    returned: () => {
      onReturned();
    },
    awaiting: (_it: DatagramIterator, awaiting: boolean) => {
      told.push(awaiting);
    },
  };
}

describe('DatagramIterator', () => {
  it('hands a datagram straight to a waiting reader', async () => {
    const it = new DatagramIterator(2, owner());
    const next = it.next();
    expect(it.push(entry('a'))).toBe(false);
    expect(text(await next)).toBe('a');
  });

  it('keeps order, and drops the oldest beyond highWaterMark', async () => {
    const it = new DatagramIterator(3, owner());
    const dropped = ['a', 'b', 'c', 'd', 'e'].map((s) => it.push(entry(s)));
    expect(dropped).toEqual([false, false, false, true, true]);
    expect(it.drops).toBe(2);
    const got = [];
    for (let i = 0; i < 3; i++) got.push(text(await it.next()));
    expect(got).toEqual(['c', 'd', 'e']);
    it.push(entry('f'));
    expect(text(await it.next())).toBe('f');
  });

  it('end() lets the buffered datagrams be read, then is done', async () => {
    const it = new DatagramIterator(4, owner());
    it.push(entry('a'));
    it.end();
    expect(it.push(entry('late'))).toBe(false);
    expect(text(await it.next())).toBe('a');
    expect((await it.next()).done).toBe(true);
  });

  it('end() finishes a waiting reader', async () => {
    const it = new DatagramIterator(4, owner());
    const next = it.next();
    it.end();
    expect((await next).done).toBe(true);
  });

  it('fail() rejects a waiting reader once, then is done, and tells its owner', async () => {
    let returned = 0;
    const it = new DatagramIterator(
      4,
      owner(() => returned++),
    );
    const next = it.next();
    const boom = new Error('aborted');
    it.fail(boom);
    await expect(next).rejects.toBe(boom);
    expect((await it.next()).done).toBe(true);
    expect(returned).toBe(1);
  });

  it('return() (a for-await break) discards the buffer and tells its owner', async () => {
    let returned = 0;
    const it = new DatagramIterator(
      4,
      owner(() => returned++),
    );
    it.push(entry('a'));
    for await (const _ of it) break;
    expect(returned).toBe(1);
    expect((await it.next()).done).toBe(true);
  });

  it('refuses a second next() while one is pending', async () => {
    const it = new DatagramIterator(1, owner());
    void it.next();
    await expect(it.next()).rejects.toThrow(/before the previous call settled/);
  });

  it('tells its owner while a reader awaits (so that the loop is held), and when it stops', async () => {
    const o = owner();
    const it = new DatagramIterator(4, o);
    const next = it.next();
    expect(o.told).toEqual([true]);
    it.push(entry('a'));
    expect(o.told).toEqual([true, false]);
    await next;
    const again = it.next();
    it.end();
    expect(o.told).toEqual([true, false, true, false]);
    expect((await again).done).toBe(true);
  });

  it('grows its buffer only as datagrams wait, up to highWaterMark', async () => {
    const it = new DatagramIterator(100, owner());
    for (let i = 0; i < 150; i++) it.push(entry(String(i)));
    expect(it.drops).toBe(50);
    const got: (string | undefined)[] = [];
    for (let i = 0; i < 100; i++) got.push(text(await it.next()));
    expect(got[0]).toBe('50');
    expect(got[99]).toBe('149');
  });
});
