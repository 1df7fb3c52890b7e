// Interrupts: a minimal GICv3 CPU interface reached through system registers,
// the generic virtual timer, and the wake-up protocol of WFI/WFE/SEV.
//
// Interrupt sources per CPU: SGIs 0..15 (C_IRQ_PENDING, set by any CPU or the
// host with atomic.or) and the virtual timer, PPI 27, a level interrupt
// asserted while CNTV_CTL.ENABLE && !IMASK && CNTVCT >= CVAL. All interrupts
// have the same priority (0); among pending ones the lowest INTID is
// acknowledged first. While an interrupt is active (acknowledged, not yet
// ended) the running priority equals that priority, so no other interrupt is
// signalled. ICC_PMR_EL1 and ICC_IGRPEN1_EL1 read back what was written but
// do not gate delivery; EOImode is always 0 (EOIR both drops the priority
// and deactivates).
//
// Waking a CPU: set what it will see (pending bit, event), raise its
// C_WAKE_CLOCK to the waker's counter, then bump C_WAKE and notify it. A CPU
// going idle reads C_WAKE before looking at its pending state and leaves it
// in C_WFI_SEEN; the host parks while C_WAKE still equals it, so a wake-up
// that races with going idle is never lost.

import {
  CPU_BASE, CPU_STRIDE, C_CNTV_CTL, C_CNTV_CVAL, C_EVENT, C_EXCL_ADDR, C_EXCL_SIZE, C_EXCL_VAL,
  C_EXCL_VAL2, C_ICC_ACTIVE, C_IRQ_PENDING, C_WAKE, C_WAKE_CLOCK, C_WFE_WATCH, C_WFI_SEEN, DAIF_I, C_DAIF,
  WATCH_WOKEN,
  EXIT_RESCAN, EXIT_WFE, INTID_NONE, MAX_CPUS, INTID_VTIMER, MACHINE_BASE, M_HI, M_LO, M_NCPUS, M_RAM_BASE, M_RAM_OFFSET,
} from './layout';
import { clearMonitor, counter } from './system';
import { unwatch, watch } from './wfe-watch';

export const CTL_ENABLE: u32 = 1;
export const CTL_IMASK: u32 = 2;
export const CTL_ISTATUS: u32 = 4;

@inline export function cpuBlock(cpu: u32): usize { return <usize>CPU_BASE + <usize>cpu * <usize>CPU_STRIDE; }
/** The machine's CPU count, never more state blocks than the layout has. */
@inline export function cpuCount(): u32 { return min<u32>(load<u32>(MACHINE_BASE + M_NCPUS), MAX_CPUS); }

// ---- virtual timer -----------------------------------------------------------------

/** Timer condition met (ENABLE and CNTVCT >= CVAL), whatever IMASK says: CNTV_CTL.ISTATUS. */
export function timerStatus(st: usize, inflight: u64): bool {
  return (load<u32>(st + C_CNTV_CTL) & CTL_ENABLE) != 0 && counter(st, inflight) >= load<u64>(st + C_CNTV_CVAL);
}

/** Counter value at which PPI 27 asserts; u64 max when the timer is disabled or masked. */
export function deadline(st: usize): u64 {
  if ((load<u32>(st + C_CNTV_CTL) & (CTL_ENABLE | CTL_IMASK)) != CTL_ENABLE) return <u64>-1;
  return load<u64>(st + C_CNTV_CVAL);
}

// ---- CPU interface -------------------------------------------------------------------

/** Pending interrupts that are not active: bit n = INTID n. */
export function pendingSet(st: usize, inflight: u64): u32 {
  let p = atomic.load<u32>(st + C_IRQ_PENDING) & 0xffff;
  if (deadline(st) <= counter(st, inflight)) p |= 1 << INTID_VTIMER;
  return p & ~load<u32>(st + C_ICC_ACTIVE);
}

/** Whether the CPU interface signals an IRQ to the PE (whatever PSTATE.I says). */
export function irqSignaled(st: usize, inflight: u64): bool {
  return load<u32>(st + C_ICC_ACTIVE) == 0 && pendingSet(st, inflight) != 0;
}

