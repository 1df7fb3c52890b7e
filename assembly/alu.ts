// Arithmetic helpers of the execute loop: flags, conditions, shifts, extends,
// multiply-high. Everything here is @inline: it is the hot path.

import { C_NZCV, MACHINE_BASE, M_COND_TABLE } from './layout';

const NF: u32 = 0x80000000;
const ZF: u32 = 0x40000000;
const CF: u32 = 0x20000000;
const VF: u32 = 0x10000000;

/** a + b + cin on 64 bits, setting NZCV. */
@inline export function adds64(st: usize, a: u64, b: u64, cin: u64): u64 {
  const r = a + b + cin;
  const c: u32 = cin ? <u32>(r <= a) : <u32>(r < a);
  const v = <u32>(((a ^ r) & (b ^ r)) >> 63);
  store<u32>(st, (<u32>(r >> 63) << 31) | (<u32>(r == 0) << 30) | (c << 29) | (v << 28), C_NZCV);
  return r;
}

/** a + b + cin on 32 bits, setting NZCV; the result is zero-extended. */
@inline export function adds32(st: usize, a32: u64, b32: u64, cin: u32): u64 {
  const a = <u32>a32;
  const b = <u32>b32;
  const r = a + b + cin;
  const c: u32 = cin ? <u32>(r <= a) : <u32>(r < a);
  const v = ((a ^ r) & (b ^ r)) >> 31;
  store<u32>(st, ((r >> 31) << 31) | (<u32>(r == 0) << 30) | (c << 29) | (v << 28), C_NZCV);
  return <u64>r;
}

/** Sets N and Z from a logical result, clearing C and V. */
@inline export function logicFlags64(st: usize, r: u64): u64 {
  store<u32>(st, (<u32>(r >> 63) << 31) | (<u32>(r == 0) << 30), C_NZCV);
  return r;
}

@inline export function logicFlags32(st: usize, r64: u64): u64 {
  const r = <u32>r64;
  store<u32>(st, ((r >> 31) << 31) | (<u32>(r == 0) << 30), C_NZCV);
  return <u64>r;
}

/** Does condition `cond` (0..15) hold for flags f (NZCV in bits 31..28)? */
@inline export function condHolds(f: u32, cond: u32): bool {
  return ((<u32>load<u16>(MACHINE_BASE + M_COND_TABLE + ((f >> 27) & 0x1e)) >> cond) & 1) != 0;
}

function condSlow(f: u32, cond: u32): bool {
  let r: bool;
  switch (cond >> 1) {
    case 0: r = (f & ZF) != 0; break;
    case 1: r = (f & CF) != 0; break;
    case 2: r = (f & NF) != 0; break;
    case 3: r = (f & VF) != 0; break;
    case 4: r = (f & CF) != 0 && (f & ZF) == 0; break;
    case 5: r = ((f >> 31) & 1) == ((f >> 28) & 1); break;
    case 6: r = ((f >> 31) & 1) == ((f >> 28) & 1) && (f & ZF) == 0; break;
    default: return true;
  }
  return (cond & 1) != 0 ? !r : r;
}

/** Writes the condition table into the machine block (idempotent). */
export function initCondTable(): void {
  for (let nzcv: u32 = 0; nzcv < 16; nzcv++) {
    let bits: u32 = 0;
    for (let cond: u32 = 0; cond < 16; cond++) if (condSlow(nzcv << 28, cond)) bits |= 1 << cond;
    store<u16>(MACHINE_BASE + M_COND_TABLE + (nzcv << 1), <u16>bits);
  }
}

/** Shifted register operand: type 0 LSL, 1 LSR, 2 ASR, 3 ROR. */
@inline export function shift64(v: u64, type: u32, amount: u32): u64 {
  switch (type) {
    case 0: return v << amount;
    case 1: return v >> amount;
    case 2: return <u64>(<i64>v >> amount);
    default: return rotr<u64>(v, <u64>amount);
  }
}

@inline export function shift32(v64: u64, type: u32, amount: u32): u64 {
  const v = <u32>v64;
  switch (type) {
    case 0: return <u64>(v << amount);
    case 1: return <u64>(v >> amount);
    case 2: return <u64>(<u32>(<i32>v >> amount));
    default: return <u64>rotr<u32>(v, amount);
  }
}

/** Extended register operand: option 0..7 = UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX, then LSL. */
@inline export function extend(v: u64, option: u32, shift: u32): u64 {
  let x: u64;
  switch (option) {
    case 0: x = v & 0xff; break;
    case 1: x = v & 0xffff; break;
    case 2: x = v & 0xffffffff; break;
    case 4: x = <u64><i64><i8>v; break;
    case 5: x = <u64><i64><i16>v; break;
    case 6: x = <u64><i64><i32>v; break;
    default: x = v;
  }
  return x << shift;
}

/** High 64 bits of the unsigned 128-bit product. */
export function umulh(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff, aHi = a >> 32;
  const bLo = b & 0xffffffff, bHi = b >> 32;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const hh = aHi * bHi;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/** High 64 bits of the signed 128-bit product. */
export function smulh(a: u64, b: u64): u64 {
  let h = umulh(a, b);
  if (<i64>a < 0) h -= b;
  if (<i64>b < 0) h -= a;
  return h;
}

@inline export function clsX(v: u64): u64 {
  return clz<u64>((v ^ (v << 1)) | 1);
}

@inline export function clsW(v: u32): u64 {
  return <u64>clz<u32>((v ^ (v << 1)) | 1);
}

export function rbit64(v: u64): u64 {
  v = ((v >> 1) & 0x5555555555555555) | ((v & 0x5555555555555555) << 1);
  v = ((v >> 2) & 0x3333333333333333) | ((v & 0x3333333333333333) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0f) | ((v & 0x0f0f0f0f0f0f0f0f) << 4);
  return bswap<u64>(v);
}

@inline export function rev16_64(v: u64): u64 {
  return ((v >> 8) & 0x00ff00ff00ff00ff) | ((v & 0x00ff00ff00ff00ff) << 8);
}

@inline export function rev32_64(v: u64): u64 {
  const b = bswap<u64>(v);
  return (b >> 32) | (b << 32);
}
