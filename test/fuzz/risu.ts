// Random differential testing of the integer core against qemu-aarch64, in the
// spirit of risu: random blocks of valid instructions drawn from the encoding
// table run on both from the same seeded state, and the states they leave
// (registers, flags, TPIDR_EL0, a memory window) are compared.
//
// One ELF holds many blocks. Each block owns a record in the data segment:
//
//   +0    register area (REGS_BYTES): x0..x30, sp, nzcv, tpidr_el0 as u64,
//         holding the seeds when the program starts and the results after
//         the block ran
//   +320  the memory window (WIN_BYTES), seeded bytes the block may access
//
// for each of its runs (RUNS, each with its own seeds), and runs as
//
//             x29 = the block's first record
//   loop:
//   prologue  sp, nzcv, tpidr_el0, x0..x28, x30 from the record at x29;
//             clrex (no exclusive reservation survives from earlier code)
//   body      the random instructions
//   epilogue  registers, sp, nzcv, tpidr_el0 back to the record;
//             write(1, record, REC_BYTES);
//             x29 += REC_BYTES and back to loop until every run is done
//
// and the program ends with exit(0). The output is the sequence of records,
// one per run that completed. Running the same code again with other values
// checks the core's decoded-instruction cache as well as its decoder.
//
// Rules that keep every block deterministic, valid and inside its window:
//
// - Reserved registers: x28 holds the middle of the window, x27 a small
//   signed index (-40..40), x29 the record address. The body never writes
//   them; it may read them as ordinary operands. Every other register,
//   x30 and SP included, is seeded and may be written (SP only through the
//   encodings where register 31 means SP, or as a base register prepared by
//   the block). BL/BLR write x30 like any other destination.
// - Memory: every load, store, exclusive, atomic and DC ZVA touches only the
//   block's window. A memory instruction is preceded (in the same unit, see
//   below) by instructions that put a base address into a temporary register
//   or SP (ADD/SUB from x28), or uses x28 itself; offsets and indexes are
//   chosen so that every byte accessed is in the window. Register-offset
//   forms use x27, XZR or a temporary index set by MOVZ/MOVN (with garbage
//   in the upper half for the W-extended forms). A base in SP is 16-byte
//   aligned (Linux sets SCTLR_EL1.SA0). Prefetches may use any address.
// - Alignment: exclusives, load-acquire/store-release, CAS/CASP and LSE
//   atomics use addresses aligned to their access size (pairs: to the size of
//   the pair); other accesses may be unaligned.
// - CONSTRAINED UNPREDICTABLE cases are never generated: writeback with Rt
//   (or Rt2) equal to the base, LDP/LDNP/LDXP with Rt == Rt2, STXR/STXP with
//   the status register equal to a data register or the base, CASP with odd
//   registers (the table's undef rules), and a store-exclusive whose address
//   or size differs from the reservation: a store-exclusive comes either
//   right after a load-exclusive of the same size from the same base (with
//   at most two register-only instructions between them, so it may succeed)
//   or right after CLREX or another store-exclusive (so it fails).
// - CAS and CASP are often preceded by a load of the compared registers from
//   the same address, so that they succeed.
// - Branches only go forward and stay in the block (the epilogue counts as
//   in the block): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, and ADR + BR/BLR/RET.
//   A block is a list of units (one table instruction with the instructions
//   preparing its operands); branch targets are unit boundaries, so a branch
//   never skips half of a unit.
// - Never generated: SVC/HVC/SMC/BRK/HLT/DCPS, ERET/DRPS, WFE/WFI, MSR
//   (immediate), SYSL, SB (the qemu CPU model lacks it), system registers
//   other than NZCV and TPIDR_EL0 (identification registers and counters
//   differ between implementations), SYS operations other than DC ZVA,
//   DC CVAU/CVAC/CIVAC and IC IVAU, and the table's unimpl rows.
//
// qemu runs with -cpu neoverse-n1: ARMv8.2 with LSE, a 64-byte DC ZVA block
// like the core's DCZID_EL0, and no pointer authentication (so the PAC hints
// are NOPs there as they are in the core). The `max` model that
// test/util/qemu.ts runs has 512-byte DC ZVA blocks and PAC hints that change
// x17/x30, so this file starts qemu itself.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECTIONS } from '../../bindings/isa/encodings.ts';
import { ROW_BY_ID, ROWS, encodeFields, findRow, type Fields, type Row } from '../../bindings/isa/pattern.ts';
import { randomFields } from '../../bindings/isa/random.ts';
import { disassemble } from '../../bindings/isa/disasm.ts';
import { writeElf, type WriteSymbol } from '../../bindings/elf/index.ts';
import { runUserProgram } from '../../bindings/user/run.ts';
import { QEMU_BIN } from '../util/qemu.ts';
import { Rng } from './rng.ts';

// ---- layout -------------------------------------------------------------------

export const CODE_BASE = 0x400000;
export const DATA_BASE = 0x800000;
export const REGS_BYTES = 320;
export const WIN_BYTES = 512;
export const REC_BYTES = REGS_BYTES + WIN_BYTES;
const MID = WIN_BYTES / 2; //           x28 = window + MID
const OFF_SP = 31 * 8;
const OFF_NZCV = 32 * 8;
const OFF_TPIDR = 33 * 8;
export const STATE_REGS = 34; //         x0..x30, sp, nzcv, tpidr_el0
export const STATE_NAMES = [...Array.from({ length: 31 }, (_, i) => `x${i}`), 'sp', 'nzcv', 'tpidr_el0'];
const PAD_WORDS = 256; //                filler words before and after the code (literal loads may read them)
export const MAX_PER_ELF = 2000;
/** Runs of each block, with different seeds. */
export const RUNS = 2;
export const QEMU_CPU_MODEL = 'neoverse-n1';
const USER_RAM = 64 << 20;

const R_IDX = 27;
const R_WIN = 28;
const R_REC = 29;
const RESERVED = new Set([R_IDX, R_WIN, R_REC]);
/** Registers the body may write. */
const GP = [...Array.from({ length: 27 }, (_, i) => i), 30];

// ---- encoding helpers -----------------------------------------------------------

