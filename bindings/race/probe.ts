// What the host reads of the race workload (guest/kernel/race.c) and of the
// kernel while a race runs: the calls made and their wrong results
// (race_ctl), the first unexpected exception (oops_info), and per CPU the
// current task and the timer interrupts taken (percpu, through the offsets
// the kernel publishes in race_layout).

import { KernelSched } from '../workload/sched.ts';
import type { Machine } from '../machine/machine.ts';

/** struct race_ctl (guest/kernel/race.c). */
const CTL = { stop: 0, calls: 8, errors: 16, firstTask: 24, firstFn: 32, firstGot: 40, firstWant: 48, firstCpu: 56, beat: 64 } as const;
/** struct oops_info (guest/kernel/irq.c). */
const OOPS = { valid: 0, cpu: 8, esr: 16, elr: 24, far: 32, lr: 40, sp: 48, task: 56 } as const;

export const RACE_FUNCTIONS = ['race_fn0', 'race_fn1', 'race_fn2', 'race_fn3'] as const;

export class RaceImageError extends Error {
  override name = 'RaceImageError';
}

export interface WrongReturn {
  cpu: number;
  task: number;
  fn: string;
  got: bigint;
  want: bigint;
}

export interface OopsInfo {
  cpu: number;
  esr: bigint;
  /** Exception class (ESR bits 31:26). */
  ec: number;
  elr: bigint;
  far: bigint;
  lr: bigint;
  sp: bigint;
  task: number;
}

export class RaceProbe {
  private readonly ctl: bigint;
  private readonly oops: bigint;
  private readonly sched: KernelSched;
  /** Entry addresses of race_fn0..3. */
  readonly functions: bigint[];

  constructor(private readonly machine: Machine) {
    const img = machine.image;
    const sym = (n: string): bigint => {
      const v = img?.symbolAddress(n);
      if (v === undefined) throw new RaceImageError(`the image has no ${n}: not a patchlab kernel with the race workload`);
      return v;
    };
    this.ctl = sym('race_ctl');
    this.oops = sym('oops_info');
    const sched = KernelSched.of(machine);
    if (!(sched instanceof KernelSched)) throw new RaceImageError(`the image has no ${sched.missing}: not a patchlab kernel with the race workload`);
    this.sched = sched;
    this.functions = RACE_FUNCTIONS.map(sym);
  }

  get calls(): bigint {
    return this.machine.mem.atomicU64(this.ctl + BigInt(CTL.calls));
  }

  get errors(): bigint {
    return this.machine.mem.atomicU64(this.ctl + BigInt(CTL.errors));
  }

  /** Calls made on CPU `cpu` (its heartbeat). */
  beat(cpu: number): bigint {
    return this.machine.mem.atomicU64(this.ctl + BigInt(CTL.beat + 8 * cpu));
  }

  /** Asks every racer to return (the run then ends). */
  stop(): void {
    this.machine.mem.atomicSetU64(this.ctl + BigInt(CTL.stop), 1n);
  }

  /** The first wrong result, once one has been recorded completely. */
  wrongReturn(): WrongReturn | null {
    const m = this.machine.mem;
    const claimed = m.atomicU64(this.ctl + BigInt(CTL.firstTask));
    if (claimed === 0n || claimed === 0xffffffffffffffffn) return null; // none yet, or being written
    const task = Number(claimed);
    const fn = Number(m.u64(this.ctl + BigInt(CTL.firstFn)));
    return {
      cpu: Number(m.u64(this.ctl + BigInt(CTL.firstCpu))),
      task,
      fn: RACE_FUNCTIONS[fn] ?? `race_fn${fn}`,
      got: m.u64(this.ctl + BigInt(CTL.firstGot)),
      want: m.u64(this.ctl + BigInt(CTL.firstWant)),
    };
  }

  oopsInfo(): OopsInfo | null {
    const m = this.machine.mem;
    if (m.atomicU64(this.oops + BigInt(OOPS.valid)) !== 1n) return null;
    const esr = m.u64(this.oops + BigInt(OOPS.esr));
    return {
      cpu: Number(m.u64(this.oops + BigInt(OOPS.cpu))),
      esr,
      ec: Number((esr >> 26n) & 0x3fn),
      elr: m.u64(this.oops + BigInt(OOPS.elr)),
      far: m.u64(this.oops + BigInt(OOPS.far)),
      lr: m.u64(this.oops + BigInt(OOPS.lr)),
      sp: m.u64(this.oops + BigInt(OOPS.sp)),
      task: Number(m.u64(this.oops + BigInt(OOPS.task))),
    };
  }

  /** The id of the task CPU `cpu` runs (0: its idle task). */
  currentTask(cpu: number): number {
    return this.sched.currentTask(cpu);
  }

  /** Timer interrupts CPU `cpu` has taken. */
  ticks(cpu: number): bigint {
    return this.sched.ticks(cpu);
  }
}
