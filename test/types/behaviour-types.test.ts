// Types that match behaviour, checked by `tsc` (npm run typecheck includes test/): each
// expectTypeOf line is a compile-time assertion, so these cannot regress silently. The runtime
// assertions beside them keep vitest from reporting an empty test.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Clock,
  Deferred,
  DeferredList,
  DelayedCall,
  reactor,
  type DeferredListEntry,
  type Failure,
} from '../../src/index.ts';

describe('DeferredList is typed from its options', () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();

  it('fireOnOneCallback: true → [result, index]', () => {
    const dl = new DeferredList([a, b], { fireOnOneCallback: true });
    expectTypeOf(dl).toExtend<Deferred<[result: string, index: number]>>();
    dl.addCallback(([result, index]) => {
      expectTypeOf(result).toEqualTypeOf<string>();
      expectTypeOf(index).toEqualTypeOf<number>();
    });
    b.callback('b');
    expect(dl.result).toBeUndefined(); // the callback above consumed [result, index]
  });

  it('no options, other options, or fireOnOneCallback: false → [success, result] entries', () => {
    expectTypeOf(new DeferredList([a])).toExtend<Deferred<DeferredListEntry<string>[]>>();
    const consuming = new DeferredList([a], { consumeErrors: true, fireOnOneErrback: false });
    expectTypeOf(consuming).toExtend<Deferred<DeferredListEntry<string>[]>>();
    expectTypeOf(new DeferredList([a], { fireOnOneCallback: false })).toExtend<
      Deferred<DeferredListEntry<string>[]>
    >();
    // An explicit result type argument alone keeps working for the entry form.
    expectTypeOf(new DeferredList<string>([a], { consumeErrors: true })).toExtend<
      Deferred<DeferredListEntry<string>[]>
    >();
    const [entry] = [[true, 'x'] as DeferredListEntry<string>];
    if (entry[0]) expectTypeOf(entry[1]).toEqualTypeOf<string>();
    else expectTypeOf(entry[1]).toEqualTypeOf<Failure>();
    expect(entry[0]).toBe(true);
  });

  it('a flag known only at run time → either form', () => {
    const flag: boolean = Math.random() > 2;
    const dl = new DeferredList([a], { fireOnOneCallback: flag });
    expectTypeOf(dl).toExtend<Deferred<[result: string, index: number] | DeferredListEntry<string>[]>>();
    expect(flag).toBe(false);
  });

  it('an explicit result type with fireOnOneCallback: true is a compile error, pointing at the inferred form', () => {
    // @ts-expect-error -- with only T given, the options type is DeferredListDefaultOptions, which refuses `true`
    const wrong = new DeferredList<string>([a], { fireOnOneCallback: true });
    expect(wrong).toBeInstanceOf(DeferredList);
  });
});

describe('callLater with arguments gives a DelayedCall a field typed DelayedCall accepts', () => {
  /** A protocol that keeps its pending call in a field, as ported Twisted code does. */
  class Pinger {
    call: DelayedCall | undefined;
    schedule(clock: Clock, n: number): void {
      this.call = clock.callLater(1, (count: number, label: string) => `${label} ${count}`, n, 'ping');
    }
    scheduleOnReactor(): void {
      this.call = reactor.callLater(3600, (count: number) => count, 1);
    }
  }

  it('on a Clock and on the reactor', () => {
    const pinger = new Pinger();
    const clock = new Clock();
    pinger.schedule(clock, 3);
    expectTypeOf(clock.callLater(1, (n: number) => n, 1)).toExtend<DelayedCall>();
    expect(pinger.call?.args).toEqual([3, 'ping']);
    pinger.scheduleOnReactor();
    expectTypeOf(pinger.call).toEqualTypeOf<DelayedCall | undefined>();
    pinger.call?.cancel();
  });

  it('still checks the arguments against the function', () => {
    const clock = new Clock();
    // @ts-expect-error -- a string where the function takes a number
    clock.callLater(1, (n: number) => n, 'one');
    expect(clock.calls).toHaveLength(1);
  });
});
