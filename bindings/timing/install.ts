// Puts a cycle model into a CPU's timing area (assembly/timing-layout.ts):
// parameters, the roles and class of every operation, the class records;
// zeroes the running state, and sets C_TIMING, C_CYCLES and CNTFRQ. Called
// after every CPU reset (which clears the CPU block).

import * as L from '../../assembly/layout.ts';
import * as O from '../../assembly/ops.ts';
import * as T from '../../assembly/timing-layout.ts';
import { ConfigError } from '../core.ts';
import { classOf, type ClassCost, type CycleModel, type TimingName } from './models.ts';
import { rolesOf } from './roles.ts';
import { A53 } from './a53.ts';
import { A57 } from './a57.ts';

export const MODELS: Record<Exclude<TimingName, 'none'>, CycleModel> = { a53: A53, a57: A57 };

/** A model name or parameter the timing area cannot take (a ConfigError: nothing is built). */
export class TimingError extends ConfigError {
  override name = 'TimingError';
}

/** The model named `name`; null for 'none'. TimingError for any other name. */
export function modelNamed(name: string): CycleModel | null {
  if (name === 'none') return null;
  const m = (MODELS as Record<string, CycleModel>)[name];
  if (!m) throw new TimingError(`unknown timing model '${name}' (none, ${Object.keys(MODELS).join(', ')})`);
  return m;
}

const pow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** One class record as the core reads it, for an operation with roles `roles`. */
function record(cost: ClassCost, roles: number, unitKind: Map<string, number>): Uint8Array {
  const r = new Uint8Array(T.TMC_SIZE);
  const latBase = cost.latBase ?? cost.lat;
  const latFlags = cost.latFlags ?? cost.lat;
  const latLink = cost.latLink ?? cost.lat;
  const written: number[] = [];
  if (roles & (T.ROLE_WRITE_RD | T.ROLE_WRITE_RA | T.ROLE_WRITE_RM)) written.push(cost.lat);
  if (roles & T.ROLE_WRITE_RN) written.push(latBase);
  if (roles & T.ROLE_WRITE_NZCV) written.push(latFlags);
  if (roles & T.ROLE_WRITE_LR) written.push(latLink);
  const latMax = Math.max(cost.lat, ...written);
  r[T.TMC_UOPS] = cost.uops;
  r[T.TMC_LAT] = cost.lat;
  r[T.TMC_LAT_BASE] = latBase;
  r[T.TMC_LAT_FLAGS] = latFlags;
  r[T.TMC_LAT_LR] = latLink;
  r[T.TMC_GROUP] = cost.forwards ? 1 : 0;
  // an instruction that writes no register first writes back at its own latency
  r[T.TMC_FIRST_WB] = Math.min(latMax, ...written);
  r[T.TMC_LAT_MAX] = latMax;
  if (cost.units.length > 3) throw new TimingError('a class may use at most 3 unit kinds');
  for (let u = 0; u < 3; u++) {
    const use = cost.units[u];
    r[T.TMC_UNITS + 2 * u] = use ? unitKind.get(use.unit)! : T.TMC_NO_UNIT;
    r[T.TMC_UNITS + 2 * u + 1] = use ? use.cycles : 0;
  }
  r[T.TMC_ADV_N] = cost.advance?.rn ?? 0;
  r[T.TMC_ADV_M] = cost.advance?.rm ?? 0;
  r[T.TMC_ADV_A] = cost.advance?.ra ?? 0;
  r[T.TMC_ADV_D] = cost.advance?.rd ?? 0;
  return r;
}

