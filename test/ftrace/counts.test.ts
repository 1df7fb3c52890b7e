// Exact call counts through trace(): hackbench calls fill_message, ksys_write
// and check_message exactly G x F x F x L times in a run, so the profiler's
// hits and the function tracer's events for each of them must be exactly
// that, on 1, 2 and 4 CPUs, in both modes, on both images.
//
// What this catches: calls missed while tracing is on (ops registered after
// the run's first calls, a call site patched late or on the wrong word, a
// CPU running a stale NOP, a filter hash lookup that misses some call
// sites), calls counted twice (two ops or two trampolines on one site, an
// event written per ops instead of per call), hits credited to the wrong
// record (record hash or profile index off by one), unfiltered functions
// traced, events dropped with an ample buffer, recursion-guard false
// positives, CMODX violations while patching, and messages corrupted by the
// trampolines (registers clobbered across a traced call).

import { describe, expect, it } from 'vitest';
import { trace, type TraceResult } from '../../bindings/ftrace/trace.ts';
import { bootTraced, callsPerRun, countByFunction, HB_FUNCS, recordsOfImage, reports, type HbSize, type ImageName } from '../util/ftrace.ts';

const MODES = ['threads', 'deterministic'] as const;
const CPUS = [1, 2, 4] as const;
/** Small sizes, one with a single receiver per group. */
const SIZES: HbSize[] = [
  { groups: 1, fds: 1, loops: 7 },
  { groups: 2, fds: 3, loops: 2 },
  { groups: 1, fds: 4, loops: 3 },
];

const recordsOf = (image: ImageName) => recordsOfImage(image);

/** What every run must satisfy, whatever the tracer. */
function expectCleanRun(r: TraceResult, n: number): void {
  expect(r.workload.messages).toBe(n);
  expect(r.workload.expectedMessages).toBe(n);
  expect(r.cmodx.violation).toBe(0);
  expect(r.lost).toBe(0);
  for (const c of r.perCpu) {
    expect(c.lost, `cpu ${c.cpu} lost`).toBe(0);
    expect(c.missed, `cpu ${c.cpu} missed`).toBe(0);
    expect(c.overrun, `cpu ${c.cpu} overrun`).toBe(0);
  }
  // exactly the three call sites were patched
  expect(r.enabledSites).toBe(3);
}

function expectProfile(r: TraceResult, n: number): void {
  expect(r.functions).not.toBeNull();
  const rows = r.functions!;
  expect(rows.map((f) => f.name).sort()).toEqual([...HB_FUNCS].sort());
  for (const f of rows) {
    expect(f.hits, f.name).toBe(n);
    expect(f.totalNs, f.name).toBeGreaterThan(0);
    expect(f.avgNs, f.name).toBeCloseTo(f.totalNs / f.hits, 6);
  }
}

/** Every function event is one of the three functions, each exactly n times; the per-CPU figures add up. */
function expectFunctionEvents(r: TraceResult, n: number, image: ImageName): void {
  const records = recordsOf(image);
  const by = countByFunction(r.trace.events, records);
  expect(Object.fromEntries(by)).toEqual(Object.fromEntries(HB_FUNCS.map((f) => [f, n])));
  expect(r.events).toBe(3 * n);
  expect(r.trace.events).toHaveLength(3 * n);
  expect(r.perCpu.reduce((s, c) => s + c.events, 0)).toBe(3 * n);
  // every event of a CPU's buffer is attributed to that CPU
  for (const c of r.perCpu) expect(r.trace.events.filter((e) => e.cpu === c.cpu)).toHaveLength(c.events);
}

describe.each(MODES)('%s mode', (mode) => {
  describe.each(CPUS)('%i CPUs', (cpus) => {
    it.each(SIZES)('function tracer + profiler, $groups groups x $fds fds x $loops loops: exact counts', async (size) => {
      const n = callsPerRun(size);
      const r = await trace({ tracer: 'function', profile: true, filter: [...HB_FUNCS], cpus, mode, ...size, datasize: 32 });
      expectCleanRun(r, n);
      expectProfile(r, n);
      expectFunctionEvents(r, n, 'pfe2');
      // one list-function entry per traced call (the two ops share it)
      expect(r.perCpu.reduce((s, c) => s + c.calls, 0)).toBe(3 * n);
      if (cpus > 1) expect(r.perCpu.filter((c) => c.events > 0).length, 'events on more than one CPU').toBeGreaterThan(1);
    });

    it('profiler alone (nop tracer): exact hits, no events', async () => {
      const size = SIZES[1]!;
      const n = callsPerRun(size);
      const r = await trace({ tracer: 'nop', profile: true, filter: [...HB_FUNCS], cpus, mode, ...size, datasize: 32 });
      expectCleanRun(r, n);
      expectProfile(r, n);
      expect(r.events).toBe(0);
      expect(r.trace.events).toHaveLength(0);
      expect(r.perCpu.reduce((s, c) => s + c.calls, 0)).toBe(3 * n);
    });
  });
});

