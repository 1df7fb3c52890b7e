// Loop microbenchmarks under a cycle model: a loop body runs N and then 2N
// times on one CPU of a bare machine; the difference of the modelled cycles
// divided by N is the cost of one iteration with the pipeline in its steady
// state (start-up and drain cancel out). The loop's own counter and branch
// (`subs x28, x28, #1; b.ne`) are part of what is measured, as they are of
// the same text given to llvm-mca.

import * as L from '../../assembly/layout.ts';
import { CpuState, createMemory, instantiateCore, planMemory, writeMachineBlock } from '../core.ts';
import { assemble } from '../isa/asm.ts';
import { installTiming, timingCounts, type TimingCounts } from './install.ts';
import type { CycleModel } from './models.ts';

const RAM = 1 << 20;
const CODE = 0x10000n;
const DATA = 0x80000n;

/** The whole loop as assembly text: label, body, counter and back branch, then `brk #0`. */
export function loopText(body: readonly string[]): string {
  return ['loop:', ...body, 'subs x28, x28, #1', 'b.ne loop', 'brk #0'].join('\n');
}

export interface LoopRun extends TimingCounts {
  insns: bigint;
  /** Of those, retired by translated code. */
  translated: bigint;
}

/**
 * Runs the loop `iterations` times under model `m` from a fresh machine (the
 * translator off unless `jitThreshold` says when to translate): X0..X27
 * point at a zeroed data page (so any load or store in the body has somewhere
 * to go; a load of X0 reads 0x80000 again: a self-pointing word heads the page).
 * `canonEvery` n: every n instructions the timing area is replaced by its
 * canonical state (assembly/timing-canon.ts), materialized back, which must
 * not change a single cycle.
 */
export function runLoop(m: CycleModel, body: readonly string[], iterations: number, jitThreshold = 0, canonEvery = 0): LoopRun {
  const plan = planMemory(1, RAM);
  const memory = createMemory(plan);
  writeMachineBlock(memory, plan, { base: 0n, lo: 0x1000n, hi: BigInt(RAM), coherentIcache: true, jitThreshold });
  const core = instantiateCore(memory);
  core.flushCache(0);
  const cpu = new CpuState(memory, 0);
  cpu.reset({ el: 0 });
  installTiming(memory, 0, m);
  const code = assemble(loopText(body), CODE).words;
  new Uint32Array(memory.buffer, plan.ramOffset + Number(CODE), code.length).set(code);
  new BigUint64Array(memory.buffer, plan.ramOffset + Number(DATA), 1)[0] = DATA;
  for (let r = 0; r < 28; r++) cpu.setX(r, DATA);
  cpu.setX(28, BigInt(iterations));
  cpu.sp = DATA + 0x8000n;
  cpu.pc = CODE;
  const tm = L.CACHE_BASE + L.TM_OFFSET;
  const clock = () => new DataView(memory.buffer).getBigUint64(L.CPU_BASE + L.C_CYCLES, true);
  for (;;) {
    const exit = core.step(0, canonEvery > 0 ? canonEvery : 1 << 20);
    if (canonEvery > 0) {
      const id = core.tmCanon(tm, clock());
      if (id !== 0) core.tmMaterialize(tm, id, clock());
    }
    if (exit === L.EXIT_BRK) break;
    if (exit !== L.EXIT_BUDGET) throw new Error(`loop stopped with exit ${exit} at pc 0x${cpu.pc.toString(16)}`);
  }
  const translated = new DataView(memory.buffer).getBigUint64(L.CPU_BASE + L.C_JIT_INSNS, true);
  return { ...timingCounts(memory, 0), insns: cpu.insns, translated };
}

/** Modelled cycles per iteration in the steady state: (cycles(2n) - cycles(n)) / n. */
export function cyclesPerIteration(m: CycleModel, body: readonly string[], n = 200): number {
  const a = runLoop(m, body, n);
  const b = runLoop(m, body, 2 * n);
  return Number(b.cycles - a.cycles) / n;
}
