// Predecoders: turn the fields of one encoding-table row into a decoded cache
// entry (layout.ts, "decoded-instruction cache"). The generated decoder
// (generated/decode.ts) calls pd_<name> with the row's named fields in pattern
// order; a predecoder returns false when the fields make the word unallocated
// in a way the table's undef list cannot express (logical immediates).

import {
  E_AUX, E_B0, E_B1, E_IMM, E_OP, E_RA, E_RD, E_RM, E_RN, E_TAG, E_WORD, R_SINK, R_ZR,
  SYS_MRS, SYS_MSR, SYS_MSRI, SYS_SYS, SYS_SYSL,
} from './layout';
import * as O from './ops';

// Register operand forms: 31 means SP, XZR as a source, or XZR as a destination.
@inline function zr(r: u32): u32 { return r == 31 ? R_ZR : r; }
@inline function dz(r: u32): u32 { return r == 31 ? R_SINK : r; }

@inline function sext(v: u64, bits: u32): u64 {
  return <u64>((<i64>(v << (64 - bits))) >> (64 - bits));
}

export function put(e: usize, op: u16, rd: u32, rn: u32, rm: u32, ra: u32, b0: u32, b1: u32, aux: u32, imm: u64): void {
  store<u16>(e, op, E_OP);
  store<u8>(e, <u8>rd, E_RD);
  store<u8>(e, <u8>rn, E_RN);
  store<u8>(e, <u8>rm, E_RM);
  store<u8>(e, <u8>ra, E_RA);
  store<u8>(e, <u8>b0, E_B0);
  store<u8>(e, <u8>b1, E_B1);
  store<u32>(e, aux, E_AUX);
  store<u64>(e, imm, E_IMM);
}

@inline function undef(e: usize): void { put(e, O.OP_UNDEF, 0, 0, 0, 0, 0, 0, 0, 0); }

/** Fills the entry's tag and word; called before the predecoder. */
export function setTag(e: usize, pc: u64, w: u32): void {
  store<u64>(e, pc, E_TAG);
  store<u32>(e, w, E_WORD);
}

export function pd_unimpl(e: usize, w: u32): void { undef(e); }

// ---- data processing, immediate --------------------------------------------

export function pd_adr(e: usize, pc: u64, w: u32, op: u32, immlo: u32, immhi: u32, Rd: u32): bool {
  const imm = sext(<u64>((immhi << 2) | immlo), 21);
  const target = op ? (pc & ~<u64>0xfff) + (imm << 12) : pc + imm;
  put(e, O.OP_MOVI, dz(Rd), 0, 0, 0, 0, 0, 0, target);
  return true;
}

export function pd_addsub_imm(e: usize, pc: u64, w: u32, sf: u32, op: u32, S: u32, sh: u32, imm12: u32, Rn: u32, Rd: u32): bool {
  const imm: u64 = <u64>imm12 << (sh ? 12 : 0);
  if (!S) {
    // ADD/SUB (immediate): Rd and Rn may be SP; SUB adds the negated immediate.
    put(e, sf ? O.OP_ADDI_X : O.OP_ADDI_W, Rd, Rn, 0, 0, 0, 0, 0, op ? 0 - imm : imm);
  } else {
    const o = op ? (sf ? O.OP_SUBSI_X : O.OP_SUBSI_W) : (sf ? O.OP_ADDSI_X : O.OP_ADDSI_W);
    put(e, o, dz(Rd), Rn, 0, 0, 0, 0, 0, imm);
  }
  return true;
}

@inline function ones(n: u32): u64 { return n >= 64 ? <u64>-1 : (<u64>1 << n) - 1; }

@inline function ror(v: u64, r: u32, size: u32): u64 {
  if (r == 0) return v;
  return ((v >> r) | (v << (size - r))) & ones(size);
}

/** DecodeBitMasks for logical immediates: the mask, or 0 when the encoding is reserved. */
export function logicalImm(N: u32, immr: u32, imms: u32, datasize: u32): u64 {
  const combined = (N << 6) | (~imms & 0x3f);
  if (combined == 0) return 0;
  const len = 31 - clz<u32>(combined);
  if (len < 1) return 0;
  const esize: u32 = 1 << len;
  const levels = esize - 1;
  const S = imms & levels;
  const R = immr & levels;
  if (S == levels) return 0;
  let elem = ror(ones(S + 1), R, esize);
  for (let sz = esize; sz < datasize; sz <<= 1) elem |= elem << sz;
  return elem & ones(datasize);
}

