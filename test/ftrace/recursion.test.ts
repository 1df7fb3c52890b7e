// The recursion guard: an ops whose callback calls strlen, itself a traced
// function. The nested call must stop at the list function (counted in
// `missed`) instead of recursing until the stack overflows.
//
// What this catches: a missing or per-callback-only guard (the guest hangs,
// overflows its stack or faults), a guard that also swallows the outer call
// (the callback never runs: missed without calls), a guard bit left held
// (every later call missed, nothing traced after the first), missed counts
// not kept, and a guard that drops events of other ops on unrelated calls.

import { describe, expect, it } from 'vitest';
import { OPS } from '../../bindings/ftrace/layout.ts';
import type { FtraceOps } from '../../bindings/ftrace/ops.ts';
import { bootTraced, callsPerRun, countByFunction, HB_FUNCS, reports, type HbSize } from '../util/ftrace.ts';

const SIZE: HbSize = { groups: 2, fds: 3, loops: 4, datasize: 32 };
const N = callsPerRun(SIZE);

/** The callback's own count of its runs (ftrace_recursing_call adds 1 to op->reserved[0]). */
const RESERVED0 = BigInt(OPS.private + 8);

describe.each(['deterministic', 'threads'] as const)('%s mode, 2 CPUs', (mode) => {
  it('a recursing ops on every function: the run completes, every callback run misses once', async () => {
    const { machine, ft, log } = await bootTraced({ cpus: 2, mode, ...SIZE });
    let ops: FtraceOps | undefined;
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) ops = ft.register({ kind: 'recursing' });
      else if (args[0] === 2n) ft.unregister(ops!);
      return 0;
    });
    machine.start();
    const res = await machine.exited;
    expect(res.end, [res.stdout, ...log].join('\n')).toBe('exit');
    expect(res.exitCode).toBe(0);
    expect(reports(res).messages).toBe(N);
    const stats = ft.cpuStats();
    const calls = stats.reduce((s, c) => s + c.calls, 0);
    const missed = stats.reduce((s, c) => s + c.missed, 0);
    expect(calls).toBeGreaterThan(3 * N);
    expect(missed).toBeGreaterThan(0);
    // each list-function entry from outside runs the callback once, whose strlen call is stopped once
    for (const c of stats) expect(c.missed, `cpu ${c.cpu}`).toBe(c.calls);
    expect(machine.mem.atomicU64(ops!.addr + RESERVED0)).toBe(BigInt(calls));
    expect(machine.cmodx.counts.violation).toBe(0);
  }, 30_000); // a guard that lets the recursion through hangs or overflows: fail fast
});

describe('a recursing ops on strlen and the workload functions, registered before the CPUs start', () => {
  // strlen is called only by the callback itself: every strlen entry is a nested one.
  it('runs the callback once per workload call and stops each nested strlen call', async () => {
    const { machine, ft } = await bootTraced({ cpus: 2, mode: 'deterministic', ...SIZE });
    const ops = ft.register({ kind: 'recursing', filter: ['strlen', ...HB_FUNCS] });
    expect(ft.siteStates().filter((st) => st !== 'disabled')).toHaveLength(4);
    machine.start();
    const res = await machine.exited;
    expect(res.exitCode).toBe(0);
    expect(reports(res).messages).toBe(N);
    const stats = ft.cpuStats();
    expect(stats.reduce((s, c) => s + c.calls, 0)).toBe(3 * N);
    expect(stats.reduce((s, c) => s + c.missed, 0)).toBe(3 * N);
    expect(machine.mem.atomicU64(ops.addr + RESERVED0)).toBe(BigInt(3 * N));
  });
});

describe('the guard and a second ops', () => {
  it('a function ops next to the recursing one still records every call of the workload', async () => {
    const { machine, ft } = await bootTraced({ cpus: 2, mode: 'deterministic', ...SIZE });
    let live: FtraceOps[] = [];
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) {
        live = [ft.register({ kind: 'function', filter: [...HB_FUNCS, 'strlen'] }), ft.register({ kind: 'recursing', filter: [...HB_FUNCS] })];
      } else if (args[0] === 2n) for (const o of live) ft.unregister(o);
      return 0;
    });
    const res = await ft.run();
    expect(res.exitCode).toBe(0);
    const stats = ft.cpuStats();
    expect(stats.reduce((s, c) => s + c.missed, 0)).toBe(3 * N);
    expect(stats.reduce((s, c) => s + c.lost, 0)).toBe(0);
    // the strlen calls from inside the recursing callback are missed, not traced
    const by = countByFunction(ft.events(), ft.records);
    for (const f of HB_FUNCS) expect(by.get(f), f).toBe(N);
    expect(by.get('strlen') ?? 0).toBe(stats.reduce((s, c) => s + c.calls, 0) - 3 * N);
  });
});
