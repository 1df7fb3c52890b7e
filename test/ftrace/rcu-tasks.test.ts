// Freeing a dynamic trampoline: a task preempted in the middle of it must
// find it intact when it runs again. The test stops a CPU inside an ops'
// dynamic trampoline, makes its timer fire so the task is preempted there,
// then unregisters the ops. Freed after the kernel's RCU-tasks grace period,
// the run completes with every message; freed at once (its words back to
// BRK), the preempted task resumes on a BRK and the kernel dies.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { Ftrace, Machine } from '../../bindings/index.ts';
import { kernelImageFile, readImage, setHbParams } from '../../bindings/workload/kernel.ts';

const SIZE = { groups: 2, fds: 4, loops: 100 };

async function preemptInsideTrampoline(free: 'rcu-tasks' | 'now') {
  const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'deterministic', seed: 3, log: () => {} });
  m.load(readImage(kernelImageFile('pfe2')));
  setHbParams(m, { workload: 0, ...SIZE, datasize: 100, runs: 1 });
  const ft = Ftrace.attach(m, { trampoline: 'dynamic', trampolineFree: free });
  const ops = ft.register({ kind: 'function', filter: ['fill_message'] });
  const tramp = ft.dynamicTrampoline(ops)!;
  expect(tramp).not.toBeNull();
  const inside = (pc: bigint) => pc >= tramp.addr && pc < tramp.end;

  // the per-CPU blocks: struct percpu starts with its run queue, whose `curr` is at offset 24
  const percpu = m.image!.symbols.find((s) => s.name === 'percpu')!;
  const stride = percpu.size / 64n;
  const curr = (cpu: number) => m.mem.u64(percpu.value + BigInt(cpu) * stride + 24n);

  m.start();
  ft.startDraining();
  await new Promise((r) => setTimeout(r, 30));
  await m.pause();
  // step each CPU until one is inside the trampoline
  let cpu = -1;
  for (let k = 0; k < 400_000 && cpu < 0; k++) {
    const c = k % 2;
    m.stepCpu(c, 1);
    if (inside(m.cpu(c).pc)) cpu = c;
  }
  expect(cpu).toBeGreaterThanOrEqual(0);
  // its virtual timer fires at once: the IRQ is taken at the next step, inside the trampoline
  const task = curr(cpu);
  const dv = new DataView(m.memory.buffer, L.CPU_BASE + cpu * L.CPU_STRIDE);
  const now = dv.getBigUint64(L.C_CNTVCT, true) + dv.getBigUint64(L.C_INSNS, true);
  dv.setBigUint64(L.C_CNTV_CVAL, now, true);
  dv.setUint32(L.C_CNTV_CTL, 1, true);
  m.stepCpu(cpu, 1);
  expect(inside(m.cpu(cpu).elr)).toBe(true);
  // the handler preempts the task: another one becomes current on that CPU
  let switched = false;
  for (let k = 0; k < 50_000 && !switched; k += 50) {
    m.stepCpu(cpu, 50);
    switched = curr(cpu) !== task;
  }
  expect(switched).toBe(true);
  // the preempted task is still inside the trampoline when its ops leaves
  ft.unregister(ops);
  m.resume();
  const r = await m.exited;
  ft.stopDraining();
  ft.drain();
  return { r, ft, m };
}

describe('freeing a dynamic trampoline with a task preempted inside it', () => {
  it('after the RCU-tasks grace period: nothing breaks, and the trampoline is freed', async () => {
    const { r, ft } = await preemptInsideTrampoline('rcu-tasks');
    expect(r.end).toBe('exit');
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('messages')).toBe(BigInt(2 * 4 * 4 * 100));
    expect(ft.guestPatchStats()!.gracePeriods).toBe(1);
    expect(ft.freedTrampolines).toBe(1);
    expect(ft.retiringTrampolines).toBe(0);
  });

  it('at once: the preempted task resumes on the freed words and the kernel dies', async () => {
    const { r, ft, m } = await preemptInsideTrampoline('now');
    expect(ft.freedTrampolines).toBe(1);
    // BRK #0x800 taken at EL1: the kernel's bad_exception reports it and exits 3
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/Unhandled synchronous exception .*ESR 0x(f2000800)/);
    // The machine was paused when the words went back to BRK, so no CPU was
    // running and the CMODX checker calls the write quiescent: what broke was
    // a preempted task, which no stop of the CPUs protects (only the grace period).
    expect(m.cmodx.counts.violation).toBe(0);
  });
});