export function pd_log_imm(e: usize, pc: u64, w: u32, sf: u32, opc: u32, N: u32, immr: u32, imms: u32, Rn: u32, Rd: u32): bool {
  const imm = logicalImm(N, immr, imms, sf ? 64 : 32);
  if (imm == 0) return false;
  let o: u16;
  let rd = Rd; // AND/ORR/EOR (immediate) write SP for Rd = 31; ANDS writes XZR
  switch (opc) {
    case 0: o = O.OP_ANDI; break;
    case 1:
      if (Rn == 31) { put(e, O.OP_MOVI, Rd, 0, 0, 0, 0, 0, 0, imm); return true; }
      o = sf ? O.OP_ORRI_X : O.OP_ORRI_W; break;
    case 2: o = sf ? O.OP_EORI_X : O.OP_EORI_W; break;
    default: o = sf ? O.OP_ANDSI_X : O.OP_ANDSI_W; rd = dz(Rd);
  }
  put(e, o, rd, zr(Rn), 0, 0, 0, 0, 0, imm);
  return true;
}

export function pd_movw(e: usize, pc: u64, w: u32, sf: u32, opc: u32, hw: u32, imm16: u32, Rd: u32): bool {
  const shift = hw << 4;
  const v: u64 = <u64>imm16 << shift;
  if (opc == 0) put(e, O.OP_MOVI, dz(Rd), 0, 0, 0, 0, 0, 0, sf ? ~v : (~v & 0xffffffff));
  else if (opc == 2) put(e, O.OP_MOVI, dz(Rd), 0, 0, 0, 0, 0, 0, v);
  else put(e, sf ? O.OP_MOVK_X : O.OP_MOVK_W, dz(Rd), 0, 0, 0, shift, 0, 0, v);
  return true;
}

export function pd_bfm(e: usize, pc: u64, w: u32, sf: u32, opc: u32, N: u32, immr: u32, imms: u32, Rn: u32, Rd: u32): bool {
  const top: u32 = sf ? 63 : 31;
  const size: u32 = top + 1;
  if (opc == 1) {
    // BFM: insert a field of Rn into Rd. BFXIL when imms >= immr, BFI otherwise.
    let width: u32, rshift: u32, lsb: u32;
    if (imms >= immr) { width = imms - immr + 1; rshift = immr; lsb = 0; }
    else { width = imms + 1; rshift = 0; lsb = size - immr; }
    put(e, sf ? O.OP_BFM_X : O.OP_BFM_W, dz(Rd), zr(Rn), 0, 0, rshift, lsb, 0, ones(width));
    return true;
  }
  // SBFM/UBFM as (Rn << b0) >> b1: extract when imms >= immr, insert-in-zero otherwise.
  const b0 = top - imms;
  const b1 = imms >= immr ? top - imms + immr : immr - imms - 1;
  const o = opc == 0 ? (sf ? O.OP_SBFM_X : O.OP_SBFM_W) : (sf ? O.OP_UBFM_X : O.OP_UBFM_W);
  put(e, o, dz(Rd), zr(Rn), 0, 0, b0, b1, 0, 0);
  return true;
}

export function pd_extr(e: usize, pc: u64, w: u32, sf: u32, N: u32, Rm: u32, imms: u32, Rn: u32, Rd: u32): bool {
  put(e, sf ? O.OP_EXTR_X : O.OP_EXTR_W, dz(Rd), zr(Rn), zr(Rm), 0, imms, 0, 0, 0);
  return true;
}

// ---- branches, exceptions, system --------------------------------------------

export function pd_bcond(e: usize, pc: u64, w: u32, imm19: u32, cond: u32): bool {
  const target = pc + (sext(<u64>imm19, 19) << 2);
  if (cond >= 14) put(e, O.OP_B, 0, 0, 0, 0, 0, 0, 0, target);
  else put(e, O.OP_BCOND, 0, 0, 0, 0, cond, 0, 0, target);
  return true;
}

export function pd_exc(e: usize, pc: u64, w: u32, opc: u32, imm16: u32, LL: u32): bool {
  if (opc == 0 && LL == 1) put(e, O.OP_SVC, 0, 0, 0, 0, 0, 0, imm16, 0);
  else if (opc == 0 && LL == 2) put(e, O.OP_HVC, 0, 0, 0, 0, 0, 0, imm16, 0);
  else if (opc == 1) put(e, O.OP_BRK, 0, 0, 0, 0, 0, 0, imm16, 0);
  else undef(e); // SMC, HLT (halting debug off), DCPSn: UNDEFINED here
  return true;
}

