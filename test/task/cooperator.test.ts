// Ports twisted/test/test_cooperator.py: CooperatorTests, AliasTests and RunStateTests.
import { describe, expect, it } from 'vitest';
import { Deferred } from '../../src/defer/deferred.ts';
import { DeferredList } from '../../src/defer/deferred-list.ts';
import { fail } from '../../src/defer/shortcuts.ts';
import {
  NotPaused,
  SchedulerError,
  SchedulerStopped,
  TaskDone,
  TaskFailed,
  TaskFinished,
  TaskStopped,
  TwistedError,
} from '../../src/errors.ts';
import { Failure } from '../../src/failure.ts';
import { Clock } from '../../src/task/clock.ts';
import { Cooperator, coiterate, cooperate, type CooperatorCall } from '../../src/task/cooperator.ts';
import type { CooperativeTask } from '../../src/task/cooperative-task.ts';
import { Reactor } from '../../src/reactor/index.ts';
import { consume, outcome } from '../defer/helpers.ts';

/** test_cooperator's FakeDelayedCall / FakeScheduler: ticks run only when the test pumps. */
class FakeScheduler {
  work: { func: () => void; cancelled: boolean; cancel(): void }[] = [];
  schedule = (func: () => void): CooperatorCall => {
    const unit = {
      func,
      cancelled: false,
      cancel() {
        this.cancelled = true;
      },
    };
    this.work.push(unit);
    return unit;
  };
  pump(): void {
    const work = this.work;
    this.work = [];
    for (const unit of work) if (!unit.cancelled) unit.func();
  }
}

/** A Cooperator on a Clock, so tests can run ticks deterministically. */
function clockCooperator(options: { oneUnitPerTick?: boolean } = {}): { coop: Cooperator; clock: Clock } {
  const clock = new Clock();
  const coop = new Cooperator({
    scheduler: (tick) => clock.callLater(0, tick),
    ...(options.oneUnitPerTick ? { terminationPredicateFactory: () => () => true } : {}),
  });
  return { coop, clock };
}

/** Pumps a Clock-driven Cooperator until `d` fires (bounded). */
function runUntil(clock: Clock, d: Deferred<unknown>): void {
  for (let i = 0; i < 1000 && !d.called; i++) clock.advance(0);
}

/** test_cooperator's ebIter: SchedulerStopped becomes 'done'. */
function ebIter(f: Failure): string {
  f.trap(SchedulerStopped);
  return 'done';
}

