import { describe, expect, it } from 'vitest';
import { DeferredQueue } from '../../src/defer/deferred-queue.ts';
import { CancelledError, QueueOverflow, QueueUnderflow } from '../../src/errors.ts';
import { consume, outcome } from './helpers.ts';

describe('DeferredQueue', () => {
  it('get fires at once with a stored object, oldest first', () => {
    const q = new DeferredQueue<number>();
    q.put(1);
    q.put(2);
    expect(q.pending).toEqual([1, 2]);
    expect(outcome(q.get()).value).toBe(1);
    expect(outcome(q.get()).value).toBe(2);
  });

  it('a waiting get is fired by the next put, in order', () => {
    const q = new DeferredQueue<string>();
    const a = q.get();
    const b = q.get();
    expect(a.called).toBe(false);
    q.put('x');
    q.put('y');
    expect(outcome(a).value).toBe('x');
    expect(outcome(b).value).toBe('y');
    expect(q.pending).toEqual([]);
  });

  it('put beyond size throws QueueOverflow', () => {
    const q = new DeferredQueue<number>(1);
    q.put(1);
    expect(() => q.put(2)).toThrow(QueueOverflow);
    expect(q.pending).toEqual([1]);
  });

  it('a size of 0 stores nothing but still serves waiting gets', () => {
    const q = new DeferredQueue<number>(0);
    expect(() => q.put(1)).toThrow(QueueOverflow);
    const d = q.get();
    q.put(2);
    expect(outcome(d).value).toBe(2);
  });

  it('get beyond backlog throws QueueUnderflow', () => {
    const q = new DeferredQueue<number>(undefined, 1);
    q.get();
    let thrown: unknown;
    try {
      q.get();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(QueueUnderflow);
    expect((thrown as QueueUnderflow).code).toBe('ERR_QUEUE_UNDERFLOW');
  });

  it('cancelling a pending get removes it: the next put goes to the next getter', () => {
    const q = new DeferredQueue<number>();
    const a = q.get();
    const b = q.get();
    a.cancel();
    expect(outcome(a).failure!.value).toBeInstanceOf(CancelledError);
    consume(a);
    expect(q.waiting).toEqual([b]);
    q.put(7);
    expect(outcome(b).value).toBe(7);
  });

  it('validates size and backlog', () => {
    expect(() => new DeferredQueue(-1)).toThrow(RangeError);
    expect(() => new DeferredQueue(1.5)).toThrow(/"size"/);
    expect(() => new DeferredQueue(undefined, -2)).toThrow(/"backlog"/);
    expect(() => new DeferredQueue('3' as never)).toThrow(TypeError);
  });
});