export function pd_hint(e: usize, pc: u64, w: u32, CRm: u32, op2: u32): bool {
  const n = (CRm << 3) | op2;
  if (n == 2) put(e, O.OP_WFE, 0, 0, 0, 0, 0, 0, 0, 0);
  else if (n == 3) put(e, O.OP_WFI, 0, 0, 0, 0, 0, 0, 0, 0);
  else if (n == 4 || n == 5) put(e, O.OP_SEV, 0, 0, 0, 0, n - 4, 0, 0, 0);
  else put(e, O.OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0);
  return true;
}

export function pd_barrier(e: usize, pc: u64, w: u32, CRm: u32, op2: u32): bool {
  if (op2 == 2) put(e, O.OP_CLREX, 0, 0, 0, 0, 0, 0, 0, 0);
  else if (op2 == 6) put(e, O.OP_ISB, 0, 0, 0, 0, 0, 0, 0, 0);
  else put(e, O.OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0);
  return true;
}

// OP_SYSTEM kinds (aux >> 16); the low 16 bits hold o0:op1:CRn:CRm:op2.

@inline function sysEnc(o0: u32, op1: u32, CRn: u32, CRm: u32, op2: u32): u32 {
  return (o0 << 14) | (op1 << 11) | (CRn << 7) | (CRm << 3) | op2;
}

export function pd_msr_imm(e: usize, pc: u64, w: u32, op1: u32, CRm: u32, op2: u32): bool {
  put(e, O.OP_SYSTEM, 0, 0, 0, 0, 0, 0, (SYS_MSRI << 16) | sysEnc(0, op1, 4, CRm, op2), 0);
  return true;
}

export function pd_sys(e: usize, pc: u64, w: u32, L: u32, op1: u32, CRn: u32, CRm: u32, op2: u32, Rt: u32): bool {
  put(e, O.OP_SYSTEM, L ? dz(Rt) : zr(Rt), 0, 0, 0, 0, 0, ((L ? SYS_SYSL : SYS_SYS) << 16) | sysEnc(0, op1, CRn, CRm, op2), 0);
  return true;
}

export function pd_sysreg(e: usize, pc: u64, w: u32, L: u32, o0: u32, op1: u32, CRn: u32, CRm: u32, op2: u32, Rt: u32): bool {
  put(e, O.OP_SYSTEM, L ? dz(Rt) : zr(Rt), 0, 0, 0, 0, 0, ((L ? SYS_MRS : SYS_MSR) << 16) | sysEnc(o0, op1, CRn, CRm, op2), 0);
  return true;
}

export function pd_branch_reg(e: usize, pc: u64, w: u32, opc: u32, Rn: u32): bool {
  put(e, opc == 0 ? O.OP_BR : opc == 1 ? O.OP_BLR : O.OP_RET, 0, zr(Rn), 0, 0, 0, 0, 0, 0);
  return true;
}

export function pd_eret(e: usize, pc: u64, w: u32, opc: u32): bool {
  if (opc == 4) put(e, O.OP_ERET, 0, 0, 0, 0, 0, 0, 0, 0);
  else undef(e); // DRPS: debug state only
  return true;
}

export function pd_branch_imm(e: usize, pc: u64, w: u32, op: u32, imm26: u32): bool {
  put(e, op ? O.OP_BL : O.OP_B, 0, 0, 0, 0, 0, 0, 0, pc + (sext(<u64>imm26, 26) << 2));
  return true;
}

export function pd_cbz(e: usize, pc: u64, w: u32, sf: u32, op: u32, imm19: u32, Rt: u32): bool {
  const o = sf ? (op ? O.OP_CBNZ_X : O.OP_CBZ_X) : (op ? O.OP_CBNZ_W : O.OP_CBZ_W);
  put(e, o, zr(Rt), 0, 0, 0, 0, 0, 0, pc + (sext(<u64>imm19, 19) << 2));
  return true;
}

export function pd_tbz(e: usize, pc: u64, w: u32, b5: u32, op: u32, b40: u32, imm14: u32, Rt: u32): bool {
  put(e, op ? O.OP_TBNZ : O.OP_TBZ, zr(Rt), 0, 0, 0, (b5 << 5) | b40, 0, 0, pc + (sext(<u64>imm14, 14) << 2));
  return true;
}

