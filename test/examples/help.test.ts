// Every example is a command-line program: `--help` prints its usage and exits 0 before doing
// anything (node:util's parseArgs alone rejects it as an unknown option), and an option it does
// not know prints what was wrong and the usage on stderr and exits 2, instead of a stack trace.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { root, runExample } from './run-example.ts';

// A one-file example is examples/<name>.ts; an example in a folder of its own is run by its
// examples/<name>/main.ts.
const examples = readdirSync(resolve(root, 'examples'), { withFileTypes: true }).flatMap((f) =>
  f.isFile() && f.name.endsWith('.ts')
    ? [f.name.slice(0, -3)]
    : f.isDirectory() && existsSync(resolve(root, 'examples', f.name, 'main.ts'))
      ? [`${f.name}/main`]
      : [],
);

describe.each(examples)('examples/%s.ts', (name) => {
  test('--help prints the usage and exits 0', async () => {
    const { code, stdout, stderr } = await runExample(name, ['--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: node examples/${name}\\.ts`));
  });

  test('an unknown option exits 2 with the usage on stderr', async () => {
    const { code, stdout, stderr } = await runExample(name, ['--no-such-option']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`--no-such-option[^]*\\n\\nusage: node examples/${name}\\.ts`));
  });

  // The first number option the example reads: a value that is not a number is a mistaken command
  // line too (exit 2 and the usage), not a NaN port or delay that fails later and further away.
  const numeric = /numberOption\(USAGE, '([a-z-]+)'/.exec(
    readFileSync(resolve(root, 'examples', `${name}.ts`), 'utf8'),
  )?.[1];
  test.skipIf(numeric === undefined)(`--${numeric} not-a-number exits 2 with the usage`, async () => {
    const { code, stderr } = await runExample(name, [`--${numeric}`, 'not-a-number']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `--${numeric} must be a number, not "not-a-number"\n\nusage: node examples/${name}.ts`,
    );
  });
});
