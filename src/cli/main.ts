#!/usr/bin/env node
/**
 * The `twisted-ts` command: dispatches to `doctor` (diagnose this host) or `twist` (run a
 * service tree).
 *
 * @module
 */
import { runDoctor } from './doctor.ts';
import { runTwist } from './twist.ts';

const usage = `Usage: twisted-ts doctor [options]
       twisted-ts twist [options] <module> [module options]

Commands:
  doctor    diagnose this host for UDP port sharing and multicast (twisted-ts doctor --help)
  twist     run a service tree from a module, as Twisted's twist (twisted-ts twist --help)
`;

const argv = process.argv.slice(2);
const command = argv[0];
if (command === 'twist') {
  runTwist(argv.slice(1));
} else if (
  command === 'doctor' ||
  (command !== undefined && command.startsWith('-') && argv.includes('doctor'))
) {
  runDoctor(argv);
} else if (command === '--help' || command === '-h') {
  process.stdout.write(usage);
} else {
  process.stderr.write(
    `${command === undefined ? 'No command given.' : `Unknown command "${command}".`}\n\n${usage}`,
  );
  // 2, as the doctor always answered a bad command line (twist's own usage errors exit 64, as Twisted's).
  process.exitCode = 2;
}
