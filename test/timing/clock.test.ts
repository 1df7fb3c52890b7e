// The counter under a cycle model: CNTVCT follows modelled cycles, the timer
// interrupts at its cycle deadline whatever the host's slicing, the host's
// cycle stop ends a step() where it says, and a deterministic machine under a
// model replays to the same cycle.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { ConfigError } from '../../bindings/core.ts';
import { Machine } from '../../bindings/machine/machine.ts';
import { installTiming, MODELS, TimingError, timingCounts } from '../../bindings/timing/install.ts';
import { hackbench } from '../../bindings/hackbench/run.ts';
import { El1Rig, li, VBAR, VEC } from '../util/el1.ts';

const models = Object.values(MODELS);
const SET_VBAR = `${li('x20', VBAR)}\n msr vbar_el1, x20`;

// Timer at CNTVCT + 1000, IRQs unmasked, then a loop with a load, a multiply and a branch counting in x2.
const TIMER_PROG = `
  ${SET_VBAR}
  ${li('x9', 0x4009_0000n)}
  mrs x3, cntvct_el0
  add x3, x3, #1000
  msr cntv_cval_el0, x3
  mov x4, #1
  msr cntv_ctl_el0, x4
  msr daifclr, #2
loop:
  ldr x5, [x9]
  mul x6, x5, x2
  add x2, x2, #1
  b loop`;
const TIMER_HANDLER = `
  mrs x27, cntvct_el0
  mov x28, #0x280
  hvc #0`;

function timerRun(m: (typeof models)[number], quantum: number) {
  const r = new El1Rig();
  installTiming(r.memory, 0, m);
  r.vectors({ [VEC.irqSpx]: TIMER_HANDLER });
  r.load(TIMER_PROG);
  const exit = r.run(0, 100_000, quantum);
  const c = r.cpus[0];
  return { exit, vector: c.x(28), loops: c.x(2), cval: c.x(3), entry: c.x(27), insns: c.insns, cycles: timingCounts(r.memory, 0).cycles, irqs: c.irqs };
}

