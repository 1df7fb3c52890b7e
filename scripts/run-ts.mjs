// Runs a TypeScript file with Node: bundles it with esbuild into a temporary
// ES module, then imports it. Usage: node scripts/run-ts.mjs FILE.ts [ARGS...]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS...]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'patchlab-run-'));
const out = join(dir, 'main.mjs');
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
  rmSync(dir, { recursive: true, force: true });
}
