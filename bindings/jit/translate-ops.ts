// Wasm code for each decoded operation. Every case mirrors the interpreter's
// case in assembly/cpu.ts (same entry fields, same arithmetic), so a
// translated block and the interpreter agree instruction for instruction;
// the differential tests run both against qemu-aarch64.

import * as O from '../../assembly/ops.ts';
import * as L from '../../assembly/layout.ts';
import { inlineSystem, type Insn } from './region.ts';
import type { Tx } from './translate.ts';
import { I64, Op, type MemOp } from './wasm.ts';

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;

/** Zero-extends the low 32 bits of the i64 on the stack. */
function low32(tx: Tx): void { tx.c.op(Op.i32_wrap_i64, Op.i64_extend_i32_u); }

/** shift64/shift32 of alu.ts on the i64 on the stack (type 0 LSL, 1 LSR, 2 ASR, 3 ROR). */
function shiftOp(tx: Tx, w: boolean, type: number, amount: number): void {
  const c = tx.c;
  if (w) {
    c.op(Op.i32_wrap_i64);
    if (amount !== 0) c.i32(amount).op([Op.i32_shl, Op.i32_shr_u, Op.i32_shr_s, Op.i32_rotr][type]!);
    c.op(Op.i64_extend_i32_u);
  } else if (amount !== 0) {
    c.i64(BigInt(amount)).op([Op.i64_shl, Op.i64_shr_u, Op.i64_shr_s, Op.i64_rotr][type]!);
  }
}

/** extend() of alu.ts: option 0..7 = UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX, then LSL shift. */
function extendOp(tx: Tx, option: number, shift: number): void {
  const c = tx.c;
  switch (option) {
    case 0: c.i64(0xffn).op(Op.i64_and); break;
    case 1: c.i64(0xffffn).op(Op.i64_and); break;
    case 2: low32(tx); break;
    case 4: c.op(Op.i64_extend8_s); break;
    case 5: c.op(Op.i64_extend16_s); break;
    case 6: c.op(Op.i64_extend32_s); break;
    default: break;
  }
  if (shift !== 0) c.i64(BigInt(shift)).op(Op.i64_shl);
}

/**
 * Flag-setting add: rd = a + b (+ carry), NZCV from it. The operands are
 * pushed by `pa`/`pb`; `sub` means a - b (b is inverted with carry-in 1).
 */
function addsOp(tx: Tx, i: Insn, w: boolean, sub: boolean, pa: () => void, pb: () => void): void {
  const c = tx.c;
  pa(); if (w) low32(tx); c.set(tx.fa);
  pb(); if (w) low32(tx); c.set(tx.fb);
  c.get(tx.fa).get(tx.fb).op(sub ? Op.i64_sub : Op.i64_add);
  if (w) low32(tx);
  c.tee(tx.fr);
  tx.write(i.rd);
  tx.flags.setSymbolic(sub ? 'sub' : 'add', w);
}

/** Logical result with flags (ANDS, BICS, TST). */
function logicFlagsOp(tx: Tx, i: Insn, w: boolean): void {
  if (w) low32(tx);
  tx.c.tee(tx.fr);
  tx.write(i.rd);
  tx.flags.setSymbolic('logic', w);
}

/**
 * Add with carry in and flags (ADCS/SBCS; CCMP via `into`): computes
 * a + b + cin (cin in local t, 0/1) into local r and NZCV into the nzcv local.
 */
function addcFlags(tx: Tx, w: boolean): void {
  const c = tx.c, { a, b, r, t } = tx;
  if (w) {
    // 32-bit: a, b hold zero-extended values; work on i32.
    c.get(a).op(Op.i32_wrap_i64).get(b).op(Op.i32_wrap_i64).op(Op.i32_add).get(t).op(Op.i32_add);
    c.op(Op.i64_extend_i32_u).set(r);
    const r32 = () => c.get(r).op(Op.i32_wrap_i64);
    const a32 = () => c.get(a).op(Op.i32_wrap_i64);
    const b32 = () => c.get(b).op(Op.i32_wrap_i64);
    r32(); c.i32(0x80000000 | 0).op(Op.i32_and);
    r32(); c.op(Op.i32_eqz).i32(30).op(Op.i32_shl, Op.i32_or);
    r32(); a32(); c.op(Op.i32_le_u); r32(); a32(); c.op(Op.i32_lt_u); c.get(t).op(Op.select);
    c.i32(29).op(Op.i32_shl, Op.i32_or);
    a32(); r32(); c.op(Op.i32_xor); b32(); r32(); c.op(Op.i32_xor, Op.i32_and).i32(31).op(Op.i32_shr_u);
    c.i32(28).op(Op.i32_shl, Op.i32_or);
  } else {
    c.get(a).get(b).op(Op.i64_add).get(t).op(Op.i64_extend_i32_u, Op.i64_add).set(r);
    c.get(r).i64(63n).op(Op.i64_shr_u, Op.i32_wrap_i64).i32(31).op(Op.i32_shl);
    c.get(r).op(Op.i64_eqz).i32(30).op(Op.i32_shl, Op.i32_or);
    c.get(r).get(a).op(Op.i64_le_u).get(r).get(a).op(Op.i64_lt_u).get(t).op(Op.select);
    c.i32(29).op(Op.i32_shl, Op.i32_or);
    c.get(a).get(r).op(Op.i64_xor).get(b).get(r).op(Op.i64_xor, Op.i64_and).i64(63n).op(Op.i64_shr_u, Op.i32_wrap_i64);
    c.i32(28).op(Op.i32_shl, Op.i32_or);
  }
  c.set(tx.nzcv);
}

