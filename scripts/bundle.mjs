// Bundles the TypeScript entry points into dist/ with esbuild.
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = {
  cli: 'bindings/cli.ts',
  index: 'bindings/index.ts',
  'machine-worker': 'bindings/machine/worker-node.ts',
  'fuzz-diff': 'test/fuzz/fuzz-diff-main.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, f]) => existsSync(join(root, f))));
await build({
  absWorkingDir: root,
  entryPoints,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  packages: 'external',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
// The CLI is the package's bin: npm links it, and the link runs it directly, so
// it must be executable whatever order npm links and builds in.
chmodSync(join(root, 'dist/cli.js'), 0o755);
