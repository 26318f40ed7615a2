/**
 * The policies of `twisted.protocols.policies`: wrappers that watch or limit connections.
 *
 * @module
 */
export { LimitTotalConnectionsFactory } from './limit-total-connections-factory.ts';
export { ProtocolWrapper, type ProtocolWrapperFactory } from './protocol-wrapper.ts';
export { TimeoutFactory, type TimeoutFactoryOptions } from './timeout-factory.ts';
export {
  TimeoutMixin,
  type TimeoutMixinBase,
  type TimeoutMixinClass,
  type TimeoutMixinHost,
  type TimeoutMixinMembers,
} from './timeout-mixin.ts';
export { TimeoutProtocol, type TimeoutProtocolFactory } from './timeout-protocol.ts';
export { WrappingFactory, type ProtocolWrapperClass } from './wrapping-factory.ts';
