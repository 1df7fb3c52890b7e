// Region discovery: from a hot block head, follow the static control flow
// (fall-through, direct branches, calls and their return sites) and cut the
// code into straight-line blocks the translator turns into one Wasm function.
//
// A block is a run of translatable instructions ending with a branch, or cut
// before an instruction the translator leaves to the interpreter (system
// instructions, exclusives, atomics, undefined words, a fetch outside RAM),
// or cut at MAX_BLOCK instructions.

import * as L from '../../assembly/layout.ts';
import * as O from '../../assembly/ops.ts';

/** One instruction as the core's predecoder decoded it (layout.ts, E_* fields). */
export interface Insn {
  pc: bigint;
  word: number;
  op: number;
  rd: number;
  rn: number;
  rm: number;
  ra: number;
  b0: number;
  b1: number;
  aux: number;
  imm: bigint;
}

/** Decodes the word at `pc`; null when the fetch itself would fault. */
export type Fetch = (pc: bigint) => Insn | null;

export interface Block {
  start: bigint;
  /** Translated instructions, the branch (if any) last. */
  insns: Insn[];
  /** How the block ends. */
  end:
    | { kind: 'branch' } //                 insns[insns.length - 1] is a branch
    | { kind: 'fall'; next: bigint } //     cut for length: continue at a block head
    | { kind: 'step'; next: bigint } //     the interpreter runs the instruction at `next`
    | { kind: 'rescan'; next: bigint }; //  an MSR DAIF last: step() looks at interrupts before `next`
}

export interface Region {
  blocks: Block[];
  /** Block index by start address. */
  index: Map<bigint, number>;
  /** Blocks that start right after a call (BL/BLR) of the region: where RET lands. */
  returnSites: number[];
}

export const MAX_BLOCK = 64;
export const MAX_REGION_BLOCKS = 48;
export const MAX_REGION_INSNS = 768;

const BRANCHES = new Set<number>([
  O.OP_B, O.OP_BL, O.OP_BCOND, O.OP_CBZ_X, O.OP_CBNZ_X, O.OP_CBZ_W, O.OP_CBNZ_W, O.OP_TBZ, O.OP_TBNZ,
  O.OP_BR, O.OP_BLR, O.OP_RET,
]);

/** Operations the translator leaves to the interpreter. */
const UNTRANSLATED = new Set<number>([
  O.OP_UNDEF, O.OP_SVC, O.OP_HVC, O.OP_BRK, O.OP_HLT, O.OP_WFI, O.OP_WFE, O.OP_SEV, O.OP_CLREX,
  O.OP_ISB, O.OP_ERET, O.OP_LDXP, O.OP_STXP,
  O.OP_CAS, O.OP_CASP, O.OP_ATOMIC, O.OP_RBIT_X, O.OP_RBIT_W, O.OP_REV16_X, O.OP_REV16_W,
  O.OP_REV32_X, O.OP_REV_W, O.OP_REV_X, O.OP_CLS_X, O.OP_CLS_W, O.OP_CRC32,
]);

// System instructions (OP_SYSTEM, entry aux = kind << 16 | o0:op1:CRn:CRm:op2)
// the translator handles inline: reads of DAIF and the thread registers,
// DAIFSet (masking never needs an interrupt check), and writes of DAIF, which
// end their block and hand back to step() so that an interrupt they unmask is
// taken before the next instruction (and the timer's cycle limit follows
// PSTATE.I). Anything else that can unmask interrupts, touch the timer or the
// GIC stays in the interpreter.

/** The inline system-instruction form of `aux`, or null. */
export function inlineSystem(aux: number): 'mrs-daif' | 'msr-daif' | 'mrs-tpidr0' | 'msr-tpidr0' | 'mrs-tpidr1' | 'daifset' | 'mrs-cntvct' | null {
  const { SYS_MRS, SYS_MSR, SYS_MSRI, SYSREG_DAIF, SYSREG_TPIDR_EL0, SYSREG_TPIDR_EL1, PSTATE_DAIFSET } = L;
  const kind = aux >>> 16, r = aux & 0xffff;
  if (kind === SYS_MRS && r === SYSREG_CNTVCT_EL0) return 'mrs-cntvct'; // under a cycle model only (RegionOptions)
  if (kind === SYS_MRS && r === SYSREG_DAIF) return 'mrs-daif';
  if (kind === SYS_MSR && r === SYSREG_DAIF) return 'msr-daif'; // it ends its block: step() looks at interrupts after it
  if (kind === SYS_MRS && r === SYSREG_TPIDR_EL0) return 'mrs-tpidr0';
  if (kind === SYS_MSR && r === SYSREG_TPIDR_EL0) return 'msr-tpidr0';
  if (kind === SYS_MRS && r === SYSREG_TPIDR_EL1) return 'mrs-tpidr1';
  if (kind === SYS_MSRI && (r & ~(15 << 3)) === PSTATE_DAIFSET) return 'daifset';
  return null;
}

