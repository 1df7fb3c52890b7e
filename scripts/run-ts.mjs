// Runs a TypeScript file with Node: bundles it with esbuild into a temporary
// ES module, then imports it. Usage: node scripts/run-ts.mjs FILE.ts [ARGS...]
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS...]');
  process.exit(2);
}
// The bundle sits one folder below the package root, like dist/, so URLs such
// as new URL('../build/core.wasm', import.meta.url) resolve the same way.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, '.run'), { recursive: true });
const dir = join(root, '.run');
const out = join(dir, `main-${process.pid}.mjs`);

try {
  await build({
    entryPoints: [resolve(file)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    packages: 'external',
    logLevel: 'warning',
  });
  process.argv = [process.argv[0], resolve(file), ...rest];
  await import(pathToFileURL(out).href);
} finally {
  rmSync(out, { force: true });
}