function row(id: string): Row {
  const r = ROW_BY_ID.get(id);
  if (!r) throw new Error(`risu: no table row ${id}`);
  return r;
}
const enc = (id: string, f: Fields): number => encodeFields(row(id), f);
const fixedField = (r: Row, name: string): number => {
  const f = r.fields.find((x) => x.name === name);
  if (!f || f.fixed === undefined) throw new Error(`risu: ${r.id} has no fixed field ${name}`);
  return f.fixed;
};

const SR_NZCV = { o0: 1, op1: 3, CRn: 4, CRm: 2, op2: 0 };
const SR_TPIDR = { o0: 1, op1: 3, CRn: 13, CRm: 0, op2: 2 };

const H = {
  movz: (rd: number, imm16: number, hw = 0): number => enc('MOVZ', { sf: 1, hw, imm16, Rd: rd }),
  movk: (rd: number, imm16: number, hw: number): number => enc('MOVK', { sf: 1, hw, imm16, Rd: rd }),
  movn: (rd: number, imm16: number): number => enc('MOVN', { sf: 1, hw: 0, imm16, Rd: rd }),
  add: (rd: number, rn: number, imm12: number, sh = 0): number => enc('ADD_imm', { sf: 1, sh, imm12, Rn: rn, Rd: rd }),
  sub: (rd: number, rn: number, imm12: number, sh = 0): number => enc('SUB_imm', { sf: 1, sh, imm12, Rn: rn, Rd: rd }),
  ldr: (rt: number, rn: number, off: number): number => enc('uimm_11_01', { imm12: off / 8, Rn: rn, Rt: rt }),
  str: (rt: number, rn: number, off: number): number => enc('uimm_11_00', { imm12: off / 8, Rn: rn, Rt: rt }),
  ldp: (rt: number, rt2: number, rn: number, off: number): number =>
    enc('LDP_x_off', { imm7: (off / 8) & 0x7f, Rt2: rt2, Rn: rn, Rt: rt }),
  stp: (rt: number, rt2: number, rn: number, off: number): number =>
    enc('STP_x_off', { imm7: (off / 8) & 0x7f, Rt2: rt2, Rn: rn, Rt: rt }),
  mrs: (rt: number, sr: Fields): number => enc('MRS', { ...sr, Rt: rt }),
  msr: (sr: Fields, rt: number): number => enc('MSR_reg', { ...sr, Rt: rt }),
  clrex: (): number => enc('CLREX', { CRm: 15 }),
  svc: (): number => enc('SVC', { imm16: 0 }),
};

// ---- blocks ---------------------------------------------------------------------

interface BranchFixup {
  at: number; //     index of the word to patch in its unit
  ahead: number; //  target: this many units further (clamped to the end of the block)
  kind: 'imm26' | 'imm19' | 'imm14' | 'adr';
  row: Row;
  fields: Fields;
}

interface Unit {
  words: number[];
  /** The table row the unit was drawn for. */
  main: string;
  branch?: BranchFixup;
}

export interface Block {
  seed: number;
  index: number;
  /** The body's words. */
  words: number[];
  /** The rows the units were drawn for (one per unit). */
  mains: string[];
  /**
   * Seeds of each run: x0..x30 (x28 and x29 are set from the record
   * address), sp, nzcv, tpidr_el0, and the window.
   */
  inputs: BlockState[];
}

const asU64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const BOUNDARIES: bigint[] = [
  0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xffffffff80000000n,
  0xffffffff7fffffffn, 0x00000000ffff0000n, 0x8000000080000000n, 0x0123456789abcdefn,
];

function seedValue(rng: Rng): bigint {
  switch (rng.below(12)) {
    case 0: return BigInt(rng.below(17));
    case 1: return asU64(-BigInt(1 + rng.below(16)));
    case 2:
    case 3: return rng.pick(BOUNDARIES);
    case 4: return BigInt(rng.u32());
    case 5: return asU64(BigInt(rng.u32() | 0));
    case 6: return asU64((1n << BigInt(rng.below(64))) + BigInt(rng.range(-1, 1)));
    case 7: return BigInt(rng.below(130));
    default: return rng.u64();
  }
}

class Gen {
  readonly units: Unit[] = [];
  readonly x27: number;
  constructor(readonly rng: Rng) {
    this.x27 = rng.range(-40, 40);
  }

  /** A destination register: any the body may write, sometimes 31 (XZR or SP). */
  dest(avoid: readonly number[] = [], allow31 = true): number {
    for (;;) {
      const r = allow31 && this.rng.bool(0.1) ? 31 : this.rng.pick(GP);
      if (!avoid.includes(r)) return r;
    }
  }
  /** Any register number as a source. */
  src(avoid: readonly number[] = []): number {
    for (;;) {
      const r = this.rng.below(32);
      if (!avoid.includes(r)) return r;
    }
  }
  temp(avoid: readonly number[] = []): number {
    return this.dest(avoid, false);
  }
  fields(r: Row, accept?: (f: Fields) => boolean): Fields {
    return randomFields(r, () => this.rng.u32(), accept);
  }
}

// Which register fields of a row are written (must avoid the reserved ones).
const writesRd = (f: Fields): boolean => f.Rd === undefined || f.Rd === 31 || !RESERVED.has(f.Rd);

// ---- data processing --------------------------------------------------------------

function genDp(g: Gen, r: Row): Unit {
  const f = g.fields(r, writesRd);
  return { words: [encodeFields(r, f)], main: r.id };
}

const FILLER_ROWS = ['ADD_imm', 'SUB_imm', 'EOR_reg', 'ORR_reg', 'MOVZ', 'MOVK', 'MADD', 'CSEL', 'UBFM', 'ADDS_shift', 'EXTR'];

/** A register-only instruction whose destination is not in `avoid` (nor 31). */
function filler(g: Gen, avoid: readonly number[]): number {
  const r = row(g.rng.pick(FILLER_ROWS));
  return encodeFields(r, g.fields(r, (f) => f.Rd !== 31 && !RESERVED.has(f.Rd) && !avoid.includes(f.Rd)));
}

// ---- branches ---------------------------------------------------------------------

