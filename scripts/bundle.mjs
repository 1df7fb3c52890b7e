// Bundles the TypeScript entry points into dist/ with esbuild.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

// The browser page (dist/web/): the page script, its controller worker and the
// CPU worker script as three entry points (esbuild does not follow
// `new Worker(new URL(...))`), with the modules that pick the host (platform,
// core loading, kernel image files, core count) swapped for their browser
// versions in bindings/browser/. The folder is the whole site: the HTML, the
// styles, core.wasm and the kernel images are copied beside the scripts.
const BROWSER_HOST = {
  'bindings/machine/default-platform.ts': 'bindings/browser/default-platform.ts',
  'bindings/wasm.ts': 'bindings/browser/wasm.ts',
  'bindings/worker-url.ts': 'bindings/browser/worker-url.ts',
  'bindings/workload/kernel-files.ts': 'bindings/browser/kernel-files.ts',
  'bindings/host-cores.ts': 'bindings/browser/host-cores.ts',
};
const swaps = new Map(Object.entries(BROWSER_HOST).map(([from, to]) => [resolve(root, from), resolve(root, to)]));
const browserHost = {
  name: 'browser-host',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const to = swaps.get(resolve(args.resolveDir, args.path));
      return to ? { path: to } : undefined;
    });
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} imported by ${args.importer}: the browser bundle has no Node modules (give it a browser version in bindings/browser/)` }],
    }));
  },
};
const web = join(root, 'dist/web');
await build({
  absWorkingDir: root,
  entryPoints: { page: 'web/page.ts', controller: 'bindings/browser/controller.ts', 'cpu-worker': 'bindings/browser/cpu-worker.ts' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'chrome110',
  outdir: 'dist/web',
  sourcemap: true,
  plugins: [browserHost],
  logLevel: 'warning',
});
mkdirSync(web, { recursive: true });
for (const [from, to] of [
  ['web/index.html', 'index.html'],
  ['web/style.css', 'style.css'],
  ['build/core.wasm', 'core.wasm'],
  ['guest/build/kernel-pfe2.elf', 'kernel-pfe2.elf'],
  ['guest/build/kernel-pfe42.elf', 'kernel-pfe42.elf'],
]) copyFileSync(join(root, from), join(web, to));
