// Decoder fuzzing: random 32-bit words (uniform, and drawn from the encoding
// table's rows with random field values) are
//
//   - decoded by the core (decodeInto) and by the TypeScript table matcher
//     (findRow), which must agree on the row or on "unallocated";
//   - stepped once in a sandbox (one CPU, a small RAM of which only two pages
//     are accessible), with registers seeded so that memory operands mostly fall
//     inside the accessible RAM and sometimes outside it. The step must not
//     trap, must return a known exit reason, and must keep the guest-visible
//     invariants below.
//
// Invariants checked after every step:
//   - an instruction that did not complete (undefined, data abort,
//     breakpoint) left PC, x0..x30, SP, NZCV, TPIDR_EL0 and the retired count
//     unchanged; an unallocated or unimpl word is undefined;
//   - one that completed retired exactly one instruction and left an aligned
//     PC (or stopped with a PC alignment fault after a register branch), past
//     itself unless it is a branch; SVC/HVC/WFI/WFE leave PC past themselves;
//     HVC and ERET are undefined at EL0; each step starts with the EL1 and
//     interrupt state of reset (no vector table, so faults leave step());
//   - only registers the word names (Rd, Rt, Rt2, Rs, Rn, Ra, Rm, with 31 as
//     SP; x30 for BL/BLR; the second register of CASP pairs) changed;
//   - the core's zero-register slot still reads zero;
//   - a data abort names a fault kind the layout defines.
// Invariants checked after every batch of steps:
//   - nothing outside guest RAM changed but CPU 0's state block and decoded
//     cache: the bytes below the machine block, the machine block, the state
//     blocks of the other CPUs (but the interrupt and wake-up words SEV and
//     SGIs write), CPU 0's unused state bytes;
//   - the RAM outside the accessible window is unchanged.
//
// Words the decoder calls unallocated and words it decodes as implemented
// instructions are sampled for the comparison with llvm-mc (the test does it).

import * as L from '../../assembly/layout.ts';
import {
  CpuState, createMemory, EXIT_NAMES, instantiateCore, planMemory, writeMachineBlock, type CoreExports,
} from '../../bindings/core.ts';
import { extractFields, findRow, ROWS, type Row } from '../../bindings/isa/pattern.ts';
import { reservedLogicalImm } from '../../bindings/isa/random.ts';
import { Rng } from './rng.ts';

// RAM: an inaccessible page, two accessible pages, then inaccessible RAM up
// to the 2 MiB the core's memory needs at least.
const RAM_SIZE = 32 * L.PAGE;
const RAM_BASE = 0x40000000n;
export const ACCESSIBLE = 2 * L.PAGE;
export const LO = RAM_BASE + BigInt(L.PAGE);
const HI = LO + BigInt(ACCESSIBLE);

export interface DecodeFuzzOptions {
  seed: number;
  words: number;
  /** Words between two checks of the memory outside RAM (default 20 000). */
  batch?: number;
  /** Size of each sample kept for llvm-mc (default 4000). */
  sample?: number;
  /** Test hook: replaces the word generator. */
  word?: (rng: Rng) => number;
  /** Test hook: runs after each step, before the checks (may corrupt the sandbox). */
  afterStep?: (sb: Sandbox, exit: number, word: number) => void;
}

export interface DecodeFuzzResult {
  words: number;
  fromTable: number;
  /** Exit reasons of the steps, by name. */
  exits: Map<string, number>;
  /** Trap or invariant violations (the first 50), and how many there were. */
  failures: string[];
  failureCount: number;
  /** Words on which decodeInto and findRow agree / disagree. */
  agree: number;
  disagreements: string[];
  disagreeCount: number;
  /** Words findRow matches but the core rejects because the logical immediate is reserved. */
  reservedLogicalImm: number;
  /** Decoded as unallocated (row 0), as unimpl rows, as implemented rows. */
  unallocated: number;
  unimpl: number;
  implemented: number;
  /** Uniform samples of unallocated and implemented words. */
  unallocatedSample: number[];
  implementedSample: number[];
  seconds: number;
}

const hex = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

