// `threads` mode: the host's watch for a machine that can never run again.
//
// Deterministic mode sees it at once (every CPU idle, no timer armed:
// DeterministicScheduler throws DEADLOCK). With one thread per CPU the host
// sees it from outside, and must not mistake a quiet moment for it. The
// machine is deadlocked when, at two looks at least `graceMs` apart and at
// every look in between:
//
//   - every CPU thread is parked with nothing of its own to wake it: no timer
//     armed, no WFE backstop (the `parked` word its thread sets, worker.ts);
//   - every CPU's wake word still holds the value it went idle with (no SGI,
//     event or host wake-up since), and no CPU retired an instruction;
//   - no host call is in flight (a CPU waiting for the host is not idle);
//   - the machine runs: no pause or halt was asked for.
//
// A pending timer keeps its CPU out of the `parked` state, so it is never
// taken for a deadlock. A host that wakes a CPU later than `graceMs` after
// the machine went quiet (Machine.wakeCpu from a timer of its own) must raise
// `deadlockMs` or turn the watch off (MachineOptions.deadlockMs = 0).

import * as L from '../../assembly/layout.ts';
import type { MachineWords } from './words.ts';

/** How often the watch looks. */
const LOOK_MS = 50;
/** Default for MachineOptions.deadlockMs. */
export const DEFAULT_DEADLOCK_MS = 500;

export class DeadlockWatch {
  private timer: ReturnType<typeof setInterval> | null = null;
  private quietSince = 0;
  private snapshot: string | null = null;

  constructor(
    private readonly words: MachineWords,
    private readonly parked: Int32Array,
    private readonly ncpus: number,
    private readonly graceMs: number,
    private readonly busy: () => boolean,
    private readonly onDeadlock: (quietMs: number) => void,
  ) {}

  start(): void {
    if (this.graceMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.look(), Math.min(LOOK_MS, this.graceMs));
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The state every CPU is stuck in, or null when one of them can still move. */
  private stuck(): string | null {
    const w = this.words;
    if (w.runState !== L.RS_RUN || w.stopRequested || this.busy()) return null;
    const parts: string[] = [];
    for (let c = 0; c < this.ncpus; c++) {
      if (Atomics.load(this.parked, c) !== 1) return null;
      const seen = w.wfiSeen(c);
      if (w.wakeWord(c) !== seen) return null;
      parts.push(`${seen}:${w.insns(c)}`);
    }
    return parts.join(',');
  }

  private look(): void {
    const s = this.stuck();
    const now = performance.now();
    if (s === null || s !== this.snapshot) {
      this.snapshot = s;
      this.quietSince = now;
      return;
    }
    if (now - this.quietSince >= this.graceMs) {
      this.stop();
      this.onDeadlock(now - this.quietSince);
    }
  }
}
