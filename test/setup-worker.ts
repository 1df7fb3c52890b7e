// vitest global setup: bundle the CPU thread script from the current sources,
// so threads-mode tests never run a stale dist/machine-worker.js.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default async function setup(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  await build({
    absWorkingDir: root,
    entryPoints: { 'machine-worker': 'bindings/machine/worker-node.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: 'dist',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
