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
// Under a cycle model (C_TIMING) the deadline is a cycle: the loop hands back
// before the first instruction that would issue at or after it.
//
// An IRQ is taken when the CPU has a vector table (VBAR_EL1 != 0), PSTATE.I
// is clear and the CPU interface signals an interrupt, at EL1 or at EL0
// (vector +0x480). Without a vector table interrupts stay pending: they are
// never taken, but they still complete WFI/WFE.

import {
  CACHE_BASE, CACHE_BYTES, CPU_BASE, CPU_STRIDE, C_EXIT, C_INSNS, C_PSTATE_IL, C_TIMING, C_VBAR_EL1, C_WATCH_HIT,
  C_WFE_WATCH, EXIT_BUDGET, EXIT_RESCAN, EXIT_UNDEF, TM_OFFSET,
} from './layout';
import { setLimits } from './timing';
import { step as execute } from './cpu';
import { exitHook, illegalState, takeIrq } from './exceptions';
import { irqTaken, timerCap } from './gic';
import { flushHits, unwatch } from './wfe-watch';

export function step(cpu: i32, budget: i32): i32 {
  const st = <usize>CPU_BASE + <usize>cpu * <usize>CPU_STRIDE;
  let left = budget;
  const timed = load<u32>(st + C_TIMING) != 0;
  const tm = <usize>CACHE_BASE + <usize>cpu * <usize>CACHE_BYTES + TM_OFFSET;
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
    // Under a cycle model the timer's deadline and the host's stop are cycle
    // limits the execute loop checks before each instruction.
    if (timed) setLimits(st, tm, vectors);
    const run = timed || !vectors ? left : timerCap(st, left);
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
    // the host's cycle stop: back to the host with the budget not all used
    if (r == EXIT_BUDGET && used < run) {
      store<u32>(st + C_EXIT, EXIT_BUDGET);
      return EXIT_BUDGET;
    }
    // An exception taken without retiring anything still costs one unit of
    // budget, so a vector that faults on itself cannot keep step() forever.
    left -= used == 0 && r == EXIT_RESCAN ? 1 : used;
    if (left <= 0) {
      store<u32>(st + C_EXIT, EXIT_BUDGET);
      return EXIT_BUDGET;
    }
  }
}