function ahead(g: Gen): number {
  return g.rng.weighted([[1, 3], [2, 3], [3, 2], [4, 1], [6, 1], [100, 1]]);
}

function genBranch(g: Gen, r: Row): Unit {
  let kind: BranchFixup['kind'];
  let f: Fields;
  if (r.pd === 'branch_imm') {
    kind = 'imm26';
    f = {};
  } else if (r.pd === 'bcond') {
    kind = 'imm19';
    f = { cond: g.rng.below(16) };
  } else if (r.pd === 'cbz') {
    kind = 'imm19';
    f = { sf: g.rng.below(2), Rt: g.src() };
  } else {
    kind = 'imm14';
    f = { b5: g.rng.below(2), b40: g.rng.below(32), Rt: g.src() };
  }
  return { words: [0], main: r.id, branch: { at: 0, ahead: ahead(g), kind, row: r, fields: f } };
}

/** ADR xT, target; BR/BLR/RET xT. */
function genBranchReg(g: Gen, r: Row): Unit {
  const t = g.temp();
  const w = encodeFields(r, { Rn: t });
  return { words: [0, w], main: r.id, branch: { at: 0, ahead: ahead(g), kind: 'adr', row: row('ADR'), fields: { Rd: t } } };
}

// ---- system -----------------------------------------------------------------------

// (CRm, op2) of every hint except WFE and WFI.
const HINTS: [number, number][] = [];
for (let n = 0; n < 128; n++) if (n !== 2 && n !== 3) HINTS.push([n >> 3, n & 7]);

function genHint(g: Gen, r: Row): Unit {
  // the named hints (NOP, YIELD, SEV, SEVL) half of the time, any other the rest
  const [CRm, op2] = g.rng.bool() ? [0, g.rng.pick([0, 1, 4, 5])] : g.rng.pick(HINTS);
  const w = encodeFields(row('HINT'), { CRm, op2 });
  return { words: [w], main: findRow(w)?.id ?? r.id };
}

function genBarrier(g: Gen, r: Row): Unit {
  return { words: [encodeFields(r, { CRm: g.rng.below(16) })], main: r.id };
}

function genSysreg(g: Gen, r: Row): Unit {
  const sr = g.rng.bool() ? SR_NZCV : SR_TPIDR;
  const rt = r.id === 'MRS' ? g.dest() : g.src();
  return { words: [encodeFields(r, { ...sr, Rt: rt })], main: r.id };
}

// DC ZVA, DC CVAC, DC CVAU, DC CIVAC, IC IVAU: (op1, CRn, CRm, op2)
const SYS_OPS: [string, Fields][] = [
  ['dc zva', { op1: 3, CRn: 7, CRm: 4, op2: 1 }],
  ['dc cvac', { op1: 3, CRn: 7, CRm: 10, op2: 1 }],
  ['dc cvau', { op1: 3, CRn: 7, CRm: 11, op2: 1 }],
  ['dc civac', { op1: 3, CRn: 7, CRm: 14, op2: 1 }],
  ['ic ivau', { op1: 3, CRn: 7, CRm: 5, op2: 1 }],
];

function genSys(g: Gen, r: Row): Unit {
  const [, op] = g.rng.weighted([[SYS_OPS[0], 3], [SYS_OPS[1], 1], [SYS_OPS[2], 1], [SYS_OPS[3], 1], [SYS_OPS[4], 1]]);
  const u: Unit = { words: [], main: r.id };
  const p = place(g, 1, 1, { min: 0, max: 0, step: 1 }, ['x28', 'temp']);
  const b = emitBase(g, u, p, []);
  u.words.push(encodeFields(r, { ...op, Rt: b }));
  return u;
}

// ---- memory -----------------------------------------------------------------------

interface Range { min: number; max: number; step: number }
type BaseKind = 'x28' | 'temp' | 'sp';
/** Where an access goes: base and address relative to the window. */
interface Placement { kind: BaseKind; base: number; off: number; a: number }

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;
const ceilTo = (v: number, m: number): number => Math.ceil(v / m) * m;
const floorTo = (v: number, m: number): number => Math.floor(v / m) * m;

/** A random multiple of `step` in [lo, hi], or null. */
function multipleIn(g: Gen, lo: number, hi: number, step: number): number | null {
  const a = ceilTo(lo, step);
  const b = floorTo(hi, step);
  if (a > b) return null;
  const n = (b - a) / step;
  // the ends a fifth of the time each side, to probe the edges
  const x = g.rng.below(10);
  if (x === 0) return a;
  if (x === 1) return b;
  return a + step * g.rng.range(0, n);
}

/** An offset from the range, small half of the time. */
function pickOffset(g: Gen, r: Range): number {
  if (g.rng.bool()) {
    const v = multipleIn(g, Math.max(r.min, -64), Math.min(r.max, 64), r.step);
    if (v !== null) return v;
  }
  return multipleIn(g, r.min, r.max, r.step) ?? r.min;
}

/**
 * Chooses a base and an offset from `r` so that the `bytes` accessed at
 * base + offset are in the window and aligned to `al`.
 */
function place(g: Gen, bytes: number, al: number, r: Range, kinds: readonly BaseKind[]): Placement {
  for (let tries = 0; tries < 64; tries++) {
    const kind = g.rng.pick(kinds);
    if (kind === 'x28') {
      const off = multipleIn(g, Math.max(r.min, -MID), Math.min(r.max, WIN_BYTES - bytes - MID), lcm(r.step, al));
      if (off === null) continue;
      return { kind, base: MID, off, a: MID + off };
    }
    const off = pickOffset(g, r);
    if (kind === 'temp') {
      const a = multipleIn(g, 0, WIN_BYTES - bytes, al);
      if (a === null) continue;
      return { kind, base: a - off, off, a };
    }
    if (off % al !== 0) continue;
    const base = multipleIn(g, -off, WIN_BYTES - bytes - off, 16);
    if (base === null) continue;
    return { kind, base, off, a: base + off };
  }
  throw new Error(`risu: cannot place a ${bytes}-byte access`);
}

