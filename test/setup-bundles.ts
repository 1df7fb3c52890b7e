// vitest global setup: bundle dist/ (the CLI, the public entry and the CPU
// thread script) from the current sources, so tests that start worker
// threads or run dist/cli.js never see stale bundles.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: root, stdio: 'inherit' });
}
