// SMP scaling of threads mode, and kernel-profile boot time, in one run.
//
//   npm run bench:smp [-- --iters N --runs R --cpus 1,2,4]
//
// guest/build/smp-work.elf: every CPU runs the same independent integer loop
// (work_iters rounds, about 5 instructions each; the host patches work_iters
// before start), counts itself done and idles; CPU 0 waits for all, then
// exits. For each CPU count the machine is created, loaded and run R times
// after one warm-up; the time is start() to the exit, so it includes
// starting the worker threads. Prints medians, aggregate guest MIPS and the
// ratios t(N)/t(1) for the same per-CPU work (ideal: 1.0 while N <= host cores).
//
// Boot time: a 4-CPU kernel-profile machine with work_iters = 0 (each CPU
// boots, counts itself done; CPU 0 exits), from Machine.create() to the exit,
// and the part of it from start() on.
//
// Host calibration: the same ratio for a plain JavaScript loop in 1 and 2
// worker threads, measured in the same rounds, shows how much parallelism the
// host actually gave (on a shared machine another process may hold a core).

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { Machine } from '../bindings/index.ts';

const opts = new Command()
  .option('--iters <n>', 'work_iters per CPU', (v) => Number(v), 20_000_000)
  .option('--runs <n>', 'runs per CPU count', (v) => Number(v), 5)
  .option('--cpus <list>', 'CPU counts', '1,2,4')
  .option('--mode <mode>', 'threads or deterministic', 'threads')
  .parse(process.argv.slice(2), { from: 'user' })
  .opts<{ iters: number; runs: number; cpus: string; mode: 'threads' | 'deterministic' }>();

const elf = new Uint8Array(readFileSync('guest/build/smp-work.elf'));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Run { total: number; run: number; startup: number; insns: bigint; result: bigint | undefined }

async function once(cpus: number, iters: number): Promise<Run> {
  const t0 = performance.now();
  const m = await Machine.create({ cpus, profile: 'kernel', mode: opts.mode, log: () => {} });
  m.load(elf);
  const it = m.image!.symbolAddress('work_iters')!;
  m.mem.setU64(it, BigInt(iters));
  m.start();
  const r = await m.exited;
  const total = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`smp-work exited with ${r.exitCode}${r.fault ? `\n${r.fault.report}` : ''}`);
  return { total, run: r.seconds * 1000, startup: (r.startupSeconds ?? 0) * 1000, insns: r.insns, result: r.reports.get('work_result') };
}

/** Wall time of `n` worker threads each running the same plain JavaScript loop. */
async function hostLoop(n: number): Promise<number> {
  const code = 'let x = 0; for (let i = 0; i < 1e8; i++) x = (x * 1103515245 + 12345) | 0; ' +
    'require("node:worker_threads").parentPort.postMessage(x);';
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', () => resolve());
    w.once('error', reject);
  })));
  return performance.now() - t0;
}

const counts = opts.cpus.split(',').map(Number);
console.log(
  `smp-work: ${opts.iters} rounds per CPU, ${opts.mode} mode, ${opts.runs} rounds after a warm-up ` +
    `(each round runs every CPU count in turn), host: ${availableParallelism()} cores`,
);
for (const n of counts) await once(n, opts.iters);
const runs = new Map<number, Run[]>(counts.map((n) => [n, []]));
const host: [number, number][] = [];
for (let i = 0; i < opts.runs; i++) {
  host.push([await hostLoop(1), await hostLoop(2)]);
  for (const n of counts) runs.get(n)!.push(await once(n, opts.iters));
}
const h1 = median(host.map((h) => h[0]));
const h2 = median(host.map((h) => h[1]));
console.log(
  `  host calibration (plain JS loop in worker threads, same rounds): 1 thread ${h1.toFixed(0)} ms, ` +
    `2 threads ${h2.toFixed(0)} ms, ratio ${(h2 / h1).toFixed(3)}`,
);
const medians = new Map<number, number>();
const afterStartup = new Map<number, number>();
for (const n of counts) {
  const rs = runs.get(n)!;
  const t = median(rs.map((r) => r.run));
  medians.set(n, t);
  const tw = median(rs.map((r) => r.run - r.startup));
  afterStartup.set(n, tw);
  const insns = rs[0].insns;
  console.log(
    `  ${n} CPU${n > 1 ? 's' : ' '}: median ${t.toFixed(1)} ms (min ${Math.min(...rs.map((r) => r.run)).toFixed(1)}, ` +
      `max ${Math.max(...rs.map((r) => r.run)).toFixed(1)}), ${insns} instructions, ` +
      `aggregate ${(Number(insns) / t / 1000).toFixed(0)} MIPS, per CPU ${(Number(insns) / n / t / 1000).toFixed(0)} MIPS; ` +
      `thread start-up median ${median(rs.map((r) => r.startup)).toFixed(1)} ms, after it ${tw.toFixed(1)} ms`,
  );
}
const t1 = medians.get(1);
const w1 = afterStartup.get(1);
if (t1 && w1) {
  for (const [n, t] of medians) {
    if (n > 1) {
      console.log(
        `  t(${n})/t(1) = ${(t / t1).toFixed(3)} (start..exit); ` +
          `${(afterStartup.get(n)! / w1).toFixed(3)} (from the last thread's start to the exit)`,
      );
    }
  }
}

const boots: Run[] = [];
await once(4, 0);
for (let i = 0; i < 10; i++) boots.push(await once(4, 0));
console.log(
  `boot, 4 CPUs (${opts.mode}): create..exit median ${median(boots.map((b) => b.total)).toFixed(1)} ms, ` +
    `start..exit median ${median(boots.map((b) => b.run)).toFixed(1)} ms (10 runs)`,
);
