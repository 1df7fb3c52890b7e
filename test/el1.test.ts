// EL1 exception model: vector entry for each synchronous class (ESR, ELR,
// SPSR, FAR, stack switch), ERET (to EL1t/EL1h/EL0, and illegal returns),
// PSTATE.DAIF and SPSel, the EL1 system registers, and faults without a
// vector table (the old exit reasons, with a syndrome the oops prints).

import { describe, expect, it } from 'vitest';
import * as L from '../assembly/layout.ts';
import { buildFault } from '../bindings/oops.ts';
import { disassemble } from '../bindings/isa/disasm.ts';
import { DATA, El1Rig, li, RAM_BASE, STACK_TOP, VBAR, VEC } from './util/el1.ts';

const IL = 1 << 25;
const esr = (ec: number, iss = 0): number => ((ec << 26) | IL | iss) >>> 0;
const SET_VBAR = `${li('x20', VBAR)}\n msr vbar_el1, x20`;

/** A rig whose CPU 0 runs `src` (after setting VBAR_EL1 unless `noVbar`), with the default vectors. */
function rig(src: string, opts: { noVbar?: boolean; vectors?: Partial<Record<number, string>> } = {}) {
  const r = new El1Rig();
  r.vectors(opts.vectors);
  const labels = r.load(`${opts.noVbar ? '' : SET_VBAR}\n${src}`);
  return { r, c: r.cpus[0], labels, at: (name: string) => labels.get(name)! };
}

