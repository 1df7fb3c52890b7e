// The three trampoline designs carry the same trace: exact counts whichever
// design, the list function skipped where a site has one ops (dynamic,
// call-ops) and used where it has two, CALL_OPS literals that always match
// the BL state, a recursion-unsafe ops kept behind the list's guard, and ops
// added and removed while 4 CPUs run.

import { describe, expect, it } from 'vitest';
import { Ftrace, Machine, trace, type FtraceOps } from '../../bindings/index.ts';
import { DESIGNS, type TrampolineDesign } from '../../bindings/ftrace/designs.ts';
import { kernelImageFile, readImage, setHbParams } from '../../bindings/workload/kernel.ts';

const SIZE = { groups: 2, fds: 4, loops: 10 };
const CALLS = 2 * 4 * 4 * 10;
const HOT = ['fill_message', 'ksys_write', 'check_message'];

async function boot(design: TrampolineDesign, opts: { cpus?: number; mode?: 'threads' | 'deterministic'; loops?: number } = {}) {
  const m = await Machine.create({ profile: 'kernel', cpus: opts.cpus ?? 2, mode: opts.mode ?? 'deterministic', log: () => {} });
  m.load(readImage(kernelImageFile('pfe42')));
  setHbParams(m, { workload: 0, ...SIZE, loops: opts.loops ?? SIZE.loops, datasize: 100, runs: 1 });
  return { m, ft: Ftrace.attach(m, { trampoline: design }) };
}

describe.each(DESIGNS)('%s', (design) => {
  it.each(['deterministic', 'threads'] as const)('gives exact counts with one and with two ops on a site (%s)', async (mode) => {
    const r = await trace({ image: 'pfe42', trampoline: design, mode, cpus: 2, tracer: 'function', profile: true, filter: HOT, ...SIZE });
    expect(Object.fromEntries(r.functions!.map((f) => [f.name, f.hits]))).toEqual(Object.fromEntries(HOT.map((f) => [f, CALLS])));
    expect(r.events).toBe(3 * CALLS);
    expect(r.cmodx.violation).toBe(0);
    // two ops want every site: the list function runs for each traced call, whatever the design
    expect(r.perCpu.reduce((s, c) => s + c.calls, 0)).toBe(3 * CALLS);
  });

  it('with one ops per site, only the list design walks the list', async () => {
    const r = await trace({ image: 'pfe42', trampoline: design, mode: 'deterministic', tracer: 'function', filter: HOT, ...SIZE });
    expect(r.events).toBe(3 * CALLS);
    const listCalls = r.perCpu.reduce((s, c) => s + c.calls, 0);
    expect(listCalls).toBe(design === 'list' ? 3 * CALLS : 0);
  });

  it('with no ops nothing is enabled and the instruction count is the untraced one', async () => {
    const a = await boot(design);
    a.m.start();
    const ra = await a.m.exited;
    const b = await boot('list');
    b.m.start();
    const rb = await b.m.exited;
    expect(a.ft.siteStates().every((s) => s === 'disabled')).toBe(true);
    expect(ra.insns).toBe(rb.insns);
  });
});

