// Each design calls every relevant ops exactly once per traced call and no
// irrelevant one: the guest call loop (workload 3) with R function ops on
// bench_target and I on functions the loop never calls gives exactly
// R x calls events, every return value right. And with ops added and
// removed while 4 CPUs run hackbench in threads mode, every design ends
// with every message intact and no CMODX violation.

import { describe, expect, it } from 'vitest';
import { Ftrace, Machine, type FtraceOps, type OpsSpec } from '../../bindings/index.ts';
import { benchOpsSpecs, WL_CALLLOOP } from '../../bindings/ftrace/bench-trampolines.ts';
import { DESIGNS, type TrampolineDesign } from '../../bindings/ftrace/designs.ts';
import { kernelImageFile, readImage, setHbParams } from '../../bindings/workload/kernel.ts';

const imageOf = (d: TrampolineDesign) => readImage(kernelImageFile(d === 'call-ops' ? 'pfe42' : 'pfe2'));

describe.each(DESIGNS)('%s', (design) => {
  it.each([1, 2])('R = %i: R events per call for I = 0, 1, 2, 10, 100', async (relevant) => {
    const LOOPS = 150;
    for (const irrelevant of [0, 1, 2, 10, 100]) {
      const m = await Machine.create({ profile: 'kernel', cpus: 1, mode: 'deterministic', log: () => {} });
      m.load(imageOf(design));
      setHbParams(m, { workload: WL_CALLLOOP, loops: LOOPS, warmup: 0, runs: 1, preempt: 0 });
      const ft = Ftrace.attach(m, { trampoline: design });
      ft.switchAtPhases(() => benchOpsSpecs(relevant, irrelevant));
      const r = await ft.run();
      const what = `R=${relevant} I=${irrelevant}`;
      expect(r.exitCode, what).toBe(0);
      expect(r.reports.get('calls'), what).toBe(BigInt(LOOPS));
      expect(r.reports.get('check_errors'), what).toBe(0n);
      const ev = ft.events();
      expect(ev.length, what).toBe(relevant * LOOPS);
      const sym = ft.symbolizer();
      expect(new Set(ev.map((e) => sym(e.ip)?.name)), what).toEqual(new Set(['bench_target']));
      expect(ft.cpuStats()[0]!.lost, what).toBe(0);
    }
  });

  it('ops on bench_target added and removed while 4 CPUs call it: every return value right', async () => {
    const LOOPS = 200_000;
    const m = await Machine.create({ profile: 'kernel', cpus: 4, mode: 'threads', log: () => {} });
    m.load(imageOf(design));
    setHbParams(m, { workload: WL_CALLLOOP, loops: LOOPS, warmup: 0, runs: 1, preempt: 1 });
    const ft = Ftrace.attach(m, { trampoline: design });
    const ended = ft.run();
    const live: FtraceOps[] = [];
    for (let step = 0; step < 30 && m.status === 'running'; step++) {
      if (live.length < 2 && step % 3 !== 2) live.push(ft.register(step % 2 ? { kind: 'profile', filter: ['bench_target'] } : { kind: 'function', filter: ['bench_*'] }));
      else ft.unregister(live.shift()!);
      await new Promise((r) => setTimeout(r, 2));
    }
    for (const o of live.splice(0)) ft.unregister(o);
    const r = await ended;
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('calls')).toBe(BigInt(4 * LOOPS)); // one calling task per CPU
    expect(r.reports.get('check_errors')).toBe(0n);
    expect(m.cmodx.counts.violation).toBe(0);
  });

  it('ops added and removed while 4 CPUs run: every message intact, no violation', async () => {
    const m = await Machine.create({ profile: 'kernel', cpus: 4, mode: 'threads', log: () => {} });
    m.load(imageOf(design));
    setHbParams(m, { workload: 0, groups: 2, fds: 4, loops: 300, datasize: 64, runs: 1 });
    const ft = Ftrace.attach(m, { trampoline: design });
    const specs: OpsSpec[] = [
      { kind: 'function', filter: ['fill_message', 'ksys_*'] },
      { kind: 'profile', filter: ['check_message', 'pipe_*'] },
      { kind: 'function_graph', filter: ['vfs_*', 'ksys_read'] },
      { kind: 'function', filter: ['copy_*'] },
    ];
    const ended = ft.run();
    const live: FtraceOps[] = [];
    for (let step = 0; step < 30 && m.status === 'running'; step++) {
      if (live.length < 3 && step % 3 !== 2) live.push(ft.register(specs[step % specs.length]!));
      else ft.unregister(live.shift()!);
      await new Promise((r) => setTimeout(r, 2));
    }
    for (const o of live.splice(0)) ft.unregister(o);
    const r = await ended;
    expect(r.end).toBe('exit');
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('messages')).toBe(BigInt(2 * 4 * 4 * 300));
    expect(r.reports.get('check_errors')).toBe(0n);
    expect(m.cmodx.counts.violation).toBe(0);
    expect(ft.siteStates().every((s) => s === 'disabled')).toBe(true);
  });
});
