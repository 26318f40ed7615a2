/**
 * Filtering (Twisted's `twisted.logger._filter`): `FilteringLogObserver`, `PredicateResult` and
 * `LogLevelFilterPredicate`.
 *
 * @module
 */
import { InvalidLogLevelError } from '../errors/logger.ts';
import { CallableObserver } from './callable-observer.ts';
import type { ILogObserver, LogEvent } from './event.ts';
import { LogLevel } from './levels.ts';

/** What a filter predicate answers: log it now, drop it now, or let the next predicate decide. */
export const PredicateResult = Object.freeze({
  /** Log the event without asking the remaining predicates. */
  yes: 'yes',
  /** Drop the event without asking the remaining predicates. */
  no: 'no',
  /** No opinion: ask the next predicate (the event is logged when none objects). */
  maybe: 'maybe',
} as const);

/** One of the {@link PredicateResult} values. */
export type PredicateResult = (typeof PredicateResult)[keyof typeof PredicateResult];

/** A filter predicate (Twisted's `ILogFilterPredicate`). */
export type ILogFilterPredicate = (event: LogEvent) => PredicateResult;

/**
 * Forwards an event to `observer` when the predicates let it through, to `negativeObserver`
 * (default: nowhere) otherwise.
 *
 * @example
 * const predicate = new LogLevelFilterPredicate(LogLevel.warn);
 * predicate.setLogLevelForNamespace('statsd', LogLevel.debug);
 * globalLogBeginner.beginLoggingTo([new FilteringLogObserver(textFileLogObserver(process.stdout), [predicate])]);
 */
export class FilteringLogObserver extends CallableObserver {
  #observer: ILogObserver;
  #predicates: readonly ILogFilterPredicate[];
  #negative: ILogObserver | undefined;

  /** Filters what reaches `observer` through `predicates`. */
  constructor(
    observer: ILogObserver,
    predicates: Iterable<ILogFilterPredicate>,
    negativeObserver?: ILogObserver,
  ) {
    super();
    if (typeof observer !== 'function') {
      throw Object.assign(new TypeError('The "observer" argument must be of type function'), {
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    this.#observer = observer;
    this.#predicates = [...predicates];
    for (const p of this.#predicates) {
      if (typeof p !== 'function') {
        throw Object.assign(new TypeError('The "predicates" argument must hold functions'), {
          code: 'ERR_INVALID_ARG_TYPE',
        });
      }
    }
    this.#negative = negativeObserver;
  }

  /** Forwards or drops the event. */
  observe(event: LogEvent): void {
    if (shouldLogEvent(this.#predicates, event)) this.#observer(event);
    else if (this.#negative !== undefined) this.#negative(event);
  }
}

/** Whether the predicates let `event` through (Twisted's `shouldLogEvent`). */
export function shouldLogEvent(predicates: readonly ILogFilterPredicate[], event: LogEvent): boolean {
  for (let i = 0; i < predicates.length; i++) {
    const result = predicates[i](event);
    if (result === 'yes') return true;
    if (result === 'no') return false;
    if (result !== 'maybe') throw new TypeError(`Invalid predicate result: ${String(result)}`);
  }
  return true;
}

/**
 * The base of callable predicates, as Twisted's predicate objects are called: `new` returns a
 * function whose prototype is the subclass's, calling `decide`.
 */
export abstract class CallablePredicate {
  constructor() {
    const self = function predicate(event: LogEvent): PredicateResult {
      return self.decide(event);
    } as unknown as CallablePredicate;
    Object.setPrototypeOf(self, new.target.prototype);
    return self;
  }

  /** The answer for `event`. */
  abstract decide(event: LogEvent): PredicateResult;
}

function checkLevel(level: unknown): asserts level is LogLevel {
  if (!LogLevel.isLogLevel(level)) throw new InvalidLogLevelError(level);
}

/**
 * Drops events below the level set for their namespace (a dotted prefix counts: a level set for
 * `statsd` applies to `statsd.server`), and events without a level or a namespace.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- callable: CallablePredicate's constructor returns a function
export class LogLevelFilterPredicate extends CallablePredicate {
  /** The level of namespaces that have none of their own. */
  readonly defaultLogLevel: LogLevel;
  #levels = new Map<string, LogLevel>();

  /** A predicate with `defaultLogLevel` (default `LogLevel.info`) for every namespace. */
  constructor(defaultLogLevel: LogLevel = LogLevel.info) {
    super();
    checkLevel(defaultLogLevel);
    this.defaultLogLevel = defaultLogLevel;
    this.clearLogLevels();
  }

  /** The level in force for `namespace` (its own, its nearest dotted parent's, or the default). */
  logLevelForNamespace(namespace: string): LogLevel {
    const levels = this.#levels;
    if (!namespace) return levels.get('')!;
    const own = levels.get(namespace);
    if (own !== undefined) return own;
    let ns = namespace;
    for (let dot = ns.lastIndexOf('.'); dot > 0; dot = ns.lastIndexOf('.')) {
      ns = ns.slice(0, dot);
      const level = levels.get(ns);
      if (level !== undefined) return level;
    }
    return levels.get('')!;
  }

  /** Sets the level of `namespace` (`''` sets the default). */
  setLogLevelForNamespace(namespace: string, level: LogLevel): void {
    checkLevel(level);
    this.#levels.set(namespace || '', level);
  }

  /** Forgets every namespace's level; the default stays. */
  clearLogLevels(): void {
    this.#levels.clear();
    this.#levels.set('', this.defaultLogLevel);
  }

  /** The answer for `event` (what calling the predicate returns). */
  decide(event: LogEvent): PredicateResult {
    const level = event.log_level;
    if (level === undefined || level === null) return PredicateResult.no;
    const namespace = event.log_namespace;
    if (!namespace) return PredicateResult.no;
    return (level as LogLevel).severity < this.logLevelForNamespace(namespace).severity
      ? PredicateResult.no
      : PredicateResult.maybe;
  }
}

/** Calling the predicate answers a {@link PredicateResult}. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the class above
export interface LogLevelFilterPredicate {
  /** The answer for `event`. */
  (event: LogEvent): PredicateResult;
}
