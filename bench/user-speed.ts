// Guest speed of the user profile against qemu-aarch64, in one run.
//
//   npm run bench [-- --elf FILE --args "A B" --iterations N --jit-threshold N --no-interpreter]
//
// Runs a call-heavy program (guest/build/callheavy.elf by default) under
// patchlab (in this process: with block translation, and interpreter-only
// for comparison) and under qemu-aarch64 (a child process, so its figure
// includes qemu's start-up, a few ms), and prints median wall times, guest
// MIPS (qemu's from the same instruction count: the program is
// deterministic) and the ratios qemu time / patchlab time.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { Command } from 'commander';
import { runUserProgram } from '../bindings/user/run.ts';

const opts = new Command()
  .option('--elf <file>', 'guest program', 'guest/build/callheavy.elf')
  .option('--args <args>', 'guest arguments (space separated)', '')
  .option('--iterations <n>', 'runs per side', (v) => Number(v), 5)
  .option('--no-coherent-icache', 'skip the per-fetch word compare (architectural I-cache)')
  .option('--jit-threshold <n>', 'runs of a block head before it is translated', (v) => Number(v))
  .option('--no-interpreter', 'skip the interpreter-only run')
  .parse(process.argv.slice(2), { from: 'user' })
  .opts<{ elf: string; args: string; iterations: number; coherentIcache: boolean; jitThreshold?: number; interpreter: boolean }>();

const file = new Uint8Array(readFileSync(opts.elf));
const args = [opts.elf, ...opts.args.split(' ').filter(Boolean)];
let insns = 0n;
let exitCode: number | null = null;
let qemuExit: number | null = null;
let out = '';
const decoder = new TextDecoder();
let translated = '';
const patchlab = (jitThreshold?: number) => (): void => {
  out = '';
  const r = runUserProgram(file, {
    args,
    io: { write: (_fd, d) => { out += decoder.decode(d); return d.length; }, warn: () => {} },
    coherentIcache: opts.coherentIcache,
    jitThreshold,
  });
  if (r.fault) throw new Error(`patchlab run failed:\n${r.fault.report}`);
  if (r.jit.errors) throw new Error(`${r.jit.errors} translations failed`);
  insns = r.insns;
  exitCode = r.exitCode;
  if (jitThreshold !== 0) {
    translated = `${r.jit.regions} regions, ${r.jit.insns} instructions translated in ${r.jit.compileMs.toFixed(1)} ms`;
  }
};
let qemuOut = '';
const qemuAvailable = spawnSync('qemu-aarch64', ['--version']).status === 0;
const qemu = (): void => {
  const r = spawnSync('qemu-aarch64', args, { env: {} });
  qemuOut = r.stdout.toString();
  qemuExit = r.status;
};

const bench = new Bench({ iterations: opts.iterations, warmupIterations: 1, time: 0, warmupTime: 0 });
bench.add('patchlab', patchlab(opts.jitThreshold));
if (opts.interpreter) bench.add('patchlab-interpreter', patchlab(0));
if (qemuAvailable) bench.add('qemu-aarch64', qemu);
else console.warn('qemu-aarch64 not installed: patchlab only (apt-get install qemu-user)');
await bench.run();

for (const t of bench.tasks) {
  const err = (t.result as unknown as { error?: Error } | undefined)?.error;
  if (err) throw err;
}
if (qemuAvailable && (qemuOut !== out || qemuExit !== exitCode)) {
  throw new Error(`patchlab and qemu-aarch64 differ: exit ${exitCode} vs ${qemuExit}, output ${out.length} vs ${qemuOut.length} bytes`);
}
const median = (name: string): number => {
  const t = bench.tasks.find((x) => x.name === name)!;
  const r = t.result as unknown as { latency: { p50: number } };
  return r.latency.p50 / 1000;
};
const tp = median('patchlab');
console.log(`program: ${opts.elf} ${opts.args}`.trim());
console.log(`guest instructions: ${insns}`);
const line = (label: string, t: number) =>
  console.log(`${label.padEnd(22)} median ${t.toFixed(3)} s  ${(Number(insns) / t / 1e6).toFixed(0).padStart(5)} guest MIPS`);
line('patchlab:', tp);
console.log(`  (${translated})`);
const ti = opts.interpreter ? median('patchlab-interpreter') : 0;
if (ti) line('patchlab interpreter:', ti);
if (qemuAvailable) {
  const tq = median('qemu-aarch64');
  line('qemu-aarch64:', tq);
  console.log(`ratio qemu time / patchlab time: ${(tq / tp).toFixed(3)} (iterations: ${opts.iterations} each)`);
  if (ti) console.log(`ratio qemu time / interpreter time: ${(tq / ti).toFixed(3)}`);
}
if (ti) console.log(`translation speed-up over the interpreter: ${(ti / tp).toFixed(2)}x`);