/** A one-CPU machine (with a second, never stepped, CPU as a witness) to step single words in. */
export class Sandbox {
  readonly memory: WebAssembly.Memory;
  readonly core: CoreExports;
  readonly cpu: CpuState;
  readonly ramOffset: number;
  readonly u32: Uint32Array;
  readonly u8: Uint8Array;
  /** decodeInto's scratch entry: in CPU 1's decoded cache, which nothing else uses. */
  readonly scratch: number;
  private readonly st: number; // CPU 0 state block, in u32 units
  private readonly guarded: [number, number][]; // byte ranges that must not change
  private snapshot: Uint32Array[] = [];

  constructor() {
    const plan = planMemory(2, RAM_SIZE);
    this.ramOffset = plan.ramOffset;
    this.memory = createMemory(plan);
    writeMachineBlock(this.memory, plan, { base: RAM_BASE, lo: LO, hi: HI, coherentIcache: true });
    this.core = instantiateCore(this.memory);
    this.core.flushCache(0);
    this.core.flushCache(1);
    this.cpu = new CpuState(this.memory, 0);
    this.cpu.reset({ el: 0 });
    new CpuState(this.memory, 1).reset({ el: 1 });
    this.u32 = new Uint32Array(this.memory.buffer);
    this.u8 = new Uint8Array(this.memory.buffer);
    this.st = L.CPU_BASE >> 2;
    this.scratch = L.CACHE_BASE + L.CACHE_BYTES;
    const cpu0 = L.CPU_BASE;
    this.guarded = [
      [0, L.MACHINE_BASE], //                                   below the machine block
      // machine block, but the code epoch, the invalidation log and the
      // translator's words (IC IVAU and stores into translated code move them)
      [L.MACHINE_BASE, L.MACHINE_BASE + L.M_CODE_EPOCH],
      [L.MACHINE_BASE + L.M_CODE_EPOCH + 4, L.MACHINE_BASE + L.M_JIT_THRESHOLD],
      [L.MACHINE_BASE + L.M_JIT_INSTANCES + 4, L.MACHINE_BASE + L.MACHINE_SIZE],
      [cpu0 + L.C_WATCH_HIT + 4, cpu0 + L.C_EXCEPTIONS], //    CPU 0: unused bytes (after the WFE watch words)
      [cpu0 + L.C_CTX_SYNCS + 8, cpu0 + L.C_RING],
      // after the ring, but the translator's words
      [cpu0 + L.C_RING + L.RING_SIZE * 8, cpu0 + L.C_JIT_RETIRED],
      [cpu0 + L.C_JIT_SCRATCH + 32, cpu0 + L.CPU_STRIDE],
      // CPU 1: all but its interrupt and wake-up words (SEV and SGIs reach every CPU)
      [cpu0 + L.CPU_STRIDE, cpu0 + L.CPU_STRIDE + L.C_IRQ_PENDING],
      [cpu0 + L.CPU_STRIDE + L.C_VBAR_EL1, L.CACHE_BASE], //     CPUs 1..63
      [this.ramOffset, this.ramOffset + L.PAGE], //             inaccessible RAM
      [this.ramOffset + L.PAGE + ACCESSIBLE, this.ramOffset + RAM_SIZE],
    ];
    for (const [a, b] of this.guarded) if (a % 4 || b % 4) throw new Error('sandbox: unaligned guarded range');
    this.takeSnapshot();
  }

  takeSnapshot(): void {
    this.snapshot = this.guarded.map(([a, b]) => this.u32.slice(a >> 2, b >> 2));
  }

  /** Descriptions of guarded bytes that changed since the snapshot. */
  changedOutsideRam(): string[] {
    const out: string[] = [];
    this.guarded.forEach(([a, b], i) => {
      const snap = this.snapshot[i];
      for (let k = 0; k < snap.length; k++) {
        if (this.u32[(a >> 2) + k] !== snap[k]) {
          out.push(`wasm offset 0x${(a + 4 * k).toString(16)}: 0x${snap[k].toString(16)} -> 0x${this.u32[(a >> 2) + k].toString(16)}`);
          if (out.length >= 8) return;
        }
      }
    });
    return out;
  }

  setReg64(slot: number, lo: number, hi: number): void {
    this.u32[this.st + slot * 2] = lo;
    this.u32[this.st + slot * 2 + 1] = hi;
  }
  field32(off: number): number {
    return this.u32[this.st + (off >> 2)];
  }
  setField32(off: number, v: number): void {
    this.u32[this.st + (off >> 2)] = v >>> 0;
  }
  /** Wasm offset of a guest address in RAM. */
  wasm(addr: bigint): number {
    return this.ramOffset + Number(addr - RAM_BASE);
  }
}

