// Builds dist/esm and dist/cjs from src/ with one TypeScript compiler run each, then marks each
// folder with its module type so Node reads the .js files right whatever the root package says.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync('dist', { recursive: true, force: true });
for (const [config, dir, type] of [
  ['tsconfig.build.json', 'dist/esm', 'module'],
  ['tsconfig.cjs.json', 'dist/cjs', 'commonjs'],
]) {
  execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, JSON.stringify({ type }) + '\n');
}

// The `bin` entry must be executable where it is run from the checkout (`npx twisted-ts doctor`, `npx twisted-ts twist`);
// npm sets the bit itself only when it installs the package.
for (const dir of ['dist/esm', 'dist/cjs']) chmodSync(`${dir}/cli/main.js`, 0o755);

// The native UDP addon, when a C toolchain is there (silently skipped otherwise).
await import('./build-native.mjs');
