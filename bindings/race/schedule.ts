// Schedules for the deterministic mode's explorer: which CPU runs next and
// for how long, from a seed, so that a schedule replays exactly.
//
//   random  a random walk: each slice goes to a CPU drawn uniformly among
//           the runnable ones and runs 1..2*mean instructions
//   pct     PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A randomized
//           scheduler with probabilistic guarantees of finding bugs",
//           ASPLOS 2010): every CPU gets a random priority, the highest
//           runnable one runs; at `depth - 1` change points drawn uniformly
//           over the first `horizon` slices the running CPU drops below all
//           others. Slices are 1..2*mean instructions.
//
// Both keep the CPUs' virtual counters within `maxSkew` ticks of the lowest
// runnable one (a CPU that far ahead waits), so guest time stays sane and no
// CPU starves: PCT's priorities with a fairness bound, as the guest kernel
// spins on locks whose holder must eventually run.

import { below, makeRng } from '../isa/random.ts';
import type { SchedulePolicy } from '../machine/types.ts';

export type SearchPolicy = 'random' | 'pct';
export const SEARCH_POLICIES: readonly SearchPolicy[] = ['random', 'pct'];

export interface ScheduleParams {
  policy: SearchPolicy;
  seed: number;
  /** Mean slice length in instructions. */
  meanSlice: number;
  /** PCT: priority change points + 1. */
  depth: number;
  /** PCT: slices over which change points are drawn. */
  horizon: number;
  /** Largest lead of a CPU's counter over the lowest runnable one, in ticks. */
  maxSkew: number;
}

export class Schedule implements SchedulePolicy {
  private readonly rng: () => number;
  private readonly prio: number[];
  private readonly changes: Set<number>;
  private lowest = 0;
  /** Slices chosen so far. */
  slices = 0;
  /** Called after each slice (the race driver's hook). */
  onSlice: ((cpu: number, retired: number, stoppedBy: 'budget' | 'idle' | 'stop') => void) | null = null;

  constructor(readonly params: ScheduleParams, ncpus: number) {
    this.rng = makeRng(params.seed);
    // a random permutation of priorities ncpus..1
    const order = Array.from({ length: ncpus }, (_, i) => i);
    for (let i = ncpus - 1; i > 0; i--) {
      const j = below(this.rng, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    this.prio = new Array<number>(ncpus);
    order.forEach((cpu, k) => (this.prio[cpu] = ncpus - k));
    this.changes = new Set<number>();
    if (params.policy === 'pct') for (let k = 1; k < params.depth; k++) this.changes.add(below(this.rng, Math.max(1, params.horizon)));
  }

  next(runnable: readonly number[], counters: readonly bigint[]): { cpu: number; insns: number } {
    let lo = counters[runnable[0]!]!;
    for (const c of runnable) if (counters[c]! < lo) lo = counters[c]!;
    const skew = BigInt(this.params.maxSkew);
    const fair = runnable.filter((c) => counters[c]! - lo <= skew);
    let cpu: number;
    if (this.params.policy === 'random') {
      cpu = fair[below(this.rng, fair.length)]!;
    } else {
      cpu = fair[0]!;
      for (const c of fair) if (this.prio[c]! > this.prio[cpu]!) cpu = c;
      if (this.changes.has(this.slices)) this.prio[cpu] = --this.lowest;
    }
    this.slices++;
    return { cpu, insns: 1 + below(this.rng, 2 * this.params.meanSlice) };
  }

  after(cpu: number, retired: number, stoppedBy: 'budget' | 'idle' | 'stop'): void {
    this.onSlice?.(cpu, retired, stoppedBy);
  }
}
