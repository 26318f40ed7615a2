/**
 * The life of a reactor as one value (Twisted keeps `running`, `_started`, `_stopped` and
 * `_startedBefore` as flags), with its transitions in one table.
 *
 * @internal
 * @module
 */

/**
 * Where a reactor is in its life:
 *
 * ```text
 * idle ─run→ starting ─startupDuring→ running ─stop→ stopping ─shutdownDuring→ shuttingDown ─shutdownDone→ finished
 *              └─stop→ startingToStop ─startupDuring→ stopping
 * crash: idle | starting | running → idle (it may run again);
 *        startingToStop | stopping | shuttingDown → crashed (stop() was called: it may not)
 * ```
 *
 * - `running` (the property) is true in `running` and `stopping`.
 * - `stop()` is allowed in `starting` and `running`; `run()` in `idle`, and throws
 *   `ReactorNotRestartable` in `crashed` and `finished`, `ReactorAlreadyRunning` elsewhere.
 * - Shutdown begins once `stop()` was called and the startup event has completed.
 * - After `finished` no delayed call runs again; after `crashed` they still run, as after any
 *   `crash()`. A crash while the shutdown event fires leaves it firing: it ends in `finished`.
 */
export type ReactorState =
  'idle' | 'starting' | 'startingToStop' | 'running' | 'stopping' | 'shuttingDown' | 'finished' | 'crashed';

/** What moves a reactor from one state to the next. */
export type ReactorEvent = 'run' | 'startupDuring' | 'stop' | 'shutdownDuring' | 'shutdownDone' | 'crash';

const TRANSITIONS: Record<ReactorEvent, Partial<Record<ReactorState, ReactorState>>> = {
  run: { idle: 'starting' },
  startupDuring: { starting: 'running', startingToStop: 'stopping' },
  stop: { starting: 'startingToStop', running: 'stopping' },
  shutdownDuring: { stopping: 'shuttingDown' },
  shutdownDone: { shuttingDown: 'finished', crashed: 'finished' },
  crash: {
    starting: 'idle',
    running: 'idle',
    startingToStop: 'crashed',
    stopping: 'crashed',
    shuttingDown: 'crashed',
  },
};

/** The state after `event`, or `undefined` when `event` does not apply in `state`. */
export function nextState(state: ReactorState, event: ReactorEvent): ReactorState | undefined {
  return TRANSITIONS[event][state];
}

/** Whether the reactor is running (between startup's and shutdown's `during` phases). */
export function isRunning(state: ReactorState): boolean {
  return state === 'running' || state === 'stopping';
}
