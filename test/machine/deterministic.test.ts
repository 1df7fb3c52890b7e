// Deterministic mode: a seed replays the same interleaving and output, a
// different seed gives another; stepCpu runs exact instruction counts, so an
// event can be placed between two instructions of another CPU; deadlock.

import { describe, expect, it } from 'vitest';
import { Machine, MachineError } from '../../bindings/index.ts';
import { kernelElf, RAM, runKernel, smpElf, sym } from '../util/machine.ts';

async function traced(seed: number) {
  const { machine, result } = await runKernel(smpElf('atomics'), {
    cpus: 4, mode: 'deterministic', seed, quantum: 300, trace: true,
  });
  return { trace: machine.trace!.map((s) => `${s.cpu}:${s.insns}`), result };
}

describe('deterministic replay', () => {
  it('the same seed gives the same (cpu, instructions) slices and the same output', async () => {
    const a = await traced(7);
    const b = await traced(7);
    expect(a.result.exitCode).toBe(0);
    expect(a.trace.length).toBeGreaterThan(100);
    expect(new Set(a.trace.map((s) => s.split(':')[0]))).toEqual(new Set(['0', '1', '2', '3']));
    expect(b.trace).toEqual(a.trace);
    expect(b.result.stdout).toBe(a.result.stdout);
    expect(b.result.perCpu.map((c) => c.insns)).toEqual(a.result.perCpu.map((c) => c.insns));
  });

  it('wake-ups of CPUs waiting in WFE on a reservation replay, translated or interpreted alike', async () => {
    const run = async (jitThreshold: number) => {
      const { machine, result } = await runKernel(smpElf('wfelock'), {
        cpus: 4, mode: 'deterministic', seed: 9, quantum: 300, trace: true, jitThreshold,
      });
      expect(result.exitCode).toBe(0);
      return { trace: machine.trace!.map((s) => `${s.cpu}:${s.insns}`), counters: result.perCpu.map((c) => [c.insns, c.idleNs]) };
    };
    const interpreted = await run(0);
    expect(await run(0)).toEqual(interpreted);
    expect(await run(1)).toEqual(interpreted);
    expect(await run(64)).toEqual(interpreted);
    // the waiters slept: idle time was skipped
    expect(interpreted.counters.some(([, idle]) => idle > 0n)).toBe(true);
  });

  it('another seed gives another interleaving', async () => {
    const a = await traced(7);
    const c = await traced(8);
    expect(c.result.exitCode).toBe(0);
    expect(c.trace).not.toEqual(a.trace);
  });

  it('slice lengths stay within [quantum/2, 3*quantum/2]', async () => {
    const { trace } = await traced(3);
    const lens = trace.map((s) => Number(s.split(':')[1]));
    // Slices cut short by a host call are shorter; none is longer.
    expect(Math.max(...lens)).toBeLessThanOrEqual(450);
    expect(lens.filter((n) => n >= 150).length).toBeGreaterThan(lens.length / 2);
  });

  it('host time is the CPU counter, so it replays too', async () => {
    const a = await runKernel(smpElf('hostcalls'), { cpus: 2, mode: 'deterministic', seed: 5 });
    const b = await runKernel(smpElf('hostcalls'), { cpus: 2, mode: 'deterministic', seed: 5 });
    expect(a.result.reports.get('elapsed_ns')).toBeGreaterThan(0n);
    expect(b.result.reports.get('elapsed_ns')).toBe(a.result.reports.get('elapsed_ns'));
  });
});

