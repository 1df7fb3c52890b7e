// Interrupts: the virtual timer (exact, quantum-independent delivery through
// VBAR+0x280, ISTATUS, TVAL), masking with PSTATE.I, SGIs between two CPUs of
// one memory with IAR/EOIR, the host's sendSgi, and WFI/WFE/SEV with the
// wake-up words.

import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { IrqError, sendEvent, sendSgi, waitForWake, wakeCpu } from '../bindings/irq.ts';
import { CORE_WASM_URL } from '../bindings/wasm.ts';
import { DATA, El1Rig, li, RAM_BASE, STACK_TOP, VBAR, VEC } from './util/el1.ts';

const U64_MAX = (1n << 64n) - 1n;
const SET_VBAR = `${li('x20', VBAR)}\n msr vbar_el1, x20`; // one MOVZ: VBAR has a single non-zero halfword

// Timer at CNTVCT(at the MRS) + 100 = 2 + 100, IRQs unmasked after 8 instructions,
// then a two-instruction loop counting in x2.
const TIMER_PROG = `
  ${SET_VBAR}
  mrs x3, cntvct_el0
  add x3, x3, #100
  msr cntv_cval_el0, x3
  mov x4, #1
  msr cntv_ctl_el0, x4
  msr daifclr, #2
loop:
  add x2, x2, #1
  b loop`;
const TIMER_HANDLER = `
  mrs x27, cntvct_el0
  mrs x26, cntv_ctl_el0
  mrs x25, cntv_tval_el0
  mrs x24, icc_iar1_el1
  mrs x23, isr_el1
  mov x28, #0x280
  hvc #0`;