/** Pushes the carry flag (0/1, i32). */
function carry(tx: Tx): void {
  tx.flags.materialize();
  tx.c.get(tx.nzcv).i32(29).op(Op.i32_shr_u).i32(1).op(Op.i32_and);
}

/** umulh of alu.ts on locals a, b; result pushed. */
function umulh(tx: Tx): void {
  const c = tx.c, { a, b } = tx;
  const lo = (l: number) => c.get(l).i64(M32).op(Op.i64_and);
  const hi = (l: number) => c.get(l).i64(32n).op(Op.i64_shr_u);
  // ll = aLo*bLo, lh = aLo*bHi, hl = aHi*bLo, hh = aHi*bHi
  // mid = (ll >> 32) + (lh & M32) + (hl & M32)
  // result = hh + (lh >> 32) + (hl >> 32) + (mid >> 32)
  lo(a); lo(b); c.op(Op.i64_mul).i64(32n).op(Op.i64_shr_u);
  lo(a); hi(b); c.op(Op.i64_mul).i64(M32).op(Op.i64_and, Op.i64_add);
  hi(a); lo(b); c.op(Op.i64_mul).i64(M32).op(Op.i64_and, Op.i64_add);
  c.i64(32n).op(Op.i64_shr_u);
  hi(a); hi(b); c.op(Op.i64_mul, Op.i64_add);
  lo(a); hi(b); c.op(Op.i64_mul).i64(32n).op(Op.i64_shr_u, Op.i64_add);
  hi(a); lo(b); c.op(Op.i64_mul).i64(32n).op(Op.i64_shr_u, Op.i64_add);
}

// ---- loads and stores -------------------------------------------------------------

const LD_KINDS: { size: number; mem: MemOp; store: boolean; w32?: boolean }[] = [
  { size: 1, mem: 'i64_store8', store: true },
  { size: 2, mem: 'i64_store16', store: true },
  { size: 4, mem: 'i64_store32', store: true },
  { size: 8, mem: 'i64_store', store: true },
  { size: 1, mem: 'i64_load8_u', store: false },
  { size: 2, mem: 'i64_load16_u', store: false },
  { size: 4, mem: 'i64_load32_u', store: false },
  { size: 8, mem: 'i64_load', store: false },
  { size: 1, mem: 'i64_load8_s', store: false },
  { size: 2, mem: 'i64_load16_s', store: false },
  { size: 4, mem: 'i64_load32_s', store: false },
  { size: 1, mem: 'i64_load8_s', store: false, w32: true },
  { size: 2, mem: 'i64_load16_s', store: false, w32: true },
];

function ldst(tx: Tx, i: Insn, mode: number, kind: number): void {
  const c = tx.c, k = LD_KINDS[kind]!;
  tx.read(i.rn);
  if (mode === O.LDST_MODE_POST) { /* address = base */ }
  else if (mode === O.LDST_MODE_REG) { tx.read(i.rm); extendOp(tx, i.b0, i.b1); c.op(Op.i64_add); }
  else if (i.imm !== 0n) c.i64(i.imm).op(Op.i64_add);
  c.set(tx.addr);
  tx.checkAccess(k.size);
  tx.hostAddr();
  if (k.store) {
    c.get(tx.ha); tx.read(i.rd); c.mem(k.mem);
    tx.noteStore(k.size);
  } else {
    c.get(tx.ha).mem(k.mem);
    if (k.w32) low32(tx);
    tx.write(i.rd);
  }
  if (mode === O.LDST_MODE_PRE) { c.get(tx.addr); tx.write(i.rn); }
  else if (mode === O.LDST_MODE_POST) { c.get(tx.addr).i64(i.imm).op(Op.i64_add); tx.write(i.rn); }
}

