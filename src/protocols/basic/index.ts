/**
 * The framing protocols of `twisted.protocols.basic`.
 *
 * @module
 */
export { FileSender, type ReadableFile } from './file-sender.ts';
export {
  Int16StringReceiver,
  Int32StringReceiver,
  Int8StringReceiver,
  IntNStringReceiver,
} from './int-n-string-receiver.ts';
export { LineOnlyReceiver } from './line-only-receiver.ts';
export { LineReceiver } from './line-receiver.ts';
export { NetstringReceiver } from './netstring-receiver.ts';
export { PauseableReceiver } from './pauseable-receiver.ts';
