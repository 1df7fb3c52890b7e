// The guest kernel's scheduler: timer preemption on and off, cross-CPU
// wake-ups by SGI, idle CPUs parked in WFI, in both modes.

import { describe, expect, it } from 'vitest';
import { bootKernel, WORKLOAD } from '../util/kernel.ts';

const MODES = ['deterministic', 'threads'] as const;
const SPIN = { workload: WORKLOAD.spin, tasks: 3, spin_loops: 100_000, tick: 20_000 };

describe.each(MODES)('%s mode', (mode) => {
  it('preemption on: the timer preempts CPU-bound tasks, which interleave', async () => {
    const { result, r } = await bootKernel({ ...SPIN, preempt: 1 }, { cpus: 2, mode });
    expect(result.exitCode).toBe(0);
    expect(r.tasks).toBe(6);
    expect(r.nivcsw).toBeGreaterThan(0);
    expect(r.ticks).toBeGreaterThan(0);
    expect(r.max_inflight).toBe(3); // all three tasks of a CPU started before the first finished
    expect(result.perCpu.every((c) => c.irqs > 0n)).toBe(true);
  });

  it('preemption off: no timer interrupt, no preemption, each task runs to its end', async () => {
    const { result, r } = await bootKernel({ ...SPIN, preempt: 0 }, { cpus: 2, mode });
    expect(result.exitCode).toBe(0);
    expect(r.nivcsw).toBe(0);
    expect(r.ticks).toBe(0);
    expect(r.max_inflight).toBe(1);
  });

  it.each([2, 4])('wakes tasks on other CPUs with SGIs (%i CPUs), idle CPUs wait in WFI', async (cpus) => {
    const loops = 30;
    const { result, r } = await bootKernel({ workload: WORKLOAD.pingpong, loops, preempt: 0 }, { cpus, mode });
    expect(result.exitCode).toBe(0);
    expect(r.messages).toBe(cpus * loops); // cpus / 2 pairs, both sides count
    expect(r.check_errors).toBe(0);
    // most hand-overs wake a partner whose CPU went idle (a partner still on
    // its way to sleep is made runnable without one)
    expect(r.ipi_sent).toBeGreaterThanOrEqual((cpus * loops) / 4);
    expect(r.ipi_received).toBeGreaterThan(0);
    expect(r.ipi_received).toBeLessThanOrEqual(r.ipi_sent);
    expect(r.nvcsw).toBeGreaterThanOrEqual((cpus * loops) / 4);
    expect(r.idle_wfi).toBeGreaterThan(0);
    for (const c of result.perCpu) {
      expect(c.idleNs).toBeGreaterThan(0n);
      expect(c.irqs).toBeGreaterThan(0n);
    }
  });

  it('a single CPU wakes its own tasks without SGIs', async () => {
    const { result, r } = await bootKernel({ workload: WORKLOAD.pingpong, loops: 30, preempt: 0 }, { cpus: 1, mode });
    expect(result.exitCode).toBe(0);
    expect(r.messages).toBe(60);
    expect(r.ipi_sent).toBe(0);
    expect(r.ipi_received).toBe(0);
    expect(r.nvcsw).toBeGreaterThan(0);
  });
});
