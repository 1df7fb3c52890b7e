// The execute loop: step(cpu, budget) runs up to `budget` instructions of one
// CPU and returns why it stopped (EXIT_* in layout.ts).
//
// Fetch goes through the per-CPU decoded-instruction cache: an entry is used
// when its tag equals the PC and, with the coherent I-cache flag, when the
// word in RAM still equals the word it was decoded from. A miss decodes the
// word with the generated decoder.

import {
  CACHE_BASE, CACHE_BYTES, CACHE_ENTRIES, CPU_BASE, CPU_STRIDE, C_CACHE_MISSES, C_EL, C_EXC_INFO,
  C_EXC_WORD, C_EXIT, C_FAR, C_INSNS, C_NZCV, C_PC, C_RING, C_RING_POS, E_AUX, E_B0, E_B1, E_IMM,
  E_OP, E_RA, E_RD, E_RM, E_RN, E_WORD, EXIT_BRK, EXIT_BUDGET, EXIT_DATA_ABORT, EXIT_FETCH_ABORT,
  EXIT_HVC, EXIT_PC_ALIGN, EXIT_RESCAN, EXIT_STOP, EXIT_SVC, EXIT_UNDEF, EXIT_WFE, EXIT_WFI, FAULT_RANGE,
  FAULT_WRITE, MACHINE_BASE, MF_COHERENT_ICACHE, M_FLAGS, M_GUARD_HI, M_GUARD_LO, M_HI, M_LO, M_RAM_BASE, M_RAM_OFFSET,
  M_STOP, RING_SIZE, BT_BLOCK, BT_ENTRIES, BT_FN, BT_HEAT, BT_OFFSET, C_JIT_RETIRED, C_JIT_INSNS,
  JIT_NEXT_HEAD, JIT_NEXT_RESCAN, JIT_NEXT_STALE, M_JIT_THRESHOLD, C_STALE, C_SYNC_REQ, C_JIT_OWNER, C_TIMING, TM_OFFSET,
} from './layout';
import { tick, TICK_RUN, TICK_TIMER } from './timing';
import * as O from './ops';
import {
  adds32, adds64, clsW, clsX, condHolds, extend, logicFlags32, logicFlags64, rbit64, rev16_64,
  rev32_64, shift32, shift64, smulh, umulh,
} from './alu';
import { decodeWord } from './generated/decode';
import { clearBlocks, contextSync, noteStore } from './icache';
import { put, setTag } from './predecode';
import {
  clearMonitor, counter, execAtomic, execCas, execCasp, execLdxp, execLdxr, execOrdered, execStxp, execStxr,
  execSystem,
} from './system';
import { eret } from './exceptions';
import { sendEvent } from './gic';

// ---- register access through the decoded entry --------------------------------
@inline function slot(st: usize, e: usize, field: usize): usize { return st + (<usize>load<u8>(e + field) << 3); }
@inline function rN(st: usize, e: usize): u64 { return load<u64>(slot(st, e, E_RN)); }
@inline function rM(st: usize, e: usize): u64 { return load<u64>(slot(st, e, E_RM)); }
@inline function rA(st: usize, e: usize): u64 { return load<u64>(slot(st, e, E_RA)); }
@inline function rD(st: usize, e: usize): u64 { return load<u64>(slot(st, e, E_RD)); }
@inline function wD(st: usize, e: usize, v: u64): void { store<u64>(slot(st, e, E_RD), v); }
@inline function imm(e: usize): u64 { return load<u64>(e + E_IMM); }
@inline function b0(e: usize): u32 { return <u32>load<u8>(e + E_B0); }
@inline function b1(e: usize): u32 { return <u32>load<u8>(e + E_B1); }
@inline function nzcv(st: usize): u32 { return load<u32>(st + C_NZCV); }

/** Records a taken branch in the CPU's ring (pairs of from, to). */
@inline export function trace(st: usize, from: u64, to: u64): void {
  const pos = load<u32>(st + C_RING_POS);
  const p = st + C_RING + ((<usize>pos & (RING_SIZE / 2 - 1)) << 4);
  store<u64>(p, from);
  store<u64>(p + 8, to);
  store<u32>(st + C_RING_POS, pos + 1);
}

/** Leaves step(): saves the PC and the retired count. */
function finish(st: usize, pc: u64, reason: i32, retired: i32): i32 {
  store<u64>(st + C_PC, pc);
  store<u64>(st + C_INSNS, load<u64>(st + C_INSNS) + <u64>retired);
  store<u32>(st + C_EXIT, reason);
  return reason;
}

/** Stops at the instruction at pc for a reason that has C_FAR/C_EXC_INFO filled in. */
function abort(st: usize, pc: u64, retired: i32): i32 {
  return finish(st, pc, EXIT_DATA_ABORT, retired);
}

/** Stops at the instruction at pc with the entry's word recorded. */
function stopAt(st: usize, e: usize, pc: u64, reason: i32, retired: i32): i32 {
  store<u32>(st + C_EXC_WORD, load<u32>(e + E_WORD));
  store<u32>(st + C_EXC_INFO, load<u32>(e + E_AUX));
  return finish(st, pc, reason, retired);
}

// This instance's id (layout.ts M_JIT_INSTANCES): a Wasm global, so each
// instance over the shared memory has its own.
let jitOwner: u32 = 0;

/** Sets the id that marks block tables filled by this instance. */
export function setJitOwner(id: u32): void { jitOwner = id; }

/** Asks the host to translate the region at `pc` (bindings/jit): it fills block-table entries. */
@external("env", "jit_compile")
declare function jitCompile(cpu: i32, pc: u64): void;

