// Exceptions at EL1: PSTATE as SPSR_EL1 stores it, the banked stack pointers,
// the syndrome of each synchronous exception, vector entry and ERET.
//
// The execute loop (cpu.ts) reports every fault the way it always has, by
// leaving with an EXIT_* reason and C_FAR/C_EXC_INFO filled in. exitHook()
// (called by step.ts on that exit) turns the reason into an ESR-style syndrome
// (C_SYNDROME) and, when the CPU has a vector table (VBAR_EL1 != 0), takes the
// exception instead of leaving step(). Without a vector table (the user
// profile, or a kernel before it sets VBAR_EL1) the exit reaches the host,
// which prints an oops.
//
// Vector offsets: +0x000 current EL on SP_EL0, +0x200 current EL on SP_EL1,
// +0x400 from EL0 (AArch64); +0x000 synchronous, +0x080 IRQ within each.

import {
  C_DAIF, C_EL, C_ELR_EL1, C_ESR_EL1, C_EXC_INFO, C_EXCEPTIONS, C_FAR, C_FAR_EL1,
  C_IRQS, C_NZCV, C_PC, C_PSTATE_IL, C_SP, C_SP_EL0, C_SP_EL1, C_SPSEL, C_SPSR_EL1, C_SYNDROME,
  C_VBAR_EL1, DAIF_ALL, EC_BRK64, EC_DABT_CUR, EC_DABT_LOW, EC_IABT_CUR, EC_IABT_LOW, EC_ILLEGAL,
  EC_PC_ALIGN, EC_SVC64, EC_UNKNOWN, EXIT_BRK, EXIT_DATA_ABORT, EXIT_FETCH_ABORT, EXIT_HVC,
  EXIT_PC_ALIGN, EXIT_RESCAN, EXIT_SVC, EXIT_UNDEF, EXIT_WFE, EXIT_WFI, FAULT_ALIGN, FAULT_WRITE,
  FSC_ALIGN, FSC_EXTERNAL, CACHE_BASE, CACHE_BYTES, C_CPU_INDEX, C_EVENT,
} from './layout';
import { clearMonitor } from './system';
import { contextSync } from './icache';
import { idle } from './gic';
import { trace } from './cpu';

const ESR_IL: u32 = 1 << 25; // 32-bit instruction
const WNR: u32 = 1 << 6; //     data abort: the access was a write

/** PSTATE in the SPSR_EL1 format: NZCV 31:28, IL 20, DAIF 9:6, M 3:0 (EL0t 0, EL1t 4, EL1h 5). */
export function pstate(st: usize): u32 {
  const el = load<u32>(st + C_EL);
  const m = el == 0 ? 0 : (el << 2) | (load<u32>(st + C_SPSEL) & 1);
  return load<u32>(st + C_NZCV) | (load<u32>(st + C_PSTATE_IL) << 20) | (load<u32>(st + C_DAIF) & DAIF_ALL) | m;
}

/** The bank (C_SP_EL0 or C_SP_EL1) of the stack pointer in use at (el, spsel). */
@inline function spBank(el: u32, sel: u32): usize {
  return el != 0 && sel != 0 ? <usize>C_SP_EL1 : <usize>C_SP_EL0;
}

/** Moves to exception level `el` with stack selection `sel`, swapping slot 31 with the banks. */
export function switchSp(st: usize, el: u32, sel: u32): void {
  const from = spBank(load<u32>(st + C_EL), load<u32>(st + C_SPSEL));
  const to = spBank(el, sel);
  if (from != to) {
    store<u64>(st + from, load<u64>(st + C_SP));
    store<u64>(st + C_SP, load<u64>(st + to));
  }
  store<u32>(st + C_EL, el);
  store<u32>(st + C_SPSEL, sel);
}

/** Current SP_EL0 / SP_EL1, wherever it lives now. */
export function spEl(st: usize, el: u32): u64 {
  const cur = spBank(load<u32>(st + C_EL), load<u32>(st + C_SPSEL));
  const want: usize = el != 0 ? <usize>C_SP_EL1 : <usize>C_SP_EL0;
  return cur == want ? load<u64>(st + C_SP) : load<u64>(st + want);
}

/**
 * Address of the synchronous vector an exception taken now would enter:
 * VBAR_EL1 + the group for the current EL and stack selection (the IRQ
 * vector is 0x80 further).
 */
function syncVector(st: usize): u64 {
  const group: u32 = load<u32>(st + C_EL) == 0 ? 0x400 : load<u32>(st + C_SPSEL) != 0 ? 0x200 : 0;
  return load<u64>(st + C_VBAR_EL1) + <u64>group;
}

/**
 * Takes an exception to EL1 with the preferred return address already in
 * C_PC: ELR_EL1 = C_PC, SPSR_EL1 = PSTATE, then EL1h with DAIF masked and
 * PC = VBAR_EL1 + offset of the vector (`kind` 0 synchronous, 0x80 IRQ).
 */
function enter(st: usize, kind: u32, from: u64): void {
  const vector = syncVector(st) + <u64>kind;
  store<u64>(st + C_ELR_EL1, load<u64>(st + C_PC));
  store<u64>(st + C_SPSR_EL1, <u64>pstate(st));
  switchSp(st, 1, 1);
  store<u32>(st + C_DAIF, DAIF_ALL);
  store<u32>(st + C_PSTATE_IL, 0);
  store<u64>(st + C_PC, vector);
  trace(st, from, vector); // the branch ring shows the way into the handler
  // exception entry is a context synchronization event (icache.ts)
  contextSync(st, <usize>CACHE_BASE + <usize>load<u32>(st + C_CPU_INDEX) * <usize>CACHE_BYTES);
}

