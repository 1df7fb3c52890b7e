// `deterministic` mode: one thread steps every CPU. The next CPU to run is
// the runnable one with the lowest virtual counter; ties and the length of
// each slice (uniform in [quantum/2, 3*quantum/2]) come from a generator
// seeded by the machine's seed, so a seed replays the same interleaving,
// instruction for instruction.
//
// An idle CPU (EXIT_WFI/EXIT_WFE) is skipped until its wake word changes
// (its counter then jumps to the waker's) or until the lowest counter among
// the runnable CPUs reaches its timer deadline (its counter jumps there).
// When every CPU is idle the one with the earliest deadline is woken; with no
// deadline at all the machine is deadlocked.
//
// Under a cycle model the counter moves with modelled cycles, so a slice that
// must end at an idle CPU's deadline cannot be cut as an instruction count:
// the core gets the deadline as its cycle stop (C_CYCLE_STOP) instead and
// hands back before the first instruction that would issue at or after it.

import * as L from '../../assembly/layout.ts';
import type { CoreExports } from '../core.ts';
import { below, makeRng } from '../isa/random.ts';
import type { ExitHandler } from './cpu-exits.ts';
import { MachineError } from './errors.ts';
import type { SchedulePolicy } from './types.ts';
import { MachineWords, NO_DEADLINE } from './words.ts';

export interface Slice {
  cpu: number;
  /** Instructions the CPU retired in this slice. */
  insns: number;
}

export interface StepResult {
  /** Instructions retired (equal to the request unless the CPU went idle or the machine stopped). */
  retired: number;
  /** 'budget' when all were run, else what stopped the CPU: 'idle' or 'stop'. */
  stoppedBy: 'budget' | 'idle' | 'stop';
}

type Core = CoreExports & { timerDeadline?: (cpu: number) => bigint };

export class DeterministicScheduler {
  readonly idle: boolean[];
  private readonly seen: number[];
  /** Counter ticks each CPU spent idle (skipped by warps). */
  readonly idleTicks: bigint[];
  private readonly rng: () => number;
  readonly trace: Slice[] | null;
  private readonly qmin: number;
  private readonly qspan: number;
  private readonly policy: SchedulePolicy | null;

  constructor(
    private readonly core: Core,
    private readonly words: MachineWords,
    private readonly handler: ExitHandler,
    private readonly ncpus: number,
    opts: { quantum: number; seed: number; trace: boolean; policy?: SchedulePolicy },
  ) {
    this.idle = new Array<boolean>(ncpus).fill(false);
    this.seen = new Array<number>(ncpus).fill(0);
    this.idleTicks = new Array<bigint>(ncpus).fill(0n);
    this.rng = makeRng(opts.seed);
    this.trace = opts.trace ? [] : null;
    this.qmin = Math.max(1, Math.floor(opts.quantum / 2));
    this.qspan = Math.max(1, opts.quantum + 1);
    this.policy = opts.policy ?? null;
  }

  private deadline(cpu: number): bigint {
    return typeof this.core.timerDeadline === 'function'
      ? BigInt.asUintN(64, BigInt(this.core.timerDeadline(cpu)))
      : NO_DEADLINE;
  }

  private wakeAt(cpu: number, t: bigint): void {
    this.idleTicks[cpu] += this.words.warpTo(cpu, t);
    this.idle[cpu] = false;
  }

