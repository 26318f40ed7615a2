/**
 * `TwistedError`, the base of every twisted-ts error, in a file of its own: the area files
 * (`src/errors/<area>.ts`) extend it, and `errors.ts` re-exports them, so they must not import it
 * from `errors.ts` (a cycle would evaluate a subclass before its base).
 *
 * @module
 */
const brandKey = (name: string): symbol => Symbol.for(`twisted-ts.error.${name}`);

/** The classes whose prototypes already carry their brand (see the constructor). */
const branded = new WeakSet<object>();

/**
 * Brands the prototype of every class of `target`'s chain (once per class): an instance then
 * answers `instance[brand] === true` through its prototype chain, for its own class and every
 * base class. Branding prototypes rather than each instance keeps `new` cheap (connections make
 * an error for every close).
 */
function brandChain(target: object): void {
  for (let c: unknown = target; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (branded.has(c as object)) break;
    const key = brandKey((c as { name: string }).name);
    const proto = (c as { prototype: object }).prototype;
    if (!Object.prototype.hasOwnProperty.call(proto, key)) Object.defineProperty(proto, key, { value: true });
    branded.add(c as object);
  }
}

/** The base of every twisted-ts error. */
export class TwistedError extends Error {
  /** A stable, documented identifier for this kind of error. */
  readonly code: string = 'ERR_TWISTED';

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    // `instanceof Base` holds for subclasses: every class of the chain brands its prototype.
    if (!branded.has(new.target)) brandChain(new.target);
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
