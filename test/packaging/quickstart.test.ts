// The first hour of someone who installs twisted-ts from npm, on the packed tarball: an install
// into an empty ES-module project and an empty CommonJS project (offline, from npm's cache: the
// suite runs without a network) that prints nothing about this package's own build scripts; the
// README's quick start, taken from the README itself, run in each; its recommended tsconfig.json
// type-checking the ES-module one; and the docs that come with the package, whose links all
// lead to files that come with it too.
import { execFile, execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
let work: string;
let tarball: string;
let listing: string[];
const installs: Record<'esm' | 'cjs', string> = { esm: '', cjs: '' };

/** The README's code blocks that start with a `// <file name>` line, by file name. */
function readmeFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [, body] of readme.matchAll(/^```\w+\n([^]*?)^```$/gm)) {
    const name = /^\/\/ ([\w.-]+\.(?:ts|mts|cts|js|mjs|cjs|json))\n/.exec(body)?.[1];
    if (name !== undefined) files.set(name, body);
  }
  return files;
}

/** How this Node runs a `.ts` file: Node 22.12 to 22.17 strip types only behind a flag. */
const stripTypes = process.features.typescript ? [] : ['--experimental-strip-types', '--no-warnings'];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'twisted-ts-quickstart-'));
  // --ignore-scripts: dist/ is already built by `npm test`'s pretest; packing must not rebuild it.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
    cwd: root,
    stdio: 'ignore',
  });
  tarball = join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz'))!,
  );
  listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  const manifests = {
    esm: { name: 'esm-app', private: true, type: 'module' },
    cjs: { name: 'cjs-app', private: true },
  };
  await Promise.all(
    (['esm', 'cjs'] as const).map(async (kind) => {
      const app = join(work, kind);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify(manifests[kind]));
      // As a user runs it: no --ignore-scripts, no --foreground-scripts, the default log level.
      const { stdout, stderr } = await run(
        'npm',
        ['install', '--offline', '--no-audit', '--no-fund', tarball],
        {
          cwd: app,
          encoding: 'utf8',
        },
      );
      installs[kind] = stdout + stderr;
    }),
  );
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(['esm', 'cjs'] as const)('installed into an empty %s project', (kind) => {
  test('the install says nothing about the package’s own scripts', () => {
    expect(installs[kind]).toMatch(/added \d+ packages?/);
    expect(installs[kind]).not.toMatch(
      /install.?scripts|allowScripts|prepare|scripts\/build|npm warn|npm ERR/i,
    );
    const installed = JSON.parse(
      readFileSync(join(work, kind, 'node_modules/twisted-ts/package.json'), 'utf8'),
    );
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
      expect(installed.scripts?.[script], script).toBeUndefined();
    }
  });

  test(`runs the README's ${kind === 'esm' ? 'ES-module' : 'CommonJS'} quick start`, () => {
    const name = kind === 'esm' ? 'echo.ts' : 'echo.cjs';
    const source = readmeFiles().get(name);
    expect(source, `README.md has a block starting with "// ${name}"`).toBeDefined();
    writeFileSync(join(work, kind, name), source!);
    const out = execFileSync(process.execPath, [...(name.endsWith('.ts') ? stripTypes : []), name], {
      cwd: join(work, kind),
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('echoed: hello\n');
  });

  // The stream side main grew after the quick start was written: TCP, LineReceiver, endpoints
  // and twisted-ts/testing, through the package's exports as a consumer resolves them.
  test(`runs the README's TCP example (${kind === 'esm' ? 'lines.ts' : 'its CommonJS twin'})`, () => {
    const name = kind === 'esm' ? 'lines.ts' : 'lines.cjs';
    const source =
      kind === 'esm'
        ? readmeFiles().get(name)
        : readFileSync(join(import.meta.dirname, 'consumer', name), 'utf8');
    expect(source, `README.md has a block starting with "// ${name}"`).toBeDefined();
    writeFileSync(join(work, kind, name), source!);
    const out = execFileSync(process.execPath, [...(name.endsWith('.ts') ? stripTypes : []), name], {
      cwd: join(work, kind),
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('unit: QUIET\ntcp: HELLO\n');
  });
});

test("the README's tsconfig.json type-checks the ES-module quick start and TCP example", () => {
  const app = join(work, 'esm');
  writeFileSync(join(app, 'tsconfig.json'), readmeFiles().get('tsconfig.json')!);
  // What `npm install -D typescript @types/node` would bring, from this repository (offline).
  mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'));
  symlinkSync(join(root, 'node_modules/undici-types'), join(app, 'node_modules/undici-types'));
  writeFileSync(join(app, 'echo.ts'), readmeFiles().get('echo.ts')!);
  writeFileSync(join(app, 'lines.ts'), readmeFiles().get('lines.ts')!);
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: app,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}, 60_000); // tsc on a busy 2-core machine

describe('the docs in the package', () => {
  test('the topic pages, the examples and the README come with it', () => {
    for (const file of ['README.md', 'docs/porting.md', 'docs/reactor.md', 'examples/dht-node.ts']) {
      expect(listing).toContain(file);
    }
    expect(listing.some((f) => f.startsWith('docs/api/'))).toBe(false); // typedoc's output, built locally
  });

  test('every relative link in a shipped page leads to a shipped file', () => {
    const broken: string[] = [];
    for (const page of listing.filter((f) => f.endsWith('.md'))) {
      const text = execFileSync('tar', ['-xzOf', tarball, `package/${page}`], { encoding: 'utf8' });
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const file = normalize(join(dirname(page), target.split('#')[0]));
        if (!listing.includes(file)) broken.push(`${page} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('no shipped page points at the repository’s internals (CI scripts, design notes, ../shared)', () => {
    const found: string[] = [];
    for (const page of listing.filter((f) => f.endsWith('.md'))) {
      const text = execFileSync('tar', ['-xzOf', tarball, `package/${page}`], { encoding: 'utf8' });
      const patterns = [/\.ci\//, /\.\.\/shared/, /\bnative-io-facts\b/];
      // decisions.md records where the build departed from the design notes; it names them.
      if (page !== 'docs/decisions.md') patterns.push(/\b(?:DESIGN|STYLE|API)\.md\b/);
      for (const p of patterns) if (p.test(text)) found.push(`${page}: ${p}`);
    }
    expect(found).toEqual([]);
  });
});
