// The core's exports, typed, and the shared memory the machine runs in.

import * as L from '../assembly/layout.ts';
import { DEFAULT_JIT_THRESHOLD, Jit } from './jit/jit.ts';
import { coreModule } from './wasm.ts';

export interface CoreExports {
  step(cpu: number, budget: number): number;
  init(): void;
  flushCache(cpu: number): void;
  decodeInto(word: number, pc: bigint, entry: number): number;
  setJitOwner(id: number): void;
  readonly ROW_COUNT: WebAssembly.Global;
}

/** Exit reasons of step(), by number. */
export const EXIT_NAMES: Record<number, string> = {
  [L.EXIT_BUDGET]: 'budget',
  [L.EXIT_SVC]: 'svc',
  [L.EXIT_HVC]: 'hvc',
  [L.EXIT_BRK]: 'brk',
  [L.EXIT_UNDEF]: 'undefined instruction',
  [L.EXIT_DATA_ABORT]: 'data abort',
  [L.EXIT_FETCH_ABORT]: 'instruction abort',
  [L.EXIT_PC_ALIGN]: 'PC alignment fault',
  [L.EXIT_WFI]: 'wfi',
  [L.EXIT_WFE]: 'wfe',
  [L.EXIT_STOP]: 'stop',
  [L.EXIT_HLT]: 'hlt',
};

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

export interface MemoryPlan {
  cpus: number;
  ramSize: number;
  /** Wasm offset of the code-page map (layout.ts M_CODEMAP). */
  codemapOffset: number;
  ramOffset: number;
  pages: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const MAX_RAM = 2 ** 31; // 2 GiB of guest RAM at most (Wasm memory is 4 GiB)

export function planMemory(cpus: number, ramSize: number): MemoryPlan {
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > L.MAX_CPUS) {
    throw new ConfigError(`CPU count must be 1..${L.MAX_CPUS}, got ${cpus}`);
  }
  if (!Number.isInteger(ramSize) || ramSize < L.PAGE || ramSize > MAX_RAM || ramSize % L.PAGE !== 0) {
    throw new ConfigError(`RAM size must be a multiple of 64 KiB between 64 KiB and 2 GiB, got ${ramSize}`);
  }
  const codemapOffset = L.CACHE_BASE + cpus * L.CACHE_BYTES;
  const ramOffset = align(codemapOffset + (ramSize >> L.CODE_PAGE_SHIFT), L.PAGE);
  const pages = (ramOffset + ramSize) / L.PAGE;
  return { cpus, ramSize, codemapOffset, ramOffset, pages };
}

export function createMemory(plan: MemoryPlan): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: plan.pages, maximum: plan.pages, shared: true });
}

/** A core instance with its block translator. */
export interface Core extends CoreExports {
  readonly jit: Jit;
}

/**
 * Instantiates the core over `memory` (one instance per thread that steps
 * CPUs), with its own translator and function table.
 */
export function instantiateCore(memory: WebAssembly.Memory, module = coreModule()): Core {
  const jit = new Jit(memory);
  const instance = new WebAssembly.Instance(module, {
    env: { memory, table: jit.table, jit_compile: jit.request },
  });
  const ex = instance.exports as unknown as CoreExports;
  jit.bind(ex);
  ex.init();
  // a fresh id: block tables filled by another instance are not ours
  ex.setJitOwner(Atomics.add(new Int32Array(memory.buffer, L.MACHINE_BASE + L.M_JIT_INSTANCES, 1), 0, 1) + 1);
  const core: Core = {
    ...ex,
    flushCache(cpu: number): void {
      ex.flushCache(cpu);
      jit.forget(cpu);
    },
    jit,
  };
  return core;
}

/** Register names by slot, for reports. */
export const REG_NAMES = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp'];

/** A view of one CPU's state block. */
export class CpuState {
  readonly base: number;
  private readonly dv: DataView;
  constructor(readonly memory: WebAssembly.Memory, readonly index: number) {
    this.base = L.CPU_BASE + index * L.CPU_STRIDE;
    this.dv = new DataView(memory.buffer);
  }
  private u64(off: number): bigint { return this.dv.getBigUint64(this.base + off, true); }
  private setU64(off: number, v: bigint): void { this.dv.setBigUint64(this.base + off, BigInt.asUintN(64, v), true); }
  private u32(off: number): number { return this.dv.getUint32(this.base + off, true); }
  private setU32(off: number, v: number): void { this.dv.setUint32(this.base + off, v >>> 0, true); }

