/** The lifecycle-counting protocol the recorders and echo servers of several suites build on. */
import { DatagramProtocol } from '../../src/protocols/datagram-protocol.ts';

/** Counts `startProtocol`, `stopProtocol` and `connectionRefused` calls; receives nothing itself. */
export class CountingProtocol extends DatagramProtocol {
  /** `startProtocol` calls. */
  started = 0;
  /** `stopProtocol` calls. */
  stopped = 0;
  /** `connectionRefused` calls. */
  refused = 0;

  override startProtocol(): void {
    this.started += 1;
  }

  override stopProtocol(): void {
    this.stopped += 1;
  }

  override connectionRefused(): void {
    this.refused += 1;
  }
}
