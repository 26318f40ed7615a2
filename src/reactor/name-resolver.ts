/**
 * Full name resolution for the reactor (Twisted's `twisted.internet._resolver`): the default
 * resolver gives every address of a name (`getaddrinfo`, through `node:dns`'s `lookup`), and
 * `installResolver(simple)` makes a full resolver of a simple one, as Twisted does.
 *
 * @internal
 * @module
 */
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { Failure } from '../failure.ts';
import type {
  IHostResolution,
  IHostnameResolver,
  IResolutionReceiver,
  IResolverSimple,
} from '../interfaces.ts';
import { err } from '../log/log.ts';
import { IPv4Address, IPv6Address } from '../transports/address.ts';
import { validateString } from '../validate.ts';

type Family = 'IPv4' | 'IPv6';

/** One resolution: cancelling it silences the receiver. */
class HostResolution implements IHostResolution {
  readonly name: string;
  cancelled = false;
  constructor(name: string) {
    this.name = name;
  }
  cancel(): void {
    this.cancelled = true;
  }
}

function addressOf(host: string, port: number, type: 'TCP' | 'UDP'): IPv4Address | IPv6Address {
  return isIP(host) === 6 ? new IPv6Address(type, host, port) : new IPv4Address(type, host, port);
}

function wanted(host: string, families: readonly Family[] | undefined): boolean {
  return families === undefined || families.includes(isIP(host) === 6 ? 'IPv6' : 'IPv4');
}

/** Tells the receiver about `hosts` (skipping the unwanted families) and that it is done. */
function report(
  receiver: IResolutionReceiver,
  resolution: HostResolution,
  hosts: readonly string[],
  port: number,
  families: readonly Family[] | undefined,
  type: 'TCP' | 'UDP',
): void {
  if (resolution.cancelled) return;
  for (const host of hosts) if (wanted(host, families)) receiver.addressResolved(addressOf(host, port, type));
  receiver.resolutionComplete();
}

/** Every address of a name from the system (`getaddrinfo`), in the order it gives them. */
export class GAIResolver implements IHostnameResolver {
  /** Resolves `hostName`; IP literals answer on a later turn without a lookup. */
  resolveHostName(
    resolutionReceiver: IResolutionReceiver,
    hostName: string,
    portNumber = 0,
    addressTypes?: readonly Family[],
    transportSemantics: 'TCP' | 'UDP' = 'TCP',
  ): IResolutionReceiver {
    validateString(hostName, 'hostName');
    const resolution = new HostResolution(hostName);
    resolutionReceiver.resolutionBegan(resolution);
    if (isIP(hostName) !== 0) {
      queueMicrotask(() =>
        report(resolutionReceiver, resolution, [hostName], portNumber, addressTypes, transportSemantics),
      );
      return resolutionReceiver;
    }
    lookup(hostName, { all: true }, (error, addresses) => {
      const hosts = error ? [] : [...new Set(addresses.map((a) => a.address))];
      report(resolutionReceiver, resolution, hosts, portNumber, addressTypes, transportSemantics);
    });
    return resolutionReceiver;
  }
}

/**
 * A full resolver over a simple one (Twisted's `_SimpleResolverComplexifier`): the one address
 * `getHostByName` gives, or none when it fails.
 */
export class SimpleResolverComplexifier implements IHostnameResolver {
  /** The simple resolver asked. */
  readonly simpleResolver: IResolverSimple;

  /** @param simpleResolver - what `installResolver` was given. */
  constructor(simpleResolver: IResolverSimple) {
    this.simpleResolver = simpleResolver;
  }

  /** Resolves `hostName` through the simple resolver (IP literals without asking it). */
  resolveHostName(
    resolutionReceiver: IResolutionReceiver,
    hostName: string,
    portNumber = 0,
    addressTypes?: readonly Family[],
    transportSemantics: 'TCP' | 'UDP' = 'TCP',
  ): IResolutionReceiver {
    validateString(hostName, 'hostName');
    const resolution = new HostResolution(hostName);
    resolutionReceiver.resolutionBegan(resolution);
    if (isIP(hostName) !== 0) {
      queueMicrotask(() =>
        report(resolutionReceiver, resolution, [hostName], portNumber, addressTypes, transportSemantics),
      );
      return resolutionReceiver;
    }
    let answer;
    try {
      answer = this.simpleResolver.getHostByName(hostName);
    } catch (e) {
      err(e, `The installed resolver failed for ${JSON.stringify(hostName)}`);
      queueMicrotask(() =>
        report(resolutionReceiver, resolution, [], portNumber, addressTypes, transportSemantics),
      );
      return resolutionReceiver;
    }
    answer.addCallbacks(
      (host: string) =>
        report(resolutionReceiver, resolution, [host], portNumber, addressTypes, transportSemantics),
      (failure: Failure) => {
        // A name that does not resolve has no addresses; anything else is also logged (Twisted).
        if (failure.value?.name !== 'DNSLookupError')
          err(failure, `The installed resolver failed for ${JSON.stringify(hostName)}`);
        report(resolutionReceiver, resolution, [], portNumber, addressTypes, transportSemantics);
      },
    );
    return resolutionReceiver;
  }
}
