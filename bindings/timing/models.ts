// What a cycle model is made of (the parameters the core's tick() reads, in
// assembly/timing-layout.ts) and which class every decoded operation of the
// core belongs to. The models themselves, with the source of each number,
// are a53.ts and a57.ts.

import * as O from '../../assembly/ops.ts';

export type TimingName = 'none' | 'a53' | 'a57';
export const TIMING_NAMES: readonly TimingName[] = ['none', 'a53', 'a57'];

/** The classes operations fall in; every model gives each a cost. */
export type ClassName =
  | 'nop' | 'alu' | 'aluShifted' | 'bitfield' | 'bitfieldInsert' | 'extract' | 'shiftVariable' | 'bitOp' | 'crc'
  | 'mulW' | 'mulX' | 'mulHigh' | 'divW' | 'divX'
  | 'load' | 'loadRegOffset' | 'loadWriteback' | 'loadPair' | 'loadPairSigned' | 'loadPairWriteback'
  | 'store' | 'storeRegOffset' | 'storeWriteback' | 'storePair' | 'storePairWriteback'
  | 'loadExclusive' | 'loadExclusivePair' | 'storeExclusive' | 'atomic'
  | 'branch' | 'call' | 'branchReg' | 'callReg' | 'system';

export interface UnitUse {
  /** A unit kind of the model's `units`. */
  unit: string;
  /** Cycles it is held from issue (1 for a pipelined unit). */
  cycles: number;
}

/** The cost of one class. Latencies are from issue to the cycle a consumer may issue. */
export interface ClassCost {
  uops: number;
  /** Latency of the destination register(s); for an instruction without one, of the instruction. */
  lat: number;
  /** Latency of the base register written back by pre/post-index forms (default `lat`). */
  latBase?: number;
  /** Latency of NZCV when written (default `lat`). */
  latFlags?: number;
  /** Latency of X30 written by BL/BLR (default `lat`). */
  latLink?: number;
  units: UnitUse[];
  /** Results forward early: consumers' read advances (below) apply to what this class writes. */
  forwards?: boolean;
  /** Cycles a source is read late, when its producer forwards (rn, rm, ra, rd read as a source). */
  advance?: { rn?: number; rm?: number; ra?: number; rd?: number };
}

export interface Source {
  /** Where the figure comes from (a file, a manual section, a measurement). */
  from: string;
  /** How sure: 'published' (a vendor or LLVM figure), 'measured' (by llvm-mca here), 'chosen' (patchlab's). */
  kind: 'published' | 'measured' | 'chosen';
}

export interface CycleModel {
  name: Exclude<TimingName, 'none'>;
  title: string;
  /** 'in-order' issue, or out of order with a reorder buffer. */
  pipeline: 'in-order' | 'out-of-order';
  /** Micro-ops issued (in order) or dispatched (out of order) per cycle. */
  width: number;
  /** Cycles from a mispredicted branch's issue until the right path is fetched. */
  mispredictPenalty: number;
  /** Reorder-buffer micro-ops (out of order only; a power of two <= 128). */
  rob: number;
  /** Aligned fetch block in bytes (a power of two). */
  fetchBytes: number;
  /** Cycles fetch may run ahead of issue. */
  fetchQueue: number;
  returnStack: number;
  conditionalCounters: number;
  indirectTargets: number;
  /** Counter frequency in Hz: one tick per modelled cycle. */
  frequency: number;
  /** Unit kinds and how many instances of each (at most 16 instances in all). */
  units: Record<string, number>;
  classes: Record<ClassName, ClassCost>;
  /** The source of each parameter above and of the class table. */
  sources: Record<string, Source>;
}

