// The patchlab kernel's scheduler state as the host reads it while the CPUs
// run: each CPU's current task and timer ticks, through the layout the
// kernel publishes in race_layout (per-CPU block size, offsets of rq.curr,
// ticks and task id).

import type { Machine } from '../machine/machine.ts';

export class KernelSched {
  private constructor(
    private readonly machine: Machine,
    private readonly percpu: bigint,
    private readonly stride: bigint,
    private readonly currOff: bigint,
    private readonly ticksOff: bigint,
    private readonly idOff: bigint,
  ) {}

  /** The reader for the loaded image, or the name of the symbol it lacks. */
  static of(machine: Machine): KernelSched | { missing: string } {
    const img = machine.image;
    const percpu = img?.symbolAddress('percpu');
    if (percpu === undefined) return { missing: 'percpu' };
    const layout = img?.symbolAddress('race_layout');
    if (layout === undefined) return { missing: 'race_layout' };
    const m = machine.mem;
    return new KernelSched(machine, percpu, m.u64(layout), m.u64(layout + 8n), m.u64(layout + 16n), m.u64(layout + 24n));
  }

  /** The id of the task CPU `cpu` runs (0: its idle task). */
  currentTask(cpu: number): number {
    const m = this.machine.mem;
    const t = m.atomicU64(this.percpu + BigInt(cpu) * this.stride + this.currOff);
    return t === 0n ? 0 : m.u32(t + this.idOff);
  }

  /** Timer interrupts CPU `cpu` has taken. */
  ticks(cpu: number): bigint {
    return this.machine.mem.atomicU64(this.percpu + BigInt(cpu) * this.stride + this.ticksOff);
  }
}