describe('EL1 reset state and system registers', () => {
  it('starts at EL1h with DAIF masked, VBAR_EL1 = 0 and x0 = CPU index', () => {
    const r = new El1Rig(2);
    const prog = `
      mrs x1, currentel
      mrs x2, daif
      mrs x3, spsel
      mrs x4, vbar_el1
      mrs x5, mpidr_el1
      mrs x6, icc_sre_el1
      hvc #0`;
    r.load(prog);
    r.cpus[1].pc = RAM_BASE;
    for (const i of [0, 1]) {
      expect(r.step(i)).toBe(L.EXIT_HVC);
      const c = r.cpus[i];
      expect([c.x(0), c.x(1), c.x(2), c.x(3), c.x(4), c.x(5), c.x(6)]).toEqual(
        [BigInt(i), 4n, 0x3c0n, 1n, 0n, 0x80000000n | BigInt(i), 7n],
      );
      expect([c.el, c.spsel, c.daif, c.vbar]).toEqual([1, 1, 0x3c0, 0n]);
    }
  });

  it('reads the physical counter as the virtual one at EL1 (no offset)', () => {
    const r = new El1Rig();
    r.load(`
      mrs x1, cntvct_el0
      mrs x2, cntpct_el0
      mrs x3, cntvct_el0
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    const c = r.cpus[0];
    expect(c.x(2)).toBe(c.x(1) + 1n);
    expect(c.x(3)).toBe(c.x(2) + 1n);
  });

  it('reads back what MSR wrote to the EL1 registers', () => {
    const regs = [
      'elr_el1', 'spsr_el1', 'esr_el1', 'far_el1', 'tpidr_el1', 'sctlr_el1', 'contextidr_el1', 'cntkctl_el1',
      'mair_el1', 'tcr_el1', 'ttbr0_el1', 'ttbr1_el1', 'cpacr_el1', 'icc_pmr_el1', 'icc_igrpen1_el1', 'icc_bpr1_el1',
      'cntv_cval_el0', 'vbar_el1',
    ];
    const values = [
      0x1234n, 0x600003c5n, 0x96000050n, 0xdead_beef_0000n, 0xffff_0000_1111_2222n, 0x30d0_1805n, 0x42n, 0x203n,
      0xff_44_04n, 0x25_b510_3510n, 0x4008_0000n, 0xffff_0000_4009_0000n, 0x30_0000n, 0xf0n, 1n, 3n,
      0x1_0000_0000n, 0x4002_0800n,
    ];
    const r = new El1Rig();
    r.load(regs.map((name, i) => `${li('x1', values[i])}\n msr ${name}, x1\n mrs x${i + 2}, ${name}`).join('\n') + '\n hvc #0');
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(regs.map((_, i) => r.cpus[0].x(i + 2))).toEqual(values);
    expect(r.cpus[0].vbar).toBe(0x4002_0800n);
  });

  it('masks the RES0 bits of VBAR_EL1 and keeps EOImode at 0 in ICC_CTLR_EL1', () => {
    const r = new El1Rig();
    r.load(`
      mov x1, #0x7ff
      orr x1, x1, #0x10000
      msr vbar_el1, x1
      mrs x2, vbar_el1
      mov x1, #3
      msr icc_ctlr_el1, x1
      mrs x3, icc_ctlr_el1
      msr vbar_el1, xzr
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(r.cpus[0].x(2)).toBe(0x10000n);
    expect(r.cpus[0].x(3)).toBe(0x401n); // PRIbits = 4, CBPR = 1, EOImode = 0
  });

  it('sets and clears DAIF with the immediate forms and MSR DAIF', () => {
    const { r, c } = rig(`
      msr daifclr, #0xf
      mrs x1, daif
      msr daifset, #0xf
      mrs x2, daif
      msr daifclr, #0xa
      mrs x3, daif
      mov x4, #0x140
      msr daif, x4
      mrs x5, daif
      hvc #0`, { noVbar: true });
    expect(r.run()).toBe(L.EXIT_HVC);
    expect([c.x(1), c.x(2), c.x(3), c.x(5)]).toEqual([0n, 0x3c0n, 0x140n, 0x140n]);
    expect(c.daif).toBe(0x140);
  });

  it('switches between SP_EL0 and SP_EL1 with SPSel; SP_EL0 is UNDEFINED to MRS while in use', () => {
    const { r, c } = rig(`
      ${li('x1', 0x4007_0000n)}
      msr sp_el0, x1
      mov x2, sp
      msr spsel, #0
      mov x3, sp
      mrs x4, spsel
      mov x5, #1
      msr spsel, x5
      mov x6, sp
      msr spsel, #0
      mrs x7, sp_el0
      hvc #0`, { noVbar: true });
    expect(r.run()).toBe(L.EXIT_UNDEF);
    expect([c.x(2), c.x(3), c.x(4), c.x(6)]).toEqual([STACK_TOP, 0x4007_0000n, 0n, STACK_TOP]);
    expect(c.x(7)).toBe(0n);
    expect(c.spEl0).toBe(0x4007_0000n);
    expect(c.spEl1).toBe(STACK_TOP);
    expect(c.syndrome).toBe(esr(0));
  });

  it('lets the host read and switch the banked stack pointers', () => {
    const r = new El1Rig();
    const c = r.cpus[0];
    c.spEl0 = 0x1000n;
    expect([c.sp, c.spEl0, c.spEl1]).toEqual([STACK_TOP, 0x1000n, STACK_TOP]);
    c.spsel = 0;
    expect([c.sp, c.spEl0, c.spEl1]).toEqual([0x1000n, 0x1000n, STACK_TOP]);
    expect(() => (c.spsel = 2)).toThrow(RangeError);
    expect(() => (c.daif = 0x1)).toThrow(RangeError);
    expect(() => (c.vbar = VBAR + 4n)).toThrow(RangeError);
    expect([c.spsel, c.daif, c.vbar]).toEqual([0, 0x3c0, 0n]);
  });
});

describe('synchronous exceptions through VBAR_EL1', () => {
  it('SVC: EC 0x15 with the immediate, ELR past the SVC, SPSR = PSTATE, DAIF masked, vector +0x200', () => {
    const { r, c, at } = rig(`
      movz x2, #0xa000, lsl #16
      msr nzcv, x2
      msr daifclr, #5
    svc_at:
      svc #0x42
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(BigInt(VEC.syncSpx));
    expect(c.esr).toBe(esr(0x15, 0x42));
    expect(c.elr).toBe(at('svc_at') + 4n);
    expect(c.spsr).toBe((0xa0000000 | 0x280 | 0x5) >>> 0);
    expect(c.daif).toBe(0x3c0);
    expect(c.pc).toBe(VBAR + BigInt(VEC.syncSpx) + 8n);
    expect(c.exceptions).toBe(1n);
    expect(c.syndrome).toBe(esr(0x15, 0x42));
    expect(c.branchRing().at(-1)).toEqual([at('svc_at'), VBAR + BigInt(VEC.syncSpx)]);
  });

  it('BRK on SP_EL0: EC 0x3c, ELR at the BRK, vector +0x000, the handler runs on SP_EL1', () => {
    const { r, c, at } = rig(`
      ${li('x1', 0x4007_0000n)}
      msr sp_el0, x1
      msr spsel, #0
    brk_at:
      brk #7`, { vectors: { [VEC.syncSp0]: 'mov x4, sp\n mov x28, #0\n hvc #0' } });
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(0n);
    expect(c.x(4)).toBe(STACK_TOP);
    expect(c.esr).toBe(esr(0x3c, 7));
    expect(c.elr).toBe(at('brk_at'));
    expect(c.spsr).toBe(0x3c4);
    expect([c.spsel, c.spEl0, c.spEl1]).toEqual([1, 0x4007_0000n, STACK_TOP]);
  });

  it('undefined instruction and unknown system register: EC 0x00, IL = 1, ELR at the instruction', () => {
    for (const bad of ['.inst 0x00000000', 'mrs x1, s3_0_c15_c0_0', 'msr s3_0_c12_c12_0, x1', 'mrs x1, s3_0_c12_c12_1']) {
      const { r, c, at } = rig(`mov x1, #5\n bad:\n ${bad}`);
      expect(r.run(), bad).toBe(L.EXIT_HVC);
      expect(c.x(28), bad).toBe(BigInt(VEC.syncSpx));
      expect(c.esr, bad).toBe(esr(0));
      expect(c.elr, bad).toBe(at('bad'));
      expect(c.x(1), bad).toBe(5n);
    }
  });

  it('data aborts: EC 0x25, FAR, WnR, DFSC 0x10 outside RAM and 0x21 for alignment; no register changed', () => {
    const cases: [string, bigint, number][] = [
      ['ldr x2, [x1]', 0x10n, 0x10],
      ['str x2, [x1, #8]', 0x18n, 0x40 | 0x10],
      ['ldp x2, x3, [x1], #16', 0x10n, 0x10],
      ['ldxr x2, [x1]', DATA + 1n, 0x21],
      ['stlr x2, [x1]', DATA + 4n, 0x40 | 0x21],
      ['ldadd x3, x2, [x1]', 0x10n, 0x40 | 0x10],
      ['dc zva, x1', 0x40n, 0x40 | 0x10],
    ];
    for (const [insn, addr, iss] of cases) {
      const base = insn.startsWith('ldxr') || insn.startsWith('stlr') ? addr : insn.includes('#8') ? addr - 8n : addr;
      const { r, c, at } = rig(`${li('x1', base)}\n mov x2, #77\n bad:\n ${insn}`);
      expect(r.run(), insn).toBe(L.EXIT_HVC);
      expect(c.x(28), insn).toBe(BigInt(VEC.syncSpx));
      expect(c.esr.toString(16), insn).toBe(esr(0x25, iss).toString(16));
      expect(c.farEl1, insn).toBe(addr);
      expect(c.elr, insn).toBe(at('bad'));
      expect([c.x(1), c.x(2)], insn).toEqual([base, 77n]);
    }
  });

  it('PC alignment fault (EC 0x22) and instruction abort (EC 0x21, IFSC 0x10) with ELR = FAR = the target', () => {
    for (const [target, ec, iss] of [[RAM_BASE + 0x102n, 0x22, 0], [0x8000_0000n, 0x21, 0x10]] as const) {
      const { r, c } = rig(`${li('x1', target)}\n br x1`);
      expect(r.run()).toBe(L.EXIT_HVC);
      expect(c.esr).toBe(esr(ec, iss));
      expect(c.elr).toBe(target);
      expect(c.farEl1).toBe(target);
    }
  });

  it('HVC at EL1 leaves step() even with a vector table', () => {
    const { r, c } = rig('hvc #3');
    expect(r.step()).toBe(L.EXIT_HVC);
    expect(c.excInfo).toBe(3);
    expect(c.exceptions).toBe(0n);
  });

  it('a fault on the first instruction of the vector it would enter is not taken: step() leaves with it', () => {
    const { r, c, at } = rig('svc #1\n after: hvc #0', { vectors: { [VEC.syncSpx]: '.inst 0x00000000' } });
    expect(r.step(0, 1000)).toBe(L.EXIT_UNDEF);
    expect(c.exceptions).toBe(1n); // the SVC was taken, the vector's own fault was not
    expect(c.pc).toBe(VBAR + BigInt(VEC.syncSpx));
    expect(c.elr).toBe(at('after'));
    expect(c.syndrome).toBe(esr(0));
    const f = buildFault(c, r.mem, { disassemble })!;
    expect(f.kind).toBe('undefined-instruction');
    expect(f.report).toContain('The exception cannot be taken: it recurs at its own vector');
    expect(f.report).toContain(`+ 0x${VEC.syncSpx.toString(16)}`);
    expect(f.report).toContain(`ELR_EL1 0x${at('after').toString(16)}`);
  });

  it('a VBAR_EL1 outside RAM: the vector fetch aborts and is reported, not re-entered', () => {
    const { r, c } = rig(`${li('x1', 0x1000n)}\n msr vbar_el1, x1\n brk #2`);
    expect(r.step(0, 1000)).toBe(L.EXIT_FETCH_ABORT);
    expect(c.exceptions).toBe(1n);
    expect(c.pc).toBe(0x1200n);
    expect(c.far).toBe(0x1200n);
  });

  it('a fault in the SP_EL0 group\'s vector is taken to the SP_EL1 group, which is a different vector', () => {
    const { r, c } = rig('msr spsel, #0\n .inst 0x00000000', { vectors: { [VEC.syncSp0]: '.inst 0x00000000' } });
    expect(r.step(0, 1000)).toBe(L.EXIT_HVC); // the default +0x200 vector records its offset and leaves
    expect(c.x(28)).toBe(BigInt(VEC.syncSpx));
    expect(c.exceptions).toBe(2n);
  });

  it('a vector that retires instructions before faulting again loops, as on hardware, costing budget', () => {
    const { r, c } = rig('.inst 0x00000000', { vectors: { [VEC.syncSpx]: 'nop\n .inst 0x00000000' } });
    expect(r.step(0, 1000)).toBe(L.EXIT_BUDGET);
    expect(c.exceptions).toBeGreaterThan(400n);
  });
});

describe('ERET', () => {
  it('restores PC from ELR and NZCV, DAIF and the stack from SPSR (to EL1t)', () => {
    const { r, c, at } = rig(`
      ${li('x2', 0x4007_0000n)}
      msr sp_el0, x2
      msr daifclr, #0xf
      svc #1
    back:
      mov x6, sp
      mrs x7, daif
      mrs x8, spsel
      mrs x9, nzcv
      mrs x11, currentel
      hvc #0`, {
      vectors: {
        [VEC.syncSpx]: `
          mrs x10, spsr_el1
          ${li('x12', 0x6000_0084n)}
          msr spsr_el1, x12
          eret`,
      },
    });
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(10)).toBe(0x5n);
    expect(c.x(6)).toBe(0x4007_0000n);
    expect([c.x(7), c.x(8), c.x(9), c.x(11)]).toEqual([0x80n, 0n, 0x6000_0000n, 4n]);
    expect(c.pc).toBe(at('back') + 24n);
    expect(c.spEl1).toBe(STACK_TOP);
  });

  it('returns to EL0: SP_EL0 in use, exceptions from EL0 vector at +0x400 with the lower-EL classes', () => {
    const user = (body: string) => rig(`
      ${li('x2', 0x4007_0000n)}
      msr sp_el0, x2
      adr x3, user
      msr elr_el1, x3
      msr spsr_el1, xzr
      eret
    user:
      mov x4, sp
      ${body}`);
    let { r, c, at } = user('svc #9');
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(BigInt(VEC.syncLower));
    expect(c.x(4)).toBe(0x4007_0000n);
    expect(c.esr).toBe(esr(0x15, 9));
    expect(c.elr).toBe(at('user') + 8n);
    expect(c.spsr).toBe(0);
    expect([c.el, c.sp, c.spEl0]).toEqual([1, STACK_TOP, 0x4007_0000n]);

    for (const [body, ec, iss] of [
      ['mrs x5, currentel', 0, 0], ['msr daifclr, #2', 0, 0], ['eret', 0, 0], ['hvc #0', 0, 0],
      ['mrs x5, vbar_el1', 0, 0], ['mrs x5, cntv_ctl_el0', 0, 0],
      ['mov x1, #0x10\n ldr x5, [x1]', 0x24, 0x10], ['mov x1, #0x10\n br x1', 0x20, 0x10],
    ] as const) {
      ({ r, c } = user(body));
      expect(r.run(), body).toBe(L.EXIT_HVC);
      expect(c.x(28), body).toBe(BigInt(VEC.syncLower));
      expect(c.esr, body).toBe(esr(ec, iss));
    }
  });

  it('opens the virtual timer registers to EL0 when CNTKCTL_EL1.EL0VTEN is set', () => {
    const { r, c } = rig(`
      mov x1, #0x200
      msr cntkctl_el1, x1
      mov x1, #3
      msr cntv_ctl_el0, x1
      adr x3, user
      msr elr_el1, x3
      msr spsr_el1, xzr
      eret
    user:
      mrs x5, cntv_ctl_el0
      svc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.esr).toBe(esr(0x15));
    expect(c.x(5)).toBe(7n); // ENABLE, IMASK, ISTATUS (CVAL = 0)
  });

  it('treats a return to an unsupported mode as illegal: EC 0x0E at the target, SPSR.IL set', () => {
    const { r, c, at } = rig(`
      adr x3, target
      msr elr_el1, x3
      mov x4, #0x9
      msr spsr_el1, x4
      eret
    target:
      mov x5, #1
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(28)).toBe(BigInt(VEC.syncSpx));
    expect(c.x(5)).toBe(0n);
    expect(c.esr).toBe(esr(0x0e));
    expect(c.elr).toBe(at('target'));
    expect(c.spsr).toBe(0x100005);
  });

  it('clears the exclusive monitor', () => {
    const { r, c } = rig(`
      ${li('x1', DATA)}
      ldxr x2, [x1]
      adr x3, back
      msr elr_el1, x3
      mov x4, #5
      msr spsr_el1, x4
      eret
    back:
      stxr w5, x2, [x1]
      hvc #0`);
    expect(r.run()).toBe(L.EXIT_HVC);
    expect(c.x(5)).toBe(1n);
  });

  it('sets the event register: a WFE after an exception return completes at once', () => {
    // `while (!flag) wfe;` with the flag set by a handler that ran just before the WFE
    const { r, c } = rig(`
      mov x6, #0
      svc #0
      wfe
      mov x6, #1
      wfe
      hvc #0`, { vectors: { [VEC.syncSpx]: 'eret' } });
    expect(r.step()).toBe(L.EXIT_WFE); // the first WFE consumed the event, the second waits
    expect(c.x(6)).toBe(1n);
    expect(c.event).toBe(0);
    expect(c.exceptions).toBe(1n);
  });
});

describe('faults without a vector table', () => {
  it('exit with the old reason and a syndrome; the oops names the class, ESR, FAR and CPU', () => {
    const r = new El1Rig(2);
    r.load(`mov x1, #0x10\n str x2, [x1]`, RAM_BASE + 0x100n);
    const c = r.cpus[1];
    c.pc = RAM_BASE + 0x100n;
    expect(r.step(1)).toBe(L.EXIT_DATA_ABORT);
    expect(c.pc).toBe(RAM_BASE + 0x104n);
    expect(c.far).toBe(0x10n);
    expect(c.syndrome).toBe(esr(0x25, 0x50));
    expect(c.exceptions).toBe(0n);
    expect(c.esr).toBe(0); // no exception was taken
    const f = buildFault(c, r.mem, { disassemble })!;
    expect(f.kind).toBe('data-abort');
    expect(f.cpu).toBe(1);
    expect(f.report).toMatch(/CPU 1/);
    expect(f.report).toMatch(/ESR 0x96000050 .*EC 0x25.*data abort from EL1.*WnR 1.*synchronous external abort/);
    expect(f.report).toMatch(/FAR 0x0*10\b/);
    expect(f.report).toMatch(/EL1h.*daif 0x3c0/i);
  });

  it('an illegal ERET without a vector table stops at the target with EC 0x0E', () => {
    const { r, c, at } = rig(`
      adr x3, target
      msr elr_el1, x3
      mov x4, #0x9
      msr spsr_el1, x4
      eret
    target:
      mov x5, #1`, { noVbar: true });
    expect(r.run()).toBe(L.EXIT_UNDEF);
    expect(c.pc).toBe(at('target'));
    expect(c.x(5)).toBe(0n);
    expect(c.syndrome).toBe(esr(0x0e));
    expect(buildFault(c, r.mem, {})!.report).toMatch(/illegal execution state.*\n.*EC 0x0e/);
  });

  it('reports SVC, BRK and undefined instructions at EL1 with their classes', () => {
    for (const [insn, exit, ec] of [['svc #5', L.EXIT_SVC, 0x15], ['brk #1', L.EXIT_BRK, 0x3c], ['.inst 0', L.EXIT_UNDEF, 0]] as const) {
      const { r, c } = rig(insn, { noVbar: true });
      expect(r.step(), insn).toBe(exit);
      expect(c.syndrome >>> 26, insn).toBe(ec);
    }
    const { r, c } = rig('brk #1', { noVbar: true });
    r.step();
    expect(buildFault(c, r.mem, {})!.report).toMatch(/EC 0x3c \(BRK instruction\)/);
  });
});
