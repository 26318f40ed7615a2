/**
 * What `LineReceiver` and the `IntNStringReceiver`s share (Twisted's `basic._PauseableMixin`):
 * they are push producers of what they parse, so a consumer can pause them between two
 * messages.
 *
 * @module
 */
import { err } from '../../log/log.ts';
import type { IPushProducer } from '../../interfaces.ts';
import { Protocol } from '../protocol.ts';
import { isThenable } from './async-results.ts';

const EMPTY = Buffer.alloc(0);

/**
 * A protocol whose parsing can be paused: `pauseProducing()` stops the delivery of messages
 * (and pauses the transport), `resumeProducing()` delivers what was buffered meanwhile and
 * resumes the transport, `stopProducing()` stops for good and drops the connection.
 */
export class PauseableReceiver extends Protocol implements IPushProducer {
  /** `true` while paused: no message is delivered, received data is kept. */
  paused = false;

  /** Stops delivering messages until `resumeProducing()`, and stops reading from the transport. */
  pauseProducing(): void {
    this.paused = true;
    this.transport.pauseProducing();
  }

  /** Delivers the messages buffered while paused, then resumes reading from the transport. */
  resumeProducing(): void {
    this.paused = false;
    this.transport.resumeProducing();
    const result = this.dataReceived(EMPTY);
    // Nobody waits on this call's promise as the transport waits on dataReceived's: report here.
    if (isThenable(result)) {
      result.then(undefined, (reason: unknown) => {
        err(reason, `Unhandled error in ${this.logPrefix()} after resumeProducing`);
        this.transport.loseConnection();
      });
    }
  }

  /** Stops delivering messages for good and drops the connection (`transport.stopProducing()`). */
  stopProducing(): void {
    this.paused = true;
    this.transport.stopProducing();
  }
}