/** The class of operation `op`; `shifted` is the form with a shifted or extended operand (b1 != 0). */
export function classOf(op: number, shifted: boolean): ClassName | null {
  if (op >= O.OP_LDST_FIRST && op <= O.OP_LDST_LAST) {
    const k = (op - O.OP_LDST_FIRST) % O.LDST_KINDS;
    const mode = Math.floor((op - O.OP_LDST_FIRST) / O.LDST_KINDS);
    const store = k < 4;
    if (mode === O.LDST_MODE_REG) return store ? 'storeRegOffset' : 'loadRegOffset';
    if (mode === O.LDST_MODE_PRE || mode === O.LDST_MODE_POST) return store ? 'storeWriteback' : 'loadWriteback';
    return store ? 'store' : 'load';
  }
  if (op >= O.OP_PAIR_FIRST && op <= O.OP_PAIR_LAST) {
    const k = (op - O.OP_PAIR_FIRST) % 5;
    const mode = Math.floor((op - O.OP_PAIR_FIRST) / 5);
    if (k < 2) return mode === 0 ? 'storePair' : 'storePairWriteback';
    if (mode !== 0) return 'loadPairWriteback';
    return k === 4 ? 'loadPairSigned' : 'loadPair';
  }
  // shifted-register forms are slower when the shift is not zero; extended-register forms always
  if (op >= O.OP_AND_X && op <= O.OP_SUBS_W) return shifted ? 'aluShifted' : 'alu';
  if (op >= O.OP_ADDE_X && op <= O.OP_SUBSE_W) return 'aluShifted';
  if (op >= O.OP_ADC_X && op <= O.OP_CSNEG_W) return 'alu';
  if (op >= O.OP_LSLV_X && op <= O.OP_RORV_W) return 'shiftVariable';
  if (op >= O.OP_RBIT_X && op <= O.OP_CLS_W) return 'bitOp';
  switch (op) {
    case O.OP_NOP: return 'nop';
    case O.OP_MOVI: case O.OP_MOVK_X: case O.OP_MOVK_W: case O.OP_ADDI_X: case O.OP_ADDI_W:
    case O.OP_ADDSI_X: case O.OP_ADDSI_W: case O.OP_SUBSI_X: case O.OP_SUBSI_W: case O.OP_ANDI:
    case O.OP_ORRI_X: case O.OP_ORRI_W: case O.OP_EORI_X: case O.OP_EORI_W: case O.OP_ANDSI_X: case O.OP_ANDSI_W:
    case O.OP_MOV_X: case O.OP_MOV_W:
      return 'alu';
    case O.OP_UBFM_X: case O.OP_UBFM_W: case O.OP_SBFM_X: case O.OP_SBFM_W: return 'bitfield';
    case O.OP_BFM_X: case O.OP_BFM_W: return 'bitfieldInsert';
    case O.OP_EXTR_X: case O.OP_EXTR_W: return 'extract';
    case O.OP_CRC32: return 'crc';
    case O.OP_MUL_W: case O.OP_MADD_W: case O.OP_MSUB_W:
    case O.OP_SMADDL: case O.OP_SMSUBL: case O.OP_UMADDL: case O.OP_UMSUBL:
      return 'mulW';
    case O.OP_MUL_X: case O.OP_MADD_X: case O.OP_MSUB_X: return 'mulX';
    case O.OP_SMULH: case O.OP_UMULH: return 'mulHigh';
    case O.OP_UDIV_W: case O.OP_SDIV_W: return 'divW';
    case O.OP_UDIV_X: case O.OP_SDIV_X: return 'divX';
    case O.OP_LDR_LIT_W: case O.OP_LDR_LIT_X: case O.OP_LDRSW_LIT: case O.OP_LDAR: return 'load';
    case O.OP_STLR: return 'store';
    case O.OP_LDXR: return 'loadExclusive';
    case O.OP_LDXP: return 'loadExclusivePair';
    case O.OP_STXR: case O.OP_STXP: return 'storeExclusive';
    case O.OP_CAS: case O.OP_CASP: case O.OP_ATOMIC: return 'atomic';
    case O.OP_B: case O.OP_BCOND: case O.OP_CBZ_X: case O.OP_CBNZ_X: case O.OP_CBZ_W: case O.OP_CBNZ_W:
    case O.OP_TBZ: case O.OP_TBNZ:
      return 'branch';
    case O.OP_BL: return 'call';
    case O.OP_BR: case O.OP_RET: return 'branchReg';
    case O.OP_BLR: return 'callReg';
    case O.OP_SVC: case O.OP_HVC: case O.OP_BRK: case O.OP_HLT: case O.OP_WFI: case O.OP_WFE: case O.OP_SEV:
    case O.OP_CLREX: case O.OP_ISB: case O.OP_SYSTEM: case O.OP_ERET:
      return 'system';
    default: return null;
  }
}