  /** X0..X30, or SP for 31. */
  x(n: number): bigint { return this.u64(n * 8); }
  setX(n: number, v: bigint): void { if (n < 0 || n > 31) throw new RangeError(`register ${n}`); this.setU64(n * 8, v); }
  get sp(): bigint { return this.u64(L.C_SP); }
  set sp(v: bigint) { this.setU64(L.C_SP, v); }
  get pc(): bigint { return this.u64(L.C_PC); }
  set pc(v: bigint) { this.setU64(L.C_PC, v); }
  get nzcv(): number { return this.u32(L.C_NZCV); }
  set nzcv(v: number) { this.setU32(L.C_NZCV, v & 0xf0000000); }
  get insns(): bigint { return this.u64(L.C_INSNS); }
  get cacheMisses(): bigint { return this.u64(L.C_CACHE_MISSES); }
  /** Instructions executed from a stale I-cache line (architectural model). */
  get stale(): bigint { return this.u64(L.C_STALE); }
  /** Context synchronizations that applied pending invalidations. */
  get contextSyncs(): bigint { return this.u64(L.C_CTX_SYNCS); }
  get exit(): number { return this.u32(L.C_EXIT); }
  get excInfo(): number { return this.u32(L.C_EXC_INFO); }
  get excWord(): number { return this.u32(L.C_EXC_WORD); }
  get far(): bigint { return this.u64(L.C_FAR); }
  get el(): number { return this.u32(L.C_EL); }
  get tpidr(): bigint { return this.u64(L.C_TPIDR_EL0); }

  /** Resets the block: registers zero, no exclusive reservation, identification values. */
  reset(opts: { el: number; midr?: bigint; cntfrq?: bigint }): void {
    new Uint8Array(this.memory.buffer, this.base, L.CPU_STRIDE).fill(0);
    this.setU64(L.C_EXCL_ADDR, 1n);
    this.setU32(L.C_CPU_INDEX, this.index);
    this.setU32(L.C_EL, opts.el);
    this.setU64(L.C_MIDR, opts.midr ?? 0x411fd070n); // Cortex-A57 r1p0
    this.setU64(L.C_CNTFRQ, opts.cntfrq ?? 100_000_000n);
    this.setU32(L.C_DCZID, 4); // DC ZVA zeroes 2^4 words = 64 bytes
    this.setU64(L.C_CTR, 0x8444c004n); // 64-byte lines, VIPT I-cache, IDC/DIC clear
  }

  /** Taken branches recorded by the core, oldest first, as [from, to] pairs. */
  branchRing(): [bigint, bigint][] {
    const pos = this.u32(L.C_RING_POS);
    const n = L.RING_SIZE / 2;
    const out: [bigint, bigint][] = [];
    for (let i = Math.max(0, pos - n); i < pos; i++) {
      const off = L.C_RING + (i % n) * 16;
      out.push([this.u64(off), this.u64(off + 8)]);
    }
    return out;
  }
}

/** Writes the machine block: CPU count, where RAM is and which guest window is accessible. */
export function writeMachineBlock(
  memory: WebAssembly.Memory,
  plan: MemoryPlan,
  ram: { base: bigint; lo: bigint; hi: bigint; coherentIcache: boolean; jitThreshold?: number },
): void {
  const dv = new DataView(memory.buffer);
  const m = L.MACHINE_BASE;
  dv.setUint32(m + L.M_MAGIC, 0x42414c50, true);
  dv.setUint32(m + L.M_NCPUS, plan.cpus, true);
  dv.setUint32(m + L.M_RAM_OFFSET, plan.ramOffset, true);
  dv.setUint32(m + L.M_RAM_SIZE, plan.ramSize, true);
  dv.setBigUint64(m + L.M_RAM_BASE, ram.base, true);
  dv.setBigUint64(m + L.M_LO, ram.lo, true);
  dv.setBigUint64(m + L.M_HI, ram.hi, true);
  dv.setUint32(m + L.M_FLAGS, ram.coherentIcache ? L.MF_COHERENT_ICACHE : 0, true);
  dv.setUint32(m + L.M_CODEMAP, plan.codemapOffset, true);
  const threshold = ram.jitThreshold ?? DEFAULT_JIT_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 0xffff) {
    throw new ConfigError(`translation threshold must be 0 (off) .. 65535, got ${threshold}`);
  }
  dv.setUint32(m + L.M_JIT_THRESHOLD, threshold, true);
}
