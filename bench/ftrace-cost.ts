// What ftrace costs the guest.
//
// 1. Guest instructions per traced call: one CPU, deterministic mode (the
//    instruction count of a boot is then a function of the image and its
//    patches), one hackbench run. The untraced boot (MOV X9, X30 at every
//    entry, every call site NOP) is subtracted from a boot with one function
//    ops on fill_message, and divided by the calls of fill_message: the cost of
//    ftrace_caller + ftrace_ops_list_func + function_trace_call per call. The
//    same with K more ops registered whose filters hold only a function the run
//    never calls measures the list function's cost per irrelevant ops.
// 2. hackbench time with the nop tracer, the function tracer on every function
//    and on three functions, as ratios to untraced runs of the same boot: one
//    boot runs hackbench 2R times, tracing on in every second run only
//    (switched at the kernel's run phases); each traced run is divided by the
//    untraced run before it and the median ratio is reported. In deterministic
//    mode (the default) the guest's clock is its instruction counter, so the
//    ratio is one of guest time; in threads mode it is host time, noisy.
//
// 3. Enabling and disabling every site from a guest CPU (the kernel's patcher
//    task: ftrace_modify_code per site, then SGIs to the other CPUs) against
//    the host path (one validated batch through the patch API): guest
//    instructions of each batch (the patcher's CNTVCT ticks, which on this
//    machine count its instructions) and host wall time from the request to
//    the last word written, medians of R boots.
//
//   node scripts/run-ts.mjs bench/ftrace-cost.ts [--pairs R] [--cpus N] [--mode threads|deterministic]

import { parseArgs } from 'node:util';
import { Ftrace } from '../bindings/ftrace/ftrace.ts';
import type { FtraceOps, OpsSpec } from '../bindings/ftrace/ops.ts';
import { Machine } from '../bindings/machine/machine.ts';
import type { Mode } from '../bindings/machine/types.ts';
import { kernelImageFile, readImage, setHbParams } from '../bindings/workload/kernel.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5' },
    cpus: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'deterministic' },
    groups: { type: 'string', default: '2' },
    fds: { type: 'string', default: '8' },
    loops: { type: 'string', default: '50' },
  },
});
const elf = readImage(kernelImageFile('pfe2'));
const SIZE = { groups: Number(values.groups), fds: Number(values.fds), loops: Number(values.loops), datasize: 100 };
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One boot of `runs` hackbench runs; `specs(run)` are registered for that run (none: untraced). */
async function boot(opts: { cpus: number; mode: Mode; runs: number; specs: (run: number) => OpsSpec[]; patcher?: 'host' | 'guest' }) {
  const m = await Machine.create({ profile: 'kernel', cpus: opts.cpus, mode: opts.mode, log: () => {} });
  m.load(elf);
  setHbParams(m, { workload: 0, ...SIZE, runs: opts.runs });
  const ft = Ftrace.attach(m, { bufferKb: 16384, patcher: opts.patcher ?? 'host' });
  const live: FtraceOps[] = [];
  const batches: { phase: number; hostMs: number; sites: number }[] = [];
  const ticksAtPhase: number[] = [];
  m.onPhase(({ args }) => {
    ticksAtPhase.push(ft.guestPatchStats()?.ticks ?? 0);
    const run = Number(args[1]);
    const t0 = performance.now();
    const before = ft.patched;
    if (args[0] === 1n) for (const s of opts.specs(run)) live.push(ft.register(s));
    else for (const o of live.splice(0)) ft.unregister(o);
    batches.push({ phase: Number(args[0]), hostMs: performance.now() - t0, sites: ft.patched - before });
    return ft.outstandingPatches;
  });
  ft.startDraining();
  m.start();
  const r = await m.exited;
  ft.stopDraining();
  if (r.exitCode !== 0) throw new Error(`guest failed: ${r.end} ${r.exitCode} ${r.stdout}`);
  const times = Array.from({ length: opts.runs }, (_, i) => Number(r.reports.get(`run${i}.time_ns`)));
  return { insns: r.insns, times, ft, batches, ticksAtPhase, seconds: r.seconds };
}

