/**
 * The errors of the application framework (`twisted.application`).
 *
 * @module
 */
import { TwistedError } from './base.ts';

/**
 * A service tree was changed in a way Twisted refuses with `RuntimeError`: a service given a
 * second parent, two children with one name, a name changed while the service has a parent.
 */
export class ServiceHierarchyError extends TwistedError {
  override readonly code = 'ERR_SERVICE_HIERARCHY';
}
