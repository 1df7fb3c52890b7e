// Builds everything `npm install` promises: the generated decoder, the Wasm
// core and the bundled JavaScript of the CLI and the bindings.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const step = (name, fn) => {
  const t0 = Date.now();
  fn();
  console.log(`build: ${name} (${Date.now() - t0} ms)`);
};

mkdirSync(join(root, 'build'), { recursive: true });
step('decoder', () => run(process.execPath, ['scripts/run-ts.mjs', 'scripts/gen-decoder.ts']));
step('core.wasm', () =>
  run(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), 'assembly/index.ts', '--target', 'release']));
step('bundles', () => run(process.execPath, ['scripts/bundle.mjs']));
