/**
 * Command lines (Twisted's `twisted.python.usage`): `Options` and `UsageError`.
 *
 * @module
 */
export {
  Options,
  type Coerce,
  type CoerceDoc,
  type OptFlag,
  type OptParameter,
  type SubCommand,
} from './options.ts';
export { portCoerce } from './coerce.ts';
