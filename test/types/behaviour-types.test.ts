// Types that match behaviour, checked by `tsc` (npm run typecheck includes test/): each
// expectTypeOf line is a compile-time assertion, so these cannot regress silently. The runtime
// assertions beside them keep vitest from reporting an empty test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Clock,
  DatagramProtocol,
  Deferred,
  DeferredList,
  DelayedCall,
  reactor,
  Reactor,
  type MulticastPort,
  type UdpPort,
  type DeferredListEntry,
  type Failure,
} from '../../src/index.ts';

describe('DeferredList is typed from its options', () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();

  it('fireOnOneCallback: true → [result, index]', () => {
    const dl = new DeferredList([a, b], { fireOnOneCallback: true });
    expectTypeOf(dl).toExtend<Deferred<[result: string, index: number]>>();
    dl.addCallback(([result, index]) => {
      expectTypeOf(result).toEqualTypeOf<string>();
      expectTypeOf(index).toEqualTypeOf<number>();
    });
    b.callback('b');
    expect(dl.result).toBeUndefined(); // the callback above consumed [result, index]
  });

  it('no options, other options, or fireOnOneCallback: false → [success, result] entries', () => {
    expectTypeOf(new DeferredList([a])).toExtend<Deferred<DeferredListEntry<string>[]>>();
    const consuming = new DeferredList([a], { consumeErrors: true, fireOnOneErrback: false });
    expectTypeOf(consuming).toExtend<Deferred<DeferredListEntry<string>[]>>();
    expectTypeOf(new DeferredList([a], { fireOnOneCallback: false })).toExtend<
      Deferred<DeferredListEntry<string>[]>
    >();
    // An explicit result type argument alone keeps working for the entry form.
    expectTypeOf(new DeferredList<string>([a], { consumeErrors: true })).toExtend<
      Deferred<DeferredListEntry<string>[]>
    >();
    const [entry] = [[true, 'x'] as DeferredListEntry<string>];
    if (entry[0]) expectTypeOf(entry[1]).toEqualTypeOf<string>();
    else expectTypeOf(entry[1]).toEqualTypeOf<Failure>();
    expect(entry[0]).toBe(true);
  });

  it('a flag known only at run time → either form', () => {
    const flag: boolean = Math.random() > 2;
    const dl = new DeferredList([a], { fireOnOneCallback: flag });
    expectTypeOf(dl).toExtend<Deferred<[result: string, index: number] | DeferredListEntry<string>[]>>();
    expect(flag).toBe(false);
  });

  it('an explicit result type with fireOnOneCallback: true is a compile error, pointing at the inferred form', () => {
    // @ts-expect-error -- with only T given, the options type is DeferredListDefaultOptions, which refuses `true`
    const wrong = new DeferredList<string>([a], { fireOnOneCallback: true });
    expect(wrong).toBeInstanceOf(DeferredList);
  });
});

describe('callLater with arguments gives a DelayedCall a field typed DelayedCall accepts', () => {
  /** A protocol that keeps its pending call in a field, as ported Twisted code does. */
  class Pinger {
    call: DelayedCall | undefined;
    schedule(clock: Clock, n: number): void {
      this.call = clock.callLater(1, (count: number, label: string) => `${label} ${count}`, n, 'ping');
    }
    scheduleOnReactor(): void {
      this.call = reactor.callLater(3600, (count: number) => count, 1);
    }
  }

  it('on a Clock and on the reactor', () => {
    const pinger = new Pinger();
    const clock = new Clock();
    pinger.schedule(clock, 3);
    expectTypeOf(clock.callLater(1, (n: number) => n, 1)).toExtend<DelayedCall>();
    expect(pinger.call?.args).toEqual([3, 'ping']);
    pinger.scheduleOnReactor();
    expectTypeOf(pinger.call).toEqualTypeOf<DelayedCall | undefined>();
    pinger.call?.cancel();
  });

  it('still checks the arguments against the function', () => {
    const clock = new Clock();
    // @ts-expect-error -- a string where the function takes a number
    clock.callLater(1, (n: number) => n, 'one');
    expect(clock.calls).toHaveLength(1);
  });
});

describe('a multicast protocol and the type of its transport', () => {
  it('DatagramProtocol<MulticastPort> sees the multicast methods; a plain one is still accepted by both listens', () => {
    class Chat extends DatagramProtocol<MulticastPort> {
      override startProtocol(): void {
        expectTypeOf(this.transport.joinGroup).toBeFunction();
        expectTypeOf(this.transport.getTTL()).toEqualTypeOf<number>();
      }
    }
    class Plain extends DatagramProtocol {}
    class OnUdpPort extends DatagramProtocol<UdpPort> {}
    expectTypeOf<Chat>().toExtend<DatagramProtocol>();
    expectTypeOf<OnUdpPort>().toExtend<DatagramProtocol>();
    expectTypeOf<Plain>().toExtend<Parameters<Reactor['listenMulticast']>[1]>();
    expectTypeOf<Chat>().toExtend<Parameters<Reactor['listenUDP']>[1]>();
    expect(new Plain().transport).toBeUndefined();
  });

  it("calling a multicast method on a plain DatagramProtocol's transport fails to compile, saying what to declare", () => {
    const dir = mkdtempSync(join(tmpdir(), 'twisted-ts-types-'));
    const file = join(dir, 'ported.ts');
    const source = pathToFileURL(join(import.meta.dirname, '../../src/index.ts')).pathname;
    writeFileSync(
      file,
      `import { DatagramProtocol } from ${JSON.stringify(source)};\n` +
        'export class MulticastPingPong extends DatagramProtocol {\n' +
        "  override startProtocol(): void {\n    void this.transport.joinGroup('228.0.0.5');\n    this.transport.setTTL(1);\n  }\n}\n",
    );
    try {
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2023,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        types: ['node'],
        skipLibCheck: true,
        typeRoots: [join(import.meta.dirname, '../../node_modules/@types')],
      });
      const messages = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName === file)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(
        messages.some((m) => m.includes('declare the protocol as DatagramProtocol<MulticastPort>')),
      ).toBe(true);
      // Both calls are refused, and nothing else in the file is.
      expect(messages.filter((m) => m.includes('is not callable'))).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
