// The in-order model, after the Cortex-A53: two micro-ops issued per cycle in
// program order, write-backs in program order, forwarding between the
// integer pipes. The class costs are LLVM's Cortex-A53 scheduling model
// (llvm/lib/Target/AArch64/AArch64SchedA53.td) as llvm-mca 14 reports them
// (`llvm-mca -mcpu=cortex-a53 -instruction-info`, per-instruction latency,
// micro-ops and unit pressure); the front end, which LLVM does not model,
// is patchlab's choice and says so.

import type { CycleModel } from './models.ts';

const LLVM = 'LLVM AArch64SchedA53.td (llvm-mca 14.0.6 -mcpu=cortex-a53)';
const ALU = [{ unit: 'ALU', cycles: 1 }];
const LDST = [{ unit: 'LdSt', cycles: 1 }];
const LDST2 = [{ unit: 'LdSt', cycles: 2 }];
const B = [{ unit: 'B', cycles: 1 }];
// ReadI / ReadISReg / ReadIEReg: integer operands are needed two cycles into
// the ALU pipe, one when they are shifted; MAC operands one, the accumulator
// two; divide operands one. Only integer producers forward (WriteImm, WriteI,
// WriteIS, WriteISReg, WriteIEReg, WriteIM, WriteID).
const READ_I = { rn: 2, rm: 2, rd: 2 };

export const A53: CycleModel = {
  name: 'a53',
  title: 'in-order, dual issue (Cortex-A53-like)',
  pipeline: 'in-order',
  width: 2,
  mispredictPenalty: 9,
  rob: 0,
  fetchBytes: 8,
  fetchQueue: 4,
  returnStack: 8,
  conditionalCounters: 4096,
  indirectTargets: 256,
  frequency: 1_000_000_000,
  units: { ALU: 2, MAC: 1, DIV: 1, LdSt: 1, B: 1 },
  classes: {
    nop: { uops: 1, lat: 1, units: B },
    alu: { uops: 1, lat: 3, units: ALU, forwards: true, advance: READ_I },
    aluShifted: { uops: 1, lat: 3, units: ALU, forwards: true, advance: { rn: 2, rm: 1 } },
    bitfield: { uops: 1, lat: 2, units: ALU, forwards: true, advance: READ_I },
    bitfieldInsert: { uops: 1, lat: 2, units: ALU, forwards: true, advance: READ_I },
    // WriteExtr is not among the forwarding producers; the high operand (rn, ReadExtrHi) is not read early
    extract: { uops: 1, lat: 3, units: ALU, advance: { rn: 0, rm: 2 } },
    shiftVariable: { uops: 1, lat: 2, units: ALU, forwards: true, advance: READ_I },
    bitOp: { uops: 1, lat: 3, units: ALU, forwards: true, advance: READ_I },
    crc: { uops: 1, lat: 3, units: ALU, forwards: true, advance: READ_I },
    mulW: { uops: 1, lat: 4, units: [{ unit: 'MAC', cycles: 1 }], forwards: true, advance: { rn: 1, rm: 1, ra: 2 } },
    mulX: { uops: 1, lat: 4, units: [{ unit: 'MAC', cycles: 1 }], forwards: true, advance: { rn: 1, rm: 1, ra: 2 } },
    mulHigh: { uops: 1, lat: 4, units: [{ unit: 'MAC', cycles: 1 }], forwards: true, advance: { rn: 1, rm: 1 } },
    divW: { uops: 1, lat: 4, units: [{ unit: 'DIV', cycles: 1 }], forwards: true, advance: { rn: 1, rm: 1 } },
    divX: { uops: 1, lat: 4, units: [{ unit: 'DIV', cycles: 1 }], forwards: true, advance: { rn: 1, rm: 1 } },
    load: { uops: 1, lat: 4, units: LDST },
    loadRegOffset: { uops: 1, lat: 4, units: LDST },
    // WriteAdr: the written-back base has latency 0
    loadWriteback: { uops: 2, lat: 4, latBase: 0, units: LDST },
    loadPair: { uops: 2, lat: 4, units: LDST2 },
    loadPairSigned: { uops: 2, lat: 4, units: LDST2 },
    loadPairWriteback: { uops: 3, lat: 4, latBase: 0, units: LDST2 },
    store: { uops: 1, lat: 4, units: LDST },
    storeRegOffset: { uops: 1, lat: 4, units: LDST },
    storeWriteback: { uops: 2, lat: 4, latBase: 0, units: LDST },
    storePair: { uops: 1, lat: 4, units: LDST },
    storePairWriteback: { uops: 2, lat: 4, latBase: 0, units: LDST },
    loadExclusive: { uops: 1, lat: 4, units: LDST },
    loadExclusivePair: { uops: 2, lat: 4, units: LDST2 },
    storeExclusive: { uops: 2, lat: 8, units: LDST2 },
    // LLVM marks the LSE atomics unsupported on the A53; patchlab costs them as a store-exclusive
    atomic: { uops: 2, lat: 8, units: LDST2 },
    branch: { uops: 1, lat: 1, units: B },
    call: { uops: 1, lat: 1, units: B },
    branchReg: { uops: 1, lat: 1, units: B },
    callReg: { uops: 1, lat: 1, units: B },
    system: { uops: 1, lat: 1, units: B },
  },
  sources: {
    width: { from: `${LLVM}: IssueWidth = 2`, kind: 'published' },
    mispredictPenalty: { from: `${LLVM}: MispredictPenalty = 9 (from the Cortex-A53 Software Optimisation Specification)`, kind: 'published' },
    units: { from: `${LLVM}: A53UnitALU x2, MAC, Div, LdSt, B`, kind: 'published' },
    classes: { from: `${LLVM}: WriteRes latencies and ReadAdvance; micro-ops and unit cycles from llvm-mca -instruction-info`, kind: 'measured' },
    atomic: { from: 'LLVM: WriteAtomic unsupported on the A53; costed here as STXR', kind: 'chosen' },
    fetchBytes: { from: 'patchlab: one aligned 8-byte block (two instructions) per cycle, as wide as issue', kind: 'chosen' },
    fetchQueue: { from: 'patchlab: fetch runs at most 4 cycles ahead of issue', kind: 'chosen' },
    conditionalCounters: { from: 'patchlab: gshare, 4096 two-bit counters (no public size for the A53 predictor was found)', kind: 'chosen' },
    indirectTargets: { from: 'patchlab: 256 targets for BR/BLR', kind: 'chosen' },
    returnStack: { from: 'patchlab: 8 entries', kind: 'chosen' },
    frequency: { from: 'patchlab: one counter tick per modelled cycle, 1 GHz (as the fixed Armv8.6 counter frequency)', kind: 'chosen' },
  },
};
