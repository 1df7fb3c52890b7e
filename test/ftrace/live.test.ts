// Tracers switched on and off, and filters changed, while the CPUs run:
// threads mode driven by host timers, deterministic mode driven by the
// kernel's phase calls (and timers). The kernel must run to its exit with
// every message intact, and no patch may be a CMODX violation.
//
// What this catches: an ops linked into the guest's list before its
// structures are written, or unlinked before its sites are NOP again (a CPU
// calling a half-written or stale callback), sites left patched after the
// last unregister, NOP <-> BL and BL ftrace_caller <-> BL ftrace_regs_caller
// rewrites that are not single-word CMODX-safe changes, a function_graph ops
// unregistered while tasks are inside hooked calls (the return hook must
// still return them to their callers: "return stack out of step" panics,
// wrong returns, corrupted messages), fgraph user slots reused wrongly, and
// (deterministic mode) a trace that is not replayed exactly by the same seed.

import { describe, expect, it } from 'vitest';
import type { Ftrace } from '../../bindings/ftrace/ftrace.ts';
import type { FtraceOps } from '../../bindings/ftrace/ops.ts';
import type { MachineResult } from '../../bindings/machine/types.ts';
import { bootTraced, callsPerRun, countByFunction, reports, type HbSize } from '../util/ftrace.ts';

type Step = (ft: Ftrace, live: Map<string, FtraceOps>) => void;

/** Registers `spec` under `key`, replacing nothing (a step that finds the key taken does nothing). */
const reg = (key: string, spec: Parameters<Ftrace['register']>[0]): Step => (ft, live) => {
  if (!live.has(key)) live.set(key, ft.register(spec));
};
const unreg = (key: string): Step => (ft, live) => {
  const o = live.get(key);
  if (o) {
    ft.unregister(o);
    live.delete(key);
  }
};
const filter = (key: string, f: string[], n?: string[]): Step => (ft, live) => {
  const o = live.get(key);
  if (o) ft.setFilter(o, f, n);
};
const unregAll: Step = (ft, live) => {
  for (const o of live.values()) ft.unregister(o);
  live.clear();
};

/** One cycle of changes; repeated while the machine runs. */
const CYCLE: Step[] = [
  reg('fn', { kind: 'function' }), //                                        every site NOP -> BL ftrace_caller
  reg('graph', { kind: 'function_graph', filter: ['ksys_*', 'vfs_*', 'pipe_*', 'copy_*', '*wake_up*'] }),
  filter('fn', ['fill_message', 'check_message', 'ksys_*']), //            most sites back to NOP
  reg('regs', { kind: 'function', saveRegs: true, filter: ['pipe_*', 'spin_*'] }), // BL ftrace_caller -> BL ftrace_regs_caller
  reg('prof', { kind: 'profile', filter: ['*'], notrace: ['strlen'] }),
  unreg('graph'), //                                                          hooked returns still pending
  filter('fn', ['*'], ['pipe_lock', 'spin_lock*']),
  unreg('regs'), //                                                           BL ftrace_regs_caller -> BL ftrace_caller
  reg('graph2', { kind: 'function_graph', graphFunctions: ['ksys_read', 'ksys_write'] }),
  unreg('prof'),
  unreg('fn'),
  unregAll,
];

function expectIntact(res: MachineResult, log: string[], n: number, runs = 1): void {
  expect(res.end, [res.stdout, ...log].join('\n')).toBe('exit');
  expect(res.exitCode, res.stdout).toBe(0);
  const r = reports(res);
  if (runs === 1) {
    expect(r.messages).toBe(n);
    expect(r.check_errors).toBe(0);
  } else {
    for (let i = 0; i < runs; i++) {
      expect(r[`run${i}.messages`], `run ${i}`).toBe(n);
      expect(r[`run${i}.check_errors`], `run ${i}`).toBe(0);
    }
  }
}