/** Checks a model's parameters against what the timing area holds. TimingError when one does not fit. */
export function checkModel(m: CycleModel): void {
  const bad = (what: string): never => { throw new TimingError(`timing model ${m.name}: ${what}`); };
  if (!Number.isInteger(m.width) || m.width < 1 || m.width > 8) bad(`width ${m.width} is not 1..8`);
  if (m.pipeline === 'out-of-order' && (!pow2(m.rob) || m.rob > T.TM_ROB_MAX)) bad(`reorder buffer ${m.rob} is not a power of two <= ${T.TM_ROB_MAX}`);
  if (!pow2(m.fetchBytes) || m.fetchBytes < 4) bad(`fetch block ${m.fetchBytes} is not a power of two >= 4`);
  if (!pow2(m.returnStack) || m.returnStack > T.TM_RAS_MAX) bad(`return stack ${m.returnStack} is not a power of two <= ${T.TM_RAS_MAX}`);
  if (!pow2(m.conditionalCounters) || m.conditionalCounters > T.TM_BHT_MAX) bad(`conditional counters ${m.conditionalCounters} is not a power of two <= ${T.TM_BHT_MAX}`);
  if (!pow2(m.indirectTargets) || m.indirectTargets > T.TM_BTB_MAX) bad(`indirect targets ${m.indirectTargets} is not a power of two <= ${T.TM_BTB_MAX}`);
  const instances = Object.values(m.units).reduce((a, b) => a + b, 0);
  if (instances > T.TM_UNITS_MAX) bad(`${instances} unit instances, more than ${T.TM_UNITS_MAX}`);
  // the in-order model's block memos keep fetch and ready cycles relative to the clock in a byte (assembly/timing-memo.ts)
  if (!Number.isInteger(m.fetchQueue) || m.fetchQueue < 0 || m.fetchQueue > 127) bad(`fetch queue ${m.fetchQueue} is not 0..127 cycles`);
  for (const [name, c] of Object.entries(m.classes)) {
    if (c.uops < 1 || c.uops > 8) bad(`class ${name}: ${c.uops} micro-ops`);
    for (const lat of [c.lat, c.latBase, c.latFlags, c.latLink]) {
      if (lat !== undefined && (!Number.isInteger(lat) || lat < 0 || lat > 127)) bad(`class ${name}: latency ${lat} is not 0..127 cycles`);
    }
    for (const u of c.units) {
      if (!(u.unit in m.units)) bad(`class ${name} uses unit ${u.unit}, which the model does not have`);
      if (!Number.isInteger(u.cycles) || u.cycles < 1 || u.cycles > 64) bad(`class ${name} holds ${u.unit} ${u.cycles} cycles`);
    }
  }
}

/**
 * The first bytes of the timing area for model `m` (parameters, tables,
 * zeroed state, up to the block memos' TM_NSTATES); the rest of the area
 * starts zeroed.
 */
export function timingArea(m: CycleModel): Uint8Array {
  checkModel(m);
  const area = new Uint8Array(T.TM_NSTATES);
  const dv = new DataView(area.buffer);
  dv.setUint32(T.TM_WIDTH, m.width, true);
  dv.setUint32(T.TM_PENALTY, m.mispredictPenalty, true);
  dv.setUint32(T.TM_ROB, m.pipeline === 'out-of-order' ? m.rob : 0, true);
  dv.setUint32(T.TM_FSHIFT, Math.log2(m.fetchBytes), true);
  dv.setUint32(T.TM_FQUEUE, m.fetchQueue, true);
  dv.setUint32(T.TM_RASN, m.returnStack, true);
  dv.setUint32(T.TM_BHTMASK, m.conditionalCounters - 1, true);
  dv.setUint32(T.TM_BTBMASK, m.indirectTargets - 1, true);
  const unitKind = new Map<string, number>();
  let inst = 0;
  for (const [name, count] of Object.entries(m.units)) {
    area[T.TM_UNIT_FIRST + unitKind.size] = inst;
    area[T.TM_UNIT_COUNT + unitKind.size] = count;
    unitKind.set(name, unitKind.size);
    inst += count;
  }
  // class records, one per distinct (cost, written latencies), shared by the operations that have them
  const records: string[] = [];
  for (let op = 0; op < O.OP_COUNT; op++) {
    const roles = rolesOf(op);
    dv.setUint32(T.TM_ROLES + 4 * op, roles, true);
    for (const shifted of [false, true]) {
      const cls = classOf(op, shifted);
      if (cls === null) continue; // UNDEF: it never runs
      const r = record(m.classes[cls], roles, unitKind);
      const key = r.join(',');
      let idx = records.indexOf(key);
      if (idx < 0) {
        idx = records.length;
        if (idx >= T.TM_CLASS_MAX) throw new TimingError(`timing model ${m.name}: more than ${T.TM_CLASS_MAX} class records`);
        records.push(key);
        area.set(r, T.TM_CLASSES + idx * T.TMC_SIZE);
      }
      area[T.TM_CLASS + 2 * op + (shifted ? 1 : 0)] = idx;
    }
  }
  dv.setBigUint64(T.TM_LIMIT, 0xffffffffffffffffn, true);
  dv.setBigUint64(T.TM_TLIMIT, 0xffffffffffffffffn, true);
  dv.setBigUint64(T.TM_LASTPC, 0xfffffffffffffff0n, true); // no previous instruction: the first fetch opens a block
  return area;
}