describe('virtual timer', () => {
  it('interrupts exactly when CNTVCT reaches CVAL, through VBAR+0x280, whatever the quantum', () => {
    for (const quantum of [10_000, 7, 1]) {
      const r = new El1Rig();
      r.vectors({ [VEC.irqSpx]: TIMER_HANDLER });
      const labels = r.load(TIMER_PROG);
      const c = r.cpus[0];
      expect(r.run(0, 1000, quantum), `quantum ${quantum}`).toBe(L.EXIT_HVC);
      expect(c.x(28)).toBe(0x280n);
      expect(c.irqs).toBe(1n);
      // 8 set-up instructions and 47 add/b pairs retired: counter 102 at entry
      expect(c.x(2), `quantum ${quantum}`).toBe(47n);
      expect(c.elr).toBe(labels.get('loop')!);
      expect(c.spsr).toBe(0x345); // D, A, F still masked, I clear, EL1h
      expect(c.x(27)).toBe(102n);
      expect(c.x(26)).toBe(5n); // ENABLE | ISTATUS
      expect(BigInt.asIntN(32, c.x(25))).toBe(-2n); // CVAL - CNTVCT at the third handler instruction
      expect(c.x(24)).toBe(27n); // the virtual timer PPI
      expect(c.x(23)).toBe(0n); // acknowledged: active, so not signalled any more
      expect(c.iccActive).toBe(1 << 27);
      expect(c.insns).toBe(102n + 7n); // and the seven handler instructions
    }
  });

  it('counts the host-added idle time: CNTVCT = base + retired instructions', () => {
    const r = new El1Rig();
    r.vectors({ [VEC.irqSpx]: TIMER_HANDLER });
    r.load(TIMER_PROG);
    const c = r.cpus[0];
    c.cntvctBase = 1000n;
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(27)).toBe(1102n);
    expect(c.x(2)).toBe(47n);
  });

  it('writes CVAL through TVAL as CNTVCT + sign-extended value, and TVAL reads CVAL - CNTVCT', () => {
    const r = new El1Rig();
    r.load(`
      mov x1, #50
      msr cntv_tval_el0, x1
      mrs x2, cntv_cval_el0
      mrs x3, cntv_tval_el0
      mov x1, #-5
      msr cntv_tval_el0, x1
      mrs x4, cntv_cval_el0
      hvc #0`);
    const c = r.cpus[0];
    c.cntvctBase = 100n;
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(2)).toBe(151n); // counter 101 at the second instruction
    expect(c.x(3)).toBe(48n); // 151 - 103
    expect(c.x(4)).toBe(100n + 5n - 5n);
  });

  it('with IMASK sets ISTATUS but does not interrupt; the deadline is then "never"', () => {
    const r = new El1Rig();
    r.vectors();
    r.load(`
      ${SET_VBAR}
      mov x3, #20
      msr cntv_cval_el0, x3
      mov x4, #3
      msr cntv_ctl_el0, x4
      msr daifclr, #2
      mov x6, #50
    wait:
      subs x6, x6, #1
      b.ne wait
      mrs x5, cntv_ctl_el0
      hvc #0`);
    const c = r.cpus[0];
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(0n);
    expect(c.irqs).toBe(0n);
    expect(c.x(5)).toBe(7n);
    expect(r.core.timerDeadline(0)).toBe(U64_MAX);
    expect(r.core.irqPending(0)).toBe(0);
    c.cntvCtl = 1;
    expect(r.core.timerDeadline(0)).toBe(20n);
    expect(r.core.irqPending(0)).toBe(1);
  });

  it('stays pending while PSTATE.I is set and is taken right after DAIFClr', () => {
    const r = new El1Rig();
    r.vectors();
    const labels = r.load(`
      ${SET_VBAR}
      mov x3, #20
      msr cntv_cval_el0, x3
      mov x4, #1
      msr cntv_ctl_el0, x4
      mov x6, #50
    wait:
      subs x6, x6, #1
      b.ne wait
      mrs x7, isr_el1
      msr daifclr, #2
    after:
      mov x5, #1
      hvc #0`);
    const c = r.cpus[0];
    expect(r.step(0, 40)).toBe(L.EXIT_BUDGET);
    expect(c.insns).toBe(40n); // no early stop: the timer cannot interrupt
    expect(r.core.irqPending(0)).toBe(1);
    expect(r.core.timerDeadline(0)).toBe(20n);
    expect(c.irqs).toBe(0n);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(0x280n);
    expect(c.x(7)).toBe(0x80n);
    expect(c.x(5)).toBe(0n);
    expect(c.elr).toBe(labels.get('after')!);
  });

  it('becomes pending again after EOI while its condition holds (level), and not after CVAL moves on', () => {
    const r = new El1Rig();
    r.vectors({
      [VEC.irqSpx]: `
        mrs x9, icc_iar1_el1
        add x10, x10, #1
        cmp x10, #3
        b.ne eoi
        mrs x11, cntvct_el0
        add x11, x11, #1000
        msr cntv_cval_el0, x11
      eoi:
        msr icc_eoir1_el1, x9
        eret`,
    });
    r.load(`
      ${SET_VBAR}
      mov x3, #20
      msr cntv_cval_el0, x3
      mov x4, #1
      msr cntv_ctl_el0, x4
      msr daifclr, #2
    loop:
      b loop`);
    const c = r.cpus[0];
    expect(r.step(0, 200)).toBe(L.EXIT_BUDGET);
    expect(c.irqs).toBe(3n);
    expect(c.x(10)).toBe(3n);
    expect(c.iccActive).toBe(0);
  });
});

describe('IRQs from EL0', () => {
  it('are taken to EL1 through VBAR+0x480 on SP_EL1, with SPSR.M = EL0t and ELR at the next EL0 instruction', () => {
    const r = new El1Rig();
    r.vectors({ [VEC.irqLower]: 'mov x4, sp\n mov x28, #0x480\n hvc #0' });
    const labels = r.load(`
      ${SET_VBAR}
      ${li('x2', 0x4007_0000n)}
      msr sp_el0, x2
      mov x3, #40
      msr cntv_cval_el0, x3
      mov x3, #1
      msr cntv_ctl_el0, x3
      adr x3, user
      msr elr_el1, x3
      msr spsr_el1, xzr
      eret
    user:
      add x5, x5, #1
      b user`);
    const c = r.cpus[0];
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(0x480n);
    expect(c.x(4)).toBe(STACK_TOP);
    expect([c.spEl0, c.el, c.spsel]).toEqual([0x4007_0000n, 1, 1]);
    expect(c.spsr).toBe(0);
    // 12 instructions up to the ERET, then 14 add/b pairs up to counter 40
    expect(c.x(5)).toBe(14n);
    expect(c.elr).toBe(labels.get('user')!);
  });
});

