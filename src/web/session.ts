/**
 * `Session` (Twisted's `twisted.web.server.Session`): state a `Site` keeps for one browser,
 * found again through a cookie, that expires after `sessionTimeout` seconds without a request.
 *
 * @module
 */
import { AlreadyCalled } from '../errors.ts';
import type { IDelayedCall, IReactorTime } from '../interfaces.ts';
import { Logger } from '../logger/logger.ts';
import { validateFunction } from '../validate.ts';

/** What a session needs from its site. */
export interface SessionSite {
  /** The live sessions by uid; an expiring session removes itself. */
  readonly sessions: Map<string, Session>;
  /** The clock that times sessions out. */
  readonly reactor: IReactorTime;
}

const log = new Logger('twisted-ts.web.Session');

/**
 * A browser's session. `Request.getSession()` makes one (or finds it by its cookie); it expires
 * `sessionTimeout` seconds after the last `touch()` (each `getSession()` touches it), calling
 * the `notifyOnExpire` callbacks.
 *
 * @example
 * const session = request.getSession();
 * session.sessionNamespaces.visits = ((session.sessionNamespaces.visits as number) ?? 0) + 1;
 * session.notifyOnExpire(() => console.log(`session ${session.uid} expired`));
 */
export class Session {
  /** Seconds without a `touch()` after which the session expires (Twisted's 900 by default). */
  sessionTimeout = 900;
  /** The site that made the session. */
  readonly site: SessionSite;
  /** The session's id: 64 hex digits, the value of its cookie. */
  readonly uid: string;
  /** When `touch()` was last called (or the session made), in the clock's seconds. */
  lastModified = 0;
  /** A place for the application's state (Twisted's `sessionNamespaces`). */
  readonly sessionNamespaces: Record<string, unknown> = {};
  readonly #reactor: IReactorTime;
  #expireCallbacks: (() => unknown)[] = [];
  #expireCall: IDelayedCall | undefined = undefined;
  #expired = false;

  /**
   * @param site - the site that keeps the session.
   * @param uid - its id.
   * @param reactor - the clock for expiry; the site's by default.
   */
  constructor(site: SessionSite, uid: string, reactor?: IReactorTime) {
    this.site = site;
    this.uid = uid;
    this.#reactor = reactor ?? site.reactor;
    this.touch();
  }

  /** Starts the expiry timer (the site calls it when it makes the session). */
  startCheckingExpiration(): void {
    this.#expireCall = this.#reactor.callLater(this.sessionTimeout, () => this.expire());
  }

  /** Calls `callback` when the session expires (or `expire()` is called). */
  notifyOnExpire(callback: () => unknown): void {
    validateFunction(callback, 'callback');
    this.#expireCallbacks.push(callback);
  }

  /**
   * Ends the session: removes it from the site, runs the `notifyOnExpire` callbacks (a throw is
   * logged), stops the timer. Calling it again does nothing.
   */
  expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    if (this.site.sessions.get(this.uid) === this) this.site.sessions.delete(this.uid);
    const callbacks = this.#expireCallbacks;
    this.#expireCallbacks = [];
    for (const callback of callbacks) {
      try {
        const result = callback();
        if (result instanceof Promise) {
          result.catch((err: unknown) => log.failure('Error in a session expiry callback', err));
        }
      } catch (err) {
        log.failure('Error in a session expiry callback', err);
      }
    }
    if (this.#expireCall?.active()) this.#expireCall.cancel();
    this.#expireCall = undefined;
  }

  /** Whether the session has expired. */
  get expired(): boolean {
    return this.#expired;
  }

  /**
   * Marks the session used now: its expiry starts again from now.
   *
   * @throws AlreadyCalled when the session has expired (Twisted's timer raises it too), so that
   *   `getSession()` makes a new one.
   */
  touch(): void {
    if (this.#expired) throw new AlreadyCalled(`Session ${this.uid} has expired`);
    this.lastModified = this.#reactor.seconds();
    this.#expireCall?.reset(this.sessionTimeout);
  }
}