/** Synchronous exception with syndrome `esr`; FAR_EL1 = C_FAR when `farValid`. */
export function takeSync(st: usize, esr: u32, farValid: bool): void {
  store<u64>(st + C_ESR_EL1, <u64>esr);
  if (farValid) store<u64>(st + C_FAR_EL1, load<u64>(st + C_FAR));
  const pc = load<u64>(st + C_PC);
  enter(st, 0, esr >> 26 == EC_SVC64 ? pc - 4 : pc); // from the SVC, or the faulting instruction
  store<u64>(st + C_EXCEPTIONS, load<u64>(st + C_EXCEPTIONS) + 1);
}

/** IRQ exception (ESR_EL1 is not written for interrupts). */
export function takeIrq(st: usize): void {
  enter(st, 0x80, load<u64>(st + C_PC)); // interrupted before this instruction
  store<u64>(st + C_IRQS, load<u64>(st + C_IRQS) + 1);
}

/** ESR-style syndrome of a fault exit, from what the loop recorded in C_EXC_INFO. */
function syndrome(st: usize, reason: i32): u32 {
  const lower = load<u32>(st + C_EL) == 0;
  const info = load<u32>(st + C_EXC_INFO);
  switch (reason) {
    case EXIT_SVC: return (EC_SVC64 << 26) | ESR_IL | (info & 0xffff);
    case EXIT_BRK: return (EC_BRK64 << 26) | ESR_IL | (info & 0xffff);
    case EXIT_DATA_ABORT: {
      const ec = lower ? EC_DABT_LOW : EC_DABT_CUR;
      const fsc = info & FAULT_ALIGN ? FSC_ALIGN : FSC_EXTERNAL;
      return (ec << 26) | ESR_IL | (info & FAULT_WRITE ? WNR : 0) | fsc;
    }
    case EXIT_FETCH_ABORT: return ((lower ? EC_IABT_LOW : EC_IABT_CUR) << 26) | ESR_IL | FSC_EXTERNAL;
    case EXIT_PC_ALIGN: return (EC_PC_ALIGN << 26) | ESR_IL;
    default: return (EC_UNKNOWN << 26) | ESR_IL;
  }
}

/**
 * Called when the loop left with `reason`, C_PC and C_INSNS saved. Returns the
 * reason step() reports, or EXIT_RESCAN when the exception was taken (or the
 * WFI/WFE completed) and execution goes on.
 */
export function exitHook(st: usize, reason: i32): i32 {
  if (reason == EXIT_WFI || reason == EXIT_WFE) return idle(st, reason);
  if (reason < EXIT_SVC || reason > EXIT_PC_ALIGN || reason == EXIT_HVC) return reason;
  const esr = syndrome(st, reason);
  store<u32>(st + C_SYNDROME, esr);
  if (load<u64>(st + C_VBAR_EL1) == 0) return reason;
  // A fault on the first instruction of the very vector it would enter (the
  // vector outside RAM, or its first word undefined or a BRK) would be taken
  // again and again with nothing changing: the image cannot take it. Leave
  // step() with the fault instead, for the host to report.
  if (reason != EXIT_SVC && load<u64>(st + C_PC) == syncVector(st)) return reason;
  takeSync(st, esr, reason >= EXIT_DATA_ABORT);
  return EXIT_RESCAN;
}

/**
 * ERET at EL1: PSTATE from SPSR_EL1 and the target (ELR_EL1) returned. A
 * return to EL0t, EL1t or EL1h is legal; any other SPSR.M (AArch32, EL2,
 * EL3) is an illegal return: NZCV and DAIF are restored, EL and SP stay, and
 * PSTATE.IL is set so that the next instruction takes an Illegal Execution
 * state exception (EC 0x0E). The local exclusive monitor is cleared and the
 * event register set (an exception return is a WFE wake-up event: a WFE
 * right after a handler ran completes at once).
 */
export function eret(st: usize): u64 {
  const spsr = <u32>load<u64>(st + C_SPSR_EL1);
  const m = spsr & 0x1f;
  store<u32>(st + C_NZCV, spsr & 0xf0000000);
  store<u32>(st + C_DAIF, spsr & DAIF_ALL);
  if (m == 0 || m == 4 || m == 5) {
    switchSp(st, m >> 2, m & 1);
    store<u32>(st + C_PSTATE_IL, (spsr >> 20) & 1);
  } else {
    store<u32>(st + C_PSTATE_IL, 1);
  }
  clearMonitor(st);
  atomic.store<u32>(st + C_EVENT, 1);
  return load<u64>(st + C_ELR_EL1);
}

/**
 * PSTATE.IL is set: the instruction at C_PC takes an Illegal Execution state
 * exception. Returns EXIT_RESCAN when taken, EXIT_UNDEF without a vector table.
 */
export function illegalState(st: usize): i32 {
  const esr = (EC_ILLEGAL << 26) | ESR_IL;
  store<u32>(st + C_SYNDROME, esr);
  if (load<u64>(st + C_VBAR_EL1) == 0) return EXIT_UNDEF;
  takeSync(st, esr, false);
  return EXIT_RESCAN;
}
