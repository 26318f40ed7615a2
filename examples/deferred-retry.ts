/**
 * Deferreds for the things UDP needs around every request: a timeout per attempt, retries with
 * exponential backoff, and cancellation that reaches whatever is in progress — the attempt in
 * flight or the sleep between two attempts — and stops sending.
 *
 *   node examples/deferred-retry.ts [--attempts 4] [--timeout 0.15] [--backoff 0.05]
 *
 * Three runs against servers on 127.0.0.1: one that drops the first two requests, one that
 * never answers, and a retrying request cancelled halfway (by an AbortSignal).
 */
import {
  CancelledError,
  DatagramProtocol,
  Deferred,
  TimeoutError,
  deferLater,
  react,
  type AddressTuple,
  type Failure,
  type IReactorTime,
  type Reactor,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/deferred-retry.ts [--attempts 4] [--timeout 0.15] [--backoff 0.05]

Deferreds for the things UDP needs around every request: a timeout per attempt, retries with
exponential backoff, and cancellation that reaches whatever is in progress — the attempt in
flight or the sleep between two attempts — and stops sending.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    attempts: { type: 'string', default: '4' },
    timeout: { type: 'string', default: '0.15' },
    backoff: { type: 'string', default: '0.05' },
  },
});

interface RetryOptions {
  attempts: number;
  /** The first pause, in seconds; each next one doubles, up to `maxBackoff`. */
  backoff: number;
  maxBackoff: number;
}

/**
 * Calls `attempt(n)` until one succeeds, retrying only on TimeoutError, with exponential
 * backoff between attempts. Cancelling the returned Deferred cancels the attempt in flight or
 * the pending pause, and nothing more is sent. (An `async` function could not do that: a
 * Promise cannot be cancelled, a Deferred can.)
 */
function retry<T>(
  clock: IReactorTime,
  attempt: (n: number) => Deferred<T>,
  options: RetryOptions,
): Deferred<T> {
  let current: Deferred<unknown> | undefined;
  let cancelled = false;
  const result = new Deferred<T>(() => {
    cancelled = true;
    current?.cancel();
  });
  const run = (n: number): void => {
    const d = attempt(n);
    current = d;
    d.addCallbacks(
      (value: T) => result.callback(value),
      (failure: Failure) => {
        if (cancelled) return; // result already failed with CancelledError
        if (!failure.check(TimeoutError) || n === options.attempts) {
          result.errback(failure);
          return;
        }
        const pause = Math.min(options.maxBackoff, options.backoff * 2 ** (n - 1));
        console.log(`  attempt ${n} timed out; next in ${pause.toFixed(2)} s`);
        const sleep = deferLater(clock, pause);
        current = sleep;
        sleep.addCallbacks(
          () => run(n + 1),
          () => undefined, // the pause was cancelled
        );
      },
    );
  };
  run(1);
  return result;
}

/** A server that answers "pong" after dropping the first `drop` requests (Infinity: never answers). */
class Flaky extends DatagramProtocol {
  received = 0;
  readonly drop: number;
  constructor(drop: number) {
    super();
    this.drop = drop;
  }
  override datagramReceived(datagram: Buffer, addr: AddressTuple): void {
    this.received += 1;
    if (this.received > this.drop) this.transport.write(Buffer.from(`pong to ${datagram}`), addr);
  }
}

/** A client whose `request` is one attempt: send, and wait `timeout` seconds for the answer. */
class Client extends DatagramProtocol {
  /** Requests sent so far. */
  sent = 0;
  private waiting: Deferred<string> | undefined;
  request(to: AddressTuple, text: string, timeout: number, clock: IReactorTime): Deferred<string> {
    const d = new Deferred<string>(() => {
      if (this.waiting === d) this.waiting = undefined;
    });
    this.waiting = d;
    this.sent += 1;
    this.transport.write(Buffer.from(text), to);
    return d.addTimeout(timeout, clock);
  }
  override datagramReceived(datagram: Buffer): void {
    const d = this.waiting;
    this.waiting = undefined;
    d?.callback(datagram.toString());
  }
}

react(async (reactor: Reactor) => {
  const options: RetryOptions = {
    attempts: numberOption(USAGE, 'attempts', values.attempts),
    backoff: numberOption(USAGE, 'backoff', values.backoff),
    maxBackoff: 1,
  };
  const timeout = numberOption(USAGE, 'timeout', values.timeout);
  const client = new Client();
  const clientPort = reactor.listenUDP(0, client, '127.0.0.1');

  const scenario = async (title: string, drop: number, cancelAfter?: number): Promise<void> => {
    const server = new Flaky(drop);
    const port = reactor.listenUDP(0, server, '127.0.0.1');
    const to: AddressTuple = ['127.0.0.1', port.getHost().port];
    console.log(`\n${title}`);
    const started = reactor.seconds();
    const d = retry(reactor, (n) => client.request(to, `ping #${n}`, timeout, reactor), options);
    if (cancelAfter !== undefined) d.cancelOn(AbortSignal.timeout(cancelAfter * 1000)); // AbortSignal takes ms
    try {
      console.log(`  result: ${JSON.stringify(await d)}`);
    } catch (e) {
      if (e instanceof TimeoutError)
        console.log(`  gave up after ${options.attempts} attempts: ${e.message}`);
      else if (e instanceof CancelledError)
        console.log(`  cancelled after ${(reactor.seconds() - started).toFixed(2)} s`);
      else throw e;
    }
    // Counted where requests are sent: one sent just before the outcome may not have reached the
    // server yet, and is not a retry after the end.
    const sentSoFar = client.sent;
    await deferLater(reactor, options.backoff * 4 + timeout); // long enough for a retry that should not happen
    console.log(
      `  the server received ${server.received} request(s)` +
        (client.sent === sentSoFar ? '; nothing was sent after the outcome' : ' (a retry after the end!)'),
    );
    await port.stopListening();
  };

  await scenario('1. a server that drops the first 2 requests', 2);
  await scenario('2. a server that never answers', Infinity);
  await scenario(`3. the same, cancelled after 0.25 s through an AbortSignal`, Infinity, 0.25);
  await clientPort.stopListening();
});