/** Decodes `w` fetched at `pc` into entry e (UNDEF for unallocated words). */
export function fill(e: usize, pc: u64, w: u32): void {
  setTag(e, pc, w);
  if (decodeWord(w, pc, e) == 0) put(e, O.OP_UNDEF, 0, 0, 0, 0, 0, 0, 0, 0);
}

// ---- loads and stores ------------------------------------------------------------

/** Whether [a, a+size) touches the guard hole [glo, glo+gspan) (layout.ts M_GUARD_LO); never when gspan is 0. */
@inline function inGuard(a: u64, size: u64, glo: u64, gspan: u64): bool {
  return a - glo + (size - 1) < gspan + (size - 1);
}

/** Single-register load/store of access kind `kind` in addressing mode `mode` (ops.ts). */
@inline function ldst(st: usize, e: usize, mode: u32, kind: u32, lo: u64, span: u64, delta: u64, glo: u64, gspan: u64): bool {
  const base = rN(st, e);
  let a: u64;
  if (mode == O.LDST_MODE_POST) a = base;
  else if (mode == O.LDST_MODE_REG) a = base + extend(rM(st, e), b0(e), b1(e));
  else a = base + imm(e);
  const size: u64 = kind < 4 ? <u64>1 << kind : kind < 8 ? <u64>1 << (kind - 4) : kind == 8 || kind == 11 ? 1 : kind == 10 ? 4 : 2;
  if (a - lo > span - size || inGuard(a, size, glo, gspan)) {
    store<u64>(st + C_FAR, a);
    store<u32>(st + C_EXC_INFO, FAULT_RANGE | (kind < 4 ? FAULT_WRITE : 0));
    return false;
  }
  const p = <usize>(a + delta);
  switch (kind) {
    case 0: store<u8>(p, <u8>rD(st, e)); noteStore(st, e, p, 1); break;
    case 1: store<u16>(p, <u16>rD(st, e)); noteStore(st, e, p, 2); break;
    case 2: store<u32>(p, <u32>rD(st, e)); noteStore(st, e, p, 4); break;
    case 3: store<u64>(p, rD(st, e)); noteStore(st, e, p, 8); break;
    case 4: wD(st, e, <u64>load<u8>(p)); break;
    case 5: wD(st, e, <u64>load<u16>(p)); break;
    case 6: wD(st, e, <u64>load<u32>(p)); break;
    case 7: wD(st, e, load<u64>(p)); break;
    case 8: wD(st, e, <u64>load<i8>(p)); break;
    case 9: wD(st, e, <u64>load<i16>(p)); break;
    case 10: wD(st, e, <u64>load<i32>(p)); break;
    case 11: wD(st, e, <u64><u32>load<i8>(p)); break;
    default: wD(st, e, <u64><u32>load<i16>(p));
  }
  if (mode == O.LDST_MODE_PRE) store<u64>(slot(st, e, E_RN), a);
  else if (mode == O.LDST_MODE_POST) store<u64>(slot(st, e, E_RN), a + imm(e));
  return true;
}

/** Pair load/store: kinds 0 stp w, 1 stp x, 2 ldp w, 3 ldp x, 4 ldpsw; modes 0 offset, 1 pre, 2 post. */
@inline function pair(st: usize, e: usize, mode: u32, kind: u32, lo: u64, span: u64, delta: u64, glo: u64, gspan: u64): bool {
  const base = rN(st, e);
  const a: u64 = mode == 2 ? base : base + imm(e);
  const es: u64 = kind == 1 || kind == 3 ? 8 : 4;
  if (a - lo > span - (es << 1) || inGuard(a, es << 1, glo, gspan)) {
    store<u64>(st + C_FAR, a);
    store<u32>(st + C_EXC_INFO, FAULT_RANGE | (kind < 2 ? FAULT_WRITE : 0));
    return false;
  }
  const p = <usize>(a + delta);
  switch (kind) {
    case 0: store<u32>(p, <u32>rD(st, e)); store<u32>(p + 4, <u32>rA(st, e)); noteStore(st, e, p, 8); break;
    case 1: store<u64>(p, rD(st, e)); store<u64>(p + 8, rA(st, e)); noteStore(st, e, p, 16); break;
    case 2: wD(st, e, <u64>load<u32>(p)); store<u64>(slot(st, e, E_RA), <u64>load<u32>(p + 4)); break;
    case 3: wD(st, e, load<u64>(p)); store<u64>(slot(st, e, E_RA), load<u64>(p + 8)); break;
    default: wD(st, e, <u64>load<i32>(p)); store<u64>(slot(st, e, E_RA), <u64>load<i32>(p + 4));
  }
  if (mode == 1) store<u64>(slot(st, e, E_RN), a);
  else if (mode == 2) store<u64>(slot(st, e, E_RN), a + imm(e));
  return true;
}

/** Literal load: the entry's imm is the absolute address. */
@inline function ldrLit(st: usize, e: usize, size: u64, lo: u64, span: u64, delta: u64, glo: u64, gspan: u64): usize {
  const a = imm(e);
  if (a - lo > span - size || inGuard(a, size, glo, gspan)) {
    store<u64>(st + C_FAR, a);
    store<u32>(st + C_EXC_INFO, FAULT_RANGE);
    return 0;
  }
  return <usize>(a + delta);
}

// ---- the loop --------------------------------------------------------------------

