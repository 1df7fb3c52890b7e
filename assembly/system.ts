// Slow paths of the execute loop: system registers, SYS operations,
// exclusives, ordered accesses and atomics. Each returns -1 to continue with
// the next instruction, EXIT_RESCAN (system registers only: the instruction
// completed and interrupts must be re-checked), or an EXIT_* reason (the
// caller stops at this instruction; C_FAR/C_EXC_INFO are filled in here).
// The EL1, GIC and timer registers are in el1.ts.

import {
  C_CNTFRQ, C_CNTVCT, C_CYCLES, C_TIMING, C_CPU_INDEX, C_CTR, C_DCZID, C_EL, C_EXC_INFO, C_EXCL_ADDR, C_EXCL_SIZE, C_INV_LOCAL,
  C_EXCL_VAL, C_EXCL_VAL2, C_FAR, C_INSNS, C_MIDR, C_NZCV, C_TPIDR_EL0,
  E_AUX, E_B0, E_RA, E_RD, E_RM, E_RN,
  EXIT_DATA_ABORT, EXIT_UNDEF, FAULT_ALIGN, FAULT_RANGE, FAULT_WRITE, ICACHE_LINE, INV_ALL,
  MACHINE_BASE, M_EXCL_LOCK, M_GUARD_HI, M_GUARD_LO, M_HI, M_LO, M_RAM_BASE, M_RAM_OFFSET,
  EXCL_NONE, SYS_MRS, SYS_MSR, SYS_MSRI, SYS_SYS, SYSREG_TPIDR_EL0,
} from './layout';
import { logInvalidation, noteStore } from './icache';
import { el1Known, msrImmediate, readEl1, writeEl1 } from './el1';

const CONTINUE: i32 = -1;
const NO_MONITOR: u64 = EXCL_NONE;

@inline export function reg(st: usize, slot: u32): u64 { return load<u64>(st + (<usize>slot << 3)); }
@inline export function setReg(st: usize, slot: u32, v: u64): void { store<u64>(st + (<usize>slot << 3), v); }

/** Register by architectural number where 31 reads as zero and discards writes. */
@inline function xr(st: usize, r: u32): u64 { return r == 31 ? 0 : reg(st, r); }
@inline function setXr(st: usize, r: u32, v: u64): void { if (r != 31) setReg(st, r, v); }

/**
 * Wasm address of a guest access of `size` bytes at `addr`, or 0 after
 * recording a data abort (alignment is checked when `aligned`).
 */
export function translate(st: usize, addr: u64, size: u32, write: bool, aligned: bool): usize {
  if (aligned && (addr & <u64>(size - 1)) != 0) {
    abort_(st, addr, FAULT_ALIGN | (write ? FAULT_WRITE : 0));
    return 0;
  }
  const lo = load<u64>(MACHINE_BASE + M_LO);
  const span = load<u64>(MACHINE_BASE + M_HI) - lo;
  const glo = load<u64>(MACHINE_BASE + M_GUARD_LO);
  if (addr - lo > span - <u64>size || addr - glo + <u64>(size - 1) < load<u64>(MACHINE_BASE + M_GUARD_HI) - glo + <u64>(size - 1)) {
    abort_(st, addr, FAULT_RANGE | (write ? FAULT_WRITE : 0));
    return 0;
  }
  return <usize>(addr - load<u64>(MACHINE_BASE + M_RAM_BASE) + <u64>load<u32>(MACHINE_BASE + M_RAM_OFFSET));
}

function abort_(st: usize, addr: u64, info: u32): void {
  store<u64>(st, addr, C_FAR);
  store<u32>(st, info, C_EXC_INFO);
}

// ---- system registers -----------------------------------------------------------

