// The deterministic scheduler against a scripted core: timer deadlines wake
// idle CPUs on time (counter warped to the deadline), the earliest deadline
// wins when every CPU is idle, a wake-up carries the waker's clock, and the
// core's wake-word protocol (C_WFI_SEEN) is honoured. The scripted core
// stands in for the interrupt controller and timer the real core provides.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { CpuState, createMemory, planMemory, writeMachineBlock, type CoreExports } from '../../bindings/core.ts';
import { GuestMemory } from '../../bindings/guest-memory.ts';
import { ExitHandler } from '../../bindings/machine/cpu-exits.ts';
import { DeterministicScheduler } from '../../bindings/machine/deterministic.ts';
import { MachineError } from '../../bindings/machine/errors.ts';
import { MachineWords, NO_DEADLINE } from '../../bindings/machine/words.ts';

type Action = 'run' | 'wfi' | 'exit' | { wake: number };

interface Setup {
  script: (cpu: number, call: number) => Action;
  deadline: (cpu: number) => bigint;
}

function machine(ncpus: number, setup: Setup, quantum = 100) {
  const plan = planMemory(ncpus, 1 << 20);
  const memory = createMemory(plan);
  writeMachineBlock(memory, plan, { base: 0n, lo: 0n, hi: 1n << 20n, coherentIcache: false });
  const words = new MachineWords(memory);
  const cpus = Array.from({ length: ncpus }, (_, i) => {
    const c = new CpuState(memory, i);
    c.reset({ el: 1 });
    return c;
  });
  const calls = new Array<number>(ncpus).fill(0);
  /** (cpu, counter when the step began) for every step. */
  const log: [number, bigint][] = [];
  const dv = new DataView(memory.buffer);
  const addInsns = (cpu: number, n: number): void => {
    const off = cpus[cpu].base + L.C_INSNS;
    dv.setBigUint64(off, dv.getBigUint64(off, true) + BigInt(n), true);
  };
  const core = {
    step(cpu: number, budget: number): number {
      log.push([cpu, words.counter(cpu)]);
      const a = setup.script(cpu, calls[cpu]++);
      if (a === 'run') {
        addInsns(cpu, budget);
        return L.EXIT_BUDGET;
      }
      addInsns(cpu, 1);
      if (a === 'wfi') {
        dv.setUint32(cpus[cpu].base + L.C_WFI_SEEN, words.wakeWord(cpu), true);
        return L.EXIT_WFI;
      }
      if (a === 'exit') {
        cpus[cpu].setX(8, 93n);
        cpus[cpu].setX(0, 5n);
        return L.EXIT_HVC;
      }
      words.wake(a.wake, words.counter(cpu));
      return L.EXIT_BUDGET;
    },
    timerDeadline: (cpu: number): bigint => BigInt.asIntN(64, setup.deadline(cpu)),
  } as unknown as CoreExports;
  const mem = new GuestMemory(memory, plan.ramOffset, 0n, 1 << 20);
  const sink = { write: () => {}, report: () => {}, warn: () => {}, nowNs: () => 0n };
  const handler = new ExitHandler(words, mem, (i) => cpus[i], { kind: 'kernel' }, sink);
  const sched = new DeterministicScheduler(core, words, handler, ncpus, { quantum, seed: 1, trace: true });
  const runAll = (max = 10_000): void => {
    for (let i = 0; i < max && sched.slice(); i++);
  };
  return { sched, words, log, runAll, cpus };
}

describe('deterministic scheduler: idle CPUs and timers', () => {
  it('an idle CPU wakes when the others reach its deadline, its counter warped to the deadline', async () => {
    const D = 5000n;
    let armed = true;
    const m = machine(2, {
      // CPU 0 runs until its 100th slice, then exits; CPU 1 goes idle at once, then runs.
      script: (cpu, call) => (cpu === 0 ? (call >= 100 ? 'exit' : 'run') : call === 0 ? 'wfi' : 'run'),
      deadline: (cpu) => (cpu === 1 && armed ? D : NO_DEADLINE),
    });
    m.runAll();
    armed = false;
    const cpu1 = m.log.filter(([c]) => c === 1).map(([, t]) => t);
    expect(cpu1[0]).toBe(0n);
    expect(cpu1[1]).toBe(D); // woken exactly at the deadline
    // CPU 0 did not run past the deadline before CPU 1 was woken.
    const firstWake = m.log.findIndex(([c, t]) => c === 1 && t === D);
    expect(m.log.slice(0, firstWake).every(([c, t]) => c !== 0 || t <= D)).toBe(true);
    expect(m.log.some(([c, t]) => c === 0 && t === D)).toBe(true); // its slice was cut at the deadline
    expect(m.sched.idleTicks[1]).toBe(D - 1n);
    expect(m.words.exitKind).toBe(L.EK_EXIT);
  });

  it('with every CPU idle the earliest deadline wakes first', () => {
    const deadlines = [9000n, 7000n, NO_DEADLINE];
    const m = machine(3, {
      script: (cpu, call) => (call === 0 ? 'wfi' : cpu === 0 ? 'exit' : 'wfi'),
      deadline: (cpu) => deadlines[cpu],
    });
    // Once woken a CPU's deadline is consumed.
    const orig = deadlines.slice();
    m.runAll(3); // three initial WFIs
    m.sched.slice(); // everyone idle: CPU 1 (7000) wakes and runs
    expect(m.log.at(-1)).toEqual([1, orig[1]]);
    deadlines[1] = NO_DEADLINE;
    m.sched.slice(); // CPU 0 (9000) next
    expect(m.log.at(-1)).toEqual([0, orig[0]]);
  });

  it('a wake-up carries the waker clock; the core-stored wake word is honoured', () => {
    const m = machine(2, {
      // CPU 1 idles; CPU 0 runs 5 slices, then wakes CPU 1, then runs on.
      script: (cpu, call) => (cpu === 1 ? (call === 0 ? 'wfi' : 'exit') : call === 5 ? { wake: 1 } : 'run'),
      deadline: () => NO_DEADLINE,
    });
    m.runAll();
    const waker = m.log.find(([c], i) => c === 0 && m.log.slice(0, i).filter(([x]) => x === 0).length === 5)!;
    const woken = m.log.filter(([c]) => c === 1);
    expect(woken).toHaveLength(2);
    expect(woken[1][1]).toBe(waker[1] + 1n); // the waker's counter after its waking instruction
    expect(m.words.exitKind).toBe(L.EK_EXIT);
  });

  it('all idle with no deadline is a DEADLOCK MachineError', () => {
    const m = machine(2, { script: () => 'wfi', deadline: () => NO_DEADLINE });
    m.sched.slice();
    m.sched.slice();
    expect(() => m.sched.slice()).toThrow(MachineError);
  });
});