/** Emits the instructions putting the placement's base into a register; returns it. */
function emitBase(g: Gen, u: Unit, p: Placement, avoid: readonly number[]): number {
  if (p.kind === 'x28') return R_WIN;
  const rd = p.kind === 'sp' ? 31 : g.temp(avoid);
  const k = p.base - MID;
  const a = Math.abs(k);
  const op = k < 0 ? H.sub : H.add;
  if (a < 4096) u.words.push(op(rd, R_WIN, a));
  else {
    u.words.push(op(rd, R_WIN, a >> 12, 1));
    if (a & 0xfff) u.words.push(op(rd, rd, a & 0xfff));
  }
  return rd;
}

const ALL_BASES: BaseKind[] = ['x28', 'temp', 'temp', 'sp'];
const WB_BASES: BaseKind[] = ['temp', 'temp', 'sp'];

/** Single-register loads and stores: immediate, unsigned offset and register offset. */
function genSingle(g: Gen, r: Row): Unit {
  const size = fixedField(r, 'size');
  const opc = fixedField(r, 'opc');
  const bytes = 1 << size;
  const u: Unit = { words: [], main: r.id };
  if (size === 3 && opc === 2) {
    // PRFM/PRFUM: a hint, any address
    u.words.push(encodeFields(r, g.fields(r)));
    return u;
  }
  const store = opc === 0;
  let wb: 'pre' | 'post' | null = null;
  let p: Placement;
  const f: Fields = {};
  let index: number | null = null; // register-offset index register to prepare: value
  if (r.pd === 'ldst_imm9') {
    const idx = fixedField(r, 'idx');
    wb = idx === 1 ? 'post' : idx === 3 ? 'pre' : null;
    p = place(g, bytes, 1, wb === 'post' ? { min: 0, max: 0, step: 1 } : { min: -256, max: 255, step: 1 }, wb ? WB_BASES : ALL_BASES);
    f.imm9 = (wb === 'post' ? g.rng.range(-256, 255) : p.off) & 0x1ff;
  } else if (r.pd === 'ldst_uimm') {
    p = place(g, bytes, 1, { min: 0, max: 4095 * bytes, step: bytes }, ALL_BASES);
    f.imm12 = p.off / bytes;
  } else {
    // option: 010 UXTW, 011 LSL, 110 SXTW, 111 SXTX
    const option = g.rng.pick([2, 3, 6, 7]);
    const S = g.rng.below(2);
    let v: number;
    let src = g.rng.weighted<'x27' | 'zr' | 'temp'>([['x27', 3], ['zr', 1], ['temp', 6]]);
    if (src === 'x27' && option === 2 && g.x27 < 0) src = 'temp';
    if (src === 'x27') v = g.x27;
    else if (src === 'zr') v = 0;
    else v = option === 2 ? g.rng.range(0, 64) : g.rng.range(-64, 64);
    const off = v * (S ? bytes : 1);
    p = place(g, bytes, 1, { min: off, max: off, step: 1 }, ALL_BASES);
    f.option = option;
    f.S = S;
    f.Rm = src === 'x27' ? R_IDX : src === 'zr' ? 31 : -1;
    if (src === 'temp') index = v;
  }
  const b = emitBase(g, u, p, []);
  if (index !== null) {
    const t = g.temp([b]);
    u.words.push(index >= 0 ? H.movz(t, index) : H.movn(t, -index - 1));
    // the W-extended forms ignore bits 63:32: fill them with garbage
    if ((f.option & 3) === 2 && g.rng.bool(0.6)) u.words.push(H.movk(t, g.rng.below(0x10000), 2 + g.rng.below(2)));
    f.Rm = t;
  }
  f.Rn = b;
  f.Rt = store ? g.src(wb ? [b] : []) : g.dest(wb ? [b] : []);
  u.words.push(encodeFields(r, f));
  return u;
}

/** Pairs: STP/LDP/LDPSW (offset, pre, post), STNP/LDNP. */
function genPair(g: Gen, r: Row): Unit {
  const opc = fixedField(r, 'opc');
  const idx = fixedField(r, 'idx');
  const load = fixedField(r, 'L') === 1;
  const scale = opc === 2 ? 8 : 4;
  const wb = idx === 1 ? 'post' : idx === 3 ? 'pre' : null;
  const u: Unit = { words: [], main: r.id };
  const p = place(g, 2 * scale, 1,
    wb === 'post' ? { min: 0, max: 0, step: 1 } : { min: -64 * scale, max: 63 * scale, step: scale },
    wb ? WB_BASES : ALL_BASES);
  const b = emitBase(g, u, p, []);
  const imm = wb === 'post' ? g.rng.range(-64, 63) : p.off / scale;
  const avoid = wb ? [b] : [];
  let rt: number, rt2: number;
  if (load) {
    rt = g.dest(avoid);
    rt2 = g.dest([...avoid, rt]);
  } else {
    rt = g.src(avoid);
    rt2 = g.src(avoid);
  }
  u.words.push(encodeFields(r, { imm7: imm & 0x7f, Rt2: rt2, Rn: b, Rt: rt }));
  return u;
}

function genLiteral(g: Gen, r: Row): Unit {
  const rt = r.id === 'PRFM_lit' ? g.src() : g.dest();
  return { words: [encodeFields(r, { imm19: g.rng.range(-128, 128) & 0x7ffff, Rt: rt })], main: r.id };
}

const EXCL_ONE = ['STXR', 'STLXR', 'LDXR', 'LDAXR'];
const EXCL_PAIR = ['STXP', 'STLXP', 'LDXP', 'LDAXP'];