// o0:op1:CRn:CRm:op2 of the registers below (op0 = 2 + o0)
const NZCV: u32 = 0x5a10; // S3_3_C4_C2_0
const FPCR: u32 = 0x5a20; // S3_3_C4_C4_0
const FPSR: u32 = 0x5a21; // S3_3_C4_C4_1
const TPIDR_EL0: u32 = SYSREG_TPIDR_EL0;
const TPIDRRO_EL0: u32 = 0x5e83; // S3_3_C13_C0_3
const CNTFRQ_EL0: u32 = 0x5f00; // S3_3_C14_C0_0
const CNTVCT_EL0: u32 = 0x5f02; // S3_3_C14_C0_2
const CNTPCT_EL0: u32 = 0x5f01; // S3_3_C14_C0_1
const CTR_EL0: u32 = 0x5801; // S3_3_C0_C0_1
const DCZID_EL0: u32 = 0x5807; // S3_3_C0_C0_7
const MIDR_EL1: u32 = 0x4000; // S3_0_C0_C0_0
const MPIDR_EL1: u32 = 0x4005; // S3_0_C0_C0_5
const CURRENT_EL: u32 = 0x4212; // S3_0_C4_C2_2

/**
 * Virtual counter: this CPU's count base plus the instructions it has retired
 * (`inflight` = those retired by the running step() call, not yet in C_INSNS),
 * or under a cycle model plus its modelled cycles (kept current by every tick).
 */
export function counter(st: usize, inflight: u64): u64 {
  if (load<u32>(st, C_TIMING) != 0) return load<u64>(st, C_CNTVCT) + load<u64>(st, C_CYCLES);
  return load<u64>(st, C_CNTVCT) + load<u64>(st, C_INSNS) + inflight;
}

// Whether the last readSysreg knew the register (an instance-local global).
let sysregKnown = false;

function readSysreg(st: usize, r: u32, inflight: u64): u64 {
  sysregKnown = true;
  if (r == NZCV) return <u64>load<u32>(st, C_NZCV);
  if (r == TPIDR_EL0) return load<u64>(st, C_TPIDR_EL0);
  if (r == TPIDRRO_EL0) return 0;
  if (r == CNTVCT_EL0) return counter(st, inflight);
  // the physical counter reads the same (no virtual offset); EL0 access is not enabled
  if (r == CNTPCT_EL0 && load<u32>(st, C_EL) != 0) return counter(st, inflight);
  if (r == CNTFRQ_EL0) return load<u64>(st, C_CNTFRQ);
  if (r == CTR_EL0) return load<u64>(st, C_CTR);
  if (r == DCZID_EL0) return <u64>load<u32>(st, C_DCZID);
  if (r == MIDR_EL1) return load<u64>(st, C_MIDR);
  if (r == MPIDR_EL1) return 0x80000000 | <u64>load<u32>(st, C_CPU_INDEX);
  if (r == CURRENT_EL && load<u32>(st, C_EL) != 0) return <u64>load<u32>(st, C_EL) << 2; // UNDEFINED at EL0
  if (r == FPCR || r == FPSR) return 0;
  const v = readEl1(st, r, inflight);
  sysregKnown = el1Known;
  return v;
}

function writeSysreg(st: usize, r: u32, v: u64): bool {
  if (r == NZCV) { store<u32>(st, <u32>v & 0xf0000000, C_NZCV); return true; }
  if (r == TPIDR_EL0) { store<u64>(st, v, C_TPIDR_EL0); return true; }
  if (r == FPCR || r == FPSR) return true;
  return false;
}

/** Size in bytes of the DC ZVA block. */
@inline function zvaBytes(st: usize): u64 { return <u64>4 << (load<u32>(st, C_DCZID) & 0xf); }

