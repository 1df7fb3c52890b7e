// The exported step(cpu, budget): the execute loop of cpu.ts wrapped with the
// exception and interrupt logic. Every exit of the loop other than the budget
// goes through exitHook (exceptions.ts), which takes faults, SVC and BRK as
// exceptions when there is a vector table and completes WFI/WFE that have
// something to wake them. Interrupts are looked at only here, never per
// instruction: at entry, and whenever the loop hands back EXIT_RESCAN (an
// exception was taken, WFI/WFE completed, or an instruction changed
// PSTATE.DAIF, the timer or the GIC state) or stops early at the timer's
// deadline. That deadline is exact: when the timer can interrupt, the loop
// gets a budget that ends at the instruction whose retirement makes
// CNTVCT >= CVAL, so the IRQ is taken right before the next one.
//
// An IRQ is taken when the CPU has a vector table (VBAR_EL1 != 0), PSTATE.I
// is clear and the CPU interface signals an interrupt, at EL1 or at EL0
// (vector +0x480). Without a vector table interrupts stay pending: they are
// never taken, but they still complete WFI/WFE.

import {
  CPU_BASE, CPU_STRIDE, C_EXIT, C_INSNS, C_PSTATE_IL, C_VBAR_EL1, C_WATCH_HIT, C_WFE_WATCH, EXIT_BUDGET, EXIT_RESCAN,
  EXIT_UNDEF,
} from './layout';
import { step as execute } from './cpu';
import { exitHook, illegalState, takeIrq } from './exceptions';
import { irqTaken, timerCap } from './gic';
import { flushHits, unwatch } from './wfe-watch';

export function step(cpu: i32, budget: i32): i32 {
  const st = <usize>CPU_BASE + <usize>cpu * <usize>CPU_STRIDE;
  let left = budget;
  store<u32>(st + C_EXIT, EXIT_BUDGET); // running: not parked (the store log reads it, store-log.ts)
  // running again after WFE: the store that would have woken this CPU no longer needs to
  if (load<u32>(st + C_WFE_WATCH) != 0) unwatch(st);
  while (true) {
    const vectors = load<u64>(st + C_VBAR_EL1) != 0;
    if (vectors && irqTaken(st)) takeIrq(st);
    if (load<u32>(st + C_PSTATE_IL) != 0 && illegalState(st) != EXIT_RESCAN) {
      store<u32>(st + C_EXIT, EXIT_UNDEF);
      return EXIT_UNDEF;
    }
    const run = vectors ? timerCap(st, left) : left;
    const before = load<u64>(st + C_INSNS);
    let r = execute(cpu, run);
    // stores near reservations other CPUs wait on in WFE: wake those they broke
    if (load<u32>(st + C_WATCH_HIT) != 0) flushHits(st);
    if (r != EXIT_BUDGET && r != EXIT_RESCAN) {
      // a fault, SVC/BRK or WFI/WFE: taken as an exception, completed, or reported
      r = exitHook(st, r);
      if (r != EXIT_RESCAN) {
        store<u32>(st + C_EXIT, r);
        return r;
      }
    }
    const used = <i32>(load<u64>(st + C_INSNS) - before);
    // An exception taken without retiring anything still costs one unit of
    // budget, so a vector that faults on itself cannot keep step() forever.
    left -= used == 0 && r == EXIT_RESCAN ? 1 : used;
    if (left <= 0) {
      store<u32>(st + C_EXIT, EXIT_BUDGET);
      return EXIT_BUDGET;
    }
  }
}