// ---- loads and stores ---------------------------------------------------------

// Exclusive/ordered/atomic entries: rd = Rt (slot for its direction), rn = base,
// rm = Rs as a source, ra = Rs as a destination (or Rt2), b0 = log2(size).
export function pd_excl(e: usize, pc: u64, w: u32, size: u32, o2: u32, L: u32, o1: u32, Rs: u32, o0: u32, Rt2: u32, Rn: u32, Rt: u32): bool {
  if (o2 == 0) {
    if (L) put(e, O.OP_LDXR, dz(Rt), Rn, 0, 0, size, o0, 0, 0);
    else put(e, O.OP_STXR, zr(Rt), Rn, 0, dz(Rs), size, o0, 0, 0);
  } else {
    if (L) put(e, O.OP_LDAR, dz(Rt), Rn, 0, 0, size, o0, 0, 0);
    else put(e, O.OP_STLR, zr(Rt), Rn, 0, 0, size, o0, 0, 0);
  }
  return true;
}

export function pd_exclp(e: usize, pc: u64, w: u32, sz: u32, o2: u32, L: u32, o1: u32, Rs: u32, o0: u32, Rt2: u32, Rn: u32, Rt: u32): bool {
  // b0 = log2 of one element's size; rd/rm = Rt/Rt2, ra = status register
  if (L) put(e, O.OP_LDXP, dz(Rt), Rn, dz(Rt2), 0, 2 + sz, o0, 0, 0);
  else put(e, O.OP_STXP, zr(Rt), Rn, zr(Rt2), dz(Rs), 2 + sz, o0, 0, 0);
  return true;
}

export function pd_cas(e: usize, pc: u64, w: u32, size: u32, o2: u32, L: u32, o1: u32, Rs: u32, o0: u32, Rt2: u32, Rn: u32, Rt: u32): bool {
  put(e, O.OP_CAS, zr(Rt), Rn, zr(Rs), dz(Rs), size, (L << 1) | o0, 0, 0);
  return true;
}

export function pd_casp(e: usize, pc: u64, w: u32, sz: u32, o2: u32, L: u32, o1: u32, Rs: u32, o0: u32, Rt2: u32, Rn: u32, Rt: u32): bool {
  // register pairs <Rs, Rs+1> and <Rt, Rt+1> (even numbers; 31 reads as zero)
  put(e, O.OP_CASP, Rt, Rn, Rs, 0, 2 + sz, (L << 1) | o0, 0, 0);
  return true;
}

export function pd_ldr_lit(e: usize, pc: u64, w: u32, opc: u32, imm19: u32, Rt: u32): bool {
  const addr = pc + (sext(<u64>imm19, 19) << 2);
  if (opc == 3) put(e, O.OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0); // PRFM (literal)
  else put(e, opc == 0 ? O.OP_LDR_LIT_W : opc == 1 ? O.OP_LDR_LIT_X : O.OP_LDRSW_LIT, dz(Rt), 0, 0, 0, 0, 0, 0, addr);
  return true;
}

export function pd_pair(e: usize, pc: u64, w: u32, opc: u32, idx: u32, L: u32, imm7: u32, Rt2: u32, Rn: u32, Rt: u32): bool {
  // kinds 0 stp w, 1 stp x, 2 ldp w, 3 ldp x, 4 ldpsw; modes 0 offset, 1 pre, 2 post
  let kind: u32;
  if (L == 0) kind = opc == 2 ? 1 : 0;
  else kind = opc == 2 ? 3 : opc == 1 ? 4 : 2;
  const scale: u32 = opc == 2 ? 3 : 2;
  const mode: u32 = idx == 3 ? 1 : idx == 1 ? 2 : 0;
  const rt = L ? dz(Rt) : zr(Rt);
  const rt2 = L ? dz(Rt2) : zr(Rt2);
  put(e, <u16>(O.OP_PAIR_FIRST + mode * 5 + kind), rt, Rn, 0, rt2, 0, 0, 0, sext(<u64>imm7, 7) << scale);
  return true;
}

