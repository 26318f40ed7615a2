/**
 * `backoffPolicy` (Twisted's `twisted.application.internet.backoffPolicy`).
 *
 * @module
 */

/** A retry policy: the seconds to wait before the attempt after `failedAttempts` consecutive failures. */
export type RetryPolicy = (failedAttempts: number) => number;

/** The options of `backoffPolicy({ … })`. */
export interface BackoffPolicyOptions {
  /** The delay of the first retry, seconds (default 1). */
  initialDelay?: number;
  /** The longest delay before jitter, seconds (default 60). */
  maxDelay?: number;
  /** How much each failure multiplies the delay (default 1.5). */
  factor?: number;
  /** Noise added to each delay (default `Math.random`: 0–1 s). */
  jitter?: () => number;
}

/**
 * An exponential back-off: `min(initialDelay * factor ** attempt, maxDelay) + jitter()`.
 * `backoffPolicy(initialDelay?, maxDelay?, factor?, jitter?)` or `backoffPolicy({ … })`.
 *
 * @example
 * new ClientService(endpoint, factory, { retryPolicy: backoffPolicy({ initialDelay: 0.5, maxDelay: 30 }) });
 */
export function backoffPolicy(
  initialDelayOrOptions?: number | BackoffPolicyOptions,
  maxDelay?: number,
  factor?: number,
  jitter?: () => number,
): RetryPolicy {
  const options: BackoffPolicyOptions =
    typeof initialDelayOrOptions === 'object' && initialDelayOrOptions !== null
      ? initialDelayOrOptions
      : { initialDelay: initialDelayOrOptions, maxDelay, factor, jitter };
  const initial = options.initialDelay ?? 1.0;
  const max = options.maxDelay ?? 60.0;
  const f = options.factor ?? 1.5;
  const noise = options.jitter ?? Math.random;
  for (const [name, value] of [
    ['initialDelay', initial],
    ['maxDelay', max],
    ['factor', f],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw Object.assign(
        new RangeError(
          `The value of "${name}" is out of range. It must be a finite number >= 0. Received ${String(value)}`,
        ),
        { code: 'ERR_OUT_OF_RANGE' },
      );
    }
  }
  if (typeof noise !== 'function') {
    throw Object.assign(new TypeError('The "jitter" argument must be of type function'), {
      code: 'ERR_INVALID_ARG_TYPE',
    });
  }
  return function policy(attempt: number): number {
    const delay = initial * f ** Math.min(100, attempt);
    return (Number.isFinite(delay) ? Math.min(delay, max) : max) + noise();
  };
}
