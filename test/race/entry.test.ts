// The entry protocols of the ftrace core (bindings/ftrace/entry.ts): which
// words each update writes and in which order, and what each protocol leaves
// at rest after attach.
//
// What this catches: the two phases swapped (the BL written before the MOV
// that feeds it, the MOV taken away before the call), an entry word written
// under init-mov, b-plus-2's branch not skipping the call site, the wrong
// rest word at boot, and a stop-machine or rcu-tasks update that the host
// patcher cannot honour accepted silently.

import { describe, expect, it } from 'vitest';
import { B_PLUS_8, planSite, restWord, type UpdatePlan } from '../../bindings/ftrace/entry.ts';
import { Ftrace, FtraceError } from '../../bindings/ftrace/ftrace.ts';
import type { FtraceRecord } from '../../bindings/ftrace/records.ts';
import { MOV_X9_X30, NOP, blWord } from '../../bindings/ftrace/sites.ts';
import { Machine } from '../../bindings/machine/machine.ts';
import { kernelImageFile, readImage } from '../../bindings/workload/kernel.ts';

const rec = { fn: 'f', site: 0x1000n, entry: 0x1000n, ip: 0x1004n, index: 0 } as unknown as FtraceRecord;
const T = 0x2000n;
const plan = (from: bigint, to: bigint, p: Parameters<typeof planSite>[4]): UpdatePlan => {
  const out: UpdatePlan = { first: [], second: [] };
  planSite(out, rec, from, to, p);
  return out;
};
const w = (addr: bigint, expectedOld: number, newWord: number) => ({ addr, expectedOld, newWord });

describe('entry protocols', () => {
  it('init-mov: only the call site, in one phase', () => {
    expect(plan(0n, T, 'init-mov')).toEqual({ first: [w(0x1004n, NOP, blWord(0x1004n, T))], second: [] });
    expect(plan(T, 0n, 'init-mov')).toEqual({ first: [w(0x1004n, blWord(0x1004n, T), NOP)], second: [] });
  });

  it('runtime: MOV before BL to enable, NOP at the call before NOP at the entry to disable', () => {
    expect(plan(0n, T, 'runtime')).toEqual({ first: [w(0x1000n, NOP, MOV_X9_X30)], second: [w(0x1004n, NOP, blWord(0x1004n, T))] });
    expect(plan(T, 0n, 'runtime')).toEqual({ first: [w(0x1004n, blWord(0x1004n, T), NOP)], second: [w(0x1000n, MOV_X9_X30, NOP)] });
  });

  it('b-plus-2: the BL behind the branch, then the MOV; the branch back before the NOP', () => {
    expect(B_PLUS_8).toBe(0x14000002); // b .+8
    expect(plan(0n, T, 'b-plus-2')).toEqual({ first: [w(0x1004n, NOP, blWord(0x1004n, T))], second: [w(0x1000n, B_PLUS_8, MOV_X9_X30)] });
    expect(plan(T, 0n, 'b-plus-2')).toEqual({ first: [w(0x1000n, MOV_X9_X30, B_PLUS_8)], second: [w(0x1004n, blWord(0x1004n, T), NOP)] });
  });

  it('a call moving between targets is one call-site write under every protocol', () => {
    for (const p of ['init-mov', 'runtime', 'b-plus-2'] as const) {
      expect(plan(T, T + 0x40n, p)).toEqual({ first: [w(0x1004n, blWord(0x1004n, T), blWord(0x1004n, T + 0x40n))], second: [] });
    }
  });

  it('attach leaves every entry at its protocol\'s rest word, the call sites NOP', async () => {
    for (const entry of ['init-mov', 'runtime', 'b-plus-2'] as const) {
      const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'deterministic' });
      m.load(readImage(kernelImageFile('pfe2')));
      const ft = Ftrace.attach(m, { entry });
      for (const r of ft.records) {
        expect(m.mem.u32(r.entry), `${entry} ${r.fn}`).toBe(restWord(entry));
        expect(m.mem.u32(r.ip)).toBe(NOP);
      }
      await m.terminate();
    }
  });

  it('stop-machine needs the host patcher; an unknown protocol or sync is refused', async () => {
    const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'deterministic' });
    m.load(readImage(kernelImageFile('pfe2')));
    expect(() => Ftrace.attach(m, { sync: 'stop-machine', patcher: 'guest' })).toThrow(FtraceError);
    expect(() => Ftrace.attach(m, { entry: 'two-nops' as never })).toThrow(/entry must be one of/);
    expect(() => Ftrace.attach(m, { sync: 'later' as never })).toThrow(/sync must be one of/);
    await m.terminate();
  });

  it('threads mode: a stop-machine update while the CPUs run is refused; paused, it is written', async () => {
    const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'threads' });
    m.load(readImage(kernelImageFile('pfe2')));
    const ft = Ftrace.attach(m, { entry: 'runtime', sync: 'stop-machine' });
    m.start();
    try {
      expect(() => ft.register({ kind: 'function', filter: ['fill_message'] })).toThrow(/pause\(\) the machine/);
      expect(ft.registered).toHaveLength(0); // refused before anything was linked or written
      await m.pause();
      const ops = ft.register({ kind: 'function', filter: ['fill_message'] });
      const r = ft.records.find((x) => x.fn === 'fill_message')!;
      expect(m.mem.u32(r.entry)).toBe(MOV_X9_X30);
      expect(m.mem.u32(r.ip)).not.toBe(NOP);
      // written while every CPU was held: not a violation
      expect(m.cmodx.counts.violation).toBe(0);
      expect(m.cmodx.counts.quiescent).toBeGreaterThan(0);
      ft.unregister(ops);
      m.resume();
    } finally {
      await m.terminate();
    }
  });
});
