// The machine's shared control words and each CPU's wake-up fields, with the
// atomics every thread uses on them (the CPU threads and the host alike).
//
// Wake-up protocol (shared with the core): a CPU that goes idle (EXIT_WFI or
// EXIT_WFE) has stored in C_WFI_SEEN the C_WAKE value it read; it stays parked
// while C_WAKE still equals it. A waker sets the CPU's pending bits first,
// raises its C_WAKE_CLOCK to the waker's counter, then bumps C_WAKE and
// notifies. A woken CPU warps its counter forward to C_WAKE_CLOCK.

import * as L from '../../assembly/layout.ts';
import { DEFAULT_CNTFRQ } from '../core.ts';

/** timerDeadline() value meaning "no timer armed". */
export const NO_DEADLINE = 0xffff_ffff_ffff_ffffn;

const mi = (off: number): number => (L.MACHINE_BASE + off) >> 2;
const ci = (cpu: number, off: number): number => (L.CPU_BASE + cpu * L.CPU_STRIDE + off) >> 2;
const ci64 = (cpu: number, off: number): number => (L.CPU_BASE + cpu * L.CPU_STRIDE + off) >> 3;

export class MachineWords {
  readonly i32: Int32Array;
  readonly u64: BigUint64Array;
  constructor(readonly memory: WebAssembly.Memory) {
    this.i32 = new Int32Array(memory.buffer);
    this.u64 = new BigUint64Array(memory.buffer);
  }

  get ncpus(): number { return Atomics.load(this.i32, mi(L.M_NCPUS)); }
  get runState(): number { return Atomics.load(this.i32, mi(L.M_RUN_STATE)); }
  get stopRequested(): boolean { return Atomics.load(this.i32, mi(L.M_STOP)) !== 0; }
  get exitKind(): number { return Atomics.load(this.i32, mi(L.M_EXIT_KIND)); }
  get exitCode(): number { return Atomics.load(this.i32, mi(L.M_EXIT_CODE)); }
  get exitCpu(): number { return Atomics.load(this.i32, mi(L.M_EXIT_CPU)); }
  get pauseGen(): number { return Atomics.load(this.i32, mi(L.M_PAUSE_GEN)); }

  /** Clears the host-side words before a run. */
  resetControl(): void {
    for (const off of [L.M_RUN_STATE, L.M_EXIT_CLAIM, L.M_EXIT_KIND, L.M_EXIT_CODE, L.M_EXIT_CPU, L.M_PAUSE_GEN, L.M_STOP]) {
      Atomics.store(this.i32, mi(off), 0);
    }
  }

  /** Asks every CPU to leave step() and do what `state` says (RS_PAUSE or RS_HALT). */
  requestStop(state: number): void {
    Atomics.store(this.i32, mi(L.M_RUN_STATE), state);
    Atomics.store(this.i32, mi(L.M_STOP), 1);
    this.kickAll();
  }

  /**
   * Asks every CPU to pause, unless the machine is already ending: the run
   * state goes from RS_RUN to RS_PAUSE only (a halt claimed meanwhile is never
   * overwritten). False when it was not RS_RUN.
   */
  requestPause(): boolean {
    if (Atomics.compareExchange(this.i32, mi(L.M_RUN_STATE), L.RS_RUN, L.RS_PAUSE) !== L.RS_RUN) return false;
    Atomics.store(this.i32, mi(L.M_STOP), 1);
    this.kickAll();
    return true;
  }

  /** Lets paused CPU threads go on. */
  release(): void {
    Atomics.store(this.i32, mi(L.M_RUN_STATE), L.RS_RUN);
    Atomics.store(this.i32, mi(L.M_STOP), 0);
    Atomics.add(this.i32, mi(L.M_PAUSE_GEN), 1);
    Atomics.notify(this.i32, mi(L.M_PAUSE_GEN));
  }

  /** Clears M_STOP without changing the run state (host stepping while paused). */
  setStop(on: boolean): void {
    Atomics.store(this.i32, mi(L.M_STOP), on ? 1 : 0);
  }

  /** A paused CPU thread blocks here until release(). */
  waitWhilePaused(gen: number): void {
    while (this.runState === L.RS_PAUSE && this.pauseGen === gen) Atomics.wait(this.i32, mi(L.M_PAUSE_GEN), gen);
  }

