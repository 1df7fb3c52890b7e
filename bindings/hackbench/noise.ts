// Noise accounting of one hackbench run: where the host's time and the
// guest's instructions went between GO and the end of the last task.
//
// The host samples the machine's per-CPU counters when the guest reaches
// its GO phase (every task ready) and its end phase (every task gone):
// instructions retired, the ticks the virtual counter jumped while a CPU
// slept, host time spent translating guest code, and, in threads mode on
// Linux, each CPU thread's host run time and run-queue wait. The guest
// kernel counts, from each CPU's virtual counter, the instructions of its
// idle loop and of its spinlock waits (the reports idle_insns, spin_insns,
// wait_ticks, waits). What is left is work:
//
//   window = sum over CPUs of instructions retired between the samples
//   wait   = wait_ticks - counter jumps  (the WFI/WFE and the counter reads around them)
//   work   = window - idle - spin - wait

import type { CpuCounters } from '../machine/types.ts';

/** Phase numbers of the guest kernel (guest/kernel/kernel.h). */
export const PHASE_RUN_END = 2n;
export const PHASE_RUN_GO = 3n;

export interface HostSample {
  /** performance.now() of the sample. */
  atMs: number;
  perCpu: CpuCounters[];
}

export interface CpuThreadNoise {
  cpu: number;
  /** Host CPU seconds the CPU's thread ran in the window. */
  runSeconds: number;
  /** Host seconds it was runnable but waited for a host core. */
  waitSeconds: number;
  /** runSeconds / window wall time. */
  busyShare: number;
  /** waitSeconds / window wall time: time taken from this CPU by the host. */
  waitShare: number;
}

export interface RunNoise {
  /** Host wall seconds between the GO and end samples. */
  windowSeconds: number;
  /** Per CPU thread (threads mode, where the host tells thread times); null otherwise. */
  cpuThreads: CpuThreadNoise[] | null;
  /** Host seconds spent translating guest code to Wasm inside the window (all threads). */
  translateSeconds: number;
  /** Instructions retired by all CPUs inside the window. */
  windowInsns: number;
  /** Of those, retired by translated code (the rest were interpreted). */
  translatedInsns: number;
  /** Under a cycle model: blocks translated code ticked in full (a memo miss) and states it canonicalized, all CPUs; else 0. */
  memoMisses: number;
  memoCanons: number;
  idleInsns: number;
  spinInsns: number;
  /** Instructions inside the WFI/WFE waits (the wait instruction and the counter reads around it). */
  waitInsns: number;
  waits: number;
  /** Ticks the counters jumped while CPUs slept. */
  warpTicks: number;
  /** windowInsns - idleInsns - spinInsns - waitInsns. */
  workInsns: number;
}

export class NoiseError extends Error {
  override name = 'NoiseError';
}

/**
 * The accounting of one run from its two host samples and the guest's
 * reports; `oneTranslator`: one thread steps and translates for every CPU
 * (deterministic mode), so each CPU's translation time is that thread's.
 */
export function runNoise(go: HostSample, end: HostSample, report: (key: string) => number, oneTranslator: boolean): RunNoise {
  if (go.perCpu.length !== end.perCpu.length) throw new NoiseError('the samples have different CPU counts');
  const sum = (f: (c: CpuCounters) => bigint) =>
    Number(end.perCpu.reduce((s, c, i) => s + f(c) - f(go.perCpu[i]!), 0n));
  const windowSeconds = (end.atMs - go.atMs) / 1000;
  const windowInsns = sum((c) => c.insns);
  const warpTicks = sum((c) => c.warpTicks);
  const translateNs = oneTranslator ? Number(end.perCpu[0]!.jitNs - go.perCpu[0]!.jitNs) : sum((c) => c.jitNs);
  let cpuThreads: CpuThreadNoise[] | null = null;
  if (go.perCpu.every((c) => c.hostThread) && end.perCpu.every((c) => c.hostThread) && windowSeconds > 0) {
    cpuThreads = end.perCpu.map((c, i) => {
      const a = go.perCpu[i]!.hostThread!, b = c.hostThread!;
      const runSeconds = Number(b.runNs - a.runNs) / 1e9, waitSeconds = Number(b.waitNs - a.waitNs) / 1e9;
      return { cpu: c.cpu, runSeconds, waitSeconds, busyShare: runSeconds / windowSeconds, waitShare: waitSeconds / windowSeconds };
    });
  }
  const idleInsns = report('idle_insns'), spinInsns = report('spin_insns');
  const waitInsns = report('wait_ticks') - warpTicks;
  return {
    windowSeconds,
    cpuThreads,
    translateSeconds: translateNs / 1e9,
    windowInsns,
    translatedInsns: sum((c) => c.translatedInsns),
    memoMisses: sum((c) => c.memo?.misses ?? 0n),
    memoCanons: sum((c) => c.memo?.canons ?? 0n),
    idleInsns,
    spinInsns,
    waitInsns,
    waits: report('waits'),
    warpTicks,
    workInsns: windowInsns - idleInsns - spinInsns - waitInsns,
  };
}