export function execSystem(st: usize, e: usize, inflight: u64): i32 {
  const aux = load<u32>(e, E_AUX);
  const kind = aux >> 16;
  const r = aux & 0xffff;
  const rt = <u32>load<u8>(e, E_RD);
  if (kind == SYS_MRS) {
    const v = readSysreg(st, r, inflight);
    if (!sysregKnown) return EXIT_UNDEF;
    setReg(st, rt, v);
    return CONTINUE;
  }
  if (kind == SYS_MSR) {
    const v = reg(st, rt);
    return writeSysreg(st, r, v) ? CONTINUE : writeEl1(st, r, v, inflight);
  }
  if (kind == SYS_SYS) {
    const op1 = (r >> 11) & 7, CRn = (r >> 7) & 15, CRm = (r >> 3) & 15, op2 = r & 7;
    if (op1 == 3 && CRn == 7) {
      if (CRm == 4 && op2 == 1) { // DC ZVA
        const bytes = zvaBytes(st);
        const addr = reg(st, rt) & ~(bytes - 1);
        const p = translate(st, addr, <u32>bytes, true, false);
        if (!p) return EXIT_DATA_ABORT;
        memory.fill(p, 0, <usize>bytes);
        noteStore(st, e, p, <u32>bytes);
        return CONTINUE;
      }
      // IC IVAU: the line goes into the invalidation log (icache.ts).
      if (op2 == 1 && CRm == 5) {
        logInvalidation(reg(st, rt) & ~<u64>(ICACHE_LINE - 1));
        return CONTINUE;
      }
      // DC CVAU/CVAC/CVAP/CIVAC: data is coherent, nothing to do.
      if (op2 == 1 && (CRm == 11 || CRm == 10 || CRm == 12 || CRm == 14)) return CONTINUE;
    }
    // IC IALLUIS (EL1): every line of every CPU. IC IALLU: every line of this CPU only.
    if (op1 == 0 && CRn == 7 && op2 == 0 && (CRm == 1 || CRm == 5) && load<u32>(st, C_EL) != 0) {
      if (CRm == 1) logInvalidation(INV_ALL);
      else store<u32>(st, 1, C_INV_LOCAL);
      return CONTINUE;
    }
    return EXIT_UNDEF;
  }
  if (kind == SYS_MSRI) return msrImmediate(st, r); // DAIFSet, DAIFClr, SPSel
  return EXIT_UNDEF; // SYSL
}

// ---- exclusives, ordered accesses, atomics --------------------------------------

@inline function loadN(p: usize, size: u32): u64 {
  switch (size) {
    case 0: return <u64>atomic.load<u8>(p);
    case 1: return <u64>atomic.load<u16>(p);
    case 2: return <u64>atomic.load<u32>(p);
    default: return atomic.load<u64>(p);
  }
}

@inline function storeN(p: usize, v: u64, size: u32): void {
  switch (size) {
    case 0: atomic.store<u8>(p, <u8>v); break;
    case 1: atomic.store<u16>(p, <u16>v); break;
    case 2: atomic.store<u32>(p, <u32>v); break;
    default: atomic.store<u64>(p, v);
  }
}

/** Compare-and-swap of 1..8 bytes: returns the old value. */
@inline function cmpxchgN(p: usize, expect: u64, repl: u64, size: u32): u64 {
  switch (size) {
    case 0: return <u64>atomic.cmpxchg<u8>(p, <u8>expect, <u8>repl);
    case 1: return <u64>atomic.cmpxchg<u16>(p, <u16>expect, <u16>repl);
    case 2: return <u64>atomic.cmpxchg<u32>(p, <u32>expect, <u32>repl);
    default: return atomic.cmpxchg<u64>(p, expect, repl);
  }
}

@inline function mask(size: u32): u64 { return size == 3 ? <u64>-1 : (<u64>1 << (<u64>8 << size)) - 1; }

function lockPairs(): void {
  while (atomic.cmpxchg<u32>(MACHINE_BASE + M_EXCL_LOCK, 0, 1) != 0) {}
}
function unlockPairs(): void {
  atomic.store<u32>(MACHINE_BASE + M_EXCL_LOCK, 0);
}

export function clearMonitor(st: usize): void {
  store<u64>(st, NO_MONITOR, C_EXCL_ADDR);
}

