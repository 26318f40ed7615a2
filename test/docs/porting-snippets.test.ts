// The snippets of docs/porting.md that start with a `// <name>.ts` line, run as a user would run
// them: in a project of their own that imports 'twisted-ts' (here a link to this package, so
// its exports map and dist/ are what they load), type-checked with the README's recommended
// tsconfig.json, then run by Node's type stripping; what each prints must be its `// →` lines.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const stripTypes = process.features.typescript ? [] : ['--experimental-strip-types', '--no-warnings'];

/** The fenced blocks of `file` whose first line is `// <name>`, by name. */
function namedBlocks(file: string, extension: RegExp): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const [, body] of readFileSync(join(root, file), 'utf8').matchAll(/^```\w+\n([^]*?)^```$/gm)) {
    const name = /^\/\/ ([\w.-]+)\n/.exec(body)?.[1];
    if (name !== undefined && extension.test(name)) blocks.set(name, body);
  }
  return blocks;
}

const snippets = namedBlocks('docs/porting.md', /\.ts$/);
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'twisted-ts-porting-'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'port', private: true, type: 'module' }),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    namedBlocks('README.md', /^tsconfig\.json$/).get('tsconfig.json')!,
  );
  mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
  symlinkSync(root, join(project, 'node_modules/twisted-ts'));
  symlinkSync(join(root, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'));
  symlinkSync(join(root, 'node_modules/undici-types'), join(project, 'node_modules/undici-types'));
  for (const [name, body] of snippets) writeFileSync(join(project, name), body);
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

test('docs/porting.md has the idiom snippets', () => {
  expect([...snippets.keys()]).toEqual(
    expect.arrayContaining(['mixin.ts', 'proxy.ts', 'tuple-keys.ts', 'property.ts', 'bytes.ts']),
  );
});

test('they type-check with the README’s tsconfig.json', () => {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: project,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}, 60_000); // tsc on a busy 2-core machine

describe.each([...snippets.keys()])('%s', (name) => {
  test('prints what its // → lines say', async () => {
    const expected = [...snippets.get(name)!.matchAll(/^\/\/ → (.*)$/gm)].map((m) => m[1]);
    const { stdout, stderr } = await run(process.execPath, [...stripTypes, name], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(stderr).toBe('');
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