/** ICC_HPPIR1_EL1: the INTID IAR would return if nothing were active, or 1023. */
export function highestPending(st: usize, inflight: u64): u32 {
  const p = pendingSet(st, inflight);
  return p == 0 ? INTID_NONE : ctz<u32>(p);
}

/** ICC_IAR1_EL1: acknowledges the signalled interrupt (it becomes active), or 1023. */
export function acknowledge(st: usize, inflight: u64): u32 {
  if (load<u32>(st + C_ICC_ACTIVE) != 0) return INTID_NONE; // running priority blocks all
  const id = highestPending(st, inflight);
  if (id == INTID_NONE) return id;
  if (id < 16) atomic.and<u32>(st + C_IRQ_PENDING, ~(<u32>1 << id)); // edge: the SGI is consumed
  store<u32>(st + C_ICC_ACTIVE, load<u32>(st + C_ICC_ACTIVE) | (<u32>1 << id));
  return id;
}

/** ICC_EOIR1_EL1: ends interrupt `id` (a level interrupt still asserted becomes pending again). */
export function endOfInterrupt(st: usize, id: u32): void {
  if (id < 32) store<u32>(st + C_ICC_ACTIVE, load<u32>(st + C_ICC_ACTIVE) & ~(<u32>1 << id));
}

/** Raises `target`'s C_WAKE_CLOCK to at least `clock`, bumps its C_WAKE and wakes its waiter. */
export function wake(target: usize, clock: u64): void {
  let cur = atomic.load<u64>(target + C_WAKE_CLOCK);
  while (cur < clock) {
    const seen = atomic.cmpxchg<u64>(target + C_WAKE_CLOCK, cur, clock);
    if (seen == cur) break;
    cur = seen;
  }
  atomic.add<u32>(target + C_WAKE, 1);
  atomic.notify(target + C_WAKE, 1);
}

/** Makes SGI `intid` pending on CPU `cpu` and wakes it. */
export function sendSgi(cpu: u32, intid: u32, clock: u64): void {
  const t = cpuBlock(cpu);
  atomic.or<u32>(t + C_IRQ_PENDING, <u32>1 << (intid & 15));
  wake(t, clock);
}

/**
 * ICC_SGI1R_EL1 write: INTID 27:24, TargetList 15:0 (Aff0 = RS * 16 + bit),
 * Aff1 23:16, Aff2 39:32, Aff3 55:48, IRM 40, RS 47:44. Every CPU has
 * Aff3..Aff1 = 0, so a list aimed elsewhere reaches nobody. Returns whether
 * this CPU sent to itself.
 */
export function writeSgi1r(st: usize, self: u32, v: u64, clock: u64): bool {
  const intid = <u32>(v >> 24) & 15;
  const n = cpuCount();
  if ((v >> 40) & 1) {
    for (let c: u32 = 0; c < n; c++) if (c != self) sendSgi(c, intid, clock);
    return false;
  }
  if (((v >> 16) & 0xff) != 0 || ((v >> 32) & 0xff) != 0 || ((v >> 48) & 0xff) != 0) return false;
  const first = <u32>((v >> 44) & 15) << 4;
  let list = <u32>v & 0xffff;
  let toSelf = false;
  while (list != 0) {
    const c = first + ctz<u32>(list);
    list &= list - 1;
    if (c >= n) continue;
    sendSgi(c, intid, clock);
    if (c == self) toSelf = true;
  }
  return toSelf;
}

// ---- events and idling ---------------------------------------------------------------

/** SEV (local = false): the event register of every CPU is set and each is woken. SEVL: only ours. */
export function sendEvent(st: usize, local: bool, clock: u64): void {
  if (local) { atomic.store<u32>(st + C_EVENT, 1); return; }
  const n = cpuCount();
  for (let c: u32 = 0; c < n; c++) {
    const t = cpuBlock(c);
    atomic.store<u32>(t + C_EVENT, 1);
    wake(t, clock);
  }
}