describe('IRQs at EL1t', () => {
  it('vector through VBAR+0x080 and switch to SP_EL1', () => {
    const r = new El1Rig();
    r.vectors({ [VEC.irqSp0]: 'mov x4, sp\n mov x28, #0x80\n hvc #0' });
    r.load(`
      ${SET_VBAR}
      ${li('x2', 0x4007_0000n)}
      msr sp_el0, x2
      msr spsel, #0
      mov x3, #1
      msr cntv_ctl_el0, x3
      msr daifclr, #2
      hvc #0`);
    const c = r.cpus[0];
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(0x80n);
    expect(c.x(4)).toBe(STACK_TOP);
    expect(c.spsr).toBe(0x344);
    expect(c.elr).toBe(RAM_BASE + 8n * 4n);
  });
});

describe('SGIs between CPUs', () => {
  /** CPU 1 spins with IRQs unmasked; its IRQ handler acknowledges and ends one interrupt. */
  function twoCpus(cpu0: string, handler?: string) {
    const r = new El1Rig(2);
    r.vectors({
      [VEC.irqSpx]: handler ?? `
        mrs x5, icc_iar1_el1
        mrs x6, icc_iar1_el1
        msr icc_eoir1_el1, x5
        mrs x7, icc_iar1_el1
        mov x28, #0x280
        hvc #0`,
    });
    r.load(cpu0);
    r.load(`
      ${SET_VBAR}
      msr daifclr, #2
    loop:
      add x2, x2, #1
      b loop`, RAM_BASE + 0x1000n);
    r.cpus[1].pc = RAM_BASE + 0x1000n;
    return r;
  }

  it('ICC_SGI1R_EL1 makes the SGI pending on the target and wakes it; IAR acknowledges, EOIR ends it', () => {
    const r = twoCpus(`
      ${li('x1', (3n << 24n) | (1n << 1n))}
      msr icc_sgi1r_el1, x1
      hvc #0`);
    const [c0, c1] = r.cpus;
    expect(r.step(1, 100)).toBe(L.EXIT_BUDGET);
    expect(c1.irqPending).toBe(0);
    const wake = c1.wake;
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(c0.irqPending).toBe(0);
    expect(c1.irqPending).toBe(1 << 3);
    expect(c1.wake).toBe(wake + 1);
    expect(c1.wakeClock).toBe(2n); // CPU 0's counter at the MSR
    expect(r.core.irqPending(1)).toBe(1);
    expect(r.step(1, 100)).toBe(L.EXIT_HVC);
    expect(c1.x(28)).toBe(0x280n);
    expect(c1.x(5)).toBe(3n);
    expect(c1.x(6)).toBe(1023n); // one active interrupt blocks the rest
    expect(c1.x(7)).toBe(1023n); // nothing pending after EOI
    expect(c1.irqPending).toBe(0);
    expect(c1.iccActive).toBe(0);
    expect(c1.irqs).toBe(1n);
    expect(c1.insns).toBe(100n + 6n); // taken at the start of the step, before any loop instruction
  });

  it('acknowledges the lowest INTID first', () => {
    const r = twoCpus(`
      ${li('x1', (5n << 24n) | 2n)}
      msr icc_sgi1r_el1, x1
      ${li('x1', (2n << 24n) | 2n)}
      msr icc_sgi1r_el1, x1
      hvc #0`, `
        mrs x9, icc_iar1_el1
        msr icc_eoir1_el1, x9
        lsl x10, x10, #8
        orr x10, x10, x9
        eret`);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(r.cpus[1].irqPending).toBe((1 << 5) | (1 << 2));
    expect(r.step(1, 200)).toBe(L.EXIT_BUDGET);
    expect(r.cpus[1].x(10)).toBe(0x0205n);
    expect(r.cpus[1].irqs).toBe(2n);
  });

  it('IRM broadcasts to every CPU but the sender; a list aimed at Aff1 != 0 reaches nobody', () => {
    const r = twoCpus(`
      ${li('x1', (1n << 40n) | (7n << 24n))}
      msr icc_sgi1r_el1, x1
      ${li('x1', (1n << 16n) | (6n << 24n) | 3n)}
      msr icc_sgi1r_el1, x1
      hvc #0`);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(r.cpus[0].irqPending).toBe(0);
    expect(r.cpus[1].irqPending).toBe(1 << 7);
  });

  it('an SGI to itself is taken right after the MSR when IRQs are unmasked', () => {
    const r = new El1Rig();
    r.vectors();
    const labels = r.load(`
      ${SET_VBAR}
      msr daifclr, #2
      ${li('x1', (9n << 24n) | 1n)}
      msr icc_sgi1r_el1, x1
    after:
      mov x5, #1
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(28)).toBe(0x280n);
    expect(r.cpus[0].elr).toBe(labels.get('after')!);
    expect(r.cpus[0].x(5)).toBe(0n);
  });

  it('the host sends SGIs with the same protocol and refuses bad targets and INTIDs', () => {
    const r = twoCpus('hvc #0');
    const c1 = r.cpus[1];
    sendSgi(r.memory, 1, 4, 1000n);
    expect([c1.irqPending, c1.wake, c1.wakeClock]).toEqual([1 << 4, 1, 1000n]);
    sendSgi(r.memory, 1, 6, 10n); // the wake clock never goes back
    expect([c1.irqPending, c1.wake, c1.wakeClock]).toEqual([(1 << 4) | (1 << 6), 2, 1000n]);
    expect(() => sendSgi(r.memory, 2, 1, 0n)).toThrow(IrqError);
    expect(() => sendSgi(r.memory, 1, 16, 0n)).toThrow(IrqError);
    expect(() => sendSgi(r.memory, 1, 1, -1n)).toThrow(IrqError);
    expect([c1.irqPending, c1.wake]).toEqual([(1 << 4) | (1 << 6), 2]);
    expect(r.step(1, 100)).toBe(L.EXIT_HVC);
    expect(c1.x(5)).toBe(4n);
  });
});

describe('WFI, WFE and SEV', () => {
  it('WFI with nothing pending leaves step() past itself with C_WFI_SEEN = C_WAKE; a wake-up changes C_WAKE', () => {
    const r = new El1Rig();
    r.load('wfi\n mov x5, #1\n hvc #0');
    const c = r.cpus[0];
    expect(r.step()).toBe(L.EXIT_WFI);
    expect(c.pc).toBe(RAM_BASE + 4n);
    expect(c.insns).toBe(1n);
    expect(c.wfiSeen).toBe(c.wake);
    expect(waitForWake(r.memory, 0, 0)).toBe(false);
    sendSgi(r.memory, 0, 1, 0n);
    expect(c.wake).not.toBe(c.wfiSeen);
    expect(waitForWake(r.memory, 0, 0)).toBe(true);
  });

  it('WFI completes at once when an interrupt is pending, even with PSTATE.I set', () => {
    const r = new El1Rig();
    r.load('wfi\n mov x5, #7\n hvc #0');
    sendSgi(r.memory, 0, 1, 0n);
    expect(r.step()).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(5)).toBe(7n);
    expect(r.cpus[0].irqs).toBe(0n);
  });

  it('WFI completes when the timer has asserted, and the IRQ is taken when unmasked', () => {
    const r = new El1Rig();
    r.vectors();
    const labels = r.load(`
      ${SET_VBAR}
      mov x3, #4
      msr cntv_cval_el0, x3
      mov x4, #1
      msr cntv_ctl_el0, x4
      wfi
      msr daifclr, #2
    after:
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(28)).toBe(0x280n);
    expect(r.cpus[0].elr).toBe(labels.get('after')!);
  });

  it('WFI with IRQs unmasked: the host wakes it with an SGI and the IRQ is taken past the WFI', () => {
    const r = new El1Rig();
    r.vectors();
    const labels = r.load(`
      ${SET_VBAR}
      msr daifclr, #2
      wfi
    after:
      hvc #0`);
    expect(r.step()).toBe(L.EXIT_WFI);
    sendSgi(r.memory, 0, 2, 0n);
    expect(r.step()).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(28)).toBe(0x280n);
    expect(r.cpus[0].elr).toBe(labels.get('after')!);
  });

  it('WFE consumes a set event (SEVL), otherwise leaves step(); SEV sets every CPU\'s event and wakes them', () => {
    const r = new El1Rig(2);
    r.load('sevl\n wfe\n wfe\n wfe\n hvc #0');
    r.load('sev\n hvc #0', RAM_BASE + 0x1000n);
    const [c0, c1] = r.cpus;
    c1.pc = RAM_BASE + 0x1000n;
    expect(r.step(0)).toBe(L.EXIT_WFE);
    expect(c0.pc).toBe(RAM_BASE + 12n);
    expect(c0.event).toBe(0);
    expect(c0.wfiSeen).toBe(c0.wake);
    expect(r.step(1)).toBe(L.EXIT_HVC);
    expect([c0.event, c1.event]).toEqual([1, 1]);
    expect(c0.wake).toBe(c0.wfiSeen + 1);
    expect(r.step(0)).toBe(L.EXIT_HVC);
    expect(c0.event).toBe(0);
    sendEvent(r.memory, 0, 0n);
    expect(c0.event).toBe(1);
  });

  it('WFE completes when the exclusive reservation was lost to another store, and clears the monitor', () => {
    const r = new El1Rig();
    r.load(`
      ${li('x1', DATA)}
      ldxr x2, [x1]
      wfe
      wfe
      stxr w5, x2, [x1]
      hvc #0`);
    const c = r.cpus[0];
    expect(r.step()).toBe(L.EXIT_WFE); // the reservation still holds
    r.mem.setU64(DATA, 5n); // another agent's store
    expect(r.step()).toBe(L.EXIT_HVC);
    expect(c.x(5)).toBe(1n);
  });

  it('WFE completes on a pending interrupt too', () => {
    const r = new El1Rig();
    r.load('wfe\n mov x5, #3\n hvc #0');
    sendSgi(r.memory, 0, 0, 0n);
    expect(r.step()).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(5)).toBe(3n);
  });

  it('delivers every SGI to a CPU idling in WFI on a worker thread, with no park timing out', async () => {
    const N = 2000;
    const r = new El1Rig(2);
    r.vectors({
      [VEC.irqSpx]: `
        mrs x9, icc_iar1_el1
        add x10, x10, #1
        str x10, [x11]
        msr icc_eoir1_el1, x9
        eret`,
    });
    r.load(`
      ${SET_VBAR}
      ${li('x11', DATA)}
      msr daifclr, #2
    idle:
      wfi
      b idle`, RAM_BASE + 0x1000n);
    r.cpus[1].pc = RAM_BASE + 0x1000n;
    const worker = new Worker(new URL('./util/idle-worker.mjs', import.meta.url), {
      workerData: { memory: r.memory, wasm: fileURLToPath(CORE_WASM_URL), cpu: 1, L: { ...L }, timeoutMs: 5000 },
    });
    const done = once(worker, 'message');
    const handled = (DATA - RAM_BASE) / 4n;
    let stuck = -1;
    try {
      for (let i = 1; i <= N && stuck < 0; i++) {
        sendSgi(r.memory, 1, 1, 0n);
        const t0 = Date.now();
        while (Atomics.load(r.mem.words, Number(handled)) !== i) {
          if (Date.now() - t0 > 10_000) { stuck = i; break; }
        }
      }
      Atomics.store(new Int32Array(r.memory.buffer), (L.MACHINE_BASE + L.M_STOP) >> 2, 1);
      wakeCpu(r.memory, 1, 0n);
      const [msg] = (await done) as [{ idles: number; lost: number; error?: string }];
      expect(msg.error).toBeUndefined();
      expect(stuck).toBe(-1);
      expect(msg.lost).toBe(0);
      expect(msg.idles).toBeGreaterThan(N / 2);
      expect(r.cpus[1].irqs).toBe(BigInt(N));
    } finally {
      await worker.terminate();
    }
  });
});
