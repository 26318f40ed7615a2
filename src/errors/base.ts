/**
 * `TwistedError`, the base of every twisted-ts error, in a file of its own: the area files
 * (`src/errors/<area>.ts`) extend it, and `errors.ts` re-exports them, so they must not import it
 * from `errors.ts` (a cycle would evaluate a subclass before its base).
 *
 * @module
 */
const brandKey = (name: string): symbol => Symbol.for(`twisted-ts.error.${name}`);

/** The base of every twisted-ts error. */
export class TwistedError extends Error {
  /** A stable, documented identifier for this kind of error. */
  readonly code: string = 'ERR_TWISTED';

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    // Brand the instance with every class of its chain, so `instanceof Base` holds for subclasses.
    for (let c: unknown = new.target; c && c !== Error; c = Object.getPrototypeOf(c)) {
      const name = (c as { name: string }).name;
      Object.defineProperty(this, brandKey(name), { value: true });
    }
  }

  /**
   * Answers `instanceof` by a `Symbol.for` brand rather than by prototype, so an error made by
   * the ESM build is an instance of the CommonJS build's class too (and the reverse).
   *
   * @example
   * import { CannotListenError as Esm } from 'twisted-ts';
   * const { CannotListenError: Cjs } = createRequire(import.meta.url)('twisted-ts');
   * new Cjs('', 53, new Error('x')) instanceof Esm; // true
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return (
      instance !== null &&
      (typeof instance === 'object' || typeof instance === 'function') &&
      (instance as Record<symbol, unknown>)[brandKey(this.name)] === true
    );
  }
}