describe('threads mode, 4 CPUs: changes from host timers while the CPUs run', () => {
  it('registers, unregisters and refilters many times; the kernel exits cleanly', async () => {
    const size: HbSize = { groups: 2, fds: 8, loops: 400, datasize: 32 };
    const n = callsPerRun(size);
    const { machine, ft, log } = await bootTraced({ cpus: 4, mode: 'threads', ...size });
    const live = new Map<string, FtraceOps>();
    let steps = 0;
    let running = true;
    let failure: unknown;
    // the changes start with the run (the CPU threads take a while to start and boot)
    let runStarted!: () => void;
    const started = new Promise<void>((resolve) => (runStarted = resolve));
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) runStarted();
      return 0;
    });
    ft.startDraining();
    machine.start();
    const exited = machine.exited.finally(() => (running = false));
    await Promise.race([started, exited]);
    // a chain of timers: one step every 3 ms, CYCLES cycles, then everything off for the rest of the run
    const CYCLES = 4;
    let offWhileRunning = false;
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (!running || failure) return resolve();
        try {
          if (steps === CYCLES * CYCLE.length) {
            unregAll(ft, live);
            offWhileRunning = running;
            return resolve();
          }
          // after the first step (every function traced) wait until the senders show up
          if (steps === 1 && !countByFunction(ft.events(), ft.records).has('ksys_write')) return void setTimeout(tick, 1);
          CYCLE[steps % CYCLE.length]!(ft, live);
          steps++;
        } catch (err) {
          failure = err;
          return resolve();
        }
        setTimeout(tick, 3);
      };
      setTimeout(tick, 1);
    });
    const res = await exited;
    ft.stopDraining();
    ft.drain();
    expect(failure).toBeUndefined();
    expectIntact(res, log, n);
    // the run was long enough for at least a whole cycle of changes while it ran
    // (on a loaded host the timers fall behind the guest: then not all cycles fit)
    expect(steps).toBeGreaterThanOrEqual(CYCLE.length);
    if (steps === CYCLES * CYCLE.length) expect(offWhileRunning).toBe(true);
    expect(machine.cmodx.counts.violation).toBe(0);
    expect(machine.cmodx.counts.allowed).toBeGreaterThan(0);
    expect(ft.registered).toHaveLength(0);
    expect(ft.siteStates().every((s) => s === 'disabled')).toBe(true);
    expect(ft.cpuStats().reduce((s, c) => s + c.calls, 0)).toBeGreaterThan(0);
    // the tracers saw the run itself, not only the boot around it
    const by = countByFunction(ft.events(), ft.records);
    expect(by.get('ksys_write') ?? 0).toBeGreaterThan(0);
    expect(by.get('check_message') ?? 0).toBeGreaterThan(0);
  });
});

describe('deterministic mode, 4 CPUs: changes at the phase calls', () => {
  const size: HbSize = { groups: 2, fds: 4, loops: 20, datasize: 32 };
  const n = callsPerRun(size);
  const RUNS = 6;

  /** One boot with RUNS runs; a CYCLE step at the start and end phase calls of each run (not at GO). */
  async function boot(seed: number, timers: boolean) {
    const b = await bootTraced({ cpus: 4, mode: 'deterministic', seed, runs: RUNS, ...size }, { bufferKb: 8192 });
    const { machine, ft } = b;
    const live = new Map<string, FtraceOps>();
    let steps = 0;
    const phases: number[] = [];
    machine.onPhase(({ args }) => {
      phases.push(Number(args[0]));
      if (args[0] === 3n) return 0; // GO: every task ready
      CYCLE[steps++ % CYCLE.length]!(ft, live);
      return 0;
    });
    let timer: ReturnType<typeof setInterval> | undefined;
    let failure: unknown;
    if (timers) {
      let k = 0;
      const flips: Step[] = [filter('fn', ['pipe_*', 'ksys_*']), filter('fn', ['*'], ['spin_*'])];
      timer = setInterval(() => {
        try {
          flips[k++ % flips.length]!(ft, live);
        } catch (err) {
          failure ??= err;
        }
      }, 2);
    }
    ft.startDraining();
    machine.start();
    const res = await machine.exited;
    if (timer) clearInterval(timer);
    ft.stopDraining();
    ft.drain();
    return { ...b, res, phases, steps, live, failure };
  }

  it('runs every run with tracers switched at its start and end; all messages intact', async () => {
    const { machine, ft, res, log, phases, live } = await boot(7, false);
    expectIntact(res, log, n, RUNS);
    expect(phases).toEqual(Array.from({ length: 3 * RUNS }, (_, i) => [1, 3, 2][i % 3]));
    expect(machine.cmodx.counts.violation).toBe(0);
    unregAll(ft, live);
    expect(ft.siteStates().every((s) => s === 'disabled')).toBe(true);
    expect(ft.eventCount).toBeGreaterThan(0);
  });

  it('also survives filter flips from host timers between the phase calls', async () => {
    const { machine, res, log, failure } = await boot(8, true);
    expect(failure).toBeUndefined();
    expectIntact(res, log, n, RUNS);
    expect(machine.cmodx.counts.violation).toBe(0);
  });

  it('replays the same trace for the same seed (changes only at phase calls)', async () => {
    const a = await boot(21, false);
    const b = await boot(21, false);
    expectIntact(a.res, a.log, n, RUNS);
    expect(b.res.insns).toBe(a.res.insns);
    expect(b.ft.eventCount).toBe(a.ft.eventCount);
    const key = (e: ReturnType<Ftrace['events']>[number]) => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
    // each CPU's buffer holds the same events in the same order (how drains interleave the CPUs is host timing)
    for (let cpu = 0; cpu < 4; cpu++) {
      const ea = a.ft.events().filter((e) => e.cpu === cpu).map(key);
      const eb = b.ft.events().filter((e) => e.cpu === cpu).map(key);
      expect(eb.length, `cpu ${cpu}`).toBe(ea.length);
      const firstDiff = ea.findIndex((e, i) => e !== eb[i]);
      expect(firstDiff, firstDiff >= 0 ? `cpu ${cpu}: ${ea[firstDiff]} vs ${eb[firstDiff]}` : '').toBe(-1);
    }
    expect(b.ft.cpuStats()).toEqual(a.ft.cpuStats());
  });
});
