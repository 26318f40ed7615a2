/**
 * `npx twisted-ts doctor`: diagnoses this host for the problems twisted-ts exists to solve — two
 * sockets on one UDP port, multicast on loopback, reusePort, IPv6, low ports — and prints a table
 * with the fix for each failure. `--json` prints one JSON document instead. By default it
 * touches loopback only; `--interface <address|name|all>` adds a group join (never a send) on
 * the interfaces named.
 *
 * Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on bad usage.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { runChecks } from './checks.ts';
import { formatTable, makeReport } from './report.ts';

const usage = `Usage: twisted-ts doctor [--json] [--interface <address|name|all>]... [--group <address>] [--timeout <seconds>]

Diagnoses this host for UDP port sharing and multicast, on loopback only unless --interface is given.

  --json                 print one JSON document instead of the table
  --interface, -i        also try joining the group on this interface (an IPv4 address, an
                         interface name such as eth0, or "all"); nothing is ever sent there
  --group                the multicast group to use (default 239.255.74.74)
  --timeout              seconds to wait for a datagram (default 1)
  --help, -h             this text
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        interface: { type: 'string', short: 'i', multiple: true, default: [] },
        group: { type: 'string', default: '239.255.74.74' },
        timeout: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'doctor') {
    process.stderr.write(
      `${positionals.length === 0 ? 'No command given.' : `Unknown command "${positionals.join(' ')}".`}\n\n${usage}`,
    );
    return 2;
  }
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    process.stderr.write(`--timeout must be a positive number of seconds, not "${values.timeout}"\n`);
    return 2;
  }
  const checks = await runChecks({ interfaces: values.interface, group: values.group, timeout });
  const report = makeReport(checks);
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatTable(report));
  return report.ok ? 0 : 1;
}

/** Runs `twisted-ts doctor …` (`argv` starts with `doctor`); `main.ts` dispatches here. */
export function runDoctor(argv: string[]): void {
  main(argv).then(
    (status) => {
      // The checks closed every port they opened, so the process ends by itself.
      process.exitCode = status;
    },
    (e: unknown) => {
      process.stderr.write(`twisted-ts doctor crashed: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