function pair(tx: Tx, i: Insn, mode: number, kind: number): void {
  const c = tx.c;
  const es = kind === 1 || kind === 3 ? 8 : 4;
  tx.read(i.rn);
  if (mode !== 2 && i.imm !== 0n) c.i64(i.imm).op(Op.i64_add);
  c.set(tx.addr);
  tx.checkAccess(es * 2);
  const st: MemOp = es === 8 ? 'i64_store' : 'i64_store32';
  const ld: MemOp = kind === 3 ? 'i64_load' : kind === 4 ? 'i64_load32_s' : 'i64_load32_u';
  tx.hostAddr();
  if (kind < 2) {
    c.get(tx.ha); tx.read(i.rd); c.mem(st);
    c.get(tx.ha); tx.read(i.ra); c.mem(st, es);
    tx.noteStore(es * 2);
  } else {
    c.get(tx.ha).mem(ld); tx.write(i.rd);
    c.get(tx.ha).mem(ld, es); tx.write(i.ra);
  }
  if (mode === 1) { c.get(tx.addr); tx.write(i.rn); }
  else if (mode === 2) { c.get(tx.addr).i64(i.imm).op(Op.i64_add); tx.write(i.rn); }
}

function ldrLit(tx: Tx, i: Insn, size: number, mem: MemOp): void {
  tx.c.i64(i.imm).set(tx.addr);
  tx.checkAccess(size);
  tx.hostAddr(); tx.c.get(tx.ha).mem(mem);
  tx.write(i.rd);
}

// ---- exclusives and ordered accesses ------------------------------------------------

// Atomic opcodes (0xfe prefix) by access size log2: loads and zero-extending
// 64-bit compare-exchanges, as system.ts's loadN/cmpxchgN do them.
const ATOMIC_LOAD = [0x14, 0x15, 0x16, 0x11]; //   i64.atomic.load8_u, 16_u, 32_u, i64.atomic.load
const ATOMIC_STORE = [0x1b, 0x1c, 0x1d, 0x18]; //  i64.atomic.store8, 16, 32, i64.atomic.store
const ATOMIC_CMPXCHG = [0x4c, 0x4d, 0x4e, 0x49]; // i64.atomic.rmw8/16/32.cmpxchg_u, i64.atomic.rmw.cmpxchg

/** Address of an aligned access of 2^size bytes at [rn]: misaligned or outside RAM leaves to the interpreter. */
function alignedAddress(tx: Tx, i: Insn, size: number): void {
  const c = tx.c;
  tx.read(i.rn);
  c.set(tx.addr);
  if (size > 0) {
    c.get(tx.addr).i64(BigInt((1 << size) - 1)).op(Op.i64_and, Op.i32_wrap_i64);
    tx.if(); tx.bail(); tx.end();
  }
  tx.checkAccess(1 << size);
  tx.hostAddr();
}

/** LDXR/LDAXR: load and set the monitor (address, size, value seen). */
function ldxr(tx: Tx, i: Insn): void {
  const c = tx.c, size = i.b0;
  alignedAddress(tx, i, size);
  c.get(tx.ha).atomic(ATOMIC_LOAD[size]!, size).set(tx.r);
  c.get(tx.st).get(tx.addr).mem('i64_store', L.C_EXCL_ADDR);
  c.get(tx.st).i32(1 << size).mem('i32_store', L.C_EXCL_SIZE);
  c.get(tx.st).get(tx.r).mem('i64_store', L.C_EXCL_VAL);
  c.get(tx.r); tx.write(i.rd);
}

/** STXR/STLXR: stores only if the monitor holds this address and size and memory still holds the value seen. */
function stxr(tx: Tx, i: Insn): void {
  const c = tx.c, size = i.b0;
  alignedAddress(tx, i, size);
  tx.read(i.rd); c.set(tx.b); // the value, read before any branch (registers load lazily)
  c.i32(1).set(tx.t); // status
  c.get(tx.st).mem('i64_load', L.C_EXCL_ADDR).get(tx.addr).op(Op.i64_eq);
  c.get(tx.st).mem('i32_load', L.C_EXCL_SIZE).i32(1 << size).op(Op.i32_eq, Op.i32_and);
  tx.if();
  c.get(tx.st).mem('i64_load', L.C_EXCL_VAL).set(tx.a);
  c.get(tx.ha).get(tx.a).get(tx.b).atomic(ATOMIC_CMPXCHG[size]!, size).get(tx.a).op(Op.i64_eq);
  tx.if(); c.i32(0).set(tx.t); tx.noteStore(1 << size); tx.end();
  tx.end();
  c.get(tx.st).i64(BigInt(L.EXCL_NONE)).mem('i64_store', L.C_EXCL_ADDR);
  c.get(tx.t).op(Op.i64_extend_i32_u); tx.write(i.ra);
}

