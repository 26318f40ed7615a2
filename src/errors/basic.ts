/**
 * The errors of the framing protocols (`twisted.protocols.basic`).
 *
 * @module
 */
import { TwistedError } from './base.ts';

/**
 * `sendString` was given a string too long for the length prefix of the protocol (more than 255
 * bytes for `Int8StringReceiver`, 65535 for `Int16StringReceiver`, 2³²−1 for
 * `Int32StringReceiver`) — Twisted's `basic.StringTooLongError` (an `AssertionError` there).
 */
export class StringTooLongError extends TwistedError {
  override readonly code: string = 'ERR_STRING_TOO_LONG';
}

/**
 * A `FileSender`'s transfer ended before the end of the file because the consumer called
 * `stopProducing()` (Twisted errbacks with a bare `Exception("Consumer asked us to stop
 * producing")`).
 */
export class FileTransferStopped extends TwistedError {
  override readonly code: string = 'ERR_FILE_TRANSFER_STOPPED';
}

/**
 * A method meant to be overridden was not (Python's `NotImplementedError`): `lineReceived`,
 * `rawDataReceived` or `stringReceived` of a framing protocol that was used without its
 * subclass defining it. The connection is dropped with this as the reason, as in Twisted.
 */
export class NotImplementedError extends TwistedError {
  override readonly code: string = 'ERR_NOT_IMPLEMENTED';
}
