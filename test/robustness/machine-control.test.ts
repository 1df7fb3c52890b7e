// The run controls when they are pushed: concurrent pause() calls, a threads-
// mode machine whose CPUs all wait for an interrupt that cannot come (a
// DEADLOCK MachineError naming where each CPU is, and no false alarm while a
// timer is armed, a host wake-up or a host call is coming), and CPU threads
// that die or throw (an error naming the CPU, never a hang).

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { Machine, MachineError } from '../../bindings/index.ts';
import { DeadlockWatch } from '../../bindings/machine/deadlock-watch.ts';
import { MachineWords } from '../../bindings/machine/words.ts';
import { kernelElf, recordingPlatform, smpElf } from '../util/machine.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quiet = { log: () => {} };
const EXIT = (code: number) => `mov x0, #${code}\n  mov x8, #93\n  hvc #0`;

/** Every CPU waits in WFI with interrupts masked and no timer: nothing can ever wake one. */
const STUCK = kernelElf(`
  _start:
  stuck:
    wfi
    b stuck`);

/** CPU 0 arms its timer `ticks` ahead and waits for it in WFI, then exits 5; the others wait in WFI forever. */
const timerWait = (ticks: number) => kernelElf(`
  _start:
    cbnz x0, others
    mrs x1, cntvct_el0
    movz x2, #${ticks & 0xffff}
    movk x2, #${Math.floor(ticks / 65536) & 0xffff}, lsl #16
    add x1, x1, x2
    msr cntv_cval_el0, x1
    mov x1, #1
    msr cntv_ctl_el0, x1
  wait:
    wfi
    mrs x1, cntv_ctl_el0
    tbz x1, #2, wait
    ${EXIT(5)}
  others:
    wfi
    b others`);

describe('pause()', () => {
  it.each(['threads', 'deterministic'] as const)('%s: three concurrent calls all settle, once paused', async (mode) => {
    const m = await Machine.create({ ...quiet, cpus: 2, mode });
    m.load(smpElf('spin'));
    m.start();
    await sleep(50);
    const calls = [m.pause(), m.pause(), m.pause()];
    const settled = await Promise.race([Promise.allSettled(calls), sleep(10_000).then(() => 'hung' as const)]);
    expect(settled).not.toBe('hung');
    expect((settled as PromiseSettledResult<void>[]).map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(m.status).toBe('paused');
    // a pause() after the first has settled is a state error, at once
    await expect(m.pause()).rejects.toMatchObject({ code: 'BAD_STATE' });
    m.resume();
    await sleep(20);
    await Promise.all([m.pause(), m.pause()]);
    expect(m.status).toBe('paused');
    await m.terminate();
    expect((await m.exited).end).toBe('terminated');
  });

  it('concurrent calls on a machine that ends meanwhile settle too', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2 });
    m.load(kernelElf(`
      _start:
        ${EXIT(3)}`));
    m.start();
    await sleep(Math.random() * 30);
    const calls = [m.pause(), m.pause()];
    const settled = await Promise.race([Promise.allSettled(calls), sleep(10_000).then(() => 'hung' as const)]);
    expect(settled).not.toBe('hung');
    if (m.status === 'paused') m.resume(); // the pause came first: the CPUs had not run yet
    expect((await m.exited).exitCode).toBe(3);
  });

  it('a pause asked after a CPU claimed the end (before the host heard of it) does not undo the halt', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2 });
    m.load(kernelElf(`
      _start:
        cbnz x0, spin
        ${EXIT(4)}
      spin:
        b spin`));
    const words = new MachineWords(m.memory);
    m.start();
    const t0 = Date.now();
    while (words.exitKind === L.EK_NONE && Date.now() - t0 < 10_000); // on this thread: no message is handled meanwhile
    expect(words.exitKind).toBe(L.EK_EXIT);
    const p = m.pause();
    const settled = await Promise.race([p.then(() => 'paused', () => 'rejected'), sleep(10_000).then(() => 'hung')]);
    expect(settled).not.toBe('hung');
    const r = await Promise.race([m.exited, sleep(10_000).then(() => null)]);
    expect(r?.exitCode).toBe(4);
  });
});