export function isBranch(op: number): boolean { return BRANCHES.has(op); }

/** S3_3_C14_C0_2: the virtual counter. */
const SYSREG_CNTVCT_EL0 = 0x5f02;

/**
 * What the translator may take beyond the fixed set. `counter`: reads of
 * CNTVCT_EL0, under a cycle model's block memos (bindings/jit/timing-memo.ts):
 * such a read ends its block, whose clock at the end is the read's own
 * issue cycle, the value the interpreter gives (base + C_CYCLES).
 */
export interface RegionOptions { counter: boolean }

const isCounterRead = (i: Insn): boolean => i.op === O.OP_SYSTEM && inlineSystem(i.aux) === 'mrs-cntvct';

/** Whether the translator emits code for this instruction. */
export function translatable(i: Insn, opts: RegionOptions = { counter: false }): boolean {
  const op = i.op;
  if (op === O.OP_SYSTEM) return inlineSystem(i.aux) !== null && (opts.counter || !isCounterRead(i));
  if (UNTRANSLATED.has(op)) return false;
  if (op > O.OP_LDST_LAST && op < O.OP_PAIR_FIRST) return false;
  return op < O.OP_COUNT;
}

/** Static successors of a block's branch, and whether it is a call. */
function successors(b: Block): { targets: bigint[]; returnSite?: bigint } {
  if (b.end.kind === 'fall') return { targets: [b.end.next] };
  if (b.end.kind === 'step') return { targets: [] };
  if (b.end.kind === 'rescan') return { targets: [b.end.next] };
  const i = b.insns[b.insns.length - 1]!;
  switch (i.op) {
    case O.OP_B: return { targets: [i.imm] };
    case O.OP_BL: return { targets: [i.imm, i.pc + 4n], returnSite: i.pc + 4n };
    case O.OP_BLR: return { targets: [i.pc + 4n], returnSite: i.pc + 4n };
    case O.OP_BR: case O.OP_RET: return { targets: [] };
    default: return { targets: [i.imm, i.pc + 4n] };
  }
}

/** Reads one block starting at `start`; null when its first instruction cannot be translated. */
export function readBlock(fetch: Fetch, start: bigint, opts: RegionOptions = { counter: false }): Block | null {
  const insns: Insn[] = [];
  let pc = start;
  for (;;) {
    const i = fetch(pc);
    if (!i || !translatable(i, opts)) {
      if (insns.length === 0) return null;
      return { start, insns, end: { kind: 'step', next: pc } };
    }
    insns.push(i);
    if (isBranch(i.op)) return { start, insns, end: { kind: 'branch' } };
    if (i.op === O.OP_SYSTEM && inlineSystem(i.aux) === 'msr-daif') return { start, insns, end: { kind: 'rescan', next: pc + 4n } };
    if (isCounterRead(i)) return { start, insns, end: { kind: 'fall', next: pc + 4n } };
    pc += 4n;
    if (insns.length === MAX_BLOCK) return { start, insns, end: { kind: 'fall', next: pc } };
  }
}

/** Breadth-first discovery of the region around `head`; null when the head is untranslatable. */
export function discoverRegion(fetch: Fetch, head: bigint, opts: RegionOptions = { counter: false }): Region | null {
  const first = readBlock(fetch, head, opts);
  if (!first) return null;
  const blocks: Block[] = [first];
  const index = new Map<bigint, number>([[head, 0]]);
  const returnAddrs = new Set<bigint>();
  let insns = first.insns.length;
  for (let k = 0; k < blocks.length; k++) {
    const { targets, returnSite } = successors(blocks[k]!);
    if (returnSite !== undefined) returnAddrs.add(returnSite);
    for (const t of targets) {
      if (index.has(t) || blocks.length >= MAX_REGION_BLOCKS) continue;
      const b = readBlock(fetch, t, opts);
      if (!b || insns + b.insns.length > MAX_REGION_INSNS) continue;
      index.set(t, blocks.length);
      blocks.push(b);
      insns += b.insns.length;
    }
  }
  const returnSites = [...returnAddrs].filter((a) => index.has(a)).map((a) => index.get(a)!);
  return { blocks, index, returnSites };
}