/** Access kind (ops.ts LDST kinds) for size/opc; -1 unallocated, -2 prefetch. */
function ldstKind(size: u32, opc: u32): i32 {
  if (opc == 0) return <i32>size; //                store
  if (opc == 1) return 4 + <i32>size; //            zero-extending load
  if (opc == 2) return size == 3 ? -2 : 8 + <i32>size; // ldrsb/ldrsh/ldrsw x, prfm
  return size >= 2 ? -1 : 11 + <i32>size; //         ldrsb/ldrsh w
}

function ldstPut(e: usize, mode: u32, size: u32, opc: u32, Rn: u32, Rt: u32, rm: u32, b0: u32, b1: u32, imm: u64): bool {
  const kind = ldstKind(size, opc);
  if (kind == -1) return false;
  if (kind == -2) { put(e, O.OP_NOP, 0, 0, 0, 0, 0, 0, 0, 0); return true; }
  const rt = kind < 4 ? zr(Rt) : dz(Rt);
  put(e, <u16>(<u32>O.OP_LDST_FIRST + mode * <u32>O.LDST_KINDS + <u32>kind), rt, Rn, rm, 0, b0, b1, 0, imm);
  return true;
}

export function pd_ldst_imm9(e: usize, pc: u64, w: u32, size: u32, opc: u32, imm9: u32, idx: u32, Rn: u32, Rt: u32): bool {
  const mode = idx == 1 ? O.LDST_MODE_POST : idx == 3 ? O.LDST_MODE_PRE : O.LDST_MODE_OFF;
  return ldstPut(e, mode, size, opc, Rn, Rt, 0, 0, 0, sext(<u64>imm9, 9));
}

export function pd_ldst_uimm(e: usize, pc: u64, w: u32, size: u32, opc: u32, imm12: u32, Rn: u32, Rt: u32): bool {
  return ldstPut(e, O.LDST_MODE_OFF, size, opc, Rn, Rt, 0, 0, 0, <u64>imm12 << size);
}

export function pd_ldst_reg(e: usize, pc: u64, w: u32, size: u32, opc: u32, Rm: u32, option: u32, S: u32, Rn: u32, Rt: u32): bool {
  return ldstPut(e, O.LDST_MODE_REG, size, opc, Rn, Rt, zr(Rm), option, S ? size : 0, 0);
}

export function pd_atomic(e: usize, pc: u64, w: u32, size: u32, A: u32, R: u32, Rs: u32, o3: u32, opc: u32, Rn: u32, Rt: u32): bool {
  put(e, O.OP_ATOMIC, dz(Rt), Rn, zr(Rs), 0, size, (A << 1) | R, o3 ? 8 : opc, 0);
  return true;
}

// ---- data processing, register -------------------------------------------------

export function pd_dp2(e: usize, pc: u64, w: u32, sf: u32, S: u32, Rm: u32, opcode: u32, Rn: u32, Rd: u32): bool {
  let o: u16;
  switch (opcode) {
    case 2: o = O.OP_UDIV_X; break;
    case 3: o = O.OP_SDIV_X; break;
    case 8: o = O.OP_LSLV_X; break;
    case 9: o = O.OP_LSRV_X; break;
    case 10: o = O.OP_ASRV_X; break;
    default: o = O.OP_RORV_X;
  }
  put(e, sf ? o : o + 1, dz(Rd), zr(Rn), zr(Rm), 0, 0, 0, 0, 0);
  return true;
}

export function pd_crc32(e: usize, pc: u64, w: u32, sf: u32, S: u32, Rm: u32, C: u32, sz: u32, Rn: u32, Rd: u32): bool {
  put(e, O.OP_CRC32, dz(Rd), zr(Rn), zr(Rm), 0, sz, C, 0, 0);
  return true;
}

export function pd_dp1(e: usize, pc: u64, w: u32, sf: u32, S: u32, opcode: u32, Rn: u32, Rd: u32): bool {
  let o: u16;
  switch (opcode) {
    case 0: o = sf ? O.OP_RBIT_X : O.OP_RBIT_W; break;
    case 1: o = sf ? O.OP_REV16_X : O.OP_REV16_W; break;
    case 2: o = sf ? O.OP_REV32_X : O.OP_REV_W; break;
    case 3: o = O.OP_REV_X; break;
    case 4: o = sf ? O.OP_CLZ_X : O.OP_CLZ_W; break;
    default: o = sf ? O.OP_CLS_X : O.OP_CLS_W;
  }
  put(e, o, dz(Rd), zr(Rn), 0, 0, 0, 0, 0, 0);
  return true;
}

