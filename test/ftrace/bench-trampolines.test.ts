// The trampoline microbenchmark: the call-loop workload (hb_params workload 3)
// and `benchTrampolines` / `patchlab bench trampolines`.
//
// What this catches: a call loop whose results are not checked (a redirect of
// bench_target to another function must show up as check errors), call counts
// that are not exact, instruction counts that are not exact (R = 0 must cost
// nothing, the list walk must cost more with every irrelevant ops, two
// relevant ops more than one), designs whose R = 0 rows differ, the JSON keys,
// and options that escape as stack traces instead of exit code 2.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  BenchError, benchOpsSpecs, benchTrampolines, formatBenchTrampolines, WL_CALLLOOP, type BenchRow, type BenchTrampolinesOptions,
} from '../../bindings/ftrace/bench-trampolines.ts';
import { Ftrace } from '../../bindings/ftrace/ftrace.ts';
import type { FtraceOps, OpsSpec } from '../../bindings/ftrace/ops.ts';
import { Machine } from '../../bindings/machine/machine.ts';
import type { Mode } from '../../bindings/machine/types.ts';
import { kernelImageFile, readImage, setHbParams } from '../../bindings/workload/kernel.ts';
import { bootKernel } from '../util/kernel.ts';
import { expectOneLineError } from '../util/cli.ts';
import { ROOT } from '../util/ftrace.ts';

/** One boot of the call loop with `specs` registered for its run. */
async function callLoop(o: { cpus: number; mode: Mode; loops: number; warmup: number; specs?: OpsSpec[]; image?: 'pfe2' | 'pfe42' }) {
  const machine = await Machine.create({ profile: 'kernel', cpus: o.cpus, mode: o.mode, log: () => {} });
  machine.load(readImage(kernelImageFile(o.image ?? 'pfe2')));
  setHbParams(machine, { workload: WL_CALLLOOP, loops: o.loops, warmup: o.warmup, runs: 1, preempt: 0 });
  const ft = Ftrace.attach(machine, { bufferKb: 1024 });
  const live: FtraceOps[] = [];
  machine.onPhase(({ args }) => {
    if (args[0] === 1n) for (const s of o.specs ?? []) live.push(ft.register(s));
    else for (const x of live.splice(0)) ft.unregister(x);
    return 0;
  });
  machine.start();
  const result = await machine.exited;
  ft.drain();
  const r = Object.fromEntries([...result.reports].map(([k, v]) => [k, Number(v)]));
  return { result, r, ft };
}

