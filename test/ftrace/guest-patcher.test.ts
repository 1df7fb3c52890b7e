// The guest patcher: the kernel's patcher task writes the call sites
// (guest/kernel/patching.c) instead of the host. Same exact hit counts as the
// host path in both modes on 2 and 4 CPUs; a request whose expected word is
// wrong writes nothing and is reported; and the IC IVAU step is what lets
// the other CPUs see the new instruction: without it, CPUs that cached the
// NOP in an earlier run keep executing it (stale fetches, missed calls).

import { describe, expect, it } from 'vitest';
import { Ftrace, FtraceError, Machine, trace, type FtraceOps, type OpsSpec } from '../../bindings/index.ts';
import { PATCHQ_FL } from '../../bindings/ftrace/layout.ts';
import { NOP } from '../../bindings/ftrace/sites.ts';
import { kernelImageFile, readImage, setHbParams } from '../../bindings/workload/kernel.ts';

const HOT = ['fill_message', 'ksys_write', 'check_message'];
const SIZE = { groups: 2, fds: 4, loops: 10 };
const CALLS = 2 * 4 * 4 * 10;

describe.each(['deterministic', 'threads'] as const)('%s mode', (mode) => {
  it.each([2, 4])('guest-patched tracing on %i CPUs gives the host path\'s exact counts', async (cpus) => {
    const results = [];
    for (const patcher of ['host', 'guest'] as const) {
      const r = await trace({ tracer: 'function', profile: true, filter: HOT, cpus, mode, patcher, ...SIZE });
      expect(r.workload.messages).toBe(r.workload.expectedMessages);
      expect(r.cmodx.violation).toBe(0);
      expect(r.lost).toBe(0);
      results.push(r);
    }
    const [host, guest] = results;
    const hits = (r: typeof host) => Object.fromEntries(r!.functions!.map((f) => [f.name, f.hits]));
    expect(hits(guest)).toEqual(hits(host));
    expect(hits(guest)).toEqual(Object.fromEntries(HOT.map((f) => [f, CALLS])));
    expect(guest!.events).toBe(3 * CALLS);
    // the host wrote the MOVs before boot; the guest turned the 3 sites on and off in two batches
    expect(guest!.guestPatch).toMatchObject({ requests: 6, done: 6, refused: 0, batches: 2 });
    expect(host!.guestPatch).toMatchObject({ requests: 0, done: 0 });
  });
});

async function bootWithGuestPatcher(opts: { cpus: number; runs: number; patchFlags?: number; mode?: 'deterministic' | 'threads'; seed?: number }) {
  const m = await Machine.create({ profile: 'kernel', cpus: opts.cpus, mode: opts.mode ?? 'deterministic', seed: opts.seed ?? 1, log: () => {} });
  m.load(readImage(kernelImageFile('pfe2')));
  setHbParams(m, { workload: 0, ...SIZE, datasize: 100, runs: opts.runs });
  const ft = Ftrace.attach(m, { patcher: 'guest', patchFlags: opts.patchFlags ?? 0 });
  return { m, ft };
}

describe('guest ftrace_modify_code', () => {
  it('refuses a request whose expected old word is wrong: nothing written, the refusal reported', async () => {
    const { m, ft } = await bootWithGuestPatcher({ cpus: 2, runs: 1 });
    const rec = ft.records.find((r) => r.fn === 'fill_message')!;
    const other = ft.records.find((r) => r.fn === 'check_message')!;
    const bl = 0x94000000 | 1;
    // the first request expects a BL where a NOP is; the second is right
    m.onPhase(({ args }) => {
      if (args[0] !== 1n) return 0;
      ft.guestPatch([
        { addr: rec.ip, expectedOld: bl, newWord: NOP },
        { addr: other.ip, expectedOld: NOP, newWord: NOP },
      ]);
      return ft.outstandingPatches;
    });
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    expect(m.mem.u32(rec.ip)).toBe(NOP);
    const refused = ft.guestRefusals;
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ addr: rec.ip, expectedOld: bl >>> 0, newWord: NOP, result: -22, found: NOP });
    expect(ft.guestPatchStats()).toMatchObject({ requests: 2, done: 2, refused: 1 });
  });

  it('refuses an address outside kernel text with -EFAULT', async () => {
    const { m, ft } = await bootWithGuestPatcher({ cpus: 1, runs: 1 });
    const data = m.image!.symbolAddress('hb_params')!;
    const before = m.mem.u32(data);
    m.onPhase(({ args }) => {
      if (args[0] !== 1n) return 0;
      ft.guestPatch([{ addr: data, expectedOld: before, newWord: NOP }]);
      return ft.outstandingPatches;
    });
    m.start();
    expect((await m.exited).exitCode).toBe(0);
    expect(m.mem.u32(data)).toBe(before);
    expect(ft.guestRefusals[0]).toMatchObject({ result: -14 });
  });

  it('flush() rejects with the refusal when the guest refused a site Ftrace wanted', async () => {
    const { m, ft } = await bootWithGuestPatcher({ cpus: 2, runs: 1, mode: 'threads' });
    const rec = ft.records.find((r) => r.fn === 'check_message')!;
    m.mem.setU32(rec.ip, 0xd503203f); // YIELD where ftrace expects its NOP
    m.start();
    ft.register({ kind: 'function', filter: ['check_message'] });
    await expect(ft.flush()).rejects.toThrow(FtraceError);
    expect(m.mem.u32(rec.ip)).toBe(0xd503203f);
    await m.exited;
  });
});

describe('the IC IVAU step', () => {
  // Run 0 untraced: every CPU executes fill_message with NOP at its call site
  // and keeps that in its I-cache. Run 1: the guest patcher turns the site
  // into BL ftrace_caller. With IC IVAU (and the SGIs' context
  // synchronization) every call of run 1 is traced; without it, the CPUs keep
  // running the NOP they cached and calls go untraced.
  async function run1Hits(patchFlags: number) {
    const { m, ft } = await bootWithGuestPatcher({ cpus: 2, runs: 2, patchFlags });
    const live: FtraceOps[] = [];
    const spec: OpsSpec = { kind: 'profile', filter: ['fill_message'] };
    m.onPhase(({ args }) => {
      if (args[0] === 1n && args[1] === 1n) live.push(ft.register(spec));
      if (args[0] === 2n) for (const o of live.splice(0)) ft.unregister(o);
      return ft.outstandingPatches;
    });
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('run1.messages')).toBe(BigInt(CALLS));
    const i = ft.records.findIndex((x) => x.fn === 'fill_message');
    const hits = ft.profileCells().reduce((s, c) => s + Number(c[i]!.hits), 0);
    const stale = r.perCpu.reduce((s, c) => s + Number(c.stale), 0);
    return { hits, stale };
  }

  it('with IC IVAU every call of the traced run is seen', async () => {
    const { hits } = await run1Hits(0);
    expect(hits).toBe(CALLS);
  });

  it('with IC IVAU but no SGIs afterwards, the calls still all arrive here: every CPU synchronizes (IRQ, ISB) before its first call', async () => {
    const { hits, stale } = await run1Hits(PATCHQ_FL.noKick);
    expect(hits).toBe(CALLS);
    expect(stale).toBe(0);
  });

  it('without IC IVAU the other CPUs run the stale NOP: calls go untraced and stale fetches are counted', async () => {
    const { hits, stale } = await run1Hits(PATCHQ_FL.skipIcIvau);
    expect(hits).toBeLessThan(CALLS);
    expect(stale).toBeGreaterThan(0);
  });
});