describe('dynamic trampolines', () => {
  it('are generated per ops, named for the symbolizer, and carry that ops\' calls', async () => {
    const { m, ft } = await boot('dynamic');
    const a = ft.register({ kind: 'function', filter: ['fill_message'] });
    const b = ft.register({ kind: 'profile', filter: ['check_message'] });
    const states = ft.siteStates();
    const idx = (fn: string) => ft.records.findIndex((r) => r.fn === fn);
    expect(states[idx('fill_message')]).toBe('dynamic');
    expect(states[idx('check_message')]).toBe('dynamic');
    const target = (fn: string) => {
      const r = ft.records[idx(fn)]!;
      const w = m.mem.u32(r.ip);
      return r.ip + BigInt(((w & 0x3ffffff) << 6) >> 4); // sign-extended imm26 x 4
    };
    const sym = ft.symbolizer();
    expect(sym(target('fill_message'))?.name).toBe(`ftrace_ops_tramp_${a.id}`);
    expect(sym(target('check_message'))?.name).toBe(`ftrace_ops_tramp_${b.id}`);
    const r = await ft.run();
    expect(r.exitCode).toBe(0);
    expect(ft.events().length).toBe(CALLS);
    const i = idx('check_message');
    expect(ft.profileCells().reduce((s, c) => s + c[i]!.hits, 0n)).toBe(BigInt(CALLS));
    expect(ft.cpuStats().reduce((s, c) => s + c.calls, 0)).toBe(0);
  });

  it('keep a recursion-unsafe ops behind the list function\'s guard', async () => {
    const { m, ft } = await boot('dynamic');
    ft.register({ kind: 'recursing', filter: ['strlen', 'fill_message'] });
    expect(ft.siteStates().filter((s) => s !== 'disabled').every((s) => s === 'caller')).toBe(true);
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    expect(ft.cpuStats().reduce((s, c) => s + c.missed, 0)).toBe(CALLS);
  });
});

describe('CALL_OPS literals', () => {
  function checkLiterals(ft: Ftrace): void {
    const lit = ft.literals();
    const want = ft.expectedLiterals();
    expect(lit).toEqual(want);
  }

  it('name the stub ops until a site is enabled, the one ops, or the list ops for two', async () => {
    const { m, ft } = await boot('call-ops');
    checkLiterals(ft);
    const stub = ft.expectedLiterals()[0]!;
    expect(new Set(ft.literals())).toEqual(new Set([stub]));
    const a = ft.register({ kind: 'function', filter: ['fill_message', 'ksys_write'] });
    checkLiterals(ft);
    const i = ft.records.findIndex((r) => r.fn === 'fill_message');
    expect(ft.literals()[i]).toBe(a.addr);
    const b = ft.register({ kind: 'profile', filter: ['fill_message'] });
    checkLiterals(ft);
    const list = ft.literals()[i]!;
    expect(list).not.toBe(a.addr);
    expect(list).not.toBe(b.addr);
    expect(list).not.toBe(stub);
    ft.unregister(a);
    checkLiterals(ft);
    expect(ft.literals()[i]).toBe(b.addr);
    const k = ft.records.findIndex((r) => r.fn === 'ksys_write');
    expect(ft.literals()[k]).toBe(stub);
    expect(ft.siteStates()[k]).toBe('disabled');
    ft.unregister(b);
    checkLiterals(ft);
    expect(new Set(ft.literals())).toEqual(new Set([stub]));
    m.start();
    expect((await m.exited).exitCode).toBe(0);
  });

  it('stay in step with the BLs while ops come and go on 4 running CPUs (threads mode)', async () => {
    const { m, ft } = await boot('call-ops', { cpus: 4, mode: 'threads', loops: 200 });
    m.start();
    const live: FtraceOps[] = [];
    const specs = [
      { kind: 'function' as const, filter: ['fill_message', 'ksys_*'] },
      { kind: 'profile' as const, filter: ['fill_message', 'pipe_*'] },
      { kind: 'function_graph' as const, filter: ['vfs_*', 'ksys_read'] },
    ];
    for (let step = 0; step < 24 && m.status === 'running'; step++) {
      if (live.length < 3 && step % 4 !== 3) live.push(ft.register(specs[step % 3]!));
      else ft.unregister(live.shift()!);
      checkLiterals(ft);
      await new Promise((r) => setTimeout(r, 3));
    }
    for (const o of live.splice(0)) ft.unregister(o);
    checkLiterals(ft);
    const r = await m.exited;
    expect(r.end).toBe('exit');
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('messages')).toBe(BigInt(2 * 4 * 4 * 200));
    expect(m.cmodx.counts.violation).toBe(0);
  });
});
