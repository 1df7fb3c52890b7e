// A small kernel-profile rig for core tests: one shared memory with RAM at
// 0x40000000, CPUs reset at EL1h (DAIF masked, VBAR_EL1 = 0, x0 = CPU index,
// SP_EL1 at a per-CPU stack), programs assembled from text and written into
// RAM, and the CPUs stepped by the caller from this one thread.

import * as L from '../../assembly/layout.ts';
import {
  CpuState, createMemory, instantiateCore, planMemory, writeMachineBlock, type Core,
} from '../../bindings/core.ts';
import { GuestMemory } from '../../bindings/guest-memory.ts';
import { assemble } from '../../bindings/isa/asm.ts';

export const RAM_BASE = 0x4000_0000n;
export const RAM_SIZE = 4 << 20; // the core module asks for at least 4 MiB of memory
/** Where `vectors()` puts the table (the programs set VBAR_EL1 themselves). */
export const VBAR = RAM_BASE + 0x1_0000n;
/** Top of CPU n's EL1 stack: STACK_TOP - n * 0x1000. */
export const STACK_TOP = RAM_BASE + 0x8_0000n;
/** A data page the programs may use. */
export const DATA = RAM_BASE + 0x9_0000n;

/** movz/movk text loading a 64-bit constant into `reg`. */
export function li(reg: string, value: bigint): string {
  const parts: string[] = [];
  for (let sh = 0n; sh < 64n; sh += 16n) {
    const h = (value >> sh) & 0xffffn;
    if (h !== 0n || (sh === 0n && value === 0n)) parts.push(`${parts.length ? 'movk' : 'movz'} ${reg}, #0x${h.toString(16)}, lsl #${sh}`);
  }
  return parts.join('\n');
}

/** The vector table offsets, by name. */
export const VEC = {
  syncSp0: 0x000, irqSp0: 0x080, syncSpx: 0x200, irqSpx: 0x280, syncLower: 0x400, irqLower: 0x480,
} as const;

export class El1Rig {
  readonly memory: WebAssembly.Memory;
  readonly core: Core;
  readonly mem: GuestMemory;
  readonly cpus: CpuState[];

  constructor(ncpus = 1) {
    const plan = planMemory(ncpus, RAM_SIZE);
    this.memory = createMemory(plan);
    writeMachineBlock(this.memory, plan, { base: RAM_BASE, lo: RAM_BASE, hi: RAM_BASE + BigInt(RAM_SIZE), coherentIcache: true });
    this.core = instantiateCore(this.memory);
    this.mem = new GuestMemory(this.memory, plan.ramOffset, RAM_BASE, RAM_SIZE);
    this.cpus = [];
    for (let i = 0; i < ncpus; i++) {
      this.core.flushCache(i);
      const c = new CpuState(this.memory, i);
      c.reset({ el: 1 });
      c.setX(0, BigInt(i));
      c.sp = STACK_TOP - BigInt(i) * 0x1000n;
      c.pc = RAM_BASE;
      this.cpus.push(c);
    }
  }

  /** Assembles `src` at `addr`, writes it to RAM and returns its labels. */
  load(src: string, addr = RAM_BASE): Map<string, bigint> {
    const a = assemble(src, addr);
    this.mem.write(addr, a.bytes);
    return a.labels;
  }

  /**
   * Fills the vector table at VBAR: every entry records its offset in x28 and
   * leaves step() with HVC #0, unless `custom` gives its code.
   */
  vectors(custom: Partial<Record<number, string>> = {}): void {
    for (let off = 0; off < 0x800; off += 0x80) {
      this.load(custom[off] ?? `mov x28, #0x${off.toString(16)}\n hvc #0`, VBAR + BigInt(off));
    }
  }

  step(cpu = 0, budget = 10_000): number {
    return this.core.step(cpu, budget);
  }

  /** Steps until an exit other than the budget (at most `max` instructions). */
  run(cpu = 0, max = 100_000, quantum = 10_000): number {
    let r: number = L.EXIT_BUDGET;
    for (let done = 0; done < max && r === L.EXIT_BUDGET; done += quantum) r = this.core.step(cpu, quantum);
    return r;
  }
}