describe('function tracer alone', () => {
  it.each(MODES)('%s mode, 4 CPUs: n events per function and no profile', async (mode) => {
    const size = SIZES[2]!;
    const n = callsPerRun(size);
    const r = await trace({ tracer: 'function', filter: [...HB_FUNCS], cpus: 4, mode, ...size, datasize: 32 });
    expectCleanRun(r, n);
    expect(r.functions).toBeNull();
    expectFunctionEvents(r, n, 'pfe2');
  });
});

describe('the =4,2 image', () => {
  describe.each(MODES)('%s mode', (mode) => {
    it.each([2, 4])('%i CPUs: the same exact counts', async (cpus) => {
      const size = SIZES[1]!;
      const n = callsPerRun(size);
      const r = await trace({ image: 'pfe42', tracer: 'function', profile: true, filter: [...HB_FUNCS], cpus, mode, ...size, datasize: 32 });
      expect(r.image.file).toMatch(/kernel-pfe42\.elf$/);
      expectCleanRun(r, n);
      expectProfile(r, n);
      expectFunctionEvents(r, n, 'pfe42');
    });
  });
});

describe('a filter glob and a function called at least n times', () => {
  it('ksys_* selects ksys_write and ksys_read: ksys_write n times, ksys_read at least n times', async () => {
    const size = SIZES[2]!;
    const n = callsPerRun(size);
    const r = await trace({ tracer: 'nop', profile: true, filter: ['ksys_*'], cpus: 2, mode: 'deterministic', ...size, datasize: 32 });
    expect(r.workload.messages).toBe(n);
    expect(r.enabledSites).toBe(2);
    const rows = new Map(r.functions!.map((f) => [f.name, f.hits]));
    expect([...rows.keys()].sort()).toEqual(['ksys_read', 'ksys_write']);
    expect(rows.get('ksys_write')).toBe(n);
    expect(rows.get('ksys_read')).toBeGreaterThanOrEqual(n);
  });
});

describe('function_graph and the profiler together', () => {
  // Two return hooks on one call: each must pop its own entry.
  it.each(MODES)('%s mode, 2 CPUs: n entries, n exits and n hits per function', async (mode) => {
    const size = SIZES[1]!;
    const n = callsPerRun(size);
    const r = await trace({ tracer: 'function_graph', profile: true, filter: [...HB_FUNCS], cpus: 2, mode, ...size, datasize: 32 });
    expectCleanRun(r, n);
    expectProfile(r, n);
    const records = recordsOf('pfe2');
    for (const type of ['graph-entry', 'graph-exit'] as const) {
      expect(Object.fromEntries(countByFunction(r.trace.events, records, type)), type).toEqual(Object.fromEntries(HB_FUNCS.map((f) => [f, n])));
    }
  });
});

describe('through ftrace_regs_caller', () => {
  // saveRegs sends the sites to the trampoline that saves a full pt_regs.
  it.each(MODES)('%s mode, 4 CPUs: a saveRegs function ops counts exactly and leaves the messages intact', async (mode) => {
    const size = SIZES[2]!;
    const n = callsPerRun(size);
    const { machine, ft } = await bootTraced({ cpus: 4, mode, ...size, datasize: 32 });
    let ops: ReturnType<typeof ft.register> | undefined;
    let states: readonly string[] = [];
    machine.onPhase(({ args }) => {
      if (args[0] === 1n) {
        ops = ft.register({ kind: 'function', saveRegs: true, filter: [...HB_FUNCS] });
        states = ft.siteStates();
      } else if (args[0] === 2n) ft.unregister(ops!);
      return 0;
    });
    const res = await ft.run();
    expect(res.exitCode).toBe(0);
    expect(reports(res).messages).toBe(n);
    expect(reports(res).check_errors).toBe(0);
    expect(states.filter((st) => st === 'regs')).toHaveLength(3);
    expect(states.filter((st) => st === 'caller')).toHaveLength(0);
    expect(Object.fromEntries(countByFunction(ft.events(), ft.records))).toEqual(Object.fromEntries(HB_FUNCS.map((f) => [f, n])));
    expect(machine.cmodx.counts.violation).toBe(0);
  });
});

describe('a larger run in threads mode', () => {
  // More calls while 4 CPU threads run: races between the CPUs' buffers, the
  // drains and the profile tables have more chances to show.
  it('2 groups x 8 fds x 50 loops on 4 CPUs: exact counts', async () => {
    const size: HbSize = { groups: 2, fds: 8, loops: 50 };
    const n = callsPerRun(size);
    const r = await trace({ tracer: 'function', profile: true, filter: [...HB_FUNCS], cpus: 4, mode: 'threads', ...size, datasize: 32 });
    expectCleanRun(r, n);
    expectProfile(r, n);
    expectFunctionEvents(r, n, 'pfe2');
  });
});