// Architectural state compared around a step: x0..x30, sp (64 u32), pc (2),
// nzcv (1), insns (2), tpidr (2).
const STATE_U32 = [
  ...Array.from({ length: 64 }, (_, i) => i),
  L.C_PC >> 2, (L.C_PC >> 2) + 1, L.C_NZCV >> 2, L.C_INSNS >> 2, (L.C_INSNS >> 2) + 1, L.C_TPIDR_EL0 >> 2, (L.C_TPIDR_EL0 >> 2) + 1,
];
const STATE_NAMES = [
  ...Array.from({ length: 64 }, (_, i) => `${i < 62 ? 'x' + (i >> 1) : 'sp'}${i & 1 ? '.hi' : '.lo'}`),
  'pc.lo', 'pc.hi', 'nzcv', 'insns.lo', 'insns.hi', 'tpidr.lo', 'tpidr.hi',
];
const PC_LO = 64;
const INSNS_LO = 67;

/** A register value: mostly an address in the accessible RAM, sometimes near or outside it. */
function regValue(rng: Rng): [number, number] {
  const r = rng.below(100);
  let v: bigint;
  if (r < 55) {
    v = LO + BigInt(rng.below(ACCESSIBLE));
    if (rng.bool()) v &= ~15n;
  } else if (r < 65) {
    v = (rng.bool() ? LO : HI) + BigInt(rng.range(-64, 63));
  } else if (r < 72) {
    v = RAM_BASE + BigInt(rng.below(L.PAGE)); // the inaccessible page
  } else if (r < 85) {
    v = BigInt(rng.below(4096));
  } else {
    return [rng.u32(), rng.u32()];
  }
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

function wordFromTable(rng: Rng): number {
  const r = rng.pick(ROWS);
  return (r.value | (rng.u32() & ~r.mask)) >>> 0;
}

/** The row index + 1 decodeInto should return for `word` (0: unallocated). */
export function expectedDecode(word: number): { want: number; row?: Row; reservedImm: boolean } {
  const row = findRow(word);
  if (!row) return { want: 0, reservedImm: false };
  if (reservedLogicalImm(row, extractFields(row, word))) return { want: 0, row, reservedImm: true };
  return { want: row.index + 1, row, reservedImm: false };
}

const BRANCH_PDS = new Set(['bcond', 'branch_imm', 'branch_reg', 'cbz', 'tbz', 'eret']);
// Rows that may switch the stack pointer in use (SP_EL0/SP_EL1): MSR SPSel, ERET.
const SP_SWITCH_PDS = new Set(['msr_imm', 'sysreg', 'eret']);
const REG_FIELDS = ['Rd', 'Rt', 'Rt2', 'Rs', 'Rn', 'Ra', 'Rm'];

// Per row: where its register fields are (bit position, or -1 - value for
// fields whose value is fixed), computed once.
const REG_FIELD_POS: number[][] = ROWS.map((r) =>
  r.fields.filter((f) => REG_FIELDS.includes(f.name)).map((f) => {
    const v = f.fixed ?? f.shouldBe;
    return v === undefined ? f.lo : -1 - v;
  }));

/** Bit set of the registers (0..30, 31 = SP) an implemented word may write. */
function writableMask(row: Row, word: number): number {
  let m = 0;
  for (const pos of REG_FIELD_POS[row.index]) m |= 1 << (pos >= 0 ? (word >>> pos) & 31 : -1 - pos);
  if (row.id === 'BL' || row.id === 'BLR') m |= 1 << 30;
  if (SP_SWITCH_PDS.has(row.pd)) m |= 1 << 31;
  if (row.pd === 'casp') {
    const rs = (word >>> 16) & 31;
    if (rs < 31) m |= 1 << (rs + 1);
  }
  return m >>> 0;
}

export function fuzzDecode(opts: DecodeFuzzOptions): DecodeFuzzResult {
  const t0 = performance.now();
  const rng = new Rng(opts.seed, 0xdec0de);
  const sampleSize = opts.sample ?? 4000;
  const batch = opts.batch ?? 20_000;
  let sb = new Sandbox();
  let core = sb.core;
  const res: DecodeFuzzResult = {
    words: 0, fromTable: 0, exits: new Map(), failures: [], failureCount: 0, agree: 0, disagreements: [],
    disagreeCount: 0, reservedLogicalImm: 0, unallocated: 0, unimpl: 0, implemented: 0,
    unallocatedSample: [], implementedSample: [], seconds: 0,
  };
  const fail = (word: number, msg: string): void => {
    res.failureCount++;
    if (res.failures.length < 50) res.failures.push(`${hex(word)}: ${msg}`);
  };
  const keep = (sample: number[], seen: number, w: number): void => {
    if (sample.length < sampleSize) sample.push(w);
    else {
      const j = rng.below(seen);
      if (j < sampleSize) sample[j] = w;
    }
  };
  const before = new Uint32Array(STATE_U32.length);
  const stBase = L.CPU_BASE >> 2;

  for (let i = 0; i < opts.words; i++) {
    let word: number;
    if (opts.word) word = opts.word(rng) >>> 0;
    else if (rng.bool()) word = rng.u32();
    else {
      word = wordFromTable(rng);
      res.fromTable++;
    }
    res.words++;
    const pc = LO + BigInt(rng.below(ACCESSIBLE >> 2) << 2);

    // (b) the core's decoder against the table matcher
    const exp = expectedDecode(word);
    let got: number;
    try {
      got = core.decodeInto(word, pc, sb.scratch);
    } catch (err) {
      fail(word, `decodeInto threw ${(err as Error).message}`);
      continue;
    }
    if (got === exp.want) res.agree++;
    else {
      res.disagreeCount++;
      if (res.disagreements.length < 50) {
        const name = (n: number): string => (n === 0 ? 'unallocated' : ROWS[n - 1]?.id ?? `row ${n - 1}?`);
        res.disagreements.push(`${hex(word)}: core ${name(got)}, table ${name(exp.want)}`);
      }
    }
    if (exp.reservedImm) res.reservedLogicalImm++;
    if (got === 0) keep(res.unallocatedSample, ++res.unallocated, word);
    else if (ROWS[got - 1]?.unimpl) res.unimpl++;
    else keep(res.implementedSample, ++res.implemented, word);

    // (a) one step in the sandbox
    sb.u32[sb.wasm(pc) >> 2] = word;
    for (let r = 0; r < 32; r++) {
      const [lo, hi] = regValue(rng);
      sb.setReg64(r, lo, hi);
    }
    sb.setReg64(L.C_PC >> 3, Number(pc & 0xffffffffn), Number(pc >> 32n));
    sb.setField32(L.C_NZCV, rng.below(16) << 28);
    sb.setReg64(L.C_TPIDR_EL0 >> 3, rng.u32(), rng.u32());
    const el = rng.bool(0.2) ? 1 : 0;
    sb.setField32(L.C_EL, el);
    // EL1 and interrupt state from reset (no vector table), so that the step's outcome is its own
    sb.u8.fill(0, L.CPU_BASE + L.C_IRQ_PENDING, L.CPU_BASE + L.C_EXCEPTIONS);
    if (rng.bool(0.1)) {
      // an exclusive reservation on an address a register holds, with the value in memory
      const r = rng.below(32);
      const a = (BigInt(sb.u32[stBase + r * 2]) | (BigInt(sb.u32[stBase + r * 2 + 1]) << 32n)) & ~7n;
      const size = 1 << rng.below(5);
      sb.setReg64(L.C_EXCL_ADDR >> 3, Number(a & 0xffffffffn), Number(a >> 32n));
      sb.setField32(L.C_EXCL_SIZE, size);
      if (a >= LO && a + 16n <= HI) {
        const o = sb.wasm(a) >> 2;
        sb.setReg64(L.C_EXCL_VAL >> 3, sb.u32[o], sb.u32[o + 1]);
        sb.setReg64(L.C_EXCL_VAL2 >> 3, sb.u32[o + 2], sb.u32[o + 3]);
      }
    }
    for (let k = 0; k < STATE_U32.length; k++) before[k] = sb.u32[stBase + STATE_U32[k]];

    let exit: number;
    try {
      exit = core.step(0, 1);
    } catch (err) {
      fail(word, `step threw ${(err as Error).name}: ${(err as Error).message}`);
      // the instance may be unusable after a trap: go on with a new one
      sb = new Sandbox();
      core = sb.core;
      continue;
    }
    opts.afterStep?.(sb, exit, word);
    const name = EXIT_NAMES[exit];
    res.exits.set(name ?? `unknown ${exit}`, (res.exits.get(name ?? `unknown ${exit}`) ?? 0) + 1);
    if (name === undefined) {
      fail(word, `step returned unknown exit reason ${exit}`);
      continue;
    }
    checkStep(sb, word, got, exit, el, before, fail);

    if ((i + 1) % batch === 0 || i + 1 === opts.words) {
      const changed = sb.changedOutsideRam();
      if (changed.length) {
        fail(word, `memory outside guest RAM changed in the batch ending here: ${changed.join('; ')}`);
        sb.takeSnapshot();
      }
    }
  }
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}

function checkStep(
  sb: Sandbox, word: number, decoded: number, exit: number, el: number, before: Uint32Array,
  fail: (word: number, msg: string) => void,
): void {
  const stBase = L.CPU_BASE >> 2;
  const now = (k: number): number => sb.u32[stBase + STATE_U32[k]];
  const pcBefore = BigInt(before[PC_LO]) | (BigInt(before[PC_LO + 1]) << 32n);
  const pcAfter = BigInt(now(PC_LO)) | (BigInt(now(PC_LO + 1)) << 32n);
  const retired = (now(INSNS_LO) - before[INSNS_LO]) >>> 0;
  const name = EXIT_NAMES[exit];
  const row = decoded ? ROWS[decoded - 1] : undefined;
  if ((!row || row.unimpl) && exit !== L.EXIT_UNDEF) fail(word, `${row ? 'unimpl' : 'unallocated'} word gave exit "${name}"`);
  if (sb.field32(L.C_ZR) !== 0 || sb.field32(L.C_ZR + 4) !== 0) {
    fail(word, `"${name}" wrote the zero register slot`);
    sb.setReg64(L.C_ZR >> 3, 0, 0);
  }
  if (row && !row.unimpl && retired === 1) {
    const may = writableMask(row, word);
    for (let r = 0; r < 32; r++) {
      if ((may >>> r) & 1) continue;
      if (now(2 * r) !== before[2 * r] || now(2 * r + 1) !== before[2 * r + 1]) {
        fail(word, `${row.id} changed ${r === 31 ? 'sp' : 'x' + r}, which it does not name`);
        break;
      }
    }
  }
  switch (exit) {
    case L.EXIT_UNDEF:
    case L.EXIT_DATA_ABORT:
    case L.EXIT_BRK:
    case L.EXIT_HLT:
    case L.EXIT_FETCH_ABORT: {
      for (let k = 0; k < STATE_U32.length; k++) {
        if (now(k) !== before[k]) {
          fail(word, `"${name}" changed ${STATE_NAMES[k]}: 0x${before[k].toString(16)} -> 0x${now(k).toString(16)}`);
          break;
        }
      }
      if (exit === L.EXIT_DATA_ABORT) {
        const info = sb.field32(L.C_EXC_INFO);
        if ((info & ~(L.FAULT_WRITE | L.FAULT_ALIGN | L.FAULT_RANGE)) !== 0 || (info & (L.FAULT_ALIGN | L.FAULT_RANGE)) === 0) {
          fail(word, `data abort with fault detail 0x${info.toString(16)}`);
        }
      }
      break;
    }
    case L.EXIT_BUDGET:
      if (retired !== 1) fail(word, `budget exit retired ${retired} instructions`);
      if (pcAfter & 3n) fail(word, `budget exit left a misaligned pc 0x${pcAfter.toString(16)}`);
      if (row && !BRANCH_PDS.has(row.pd) && pcAfter !== pcBefore + 4n) {
        fail(word, `${row.id} left pc at 0x${pcAfter.toString(16)}, not past itself`);
      }
      break;
    case L.EXIT_SVC:
    case L.EXIT_HVC:
    case L.EXIT_WFI:
    case L.EXIT_WFE:
      if (retired !== 1) fail(word, `"${name}" retired ${retired} instructions`);
      if (pcAfter !== pcBefore + 4n) fail(word, `"${name}" left pc at 0x${pcAfter.toString(16)}`);
      if (exit === L.EXIT_HVC && el === 0) fail(word, 'HVC completed at EL0');
      break;
    case L.EXIT_PC_ALIGN:
      if (retired !== 1) fail(word, `PC alignment fault retired ${retired} instructions`);
      if ((pcAfter & 3n) === 0n) fail(word, `PC alignment fault with aligned pc 0x${pcAfter.toString(16)}`);
      break;
    default:
      fail(word, `unexpected exit "${name}" after one step`);
  }
}