  /**
   * Claims the end of the machine for this reason; only the first claim
   * wins (later exits and faults are ignored). The winner halts every CPU.
   */
  claimEnd(kind: number, cpu: number, code = 0): boolean {
    if (Atomics.compareExchange(this.i32, mi(L.M_EXIT_CLAIM), 0, 1) !== 0) return false;
    Atomics.store(this.i32, mi(L.M_EXIT_CODE), code | 0);
    Atomics.store(this.i32, mi(L.M_EXIT_CPU), cpu);
    Atomics.store(this.i32, mi(L.M_EXIT_KIND), kind);
    this.requestStop(L.RS_HALT);
    return true;
  }

  /** Notifies a parked CPU thread without changing its wake word (it re-checks the control words). */
  kick(cpu: number): void {
    Atomics.notify(this.i32, ci(cpu, L.C_WAKE));
  }

  kickAll(): void {
    const n = this.ncpus;
    for (let c = 0; c < n; c++) this.kick(c);
    Atomics.notify(this.i32, mi(L.M_PAUSE_GEN));
  }

  wakeWord(cpu: number): number { return Atomics.load(this.i32, ci(cpu, L.C_WAKE)); }
  wfiSeen(cpu: number): number { return Atomics.load(this.i32, ci(cpu, L.C_WFI_SEEN)); }
  wakeClock(cpu: number): bigint { return Atomics.load(this.u64, ci64(cpu, L.C_WAKE_CLOCK)); }
  /** Nonzero while the CPU is idle in WFE watching its reservation (assembly/wfe-watch.ts). */
  wfeWatch(cpu: number): number { return Atomics.load(this.i32, ci(cpu, L.C_WFE_WATCH)); }

  /** Parks the calling thread while C_WAKE equals `seen` (at most `timeoutMs`). */
  parkOn(cpu: number, seen: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' {
    return Atomics.wait(this.i32, ci(cpu, L.C_WAKE), seen, timeoutMs);
  }

  /** Wakes `cpu` as the protocol says: clock first, then the futex word. Pending bits are the caller's. */
  wake(cpu: number, wakerClock: bigint): void {
    const idx = ci64(cpu, L.C_WAKE_CLOCK);
    for (;;) {
      const cur = Atomics.load(this.u64, idx);
      if (cur >= wakerClock || Atomics.compareExchange(this.u64, idx, cur, wakerClock) === cur) break;
    }
    Atomics.add(this.i32, ci(cpu, L.C_WAKE), 1);
    Atomics.notify(this.i32, ci(cpu, L.C_WAKE));
  }

  /** The CPU's virtual counter: C_CNTVCT + its own ticks (instructions retired, or modelled cycles under a model). */
  counter(cpu: number): bigint {
    return this.u64[ci64(cpu, L.C_CNTVCT)] + this.ticks(cpu);
  }

  /** What the CPU itself adds to its counter: instructions retired, or modelled cycles under a model (C_TIMING). */
  ticks(cpu: number): bigint {
    return this.u64[ci64(cpu, this.timed(cpu) ? L.C_CYCLES : L.C_INSNS)];
  }

  timed(cpu: number): boolean {
    return this.i32[ci(cpu, L.C_TIMING)] !== 0;
  }

  /** Under a model: step() hands back (EXIT_BUDGET) before the first instruction that would issue at counter `t` or later. */
  setCycleStop(cpu: number, t: bigint): void {
    this.u64[ci64(cpu, L.C_CYCLE_STOP)] = t;
  }

  insns(cpu: number): bigint {
    return this.u64[ci64(cpu, L.C_INSNS)];
  }

  /** Moves the CPU's counter forward to `t` (never back); returns the ticks skipped. */
  warpTo(cpu: number, t: bigint): bigint {
    const now = this.counter(cpu);
    if (t <= now) return 0n;
    this.u64[ci64(cpu, L.C_CNTVCT)] += t - now;
    return t - now;
  }

  cntfrq(cpu: number): bigint {
    return this.u64[ci64(cpu, L.C_CNTFRQ)] || DEFAULT_CNTFRQ;
  }
}