/** Wasm address of this CPU's exclusive reservation; 0 without one, or when it lies outside RAM. */
export function reservation(st: usize): usize {
  const addr = load<u64>(st + C_EXCL_ADDR);
  if (addr & 1) return 0; // no reservation
  const size = load<u32>(st + C_EXCL_SIZE);
  const lo = load<u64>(MACHINE_BASE + M_LO);
  if (addr - lo > load<u64>(MACHINE_BASE + M_HI) - lo - <u64>size) return 0;
  return <usize>(addr - load<u64>(MACHINE_BASE + M_RAM_BASE) + <u64>load<u32>(MACHINE_BASE + M_RAM_OFFSET));
}

/**
 * Whether this CPU's exclusive reservation has been lost: the reserved memory
 * no longer holds what the exclusive load saw (the monitor model of
 * system.ts compares values, so this is what a store by another CPU does).
 * `p` is reservation(st); a reservation outside RAM counts as lost.
 */
export function monitorLost(st: usize, p: usize): bool {
  const size = load<u32>(st + C_EXCL_SIZE);
  if (p == 0) return true;
  const want = load<u64>(st + C_EXCL_VAL);
  if (size == 1) return <u64>atomic.load<u8>(p) != (want & 0xff);
  if (size == 2) return <u64>atomic.load<u16>(p) != (want & 0xffff);
  if (size == 4) return <u64>atomic.load<u32>(p) != (want & 0xffffffff);
  if (size == 8) return atomic.load<u64>(p) != want;
  return atomic.load<u64>(p) != want || atomic.load<u64>(p + 8) != load<u64>(st + C_EXCL_VAL2);
}

/**
 * WFI/WFE with the PC already past the instruction. WFI completes at once
 * when an interrupt is signalled (whatever PSTATE.I says); WFE also when its
 * event register is set (it is cleared) or its exclusive reservation has
 * been lost (the monitor is cleared: the event the lost reservation
 * generates). Otherwise the CPU goes idle: the C_WAKE value read before
 * those checks goes to C_WFI_SEEN and step() leaves with `reason`. A WFE
 * that holds a reservation first publishes a watch on it (wfe-watch.ts), so
 * that the store that breaks it wakes the CPU.
 */
export function idle(st: usize, reason: i32): i32 {
  if (reason == EXIT_WFE) {
    const held = (load<u64>(st + C_EXCL_ADDR) & 1) == 0;
    const p = held ? reservation(st) : 0;
    if (p != 0) watch(st, p);
    const seen = atomic.load<u32>(st + C_WAKE);
    let done = atomic.xchg<u32>(st + C_EVENT, 0) != 0;
    if (!done && held && monitorLost(st, p)) { clearMonitor(st); done = true; }
    if (!done) done = irqSignaled(st, 0);
    // Woken through the watch before C_WAKE was read: parked, nothing would wake it again.
    if (!done && p != 0) done = (atomic.load<u32>(st + C_WFE_WATCH) & WATCH_WOKEN) != 0;
    if (done) {
      if (p != 0) unwatch(st);
      return EXIT_RESCAN;
    }
    atomic.store<u32>(st + C_WFI_SEEN, seen);
    return reason;
  }
  const seen = atomic.load<u32>(st + C_WAKE);
  if (irqSignaled(st, 0)) return EXIT_RESCAN;
  atomic.store<u32>(st + C_WFI_SEEN, seen);
  return reason;
}

/** Whether an IRQ is taken before the next instruction (the caller checked VBAR_EL1 != 0). */
export function irqTaken(st: usize): bool {
  return (load<u32>(st + C_DAIF) & DAIF_I) == 0 && irqSignaled(st, 0);
}

/**
 * Instructions to run before the timer would interrupt: `left`, or fewer so
 * that step() stops exactly when the timer asserts while it can be taken
 * (PSTATE.I clear, nothing active).
 */
export function timerCap(st: usize, left: i32): i32 {
  if ((load<u32>(st + C_DAIF) & DAIF_I) != 0 || load<u32>(st + C_ICC_ACTIVE) != 0) return left;
  const d = deadline(st);
  const now = counter(st, 0);
  if (d <= now || d - now >= <u64>left) return left;
  return <i32>(d - now);
}