describe('Cooperator (test_cooperator.CooperatorTests)', () => {
  it('testStoppedRejectsNewTasks: a stopped Cooperator ends new tasks with SchedulerStopped', () => {
    for (const given of [undefined, new Deferred<Iterator<never>>()]) {
      const c = new Cooperator();
      c.stop();
      const d = c.coiterate([][Symbol.iterator](), given);
      if (given) expect(d).toBe(given);
      d.addCallback(() => expect.unreachable('the task ran')).addErrback(ebIter);
      expect(outcome(d).value).toBe('done');
    }
  });

  it('testStopRunning: a running iterator does not run to completion when the Cooperator stops', () => {
    const c = new Cooperator();
    let value = -1;
    function* myiter() {
      for (let i = 0; i < 3; i++) {
        value = i;
        yield i;
      }
    }
    const d = c.coiterate(myiter());
    d.addCallback(() => expect.unreachable()).addErrback(ebIter);
    c.stop();
    expect(outcome(d).value).toBe('done');
    expect(value).toBe(-1);
  });

  it('testStopOutstanding: a task paused on a Deferred fails with SchedulerStopped when stopped', () => {
    const { coop, clock } = clockCooperator();
    const outstanding = new Deferred<string>();
    const d = coop.coiterate(
      (function* () {
        yield outstanding;
        expect.unreachable('resumed after stop');
      })(),
    );
    clock.advance(0);
    coop.stop();
    outstanding.callback('arglebargle');
    d.addCallback(() => expect.unreachable()).addErrback(ebIter);
    expect(outcome(d).value).toBe('done');
  });

  it('testUnexpectedError: an iterator that throws fails the task with its error', () => {
    const { coop, clock } = clockCooperator();
    const d = coop.coiterate(
      (function* () {
        throw new RangeError('unexpected');
      })(),
    );
    runUntil(clock, d);
    expect(outcome(d).failure?.value).toBeInstanceOf(RangeError);
    consume(d);
  });

  it('testUnexpectedErrorActuallyLater: a yielded Deferred that fails later fails the task', () => {
    const { coop, clock } = clockCooperator();
    const d = coop.coiterate(
      (function* () {
        const later = new Deferred<never>();
        clock.callLater(0, () => later.errback(new RangeError('later')));
        yield later;
      })(),
    );
    runUntil(clock, d);
    expect(outcome(d).failure?.value.message).toBe('later');
    consume(d);
  });

  it('testUnexpectedErrorNotActuallyLater: a yielded Deferred that already failed fails the task', () => {
    const { coop, clock } = clockCooperator();
    const d = coop.coiterate(
      (function* () {
        yield fail(new RangeError('now'));
      })(),
    );
    runUntil(clock, d);
    expect(outcome(d).failure?.value.message).toBe('now');
    consume(d);
  });

  it('testCooperation: the units of several tasks are interleaved, round-robin', () => {
    const { coop, clock } = clockCooperator();
    const seen: unknown[] = [];
    function* myiter(things: readonly unknown[]) {
      for (const th of things) {
        seen.push(th);
        yield;
      }
    }
    const groups = [
      ['a', 'b', 'c'],
      [1, 2, 3],
      ['d', 'e', 'f'],
      [4, 5, 6],
    ];
    const all = new DeferredList(groups.map((g) => coop.coiterate(myiter(g))));
    runUntil(clock, all);
    expect(seen).toEqual(['a', 1, 'd', 4, 'b', 2, 'e', 5, 'c', 3, 'f', 6]);
  });

  it('testResourceExhaustion: a tick stops when the termination predicate says so', () => {
    const output: number[] = [];
    let stopped = false;
    const scheduler = new FakeScheduler();
    const c = new Cooperator({
      terminationPredicateFactory: () => () => stopped,
      scheduler: scheduler.schedule,
    });
    c.coiterate(
      (function* () {
        for (let i = 0; i < 100; i++) {
          output.push(i);
          if (i === 9) stopped = true;
          yield i;
        }
      })(),
    ).addErrback(ebIter);
    c._delayedCall!.cancel();
    c._tick();
    c.stop();
    expect(stopped).toBe(true);
    expect(output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('testCallbackReCoiterate: re-coiterating from a whenDone callback schedules only one tick', () => {
    const calls: (() => void)[] = [];
    const c = new Cooperator({
      scheduler: (f) => {
        expect(calls).toEqual([]);
        calls.push(f);
        return { cancel() {} };
      },
      terminationPredicateFactory: () => () => true,
    });
    const done: unknown[] = [];
    c.coiterate([][Symbol.iterator]()).addCallback(() => {
      c.coiterate([][Symbol.iterator]()).addBoth((r) => done.push(r));
    });
    let work = 0;
    while (done.length === 0) {
      work++;
      while (calls.length > 0) {
        calls.shift()!();
        work++;
      }
      expect(work).toBeLessThanOrEqual(50);
    }
  });

  it('test_removingLastTaskStopsScheduledCall: removing the last task cancels the pending tick', () => {
    const scheduler = new FakeScheduler();
    const coop = new Cooperator({ scheduler: scheduler.schedule });
    const task1 = coop.cooperate([1, 2]);
    const task2 = coop.cooperate([1, 2]);
    const first = scheduler.work[0];
    expect(first.func).toBe(coop._tick);
    task1.stop();
    expect(first.cancelled).toBe(false);
    expect(coop._delayedCall).toBe(first);
    task2.stop();
    expect(first.cancelled).toBe(true);
    expect(coop._delayedCall).toBeUndefined();
    coop.cooperate([1, 2]);
    expect(coop._delayedCall).toBe(scheduler.work[1]);
    expect(scheduler.work[1].cancelled).toBe(false);
    consume(task1.whenDone());
    consume(task2.whenDone());
  });

  it('test_runningWhen*: running is true when started (at creation or by start) and not stopped', () => {
    expect(new Cooperator().running).toBe(true);
    const c = new Cooperator({ started: false });
    expect(c.running).toBe(false);
    c.start();
    expect(c.running).toBe(true);
    c.stop();
    expect(c.running).toBe(false);
  });

  it("takes Twisted's arguments positionally too", () => {
    const scheduler = new FakeScheduler();
    const c = new Cooperator(() => () => true, scheduler.schedule, false);
    expect(c.running).toBe(false);
    const task = c.cooperate([1]);
    expect(scheduler.work).toHaveLength(0); // not started: nothing scheduled
    c.start();
    expect(scheduler.work).toHaveLength(1);
    task.stop();
    consume(task.whenDone());
  });

  it('a task waits on a yielded Promise, as on a Deferred', async () => {
    const reactor = new Reactor();
    const coop = new Cooperator({ scheduler: (tick) => reactor.callLater(0, tick) });
    const seen: number[] = [];
    await coop.coiterate(
      (function* () {
        seen.push(1);
        yield new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(2);
      })(),
    );
    expect(seen).toEqual([1, 2]);
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => new Cooperator({ scheduler: 5 as never })).toThrow(
      /"scheduler" argument must be of type function/,
    );
    expect(() => new Cooperator(() => () => true, undefined, 'yes' as never)).toThrow(/"started"/);
    expect(() => new Cooperator().cooperate(5 as never)).toThrow(
      /"iterator" argument must be an iterator or an iterable/,
    );
  });
});

describe('cooperate and coiterate (test_cooperator.AliasTests)', () => {
  it('test_cooperate: the shared Cooperator runs the iterator on the reactor', async () => {
    const done = new Deferred<string>();
    const task = cooperate(
      (function* () {
        yield 1;
        yield 2;
        yield 3;
        done.callback('yay');
      })(),
    );
    expect(await done).toBe('yay');
    await task.whenDone();
  });

  it('coiterate gives the iterator back when it is exhausted', async () => {
    const iterator = [1, 2, 3][Symbol.iterator]();
    expect(await coiterate(iterator)).toBe(iterator);
  });

  it('time-slices: a long task lets timers run between ticks', async () => {
    let units = 0;
    let timerFiredAfter = -1;
    await coiterate(
      (function* () {
        setTimeout(() => {
          timerFiredAfter = units;
        }, 1);
        // Work until the timer has had its turn, then a little more. Bounded by the timer, not
        // by a wall-clock span a loaded machine can eat whole: without time-slicing the timer
        // cannot run before the task gives up (10 s) and ends.
        const giveUp = performance.now() + 10_000;
        while (timerFiredAfter < 0 && performance.now() < giveUp) {
          units++;
          yield;
        }
        for (let i = 0; i < 10; i++) {
          units++;
          yield;
        }
      })(),
    );
    // The timer ran while the task was still going, not after its last unit.
    expect(timerFiredAfter).toBeGreaterThan(0);
    expect(timerFiredAfter).toBeLessThan(units);
  });
});

describe('CooperativeTask run states (test_cooperator.RunStateTests)', () => {
  /** The fixture: a worker task on a FakeScheduler Cooperator doing one unit per tick. */
  function setUp() {
    const flags = { deferNext: false, stopNext: false, dieNext: false };
    const work: (number | Deferred<unknown>)[] = [];
    const scheduler = new FakeScheduler();
    const cooperator = new Cooperator({
      scheduler: scheduler.schedule,
      terminationPredicateFactory: () => () => true,
    });
    function* worker() {
      let i = 0;
      for (;;) {
        i++;
        if (flags.deferNext) {
          flags.deferNext = false;
          const d = new Deferred<unknown>();
          work.push(d);
          yield d;
        } else if (flags.stopNext) {
          return;
        } else if (flags.dieNext) {
          throw new UnhandledException();
        } else {
          work.push(i);
          yield i;
        }
      }
    }
    const iterator = worker();
    const task: CooperativeTask<unknown> = cooperator.cooperate(iterator);
    cooperator.start();
    return { flags, work, scheduler, cooperator, task, iterator };
  }
  class UnhandledException extends Error {}

  it('test_pauseResume', () => {
    const { work, scheduler, task } = setUp();
    scheduler.pump();
    expect(work).toEqual([1]);
    scheduler.pump();
    expect(work).toEqual([1, 2]);
    task.pause();
    scheduler.pump();
    expect(work).toEqual([1, 2]);
    task.resume();
    expect(work).toEqual([1, 2]); // resuming does no work by itself
    scheduler.pump();
    expect(work).toEqual([1, 2, 3]);
  });

  it('test_resumeNotPaused', () => {
    const { task } = setUp();
    expect(() => task.resume()).toThrow(NotPaused);
    task.pause();
    task.resume();
    expect(() => task.resume()).toThrow(NotPaused);
  });

  it('test_pauseTwice: pauses nest', () => {
    const { work, scheduler, task } = setUp();
    task.pause();
    scheduler.pump();
    task.pause();
    scheduler.pump();
    task.resume();
    scheduler.pump();
    expect(work).toEqual([]);
    task.resume();
    scheduler.pump();
    expect(work).toEqual([1]);
  });

  it('test_pauseWhileDeferred: the Deferred must fire and the task be resumed', () => {
    const { flags, work, scheduler, task } = setUp();
    flags.deferNext = true;
    scheduler.pump();
    expect(work).toHaveLength(1);
    expect(work[0]).toBeInstanceOf(Deferred);
    scheduler.pump();
    expect(work).toHaveLength(1);
    task.pause();
    scheduler.pump();
    task.resume();
    scheduler.pump();
    expect(work).toHaveLength(1);
    (work[0] as Deferred<unknown>).callback('STUFF!');
    scheduler.pump();
    expect(work).toEqual([work[0], 2]);
  });

  it('test_whenDone: each whenDone() Deferred fires with the iterator, independently', () => {
    const { flags, scheduler, task, iterator } = setUp();
    const results1: unknown[] = [];
    const results2: unknown[] = [];
    const final1: unknown[] = [];
    const final2: unknown[] = [];
    task
      .whenDone()
      .addCallback((r) => {
        results1.push(r);
        return 1;
      })
      .addCallback((r) => final1.push(r));
    task
      .whenDone()
      .addCallback((r) => {
        results2.push(r);
        return 2;
      })
      .addCallback((r) => final2.push(r));
    flags.stopNext = true;
    scheduler.pump();
    expect(results1).toEqual([iterator]);
    expect(results2).toEqual([iterator]);
    expect(final1).toEqual([1]);
    expect(final2).toEqual([2]);
  });

  it('test_whenDoneError: whenDone() fails with the error next() threw', () => {
    const { flags, scheduler, task } = setUp();
    const errors: Failure[] = [];
    task.whenDone().addErrback((f: Failure) => errors.push(f));
    flags.dieNext = true;
    scheduler.pump();
    expect(errors).toHaveLength(1);
    expect(errors[0].check(UnhandledException)).toBe(UnhandledException);
  });

  it('test_whenDoneStop: whenDone() fails with TaskStopped after stop()', () => {
    const { task } = setUp();
    const errors: Failure[] = [];
    task.whenDone().addErrback((f: Failure) => errors.push(f));
    task.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0].check(TaskStopped)).toBe(TaskStopped);
  });

  it('test_whenDoneAlreadyDone: whenDone() on a finished task fires at once', () => {
    const { flags, scheduler, task, iterator } = setUp();
    flags.stopNext = true;
    scheduler.pump();
    const results: unknown[] = [];
    task.whenDone().addCallback((r) => results.push(r));
    expect(results).toEqual([iterator]);
  });

  it('test_stopStops: a stopped task does no more work and refuses stop/pause with TaskStopped', () => {
    const { work, scheduler, task } = setUp();
    consume(task.whenDone());
    task.stop();
    scheduler.pump();
    expect(work).toEqual([]);
    expect(() => task.stop()).toThrow(TaskStopped);
    expect(() => task.pause()).toThrow(TaskStopped);
    scheduler.pump();
    expect(work).toEqual([]);
  });

  it('test_pauseStopResume: resuming a paused, stopped task does nothing', () => {
    const { work, scheduler, task } = setUp();
    consume(task.whenDone());
    task.pause();
    task.stop();
    task.resume();
    scheduler.pump();
    expect(work).toEqual([]);
  });

  it('test_stopDeferred: a task stopped while it waits is not resumed when the Deferred fires', () => {
    const { flags, work, scheduler, task } = setUp();
    consume(task.whenDone());
    flags.deferNext = true;
    scheduler.pump();
    const d = work.pop() as Deferred<number>;
    const results: unknown[] = [];
    d.addBoth((r) => results.push(r));
    scheduler.pump();
    task.stop();
    scheduler.pump();
    d.callback(7);
    scheduler.pump();
    // The Cooperator consumed the Deferred's result (its callback returns nothing), so the
    // chain goes on with undefined; above all, no further work happened.
    expect(results).toEqual([undefined]);
    expect(work).toEqual([]);
  });

  it('test_stopExhausted / test_stopErrored: stop() of a finished task throws TaskDone or TaskFailed', () => {
    const done = setUp();
    done.flags.stopNext = true;
    done.scheduler.pump();
    expect(() => done.task.stop()).toThrow(TaskDone);

    const died = setUp();
    consume(died.task.whenDone());
    died.flags.dieNext = true;
    died.scheduler.pump();
    expect(() => died.task.stop()).toThrow(TaskFailed);
  });

  it('test_stopCooperatorReentrancy: a whenDone() callback may stop the Cooperator', () => {
    const { flags, scheduler, cooperator, task, iterator } = setUp();
    const phases: unknown[] = [];
    task.whenDone().addCallback((r) => {
      phases.push(r);
      cooperator.stop();
      phases.push('done');
    });
    flags.stopNext = true;
    scheduler.pump();
    expect(phases).toEqual([iterator, 'done']);
  });
});

describe('the scheduler errors', () => {
  it("keep Twisted's hierarchy, with a code each", () => {
    const cases: [Error, string, ...(abstract new (...a: never[]) => unknown)[]][] = [
      [new SchedulerStopped(), 'ERR_SCHEDULER_STOPPED', SchedulerError],
      [new TaskDone(), 'ERR_TASK_DONE', TaskFinished, SchedulerError],
      [new TaskStopped(), 'ERR_TASK_STOPPED', TaskFinished, SchedulerError],
      [new TaskFailed(), 'ERR_TASK_FAILED', TaskFinished, SchedulerError],
      [new NotPaused(), 'ERR_NOT_PAUSED', SchedulerError],
    ];
    for (const [error, code, ...bases] of cases) {
      expect((error as TwistedError).code).toBe(code);
      expect(error).toBeInstanceOf(TwistedError);
      for (const base of bases) expect(error).toBeInstanceOf(base);
    }
    expect(new TaskDone()).not.toBeInstanceOf(TaskStopped);
  });
});