/** Exclusives (single and pair) and the ordered loads and stores. */
function genExcl(g: Gen, r: Row): Unit {
  const pair = r.pd === 'exclp';
  const u: Unit = { words: [], main: r.id };
  const szField = pair ? g.rng.below(2) : g.rng.below(4);
  const bytes = pair ? 8 << szField : 1 << szField;
  const sz: Fields = pair ? { sz: szField } : { size: szField };
  const p = place(g, bytes, bytes, { min: 0, max: 0, step: 1 }, ALL_BASES);
  const b = emitBase(g, u, p, []);
  if (!EXCL_ONE.includes(r.id) && !EXCL_PAIR.includes(r.id)) {
    // LDAR, LDLAR, STLR, STLLR
    const rt = r.id.startsWith('LD') ? g.dest() : g.src();
    u.words.push(encodeFields(r, { ...sz, Rn: b, Rt: rt }));
    return u;
  }
  const names = pair ? EXCL_PAIR : EXCL_ONE;
  const isStore = r.id.startsWith('ST');
  const loadRow = isStore ? row(g.rng.pick(names.slice(2))) : r;
  const storeRow = (): Row => (isStore ? r : row(g.rng.pick(names.slice(0, 2))));
  // pair: load-exclusive, store-exclusive (may succeed); twice: the same, then
  // a second store-exclusive (fails: the first one cleared the monitor);
  // clrex: [load-exclusive,] CLREX, store-exclusive (fails); alone: load only
  const mode = isStore
    ? g.rng.weighted<'pair' | 'twice' | 'clrex'>([['pair', 6], ['twice', 2], ['clrex', 2]])
    : g.rng.weighted<'pair' | 'twice' | 'alone'>([['pair', 5], ['twice', 1], ['alone', 4]]);
  const load = (): void => {
    const t = g.dest([b]);
    const lf: Fields = { ...sz, Rn: b, Rt: t };
    if (pair) lf.Rt2 = g.dest([b, t]);
    u.words.push(encodeFields(loadRow, lf));
  };
  const store = (): void => {
    const t = g.src();
    const sf: Fields = { ...sz, Rn: b, Rt: t };
    const avoid = [t, b];
    if (pair) {
      sf.Rt2 = g.src();
      avoid.push(sf.Rt2);
    }
    sf.Rs = g.dest(avoid, false);
    u.words.push(encodeFields(storeRow(), sf));
  };
  if (mode === 'clrex') {
    if (g.rng.bool()) load();
    u.words.push(H.clrex());
    store();
    return u;
  }
  load();
  if (mode === 'alone') return u;
  for (let i = g.rng.below(3); i > 0; i--) u.words.push(filler(g, [b]));
  store();
  if (mode === 'twice') store();
  return u;
}

function genCas(g: Gen, r: Row): Unit {
  const u: Unit = { words: [], main: r.id };
  const size = g.rng.below(4);
  const bytes = 1 << size;
  const p = place(g, bytes, bytes, { min: 0, max: 0, step: 1 }, ALL_BASES);
  const b = emitBase(g, u, p, []);
  const rs = g.dest([b]);
  // load the compared value first half of the time, so that the swap happens
  if (g.rng.bool()) u.words.push(enc(`uimm_${size.toString(2).padStart(2, '0')}_01`, { imm12: 0, Rn: b, Rt: rs }));
  u.words.push(encodeFields(r, { size, Rs: rs, Rn: b, Rt: g.src() }));
  return u;
}

function genCasp(g: Gen, r: Row): Unit {
  const u: Unit = { words: [], main: r.id };
  const sz = g.rng.below(2);
  const bytes = 8 << sz;
  const p = place(g, bytes, bytes, { min: 0, max: 0, step: 1 }, ALL_BASES);
  const b = emitBase(g, u, p, []);
  // Rs pairs the body may write: (0,1) .. (24,25) and (30, xzr)
  const pairs = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 30].filter((s) => s !== b && s + 1 !== b);
  const rs = g.rng.pick(pairs);
  if (g.rng.bool()) u.words.push(enc(sz ? 'LDP_x_off' : 'LDP_w_off', { imm7: 0, Rt2: rs + 1, Rn: b, Rt: rs }));
  u.words.push(encodeFields(r, { sz, Rs: rs, Rn: b, Rt: 2 * g.rng.below(16) }));
  return u;
}

function genAtomic(g: Gen, r: Row): Unit {
  const u: Unit = { words: [], main: r.id };
  const size = g.rng.below(4);
  const bytes = 1 << size;
  const p = place(g, bytes, bytes, { min: 0, max: 0, step: 1 }, ALL_BASES);
  const b = emitBase(g, u, p, []);
  u.words.push(encodeFields(r, { size, A: g.rng.below(2), R: g.rng.below(2), Rs: g.src(), Rn: b, Rt: g.dest() }));
  return u;
}

// ---- what to draw -------------------------------------------------------------------

type Generator = (g: Gen, r: Row) => Unit;

const SKIP_ROWS = new Set(['WFE', 'WFI', 'SB', 'SYSL', 'ERET', 'DRPS']);

const GENERATORS: Record<string, Generator> = {
  adr: genDp, addsub_imm: genDp, log_imm: genDp, movw: genDp, bfm: genDp, extr: genDp,
  dp2: genDp, dp1: genDp, log_reg: genDp, addsub_shift: genDp, addsub_ext: genDp, adc: genDp,
  ccmp_reg: genDp, ccmp_imm: genDp, csel: genDp, dp3: genDp,
  bcond: genBranch, branch_imm: genBranch, cbz: genBranch, tbz: genBranch, branch_reg: genBranchReg,
  hint: genHint, barrier: genBarrier, sysreg: genSysreg, sys: genSys,
  ldst_imm9: genSingle, ldst_uimm: genSingle, ldst_reg: genSingle, pair: genPair, ldr_lit: genLiteral,
  excl: genExcl, exclp: genExcl, cas: genCas, casp: genCasp, atomic: genAtomic,
};

/** Relative weight of each section of the table. */
const SECTION_WEIGHTS: Partial<Record<keyof typeof SECTIONS, number>> = {
  pcrel: 2, addsubImm: 4, logImm: 4, movw: 3, bitfield: 5, extract: 2,
  bcond: 3, hint: 1, barrier: 1, sys: 1, sysreg: 2, bReg: 1, bImm: 2, cbz: 2, tbz: 2,
  excl: 6, lit: 2, pair: 6, unscaled: 3, immPost: 3, unpriv: 2, immPre: 3, atomic: 4, regOff: 4, uimm: 4,
  dp2: 4, dp1: 3, logReg: 4, addsubShift: 4, addsubExt: 4, adc: 3, ccmpReg: 3, ccmpImm: 3, csel: 4, dp3: 4,
};

