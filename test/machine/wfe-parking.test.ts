// A CPU waiting in LDAXR + WFE for a word to change, on the Machine: the
// host's write through machine.mem wakes it in both modes; in threads mode a
// write that bypasses the watch (what a store racing with the CPU going idle
// amounts to) still lets it run again within the park's backstop, and the
// time spent parked still counts towards its timer.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { Machine } from '../../bindings/index.ts';
import { assemble } from '../../bindings/isa/asm.ts';
import { DATA, kernelElf, RAM, sym } from '../util/machine.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// CPU 0 waits until the word at DATA is nonzero, then exits with it; CPU 1
// spins (a machine with every CPU idle and no timer is deadlocked in
// deterministic mode).
const src = `
    cbnz x0, idle
    movz x19, #${Number(DATA >> 16n)}, lsl #16
    sevl
  wait:
    wfe
    ldaxr w0, [x19]
    cbz w0, wait
    mov x8, #93
    hvc #0
  idle:
    b idle`;

async function parked(mode: 'threads' | 'deterministic'): Promise<Machine> {
  const m = await Machine.create({ cpus: 2, mode, log: () => {} });
  m.load(kernelElf(src));
  m.start();
  for (let i = 0; i < 500; i++) {
    await sleep(5);
    if (m.status !== 'running') break;
    const c = m.counters()[0];
    if (c.insns > 0n && new DataView(m.memory.buffer).getUint32(L.CPU_BASE + L.C_WFE_WATCH, true) !== 0) break;
  }
  return m;
}

describe.each(['threads', 'deterministic'] as const)('%s mode', (mode) => {
  it('a CPU in WFE on its reservation is woken by the host writing the word', async () => {
    const m = await parked(mode);
    expect(sym(m, 'wait')).toBeGreaterThan(0n);
    const before = m.counters()[0].insns;
    await sleep(30);
    expect(m.counters()[0].insns - before).toBeLessThan(1000n); // parked, not spinning
    m.mem.setU32(DATA, 42);
    const r = await Promise.race([m.exited, sleep(5000).then(() => null)]);
    if (!r) await m.terminate();
    expect(r?.exitCode).toBe(42);
  });
});

describe('threads mode', () => {
  it('a CPU in WFE whose reservation is broken behind the watch\'s back still runs again', async () => {
    const m = await parked('threads');
    const off = m.mem.ramOffset + Number(DATA - m.mem.base);
    Atomics.store(new Int32Array(m.memory.buffer), off >> 2, 17); // no page-map look, no wake-up
    const r = await Promise.race([m.exited, sleep(5000).then(() => null)]);
    if (!r) await m.terminate();
    expect(r?.exitCode).toBe(17);
  });

  it('a CPU waiting in WFE on a word nobody writes still gets its timer interrupt', async () => {
    // timer 20 ms (2,000,000 ticks) ahead, IRQs on, then LDAXR + WFE on a quiet word;
    // the IRQ vector (VBAR + 0x280, VBAR = RAM + 0x1000) exits with 5
    const m = await Machine.create({ cpus: 1, mode: 'threads', log: () => {} });
    m.load(kernelElf(`
      movz x1, #0x4000, lsl #16
      movk x1, #0x1000
      msr vbar_el1, x1
      movz x19, #${Number(DATA >> 16n)}, lsl #16
      movz x2, #0x8480
      movk x2, #0x1e, lsl #16
      msr cntv_tval_el0, x2
      mov x2, #1
      msr cntv_ctl_el0, x2
      msr daifclr, #2
      sevl
    wait:
      wfe
      ldaxr w0, [x19]
      cbz w0, wait
      mov x0, #1
      mov x8, #93
      hvc #0`));
    m.mem.write(RAM + 0x1280n, assemble('mov x0, #5\n mov x8, #93\n hvc #0', RAM + 0x1280n).bytes);
    m.start();
    const r = await Promise.race([m.exited, sleep(5000).then(() => null)]);
    if (!r) await m.terminate();
    expect(r?.exitCode).toBe(5);
    expect(r?.perCpu[0].irqs).toBe(1n);
  });
});