/** LDXR/LDAXR */
export function execLdxr(st: usize, e: usize): i32 {
  const size = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 1 << size, false, true);
  if (!p) return EXIT_DATA_ABORT;
  const v = loadN(p, size);
  store<u64>(st, addr, C_EXCL_ADDR);
  store<u32>(st, 1 << size, C_EXCL_SIZE);
  store<u64>(st, v, C_EXCL_VAL);
  setReg(st, load<u8>(e, E_RD), v);
  return CONTINUE;
}

/** STXR/STLXR: the store happens only if this CPU's monitor still holds the address and the memory still holds the value it loaded. */
export function execStxr(st: usize, e: usize): i32 {
  const size = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 1 << size, true, true);
  if (!p) return EXIT_DATA_ABORT;
  let status: u64 = 1;
  if (load<u64>(st, C_EXCL_ADDR) == addr && load<u32>(st, C_EXCL_SIZE) == <u32>(1 << size)) {
    const expect = load<u64>(st, C_EXCL_VAL);
    if (cmpxchgN(p, expect, reg(st, load<u8>(e, E_RD)), size) == expect) status = 0;
  }
  clearMonitor(st);
  setReg(st, load<u8>(e, E_RA), status);
  if (status == 0) noteStore(st, e, p, 1 << size);
  return CONTINUE;
}

/** LDXP/LDAXP: b0 = log2(element size) (2 or 3). */
export function execLdxp(st: usize, e: usize): i32 {
  const es = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 2 << es, false, true);
  if (!p) return EXIT_DATA_ABORT;
  let lo: u64, hi: u64;
  if (es == 2) {
    const v = atomic.load<u64>(p);
    lo = v & 0xffffffff;
    hi = v >> 32;
    store<u64>(st, v, C_EXCL_VAL);
  } else {
    lockPairs();
    lo = atomic.load<u64>(p);
    hi = atomic.load<u64>(p + 8);
    unlockPairs();
    store<u64>(st, lo, C_EXCL_VAL);
    store<u64>(st, hi, C_EXCL_VAL2);
  }
  store<u64>(st, addr, C_EXCL_ADDR);
  store<u32>(st, 2 << es, C_EXCL_SIZE);
  setReg(st, load<u8>(e, E_RD), lo);
  setReg(st, load<u8>(e, E_RM), hi);
  return CONTINUE;
}

export function execStxp(st: usize, e: usize): i32 {
  const es = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 2 << es, true, true);
  if (!p) return EXIT_DATA_ABORT;
  const t1 = reg(st, load<u8>(e, E_RD));
  const t2 = reg(st, load<u8>(e, E_RM));
  let status: u64 = 1;
  if (load<u64>(st, C_EXCL_ADDR) == addr && load<u32>(st, C_EXCL_SIZE) == <u32>(2 << es)) {
    if (es == 2) {
      const expect = load<u64>(st, C_EXCL_VAL);
      if (atomic.cmpxchg<u64>(p, expect, (t1 & 0xffffffff) | (t2 << 32)) == expect) status = 0;
    } else {
      lockPairs();
      if (atomic.load<u64>(p) == load<u64>(st, C_EXCL_VAL) && atomic.load<u64>(p + 8) == load<u64>(st, C_EXCL_VAL2)) {
        atomic.store<u64>(p, t1);
        atomic.store<u64>(p + 8, t2);
        status = 0;
      }
      unlockPairs();
    }
  }
  clearMonitor(st);
  setReg(st, load<u8>(e, E_RA), status);
  if (status == 0) noteStore(st, e, p, 2 << es);
  return CONTINUE;
}

/** LDAR/LDLAR (L set in the opcode) and STLR/STLLR. */
export function execOrdered(st: usize, e: usize, isLoad: bool): i32 {
  const size = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 1 << size, !isLoad, true);
  if (!p) return EXIT_DATA_ABORT;
  if (isLoad) setReg(st, load<u8>(e, E_RD), loadN(p, size));
  else storeN(p, reg(st, load<u8>(e, E_RD)), size);
  if (!isLoad) noteStore(st, e, p, 1 << size);
  return CONTINUE;
}