export function pd_log_reg(e: usize, pc: u64, w: u32, sf: u32, opc: u32, shift: u32, N: u32, Rm: u32, imm6: u32, Rn: u32, Rd: u32): bool {
  if (opc == 1 && N == 0 && Rn == 31 && imm6 == 0) {
    put(e, sf ? O.OP_MOV_X : O.OP_MOV_W, dz(Rd), 0, zr(Rm), 0, 0, 0, 0, 0);
    return true;
  }
  const o = <u16>(<u32>O.OP_AND_X + ((opc << 1) | N) * 2 + (sf ? 0 : 1));
  put(e, o, dz(Rd), zr(Rn), zr(Rm), 0, shift, imm6, 0, 0);
  return true;
}

export function pd_addsub_shift(e: usize, pc: u64, w: u32, sf: u32, op: u32, S: u32, shift: u32, Rm: u32, imm6: u32, Rn: u32, Rd: u32): bool {
  const o = <u16>(<u32>O.OP_ADD_X + ((op << 1) | S) * 2 + (sf ? 0 : 1));
  put(e, o, dz(Rd), zr(Rn), zr(Rm), 0, shift, imm6, 0, 0);
  return true;
}

export function pd_addsub_ext(e: usize, pc: u64, w: u32, sf: u32, op: u32, S: u32, Rm: u32, option: u32, imm3: u32, Rn: u32, Rd: u32): bool {
  const o = <u16>(<u32>O.OP_ADDE_X + ((op << 1) | S) * 2 + (sf ? 0 : 1));
  // ADD/SUB (extended) write SP for Rd = 31; the flag-setting forms write XZR.
  put(e, o, S ? dz(Rd) : Rd, Rn, zr(Rm), 0, option, imm3, 0, 0);
  return true;
}

export function pd_adc(e: usize, pc: u64, w: u32, sf: u32, op: u32, S: u32, Rm: u32, Rn: u32, Rd: u32): bool {
  const o = <u16>(<u32>O.OP_ADC_X + ((op << 1) | S) * 2 + (sf ? 0 : 1));
  put(e, o, dz(Rd), zr(Rn), zr(Rm), 0, 0, 0, 0, 0);
  return true;
}

export function pd_ccmp_reg(e: usize, pc: u64, w: u32, sf: u32, op: u32, Rm: u32, cond: u32, Rn: u32, nzcv: u32): bool {
  const o = <u16>(<u32>O.OP_CCMN_X + op * 2 + (sf ? 0 : 1));
  put(e, o, 0, zr(Rn), zr(Rm), 0, cond, nzcv, 0, 0);
  return true;
}

export function pd_ccmp_imm(e: usize, pc: u64, w: u32, sf: u32, op: u32, imm5: u32, cond: u32, Rn: u32, nzcv: u32): bool {
  const o = <u16>(<u32>O.OP_CCMNI_X + op * 2 + (sf ? 0 : 1));
  put(e, o, 0, zr(Rn), 0, 0, cond, nzcv, 0, <u64>imm5);
  return true;
}

export function pd_csel(e: usize, pc: u64, w: u32, sf: u32, op: u32, Rm: u32, cond: u32, op2: u32, Rn: u32, Rd: u32): bool {
  const o = <u16>(<u32>O.OP_CSEL_X + ((op << 1) | op2) * 2 + (sf ? 0 : 1));
  put(e, o, dz(Rd), zr(Rn), zr(Rm), 0, cond, 0, 0, 0);
  return true;
}

export function pd_dp3(e: usize, pc: u64, w: u32, sf: u32, op31: u32, Rm: u32, o0: u32, Ra: u32, Rn: u32, Rd: u32): bool {
  let o: u16;
  switch ((op31 << 1) | o0) {
    case 0: o = Ra == 31 ? (sf ? O.OP_MUL_X : O.OP_MUL_W) : (sf ? O.OP_MADD_X : O.OP_MADD_W); break;
    case 1: o = sf ? O.OP_MSUB_X : O.OP_MSUB_W; break;
    case 2: o = O.OP_SMADDL; break;
    case 3: o = O.OP_SMSUBL; break;
    case 4: o = O.OP_SMULH; break;
    case 10: o = O.OP_UMADDL; break;
    case 11: o = O.OP_UMSUBL; break;
    default: o = O.OP_UMULH;
  }
  put(e, o, dz(Rd), zr(Rn), zr(Rm), zr(Ra), 0, 0, 0, 0);
  return true;
}