describe('threads mode deadlock', () => {
  it.each([1, 3])('%i CPU(s) in WFI with no timer: DEADLOCK naming each CPU, within a second', async (cpus) => {
    const m = await Machine.create({ ...quiet, cpus });
    m.load(STUCK);
    const t0 = performance.now();
    m.start();
    const err = await Promise.race([m.exited.catch((e: unknown) => e), sleep(10_000).then(() => 'hung')]);
    expect(err).toBeInstanceOf(MachineError);
    expect((err as MachineError).code).toBe('DEADLOCK');
    const msg = (err as MachineError).message;
    for (let c = 0; c < cpus; c++) expect(msg).toMatch(new RegExp(`CPU ${c} 0x40000004 <(_start|stuck)\\+0x4>`));
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(m.status).toBe('ended');
  });

  it('a timer armed 1.5 s ahead is not a deadlock: CPU 0 wakes and exits', async () => {
    const m = await Machine.create({ ...quiet, cpus: 2 });
    m.load(timerWait(150_000_000)); // 1.5 s at 100 MHz
    m.start();
    const r = await m.exited;
    expect(r.exitCode).toBe(5);
  });

  it('a host wake-up inside deadlockMs is not a deadlock; one later than it needs deadlockMs raised', async () => {
    const wakeable = kernelElf(`
      _start:
        wfi
        ${EXIT(9)}`);
    const m = await Machine.create({ ...quiet, cpus: 1, deadlockMs: 2000 });
    m.load(wakeable);
    m.start();
    await sleep(800);
    m.wakeCpu(0);
    expect((await m.exited).exitCode).toBe(9);
    // deadlockMs 0 turns the watch off
    const off = await Machine.create({ ...quiet, cpus: 1, deadlockMs: 0 });
    off.load(STUCK);
    off.start();
    await sleep(1200);
    expect(off.status).toBe('running');
    await off.terminate();
  });

  it('a host call in flight, a pause or a moving CPU keeps the watch quiet; a stuck machine trips it', async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    const words = new MachineWords(memory);
    words.resetControl();
    const parked = new Int32Array(new SharedArrayBuffer(8)).fill(1);
    let busy = true;
    let tripped = 0;
    const watch = new DeadlockWatch(words, parked, 2, 100, () => busy, () => tripped++);
    watch.start();
    await sleep(300);
    expect(tripped).toBe(0); // a host call in flight
    busy = false;
    words.requestStop(L.RS_PAUSE);
    await sleep(300);
    expect(tripped).toBe(0); // paused
    words.release();
    Atomics.store(parked, 1, 0);
    await sleep(300);
    expect(tripped).toBe(0); // CPU 1 can still move
    Atomics.store(parked, 1, 1);
    await sleep(400);
    expect(tripped).toBe(1);
    watch.stop();
  });

  it('an option outside 0..3600000 is a ConfigError', async () => {
    await expect(Machine.create({ deadlockMs: -1 })).rejects.toThrow(/deadlockMs/);
    await expect(Machine.create({ deadlockMs: 1.5 })).rejects.toThrow(/deadlockMs/);
  });
});


describe('worker death', () => {
  it('a CPU thread that throws while running ends the machine with WORKER_DIED naming it', async () => {
    // The real CPU thread script, with CPU 2's core made to throw after a few slices.
    const real = new URL('../../dist/machine-worker.js', import.meta.url).href;
    const src = `
      import { workerData } from 'node:worker_threads';
      if (workerData.cpu === 2) {
        const orig = WebAssembly.Instance;
        let n = 0;
        WebAssembly.Instance = function (module, imports) {
          const inst = new orig(module, imports);
          const step = inst.exports.step;
          const exports = { ...inst.exports, step: (c, b) => { if (++n > 20) throw new Error('core failed on purpose'); return step(c, b); } };
          return { exports };
        };
      }
      await import(${JSON.stringify(real)});`;
    const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(src)}`);
    const m = await Machine.create({ ...quiet, cpus: 3, workerUrl });
    m.load(smpElf('spin'));
    m.start();
    const err = await Promise.race([m.exited.catch((e: unknown) => e), sleep(15_000).then(() => 'hung')]);
    expect(err).toBeInstanceOf(MachineError);
    expect((err as MachineError).code).toBe('WORKER_DIED');
    expect((err as MachineError).cpu).toBe(2);
    expect((err as MachineError).message).toMatch(/^CPU 2: its thread died: .*core failed on purpose/);
  });

  it.each([0, 1])('killing CPU %i\'s thread while the others wait in WFI ends the run, not a hang', async (victim) => {
    const { platform, handles } = recordingPlatform();
    const m = await Machine.create({ ...quiet, cpus: 2, platform, deadlockMs: 0 });
    m.load(STUCK);
    m.start();
    await sleep(150);
    await handles[victim]!.terminate();
    const err = await Promise.race([m.exited.catch((e: unknown) => e), sleep(15_000).then(() => 'hung')]);
    expect(err).toBeInstanceOf(MachineError);
    expect((err as MachineError).code).toBe('WORKER_DIED');
    expect((err as MachineError).cpu).toBe(victim);
  });
});