/** CAS family: compare Rs with memory, store Rt if equal; Rs receives the old value. */
export function execCas(st: usize, e: usize): i32 {
  const size = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 1 << size, true, true);
  if (!p) return EXIT_DATA_ABORT;
  const m = mask(size);
  const expected = reg(st, load<u8>(e, E_RM)) & m;
  const old = cmpxchgN(p, expected, reg(st, load<u8>(e, E_RD)), size);
  setReg(st, load<u8>(e, E_RA), old);
  if (old == expected) noteStore(st, e, p, 1 << size); // a failed compare writes nothing
  return CONTINUE;
}

/** CASP family on register pairs: rd = Rt, rm = Rs (architectural numbers), b0 = log2(element). */
export function execCasp(st: usize, e: usize): i32 {
  const es = <u32>load<u8>(e, E_B0);
  const rs = <u32>load<u8>(e, E_RM);
  const rt = <u32>load<u8>(e, E_RD);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 2 << es, true, true);
  if (!p) return EXIT_DATA_ABORT;
  const s1 = xr(st, rs), s2 = xr(st, rs + 1), t1 = xr(st, rt), t2 = xr(st, rt + 1);
  let o1: u64, o2: u64;
  let stored = false;
  if (es == 2) {
    const expected = (s1 & 0xffffffff) | (s2 << 32);
    const old = atomic.cmpxchg<u64>(p, expected, (t1 & 0xffffffff) | (t2 << 32));
    o1 = old & 0xffffffff;
    o2 = old >> 32;
    stored = old == expected;
  } else {
    lockPairs();
    o1 = atomic.load<u64>(p);
    o2 = atomic.load<u64>(p + 8);
    if (o1 == s1 && o2 == s2) {
      atomic.store<u64>(p, t1);
      atomic.store<u64>(p + 8, t2);
      stored = true;
    }
    unlockPairs();
  }
  if (stored) noteStore(st, e, p, 2 << es); // a failed compare writes nothing
  setXr(st, rs, o1);
  setXr(st, rs + 1, o2);
  return CONTINUE;
}

@inline function sextN(v: u64, size: u32): i64 {
  const sh = <u64>(64 - (8 << size));
  return <i64>(v << sh) >> sh;
}

/** LDADD/LDCLR/LDEOR/LDSET/LDSMAX/LDSMIN/LDUMAX/LDUMIN/SWP (aux = 0..8). */
export function execAtomic(st: usize, e: usize): i32 {
  const size = <u32>load<u8>(e, E_B0);
  const addr = reg(st, load<u8>(e, E_RN));
  const p = translate(st, addr, 1 << size, true, true);
  if (!p) return EXIT_DATA_ABORT;
  const m = mask(size);
  const v = reg(st, load<u8>(e, E_RM)) & m;
  const op = load<u32>(e, E_AUX);
  let old: u64 = 0;
  if (op == 0 && size == 3) old = atomic.add<u64>(p, v);
  else if (op == 8 && size == 3) old = atomic.xchg<u64>(p, v);
  else if (op == 0 && size == 2) old = <u64>atomic.add<u32>(p, <u32>v);
  else if (op == 8 && size == 2) old = <u64>atomic.xchg<u32>(p, <u32>v);
  else {
    while (true) {
      old = loadN(p, size);
      let nv: u64;
      switch (op) {
        case 0: nv = old + v; break;
        case 1: nv = old & ~v; break;
        case 2: nv = old ^ v; break;
        case 3: nv = old | v; break;
        case 4: nv = sextN(old, size) > sextN(v, size) ? old : v; break;
        case 5: nv = sextN(old, size) < sextN(v, size) ? old : v; break;
        case 6: nv = old > v ? old : v; break;
        case 7: nv = old < v ? old : v; break;
        default: nv = v;
      }
      if (cmpxchgN(p, old, nv & m, size) == old) break;
    }
  }
  setReg(st, load<u8>(e, E_RD), old);
  noteStore(st, e, p, 1 << size);
  return CONTINUE;
}

