// The out-of-order model, after the Cortex-A57: three micro-ops dispatched
// per cycle in program order into a 128-entry reorder buffer, issued to the
// pipes as soon as their operands and a pipe are free, retired in order.
// The class costs are LLVM's Cortex-A57 scheduling model
// (llvm/lib/Target/AArch64/AArch64SchedA57.td) as llvm-mca 14 reports them
// (`llvm-mca -mcpu=cortex-a57 -instruction-info`); the front end, which LLVM
// does not model, is patchlab's choice and says so.

import type { CycleModel } from './models.ts';

const LLVM = 'LLVM AArch64SchedA57.td (llvm-mca 14.0.6 -mcpu=cortex-a57)';
const I = [{ unit: 'I', cycles: 1 }];
const M = [{ unit: 'M', cycles: 1 }];
const L = [{ unit: 'L', cycles: 1 }];
const S = [{ unit: 'S', cycles: 1 }];
const B = [{ unit: 'B', cycles: 1 }];
// A multiply's result reaches the next multiply-accumulate's addend two cycles early.
const MAC = { ra: 2 };

export const A57: CycleModel = {
  name: 'a57',
  title: 'out-of-order, 3-wide (Cortex-A57-like)',
  pipeline: 'out-of-order',
  width: 3,
  mispredictPenalty: 16,
  rob: 128,
  fetchBytes: 16,
  fetchQueue: 8,
  returnStack: 16,
  conditionalCounters: 4096,
  indirectTargets: 256,
  frequency: 1_000_000_000,
  units: { B: 1, I: 2, M: 1, L: 1, S: 1, W: 1 },
  classes: {
    nop: { uops: 1, lat: 1, units: [] },
    alu: { uops: 1, lat: 1, units: I },
    aluShifted: { uops: 1, lat: 2, units: M },
    bitfield: { uops: 1, lat: 1, units: I },
    bitfieldInsert: { uops: 1, lat: 2, units: M },
    extract: { uops: 2, lat: 3, units: [{ unit: 'I', cycles: 1 }, { unit: 'M', cycles: 1 }] },
    shiftVariable: { uops: 1, lat: 1, units: I },
    bitOp: { uops: 1, lat: 1, units: I },
    crc: { uops: 1, lat: 3, units: [{ unit: 'W', cycles: 1 }] },
    mulW: { uops: 1, lat: 3, units: M, forwards: true, advance: MAC },
    mulX: { uops: 1, lat: 5, units: M, forwards: true, advance: MAC },
    mulHigh: { uops: 1, lat: 6, units: M, forwards: true },
    // the divider is not pipelined: the M pipe is held for the whole latency
    divW: { uops: 1, lat: 19, units: [{ unit: 'M', cycles: 19 }] },
    divX: { uops: 1, lat: 35, units: [{ unit: 'M', cycles: 35 }] },
    load: { uops: 1, lat: 4, units: L },
    loadRegOffset: { uops: 2, lat: 4, units: [{ unit: 'L', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    loadWriteback: { uops: 2, lat: 4, latBase: 1, units: [{ unit: 'L', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    loadPair: { uops: 2, lat: 4, units: L },
    loadPairSigned: { uops: 4, lat: 5, units: [{ unit: 'L', cycles: 2 }, { unit: 'I', cycles: 1 }] },
    loadPairWriteback: { uops: 3, lat: 4, latBase: 1, units: [{ unit: 'L', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    store: { uops: 1, lat: 1, units: S },
    storeRegOffset: { uops: 2, lat: 1, units: [{ unit: 'S', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    storeWriteback: { uops: 3, lat: 1, latBase: 1, units: [{ unit: 'S', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    storePair: { uops: 2, lat: 2, units: [{ unit: 'S', cycles: 2 }] },
    storePairWriteback: { uops: 4, lat: 2, latBase: 1, units: [{ unit: 'S', cycles: 2 }, { unit: 'I', cycles: 1 }] },
    loadExclusive: { uops: 1, lat: 4, units: L },
    loadExclusivePair: { uops: 2, lat: 4, units: L },
    storeExclusive: { uops: 2, lat: 5, units: [{ unit: 'L', cycles: 1 }, { unit: 'S', cycles: 1 }] },
    // LLVM 14 has no LSE atomics for the A57 (they are Armv8.1); patchlab costs them as a store-exclusive
    atomic: { uops: 2, lat: 5, units: [{ unit: 'L', cycles: 1 }, { unit: 'S', cycles: 1 }] },
    branch: { uops: 1, lat: 1, units: B },
    call: { uops: 2, lat: 1, units: [{ unit: 'B', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    branchReg: { uops: 1, lat: 1, units: B },
    callReg: { uops: 2, lat: 2, units: [{ unit: 'B', cycles: 1 }, { unit: 'I', cycles: 1 }] },
    system: { uops: 1, lat: 1, units: [] },
  },
  sources: {
    width: { from: `${LLVM}: IssueWidth = 3`, kind: 'published' },
    rob: { from: `${LLVM}: MicroOpBufferSize = 128`, kind: 'published' },
    mispredictPenalty: { from: `${LLVM}: MispredictPenalty = 16`, kind: 'published' },
    units: { from: `${LLVM}: A57UnitB, A57UnitI x2, A57UnitM, A57UnitL, A57UnitS, A57UnitW (an FP/ASIMD pipe, where CRC32 runs)`, kind: 'published' },
    classes: { from: `${LLVM}: latencies, micro-ops and unit pressure from llvm-mca -instruction-info`, kind: 'measured' },
    atomic: { from: 'LLVM 14: no LSE atomics on the A57; costed here as STXR', kind: 'chosen' },
    fetchBytes: { from: 'patchlab: one aligned 16-byte block (four instructions) per cycle', kind: 'chosen' },
    fetchQueue: { from: 'patchlab: fetch runs at most 8 cycles ahead of dispatch', kind: 'chosen' },
    conditionalCounters: { from: 'patchlab: gshare, 4096 two-bit counters (no public size for the A57 predictor was found)', kind: 'chosen' },
    indirectTargets: { from: 'patchlab: 256 targets for BR/BLR', kind: 'chosen' },
    returnStack: { from: 'patchlab: 16 entries', kind: 'chosen' },
    frequency: { from: 'patchlab: one counter tick per modelled cycle, 1 GHz', kind: 'chosen' },
  },
};
