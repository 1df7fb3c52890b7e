// npm run bench: the benchmarks in bench/ (TypeScript, run through esbuild).
import { execFileSync } from 'node:child_process';
const extra = process.argv.slice(2);
execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/user-speed.ts', ...extra], { stdio: 'inherit' });
execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/patch-rate.ts'], { stdio: 'inherit' });
execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/browser.ts'], { stdio: 'inherit' });
execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/timing-speed.ts'], { stdio: 'inherit' });