/** LDAR/STLR: one atomic access (sequentially consistent in Wasm, at least as strong). */
function ordered(tx: Tx, i: Insn, isLoad: boolean): void {
  const c = tx.c, size = i.b0;
  alignedAddress(tx, i, size);
  if (isLoad) { c.get(tx.ha).atomic(ATOMIC_LOAD[size]!, size); tx.write(i.rd); return; }
  c.get(tx.ha); tx.read(i.rd); c.atomic(ATOMIC_STORE[size]!, size);
  tx.noteStore(1 << size);
}

/** The system instructions translated inline (region.ts inlineSystem). */
function system(tx: Tx, i: Insn): void {
  const c = tx.c;
  const form = inlineSystem(i.aux);
  const el1Only = () => { c.get(tx.st).mem('i32_load', L.C_EL).op(Op.i32_eqz); tx.if(); tx.bail(); tx.end(); };
  switch (form) {
    case 'mrs-daif': el1Only(); c.get(tx.st).mem('i32_load', L.C_DAIF).op(Op.i64_extend_i32_u); tx.write(i.rd); return;
    case 'mrs-cntvct': {
      // the block ends here: its clock is this instruction's issue cycle (region.ts RegionOptions)
      if (!tx.memo) throw new Error('jit: a counter read is translated only under a cycle model');
      c.get(tx.st).mem('i64_load', L.C_CNTVCT).get(tx.memo.clk).op(Op.i64_add); tx.write(i.rd);
      return;
    }
    case 'msr-daif': el1Only(); c.get(tx.st); tx.read(i.rd); c.op(Op.i32_wrap_i64).i32(L.DAIF_ALL).op(Op.i32_and).mem('i32_store', L.C_DAIF); return;
    case 'mrs-tpidr0': c.get(tx.st).mem('i64_load', L.C_TPIDR_EL0); tx.write(i.rd); return;
    case 'msr-tpidr0': c.get(tx.st); tx.read(i.rd); c.mem('i64_store', L.C_TPIDR_EL0); return;
    case 'mrs-tpidr1': el1Only(); c.get(tx.st).mem('i64_load', L.C_TPIDR_EL1); tx.write(i.rd); return;
    case 'daifset': {
      el1Only();
      const crm = ((i.aux & 0xffff) >> 3) & 15;
      c.get(tx.st).get(tx.st).mem('i32_load', L.C_DAIF).i32(crm << 6).op(Op.i32_or).mem('i32_store', L.C_DAIF);
      return;
    }
    default: throw new Error(`jit: system instruction 0x${i.word.toString(16)} is not translated`);
  }
}

// ---- branches ----------------------------------------------------------------------

/** Conditional branch: `cond` pushes the i32 condition (evaluated before any state is stored). */
function condBranch(tx: Tx, i: Insn, cond: () => void): void {
  const c = tx.c;
  cond();
  c.set(tx.t);
  tx.tickHere();
  tx.flush();
  c.get(tx.t);
  tx.if();
  tx.trace(i.pc, () => c.i64(i.imm));
  tx.branchEdge(i, true);
  tx.goto(i.imm);
  tx.end();
  tx.branchEdge(i, false);
  tx.goto(i.pc + 4n);
}

/** BR/BLR/RET: target from a register; a misaligned target is left to the interpreter (PC alignment fault). */
function indirect(tx: Tx, i: Insn, link: boolean, candidates: number[]): void {
  const c = tx.c;
  tx.read(i.rn);
  c.set(tx.a);
  c.get(tx.a).i64(3n).op(Op.i64_and, Op.i32_wrap_i64);
  tx.if(); tx.bail(); tx.end();
  tx.tickHere();
  if (link) { c.i64(i.pc + 4n); tx.write(30); }
  tx.flush();
  tx.trace(i.pc, () => c.get(tx.a));
  for (const k of candidates) {
    c.get(tx.a).i64(tx.region.blocks[k]!.start).op(Op.i64_eq);
    tx.if(); tx.goto(tx.region.blocks[k]!.start); tx.end();
  }
  c.get(tx.a).set(tx.next);
  c.br(tx.region.blocks.length - tx.blockIndex + tx.nest);
}

// ---- the dispatcher --------------------------------------------------------------

