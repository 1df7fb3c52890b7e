// Full ring buffers and full return stacks: what does not fit is counted,
// never silently dropped, and the counts add up exactly.
//
// What this catches: a full buffer that overwrites committed events or
// writes past its end (events + lost above the calls made, a CPU holding
// more events than its capacity), losses not counted (events + lost below
// the calls), lost counts not reported through trace(), its text header and
// lost-event lines, and function_graph entries dropped at a full return
// stack that still hook the return (the guest would crash) or that are not
// counted as overruns.

import { describe, expect, it } from 'vitest';
import { formatTrace, trace } from '../../bindings/ftrace/trace.ts';
import type { GraphCall } from '../../bindings/ftrace/events.ts';
import { graphCalls } from '../../bindings/ftrace/output/index.ts';
import { bootTraced, callsPerRun, countByFunction, missingExits, reports, type HbSize } from '../util/ftrace.ts';

const SIZE: HbSize = { groups: 2, fds: 4, loops: 20, datasize: 32 };
const N = callsPerRun(SIZE); // 640 calls of fill_message

describe('a 4 KiB buffer drained only at the end', () => {
  it.each([
    { mode: 'deterministic', cpus: 2 },
    { mode: 'threads', cpus: 2 },
    { mode: 'threads', cpus: 4 },
  ] as const)('$mode, $cpus CPUs: per CPU, events + lost == calls; summed, == G x F x F x L; lost > 0', async ({ mode, cpus }) => {
    const { machine, ft, log } = await bootTraced({ cpus, mode, ...SIZE }, { bufferKb: 4 });
    expect(ft.bufferEvents).toBe(128);
    let ops: ReturnType<typeof ft.register> | undefined;
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) ops = ft.register({ kind: 'function', filter: ['fill_message'] });
      else if (args[0] === 2n) ft.unregister(ops!);
      return 0;
    });
    machine.start(); // no startDraining(): the buffers fill up
    const res = await machine.exited;
    expect(res.exitCode, [res.stdout, ...log].join('\n')).toBe(0);
    expect(reports(res).messages).toBe(N);
    ft.drain();
    const stats = ft.cpuStats();
    for (const c of stats) {
      // only fill_message is traced: every list-function entry is one fill_message call
      expect(c.events + c.lost, `cpu ${c.cpu}`).toBe(c.calls);
      expect(c.events, `cpu ${c.cpu}`).toBe(Math.min(c.calls, 128));
      expect(c.missed).toBe(0);
    }
    expect(stats.reduce((s, c) => s + c.events + c.lost, 0)).toBe(N);
    expect(stats.reduce((s, c) => s + c.lost, 0)).toBeGreaterThan(0);
    expect(Object.fromEntries(countByFunction(ft.events(), ft.records))).toEqual({ fill_message: stats.reduce((s, c) => s + c.events, 0) });
    // a full buffer keeps its oldest events: each CPU's kept events are in time order
    for (let cpu = 0; cpu < cpus; cpu++) {
      const ts = ft.events().filter((e) => e.cpu === cpu).map((e) => e.ts);
      for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    }
  });

  it('drained at the end, a buffer has room again: the next events go in', async () => {
    const { machine, ft } = await bootTraced({ cpus: 1, mode: 'deterministic', runs: 2, ...SIZE }, { bufferKb: 4 });
    let ops: ReturnType<typeof ft.register> | undefined;
    const perRun: { events: number; lost: number; calls: number }[] = [];
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) ops = ft.register({ kind: 'function', filter: ['fill_message'] });
      else if (args[0] === 2n) {
        ft.unregister(ops!);
        ft.drain();
        const c = ft.cpuStats()[0]!;
        perRun.push({ events: c.events, lost: c.lost, calls: c.calls });
      }
      return 0;
    });
    machine.start();
    const res = await machine.exited;
    expect(res.exitCode).toBe(0);
    expect(perRun).toHaveLength(2);
    // run 1: 128 kept, the rest lost; run 2: 128 more kept after the drain, the rest lost
    expect(perRun[0]).toEqual({ events: 128, lost: N - 128, calls: N });
    expect(perRun[1]).toEqual({ events: 256, lost: 2 * (N - 128), calls: 2 * N });
  });
});

describe('trace() with a 4 KiB buffer and every function traced', () => {
  it('reports the losses in the result, the text header and the lost-event lines', async () => {
    const r = await trace({ tracer: 'function', bufferKb: 4, cpus: 2, mode: 'deterministic', ...SIZE });
    expect(r.bufferEvents).toBe(128);
    expect(r.lost).toBeGreaterThan(0);
    expect(r.lost).toBe(r.perCpu.reduce((s, c) => s + c.lost, 0));
    expect(r.events).toBe(r.perCpu.reduce((s, c) => s + c.events, 0));
    // one ops, no recursion: every list-function entry made an event or a loss
    for (const c of r.perCpu) expect(c.events + c.lost, `cpu ${c.cpu}`).toBe(c.calls);
    const text = formatTrace(r);
    expect(text).toContain(`# entries-in-buffer/entries-written: ${r.events}/${r.events + r.lost}   #P:2`);
    for (const c of r.perCpu) if (c.lost > 0) expect(text).toContain(`CPU:${c.cpu} [LOST ${c.lost} EVENTS]\n`);
  });

  it('fill_message alone: events + lost == G x F x F x L with the buffers drained as it runs', async () => {
    const r = await trace({ tracer: 'function', filter: ['fill_message'], bufferKb: 4, cpus: 2, mode: 'threads', ...SIZE });
    expect(r.events + r.lost).toBe(N);
  });
});

describe('a full return stack', () => {
  // With a return stack of 2 entries, the third nested traced call is not hooked.
  it('counts overruns, still returns every call to its caller, and pairs the calls it did hook', async () => {
    const { machine, ft, log } = await bootTraced({ cpus: 2, mode: 'deterministic', groups: 1, fds: 2, loops: 5, datasize: 32 }, { retDepth: 2 });
    let ops: ReturnType<typeof ft.register> | undefined;
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) ops = ft.register({ kind: 'function_graph' });
      else if (args[0] === 2n) ft.unregister(ops!);
      return 0;
    });
    const res = await ft.run();
    expect(res.exitCode, [res.stdout, ...log].join('\n')).toBe(0);
    expect(reports(res).messages).toBe(2 * 2 * 5);
    const stats = ft.cpuStats();
    expect(stats.reduce((s, c) => s + c.overrun, 0)).toBeGreaterThan(0);
    expect(stats.reduce((s, c) => s + c.lost, 0)).toBe(0);
    const calls: GraphCall[] = graphCalls(ft.events());
    expect(calls.length).toBeGreaterThan(0);
    expect(Math.max(...calls.map((c) => c.depth))).toBeLessThanOrEqual(1);
    // every hooked entry has its exit
    const sym = ft.symbolizer();
    expect(missingExits(calls).map((c) => `${sym(c.ip)?.name} depth ${c.depth} cpu ${c.cpu} pid ${c.pid} at ${c.start}`)).toEqual([]);
  });
});