  /** Runs one slice; false once the machine has stopped. Throws MachineError('DEADLOCK'). */
  slice(): boolean {
    if (this.words.stopRequested) return false;
    const w = this.words;
    let tmin = NO_DEADLINE;
    for (let c = 0; c < this.ncpus; c++) {
      if (this.idle[c] && w.wakeWord(c) !== this.seen[c]) this.wakeAt(c, w.wakeClock(c));
      if (!this.idle[c]) {
        const t = w.counter(c);
        if (t < tmin) tmin = t;
      }
    }
    // Timer deadlines: due ones wake; with nothing runnable the earliest does.
    let earliest = NO_DEADLINE;
    let earliestCpu = -1;
    for (let c = 0; c < this.ncpus; c++) {
      if (!this.idle[c]) continue;
      const d = this.deadline(c);
      if (d === NO_DEADLINE) continue;
      if (d <= tmin) this.wakeAt(c, d);
      else if (d < earliest) {
        earliest = d;
        earliestCpu = c;
      }
    }
    if (tmin === NO_DEADLINE && this.idle.every((i) => i)) {
      if (earliestCpu < 0) {
        throw new MachineError('DEADLOCK', `deadlock: all ${this.ncpus} CPUs are waiting for an interrupt and no timer is armed`);
      }
      this.wakeAt(earliestCpu, earliest);
      earliest = NO_DEADLINE;
      for (let c = 0; c < this.ncpus; c++) {
        const d = this.idle[c] ? this.deadline(c) : NO_DEADLINE;
        if (d < earliest) earliest = d;
      }
    }
    if (this.policy) return this.policySlice(earliest);
    // The runnable CPUs with the lowest counter; the generator breaks ties.
    let best: number[] = [];
    let bestT = NO_DEADLINE;
    for (let c = 0; c < this.ncpus; c++) {
      if (this.idle[c]) continue;
      const t = w.counter(c);
      if (t < bestT) {
        bestT = t;
        best = [c];
      } else if (t === bestT) best.push(c);
    }
    const cpu = best.length === 1 ? best[0] : best[below(this.rng, best.length)];
    const q = this.qmin + below(this.rng, this.qspan);
    return this.runUntil(cpu, q, earliest).stoppedBy !== 'stop';
  }

  /**
   * Runs `cpu` for `q` instructions but not past counter `until` (the next
   * idle CPU's deadline, so that it wakes on time): an instruction count
   * without a model, the core's cycle stop under one.
   */
  private runUntil(cpu: number, q: number, until: bigint): StepResult {
    const t = this.words.counter(cpu);
    if (until === NO_DEADLINE || until <= t) return this.run(cpu, q);
    if (!this.words.timed(cpu)) return this.run(cpu, until - t < BigInt(q) ? Number(until - t) : q);
    this.words.setCycleStop(cpu, until);
    try {
      return this.run(cpu, q, true);
    } finally {
      this.words.setCycleStop(cpu, NO_DEADLINE);
    }
  }

  /** One slice chosen by the policy (`earliest`: the next idle CPU's timer deadline). */
  private policySlice(earliest: bigint): boolean {
    const runnable: number[] = [];
    const counters: bigint[] = [];
    for (let c = 0; c < this.ncpus; c++) {
      counters.push(this.words.counter(c));
      if (!this.idle[c]) runnable.push(c);
    }
    const pick = this.policy!.next(runnable, counters);
    if (!runnable.includes(pick.cpu) || !Number.isInteger(pick.insns) || pick.insns < 1) {
      throw new MachineError('BAD_STATE', `schedule policy chose CPU ${pick.cpu} for ${pick.insns} instructions; runnable: ${runnable.join(', ')}`);
    }
    // An idle CPU's timer still fires on time relative to the chosen CPU: the slice stops at its deadline.
    const r = this.runUntil(pick.cpu, pick.insns, earliest);
    this.policy!.after?.(pick.cpu, r.retired, r.stoppedBy);
    return r.stoppedBy !== 'stop' && !this.words.stopRequested;
  }

  /**
   * Steps `cpu` for exactly `n` instructions unless it goes idle or the
   * machine stops, or (`cycleStop`) the core hands back at its cycle stop.
   */
  run(cpu: number, n: number, cycleStop = false): StepResult {
    let retired = 0;
    this.idle[cpu] = false;
    while (retired < n) {
      const before = this.words.insns(cpu);
      const exit = this.core.step(cpu, n - retired);
      const did = Number(this.words.insns(cpu) - before);
      retired += did;
      if (this.trace && did > 0) this.trace.push({ cpu, insns: did });
      const o = this.handler.handle(cpu, exit);
      if (o === 'stop') return { retired, stoppedBy: 'stop' };
      if (cycleStop && exit === L.EXIT_BUDGET && retired < n) break; // the cycle stop: the slice is over
      if (o === 'idle') {
        this.idle[cpu] = true;
        this.seen[cpu] = this.words.wfiSeen(cpu);
        return { retired, stoppedBy: 'idle' };
      }
    }
    return { retired, stoppedBy: 'budget' };
  }
}
