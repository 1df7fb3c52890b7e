// The core's exports, typed, and the shared memory the machine runs in.

import * as L from '../assembly/layout.ts';
import { DEFAULT_JIT_THRESHOLD, Jit } from './jit/jit.ts';
import { coreModule } from './wasm.ts';

export interface CoreExports {
  step(cpu: number, budget: number): number;
  init(): void;
  flushCache(cpu: number): void;
  decodeInto(word: number, pc: bigint, entry: number): number;
  /** Counter value at which the CPU's virtual timer asserts PPI 27; 2^64 - 1 when disabled or masked. */
  timerDeadline(cpu: number): bigint;
  /** 1 when the CPU's GIC interface signals an interrupt (whatever PSTATE.I says), else 0. */
  irqPending(cpu: number): number;
  setJitOwner(id: number): void;
  /**
   * Compare-and-exchange of the instruction word at Wasm offset `offset`
   * (assembly/patch.ts): PATCH_WRITTEN, PATCH_MISMATCH (nothing written; the
   * word found is at M_PATCH_SEEN) or PATCH_OUTSIDE (misaligned or not RAM).
   */
  patchWord(offset: number, expectedOld: number, newWord: number): number;
  /** Moves the code epoch and logs the `lines` lines at M_PATCH_LINES (more than PATCH_LINES: one INV_ALL); entries logged. */
  notePatch(lines: number): number;
  /** Appends a guest store into a text page to the store log (assembly/store-log.ts); the translated regions call it. */
  textStore(st: number, pc: bigint, p: number, size: number): void;
  /** The cycle models' calls from translated code (assembly/timing.ts resolve, predict). */
  tmResolve(tm: number, kind: number, pc: bigint): void;
  tmPredict(tm: number, pc: bigint, kind: number, op: number, target: bigint, t: bigint): void;
  /** The block memos (assembly/timing-memo.ts), and the full ticks of one instruction word. */
  tmCanon(tm: number, clk: bigint): number;
  tmMaterialize(tm: number, id: number, clk: bigint): void;
  tmEnd(tm: number, clk: bigint, block: number, s0: number, r: number, clk0: bigint): number;
  tmTickWord(st: number, tm: number, word: number, pc: bigint, last: number): number;
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

/** CNTFRQ_EL0 after reset (without a cycle model): the counter moves one tick per instruction, as at 100 MHz. */
export const DEFAULT_CNTFRQ = 100_000_000n;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const MAX_RAM = 2 ** 31; // 2 GiB of guest RAM at most (Wasm memory is 4 GiB)
/** The core's smallest memory (asconfig.json "initialMemory"): a smaller machine still gets this many pages. */
export const CORE_MIN_PAGES = 64;

export function planMemory(cpus: number, ramSize: number): MemoryPlan {
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > L.MAX_CPUS) {
    throw new ConfigError(`CPU count must be 1..${L.MAX_CPUS}, got ${cpus}`);
  }
  if (!Number.isInteger(ramSize) || ramSize < L.PAGE || ramSize > MAX_RAM || ramSize % L.PAGE !== 0) {
    throw new ConfigError(`RAM size must be a multiple of 64 KiB between 64 KiB and 2 GiB, got ${ramSize}`);
  }
  const codemapOffset = L.CACHE_BASE + cpus * L.CACHE_BYTES;
  const ramOffset = align(codemapOffset + ramSize / (1 << L.CODE_PAGE_SHIFT), L.PAGE); // ramSize may be 2^31: no 32-bit shifts
  const pages = Math.max(CORE_MIN_PAGES, (ramOffset + ramSize) / L.PAGE);
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
  if (typeof ex.setJitOwner === 'function') {
    ex.setJitOwner(Atomics.add(new Int32Array(memory.buffer, L.MACHINE_BASE + L.M_JIT_INSTANCES, 1), 0, 1) + 1);
  }
  const core: Core = {
    ...ex,
    jit,
  };
  // u64 results come back from Wasm as signed BigInts
  if (typeof ex.timerDeadline === 'function') core.timerDeadline = (cpu: number) => BigInt.asUintN(64, ex.timerDeadline(cpu));
  return core;
}