export function step(cpu: i32, budget: i32): i32 {
  const st = <usize>CPU_BASE + <usize>cpu * <usize>CPU_STRIDE;
  const cache = <usize>CACHE_BASE + <usize>cpu * <usize>CACHE_BYTES;
  const lo = load<u64>(MACHINE_BASE + M_LO);
  const span = load<u64>(MACHINE_BASE + M_HI) - lo;
  const glo = load<u64>(MACHINE_BASE + M_GUARD_LO);
  const gspan = load<u64>(MACHINE_BASE + M_GUARD_HI) - glo;
  const delta: u64 = <u64>load<u32>(MACHINE_BASE + M_RAM_OFFSET) - load<u64>(MACHINE_BASE + M_RAM_BASE);
  const coherent = (load<u32>(MACHINE_BASE + M_FLAGS) & MF_COHERENT_ICACHE) != 0;
  let pc = load<u64>(st + C_PC);
  if (atomic.load<u32>(MACHINE_BASE + M_STOP) != 0) return finish(st, pc, EXIT_STOP, 0);
  if (atomic.load<u32>(st + C_SYNC_REQ) != 0) contextSync(st, cache);
  let left = budget;
  // Under a cycle model every instruction ticks the model (translated code has its ticks inline).
  const timed = load<u32>(st + C_TIMING) != 0;
  const tm = cache + TM_OFFSET;
  // Block heads (after a branch, after an instruction the translator leaves
  // to the interpreter, at entry) are looked up in the block table.
  const threshold = load<u32>(MACHINE_BASE + M_JIT_THRESHOLD);
  const jit = threshold != 0;
  const bt = cache + BT_OFFSET;
  let head = jit;
  if (jit && load<u32>(st + C_JIT_OWNER) != jitOwner) {
    clearBlocks(cache); // another instance translated for this CPU: its functions are not in our table
    store<u32>(st + C_JIT_OWNER, jitOwner);
  }
  while (left > 0) {
    if (head) {
      head = false;
      const b = bt + ((<usize>(<u32>pc >> 2) & (BT_ENTRIES - 1)) << 4);
      if (load<u64>(b) == pc) {
        const f = load<u32>(b + BT_FN);
        if (f != 0) {
          const r = call_indirect<u64>(f, st, <i32>load<u16>(b + BT_BLOCK), left);
          const retired = load<i32>(st + C_JIT_RETIRED);
          left -= retired;
          store<u64>(st + C_JIT_INSNS, load<u64>(st + C_JIT_INSNS) + <u64>retired);
          pc = r & ~<u64>3;
          const how = <u32>r & 3;
          if (how == JIT_NEXT_HEAD) head = true;
          else if (how == JIT_NEXT_RESCAN) return finish(st, pc, EXIT_RESCAN, budget - left);
          else if (how == JIT_NEXT_STALE) {
            const s = bt + ((<usize>(<u32>pc >> 2) & (BT_ENTRIES - 1)) << 4);
            if (load<u64>(s) == pc) store<u32>(s + BT_FN, 0);
          }
          continue;
        }
        const heat = <u32>load<u16>(b + BT_HEAT) + 1;
        if (heat <= 0xffff) store<u16>(b + BT_HEAT, <u16>heat);
        if (heat == threshold) {
          jitCompile(cpu, pc);
          if (load<u64>(b) == pc && load<u32>(b + BT_FN) != 0) { head = true; continue; }
        }
      } else {
        store<u64>(b, pc);
        store<u64>(b + BT_FN, <u64>1 << 48); // no function, block 0, heat 1
        if (threshold == 1) {
          jitCompile(cpu, pc);
          if (load<u64>(b) == pc && load<u32>(b + BT_FN) != 0) { head = true; continue; }
        }
      }
    }
    const e: usize = cache + ((<usize>(<u32>pc >> 2) & (CACHE_ENTRIES - 1)) << 5);
    if (load<u64>(e) != pc) {
      if (pc - lo > span - 4 || inGuard(pc, 4, glo, gspan)) {
        store<u64>(st + C_FAR, pc);
        return finish(st, pc, EXIT_FETCH_ABORT, budget - left);
      }
      fill(e, pc, load<u32>(<usize>(pc + delta)));
      store<u64>(st + C_CACHE_MISSES, load<u64>(st + C_CACHE_MISSES) + 1);
    } else {
      // The cached word against memory: the coherent model refetches, the
      // architectural one runs the cached instruction and counts it stale.
      const w = load<u32>(<usize>(pc + delta));
      if (w != load<u32>(e + E_WORD)) {
        if (coherent) {
          fill(e, pc, w);
          store<u64>(st + C_CACHE_MISSES, load<u64>(st + C_CACHE_MISSES) + 1);
        } else {
          store<u64>(st + C_STALE, load<u64>(st + C_STALE) + 1);
        }
      }
    }
    if (timed) {
      const k = tick(st, tm, e, pc);
      if (k != TICK_RUN) return finish(st, pc, k == TICK_TIMER ? EXIT_RESCAN : EXIT_BUDGET, budget - left);
    }
    left--;
    switch (<u32>load<u16>(e + E_OP)) {
      case O.OP_UNDEF: return stopAt(st, e, pc, EXIT_UNDEF, budget - left - 1);
      case O.OP_NOP: pc += 4; break;
      case O.OP_MOVI: wD(st, e, imm(e)); pc += 4; break;
      case O.OP_MOVK_X: wD(st, e, (rD(st, e) & ~(<u64>0xffff << b0(e))) | imm(e)); pc += 4; break;
      case O.OP_MOVK_W: wD(st, e, ((rD(st, e) & ~(<u64>0xffff << b0(e))) | imm(e)) & 0xffffffff); pc += 4; break;
      case O.OP_ADDI_X: wD(st, e, rN(st, e) + imm(e)); pc += 4; break;
      case O.OP_ADDI_W: wD(st, e, (rN(st, e) + imm(e)) & 0xffffffff); pc += 4; break;
      case O.OP_ADDSI_X: wD(st, e, adds64(st, rN(st, e), imm(e), 0)); pc += 4; break;
      case O.OP_ADDSI_W: wD(st, e, adds32(st, rN(st, e), imm(e), 0)); pc += 4; break;
      case O.OP_SUBSI_X: wD(st, e, adds64(st, rN(st, e), ~imm(e), 1)); pc += 4; break;
      case O.OP_SUBSI_W: wD(st, e, adds32(st, rN(st, e), ~imm(e), 1)); pc += 4; break;
      case O.OP_ANDI: wD(st, e, rN(st, e) & imm(e)); pc += 4; break;
      case O.OP_ORRI_X: wD(st, e, rN(st, e) | imm(e)); pc += 4; break;
      case O.OP_ORRI_W: wD(st, e, (rN(st, e) | imm(e)) & 0xffffffff); pc += 4; break;
      case O.OP_EORI_X: wD(st, e, rN(st, e) ^ imm(e)); pc += 4; break;
      case O.OP_EORI_W: wD(st, e, (rN(st, e) ^ imm(e)) & 0xffffffff); pc += 4; break;
      case O.OP_ANDSI_X: wD(st, e, logicFlags64(st, rN(st, e) & imm(e))); pc += 4; break;
      case O.OP_ANDSI_W: wD(st, e, logicFlags32(st, rN(st, e) & imm(e))); pc += 4; break;
      case O.OP_UBFM_X: wD(st, e, (rN(st, e) << b0(e)) >> b1(e)); pc += 4; break;
      case O.OP_UBFM_W: wD(st, e, <u64>((<u32>rN(st, e) << b0(e)) >> b1(e))); pc += 4; break;
      case O.OP_SBFM_X: wD(st, e, <u64>(<i64>(rN(st, e) << b0(e)) >> b1(e))); pc += 4; break;
      case O.OP_SBFM_W: wD(st, e, <u64><u32>(<i32>(<u32>rN(st, e) << b0(e)) >> b1(e))); pc += 4; break;
      case O.OP_BFM_X: {
        const m = imm(e) << b1(e);
        wD(st, e, (rD(st, e) & ~m) | (((rN(st, e) >> b0(e)) << b1(e)) & m));
        pc += 4; break;
      }
      case O.OP_BFM_W: {
        const m = imm(e) << b1(e);
        wD(st, e, ((rD(st, e) & ~m) | ((((rN(st, e) & 0xffffffff) >> b0(e)) << b1(e)) & m)) & 0xffffffff);
        pc += 4; break;
      }
      case O.OP_EXTR_X: {
        const lsb = b0(e);
        wD(st, e, lsb == 0 ? rM(st, e) : (rM(st, e) >> lsb) | (rN(st, e) << (64 - lsb)));
        pc += 4; break;
      }
      case O.OP_EXTR_W: {
        const lsb = b0(e);
        const cat = ((rN(st, e) & 0xffffffff) << 32) | (rM(st, e) & 0xffffffff);
        wD(st, e, (cat >> lsb) & 0xffffffff);
        pc += 4; break;
      }

      // ---- branches
      case O.OP_B: { head = jit; const t = imm(e); trace(st, pc, t); pc = t; break; }
      case O.OP_BL: { head = jit;
        const t = imm(e);
        store<u64>(st + 30 * 8, pc + 4);
        trace(st, pc, t);
        pc = t; break;
      }
      case O.OP_BCOND: { head = jit;
        if (condHolds(nzcv(st), b0(e))) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4;
        break;
      }
      case O.OP_CBZ_X: { head = jit; if (rD(st, e) == 0) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4; break; }
      case O.OP_CBNZ_X: { head = jit; if (rD(st, e) != 0) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4; break; }
      case O.OP_CBZ_W: { head = jit; if (<u32>rD(st, e) == 0) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4; break; }
      case O.OP_CBNZ_W: { head = jit; if (<u32>rD(st, e) != 0) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4; break; }
      case O.OP_TBZ: { head = jit; if (((rD(st, e) >> b0(e)) & 1) == 0) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4; break; }
      case O.OP_TBNZ: { head = jit; if (((rD(st, e) >> b0(e)) & 1) != 0) { const t = imm(e); trace(st, pc, t); pc = t; } else pc += 4; break; }
      case O.OP_BR:
      case O.OP_RET: {
        head = jit;
        const t = rN(st, e);
        trace(st, pc, t);
        pc = t;
        if (t & 3) { store<u64>(st + C_FAR, t); return finish(st, t, EXIT_PC_ALIGN, budget - left); }
        break;
      }
      case O.OP_BLR: { head = jit;
        const t = rN(st, e);
        store<u64>(st + 30 * 8, pc + 4);
        trace(st, pc, t);
        pc = t;
        if (t & 3) { store<u64>(st + C_FAR, t); return finish(st, t, EXIT_PC_ALIGN, budget - left); }
        break;
      }

      // ---- exceptions and system
      case O.OP_SVC: store<u32>(st + C_EXC_INFO, load<u32>(e + E_AUX)); return finish(st, pc + 4, EXIT_SVC, budget - left);
      case O.OP_HVC: {
        if (load<u32>(st + C_EL) == 0) return stopAt(st, e, pc, EXIT_UNDEF, budget - left - 1);
        store<u32>(st + C_EXC_INFO, load<u32>(e + E_AUX));
        return finish(st, pc + 4, EXIT_HVC, budget - left);
      }
      case O.OP_BRK: return stopAt(st, e, pc, EXIT_BRK, budget - left - 1);
      case O.OP_WFI: return finish(st, pc + 4, EXIT_WFI, budget - left);
      case O.OP_WFE: return finish(st, pc + 4, EXIT_WFE, budget - left);
      case O.OP_SEV: sendEvent(st, b0(e) != 0, counter(st, <u64>(budget - left))); pc += 4; head = jit; break;
      case O.OP_CLREX: clearMonitor(st); pc += 4; head = jit; break;
      case O.OP_ISB: contextSync(st, cache); pc += 4; head = jit; break;
      case O.OP_ERET: {
        if (load<u32>(st + C_EL) == 0) return stopAt(st, e, pc, EXIT_UNDEF, budget - left - 1);
        const t = eret(st);
        contextSync(st, cache);
        trace(st, pc, t);
        if (t & 3) { store<u64>(st + C_FAR, t); return finish(st, t, EXIT_PC_ALIGN, budget - left); }
        return finish(st, t, EXIT_RESCAN, budget - left);
      }
      case O.OP_SYSTEM: {
        const r = execSystem(st, e, <u64>(budget - left - 1));
        if (r == EXIT_UNDEF) return stopAt(st, e, pc, EXIT_UNDEF, budget - left - 1);
        if (r == EXIT_RESCAN) return finish(st, pc + 4, r, budget - left);
        if (r >= 0) return finish(st, pc, r, budget - left - 1);
        pc += 4; head = jit; break;
      }

      // ---- loads and stores (op = 64 + mode * 13 + kind; pairs 120 + mode * 5 + kind)
      case 64: if (!ldst(st, e, 0, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strb [rn, #imm]
      case 65: if (!ldst(st, e, 0, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strh [rn, #imm]
      case 66: if (!ldst(st, e, 0, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str w [rn, #imm]
      case 67: if (!ldst(st, e, 0, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str x [rn, #imm]
      case 68: if (!ldst(st, e, 0, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrb [rn, #imm]
      case 69: if (!ldst(st, e, 0, 5, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrh [rn, #imm]
      case 70: if (!ldst(st, e, 0, 6, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr w [rn, #imm]
      case 71: if (!ldst(st, e, 0, 7, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr x [rn, #imm]
      case 72: if (!ldst(st, e, 0, 8, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb x [rn, #imm]
      case 73: if (!ldst(st, e, 0, 9, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh x [rn, #imm]
      case 74: if (!ldst(st, e, 0, 10, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsw [rn, #imm]
      case 75: if (!ldst(st, e, 0, 11, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb w [rn, #imm]
      case 76: if (!ldst(st, e, 0, 12, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh w [rn, #imm]
      case 77: if (!ldst(st, e, 1, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strb [rn, #imm]!
      case 78: if (!ldst(st, e, 1, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strh [rn, #imm]!
      case 79: if (!ldst(st, e, 1, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str w [rn, #imm]!
      case 80: if (!ldst(st, e, 1, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str x [rn, #imm]!
      case 81: if (!ldst(st, e, 1, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrb [rn, #imm]!
      case 82: if (!ldst(st, e, 1, 5, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrh [rn, #imm]!
      case 83: if (!ldst(st, e, 1, 6, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr w [rn, #imm]!
      case 84: if (!ldst(st, e, 1, 7, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr x [rn, #imm]!
      case 85: if (!ldst(st, e, 1, 8, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb x [rn, #imm]!
      case 86: if (!ldst(st, e, 1, 9, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh x [rn, #imm]!
      case 87: if (!ldst(st, e, 1, 10, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsw [rn, #imm]!
      case 88: if (!ldst(st, e, 1, 11, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb w [rn, #imm]!
      case 89: if (!ldst(st, e, 1, 12, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh w [rn, #imm]!
      case 90: if (!ldst(st, e, 2, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strb [rn], #imm
      case 91: if (!ldst(st, e, 2, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strh [rn], #imm
      case 92: if (!ldst(st, e, 2, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str w [rn], #imm
      case 93: if (!ldst(st, e, 2, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str x [rn], #imm
      case 94: if (!ldst(st, e, 2, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrb [rn], #imm
      case 95: if (!ldst(st, e, 2, 5, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrh [rn], #imm
      case 96: if (!ldst(st, e, 2, 6, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr w [rn], #imm
      case 97: if (!ldst(st, e, 2, 7, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr x [rn], #imm
      case 98: if (!ldst(st, e, 2, 8, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb x [rn], #imm
      case 99: if (!ldst(st, e, 2, 9, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh x [rn], #imm
      case 100: if (!ldst(st, e, 2, 10, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsw [rn], #imm
      case 101: if (!ldst(st, e, 2, 11, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb w [rn], #imm
      case 102: if (!ldst(st, e, 2, 12, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh w [rn], #imm
      case 103: if (!ldst(st, e, 3, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strb [rn, rm, ext]
      case 104: if (!ldst(st, e, 3, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // strh [rn, rm, ext]
      case 105: if (!ldst(st, e, 3, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str w [rn, rm, ext]
      case 106: if (!ldst(st, e, 3, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // str x [rn, rm, ext]
      case 107: if (!ldst(st, e, 3, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrb [rn, rm, ext]
      case 108: if (!ldst(st, e, 3, 5, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrh [rn, rm, ext]
      case 109: if (!ldst(st, e, 3, 6, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr w [rn, rm, ext]
      case 110: if (!ldst(st, e, 3, 7, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldr x [rn, rm, ext]
      case 111: if (!ldst(st, e, 3, 8, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb x [rn, rm, ext]
      case 112: if (!ldst(st, e, 3, 9, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh x [rn, rm, ext]
      case 113: if (!ldst(st, e, 3, 10, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsw [rn, rm, ext]
      case 114: if (!ldst(st, e, 3, 11, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsb w [rn, rm, ext]
      case 115: if (!ldst(st, e, 3, 12, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldrsh w [rn, rm, ext]
      case 120: if (!pair(st, e, 0, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // stp w [rn, #imm]
      case 121: if (!pair(st, e, 0, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // stp x [rn, #imm]
      case 122: if (!pair(st, e, 0, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldp w [rn, #imm]
      case 123: if (!pair(st, e, 0, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldp x [rn, #imm]
      case 124: if (!pair(st, e, 0, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldpsw [rn, #imm]
      case 125: if (!pair(st, e, 1, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // stp w [rn, #imm]!
      case 126: if (!pair(st, e, 1, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // stp x [rn, #imm]!
      case 127: if (!pair(st, e, 1, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldp w [rn, #imm]!
      case 128: if (!pair(st, e, 1, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldp x [rn, #imm]!
      case 129: if (!pair(st, e, 1, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldpsw [rn, #imm]!
      case 130: if (!pair(st, e, 2, 0, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // stp w [rn], #imm
      case 131: if (!pair(st, e, 2, 1, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // stp x [rn], #imm
      case 132: if (!pair(st, e, 2, 2, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldp w [rn], #imm
      case 133: if (!pair(st, e, 2, 3, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldp x [rn], #imm
      case 134: if (!pair(st, e, 2, 4, lo, span, delta, glo, gspan)) return abort(st, pc, budget - left - 1); pc += 4; break; // ldpsw [rn], #imm
      case O.OP_LDR_LIT_W: {
        const p = ldrLit(st, e, 4, lo, span, delta, glo, gspan);
        if (!p) return abort(st, pc, budget - left - 1);
        wD(st, e, <u64>load<u32>(p)); pc += 4; break;
      }
      case O.OP_LDR_LIT_X: {
        const p = ldrLit(st, e, 8, lo, span, delta, glo, gspan);
        if (!p) return abort(st, pc, budget - left - 1);
        wD(st, e, load<u64>(p)); pc += 4; break;
      }
      case O.OP_LDRSW_LIT: {
        const p = ldrLit(st, e, 4, lo, span, delta, glo, gspan);
        if (!p) return abort(st, pc, budget - left - 1);
        wD(st, e, <u64>load<i32>(p)); pc += 4; break;
      }
      case O.OP_LDXR: if (execLdxr(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_STXR: if (execStxr(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_LDXP: if (execLdxp(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_STXP: if (execStxp(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_LDAR: if (execOrdered(st, e, true) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_STLR: if (execOrdered(st, e, false) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_CAS: if (execCas(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_CASP: if (execCasp(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;
      case O.OP_ATOMIC: if (execAtomic(st, e) >= 0) return abort(st, pc, budget - left - 1); pc += 4; head = jit; break;

      // ---- data processing (register)
      case O.OP_UDIV_X: { const d = rM(st, e); wD(st, e, d == 0 ? 0 : rN(st, e) / d); pc += 4; break; }
      case O.OP_UDIV_W: { const d = <u32>rM(st, e); wD(st, e, d == 0 ? 0 : <u64>(<u32>rN(st, e) / d)); pc += 4; break; }
      case O.OP_SDIV_X: {
        const n = <i64>rN(st, e), d = <i64>rM(st, e);
        wD(st, e, d == 0 ? 0 : d == -1 ? <u64>(0 - n) : <u64>(n / d));
        pc += 4; break;
      }
      case O.OP_SDIV_W: {
        const n = <i32>rN(st, e), d = <i32>rM(st, e);
        wD(st, e, <u64><u32>(d == 0 ? 0 : d == -1 ? 0 - n : n / d));
        pc += 4; break;
      }
      case O.OP_LSLV_X: wD(st, e, rN(st, e) << (rM(st, e) & 63)); pc += 4; break;
      case O.OP_LSLV_W: wD(st, e, <u64>(<u32>rN(st, e) << (<u32>rM(st, e) & 31))); pc += 4; break;
      case O.OP_LSRV_X: wD(st, e, rN(st, e) >> (rM(st, e) & 63)); pc += 4; break;
      case O.OP_LSRV_W: wD(st, e, <u64>(<u32>rN(st, e) >> (<u32>rM(st, e) & 31))); pc += 4; break;
      case O.OP_ASRV_X: wD(st, e, <u64>(<i64>rN(st, e) >> (rM(st, e) & 63))); pc += 4; break;
      case O.OP_ASRV_W: wD(st, e, <u64><u32>(<i32>rN(st, e) >> (<i32>rM(st, e) & 31))); pc += 4; break;
      case O.OP_RORV_X: wD(st, e, rotr<u64>(rN(st, e), rM(st, e) & 63)); pc += 4; break;
      case O.OP_RORV_W: wD(st, e, <u64>rotr<u32>(<u32>rN(st, e), <u32>rM(st, e) & 31)); pc += 4; break;
      case O.OP_CRC32: {
        // Bit-reflected CRC, as the Arm pseudocode's BitReverse(Poly32Mod2(...)): no inversion in or out.
        const poly: u32 = b1(e) ? 0x82f63b78 : 0xedb88320;
        let crc = <u32>rN(st, e);
        const v = rM(st, e);
        const bytes: u32 = 1 << b0(e);
        for (let k: u32 = 0; k < bytes; k++) {
          crc ^= <u32>(v >> (<u64>k * 8)) & 0xff;
          for (let b = 0; b < 8; b++) crc = (crc >>> 1) ^ (poly & (0 - (crc & 1)));
        }
        wD(st, e, <u64>crc);
        pc += 4;
        break;
      }
      case O.OP_RBIT_X: wD(st, e, rbit64(rN(st, e))); pc += 4; head = jit; break;
      case O.OP_RBIT_W: wD(st, e, rbit64(rN(st, e)) >> 32); pc += 4; head = jit; break;
      case O.OP_REV16_X: wD(st, e, rev16_64(rN(st, e))); pc += 4; head = jit; break;
      case O.OP_REV16_W: wD(st, e, rev16_64(rN(st, e)) & 0xffffffff); pc += 4; head = jit; break;
      case O.OP_REV32_X: wD(st, e, rev32_64(rN(st, e))); pc += 4; head = jit; break;
      case O.OP_REV_W: wD(st, e, <u64>bswap<u32>(<u32>rN(st, e))); pc += 4; head = jit; break;
      case O.OP_REV_X: wD(st, e, bswap<u64>(rN(st, e))); pc += 4; head = jit; break;
      case O.OP_CLZ_X: wD(st, e, clz<u64>(rN(st, e))); pc += 4; break;
      case O.OP_CLZ_W: wD(st, e, <u64>clz<u32>(<u32>rN(st, e))); pc += 4; break;
      case O.OP_CLS_X: wD(st, e, clsX(rN(st, e))); pc += 4; head = jit; break;
      case O.OP_CLS_W: wD(st, e, clsW(<u32>rN(st, e))); pc += 4; head = jit; break;

      case O.OP_AND_X: wD(st, e, rN(st, e) & shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_AND_W: wD(st, e, rN(st, e) & shift32(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_BIC_X: wD(st, e, rN(st, e) & ~shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_BIC_W: wD(st, e, rN(st, e) & ~shift32(rM(st, e), b0(e), b1(e)) & 0xffffffff); pc += 4; break;
      case O.OP_ORR_X: wD(st, e, rN(st, e) | shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_ORR_W: wD(st, e, (rN(st, e) | shift32(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_ORN_X: wD(st, e, rN(st, e) | ~shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_ORN_W: wD(st, e, (rN(st, e) | ~shift32(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_EOR_X: wD(st, e, rN(st, e) ^ shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_EOR_W: wD(st, e, (rN(st, e) ^ shift32(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_EON_X: wD(st, e, rN(st, e) ^ ~shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_EON_W: wD(st, e, (rN(st, e) ^ ~shift32(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_ANDS_X: wD(st, e, logicFlags64(st, rN(st, e) & shift64(rM(st, e), b0(e), b1(e)))); pc += 4; break;
      case O.OP_ANDS_W: wD(st, e, logicFlags32(st, rN(st, e) & shift32(rM(st, e), b0(e), b1(e)))); pc += 4; break;
      case O.OP_BICS_X: wD(st, e, logicFlags64(st, rN(st, e) & ~shift64(rM(st, e), b0(e), b1(e)))); pc += 4; break;
      case O.OP_BICS_W: wD(st, e, logicFlags32(st, rN(st, e) & ~shift32(rM(st, e), b0(e), b1(e)))); pc += 4; break;
      case O.OP_ADD_X: wD(st, e, rN(st, e) + shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_ADD_W: wD(st, e, (rN(st, e) + shift32(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_ADDS_X: wD(st, e, adds64(st, rN(st, e), shift64(rM(st, e), b0(e), b1(e)), 0)); pc += 4; break;
      case O.OP_ADDS_W: wD(st, e, adds32(st, rN(st, e), shift32(rM(st, e), b0(e), b1(e)), 0)); pc += 4; break;
      case O.OP_SUB_X: wD(st, e, rN(st, e) - shift64(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_SUB_W: wD(st, e, (rN(st, e) - shift32(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_SUBS_X: wD(st, e, adds64(st, rN(st, e), ~shift64(rM(st, e), b0(e), b1(e)), 1)); pc += 4; break;
      case O.OP_SUBS_W: wD(st, e, adds32(st, rN(st, e), ~shift32(rM(st, e), b0(e), b1(e)), 1)); pc += 4; break;
      case O.OP_MOV_X: wD(st, e, rM(st, e)); pc += 4; break;
      case O.OP_MOV_W: wD(st, e, rM(st, e) & 0xffffffff); pc += 4; break;
      case O.OP_ADDE_X: wD(st, e, rN(st, e) + extend(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_ADDE_W: wD(st, e, (rN(st, e) + extend(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_ADDSE_X: wD(st, e, adds64(st, rN(st, e), extend(rM(st, e), b0(e), b1(e)), 0)); pc += 4; break;
      case O.OP_ADDSE_W: wD(st, e, adds32(st, rN(st, e), extend(rM(st, e), b0(e), b1(e)), 0)); pc += 4; break;
      case O.OP_SUBE_X: wD(st, e, rN(st, e) - extend(rM(st, e), b0(e), b1(e))); pc += 4; break;
      case O.OP_SUBE_W: wD(st, e, (rN(st, e) - extend(rM(st, e), b0(e), b1(e))) & 0xffffffff); pc += 4; break;
      case O.OP_SUBSE_X: wD(st, e, adds64(st, rN(st, e), ~extend(rM(st, e), b0(e), b1(e)), 1)); pc += 4; break;
      case O.OP_SUBSE_W: wD(st, e, adds32(st, rN(st, e), ~extend(rM(st, e), b0(e), b1(e)), 1)); pc += 4; break;
      case O.OP_ADC_X: wD(st, e, rN(st, e) + rM(st, e) + <u64>((nzcv(st) >> 29) & 1)); pc += 4; break;
      case O.OP_ADC_W: wD(st, e, (rN(st, e) + rM(st, e) + <u64>((nzcv(st) >> 29) & 1)) & 0xffffffff); pc += 4; break;
      case O.OP_ADCS_X: wD(st, e, adds64(st, rN(st, e), rM(st, e), <u64>((nzcv(st) >> 29) & 1))); pc += 4; break;
      case O.OP_ADCS_W: wD(st, e, adds32(st, rN(st, e), rM(st, e), (nzcv(st) >> 29) & 1)); pc += 4; break;
      case O.OP_SBC_X: wD(st, e, rN(st, e) + ~rM(st, e) + <u64>((nzcv(st) >> 29) & 1)); pc += 4; break;
      case O.OP_SBC_W: wD(st, e, (rN(st, e) + ~rM(st, e) + <u64>((nzcv(st) >> 29) & 1)) & 0xffffffff); pc += 4; break;
      case O.OP_SBCS_X: wD(st, e, adds64(st, rN(st, e), ~rM(st, e), <u64>((nzcv(st) >> 29) & 1))); pc += 4; break;
      case O.OP_SBCS_W: wD(st, e, adds32(st, rN(st, e), ~rM(st, e), (nzcv(st) >> 29) & 1)); pc += 4; break;

      case O.OP_CCMN_X:
      case O.OP_CCMN_W:
      case O.OP_CCMP_X:
      case O.OP_CCMP_W:
      case O.OP_CCMNI_X:
      case O.OP_CCMNI_W:
      case O.OP_CCMPI_X:
      case O.OP_CCMPI_W: {
        const op = <u32>load<u16>(e + E_OP) - O.OP_CCMN_X; // bit 0 W, bit 1 compare, bit 2 immediate
        if (condHolds(nzcv(st), b0(e))) {
          const b = op & 4 ? imm(e) : rM(st, e);
          const sub = (op & 2) != 0;
          if (op & 1) adds32(st, rN(st, e), sub ? ~b : b, sub ? 1 : 0);
          else adds64(st, rN(st, e), sub ? ~b : b, sub ? 1 : 0);
        } else {
          store<u32>(st + C_NZCV, b1(e) << 28);
        }
        pc += 4; break;
      }
      case O.OP_CSEL_X: wD(st, e, condHolds(nzcv(st), b0(e)) ? rN(st, e) : rM(st, e)); pc += 4; break;
      case O.OP_CSEL_W: wD(st, e, (condHolds(nzcv(st), b0(e)) ? rN(st, e) : rM(st, e)) & 0xffffffff); pc += 4; break;
      case O.OP_CSINC_X: wD(st, e, condHolds(nzcv(st), b0(e)) ? rN(st, e) : rM(st, e) + 1); pc += 4; break;
      case O.OP_CSINC_W: wD(st, e, (condHolds(nzcv(st), b0(e)) ? rN(st, e) : rM(st, e) + 1) & 0xffffffff); pc += 4; break;
      case O.OP_CSINV_X: wD(st, e, condHolds(nzcv(st), b0(e)) ? rN(st, e) : ~rM(st, e)); pc += 4; break;
      case O.OP_CSINV_W: wD(st, e, (condHolds(nzcv(st), b0(e)) ? rN(st, e) : ~rM(st, e)) & 0xffffffff); pc += 4; break;
      case O.OP_CSNEG_X: wD(st, e, condHolds(nzcv(st), b0(e)) ? rN(st, e) : 0 - rM(st, e)); pc += 4; break;
      case O.OP_CSNEG_W: wD(st, e, (condHolds(nzcv(st), b0(e)) ? rN(st, e) : 0 - rM(st, e)) & 0xffffffff); pc += 4; break;

      case O.OP_MADD_X: wD(st, e, rA(st, e) + rN(st, e) * rM(st, e)); pc += 4; break;
      case O.OP_MADD_W: wD(st, e, (rA(st, e) + rN(st, e) * rM(st, e)) & 0xffffffff); pc += 4; break;
      case O.OP_MSUB_X: wD(st, e, rA(st, e) - rN(st, e) * rM(st, e)); pc += 4; break;
      case O.OP_MSUB_W: wD(st, e, (rA(st, e) - rN(st, e) * rM(st, e)) & 0xffffffff); pc += 4; break;
      case O.OP_MUL_X: wD(st, e, rN(st, e) * rM(st, e)); pc += 4; break;
      case O.OP_MUL_W: wD(st, e, (rN(st, e) * rM(st, e)) & 0xffffffff); pc += 4; break;
      case O.OP_SMADDL: wD(st, e, rA(st, e) + <u64>(<i64><i32>rN(st, e) * <i64><i32>rM(st, e))); pc += 4; break;
      case O.OP_SMSUBL: wD(st, e, rA(st, e) - <u64>(<i64><i32>rN(st, e) * <i64><i32>rM(st, e))); pc += 4; break;
      case O.OP_UMADDL: wD(st, e, rA(st, e) + (rN(st, e) & 0xffffffff) * (rM(st, e) & 0xffffffff)); pc += 4; break;
      case O.OP_UMSUBL: wD(st, e, rA(st, e) - (rN(st, e) & 0xffffffff) * (rM(st, e) & 0xffffffff)); pc += 4; break;
      case O.OP_SMULH: wD(st, e, smulh(rN(st, e), rM(st, e))); pc += 4; break;
      case O.OP_UMULH: wD(st, e, umulh(rN(st, e), rM(st, e))); pc += 4; break;

      default: return stopAt(st, e, pc, EXIT_UNDEF, budget - left - 1);
    }
  }
  return finish(st, pc, EXIT_BUDGET, budget - left);
}
