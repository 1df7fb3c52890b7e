// Guest stores into text are CMODX events, classified like host patches.
//
// Three CPUs. CPU 0 waits until CPUs 1 and 2 have called `target`
// (MOV X9, X30; NOP; RET) 400 times between them, then stores one word over
// it from a guest instruction (label `poke`):
//
//   store                           CPUs 1 and 2            verdict
//   MOV X9, X30 over target+4 NOP   still calling target    violation
//   MOV X9, X30 over target+4 NOP   parked in WFI           quiescent
//   BL stub over target+4 NOP       still calling target    allowed (NOP -> BL)
//   then NOP back over that BL      still calling target    allowed (BL -> NOP)
//
// (`stub` returns to target+8 with X30 restored from X9, as ftrace_caller
// does.) The writer's store runs interpreted (translation threshold 0) and
// translated (threshold 1).

import { describe, expect, it } from 'vitest';
import { Machine, type Mode } from '../../bindings/index.ts';
import { DATA, kernelElf, sym } from '../util/machine.ts';

const NOP = 0xd503201f;
const MOV_X9_X30 = 0xaa1e03e9;
const WAIT_PARKED = 0x200; // host call: 1 when every CPU but the caller is parked

type Others = 'running' | 'parked';

/** With `twoStores` CPU 0 puts the NOP back after a while (a second store at target+4). */
function image(others: Others, twoStores: boolean): Uint8Array {
  return kernelElf(`
    _start:
      movz x19, #${Number(DATA >> 16n)}, lsl #16 // +0 calls, +8 flag, +0x100 the word to store
      cbnz x0, other
    writer:
      ldr x1, [x19]
      cmp x1, #400
      b.lo writer                            // until the others have called target 400 times
      ${others === 'parked' ? `
    wait_parked:
      mov x8, #${WAIT_PARKED}
      hvc #0
      cbz x0, wait_parked                    // until both are parked in WFI` : ''}
      adr x2, target
      add x2, x2, #4
      ldr w3, [x19, #0x100]
    poke:
      str w3, [x2]                           // the live modification
      dc cvau, x2
      dsb ish
      ic ivau, x2
      dsb ish
      ${twoStores ? `
      mov x1, #0
    again:
      ldr x4, [x19]
      add x1, x1, #1
      cmp x1, #2000
      b.lo again                             // let the others run the BL a while
      movz w3, #${NOP & 0xffff}
      movk w3, #${NOP >>> 16}, lsl #16
    poke_back:
      str w3, [x2]
      dc cvau, x2
      dsb ish
      ic ivau, x2
      dsb ish` : ''}
      mov x1, #1
      str x1, [x19, #8]                      // the others may stop
      mov x0, #0
      mov x8, #93
      hvc #0                                 // exit(0)
    other:
      bl target
      mov x1, #1
      ldadd x1, x1, [x19]                    // one more call
      ${others === 'parked' ? `
      ldr x1, [x19]
      cmp x1, #400
      b.lo other
    park:
      wfi                                    // nothing wakes it
      b park` : `
      ldr x1, [x19, #8]
      cbz x1, other
    done:
      wfi
      b done`}
    target:
      mov x9, x30
      nop
      ret
    stub:
      mov x10, x30                           // target+8
      mov x30, x9                            // the caller's return address
      br x10
  `);
}

async function run(others: Others, mode: Mode, jitThreshold: number, word: (m: Machine) => number, twoStores = false) {
  const m = await Machine.create({ profile: 'kernel', cpus: 3, mode, seed: 5, quantum: mode === 'threads' ? 1000 : 300, jitThreshold, log: () => {} });
  m.load(image(others, twoStores));
  m.mem.setU32(DATA + 0x100n, word(m));
  m.onHostCall(WAIT_PARKED, ({ cpu }) => (m.activity().every((c) => c.cpu === cpu || c.state === 'idle') ? 1n : 0n));
  m.start();
  const r = await m.exited;
  expect(r.exitCode).toBe(0);
  return m;
}

function blTo(from: bigint, to: bigint): number {
  return (0x94000000 | (Number((to - from) >> 2n) & 0x3ffffff)) >>> 0;
}

/**
 * CPUs 1 and 2 park in WFE first; CPU 0 waits until both are parked, wakes
 * them (SEV), waits until they have called target 400 more times, then
 * stores the MOV: they run again, so it is a violation, although their
 * first step() after the wake-up is still going on (their last exit was
 * the WFE until step() says otherwise at its entry).
 */
const wokenImage = (): Uint8Array => kernelElf(`
  _start:
    movz x19, #${Number(DATA >> 16n)}, lsl #16 // +0 calls, +8 flag, +16 go
    cbnz x0, other
  wait_parked:
    mov x8, #${WAIT_PARKED}
    hvc #0
    cbz x0, wait_parked
    ldr x5, [x19]
    mov x1, #1
    str x1, [x19, #16]
    dsb ish
    sev                                    // wake them
  wait_calls:
    ldr x1, [x19]
    sub x1, x1, x5
    cmp x1, #400
    b.lo wait_calls
    adr x2, target
    movz w3, #${MOV_X9_X30 & 0xffff}
    movk w3, #${MOV_X9_X30 >>> 16}, lsl #16
  poke:
    str w3, [x2, #4]
    mov x1, #1
    str x1, [x19, #8]
    mov x0, #0
    mov x8, #93
    hvc #0
  other:
    ldr x1, [x19, #16]
    cbnz x1, calls
    wfe
    b other
  calls:
    bl target
    mov x1, #1
    ldadd x1, x1, [x19]
    ldr x1, [x19, #8]
    cbz x1, calls
  done:
    wfi
    b done
  target:
    mov x9, x30
    nop
    ret
`);

describe('woken CPUs (threads)', () => {
  it('count as running again at once: the store during their first step() after the wake-up is a violation', async () => {
    // a quantum of 2^24 instructions: the store lands long before that first step() returns
    const m = await Machine.create({ profile: 'kernel', cpus: 3, mode: 'threads', quantum: 1 << 24, log: () => {} });
    m.load(wokenImage());
    m.onHostCall(WAIT_PARKED, ({ cpu }) => (m.activity().every((c) => c.cpu === cpu || c.state === 'idle') ? 1n : 0n));
    m.start();
    expect((await m.exited).exitCode).toBe(0);
    expect(m.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 0, violation: 1, unclassified: 0 });
    expect(m.cmodx.violations[0]).toMatchObject({ address: sym(m, 'target') + 4n, writer: 0, pc: sym(m, 'poke') });
  });
});

describe.each(['deterministic', 'threads'] as const)('guest stores into text (%s)', (mode) => {
  describe.each([0, 1])('translation threshold %i', (jitThreshold) => {
    it('MOV X9, X30 over a NOP of a function other CPUs are running: one violation naming the writer and its PC', async () => {
      const m = await run('running', mode, jitThreshold, () => MOV_X9_X30);
      const target = sym(m, 'target') + 4n;
      expect(m.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 0, violation: 1, unclassified: 0 });
      expect(m.cmodx.violations).toHaveLength(1);
      const v = m.cmodx.violations[0]!;
      expect(v).toMatchObject({
        source: 'guest', address: target, oldWord: NOP, newWord: MOV_X9_X30, verdict: 'violation',
        oldClass: 'NOP', newClass: null, writer: 0, pc: sym(m, 'poke'), where: 'poke+0x0',
        store: { address: target, size: 4 },
      });
      expect(v.cpus.filter((c) => c.cpu !== 0).map((c) => c.state)).toContain('running');
      expect(m.mem.u32(target)).toBe(MOV_X9_X30);
    });

    it('the same store while the other CPUs are parked in WFI: quiescent', async () => {
      const m = await run('parked', mode, jitThreshold, () => MOV_X9_X30);
      expect(m.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 1, violation: 0, unclassified: 0 });
      expect(m.cmodx.violations).toHaveLength(0);
      expect(m.mem.u32(sym(m, 'target') + 4n)).toBe(MOV_X9_X30);
    });

    it('NOP -> BL and BL -> NOP while the other CPUs run: allowed', async () => {
      let bl = 0;
      const m = await run('running', mode, jitThreshold, (mm) => (bl = blTo(sym(mm, 'target') + 4n, sym(mm, 'stub'))), true);
      expect(m.cmodx.bySource.guest).toEqual({ allowed: 2, quiescent: 0, violation: 0, unclassified: 0 });
      expect(m.cmodx.violations).toHaveLength(0);
      expect(m.mem.u32(sym(m, 'target') + 4n)).toBe(NOP);
      expect(bl >>> 26).toBe(0x25);
    });
  });
});