/** Rows the generator draws from, by section. */
export const DRAWN: readonly (readonly [readonly Row[], number])[] = Object.entries(SECTION_WEIGHTS).map(([key, w]) => {
  const sec = SECTIONS[key as keyof typeof SECTIONS];
  const rows = ROWS.filter((r) => r.sec === sec && !r.unimpl && !SKIP_ROWS.has(r.id) && GENERATORS[r.pd]);
  if (rows.length === 0) throw new Error(`risu: nothing to draw in ${key}`);
  return [rows, w ?? 0] as const;
});

/** The sections (keys of SECTIONS) the generator covers. */
export const COVERED_SECTIONS = Object.keys(SECTION_WEIGHTS);

export function generateBlock(seed: number, index: number): Block {
  const rng = new Rng(seed, index + 1);
  const g = new Gen(rng);
  const n = rng.range(4, 36);
  for (let i = 0; i < n; i++) {
    const rows = rng.weighted(DRAWN);
    const r = rng.pick(rows);
    g.units.push(GENERATORS[r.pd](g, r));
  }
  // layout and branch targets
  const starts: number[] = [];
  let pos = 0;
  for (const u of g.units) {
    starts.push(pos);
    pos += u.words.length;
  }
  starts.push(pos);
  g.units.forEach((u, i) => {
    const b = u.branch;
    if (!b) return;
    const target = starts[Math.min(i + b.ahead, g.units.length)];
    const delta = target - (starts[i] + b.at); // words
    const f: Fields = { ...b.fields };
    if (b.kind === 'imm26') f.imm26 = delta & 0x3ffffff;
    else if (b.kind === 'imm19') f.imm19 = delta & 0x7ffff;
    else if (b.kind === 'imm14') f.imm14 = delta & 0x3fff;
    else {
      f.immlo = (delta * 4) & 3;
      f.immhi = ((delta * 4) >> 2) & 0x7ffff;
    }
    u.words[b.at] = encodeFields(b.row, f);
  });

  const inputs: BlockState[] = [];
  for (let run = 0; run < RUNS; run++) {
    const regs: bigint[] = [];
    for (let i = 0; i < 31; i++) regs.push(seedValue(rng));
    regs[R_IDX] = asU64(BigInt(g.x27)); // the generator relies on its value
    regs.push(seedValue(rng)); // sp
    regs.push(BigInt(rng.below(16) << 28 >>> 0) | (rng.bool(0.2) ? BigInt(rng.u32() & 0x0fffffff) : 0n)); // nzcv
    regs.push(seedValue(rng)); // tpidr_el0
    const window = rng.bytes(WIN_BYTES);
    const dv = new DataView(window.buffer);
    for (let off = 0; off < WIN_BYTES; off += 8) if (rng.bool(0.25)) dv.setBigUint64(off, seedValue(rng), true);
    inputs.push({ regs, window });
  }
  return {
    seed,
    index,
    words: g.units.flatMap((u) => u.words),
    mains: g.units.map((u) => u.main),
    inputs,
  };
}

// ---- the program --------------------------------------------------------------------

export interface Program {
  elf: Uint8Array;
  blocks: Block[];
  /** Address of each block's first body word. */
  bodyAddr: bigint[];
}

function prologue(): number[] {
  const w: number[] = [];
  w.push(H.ldr(0, R_REC, OFF_SP), H.add(31, 0, 0));
  w.push(H.ldr(0, R_REC, OFF_NZCV), H.msr(SR_NZCV, 0));
  w.push(H.ldr(0, R_REC, OFF_TPIDR), H.msr(SR_TPIDR, 0));
  for (let i = 0; i < 28; i += 2) w.push(H.ldp(i, i + 1, R_REC, i * 8));
  w.push(H.ldr(28, R_REC, 28 * 8), H.ldr(30, R_REC, 30 * 8), H.clrex());
  return w;
}

function epilogue(): number[] {
  const w: number[] = [];
  for (let i = 0; i < 28; i += 2) w.push(H.stp(i, i + 1, R_REC, i * 8));
  w.push(H.str(28, R_REC, 28 * 8), H.str(29, R_REC, 29 * 8), H.str(30, R_REC, 30 * 8));
  w.push(H.add(0, 31, 0), H.str(0, R_REC, OFF_SP));
  w.push(H.mrs(0, SR_NZCV), H.str(0, R_REC, OFF_NZCV));
  w.push(H.mrs(0, SR_TPIDR), H.str(0, R_REC, OFF_TPIDR));
  w.push(H.movz(0, 1), H.add(1, R_REC, 0), H.movz(2, REC_BYTES), H.movz(8, 64), H.svc());
  return w;
}

/** After the epilogue at `at` (word index): next record, and back to `loop` unless it was the last one. */
function loopBack(last: number, at: number, loop: number): number[] {
  const w = [H.movz(0, last & 0xffff), H.movk(0, last >>> 16, 1)];
  w.push(enc('SUBS_shift', { sf: 1, shift: 0, Rm: 0, imm6: 0, Rn: R_REC, Rd: 31 })); // cmp x29, x0
  w.push(H.add(R_REC, R_REC, REC_BYTES));
  w.push(enc('B_cond', { imm19: (loop - (at + w.length)) & 0x7ffff, cond: 3 })); // b.lo loop
  return w;
}