describe('the call-loop workload', () => {
  it.each([
    [1, 'deterministic'],
    [2, 'deterministic'],
    [2, 'threads'],
  ] as const)('calls bench_target exactly warmup + loops times per CPU and checks every result (%i CPUs, %s)', async (cpus, mode) => {
    const { result, r } = await callLoop({ cpus, mode, loops: 300, warmup: 40 });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(r.calls).toBe(cpus * 300);
    expect(r.calls_expected).toBe(cpus * 300);
    expect(r.warmup_calls).toBe(cpus * 40);
    expect(r.check_errors).toBe(0);
    expect(r.tasks).toBe(cpus);
    expect(r.time_ns).toBeGreaterThan(0);
    expect(r.vcnt_ticks).toBeGreaterThan(0);
    expect(r['run0.calls']).toBe(cpus * 300);
  });

  it('catches calls that land in another function: a redirect to bench_other0 fails every check', async () => {
    const { result, r } = await callLoop({
      cpus: 2, mode: 'deterministic', loops: 200, warmup: 10,
      specs: [{ kind: 'redirect', filter: ['bench_target'], target: 'bench_other0' }],
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('FAILED');
    expect(r.check_errors).toBe(2 * 210);
    expect(r.calls).toBe(2 * 200);
  });

  it('traces every call of bench_target and none of the functions nothing calls', async () => {
    const { result, r, ft } = await callLoop({ cpus: 2, mode: 'threads', loops: 250, warmup: 5, specs: benchOpsSpecs(1, 4) });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(r.check_errors).toBe(0);
    const target = ft.records.find((x) => x.fn === 'bench_target')!;
    const events = ft.events();
    expect(events.length).toBe(2 * 255);
    expect(events.every((e) => e.ip === target.ip)).toBe(true);
    expect(ft.cpuStats().reduce((n, c) => n + c.lost, 0)).toBe(0);
  });

  it('may make no calls at all (the boots that measure what the ops cost once)', async () => {
    const { result, r } = await callLoop({ cpus: 1, mode: 'deterministic', loops: 0, warmup: 0, specs: benchOpsSpecs(1, 1) });
    expect(result.exitCode, result.stdout).toBe(0);
    expect([r.calls, r.warmup_calls, r.check_errors]).toEqual([0, 0, 0]);
  });

  it('still refuses loops 0 for hackbench', async () => {
    const { result } = await bootKernel({ workload: 0, loops: 0 }, { cpus: 1, mode: 'deterministic' });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('hb_params: loops must be at least 1');
  });

  it('is refused beyond workload 4 with the list of workloads', async () => {
    const { result } = await bootKernel({ workload: 5 }, { cpus: 1, mode: 'deterministic' });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('hb_params: workload must be 0 (hackbench), 1 (spin), 2 (pingpong), 3 (callloop) or 4 (race)');
  });
});

const SMALL: BenchTrampolinesOptions = { mode: 'deterministic', loops: 200, warmup: 20 };
const row = (rows: BenchRow[], design: string, r: number, i: number) => rows.find((x) => x.design === design && x.relevant === r && x.irrelevant === i)!;

describe('benchTrampolines, instructions per call (deterministic)', () => {
  it('list: R = 0 costs nothing, each irrelevant ops costs more, two relevant ops more than one; exact', async () => {
    const res = await benchTrampolines({ ...SMALL, designs: ['list'] });
    expect(res.rows).toHaveLength(15);
    const { rows } = res;
    for (const i of [0, 1, 2, 10, 100]) {
      expect(Math.abs(row(rows, 'list', 0, i).insnsPerCall!)).toBeLessThan(0.5);
      expect(row(rows, 'list', 2, i).insnsPerCall!).toBeGreaterThan(row(rows, 'list', 1, i).insnsPerCall!);
    }
    for (const r of [1, 2]) {
      const byI = [0, 1, 2, 10, 100].map((i) => row(rows, 'list', r, i).insnsPerCall!);
      for (let k = 1; k < byI.length; k++) expect(byI[k]!, `R=${r}: ${byI.join(' ')}`).toBeGreaterThan(byI[k - 1]!);
      // the same instructions for every call: the difference of two boots divides exactly
      for (const v of byI) expect(Number.isInteger(v), `R=${r}: ${byI.join(' ')}`).toBe(true);
    }
    for (const x of rows) {
      expect(x.nsPerCall).toBeNull();
      expect(x.untracedNsPerCall).toBeNull();
      expect(Number.isInteger(x.fixedInsns)).toBe(true);
    }
  });

  it('every design: the same R = 0 rows; one ops alone skips the list walk in dynamic and call-ops', async () => {
    const res = await benchTrampolines({ ...SMALL, relevant: [0, 1], irrelevant: [0, 10] });
    const { rows } = res;
    expect(res.config.images['call-ops']).toMatch(/kernel-pfe42\.elf$/);
    expect(res.config.images.list).toMatch(/kernel-pfe2\.elf$/);
    for (const i of [0, 10]) {
      const r0 = ['list', 'dynamic', 'call-ops'].map((d) => row(rows, d, 0, i).insnsPerCall);
      expect(r0).toEqual([0, 0, 0]);
    }
    expect(row(rows, 'list', 1, 10).insnsPerCall!).toBeGreaterThan(row(rows, 'list', 1, 0).insnsPerCall!);
    for (const d of ['dynamic', 'call-ops']) {
      expect(row(rows, d, 1, 10).insnsPerCall, d).toBe(row(rows, d, 1, 0).insnsPerCall);
      expect(row(rows, d, 1, 0).insnsPerCall!, d).toBeLessThan(row(rows, 'list', 1, 0).insnsPerCall!);
    }
  });
});

describe('benchTrampolines, host time (threads)', () => {
  it('reports ns per call above the untraced median, and the untraced figure', async () => {
    const res = await benchTrampolines({ mode: 'threads', designs: ['list'], relevant: [0, 1], irrelevant: [0], loops: 500, warmup: 50, runs: 3 });
    const base = row(res.rows, 'list', 0, 0);
    const one = row(res.rows, 'list', 1, 0);
    expect(base.nsPerCall).toBe(0);
    expect(base.untracedNsPerCall!).toBeGreaterThan(0);
    expect(one.untracedNsPerCall).toBe(base.untracedNsPerCall);
    expect(one.nsRuns).toHaveLength(3);
    expect(one.insnsPerCall).toBeNull();
    expect(one.fixedInsns).toBeNull();
    expect(Number.isFinite(one.nsPerCall)).toBe(true);
    const text = formatBenchTrampolines(res);
    expect(text).toMatch(/Relevant \| Irrelevant \|\|/);
    expect(text).toContain('untraced ns per call: list');
  });
});

describe('options', () => {
  it.each([
    [{ loops: 0 }, /loops must be an integer 1\.\.10000000, got 0/],
    [{ runs: 0 }, /runs must be an integer 1\.\.101/],
    [{ warmup: -1 }, /warmup/],
    [{ designs: ['fastest'] as never }, /designs must be a non-empty list of list, dynamic, call-ops/],
    [{ designs: [] }, /designs must be a non-empty list/],
    [{ designs: ['list', 'list'] as const }, /twice/],
    [{ relevant: [17] }, /relevant must be an integer 0\.\.16/],
    [{ irrelevant: [1.5] }, /irrelevant/],
    [{ mode: 'fast' as never }, /mode must be one of both, threads, deterministic/],
    [{ image: '/nonexistent-dir-xyz/kernel.elf' }, /does not exist/],
    [{ loops: 2_000_000, relevant: [2] }, /events per boot/],
  ])('%o: BenchError bad-option', async (o, message) => {
    const err = await benchTrampolines({ ...SMALL, designs: ['list'], ...o }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).code).toBe('bad-option');
    expect((err as Error).message).toMatch(message);
  });
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', 'bench', 'trampolines', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('patchlab bench trampolines', () => {
  const quick = ['--mode', 'deterministic', '--loops', '100', '--warmup', '10', '--relevant', '0,1', '--irrelevant', '0,2'];

  it('--json prints {config, rows}', () => {
    const r = cli(['--json', '--designs', 'list,dynamic', ...quick]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { config: Record<string, unknown>; rows: BenchRow[] };
    expect(Object.keys(j).sort()).toEqual(['config', 'rows']);
    expect(j.config).toMatchObject({ designs: ['list', 'dynamic'], relevant: [0, 1], irrelevant: [0, 2], mode: 'deterministic', loops: 100, warmup: 10, cpus: 1 });
    expect(j.rows).toHaveLength(8);
    for (const x of j.rows) {
      expect(Object.keys(x).sort()).toEqual(['cyclesPerCall', 'design', 'fixedCycles', 'fixedInsns', 'insnsPerCall', 'irrelevant', 'nsPerCall', 'nsRuns', 'relevant', 'untracedNsPerCall']);
      expect(typeof x.insnsPerCall).toBe('number');
      expect(x.nsPerCall).toBeNull();
      expect(x.cyclesPerCall).toBeNull(); // no cycle model asked for
      expect(x.fixedCycles).toBeNull();
    }
  });

  it('prints the table by R and I with a column per design', () => {
    const r = cli(['--designs', 'list', ...quick]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ Relevant \| Irrelevant \|\| list insns/);
    expect(r.stdout).toMatch(/^\s+1 \|\s+2 \|\|\s+\d+\.\d\d$/m);
    expect(r.stdout).toContain('exactly insns x 10');
  });

  it.each([
    [['--loops', '0'], /loops must be an integer/],
    [['--runs', '0'], /runs must be an integer/],
    [['--designs', 'list,fastest'], /designs must be/],
    [['--mode', 'fast'], /mode/],
    [['--loops', 'many'], /loops/],
    [['--relevant', '1,x'], /relevant/],
    [['--image', '/nonexistent-dir-xyz/kernel.elf'], /does not exist/],
    [['--no-such-option'], /unknown option/],
  ])('%j: exit code 2, one line, no stack trace', (args, message) => {
    // valid options first: the bad one, given last, wins
    const r = cli(['--designs', 'list', '--mode', 'deterministic', '--loops', '10', ...args]);
    expectOneLineError(r, message);
  });
});