describe('a data race, replayed', () => {
  // Every CPU adds 1 to \`counter\` 500 times with a plain load/add/store (no
  // lock), then counts itself in \`done\`; CPU 0 waits for all and reports the counter.
  const racy = kernelElf(`
      movz x9, #0x4001, lsl #16
      mov x3, #500
    again:
      ldr x2, [x9]
      add x2, x2, #1
      str x2, [x9]
      subs x3, x3, #1
      b.ne again
      mov x4, #1
      add x5, x9, #8
      stadd x4, [x5]
      cbnz x0, idle
    wait:
      ldar x6, [x5]
      cmp x6, x1
      b.ne wait
      add x0, x9, #16
      mov x1, #4
      ldr x2, [x9]
      mov x8, #0x100
      hvc #0
      mov x0, #0
      mov x8, #93
      hvc #0
    idle:
      wfi
      b idle`);

  async function counter(seed: number): Promise<bigint> {
    const m = await Machine.create({ cpus: 4, profile: 'kernel', mode: 'deterministic', seed, quantum: 8, log: () => {} });
    m.load(racy);
    m.mem.write(RAM + 0x10010n, new TextEncoder().encode('lost'));
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    return r.reports.get('lost')!;
  }

  it('loses updates, the same ones for the same seed, others for other seeds', async () => {
    const a = await counter(11);
    expect(await counter(11)).toBe(a);
    const values = new Set<bigint>([a]);
    for (const seed of [12, 13, 14, 15]) values.add(await counter(seed));
    for (const v of values) expect(v).toBeLessThan(2000n);
    expect(values.size).toBeGreaterThan(1);
  });
});

describe('stepCpu', () => {
  async function steps(cpus = 2) {
    const m = await Machine.create({ cpus, profile: 'kernel', mode: 'deterministic', log: () => {} });
    m.load(smpElf('steps'));
    return m;
  }

  it('runs exactly the number of instructions asked', async () => {
    const m = await steps();
    for (const n of [1, 7, 1000, 4097]) {
      const before = m.cpu(0).insns;
      expect(m.stepCpu(0, n)).toEqual({ retired: n, stoppedBy: 'budget' });
      expect(m.cpu(0).insns - before).toBe(BigInt(n));
    }
    expect(m.cpu(1).insns).toBe(0n);
  });

  it('counts host calls as instructions and serves them in between', async () => {
    const m = await Machine.create({ cpus: 1, profile: 'kernel', mode: 'deterministic', log: () => {} });
    m.load(smpElf('hostcalls'));
    expect(m.stepCpu(0, 50_000).retired).toBe(50_000);
    expect(m.cpu(0).insns).toBe(50_000n);
  });

  it('places a store of CPU 0 between two loads of CPU 1', async () => {
    const m = await steps();
    const load2 = sym(m, 'cpu1_load2');
    const afterStore = sym(m, 'cpu0_store') + 4n;
    while (m.cpu(1).pc !== load2) m.stepCpu(1, 1); // first load done
    while (m.cpu(0).pc !== afterStore) m.stepCpu(0, 1); // the store done
    m.stepCpu(1, 1); // second load
    expect(m.cpu(1).x(2)).toBe(0n);
    expect(m.cpu(1).x(3)).toBe(1n);
  });

  it('without the store in between both loads see the old value', async () => {
    const m = await steps();
    const after = sym(m, 'cpu1_load2') + 4n;
    while (m.cpu(1).pc !== after) m.stepCpu(1, 1);
    expect([m.cpu(1).x(2), m.cpu(1).x(3)]).toEqual([0n, 0n]);
  });

  it('then start() runs the machine from where stepping left it', async () => {
    const m = await Machine.create({ cpus: 2, profile: 'kernel', mode: 'deterministic', log: () => {} });
    m.load(smpElf('exitcode'));
    m.stepCpu(0, 10);
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(42);
  });
});

describe('idle CPUs', () => {
  it('all CPUs waiting for an interrupt with no timer is a typed deadlock', async () => {
    const m = await Machine.create({ cpus: 3, profile: 'kernel', mode: 'deterministic', log: () => {} });
    m.load(kernelElf('wfi\nb 0'));
    m.start();
    const err = await m.exited.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachineError);
    expect((err as MachineError).code).toBe('DEADLOCK');
  });

  it('an idle CPU is skipped while the others run', async () => {
    // CPU 1 waits for an interrupt; CPU 0 counts to 4000 and exits.
    const src = `
      cbnz x0, idle
      mov x2, #0
    loop:
      add x2, x2, #1
      cmp x2, #4000
      b.ne loop
      mov x0, #3
      mov x8, #93
      hvc #0
    idle:
      wfi
      b idle`;
    const { result } = await runKernel(kernelElf(src), { cpus: 2, mode: 'deterministic', quantum: 64 });
    expect(result.exitCode).toBe(3);
    expect(result.perCpu[1].insns).toBeLessThan(10n);
  });
});