export function buildProgram(blocks: Block[], padSeed = 0): Program {
  if (blocks.length > MAX_PER_ELF) throw new RangeError(`at most ${MAX_PER_ELF} blocks per program`);
  const rng = new Rng(padSeed, 0x7fff);
  const code: number[] = [];
  for (let i = 0; i < PAD_WORDS; i++) code.push(rng.u32());
  const entry = CODE_BASE + code.length * 4;
  const data = new Uint8Array(blocks.length * RUNS * REC_BYTES);
  const dv = new DataView(data.buffer);
  const bodyAddr: bigint[] = [];
  const symbols: WriteSymbol[] = [];
  blocks.forEach((b, i) => {
    if (b.inputs.length !== RUNS) throw new Error(`risu: block ${b.index} has ${b.inputs.length} runs, expected ${RUNS}`);
    const first = DATA_BASE + i * RUNS * REC_BYTES;
    symbols.push({ name: `block_${b.index}`, value: CODE_BASE + code.length * 4, type: 'FUNC' });
    code.push(H.movz(R_REC, first & 0xffff), H.movk(R_REC, first >>> 16, 1));
    const loop = code.length;
    code.push(...prologue());
    bodyAddr.push(BigInt(CODE_BASE + code.length * 4));
    code.push(...b.words);
    code.push(...epilogue());
    code.push(...loopBack(first + (RUNS - 1) * REC_BYTES, code.length, loop));
    b.inputs.forEach((input, run) => {
      const rec = first + run * REC_BYTES;
      const o = rec - DATA_BASE;
      input.regs.forEach((v, r) => dv.setBigUint64(o + r * 8, v, true));
      dv.setBigUint64(o + R_WIN * 8, BigInt(rec + REGS_BYTES + MID), true);
      dv.setBigUint64(o + R_REC * 8, BigInt(rec), true);
      data.set(input.window, o + REGS_BYTES);
    });
  });
  code.push(H.movz(0, 0), H.movz(8, 93), H.svc());
  for (let i = 0; i < PAD_WORDS; i++) code.push(rng.u32());
  const text = new Uint8Array(code.length * 4);
  const tv = new DataView(text.buffer);
  code.forEach((w, i) => tv.setUint32(i * 4, w >>> 0, true));
  const elf = writeElf({
    entry,
    segments: [
      { vaddr: CODE_BASE, data: text, flags: { r: true, x: true } },
      { vaddr: DATA_BASE, data, flags: { r: true, w: true } },
    ],
    symbols,
  });
  return { elf, blocks, bodyAddr };
}

// ---- running ----------------------------------------------------------------------

export interface RunOutput {
  /** The records written, concatenated. */
  out: Uint8Array;
  /** Why the program stopped before exit(0), if it did. */
  failure?: string;
  insns?: bigint;
  /** Guest instructions translated to Wasm. */
  translated?: number;
}