export function emitInsn(tx: Tx, i: Insn): void {
  const c = tx.c;
  const op = i.op;
  const rn = () => tx.read(i.rn);
  const rm = () => tx.read(i.rm);
  const imm = () => c.i64(i.imm);
  const w = (op & 1) === 1; // for the _X/_W pairs of the register forms (even X, odd W)

  if (op >= O.OP_LDST_FIRST && op <= O.OP_LDST_LAST) {
    const n = op - O.OP_LDST_FIRST;
    ldst(tx, i, Math.floor(n / O.LDST_KINDS), n % O.LDST_KINDS);
    return;
  }
  if (op >= O.OP_PAIR_FIRST && op <= O.OP_PAIR_LAST) {
    const n = op - O.OP_PAIR_FIRST;
    pair(tx, i, Math.floor(n / 5), n % 5);
    return;
  }
  switch (op) {
    case O.OP_NOP:
      // Barriers keep their ordering against other CPUs' accesses.
      if (((i.word & 0xfffff0df) >>> 0) === 0xd503309f) c.op(0xfe, 0x03, 0x00); // DSB/DMB -> atomic.fence
      return;
    case O.OP_MOVI: imm(); tx.write(i.rd); return;
    case O.OP_MOVK_X:
    case O.OP_MOVK_W:
      tx.read(i.rd); c.i64(~(0xffffn << BigInt(i.b0)) & M64).op(Op.i64_and); imm(); c.op(Op.i64_or);
      if (op === O.OP_MOVK_W) low32(tx);
      tx.write(i.rd); return;
    case O.OP_ADDI_X: rn(); imm(); c.op(Op.i64_add); tx.write(i.rd); return;
    case O.OP_ADDI_W: rn(); imm(); c.op(Op.i64_add); low32(tx); tx.write(i.rd); return;
    case O.OP_ADDSI_X: addsOp(tx, i, false, false, rn, imm); return;
    case O.OP_ADDSI_W: addsOp(tx, i, true, false, rn, imm); return;
    case O.OP_SUBSI_X: addsOp(tx, i, false, true, rn, imm); return;
    case O.OP_SUBSI_W: addsOp(tx, i, true, true, rn, imm); return;
    case O.OP_ANDI: rn(); imm(); c.op(Op.i64_and); tx.write(i.rd); return;
    case O.OP_ORRI_X: rn(); imm(); c.op(Op.i64_or); tx.write(i.rd); return;
    case O.OP_ORRI_W: rn(); imm(); c.op(Op.i64_or); low32(tx); tx.write(i.rd); return;
    case O.OP_EORI_X: rn(); imm(); c.op(Op.i64_xor); tx.write(i.rd); return;
    case O.OP_EORI_W: rn(); imm(); c.op(Op.i64_xor); low32(tx); tx.write(i.rd); return;
    case O.OP_ANDSI_X: rn(); imm(); c.op(Op.i64_and); logicFlagsOp(tx, i, false); return;
    case O.OP_ANDSI_W: rn(); imm(); c.op(Op.i64_and); logicFlagsOp(tx, i, true); return;
    case O.OP_UBFM_X: rn(); c.i64(BigInt(i.b0)).op(Op.i64_shl).i64(BigInt(i.b1)).op(Op.i64_shr_u); tx.write(i.rd); return;
    case O.OP_UBFM_W:
      rn(); c.op(Op.i32_wrap_i64).i32(i.b0).op(Op.i32_shl).i32(i.b1).op(Op.i32_shr_u, Op.i64_extend_i32_u);
      tx.write(i.rd); return;
    case O.OP_SBFM_X: rn(); c.i64(BigInt(i.b0)).op(Op.i64_shl).i64(BigInt(i.b1)).op(Op.i64_shr_s); tx.write(i.rd); return;
    case O.OP_SBFM_W:
      rn(); c.op(Op.i32_wrap_i64).i32(i.b0).op(Op.i32_shl).i32(i.b1).op(Op.i32_shr_s, Op.i64_extend_i32_u);
      tx.write(i.rd); return;
    case O.OP_BFM_X:
    case O.OP_BFM_W: {
      const m = (i.imm << BigInt(i.b1 & 63)) & M64;
      tx.read(i.rd); c.i64(~m & M64).op(Op.i64_and);
      rn();
      if (op === O.OP_BFM_W) low32(tx);
      c.i64(BigInt(i.b0)).op(Op.i64_shr_u).i64(BigInt(i.b1)).op(Op.i64_shl).i64(m).op(Op.i64_and, Op.i64_or);
      if (op === O.OP_BFM_W) low32(tx);
      tx.write(i.rd); return;
    }
    case O.OP_EXTR_X:
      if (i.b0 === 0) rm();
      else { rm(); c.i64(BigInt(i.b0)).op(Op.i64_shr_u); rn(); c.i64(BigInt(64 - i.b0)).op(Op.i64_shl, Op.i64_or); }
      tx.write(i.rd); return;
    case O.OP_EXTR_W:
      rn(); c.i64(32n).op(Op.i64_shl); rm(); low32(tx); c.op(Op.i64_or).i64(BigInt(i.b0)).op(Op.i64_shr_u);
      low32(tx); tx.write(i.rd); return;

    // ---- branches (the last instruction of a block)
    case O.OP_B: tx.tickHere(); tx.flush(); tx.trace(i.pc, imm); tx.goto(i.imm); return;
    case O.OP_BL: c.i64(i.pc + 4n); tx.write(30); tx.tickHere(); tx.flush(); tx.trace(i.pc, imm); tx.goto(i.imm); return;
    case O.OP_BCOND: condBranch(tx, i, () => tx.flags.cond(i.b0)); return;
    case O.OP_CBZ_X: condBranch(tx, i, () => { tx.read(i.rd); c.op(Op.i64_eqz); }); return;
    case O.OP_CBNZ_X: condBranch(tx, i, () => { tx.read(i.rd); c.op(Op.i64_eqz, Op.i32_eqz); }); return;
    case O.OP_CBZ_W: condBranch(tx, i, () => { tx.read(i.rd); c.op(Op.i32_wrap_i64, Op.i32_eqz); }); return;
    case O.OP_CBNZ_W: condBranch(tx, i, () => { tx.read(i.rd); c.op(Op.i32_wrap_i64, Op.i32_eqz, Op.i32_eqz); }); return;
    case O.OP_TBZ:
    case O.OP_TBNZ:
      condBranch(tx, i, () => {
        tx.read(i.rd); c.i64(BigInt(i.b0)).op(Op.i64_shr_u).i64(1n).op(Op.i64_and, Op.i32_wrap_i64);
        if (op === O.OP_TBZ) c.op(Op.i32_eqz);
      });
      return;
    case O.OP_BR: indirect(tx, i, false, []); return;
    case O.OP_BLR: indirect(tx, i, true, []); return;
    case O.OP_RET: indirect(tx, i, false, tx.region.returnSites); return;

    // ---- exclusives, ordered accesses, system registers
    case O.OP_LDXR: ldxr(tx, i); return;
    case O.OP_STXR: stxr(tx, i); return;
    case O.OP_LDAR: ordered(tx, i, true); return;
    case O.OP_STLR: ordered(tx, i, false); return;
    case O.OP_SYSTEM: system(tx, i); return;

    // ---- loads (literal)
    case O.OP_LDR_LIT_W: ldrLit(tx, i, 4, 'i64_load32_u'); return;
    case O.OP_LDR_LIT_X: ldrLit(tx, i, 8, 'i64_load'); return;
    case O.OP_LDRSW_LIT: ldrLit(tx, i, 4, 'i64_load32_s'); return;

    // ---- data processing (register)
    case O.OP_UDIV_X:
    case O.OP_UDIV_W:
    case O.OP_SDIV_X:
    case O.OP_SDIV_W: {
      const wide = op === O.OP_UDIV_X || op === O.OP_SDIV_X;
      const signed = op === O.OP_SDIV_X || op === O.OP_SDIV_W;
      rn(); c.set(tx.a); rm(); c.set(tx.b);
      if (wide) {
        // d == 0 -> 0; signed d == -1 -> -n (no overflow trap); else n / d
        c.get(tx.b).op(Op.i64_eqz);
        c.op(0x04, I64); // if (result i64)
        c.i64(0n);
        c.op(Op.else);
        if (signed) {
          c.get(tx.b).i64(-1n).op(Op.i64_eq);
          c.op(0x04, I64);
          c.i64(0n).get(tx.a).op(Op.i64_sub);
          c.op(Op.else);
          c.get(tx.a).get(tx.b).op(Op.i64_div_s);
          c.end();
        } else {
          c.get(tx.a).get(tx.b).op(Op.i64_div_u);
        }
        c.end();
      } else {
        c.get(tx.b).op(Op.i32_wrap_i64, Op.i32_eqz);
        c.op(0x04, 0x7f); // if (result i32)
        c.i32(0);
        c.op(Op.else);
        if (signed) {
          c.get(tx.b).op(Op.i32_wrap_i64).i32(-1).op(Op.i32_eq);
          c.op(0x04, 0x7f);
          c.i32(0).get(tx.a).op(Op.i32_wrap_i64, Op.i32_sub);
          c.op(Op.else);
          c.get(tx.a).op(Op.i32_wrap_i64).get(tx.b).op(Op.i32_wrap_i64, Op.i32_div_s);
          c.end();
        } else {
          c.get(tx.a).op(Op.i32_wrap_i64).get(tx.b).op(Op.i32_wrap_i64, Op.i32_div_u);
        }
        c.end();
        c.op(Op.i64_extend_i32_u);
      }
      tx.write(i.rd); return;
    }
    case O.OP_LSLV_X: rn(); rm(); c.op(Op.i64_shl); tx.write(i.rd); return;
    case O.OP_LSRV_X: rn(); rm(); c.op(Op.i64_shr_u); tx.write(i.rd); return;
    case O.OP_ASRV_X: rn(); rm(); c.op(Op.i64_shr_s); tx.write(i.rd); return;
    case O.OP_RORV_X: rn(); rm(); c.op(Op.i64_rotr); tx.write(i.rd); return;
    case O.OP_LSLV_W:
    case O.OP_LSRV_W:
    case O.OP_ASRV_W:
    case O.OP_RORV_W: {
      const o = { [O.OP_LSLV_W]: Op.i32_shl, [O.OP_LSRV_W]: Op.i32_shr_u, [O.OP_ASRV_W]: Op.i32_shr_s, [O.OP_RORV_W]: Op.i32_rotr }[op]!;
      rn(); c.op(Op.i32_wrap_i64); rm(); c.op(Op.i32_wrap_i64, o, Op.i64_extend_i32_u);
      tx.write(i.rd); return;
    }
    case O.OP_CLZ_X: rn(); c.op(Op.i64_clz); tx.write(i.rd); return;
    case O.OP_CLZ_W: rn(); c.op(Op.i32_wrap_i64, Op.i32_clz, Op.i64_extend_i32_u); tx.write(i.rd); return;

    case O.OP_AND_X: case O.OP_AND_W: case O.OP_BIC_X: case O.OP_BIC_W:
    case O.OP_ORR_X: case O.OP_ORR_W: case O.OP_ORN_X: case O.OP_ORN_W:
    case O.OP_EOR_X: case O.OP_EOR_W: case O.OP_EON_X: case O.OP_EON_W:
    case O.OP_ANDS_X: case O.OP_ANDS_W: case O.OP_BICS_X: case O.OP_BICS_W: {
      const base = (op - O.OP_AND_X) >> 1; // 0 and 1 bic 2 orr 3 orn 4 eor 5 eon 6 ands 7 bics
      rn();
      rm(); shiftOp(tx, w, i.b0, i.b1);
      if (base === 1 || base === 3 || base === 5 || base === 7) {
        c.i64(-1n).op(Op.i64_xor);
        if (w && base !== 7) low32(tx);
      }
      c.op([Op.i64_and, Op.i64_and, Op.i64_or, Op.i64_or, Op.i64_xor, Op.i64_xor, Op.i64_and, Op.i64_and][base]!);
      if (base >= 6) { logicFlagsOp(tx, i, w); return; }
      if (w) low32(tx);
      tx.write(i.rd); return;
    }
    case O.OP_ADD_X: case O.OP_ADD_W: case O.OP_SUB_X: case O.OP_SUB_W:
      rn(); rm(); shiftOp(tx, w, i.b0, i.b1);
      c.op(op <= O.OP_ADD_W ? Op.i64_add : Op.i64_sub);
      if (w) low32(tx);
      tx.write(i.rd); return;
    case O.OP_ADDS_X: case O.OP_ADDS_W: case O.OP_SUBS_X: case O.OP_SUBS_W:
      addsOp(tx, i, w, op >= O.OP_SUBS_X, rn, () => { rm(); shiftOp(tx, w, i.b0, i.b1); });
      return;
    case O.OP_MOV_X: rm(); tx.write(i.rd); return;
    case O.OP_MOV_W: rm(); low32(tx); tx.write(i.rd); return;
    case O.OP_ADDE_X: case O.OP_ADDE_W: case O.OP_SUBE_X: case O.OP_SUBE_W:
      rn(); rm(); extendOp(tx, i.b0, i.b1);
      c.op(op <= O.OP_ADDE_W ? Op.i64_add : Op.i64_sub);
      if (w) low32(tx);
      tx.write(i.rd); return;
    case O.OP_ADDSE_X: case O.OP_ADDSE_W: case O.OP_SUBSE_X: case O.OP_SUBSE_W:
      addsOp(tx, i, w, op >= O.OP_SUBSE_X, rn, () => { rm(); extendOp(tx, i.b0, i.b1); });
      return;
    case O.OP_ADC_X: case O.OP_ADC_W: case O.OP_SBC_X: case O.OP_SBC_W:
      rn(); rm();
      if (op >= O.OP_SBC_X) c.i64(-1n).op(Op.i64_xor);
      c.op(Op.i64_add); carry(tx); c.op(Op.i64_extend_i32_u, Op.i64_add);
      if (w) low32(tx);
      tx.write(i.rd); return;
    case O.OP_ADCS_X: case O.OP_ADCS_W: case O.OP_SBCS_X: case O.OP_SBCS_W:
      carry(tx); c.set(tx.t);
      rn(); if (w) low32(tx); c.set(tx.a);
      rm(); if (op >= O.OP_SBCS_X) c.i64(-1n).op(Op.i64_xor); if (w) low32(tx); c.set(tx.b);
      addcFlags(tx, w);
      tx.flags.setValue();
      c.get(tx.r); tx.write(i.rd); return;

    case O.OP_CCMN_X: case O.OP_CCMN_W: case O.OP_CCMP_X: case O.OP_CCMP_W:
    case O.OP_CCMNI_X: case O.OP_CCMNI_W: case O.OP_CCMPI_X: case O.OP_CCMPI_W: {
      const k = op - O.OP_CCMN_X; // bit 0 W, bit 1 compare, bit 2 immediate
      const sub = (k & 2) !== 0, wide = (k & 1) === 0;
      tx.flags.cond(i.b0); c.set(tx.q);
      rn(); if (!wide) low32(tx); c.set(tx.a);
      if (k & 4) imm(); else rm();
      if (sub) c.i64(-1n).op(Op.i64_xor);
      if (!wide) low32(tx);
      c.set(tx.b);
      c.i32(sub ? 1 : 0).set(tx.t);
      addcFlags(tx, !wide); // nzcv = flags of a + b + cin
      c.get(tx.nzcv).i32((i.b1 << 28) | 0).get(tx.q).op(Op.select).set(tx.nzcv);
      tx.flags.setValue();
      return;
    }
    case O.OP_CSEL_X: case O.OP_CSEL_W: case O.OP_CSINC_X: case O.OP_CSINC_W:
    case O.OP_CSINV_X: case O.OP_CSINV_W: case O.OP_CSNEG_X: case O.OP_CSNEG_W: {
      const kind = (op - O.OP_CSEL_X) >> 1; // 0 sel 1 inc 2 inv 3 neg
      rn();
      if (kind === 3) c.i64(0n);
      rm();
      if (kind === 1) c.i64(1n).op(Op.i64_add);
      else if (kind === 2) c.i64(-1n).op(Op.i64_xor);
      else if (kind === 3) c.op(Op.i64_sub);
      tx.flags.cond(i.b0);
      c.op(Op.select);
      if (w) low32(tx);
      tx.write(i.rd); return;
    }

    case O.OP_MADD_X: case O.OP_MADD_W: tx.read(i.ra); rn(); rm(); c.op(Op.i64_mul, Op.i64_add); if (w) low32(tx); tx.write(i.rd); return;
    case O.OP_MSUB_X: case O.OP_MSUB_W: tx.read(i.ra); rn(); rm(); c.op(Op.i64_mul, Op.i64_sub); if (w) low32(tx); tx.write(i.rd); return;
    case O.OP_MUL_X: case O.OP_MUL_W: rn(); rm(); c.op(Op.i64_mul); if (op === O.OP_MUL_W) low32(tx); tx.write(i.rd); return;
    case O.OP_SMADDL: case O.OP_SMSUBL:
      tx.read(i.ra); rn(); c.op(Op.i64_extend32_s); rm(); c.op(Op.i64_extend32_s, Op.i64_mul);
      c.op(op === O.OP_SMADDL ? Op.i64_add : Op.i64_sub); tx.write(i.rd); return;
    case O.OP_UMADDL: case O.OP_UMSUBL:
      tx.read(i.ra); rn(); low32(tx); rm(); low32(tx); c.op(Op.i64_mul);
      c.op(op === O.OP_UMADDL ? Op.i64_add : Op.i64_sub); tx.write(i.rd); return;
    case O.OP_UMULH: case O.OP_SMULH:
      rn(); c.set(tx.a); rm(); c.set(tx.b);
      umulh(tx);
      if (op === O.OP_SMULH) {
        // h -= b if a < 0; h -= a if b < 0
        c.get(tx.b).i64(0n).get(tx.a).i64(0n).op(Op.i64_lt_s, Op.select, Op.i64_sub);
        c.get(tx.a).i64(0n).get(tx.b).i64(0n).op(Op.i64_lt_s, Op.select, Op.i64_sub);
      }
      tx.write(i.rd); return;
    default:
      throw new Error(`jit: no translation for operation ${op}`);
  }
}
