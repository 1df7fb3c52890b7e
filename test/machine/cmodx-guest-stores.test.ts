// Every kind of guest store that changes a text word is a CMODX event with
// the right address, words and PC; and a store log that overflows says so.
//
// CPU 1 spins (running), so every change of a word outside the list is a
// violation and its record is kept. CPU 0 stores into `scratch`, a 192-byte
// area of the image's text that nothing executes (all words 0x11111111),
// with every store instruction the core has, at offsets that make some of
// them straddle words; the expected events come from applying the same bytes
// to a model of the area. A failed CAS and a store of the word already there
// change nothing and are not events.

import { describe, expect, it } from 'vitest';
import * as L from '../../assembly/layout.ts';
import { Machine, type Mode } from '../../bindings/index.ts';
import { kernelElf, sym } from '../util/machine.ts';

const X4 = 0x0102030405060708n;
const X5 = 0x1112131415161718n;

const storesImage = (): Uint8Array => kernelElf(`
  _start:
    cbnz x0, spin
    adr x2, scratch
    movz x4, #0x0708
    movk x4, #0x0506, lsl #16
    movk x4, #0x0304, lsl #32
    movk x4, #0x0102, lsl #48
    movz x5, #0x1718
    movk x5, #0x1516, lsl #16
    movk x5, #0x1314, lsl #32
    movk x5, #0x1112, lsl #48
  s_strb:
    strb w4, [x2, #1]
  s_strh:
    strh w4, [x2, #6]
    add x6, x2, #11
  s_strh_split:
    strh w5, [x6]                  // bytes 11 and 12: two words
  s_str_w:
    str w5, [x2, #16]
    add x6, x2, #22
  s_str_x:
    str x4, [x6]                   // bytes 22..29: three words
  s_stp_w:
    stp w4, w5, [x2, #32]
    add x6, x2, #44
  s_stp_x:
    stp x4, x5, [x6]               // bytes 44..59: four words
    add x6, x2, #60
  s_stlr:
    stlr w5, [x6]
    add x6, x2, #128
    ldxr w7, [x6]
  s_stxr:
    stxr w8, w4, [x6]
    add x6, x2, #132
    ldr w7, [x6]
  s_cas:
    cas w7, w5, [x6]
    add x6, x2, #136
    mov w7, #0
  s_cas_fail:
    cas w7, w5, [x6]               // memory does not hold 0: nothing written
    add x6, x2, #144
    ldp w10, w11, [x6]
  s_casp:
    casp w10, w11, w4, w5, [x6]
    add x6, x2, #152
  s_ldadd:
    ldadd w5, w7, [x6]
    add x6, x2, #156
  s_swp:
    swp w4, w7, [x6]
    add x6, x2, #160
    ldr w7, [x6]
  s_same:
    str w7, [x6]                   // the word already there
    add x6, x2, #64
  s_zva:
    dc zva, x6                     // bytes 64..127
    mov x0, #0
    mov x8, #93
    hvc #0
  spin:
    b spin
    .align 6
  scratch:
    ${Array.from({ length: 48 }, () => '.word 0x11111111').join('\n    ')}
`);

interface Expected { address: bigint; oldWord: number; newWord: number; pc: bigint; store: { address: bigint; size: number } }

/** The events the stores above make, from a byte model of the scratch area. */
function expectedEvents(m: Machine): Expected[] {
  const base = sym(m, 'scratch');
  const bytes = new Uint8Array(192).fill(0x11);
  const dv = new DataView(bytes.buffer);
  const out: Expected[] = [];
  const le = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
  const store = (label: string, off: number, data: number[]) => {
    const before = new Uint8Array(bytes);
    bytes.set(data, off);
    for (let w = off & ~3; w < off + data.length; w += 4) {
      const o = new DataView(before.buffer).getUint32(w, true), n = dv.getUint32(w, true);
      if (o !== n) out.push({ address: base + BigInt(w), oldWord: o, newWord: n, pc: sym(m, label), store: { address: base + BigInt(off), size: data.length } });
    }
  };
  const w4 = Number(X4 & 0xffffffffn), w5 = Number(X5 & 0xffffffffn);
  store('s_strb', 1, le(X4, 1));
  store('s_strh', 6, le(X4, 2));
  store('s_strh_split', 11, le(X5, 2));
  store('s_str_w', 16, le(X5, 4));
  store('s_str_x', 22, le(X4, 8));
  store('s_stp_w', 32, [...le(X4, 4), ...le(X5, 4)]);
  store('s_stp_x', 44, [...le(X4, 8), ...le(X5, 8)]);
  store('s_stlr', 60, le(X5, 4));
  store('s_stxr', 128, le(X4, 4));
  store('s_cas', 132, le(X5, 4));
  store('s_casp', 144, [...le(X4, 4), ...le(X5, 4)]);
  store('s_ldadd', 152, le(BigInt((dv.getUint32(152, true) + w5) >>> 0), 4));
  store('s_swp', 156, le(BigInt(w4), 4));
  store('s_zva', 64, new Array(64).fill(0));
  return out;
}