/** Register names by slot, for reports. */
export const REG_NAMES = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp'];

/** A view of one CPU's state block. */
export class CpuState {
  readonly base: number;
  private readonly dv: DataView;
  private readonly i32: Int32Array;
  private readonly u64s: BigUint64Array;
  constructor(readonly memory: WebAssembly.Memory, readonly index: number) {
    this.base = L.CPU_BASE + index * L.CPU_STRIDE;
    this.dv = new DataView(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.u64s = new BigUint64Array(memory.buffer);
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

  // ---- EL1 state (kernel profile) ----
  /** VBAR_EL1; 0 means no vector table (faults leave step() and become oops reports). */
  get vbar(): bigint { return this.u64(L.C_VBAR_EL1); }
  set vbar(v: bigint) {
    if ((v & 0x7ffn) !== 0n) throw new RangeError(`VBAR_EL1 must be 2 KiB aligned, got 0x${v.toString(16)}`);
    this.setU64(L.C_VBAR_EL1, v);
  }
  get elr(): bigint { return this.u64(L.C_ELR_EL1); }
  set elr(v: bigint) { this.setU64(L.C_ELR_EL1, v); }
  get spsr(): number { return Number(this.u64(L.C_SPSR_EL1)); }
  set spsr(v: number) { this.setU64(L.C_SPSR_EL1, BigInt(v >>> 0)); }
  get esr(): number { return Number(this.u64(L.C_ESR_EL1)); }
  set esr(v: number) { this.setU64(L.C_ESR_EL1, BigInt(v >>> 0)); }
  /** FAR_EL1 (the C_FAR of `far` is the address of the last fault exit). */
  get farEl1(): bigint { return this.u64(L.C_FAR_EL1); }
  set farEl1(v: bigint) { this.setU64(L.C_FAR_EL1, v); }
  /** ESR-style syndrome of the last fault exit or synchronous exception. */
  get syndrome(): number { return this.u32(L.C_SYNDROME); }
  /** PSTATE.DAIF in bits 9:6. */
  get daif(): number { return this.u32(L.C_DAIF); }
  set daif(v: number) {
    if ((v & ~L.DAIF_ALL) !== 0) throw new RangeError(`DAIF has bits 9:6 only, got 0x${v.toString(16)}`);
    this.setU32(L.C_DAIF, v);
  }
  get spsel(): number { return this.u32(L.C_SPSEL); }
  /** Selects SP_EL0 (0) or SP_EL1 (1) at EL1, moving the current SP to its bank. */
  set spsel(v: number) {
    if (v !== 0 && v !== 1) throw new RangeError(`SPSel is 0 or 1, got ${v}`);
    if (this.el === 0) throw new RangeError('SPSel cannot be changed at EL0');
    const sp0 = this.spEl0, sp1 = this.spEl1;
    this.setU32(L.C_SPSEL, v);
    this.spEl0 = sp0;
    this.spEl1 = sp1;
  }
  /** Whether slot 31 (`sp`) currently holds SP_EL1. */
  private get onSpEl1(): boolean { return this.el !== 0 && this.spsel !== 0; }
  get spEl0(): bigint { return this.onSpEl1 ? this.u64(L.C_SP_EL0) : this.sp; }
  set spEl0(v: bigint) { if (this.onSpEl1) this.setU64(L.C_SP_EL0, v); else this.sp = v; }
  get spEl1(): bigint { return this.onSpEl1 ? this.sp : this.u64(L.C_SP_EL1); }
  set spEl1(v: bigint) { if (this.onSpEl1) this.sp = v; else this.setU64(L.C_SP_EL1, v); }
  get tpidrEl1(): bigint { return this.u64(L.C_TPIDR_EL1); }
  set tpidrEl1(v: bigint) { this.setU64(L.C_TPIDR_EL1, v); }
  get sctlr(): bigint { return this.u64(L.C_SCTLR_EL1); }
  /** Virtual counter base: CNTVCT_EL0 = cntvctBase + insns. The host adds the time a CPU spent idle. */
  get cntvctBase(): bigint { return this.u64(L.C_CNTVCT); }
  set cntvctBase(v: bigint) { this.setU64(L.C_CNTVCT, v); }
  /** CNTVCT_EL0 as the guest would read it between two steps. */
  /** CNTVCT_EL0: the base plus instructions retired, or plus modelled cycles under a cycle model (C_TIMING). */
  get cntvct(): bigint { return BigInt.asUintN(64, this.cntvctBase + (this.u32(L.C_TIMING) !== 0 ? this.u64(L.C_CYCLES) : this.insns)); }
  /** CNTV_CTL_EL0 ENABLE (bit 0) and IMASK (bit 1), as written. */
  get cntvCtl(): number { return this.u32(L.C_CNTV_CTL); }
  set cntvCtl(v: number) {
    if ((v & ~3) !== 0) throw new RangeError(`CNTV_CTL_EL0 has ENABLE and IMASK only, got 0x${v.toString(16)}`);
    this.setU32(L.C_CNTV_CTL, v);
  }
  get cntvCval(): bigint { return this.u64(L.C_CNTV_CVAL); }
  set cntvCval(v: bigint) { this.setU64(L.C_CNTV_CVAL, v); }
  get cntkctl(): number { return this.u32(L.C_CNTKCTL); }
  /** Pending SGIs (bit n = INTID n), read atomically. */
  get irqPending(): number { return Atomics.load(this.i32, (this.base + L.C_IRQ_PENDING) >> 2) >>> 0; }
  /** Active interrupts of the GIC CPU interface (bit n = INTID n). */
  get iccActive(): number { return this.u32(L.C_ICC_ACTIVE); }
  get iccPmr(): number { return this.u32(L.C_ICC_PMR); }
  /** WFE event register. */
  get event(): number { return Atomics.load(this.i32, (this.base + L.C_EVENT) >> 2); }
  /** Wake-up futex word and the value the core saw when it went idle. */
  get wake(): number { return Atomics.load(this.i32, (this.base + L.C_WAKE) >> 2) >>> 0; }
  get wfiSeen(): number { return Atomics.load(this.i32, (this.base + L.C_WFI_SEEN) >> 2) >>> 0; }
  get wakeClock(): bigint { return Atomics.load(this.u64s, (this.base + L.C_WAKE_CLOCK) >> 3); }
  /** While idle in WFE holding a reservation: the watched granule + 1 (| WATCH_WOKEN once a store woke it); 0 otherwise. */
  get wfeWatch(): number { return Atomics.load(this.i32, (this.base + L.C_WFE_WATCH) >> 2) >>> 0; }
  /** Synchronous exceptions and IRQs taken to EL1. */
  get exceptions(): bigint { return this.u64(L.C_EXCEPTIONS); }
  get irqs(): bigint { return this.u64(L.C_IRQS); }

  /**
   * Resets the block: registers zero, no exclusive reservation, identification
   * values. At EL1: EL1h (SPSel 1), DAIF all masked, VBAR_EL1 0, timer off.
   */
  reset(opts: { el: number; midr?: bigint; cntfrq?: bigint }): void {
    if (opts.el !== 0 && opts.el !== 1) throw new RangeError(`reset: EL must be 0 or 1, got ${opts.el}`);
    new Uint8Array(this.memory.buffer, this.base, L.CPU_STRIDE).fill(0);
    if (opts.el === 1) {
      this.setU32(L.C_SPSEL, 1);
      this.setU32(L.C_DAIF, L.DAIF_ALL);
      this.setU64(L.C_SCTLR_EL1, 0x30d00800n); // the RES1 bits of SCTLR_EL1 (Armv8.0)
      this.setU32(L.C_ICC_CTLR, 0x400); // PRIbits = 4: five bits of priority
    }
    this.setU64(L.C_EXCL_ADDR, 1n);
    this.setU32(L.C_CPU_INDEX, this.index);
    this.setU32(L.C_EL, opts.el);
    this.setU64(L.C_MIDR, opts.midr ?? 0x411fd070n); // Cortex-A57 r1p0
    this.setU64(L.C_CNTFRQ, opts.cntfrq ?? DEFAULT_CNTFRQ);
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