// ---- 1. instructions per call --------------------------------------------
const calls = SIZE.groups * SIZE.fds * SIZE.fds * SIZE.loops;
const one = { cpus: 1, mode: 'deterministic' as Mode, runs: 1 };
const base = await boot({ ...one, specs: () => [] });
const perCall: { ops: number; insns: number }[] = [];
for (const extra of [0, 1, 4, 16]) {
  const specs = (): OpsSpec[] => [
    { kind: 'function', filter: ['fill_message'] },
    // never called in the run (nothing redirects copy_from_user to it): these ops only cost list walks
    ...Array.from({ length: extra }, (): OpsSpec => ({ kind: 'function', filter: ['copy_from_user_counted'] })),
  ];
  const r = await boot({ ...one, specs });
  perCall.push({ ops: 1 + extra, insns: Number(r.insns - base.insns) / calls });
}
console.log(`guest instructions per traced call of fill_message (1 CPU, deterministic, ${calls} calls):`);
console.log('| ops registered (1 matching) | instructions per call |');
console.log('| --- | --- |');
for (const p of perCall) console.log(`| ${p.ops} | ${p.insns.toFixed(1)} |`);

// ---- 2. hackbench time ratios -----------------------------------------------
const pairs = Number(values.pairs);
const cpus = Number(values.cpus);
const mode = values.mode as Mode;
const configs: [string, OpsSpec[]][] = [
  ['nop tracer (MOV at every entry, no ops)', []],
  ['function, every function', [{ kind: 'function' }]],
  ['function, fill_message ksys_write check_message', [{ kind: 'function', filter: ['fill_message', 'ksys_write', 'check_message'] }]],
];
console.log(`\nhackbench ${SIZE.groups}x${SIZE.fds}x${SIZE.loops}, ${cpus} CPUs, ${mode}: traced run / untraced run of the same boot, ${pairs} pairs`);
console.log('| tracing | median ratio | min | max |');
console.log('| --- | --- | --- | --- |');
for (const [name, specs] of configs) {
  const r = await boot({ cpus, mode, runs: 2 * pairs, specs: (run) => (run % 2 ? specs : []) });
  const ratios = Array.from({ length: pairs }, (_, k) => r.times[2 * k + 1]! / r.times[2 * k]!);
  console.log(`| ${name} | ${median(ratios).toFixed(3)} | ${Math.min(...ratios).toFixed(3)} | ${Math.max(...ratios).toFixed(3)} |`);
}

// ---- 3. guest patcher against host patcher ----------------------------------
console.log(`\nswitching every site (function tracer, no filter) on and off, ${cpus} CPUs, ${mode}, medians of ${pairs} boots`);
console.log('| patcher | sites | on: guest instructions | on: time | off: guest instructions | off: time |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const patcher of ['host', 'guest'] as const) {
  const on: number[] = [], off: number[] = [], hon: number[] = [], hoff: number[] = [];
  let sites = 0;
  for (let k = 0; k < pairs; k++) {
    const r = await boot({ cpus, mode, runs: 1, specs: () => [{ kind: 'function' }], patcher });
    sites = r.batches[0]!.sites;
    hon.push(r.batches[0]!.hostMs);
    hoff.push(r.batches[1]!.hostMs);
    if (patcher === 'guest') {
      const t = r.ticksAtPhase;
      on.push(t[1]! - t[0]!);
      off.push(r.ft.guestPatchStats()!.ticks - t[1]!);
    }
  }
  const us = (ticks: number) => `${(ticks / 100).toFixed(1)} us guest`; // CNTFRQ 100 MHz
  if (patcher === 'host') {
    console.log(`| host | ${sites} | 0 (the host writes) | ${median(hon).toFixed(3)} ms host | 0 | ${median(hoff).toFixed(3)} ms host |`);
  } else {
    console.log(`| guest | ${sites} | ${median(on)} | ${us(median(on))} | ${median(off)} | ${us(median(off))} |`);
  }
}
