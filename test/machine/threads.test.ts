// threads mode and the run controls: a dying CPU thread fails wait() with a
// typed error naming the CPU; pause/resume stop every CPU with registers and
// memory accessible; idle CPUs park and are woken through the wake protocol.

import { describe, expect, it } from 'vitest';
import { Machine, MachineError } from '../../bindings/index.ts';
import { MachineWords } from '../../bindings/machine/words.ts';
import { kernelElf, recordingPlatform, smpElf, sym } from '../util/machine.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quiet = { log: () => {} };


describe('dying CPU threads', () => {
  it('a thread terminated mid-run makes wait() reject with WORKER_DIED naming its CPU', async () => {
    const { platform, handles } = recordingPlatform();
    const m = await Machine.create({ ...quiet, cpus: 3, platform });
    m.load(smpElf('spin'));
    m.start();
    await sleep(100);
    await handles[1].terminate();
    const err = await m.exited.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachineError);
    expect((err as MachineError).code).toBe('WORKER_DIED');
    expect((err as MachineError).cpu).toBe(1);
    expect((err as MachineError).message).toContain('CPU 1');
  });

  it('a thread script that throws makes wait() reject, not hang', async () => {
    const workerUrl = new URL('data:text/javascript,throw new Error("no core here")');
    const m = await Machine.create({ ...quiet, cpus: 2, workerUrl });
    m.load(smpElf('spin'));
    m.start();
    const err = await m.exited.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachineError);
    expect((err as MachineError).code).toBe('WORKER_DIED');
    expect([0, 1]).toContain((err as MachineError).cpu);
  });

  it('a thread that ends without reporting makes wait() reject', async () => {
    const workerUrl = new URL('data:text/javascript,');
    const m = await Machine.create({ ...quiet, cpus: 1, workerUrl });
    m.load(smpElf('spin'));
    m.start();
    const err = await m.exited.catch((e: unknown) => e);
    expect((err as MachineError).code).toBe('WORKER_DIED');
    expect((err as MachineError).cpu).toBe(0);
  });
});

describe.each(['threads', 'deterministic'] as const)('pause and resume (%s)', (mode) => {
  it('stops every CPU; registers and memory are readable and writable; resume goes on', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2, mode });
    m.load(smpElf('spin'));
    const progress = sym(m, 'progress');
    const at = (c: number): bigint => m.mem.u64(progress + BigInt(8 * c));
    m.start();
    for (let i = 0; i < 500 && (at(0) === 0n || at(1) === 0n); i++) await sleep(10); // threads start
    await m.pause();
    expect(m.status).toBe('paused');
    const p0 = [at(0), at(1)];
    const insns = m.counters().map((c) => c.insns);
    expect(p0[0]).toBeGreaterThan(0n);
    expect(p0[1]).toBeGreaterThan(0n);
    await sleep(30);
    expect([at(0), at(1)]).toEqual(p0);
    expect(m.counters().map((c) => c.insns)).toEqual(insns);
    const smpMain = sym(m, 'smp_main');
    for (const c of [0, 1]) {
      const pc = m.cpu(c).pc;
      expect(pc >= smpMain && pc < smpMain + 64n).toBe(true);
    }
    // Writable while paused: reset CPU 1's counter in memory, then step CPU 0 exactly.
    m.mem.setU64(progress + 8n, 0n);
    expect(m.stepCpu(0, 500).retired).toBe(500);
    expect(m.cpu(0).insns).toBe(insns[0] + 500n);
    m.resume();
    await sleep(50);
    await m.pause();
    expect(at(0)).toBeGreaterThan(p0[0]);
    expect(at(1)).toBeGreaterThan(0n);
    expect(at(1)).toBeLessThan(p0[1] + 100_000_000n);
    m.resume();
    await m.terminate();
    const r = await m.exited;
    expect(r.end).toBe('terminated');
    expect(r.perCpu[0].insns).toBeGreaterThan(insns[0]);
  });
});

describe('idle CPUs (threads)', () => {
  // CPU 1 waits for an interrupt, then exits with code 7 and reports its counter; CPU 0 waits too.
  const src = `
    cbz x0, idle0
  idle1:
    wfi
    mrs x2, cntvct_el0
    adr x0, key
    mov x1, #5
    mov x8, #0x100
    hvc #0
    mov x0, #7
    mov x8, #93
    hvc #0
  idle0:
    wfi
    b idle0
  key:
    .word 0x636f6c63
    .word 0x6b`; // "clock"

  it('parks on its wake word (no instructions spent) and the wake protocol restarts it with a warped clock', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2 });
    m.load(kernelElf(src));
    m.start();
    for (let i = 0; i < 500 && m.counters().some((c) => c.insns === 0n); i++) await sleep(10); // both reached WFI
    await sleep(80);
    let settled = false;
    void m.exited.then(() => (settled = true), () => (settled = true));
    await sleep(10);
    expect(settled).toBe(false);
    const c = m.counters();
    expect(c[1].insns).toBeLessThan(10n);
    new MachineWords(m.memory).wake(1, 5_000_000n);
    const r = await m.exited;
    expect(r.exitCode).toBe(7);
    expect(r.reports.get('clock')).toBeGreaterThanOrEqual(5_000_000n);
    expect(r.perCpu[1].idleNs).toBeGreaterThan(50_000_000n);
  });

  it('a parked CPU stepped past its WFI by the host while paused runs on after resume', async () => {
    const m = await Machine.create({ ...quiet, cpus: 1 });
    m.load(kernelElf('wfi\nmov x0, #9\nmov x8, #93\nhvc #0'));
    m.start();
    for (let i = 0; i < 500 && m.counters()[0].insns === 0n; i++) await sleep(10);
    await sleep(20);
    await m.pause();
    expect(m.stepCpu(0, 1).retired).toBe(1);
    m.resume();
    const r = await Promise.race([m.exited, sleep(5000).then(() => null)]);
    expect(r?.exitCode).toBe(9);
    if (!r) await m.terminate();
  });

  it('a halt wakes parked CPUs: terminate() of an all-idle machine settles', async () => {
    const m = await Machine.create({ ...quiet, cpus: 4 });
    m.load(kernelElf('wfi\nb 0'));
    m.start();
    await sleep(50);
    await m.terminate();
    const r = await m.exited;
    expect(r.end).toBe('terminated');
    for (const c of r.perCpu) expect(c.insns).toBeLessThan(4n);
  });

  it('deterministic mode: a CPU woken while the machine is paused runs again', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2, mode: 'deterministic' });
    m.load(kernelElf(src.replace('idle0:\n    wfi\n    b idle0', 'idle0:\n    b idle0')));
    m.start();
    await sleep(20);
    await m.pause();
    expect(m.cpu(1).insns).toBeLessThan(10n);
    new MachineWords(m.memory).wake(1, m.cpu(0).insns + 1000n);
    m.resume();
    const r = await m.exited;
    expect(r.exitCode).toBe(7);
    expect(r.reports.get('clock')).toBeGreaterThanOrEqual(1000n);
  });
});