/**
 * Installs model `m` (null: none) on CPU `cpu`: its timing area, C_TIMING,
 * a zero cycle count, no host stop and, under a model, CNTFRQ at the model's
 * frequency.
 */
export function installTiming(memory: WebAssembly.Memory, cpu: number, m: CycleModel | null): void {
  const st = L.CPU_BASE + cpu * L.CPU_STRIDE;
  const dv = new DataView(memory.buffer);
  dv.setUint32(st + L.C_TIMING, m === null ? T.TIMING_NONE : m.pipeline === 'in-order' ? T.TIMING_IN_ORDER : T.TIMING_OUT_OF_ORDER, true);
  dv.setBigUint64(st + L.C_CYCLES, 0n, true);
  dv.setBigUint64(st + L.C_CYCLE_STOP, 0xffffffffffffffffn, true);
  if (m === null) return;
  dv.setBigUint64(st + L.C_CNTFRQ, BigInt(m.frequency), true);
  const area = new Uint8Array(memory.buffer, L.CACHE_BASE + cpu * L.CACHE_BYTES + L.TM_OFFSET, T.TM_BYTES);
  area.fill(0);
  area.set(timingArea(m));
}

/** What a CPU's model counted: cycles and the predictor's checks. */
export interface TimingCounts {
  cycles: bigint;
  branches: bigint;
  mispredicts: bigint;
  /** Exceptions and system instructions that sent the fetch elsewhere. */
  flushes: bigint;
}

export function timingCounts(memory: WebAssembly.Memory, cpu: number): TimingCounts {
  const dv = new DataView(memory.buffer);
  const tm = L.CACHE_BASE + cpu * L.CACHE_BYTES + L.TM_OFFSET;
  return {
    cycles: dv.getBigUint64(L.CPU_BASE + cpu * L.CPU_STRIDE + L.C_CYCLES, true),
    branches: dv.getBigUint64(tm + T.TM_BRANCHES, true),
    mispredicts: dv.getBigUint64(tm + T.TM_MISSES, true),
    flushes: dv.getBigUint64(tm + T.TM_FLUSHES, true),
  };
}

/** What a CPU's block memos did (assembly/timing-memo.ts): blocks ticked in full, and states canonicalized from the area. */
export interface MemoCounts {
  misses: bigint;
  canons: bigint;
}

export function memoCounts(memory: WebAssembly.Memory, cpu: number): MemoCounts {
  const dv = new DataView(memory.buffer);
  const tm = L.CACHE_BASE + cpu * L.CACHE_BYTES + L.TM_OFFSET;
  return { misses: dv.getBigUint64(tm + T.TM_MEMO_MISSES, true), canons: dv.getBigUint64(tm + T.TM_MEMO_CANONS, true) };
}
