// What the translator knows of a CPU's cycle model: the view of its timing
// area (the parameters the translated predictor and block memos are built
// from, with a key that tells two models apart), and the core's timing calls
// a region imports.

import * as L from '../../assembly/layout.ts';
import * as T from '../../assembly/timing-layout.ts';
import { I32, I64, Op, type Code } from './wasm.ts';

/** What the translator reads of a CPU's timing area (bindings/timing/install.ts wrote it). */
export interface TimingView {
  /** Mispredict penalty, conditional-counter mask, indirect-target buffer mask, return-stack entries. */
  penalty: number;
  bhtMask: number;
  btbMask: number;
  rasN: number;
  /** Cycles fetch may run ahead of issue (the memo key's redirect code is relative to it). */
  fqueue: number;
  /** Operand roles of each operation (the kind of branch an instruction is). */
  roles: Uint32Array;
  /** Equal for two CPUs whose models are the same (a translation is reused only under the same model). */
  key: string;
}

/** The timing view of CPU `cpu`, or null when it has no model. */
export function readTimingView(buf: ArrayBuffer, cpu: number): TimingView | null {
  const dv = new DataView(buf);
  const st = L.CPU_BASE + cpu * L.CPU_STRIDE;
  const mode = dv.getUint32(st + L.C_TIMING, true);
  if (mode === T.TIMING_NONE) return null;
  const tm = L.CACHE_BASE + cpu * L.CACHE_BYTES + L.TM_OFFSET;
  const u8 = new Uint8Array(buf);
  const v: TimingView = {
    penalty: dv.getUint32(tm + T.TM_PENALTY, true),
    bhtMask: dv.getUint32(tm + T.TM_BHTMASK, true),
    btbMask: dv.getUint32(tm + T.TM_BTBMASK, true),
    rasN: dv.getUint32(tm + T.TM_RASN, true),
    fqueue: dv.getUint32(tm + T.TM_FQUEUE, true),
    roles: new Uint32Array(u8.slice(tm + T.TM_ROLES, tm + T.TM_ROLES + 1024).buffer),
    key: '',
  };
  // FNV-1a over the mode and all the model's parameter and table bytes
  let h = 0x811c9dc5 ^ mode;
  const hash = (a: Uint8Array) => { for (let k = 0; k < a.length; k++) h = Math.imul(h ^ a[k]!, 0x01000193); };
  hash(u8.subarray(tm + T.TM_WIDTH, tm + T.TM_UNIT_COUNT + T.TM_UNITS_MAX));
  hash(u8.subarray(tm + T.TM_ROLES, tm + T.TM_CLASSES + T.TM_CLASS_MAX * T.TMC_SIZE));
  v.key = `${mode}:${(h >>> 0).toString(16)}`;
  return v;
}

/**
 * The core's timing calls a region imports (assembly/timing.ts and
 * timing-memo.ts; index.ts exports them under `core`'s name).
 */
export const TIMING_IMPORTS = [
  { name: 'tm_resolve', core: 'tmResolve', params: [I32, I32, I64], results: [] }, //              resolve(tm, kind, pc)
  { name: 'tm_predict', core: 'tmPredict', params: [I32, I64, I32, I32, I64, I64], results: [] }, // predict(tm, pc, kind, op, target, t)
  { name: 'tm_tick_word', core: 'tmTickWord', params: [I32, I32, I32, I64, I32], results: [I32] }, // tmTickWord(st, tm, word, pc, last)
  { name: 'tm_canon', core: 'tmCanon', params: [I32, I64], results: [I32] }, //                    tmCanon(tm, clk)
  { name: 'tm_materialize', core: 'tmMaterialize', params: [I32, I32, I64], results: [] }, //     tmMaterialize(tm, id, clk)
  { name: 'tm_end', core: 'tmEnd', params: [I32, I64, I32, I32, I32, I64], results: [I32] }, //    tmEnd(tm, clk, block, s0, r, clk0)
] as const;

/** The core's exports behind TIMING_IMPORTS. */
export type TimingCore = { [K in (typeof TIMING_IMPORTS)[number]['core']]: Function };

/** Function indices of the timing imports in the region's module. */
export interface TimingFns {
  resolve: number; predict: number; tickWord: number; canon: number; materialize: number; end: number;
}

/** Sets i32 local `tm` to the timing area of the CPU whose state block is in i32 local `st`. */
export function setTimingArea(c: Code, st: number, tm: number): void {
  c.get(st).mem('i32_load', L.C_CPU_INDEX).i32(L.CACHE_BYTES).op(Op.i32_mul).i32(L.CACHE_BASE + L.TM_OFFSET).op(Op.i32_add).set(tm);
}