describe('the counter under a cycle model', () => {
  it.each(models.map((m) => [m.name, m] as const))('%s: CNTVCT is the base plus modelled cycles and CNTFRQ the model frequency', (_n, m) => {
    const r = new El1Rig();
    installTiming(r.memory, 0, m);
    const c = r.cpus[0];
    c.cntvctBase = 5000n;
    r.load(`
      mrs x1, cntvct_el0
      mul x7, x7, x7
      mul x7, x7, x7
      mul x7, x7, x7
      mrs x2, cntvct_el0
      mrs x3, cntfrq_el0
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    const cycles = timingCounts(r.memory, 0).cycles;
    expect(c.x(3)).toBe(BigInt(m.frequency));
    expect(c.x(1)).toBeGreaterThanOrEqual(5000n);
    // in order, three dependent multiplies take more cycles than their three
    // instructions; out of order the counter is read at dispatch, which does not wait for them
    expect(c.x(2) - c.x(1)).toBeGreaterThan(m.pipeline === 'in-order' ? 3n : 0n);
    expect(c.x(2)).toBeLessThanOrEqual(5000n + cycles);
    expect(c.cntvct).toBe(5000n + cycles);
  });

  it.each(models.map((m) => [m.name, m] as const))('%s: the timer interrupts at its cycle deadline, the same for every quantum', (_n, m) => {
    const runs = [10_000, 97, 7, 1].map((q) => timerRun(m, q));
    const first = runs[0]!;
    expect(first.exit).toBe(L.EXIT_HVC);
    expect(first.vector).toBe(0x280n);
    expect(first.irqs).toBe(1n);
    // taken at the first instruction boundary at or after CVAL: the handler's
    // first instruction reads the counter at most one pipeline refill later
    expect(first.entry).toBeGreaterThanOrEqual(first.cval);
    expect(first.entry - first.cval).toBeLessThan(BigInt(m.mispredictPenalty + 12));
    // the loop ran for about 1000 cycles, not 1000 instructions (250 loops)
    expect(first.loops).toBeGreaterThan(50n);
    const off = first.loops * 4n - 1000n;
    expect(off < 0n ? -off : off).toBeGreaterThan(100n);
    for (const r of runs) expect(r).toEqual(first);
  });

  it.each(models.map((m) => [m.name, m] as const))('%s: step() hands back at the host cycle stop, after the first instruction at or past it', (_n, m) => {
    const prog = `
      loop:
        ldr x5, [x9]
        add x5, x5, x2
        str x5, [x9, #8]
        add x2, x2, #1
        b loop`;
    const setup = (r: El1Rig) => {
      installTiming(r.memory, 0, m);
      r.cpus[0].setX(9, 0x4009_0000n);
      r.load(prog);
    };
    // reference: one instruction per step, the counter after each
    const ref = new El1Rig();
    setup(ref);
    const after: bigint[] = [];
    for (let i = 0; i < 400; i++) {
      expect(ref.step(0, 1)).toBe(L.EXIT_BUDGET);
      after.push(ref.cpus[0].cntvct);
    }
    const stop = after[250]! + 1n;
    const k = after.findIndex((t) => t >= stop); // the instruction after which the counter reached the stop
    expect(k).toBeGreaterThan(250);
    const r = new El1Rig();
    setup(r);
    new DataView(r.memory.buffer).setBigUint64(L.CPU_BASE + L.C_CYCLE_STOP, stop, true);
    expect(r.step(0, 100_000)).toBe(L.EXIT_BUDGET);
    expect(r.cpus[0].insns).toBe(BigInt(k + 1));
    expect(r.cpus[0].cntvct).toBe(after[k]);
    // stepping again without a stop goes on as the reference did
    new DataView(r.memory.buffer).setBigUint64(L.CPU_BASE + L.C_CYCLE_STOP, (1n << 64n) - 1n, true);
    expect(r.step(0, 399 - k)).toBe(L.EXIT_BUDGET);
    expect(r.cpus[0].cntvct).toBe(after[399]);
  });
});

describe('Machine and hackbench under a cycle model', () => {
  it('an unknown model is a TimingError (a ConfigError) before anything is built', async () => {
    const err = await Machine.create({ timing: 'a72' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimingError);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/unknown timing model 'a72' \(none, a53, a57\)/);
  });

  it.each(['a53', 'a57'] as const)('%s: a deterministic 2-CPU machine replays to the same cycle; the counter is not the instruction count', async (timing) => {
    const boot = async () => {
      const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'deterministic', seed: 5, timing });
      const { readFileSync } = await import('node:fs');
      m.load(readFileSync('guest/build/smp-msgpass.elf'));
      m.start();
      return m.exited;
    };
    const a = await boot();
    const b = await boot();
    expect(a.end).toBe('exit');
    expect(a.exitCode).toBe(0);
    expect(a.timing!.model).toBe(timing);
    expect(a.timing!.cycles).toBeGreaterThan(0n);
    expect(b.timing).toEqual(a.timing);
    expect(b.perCpu.map((c) => [c.insns, c.timing, c.warpTicks])).toEqual(a.perCpu.map((c) => [c.insns, c.timing, c.warpTicks]));
    expect(a.timing!.cycles).not.toBe(a.insns);
    for (const c of a.perCpu) expect(c.timing!.cycles).toBeGreaterThan(0n);
  });

  it('hackbench in deterministic mode under a53: same seed, same modelled seconds; config.timing says so', async () => {
    const opts = { cpus: 2, groups: 1, fds: 4, loops: 5, runs: 1, prologues: ['mov-nop' as const], mode: 'deterministic' as const, timing: 'a53' as const };
    const a = await hackbench(opts);
    const b = await hackbench(opts);
    expect(a.config.timing).toBe('a53');
    const ra = a.prologues[0]!.runs[0]!, rb = b.prologues[0]!.runs[0]!;
    expect(ra.seconds).toBeGreaterThan(0);
    expect(rb.seconds).toBe(ra.seconds);
    expect(rb.timing).toEqual(ra.timing);
    expect(ra.timing!.ipc).toBeGreaterThan(0.1);
    expect(ra.timing!.ipc).toBeLessThan(2);
    const none = await hackbench({ ...opts, timing: 'none' });
    expect(none.prologues[0]!.runs[0]!.timing).toBeNull();
    // the clock differs: modelled cycles at 1 GHz against instructions at 100 MHz
    expect(none.prologues[0]!.runs[0]!.seconds).not.toBe(ra.seconds);
  });
});