describe.each(['deterministic', 'threads'] as const)('every store kind into text (%s)', (mode: Mode) => {
  it.each([0, 1])('translation threshold %i: one event per changed word, with the store\'s PC', async (jitThreshold) => {
    const m = await Machine.create({ profile: 'kernel', cpus: 2, mode, seed: 2, jitThreshold, log: () => {} });
    m.load(storesImage());
    m.start();
    expect((await m.exited).exitCode).toBe(0);
    const want = expectedEvents(m);
    expect(want.length).toBe(21 + 16); // the ZVA block: 16 words
    const got = m.cmodx.violations.map((r) => ({ address: r.address, oldWord: r.oldWord, newWord: r.newWord, pc: r.pc, store: r.store }));
    expect(got).toEqual(want);
    expect(m.cmodx.violations.every((r) => r.source === 'guest' && r.writer === 0)).toBe(true);
    expect(m.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 0, violation: want.length, unclassified: 0 });
  });
});

describe('a full store log', () => {
  it('counts the stores it had no room for as unclassified, and the next store still has the right old word', async () => {
    const STORES = 3000;
    const m = await Machine.create({ profile: 'kernel', cpus: 2, mode: 'deterministic', seed: 1, quantum: 1 << 20, log: () => {} });
    m.load(kernelElf(`
      _start:
        cbnz x0, spin
        adr x2, word
        mov w4, #0
      loop:
        add w4, w4, #1
      s_loop:
        str w4, [x2]                 // ${STORES} stores in one slice
        cmp w4, #${STORES}
        b.lo loop
        movz x5, #0x40, lsl #16      // 4 M: the next store is in another slice
      delay:
        subs x5, x5, #1
        b.ne delay
        mov w4, #7
      s_last:
        str w4, [x2]
        mov x0, #0
        mov x8, #93
        hvc #0
      spin:
        b spin
      word:
        .word 0x11111111
    `));
    m.start();
    expect((await m.exited).exitCode).toBe(0);
    const logged = L.SLOG_ENTRIES;
    expect(m.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 0, violation: logged + 1, unclassified: STORES - logged });
    expect(m.cmodx.counts.unclassified).toBe(STORES - logged);
    const v = m.cmodx.violations;
    expect(v[0]).toMatchObject({ oldWord: 0x11111111, newWord: 1, pc: sym(m, 's_loop') });
    expect(v[logged - 1]).toMatchObject({ oldWord: logged - 1, newWord: logged });
    // the copy of the text was taken again after the overflow
    expect(v[logged]).toMatchObject({ oldWord: STORES, newWord: 7, pc: sym(m, 's_last') });
  });

  it('holds only stores that reach text: the same stores just past the end of the text, on its page, are not logged', async () => {
    const m = await Machine.create({ profile: 'kernel', cpus: 1, mode: 'deterministic', quantum: 1 << 20, log: () => {} });
    m.load(kernelElf(`
      _start:
        adr x2, text_end
        add x2, x2, #64              // past the executable segment, on its last page
        mov w4, #0
      loop:
        add w4, w4, #1
        str w4, [x2]
        cmp w4, #3000
        b.lo loop
        mov x0, #0
        mov x8, #93
        hvc #0
      text_end:
    `));
    expect(m.image!.textRanges).toHaveLength(1);
    const end = m.image!.textRanges[0]!.end; // text_end
    expect((end + 64n) >> 12n).toBe(end >> 12n);
    m.start();
    expect((await m.exited).exitCode).toBe(0);
    expect(m.mem.u32(end + 64n)).toBe(3000);
    expect(m.cmodx.bySource.guest).toEqual({ allowed: 0, quiescent: 0, violation: 0, unclassified: 0 });
    expect(new Uint32Array(m.memory.buffer)[(L.MACHINE_BASE + L.M_SLOG_HEAD) >> 2]).toBe(0);
  });
});