export function runOnQemu(elf: Uint8Array): RunOutput {
  const dir = mkdtempSync(join(tmpdir(), 'patchlab-risu-'));
  try {
    const file = join(dir, 'risu.elf');
    writeFileSync(file, elf, { mode: 0o755 });
    const r = spawnSync(QEMU_BIN, ['-cpu', QEMU_CPU_MODEL, file], {
      env: {},
      timeout: 120_000,
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.error) throw r.error;
    const out = new Uint8Array(r.stdout);
    const failure = r.status === 0 ? undefined : `qemu: status ${r.status} signal ${r.signal} ${r.stderr.toString().trim()}`;
    return { out, failure };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runOnPatchlab(elf: Uint8Array, maxInsns = 50_000_000n, jitThreshold?: number): RunOutput {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const res = runUserProgram(elf, {
    args: ['risu'],
    ramSize: USER_RAM,
    maxInsns,
    jitThreshold,
    io: {
      write(fd, data) {
        if (fd === 1) {
          chunks.push(data.slice());
          total += data.length;
        }
        return data.length;
      },
      warn() {},
      random: (n) => new Uint8Array(n),
    },
  });
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  let failure: string | undefined;
  if (res.fault) failure = `patchlab: ${res.fault.report}`;
  else if (res.exitCode !== 0) failure = `patchlab: exit code ${res.exitCode}${res.stoppedAtMaxInsns ? ' (instruction limit)' : ''}`;
  if (res.jit.errors) failure = `patchlab: ${res.jit.errors} translations rejected by the Wasm engine`;
  return { out, failure, insns: res.insns, translated: res.jit.insns };
}

// ---- comparing ----------------------------------------------------------------------

export interface BlockState {
  regs: bigint[]; // STATE_REGS values
  window: Uint8Array;
}

export function parseRecords(out: Uint8Array): BlockState[] {
  const n = Math.floor(out.length / REC_BYTES);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const states: BlockState[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * REC_BYTES;
    const regs: bigint[] = [];
    for (let r = 0; r < STATE_REGS; r++) regs.push(dv.getBigUint64(base + r * 8, true));
    states.push({ regs, window: out.slice(base + REGS_BYTES, base + REC_BYTES) });
  }
  return states;
}

export interface Difference {
  what: string;
  qemu: string;
  patchlab: string;
}

const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');
const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** The differences between two final states (empty when they agree). */
export function compareStates(q: BlockState, p: BlockState): Difference[] {
  const diffs: Difference[] = [];
  for (let r = 0; r < STATE_REGS; r++) {
    if (q.regs[r] !== p.regs[r]) diffs.push({ what: STATE_NAMES[r], qemu: hex64(q.regs[r]), patchlab: hex64(p.regs[r]) });
  }
  for (let off = 0; off < WIN_BYTES; off += 8) {
    const a = q.window.subarray(off, off + 8);
    const b = p.window.subarray(off, off + 8);
    if (a.some((x, i) => x !== b[i])) {
      const rel = off - MID;
      diffs.push({ what: `mem[x28${rel < 0 ? '-' : '+'}${Math.abs(rel)}]`, qemu: hexBytes(a), patchlab: hexBytes(b) });
    }
  }
  return diffs;
}

export interface Mismatch {
  block: Block;
  /** Which run of the block (its seeds are block.inputs[run]). */
  run: number;
  bodyAddr: bigint;
  differences: Difference[];
  /** Set when a run stopped in (or before) this block instead of completing it. */
  failure?: string;
}

/** A final state, four registers a line, then the window in rows of 32 bytes. */
export function formatState(s: BlockState): string {
  const lines: string[] = [];
  const regs = s.regs.map((v, r) => `${STATE_NAMES[r]}=${hex64(v)}`);
  for (let i = 0; i < regs.length; i += 4) lines.push('    ' + regs.slice(i, i + 4).join(' '));
  for (let off = 0; off < WIN_BYTES; off += 32) {
    const rel = off - MID;
    lines.push(`    x28${rel < 0 ? '-' : '+'}${String(Math.abs(rel)).padEnd(3)}  ${hexBytes(s.window.subarray(off, off + 32))}`);
  }
  return lines.join('\n');
}

export function formatMismatch(m: Mismatch): string {
  const b = m.block;
  const lines: string[] = [];
  lines.push(`block ${b.index} of seed ${b.seed}, run ${m.run} (reproduce: npm run fuzz:diff -- --seed ${b.seed} --block ${b.index})`);
  lines.push('  body:');
  b.words.forEach((w, i) => {
    const pc = m.bodyAddr + BigInt(i * 4);
    lines.push(`    ${pc.toString(16)}:  ${(w >>> 0).toString(16).padStart(8, '0')}  ${disassemble(w, pc)}`);
  });
  lines.push(`  initial state of run ${m.run}:`);
  const init: string[] = [];
  b.inputs[m.run].regs.forEach((v, r) => {
    if (r === R_WIN || r === R_REC) return;
    init.push(`${STATE_NAMES[r]}=${hex64(v)}`);
  });
  for (let i = 0; i < init.length; i += 4) lines.push('    ' + init.slice(i, i + 4).join(' '));
  const win = b.inputs[m.run].window;
  for (let off = 0; off < WIN_BYTES; off += 32) {
    const rel = off - MID;
    lines.push(`    x28${rel < 0 ? '-' : '+'}${String(Math.abs(rel)).padEnd(3)}  ${hexBytes(win.subarray(off, off + 32))}`);
  }
  if (m.failure) lines.push(`  run stopped: ${m.failure.split('\n').join('\n    ')}`);
  if (m.differences.length) {
    lines.push('  differences (qemu / patchlab):');
    for (const d of m.differences) lines.push(`    ${d.what.padEnd(14)} ${d.qemu}  /  ${d.patchlab}`);
  }
  return lines.join('\n');
}

// ---- driving ------------------------------------------------------------------------

export interface DiffOptions {
  seed: number;
  blocks: number;
  /** First block number (default 0). */
  first?: number;
  perElf?: number;
  /** Called for each mismatch as it is found. */
  onMismatch?: (m: Mismatch) => void;
  /** Called for every run compared, matching or not. */
  onCompared?: (m: Mismatch, q: BlockState, p: BlockState) => void;
  /** Test hook: may alter patchlab's final state of a run before the comparison. */
  tamper?: (p: BlockState, block: Block, run: number) => void;
  /** patchlab's translation threshold (0: interpreter only; 1: translate every block at first sight). */
  jitThreshold?: number;
}

export interface DiffSummary {
  blocks: number;
  instructions: number;
  executed: bigint;
  /** Guest instructions patchlab translated to Wasm. */
  translated: number;
  mismatches: Mismatch[];
  seconds: number;
  /** How often each table row was drawn. */
  rows: Map<string, number>;
}

/** Runs one program's blocks on both and compares; re-runs the blocks after a stop. */
function runChunk(blocks: Block[], opts: DiffOptions, sum: DiffSummary): void {
  let rest = blocks;
  while (rest.length) {
    const prog = buildProgram(rest, opts.seed ^ rest[0].index);
    const q = runOnQemu(prog.elf);
    const p = runOnPatchlab(prog.elf, undefined, opts.jitThreshold);
    sum.executed += p.insns ?? 0n;
    sum.translated += p.translated ?? 0;
    const qs = parseRecords(q.out);
    const ps = parseRecords(p.out);
    const n = Math.min(qs.length, ps.length, rest.length * RUNS);
    for (let k = 0; k < n; k++) {
      const block = rest[Math.floor(k / RUNS)];
      const run = k % RUNS;
      opts.tamper?.(ps[k], block, run);
      const differences = compareStates(qs[k], ps[k]);
      const m: Mismatch = { block, run, bodyAddr: prog.bodyAddr[Math.floor(k / RUNS)], differences };
      opts.onCompared?.(m, qs[k], ps[k]);
      if (differences.length) {
        sum.mismatches.push(m);
        opts.onMismatch?.(m);
      }
    }
    if (n === rest.length * RUNS) return;
    // a run stopped in record n: report it and go on with the next block
    const failure = [
      qs.length === n ? q.failure ?? 'qemu: stopped without a failure' : undefined,
      ps.length === n ? p.failure ?? 'patchlab: stopped without a failure' : undefined,
    ].filter(Boolean).join('\n');
    const bi = Math.floor(n / RUNS);
    const m: Mismatch = { block: rest[bi], run: n % RUNS, bodyAddr: prog.bodyAddr[bi], differences: [], failure };
    sum.mismatches.push(m);
    opts.onMismatch?.(m);
    rest = rest.slice(bi + 1);
  }
}

const emptySummary = (): DiffSummary => ({ blocks: 0, instructions: 0, executed: 0n, translated: 0, mismatches: [], seconds: 0, rows: new Map() });

function countBlocks(blocks: readonly Block[], sum: DiffSummary): void {
  for (const b of blocks) {
    sum.blocks++;
    sum.instructions += b.words.length;
    for (const id of b.mains) sum.rows.set(id, (sum.rows.get(id) ?? 0) + 1);
  }
}

/** Runs the given blocks (generated or hand-made) on both and compares them. */
export function diffBlocks(blocks: Block[], opts: Omit<DiffOptions, 'blocks' | 'seed' | 'first'> = {}): DiffSummary {
  const t0 = performance.now();
  const perElf = Math.min(opts.perElf ?? 250, MAX_PER_ELF);
  const sum = emptySummary();
  for (let start = 0; start < blocks.length; start += perElf) {
    const chunk = blocks.slice(start, start + perElf);
    countBlocks(chunk, sum);
    runChunk(chunk, { seed: chunk[0].seed, blocks: chunk.length, ...opts }, sum);
  }
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}

/** Generates blocks first .. first + blocks - 1 of the seed, runs them on both and compares. */
export function runDiff(opts: DiffOptions): DiffSummary {
  const t0 = performance.now();
  const perElf = Math.min(opts.perElf ?? 250, MAX_PER_ELF);
  const first = opts.first ?? 0;
  const sum = emptySummary();
  for (let start = first; start < first + opts.blocks; start += perElf) {
    const blocks: Block[] = [];
    for (let i = start; i < Math.min(start + perElf, first + opts.blocks); i++) blocks.push(generateBlock(opts.seed, i));
    countBlocks(blocks, sum);
    runChunk(blocks, opts, sum);
  }
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}
