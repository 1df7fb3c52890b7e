// ftrace direct calls and PLT veneers: a site whose only ops is a direct ops
// calls that ops' own code (here: count the call, then go on into the
// function), on both images and with every design; a direct ops cannot share
// a site; trampolines placed beyond BL's reach are called through veneers.

import { describe, expect, it } from 'vitest';
import { Ftrace, Machine, OpsError } from '../../bindings/index.ts';
import { DESIGNS, type TrampolineDesign } from '../../bindings/ftrace/designs.ts';
import { mem } from '../../bindings/isa/asm.ts';
import { kernelImageFile, readImage, setHbParams, type KernelImageName } from '../../bindings/workload/kernel.ts';

const SIZE = { groups: 2, fds: 4, loops: 10 };
const CALLS = 2 * 4 * 4 * 10;

async function boot(image: KernelImageName, opts: { design?: TrampolineDesign; far?: boolean; cpus?: number; mode?: 'threads' | 'deterministic' } = {}) {
  const m = await Machine.create({ profile: 'kernel', cpus: opts.cpus ?? 2, mode: opts.mode ?? 'deterministic', log: () => {} });
  m.load(readImage(kernelImageFile(image)));
  setHbParams(m, { workload: 0, ...SIZE, datasize: 100, runs: 1 });
  return { m, ft: Ftrace.attach(m, { trampoline: opts.design ?? 'list', farTrampolines: opts.far ?? false }) };
}

/** A direct-call trampoline that adds 1 to the u64 at `counter` and returns into the function. */
function countingTrampoline(ft: Ftrace): { code: bigint; counter: bigint } {
  const counter = ft.allocData(8);
  const code = ft.placeTrampoline((a) => {
    a.ldr('x10', 'counter', 'the counter\'s address');
    a.mov('x11', 1, 'one more call');
    a.atomic('ldadd', 'x11', 'x12', mem('x10'), 'counter += 1');
    a.mov('x10', 'x30', 'the function\'s body (BL + 4)');
    a.mov('x30', 'x9', 'its return address back in x30 (MOV X9, X30 saved it)');
    a.ret('x10', 'into the body');
    a.align(8, 0);
    a.bind(a.label('counter'));
    a.quad(counter, 'where the calls are counted');
  }, 'count_calls');
  return { code, counter };
}

describe.each(['pfe2', 'pfe42'] as const)('direct calls, %s', (image) => {
  it.each(DESIGNS.filter((d) => d !== 'call-ops' || image === 'pfe42'))('count every call of fill_message, messages intact (%s design)', async (design) => {
    const { m, ft } = await boot(image, { design });
    const { code, counter } = countingTrampoline(ft);
    ft.register({ kind: 'direct', filter: ['fill_message'], directCall: code });
    const i = ft.records.findIndex((r) => r.fn === 'fill_message');
    expect(ft.siteStates()[i]).toBe('direct');
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(0);
    expect(r.reports.get('messages')).toBe(BigInt(CALLS));
    expect(m.mem.u64(counter)).toBe(BigInt(CALLS));
  });
});

describe('direct ops', () => {
  it('cannot share a site with another ops: OpsError, nothing linked or patched', async () => {
    const { m, ft } = await boot('pfe2');
    const { code } = countingTrampoline(ft);
    ft.register({ kind: 'function', filter: ['fill_message'] });
    const before = ft.siteStates().slice();
    const words = ft.records.map((r) => m.mem.u32(r.ip));
    expect(() => ft.register({ kind: 'direct', filter: ['fill_message', 'ksys_write'], directCall: code })).toThrow(OpsError);
    expect(ft.siteStates()).toEqual(before);
    expect(ft.records.map((r) => m.mem.u32(r.ip))).toEqual(words);
    expect(ft.registered).toHaveLength(1);
  });

  it('needs an aligned code address', async () => {
    const { ft } = await boot('pfe2');
    expect(() => ft.register({ kind: 'direct', filter: ['fill_message'], directCall: 0x40000002n })).toThrow(/aligned/);
  });
});

describe('veneers', () => {
  function blTarget(word: number, at: bigint): bigint {
    return at + BigInt(((word & 0x3ffffff) << 6) >> 4);
  }

  it.each(['deterministic', 'threads'] as const)('reach far dynamic and direct trampolines; the records say which sites use one (%s)', async (mode) => {
    const { m, ft } = await boot('pfe2', { design: 'dynamic', far: true, cpus: 4, mode });
    const { code, counter } = countingTrampoline(ft);
    expect(code >= m.mem.hi - 65536n).toBe(true);
    ft.register({ kind: 'direct', filter: ['check_message'], directCall: code });
    ft.register({ kind: 'function', filter: ['fill_message'] });
    const idx = (fn: string) => ft.records.findIndex((r) => r.fn === fn);
    const veneers = ft.siteVeneers();
    expect(veneers[idx('check_message')]).toBe(code);
    expect(veneers[idx('fill_message')]).not.toBeNull();
    expect(veneers[idx('ksys_write')]).toBeNull();
    // the BL lands near the text, in the kernel's trampoline room, and the veneer's literal is the far target
    const rec = ft.records[idx('check_message')]!;
    const v = blTarget(m.mem.u32(rec.ip), rec.ip);
    expect(ft.symbolizer()(v)?.name).toMatch(/^ftrace_veneer_/);
    expect(m.mem.u64(v + 8n)).toBe(code);
    const r = await ft.run();
    expect(r.exitCode).toBe(0);
    expect(m.mem.u64(counter)).toBe(BigInt(CALLS));
    expect(ft.events()).toHaveLength(CALLS);
    expect(ft.cpuStats().reduce((s, c) => s + c.calls, 0)).toBe(0);
  });

  it('need RAM reaching 128 MiB past the text', async () => {
    const m = await Machine.create({ profile: 'kernel', cpus: 1, mode: 'deterministic', ramSize: 128 << 20, log: () => {} });
    m.load(readImage(kernelImageFile('pfe2')));
    expect(() => Ftrace.attach(m, { trampoline: 'dynamic', farTrampolines: true })).toThrow(/128 MiB/);
  });
});
